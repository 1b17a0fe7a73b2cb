"""The category sidebar: the six categories with their artifact counts."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...core.catalog import CATEGORIES, Category


def category_prompt(number: int, category: Category, count: int) -> Table:
    """'3 Page structure      41': the key, the label, and the count against the right edge."""
    grid = Table.grid(expand=True)
    grid.add_column(no_wrap=True, overflow="ellipsis")
    grid.add_column(justify="right", no_wrap=True)
    grid.add_row(
        Text.assemble((f"{number} ", "dim"), category.label),
        Text(str(count), style="bold" if count else "dim"),
    )
    return grid


class CategorySidebar(OptionList):
    # Its border and focus colours are in app.tcss, with the other panes'.
    DEFAULT_CSS = "CategorySidebar { width: 24; }"

    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False, id="sidebar.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="sidebar.up"),
        Binding("space,pagedown", "page_down", "Page down", show=False, id="sidebar.page_down"),
        Binding("b,pageup", "page_up", "Page up", show=False, id="sidebar.page_up"),
        Binding("g,home", "first", "First", show=False, id="sidebar.top"),
        Binding("G,end", "last", "Last", show=False, id="sidebar.bottom"),
    ]

    def __init__(self, counts: dict[Category, int], **kwargs) -> None:
        options = [
            Option(category_prompt(i, c, counts.get(c, 0)), id=c.value)
            for i, c in enumerate(CATEGORIES, start=1)
        ]
        super().__init__(*options, **kwargs)
        self.border_title = "Categories"

    def set_counts(self, counts: dict[Category, int]) -> None:
        for index, category in enumerate(CATEGORIES):
            self.replace_option_prompt_at_index(index, category_prompt(index + 1, category, counts.get(category, 0)))

    @property
    def category(self) -> Category | None:
        option = self.highlighted_option
        return Category(option.id) if option is not None and option.id else None

    def select_category(self, category: Category) -> None:
        self.highlighted = CATEGORIES.index(category)

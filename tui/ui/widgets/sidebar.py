"""The category sidebar: the run's overview, then the six categories with their artifact counts."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...core.catalog import CATEGORIES, Category


OVERVIEW = "overview"  # the option id of the overview, above the categories


def category_prompt(number: int, category: Category | None, count: int | None) -> Table:
    """'3 Page structure      41': the key, the label, and the count against the right edge
    ('0 Overview', with no count, for the overview)."""
    grid = Table.grid(expand=True)
    grid.add_column(no_wrap=True, overflow="ellipsis")
    grid.add_column(justify="right", no_wrap=True)
    grid.add_row(
        Text.assemble((f"{number} ", "dim"), category.label if category is not None else "Overview"),
        Text("" if count is None else str(count), style="bold" if count else "dim"),
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
        options = [Option(category_prompt(0, None, None), id=OVERVIEW)] + [
            Option(category_prompt(i, c, counts.get(c, 0)), id=c.value)
            for i, c in enumerate(CATEGORIES, start=1)
        ]
        super().__init__(*options, **kwargs)
        self.border_title = "Categories"

    def set_counts(self, counts: dict[Category, int]) -> None:
        for index, category in enumerate(CATEGORIES, start=1):
            self.replace_option_prompt_at_index(index, category_prompt(index, category, counts.get(category, 0)))

    @property
    def overview(self) -> bool:
        """The overview's entry is highlighted."""
        option = self.highlighted_option
        return option is not None and option.id == OVERVIEW

    @property
    def category(self) -> Category | None:
        option = self.highlighted_option
        return Category(option.id) if option is not None and option.id and option.id != OVERVIEW else None

    def select_overview(self) -> None:
        self.highlighted = 0

    def select_category(self, category: Category) -> None:
        self.highlighted = CATEGORIES.index(category) + 1

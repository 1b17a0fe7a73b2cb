"""The category strip: the sidebar in one line, for a screen too narrow for the sidebar.

`0 Overview  1 Visual 20  2 AI reasoning 60 ...`: the keys, the labels and the counts, the one
on show marked. Its keys are the screen's (0-6), the same whichever of the two is shown; a click
on an entry chooses it too.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widget import Widget

from ...core.catalog import CATEGORIES, Category
from .sidebar import OVERVIEW

# Shorter labels for a strip that cannot hold the sidebar's (at 80 columns).
SHORT_LABELS = {
    Category.VISUAL: "Visual",
    Category.AI: "AI",
    Category.STRUCTURE: "Structure",
    Category.LOGS: "Logs",
    Category.NETWORK: "Network",
    Category.FILES: "Files",
}


def strip_entries(counts: dict[Category, int], labels: str) -> list[tuple[str, str, int | None]]:
    """(option id, 'key label', count) per entry; labels is "full", "short" or "none" (keys alone)."""
    entries: list[tuple[str, str, int | None]] = [(OVERVIEW, "0" if labels == "none" else "0 Overview", None)]
    for number, category in enumerate(CATEGORIES, start=1):
        label = {"full": category.label, "short": SHORT_LABELS[category]}.get(labels)
        entries.append((category.value, f"{number} {label}" if label else str(number), counts.get(category, 0)))
    return entries


def entry_text(name: str, count: int | None, labels: bool = True) -> str:
    if count is None:
        return name
    return f"{name} {count}" if labels else f"{name}:{count}"


def fitting_entries(counts: dict[Category, int], width: int) -> list[tuple[str, str, int | None]]:
    """The longest labels whose entries fit in width, a cell apart, with the brackets of the one on show."""
    for labels in ("full", "short", "none"):
        entries = strip_entries(counts, labels)
        if strip_width(entries) <= width:
            break
    return entries


def strip_width(entries: list[tuple[str, str, int | None]]) -> int:
    return sum(len(entry_text(name, count)) for _, name, count in entries) + len(entries) - 1 + 2


class CategoryStrip(Widget):
    """The overview and the six categories with their counts, in one line."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"category-strip--current", "category-strip--empty"}
    DEFAULT_CSS = """
    CategoryStrip { height: 1; width: 1fr; background: $boost; }
    CategoryStrip > .category-strip--current { background: $accent; color: $text; text-style: bold; }
    CategoryStrip > .category-strip--empty { color: $text-muted; }
    """

    class Chosen(Message):
        """An entry was clicked: OVERVIEW or a category's value."""

        def __init__(self, option_id: str) -> None:
            super().__init__()
            self.option_id = option_id

    def __init__(self, counts: dict[Category, int], **kwargs) -> None:
        super().__init__(**kwargs)
        self._counts = dict(counts)
        self._current = OVERVIEW
        self._spans: list[tuple[int, int, str]] = []  # (start, end, option id) of what was drawn

    @property
    def current(self) -> str:
        """The option id marked: OVERVIEW or a category's value."""
        return self._current

    def set_counts(self, counts: dict[Category, int]) -> None:
        self._counts = dict(counts)
        self.refresh()

    def show_overview(self) -> None:
        self._mark(OVERVIEW)

    def show_category(self, category: Category) -> None:
        self._mark(category.value)

    def _mark(self, option_id: str) -> None:
        if option_id != self._current:
            self._current = option_id
            self.refresh()

    def render(self) -> Text:
        current = self.get_component_rich_style("category-strip--current")
        empty = self.get_component_rich_style("category-strip--empty")
        line = Text(no_wrap=True, overflow="crop", end="")
        self._spans = []
        entries = fitting_entries(self._counts, self.size.width)
        labels = entries[1][1] != "1"
        for option_id, name, count in entries:
            if option_id != entries[0][0]:
                line.append(" ")
            start = len(line)
            text = entry_text(name, count, labels)
            # The one on show is bracketed as well as lit: it shows without colours too.
            if option_id == self._current:
                line.append(f"[{text}]", style=current)
            else:
                line.append(text, style=empty if count == 0 else "")
            self._spans.append((start, len(line), option_id))
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, option_id in self._spans:
            if start <= event.x < end:
                event.stop()
                self.post_message(self.Chosen(option_id))
                return

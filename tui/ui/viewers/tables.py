"""Id maps (css, frame, xpath) and the hashed href map: a two-column table with find.

The table is a CursorView, drawing only the rows on screen, so a map of 100,000 ids opens as
fast as one of ten (Textual's DataTable measured every cell up front).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from ...core.model import Artifact
from ...core.opening import IdMapModel
from ..text import safe_text
from ..widgets.cursor_view import Column, ColumnRows, CursorView, StyleOf, TableHeader
from .base import Viewer
from .find import FIND_CSS, FindBar, find_count, find_input
from .targets import numbered

SHORT_KEY = 24


def short_key(key: str) -> str:
    """A hashed href key (`_` and 64 hex digits) would fill the pane and push the URL out of
    view: its start and end tell keys apart well enough."""
    return key if len(key) <= SHORT_KEY else f"{key[:12]}…{key[-6:]}"


def key_width(rows: list[tuple[str, str]]) -> int:
    """Cells of the key column: the longest key shown (at least its title's)."""
    return max([len("element id"), *(len(short_key(key)) for key, _ in rows[:10_000])])


class IdMapTable(CursorView):
    """The map's rows: key, then value, cut to the pane."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"id-map--key"}
    DEFAULT_CSS = """
    IdMapTable { height: 1fr; }
    IdMapTable > .id-map--key { color: $text-accent; }
    """
    EMPTY = "The map is empty."


def map_cells(row: tuple[str, str], style: StyleOf) -> tuple[Text, Text]:
    return safe_text(short_key(row[0]), style("id-map--key")), safe_text(row[1])


class IdMapViewer(FindBar, Viewer[list[tuple[str, str]]]):
    HELP_TITLE = "Id and href maps"
    HELP_WIDGETS = (IdMapTable,)
    DEFAULT_CSS = """
    IdMapViewer { layout: vertical; }
    IdMapViewer .note { color: $text-muted; padding: 0 1; height: 1; }
    """ + FIND_CSS

    MODEL = IdMapModel  # its rows are the model
    model: list[tuple[str, str]]

    def __init__(self, artifact: Artifact, model: IdMapModel, **kwargs) -> None:
        super().__init__(artifact, model.rows, **kwargs)

    def compose(self) -> ComposeResult:
        key = "hash" if self.artifact.artifact_type == "hashed_href_map" else "element id"
        count = f"{len(self.model):,} {'entry' if len(self.model) == 1 else 'entries'}"
        yield Static(Text(f"{count} ({key} → value) · / find"), classes="note")
        # Values (xpaths, URLs) are drawn whole: the table scrolls sideways to their ends.
        widest = max((len(value) for _, value in self.model), default=0)
        rows = ColumnRows((Column(key, key_width(self.model)), Column("value")), self.model, map_cells, widest)
        table = IdMapTable(rows, cursor=True)
        yield TableHeader(rows, table)
        yield table
        yield find_count()
        yield find_input("Find key or value")

    @property
    def table(self) -> IdMapTable:
        return self.query_one(IdMapTable)

    def find_focus(self) -> IdMapTable:
        return self.table

    def go_to(self, target: str) -> bool:
        """An element id (`AAAH`) or hash: its row selected; `line:N` (from 0): row N."""
        number = numbered(target, "line")
        key = target.strip().lstrip("#")
        row = number if number is not None else next((i for i, (k, _) in enumerate(self.model) if k == key), None)
        if row is None or row >= len(self.model):
            return False
        table = self.table
        table.move_cursor(row)
        table.scroll_to(y=max(0, row - 3), animate=False)
        table.focus()
        return True

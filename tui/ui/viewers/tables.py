"""Id maps (css, frame, xpath) and the hashed href map: a two-column table with find.

A DataTable measures every cell up front, so it is used up to TABLE_ROWS rows; a bigger map is
shown as aligned lines in the line view, which draws only what is on screen.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from ...core.search import next_match, text_matcher
from ...core.model import Artifact
from ...core.opening import IdMapModel
from ..text import safe_text
from ..widgets.line_view import LineView
from .base import Viewer
from .find import FIND_BINDINGS, FIND_CSS, FindBar, find_count, find_input

SHORT_KEY = 24


def find_row(rows: list[tuple[str, str]], query: str, start: int, forward: bool = True) -> int | None:
    """The next row after `start` (wrapping around) whose key or value holds `query` (smart case)."""
    if not query or not rows:
        return None
    holds = text_matcher(query)
    return next_match(len(rows), start, forward, lambda index: holds(rows[index][0]) or holds(rows[index][1]))


def short_key(key: str) -> str:
    """A hashed href key (`_` and 64 hex digits) would fill the pane and push the URL out of
    view: its start and end tell keys apart well enough (find still searches the whole key)."""
    return key if len(key) <= SHORT_KEY else f"{key[:12]}…{key[-6:]}"


class IdMapViewer(FindBar, Viewer[list[tuple[str, str]]]):
    HELP_TITLE = "Id and href maps"
    DEFAULT_CSS = """
    IdMapViewer { layout: vertical; }
    IdMapViewer .note { color: $text-muted; padding: 0 1; height: 1; }
    IdMapViewer DataTable { height: 1fr; }
    """ + FIND_CSS

    BINDINGS = FIND_BINDINGS

    MODEL = IdMapModel  # its rows become the model; its lines, when any, are shown instead of a table
    model: list[tuple[str, str]]

    def __init__(self, artifact: Artifact, model: IdMapModel, **kwargs) -> None:
        self.text_lines = model.lines
        super().__init__(artifact, model.rows, **kwargs)
        self.match: int | None = None

    @property
    def virtual(self) -> bool:
        return self.text_lines is not None

    def compose(self) -> ComposeResult:
        key = "hash" if self.artifact.artifact_type == "hashed_href_map" else "element id"
        shown = "lines" if self.virtual else "table"
        count = f"{len(self.model):,} {'entry' if len(self.model) == 1 else 'entries'}"
        yield Static(Text(f"{count} ({key} → value) · {shown} · / find"), classes="note")
        if self.text_lines is not None:
            yield LineView(self.text_lines)
        else:
            table: DataTable[Text | str] = DataTable(cursor_type="row", zebra_stripes=True)
            table.add_column(key, key="key")
            table.add_column("value", key="value")
            for row_key, value in self.model:
                table.add_row(safe_text(short_key(row_key), "cyan"), safe_text(value))
            yield table
        yield find_count()
        yield find_input("Find key or value")

    @property
    def body(self) -> DataTable | LineView:
        return self.query_one(LineView) if self.virtual else self.query_one(DataTable)

    @property
    def current_row(self) -> int:
        body = self.body
        if isinstance(body, DataTable):
            return body.cursor_row
        return self.match if self.match is not None else int(body.scroll_y) - 1

    def find_focus(self) -> DataTable | LineView:
        return self.body

    def search(self, query: str, forward: bool, from_match: bool) -> None:
        self._run_search(query, self.current_row, forward)

    @work(thread=True, exclusive=True, group="find", exit_on_error=False)
    def _run_search(self, query: str, start: int, forward: bool) -> None:
        found = find_row(self.model, query, start, forward)
        self.app.call_from_thread(self._show_match, query, found)

    def _show_match(self, query: str, found: int | None) -> None:
        if found is None:
            self.notify(f"Not found: {query}", severity="warning", markup=False)
            return
        self.match = found
        body = self.body
        if isinstance(body, DataTable):
            body.move_cursor(row=found)
        else:
            body.set_match(found, query)
        body.focus()

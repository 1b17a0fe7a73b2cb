"""`i`: every field of the artifact on screen, a row each (see core.artifact_info): `j`/`k`
move, `enter` or `y` sends the row's value to the clipboard, `escape` closes."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...core.artifact_info import InfoRow, info_rows
from ...core.located import Located
from ..text import safe_text
from .copy import send_text
from .early_keys import TakesEarlyKeys
from .on_screen import on_screen

LABEL_WIDTH = 20


def open_info(screen: Screen) -> None:
    """What `i` does on any screen that shows artifacts."""
    on = on_screen(screen)
    if on is None:
        screen.notify("No artifact here: choose one first.", severity="information", timeout=3)
        return
    screen.app.push_screen(InfoScreen(on.located))


class InfoScreen(TakesEarlyKeys):
    DEFAULT_CSS = """
    InfoScreen { align: center middle; }
    InfoScreen Vertical { width: 90%; height: 90%; border: round $accent; padding: 0 1; background: $surface; }
    InfoScreen OptionList, InfoScreen OptionList:focus { height: 1fr; border: none; padding: 0; }
    InfoScreen .hint { color: $text-muted; }
    """

    BINDINGS = [
        Binding("escape", "close", "Close", id="info.back"),
        Binding("j", "cursor('down')", "Down", show=False, id="info.down"),
        Binding("k", "cursor('up')", "Up", show=False, id="info.up"),
        Binding("y", "copy", "Copy the row", id="info.copy"),
    ]

    def __init__(self, located: Located) -> None:
        super().__init__()
        self.located = located
        self.rows: list[InfoRow] = info_rows(located)

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = safe_text(f"{self.located.artifact.artifact_type} · {self.located.artifact.artifact_id}")
            yield OptionList(*(Option(self._prompt(row)) for row in self.rows))
            yield Static(Text("j/k move · enter or y sends the row to the clipboard · escape closes"), classes="hint")

    @staticmethod
    def _prompt(row: InfoRow) -> Table:
        # Two columns: a long value (a signed URL) wraps under itself, not under the labels.
        grid = Table.grid()
        grid.add_column(width=LABEL_WIDTH, no_wrap=True)
        grid.add_column(ratio=1, overflow="fold")
        grid.add_row(Text(row.label, style="bold", overflow="ellipsis"), safe_text(row.value, "" if row.known else "dim"))
        return grid

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.ready()

    @property
    def row(self) -> InfoRow | None:
        index = self.query_one(OptionList).highlighted
        return self.rows[index] if index is not None else None

    def action_cursor(self, direction: str) -> None:
        options = self.query_one(OptionList)
        options.action_cursor_down() if direction == "down" else options.action_cursor_up()

    def action_close(self) -> None:
        self.dismiss()

    def action_copy(self) -> None:
        row = self.row
        if row is None:
            return
        if not row.known:
            self.notify(f"Nothing to copy in {row.label}.", severity="information", timeout=3, markup=False)
            return
        send_text(self.app, f"The {row.label}", row.value)

    def early_key(self, event: events.Key) -> None:
        if event.key in ("j", "down", "k", "up"):
            self.action_cursor("down" if event.key in ("j", "down") else "up")
        elif event.key in ("enter", "y"):
            self.action_copy()
        elif event.key == "escape":
            self.action_close()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_copy()

"""`/` where there is nothing to find (a screenshot, a table without find).

A query is typed at speed right after `/`: were the pane to say so in a notification only, the
query's letters would run as commands (`d` downloads, `q` quits). This bar says so and takes them
instead; enter or escape closes it.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Input


class NothingToFind(ModalScreen[None]):
    DEFAULT_CSS = """
    NothingToFind { align: center bottom; background: $background 0%; }
    NothingToFind > Input { width: 100%; margin-bottom: 1; border: tall $warning; }
    """

    BINDINGS = [Binding("escape", "dismiss", "Close", id="nothing_to_find.back")]

    def __init__(self, what: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.what = what

    def compose(self) -> ComposeResult:
        yield Input(placeholder=f"Nothing to find in {self.what} (enter or escape closes)")

    def on_input_submitted(self) -> None:
        self.dismiss()

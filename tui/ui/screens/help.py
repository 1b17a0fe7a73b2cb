"""Every key binding, read from the bindings themselves so the help cannot go stale."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEY_NAMES = {
    "slash": "/",
    "question_mark": "?",
    "escape": "esc",
    "shift+tab": "shift+tab",
    "pagedown": "pgdn",
    "pageup": "pgup",
}


def key_label(keys: str) -> str:
    return " ".join(KEY_NAMES.get(k.strip(), k.strip()) for k in keys.split(","))


def bindings_table(sections: list[tuple[str, list[Binding]]]) -> Group:
    """A heading and a key table per section (titles outside the tables, so a long title does
    not widen the key column)."""
    parts: list = []
    for title, bindings in sections:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", min_width=14)
        table.add_column()
        for binding in bindings:
            if binding.description:
                table.add_row(Text(key_label(binding.key)), Text(binding.description))
        parts += [Text(""), Text(title, style="bold underline"), table]
    return Group(*parts)


class HelpScreen(ModalScreen):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen VerticalScroll { width: 72; height: 90%; border: round $accent; padding: 0 2; background: $surface; }
    """

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close help"),
        Binding("j,down", "scroll(1)", "Down", show=False),
        Binding("k,up", "scroll(-1)", "Up", show=False),
    ]

    def __init__(self, sections: list[tuple[str, list[Binding]]], **kwargs) -> None:
        super().__init__(**kwargs)
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "Keys (esc closes)"
            yield Static(bindings_table(self.sections))

    def action_scroll(self, delta: int) -> None:
        self.query_one(VerticalScroll).scroll_relative(y=delta, animate=False)

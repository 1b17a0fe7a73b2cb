"""Every key binding, read from the bindings themselves (as the config file remapped them) so
the help cannot go stale."""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..keymap import key_display, remapped


def bindings_table(sections: list[tuple[str, list[Binding]]], keymap: Mapping[str, str] | None = None) -> Group:
    """A heading and a key table per section (titles outside the tables, so a long title does
    not widen the key column). Keys are named as they are typed: `[`, not left_square_bracket."""
    parts: list = []
    for title, bindings in sections:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", min_width=14)
        table.add_column()
        for binding in bindings:
            if binding.description:
                table.add_row(Text(key_display(remapped(binding, keymap or {}))), Text(binding.description))
        parts += [Text(""), Text(title, style="bold underline"), table]
    return Group(*parts)


class HelpScreen(ModalScreen):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen VerticalScroll { width: 72; height: 90%; border: round $accent; padding: 0 2; background: $surface; }
    """

    BINDINGS = [
        Binding("escape", "dismiss", "Close help", id="help.back"),
        # A modal screen hides the app's keys: its help key (which toggles) and quit, again here.
        # The keymap moves them with app.help and app.quit (keymap.MIRRORED).
        Binding("question_mark", "app.help", "Close help", show=False, id="help.help"),
        Binding("q", "app.quit", "Quit", show=False, id="help.quit"),
        Binding("j,down", "scroll(1)", "Down", show=False, id="help.down"),
        Binding("k,up", "scroll(-1)", "Up", show=False, id="help.up"),
    ]

    def __init__(
        self, sections: list[tuple[str, list[Binding]]], keymap: Mapping[str, str] | None = None,
        notes: list[str] | None = None, **kwargs
    ) -> None:
        super().__init__(**kwargs)
        self.sections = sections
        self.keymap = dict(keymap or {})
        self.notes = notes or []  # lines above the keys (how images are drawn)

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "Keys (esc closes)"
            notes = [Text(note, style="dim") for note in self.notes]
            yield Static(Group(*notes, bindings_table(self.sections, self.keymap)))

    def action_scroll(self, delta: int) -> None:
        self.query_one(VerticalScroll).scroll_relative(y=delta, animate=False)

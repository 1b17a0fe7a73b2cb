"""Text, JSON, HTML and Python: highlighted lines with find."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from ...core.formats.text import TextDocument
from ..widgets.line_view import LineView
from .base import Viewer
from .find import FIND_BINDINGS, FIND_CSS, FindBar, find_count, find_input
from .targets import numbered


class TextViewer(FindBar, Viewer[TextDocument]):
    HELP_TITLE = "Text viewer (text, JSON, HTML, Python)"
    HELP_WIDGETS = (LineView,)
    DEFAULT_CSS = """
    TextViewer { layout: vertical; }
    TextViewer .warning { background: $warning 30%; padding: 0 1; }
    TextViewer .note { color: $text-muted; padding: 0 1; }
    """ + FIND_CSS

    BINDINGS = [*FIND_BINDINGS, Binding("w", "toggle_wrap", "Wrap long lines", id="text.wrap")]

    MODEL: ClassVar[type | tuple[type, ...]] = TextDocument
    model: TextDocument

    def compose(self) -> ComposeResult:
        if self.model.warning:
            yield Static(Text(self.model.warning), classes="warning")
        yield Static(Text(self.summary()), classes="note")
        yield self.make_line_view()
        yield find_count()
        yield find_input("Find")

    def summary(self, wrapped: bool = False) -> str:
        """The line above the text: its size, how it was transformed, how it is shown."""
        summary = f"{len(self.model.lines):,} lines"
        if self.model.note:
            summary += f" · {self.model.note}"
        return summary + (" · wrapped (w)" if wrapped else "")

    def make_line_view(self) -> LineView:
        """The line view of the model; subclasses add segments, spans, a cursor."""
        return LineView(self.model.lines, self.model.lexer, self.model.width)

    @property
    def line_view(self) -> LineView:
        return self.query_one(LineView)

    def show_end(self) -> None:
        self.line_view.scroll_end(animate=False)

    def go_to(self, target: str) -> bool:
        """`line:N` (from 0): the line selected and on screen. A plain text view has no cursor
        until then: one appears, so the eye finds the line it was sent to."""
        line = numbered(target, "line")
        if line is None or line >= len(self.model.lines):
            return False
        self.show_line(line)
        return True

    def show_line(self, line: int) -> None:
        view = self.line_view
        if view.cursor_row is None:
            view.cursor_row = 0
        view.move_cursor(line)
        # Near the top, with a few lines of what led to it above.
        view.scroll_to(y=max(0, view.screen_row_of(line) - 3), animate=False)
        view.focus()

    def find_focus(self) -> LineView:
        return self.line_view

    def action_toggle_wrap(self) -> None:
        view = self.line_view
        view.set_wrap(not view.wrap)
        self.query_one(".note", Static).update(Text(self.summary(view.wrap)))

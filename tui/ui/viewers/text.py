"""Text, JSON, HTML and Python: highlighted lines with find."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from ...core.search import next_match, text_matcher
from ...core.formats.text import TextDocument, text_document
from ...core.model import Artifact
from ..widgets.line_view import LineView
from .base import Viewer, ViewerContext, register
from .find import FIND_BINDINGS, FIND_CSS, FindBar, find_input


def find_line(lines: list[str], query: str, start: int, forward: bool = True) -> int | None:
    """The next line (wrapping around) after `start` that holds `query` (smart case)."""
    if not lines or not query:
        return None
    holds = text_matcher(query)
    return next_match(len(lines), start, forward, lambda index: holds(lines[index]))


@register("text", "json", "html", "python")
class TextViewer(FindBar, Viewer):
    HELP_TITLE = "Text viewer (text, JSON, HTML, Python)"
    HELP_WIDGETS = (LineView,)
    DEFAULT_CSS = """
    TextViewer { layout: vertical; }
    TextViewer .warning { background: $warning 30%; padding: 0 1; }
    TextViewer .note { color: $text-muted; padding: 0 1; }
    """ + FIND_CSS

    BINDINGS = [*FIND_BINDINGS, Binding("w", "toggle_wrap", "Wrap long lines", id="text.wrap")]

    model: TextDocument

    @classmethod
    def prepare(cls, artifact: Artifact, data: bytes | None, context: ViewerContext) -> TextDocument:
        return text_document(data or b"", artifact.kind.format)

    def compose(self) -> ComposeResult:
        if self.model.warning:
            yield Static(Text(self.model.warning), classes="warning")
        yield Static(Text(self.summary()), classes="note")
        yield self.make_line_view()
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

    def find_focus(self) -> LineView:
        return self.line_view

    def action_toggle_wrap(self) -> None:
        view = self.line_view
        view.set_wrap(not view.wrap)
        self.query_one(".note", Static).update(Text(self.summary(view.wrap)))

    def search(self, query: str, forward: bool, from_match: bool) -> None:
        view = self.line_view
        if from_match and view.match_line is not None:
            start = view.match_line
        else:
            # From the top of what is on screen, so the first match may be the top line.
            start = view.top_line - 1
        self._run_search(view.lines, query, start, forward)

    @work(thread=True, exclusive=True, group="find", exit_on_error=False)
    def _run_search(self, lines: list[str], query: str, start: int, forward: bool) -> None:
        # The lines on show: a viewer may show the document another way than its model's lines.
        found = find_line(lines, query, start, forward)
        self.app.call_from_thread(self._show_match, query, found)

    def _show_match(self, query: str, found: int | None) -> None:
        view = self.line_view
        if found is None:
            view.set_match(None, "")
            self.notify(f"Not found: {query}", severity="warning")
            return
        view.set_match(found, query)
        view.focus()

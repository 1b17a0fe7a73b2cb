"""HTML (`html_scrape`, `html_action`, ...) and the one-line `visible_elements_tree_in_prompt`:
indented for reading, highlighted, with find; `r` switches to the text as it came."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static

from ...core.catalog import Format
from ...core.formats.html import pretty_html_bytes
from ...core.formats.text import TextDocument, text_document
from ...core.model import Artifact
from ..widgets.line_view import LineView
from .base import ViewerContext, register
from .text import TextViewer

PRETTY_NOTE = "indented for reading · r shows the original"
ORIGINAL_NOTE = "original text · r indents it for reading"


@dataclass(frozen=True)
class HtmlModel:
    pretty: TextDocument
    original: TextDocument


@register("html")
class HtmlViewer(TextViewer):
    HELP_TITLE = "HTML"
    BINDINGS = [Binding("r", "toggle_original", "Original / indented", id="html.raw")]

    def __init__(self, artifact: Artifact, model: HtmlModel, **kwargs) -> None:
        # TextViewer shows and searches self.model; `r` swaps which document that is.
        super().__init__(artifact, model.pretty, **kwargs)
        self.html = model

    @classmethod
    def prepare(cls, artifact: Artifact, data: bytes | None, context: ViewerContext) -> HtmlModel:
        data = data or b""
        lines = pretty_html_bytes(data)
        pretty = TextDocument(lines, "html", note=PRETTY_NOTE, width=max(map(len, lines), default=0))
        original = text_document(data, Format.HTML)
        original = TextDocument(original.lines, "html", note=ORIGINAL_NOTE, width=original.width)
        return HtmlModel(pretty, original)

    @property
    def showing_original(self) -> bool:
        return self.model is self.html.original

    def action_toggle_original(self) -> None:
        self.model = self.html.pretty if self.showing_original else self.html.original
        old = self.line_view
        had_focus = old.has_focus
        view = LineView(self.model.lines, self.model.lexer, self.model.width)
        self.mount(view, after=old)
        old.remove()
        self.query_one(".note", Static).update(Text(f"{len(self.model.lines):,} lines · {self.model.note}"))
        if had_focus:
            view.focus()

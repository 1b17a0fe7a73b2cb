"""HTML (`html_scrape`, `html_action`, ...) and the one-line `visible_elements_tree_in_prompt`:
indented for reading, highlighted, with find; `r` switches to the text as it came."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static

from ...core.model import Artifact
from ...core.opening import HtmlModel
from ..widgets.line_view import LineView
from .targets import numbered
from .text import TextViewer


class HtmlViewer(TextViewer):
    HELP_TITLE = "HTML"
    BINDINGS = [Binding("r", "toggle_original", "Original / indented", id="html.raw")]
    MODEL = HtmlModel  # shows model.pretty or model.original as its TextDocument

    def __init__(self, artifact: Artifact, model: HtmlModel, **kwargs) -> None:
        # TextViewer shows and searches self.model; `r` swaps which document that is.
        super().__init__(artifact, model.pretty, **kwargs)
        self.html = model

    @property
    def showing_original(self) -> bool:
        return self.model is self.html.original

    def go_to(self, target: str) -> bool:
        """`line:N` counts the lines of the file as it came (the indented view has others), so
        the original is shown."""
        line = numbered(target, "line")
        if line is None or line >= len(self.html.original.lines):
            return False
        if self.showing_original:
            self.show_line(line)
        else:
            self.action_toggle_original()
            self.call_after_refresh(self.show_line, line)  # on the new line view, once mounted
        return True

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

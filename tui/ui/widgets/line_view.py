"""A read-only view of many lines: only the visible ones are highlighted and drawn.

Built on Textual's line API (ScrollView + render_line) so a file of a million lines costs no
more to show than a screenful. Highlighting is done by Pygments (through Rich's Syntax) a block
of lines at a time, cached, so multi-line tokens are right within a block.
"""

from __future__ import annotations

from collections import OrderedDict

from rich.segment import Segment
from rich.style import Style
from rich.syntax import Syntax
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

# Lines longer than this are cut for display (a minified page or inline base64 is one line of
# megabytes); the cut is marked so nothing seems to be missing silently.
MAX_LINE = 4000
BLOCK = 128
CACHED_BLOCKS = 64
THEME = "monokai"


def _clip(line: str) -> str:
    line = line.expandtabs(4)
    if len(line) <= MAX_LINE:
        return line
    return f"{line[:MAX_LINE]} … (+{len(line) - MAX_LINE:,} characters)"


class LineView(ScrollView, can_focus=True):
    """Lines of text with syntax highlighting, line numbers and find-match marking."""

    DEFAULT_CSS = """
    LineView { background: $surface; }
    LineView:focus { background-tint: $foreground 3%; }
    """

    BINDINGS = [
        Binding("j,down", "scroll_down", "Down", show=False),
        Binding("k,up", "scroll_up", "Up", show=False),
        Binding("h,left", "scroll_left", "Left", show=False),
        Binding("l,right", "scroll_right", "Right", show=False),
        Binding("g,home", "scroll_home", "Top", show=False),
        Binding("G,end", "scroll_end", "Bottom", show=False),
        Binding("space,pagedown", "page_down", "Page down", show=False),
        Binding("b,pageup", "page_up", "Page up", show=False),
    ]

    def __init__(self, lines: list[str], lexer: str = "text", width: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lines = lines
        self.lexer = lexer
        self.match_line: int | None = None
        self.match_query: str = ""
        self._blocks: OrderedDict[int, list[Text]] = OrderedDict()
        self._gutter = len(str(len(lines))) + 1
        if width is None:
            width = max(map(len, lines), default=0)
        self.virtual_size = Size(min(width, MAX_LINE + 30) + self._gutter + 1, len(lines))

    # --- highlighting -------------------------------------------------------------------
    def _block(self, number: int) -> list[Text]:
        block = self._blocks.get(number)
        if block is not None:
            self._blocks.move_to_end(number)
            return block
        chunk = [_clip(line) for line in self.lines[number * BLOCK : (number + 1) * BLOCK]]
        if self.lexer == "text":
            block = [Text(line) for line in chunk]
        else:
            code = "\n".join(chunk)
            highlighted = Syntax(code, self.lexer, theme=THEME).highlight(code)
            highlighted.style = ""  # the theme's background would paint boxes behind the text
            block = highlighted.split("\n", allow_blank=True)[: len(chunk)]
            block += [Text("")] * (len(chunk) - len(block))
        self._blocks[number] = block
        if len(self._blocks) > CACHED_BLOCKS:
            self._blocks.popitem(last=False)
        return block

    def line_text(self, index: int) -> Text:
        return self._block(index // BLOCK)[index % BLOCK]

    # --- drawing ------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        base = self.rich_style
        if index >= len(self.lines):
            return Strip.blank(width, base)
        text = self.line_text(index).copy()
        if self.match_query and index == self.match_line:
            text.highlight_words([self.match_query], style="black on yellow", case_sensitive=False)
        number = Segment(f"{index + 1:>{self._gutter - 1}} ", Style(dim=True))
        body = Strip(list(text.render(self.app.console))).crop(scroll_x, scroll_x + width - self._gutter)
        strip = Strip([number, *body])
        if index == self.match_line:
            strip = strip.apply_style(Style(bgcolor="grey23"))
        return strip.extend_cell_length(width).apply_style(base)

    def set_match(self, line: int | None, query: str) -> None:
        self.match_line = line
        self.match_query = query
        if line is not None:
            # Put the match a few lines below the top, so its context shows.
            self.scroll_to(y=max(0, line - 3), animate=False)
        self.refresh()

    def on_resize(self) -> None:
        self.refresh()

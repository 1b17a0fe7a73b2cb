"""A read-only view of many lines: only the visible ones are highlighted and drawn.

Built on Textual's line API (ScrollView + render_line) so a file of a million lines costs no
more to show than a screenful. Highlighting is done by Pygments (through Rich's Syntax) a block
of lines at a time, cached, so multi-line tokens are right within a block.

Optional extras, each free when unused:
- segments: runs of lines highlighted with their own lexer (a prompt mixes prose, JSON, HTML);
- spans: character ranges styled on top of the highlighting (resolved hrefs);
- wrap: long lines folded to the width; a row index (prefix sums of rows per line) is built for
  the current width, so drawing stays virtual. Unwrapped drawing does not touch it;
- cursor: a selected line that j/k move (viewers act on it with enter).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from functools import lru_cache
from itertools import accumulate

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.binding import Binding
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..text import highlight_code

# Lines longer than this are cut for display (a minified page or inline base64 is one line of
# megabytes); the cut is marked so nothing seems to be missing silently.
MAX_LINE = 4000
BLOCK = 128
CACHED_BLOCKS = 64
CACHED_STRIPS = 512  # whole rendered lines, reused by the rows of a wrapped line
WRAP_IN_THREAD = 200_000  # lines: from here on the row index is built in a worker

# Styles of span kinds (others are taken as Rich style strings).
SPAN_STYLES = {
    "href": Style(color="cyan", underline=True),
    "placeholder": Style(color="magenta", underline=True),
}
CURSOR = Style(bgcolor="grey30")
MATCH = Style(bgcolor="grey23")


@lru_cache(maxsize=256)
def _clip(line: str) -> str:
    line = line.expandtabs(4)
    if len(line) <= MAX_LINE:
        return line
    return f"{line[:MAX_LINE]} … (+{len(line) - MAX_LINE:,} characters)"


def _cells(line: str) -> int:
    """Cells the line takes once drawn; len() is exact for short plain ASCII (the usual line)."""
    if len(line) > MAX_LINE or "\t" in line or not line.isascii():
        return cell_len(_clip(line))
    return len(line)


def wrap_starts(lines: list[str], width: int) -> list[int]:
    """First row of each line when lines are folded at `width` cells, then the total rows."""
    width = max(1, width)
    return list(accumulate((max(1, -(-_cells(line) // width)) for line in lines), initial=0))


class LineView(ScrollView, can_focus=True):
    """Lines of text with syntax highlighting, line numbers and find-match marking."""

    DEFAULT_CSS = """
    LineView { background: $surface; }
    LineView:focus { background-tint: $foreground 3%; }
    """

    BINDINGS = [
        Binding("j,down", "down", "Down", show=False, id="lines.down"),
        Binding("k,up", "up", "Up", show=False, id="lines.up"),
        Binding("h,left", "scroll_left", "Left", show=False, id="lines.left"),
        Binding("l,right", "scroll_right", "Right", show=False, id="lines.right"),
        Binding("g,home", "top", "Top", show=False, id="lines.top"),
        Binding("G,end", "bottom", "Bottom", show=False, id="lines.bottom"),
        Binding("space,pagedown", "page(1)", "Page down", show=False, id="lines.page_down"),
        Binding("b,pageup", "page(-1)", "Page up", show=False, id="lines.page_up"),
    ]

    def __init__(
        self,
        lines: list[str],
        lexer: str = "text",
        width: int | None = None,
        *,
        segments: list[tuple[int, int, str]] | None = None,
        spans: dict[int, list[tuple[int, int, str]]] | None = None,
        cursor: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.match_line: int | None = None
        self.match_query: str = ""
        self.cursor_line: int | None = 0 if cursor else None
        self.wrap = False
        self._starts: list[int] | None = None  # the row index while wrapping
        self._wrap_width = 0
        self._strips: OrderedDict[int, Strip] = OrderedDict()
        self._blocks: OrderedDict[int, list[Text]] = OrderedDict()
        self.set_lines(lines, spans, width, lexer=lexer, segments=segments or [])

    def set_lines(
        self,
        lines: list[str],
        spans: dict | None = None,
        width: int | None = None,
        *,
        lexer: str | None = None,
        segments: list[tuple[int, int, str]] | None = None,
    ) -> None:
        """Show other lines (the same document another way: raw, placeholders...).

        `lexer` and `segments` are kept when not given."""
        if lexer is not None:
            self.lexer = lexer
        if segments is not None:
            self.segments = sorted(segments)
            self._segment_starts = [s[0] for s in self.segments]
        self.lines = lines
        self.spans = spans or {}
        self._blocks.clear()
        self._strips.clear()
        self._gutter = len(str(len(lines))) + 1
        self._width = max(map(len, lines), default=0) if width is None else width
        if self.cursor_line is not None:
            self.cursor_line = min(self.cursor_line, max(0, len(lines) - 1))
        if self.match_line is not None and self.match_line >= len(lines):
            self.match_line = None
        if self.wrap and self.is_mounted:
            self._build_wrap(self._text_width)
        else:
            self._starts = None
            self.wrap = False
            self._update_size()
        self.refresh()

    def _update_size(self) -> None:
        if self.wrap and self._starts is not None:
            # No wider than the text area, or a horizontal scrollbar would appear for nothing.
            self.virtual_size = Size(self._wrap_width + self._gutter, self._starts[-1])
        else:
            self.virtual_size = Size(min(self._width, MAX_LINE + 30) + self._gutter + 1, len(self.lines))

    # --- highlighting -------------------------------------------------------------------
    def _highlight(self, chunk: list[str], lexer: str) -> list[Text]:
        if lexer == "text":
            return [Text(line) for line in chunk]
        block = highlight_code("\n".join(chunk), lexer).split("\n", allow_blank=True)[: len(chunk)]
        return block + [Text("")] * (len(chunk) - len(block))

    def _runs(self, start: int, end: int) -> list[tuple[int, int, str]]:
        """Lines start..end cut into runs of one lexer: the segments', the view's elsewhere."""
        if not self.segments:
            return [(start, end, self.lexer)]
        runs: list[tuple[int, int, str]] = []
        position = start
        index = max(0, bisect_right(self._segment_starts, start) - 1)
        for first, last, lexer in self.segments[index:]:
            if first >= end:
                break
            if last <= position:
                continue
            if first > position:
                runs.append((position, first, self.lexer))
            runs.append((max(first, position), min(last, end), lexer))
            position = min(last, end)
        if position < end:
            runs.append((position, end, self.lexer))
        return runs

    def _block(self, number: int) -> list[Text]:
        block = self._blocks.get(number)
        if block is not None:
            self._blocks.move_to_end(number)
            return block
        start = number * BLOCK
        end = min(start + BLOCK, len(self.lines))
        block = []
        for first, last, lexer in self._runs(start, end):
            # A line cut by _clip may end inside a string: highlighted on its own, it cannot
            # flip the lexer's idea of what is quoted for the lines after it.
            pending: list[str] = []
            for line in self.lines[first:last]:
                if len(line) > MAX_LINE and lexer != "text":
                    block += self._highlight(pending, lexer) if pending else []
                    block += self._highlight([_clip(line)], lexer)
                    pending = []
                else:
                    pending.append(_clip(line))
            block += self._highlight(pending, lexer) if pending else []
        for offset in range(end - start):
            for begin, stop, kind in self.spans.get(start + offset, ()):
                block[offset].stylize(SPAN_STYLES.get(kind, kind), begin, stop)
        self._blocks[number] = block
        if len(self._blocks) > CACHED_BLOCKS:
            self._blocks.popitem(last=False)
        return block

    def line_text(self, index: int) -> Text:
        return self._block(index // BLOCK)[index % BLOCK]

    # --- drawing ------------------------------------------------------------------------
    @property
    def _text_width(self) -> int:
        # size.width counts the vertical scrollbar: leave room for it always, so the width to
        # wrap at does not change as the bar comes and goes.
        return max(1, self.size.width - self._gutter - self.styles.scrollbar_size_vertical)

    def _line_body(self, index: int) -> Strip:
        text = self.line_text(index).copy()
        if self.match_query and index == self.match_line:
            text.highlight_words([self.match_query], style="black on yellow", case_sensitive=False)
        return Strip(list(text.render(self.app.console)))

    def _decorate(self, strip: Strip, index: int, width: int) -> Strip:
        if index == self.match_line:
            strip = strip.apply_style(MATCH)
        if index == self.cursor_line:
            strip = strip.apply_style(CURSOR)
        return strip.extend_cell_length(width).apply_style(self.rich_style)

    def render_line(self, y: int) -> Strip:
        if self.wrap and self._starts is not None:
            return self._render_wrapped(y)
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        if index >= len(self.lines):
            return Strip.blank(width, self.rich_style)
        number = Segment(f"{index + 1:>{self._gutter - 1}} ", Style(dim=True))
        body = self._line_body(index).crop(scroll_x, scroll_x + width - self._gutter)
        return self._decorate(Strip([number, *body]), index, width)

    def _render_wrapped(self, y: int) -> Strip:
        starts = self._starts
        row = self.scroll_offset.y + y
        width = self.size.width
        if row >= starts[-1]:
            return Strip.blank(width, self.rich_style)
        index = bisect_right(starts, row) - 1
        part = row - starts[index]
        body = self._strips.get(index)
        if body is None:
            body = self._strips[index] = self._line_body(index)
            if len(self._strips) > CACHED_STRIPS:
                self._strips.popitem(last=False)
        text_width = self._wrap_width
        label = f"{index + 1:>{self._gutter - 1}} " if part == 0 else " " * self._gutter
        number = Segment(label, Style(dim=True))
        piece = body.crop(part * text_width, (part + 1) * text_width)
        return self._decorate(Strip([number, *piece]), index, width)

    # --- wrapping -------------------------------------------------------------------------
    def set_wrap(self, wrap: bool) -> None:
        """Fold long lines to the width (True) or scroll sideways (False), keeping the top line."""
        top = self.top_line
        self.wrap = wrap
        if not wrap:
            self._starts = None
            self._update_size()
            self.scroll_to(x=0, y=top, animate=False)
            self.refresh()
        else:
            self._build_wrap(self._text_width, top)

    def _build_wrap(self, width: int, top: int | None = None) -> None:
        top = self.top_line if top is None else top
        if len(self.lines) >= WRAP_IN_THREAD:
            self._build_wrap_in_thread(self.lines, width, top)
        else:
            self._wrap_built(self.lines, width, wrap_starts(self.lines, width), top)

    @work(thread=True, exclusive=True, group="line-wrap", exit_on_error=False)
    def _build_wrap_in_thread(self, lines: list[str], width: int, top: int) -> None:
        starts = wrap_starts(lines, width)
        self.app.call_from_thread(self._wrap_built, lines, width, starts, top)

    def _wrap_built(self, lines: list[str], width: int, starts: list[int], top: int) -> None:
        if not self.wrap or lines is not self.lines:
            return  # toggled off, or other lines, while it was being built
        self._starts = starts
        self._wrap_width = width
        self._strips.clear()
        self._update_size()
        self.scroll_to(x=0, y=self.row_of(top), animate=False)
        self.refresh()

    def on_resize(self) -> None:
        if self.wrap and self._text_width != self._wrap_width:
            self._build_wrap(self._text_width)
        self.refresh()

    def row_of(self, line: int) -> int:
        """The first screen row (in scroll coordinates) of a line."""
        if self.wrap and self._starts is not None:
            return self._starts[min(max(0, line), len(self.lines))]
        return line

    @property
    def top_line(self) -> int:
        """The line at the top of the view."""
        row = int(self.scroll_y)
        if self.wrap and self._starts is not None:
            return max(0, bisect_right(self._starts, row) - 1)
        return row

    # --- find ---------------------------------------------------------------------------
    def set_match(self, line: int | None, query: str) -> None:
        self.match_line = line
        self.match_query = query
        self._strips.clear()
        if line is not None:
            if self.cursor_line is not None:
                self.cursor_line = line
            # Put the match a few lines below the top, so its context shows.
            self.scroll_to(y=max(0, self.row_of(line) - 3), animate=False)
        self.refresh()

    # --- cursor and keys ------------------------------------------------------------------
    def move_cursor(self, line: int) -> None:
        """Select a line and scroll just enough to show it."""
        if self.cursor_line is None or not self.lines:
            return
        line = min(max(0, line), len(self.lines) - 1)
        self.cursor_line = line
        first = self.row_of(line)
        last = self.row_of(line + 1) - 1 if self.wrap and self._starts is not None else line
        height = max(1, self.size.height)
        if first < self.scroll_y:
            self.scroll_to(y=first, animate=False)
        elif last >= self.scroll_y + height:
            # The line's last row at the bottom, unless the line is taller than the view.
            self.scroll_to(y=min(first, last - height + 1), animate=False)
        self.refresh()

    def action_down(self) -> None:
        if self.cursor_line is None:
            self.action_scroll_down()
        else:
            self.move_cursor(self.cursor_line + 1)

    def action_up(self) -> None:
        if self.cursor_line is None:
            self.action_scroll_up()
        else:
            self.move_cursor(self.cursor_line - 1)

    def action_top(self) -> None:
        self.scroll_home(animate=False)
        if self.cursor_line is not None:
            self.move_cursor(0)

    def action_bottom(self) -> None:
        self.scroll_end(animate=False)
        if self.cursor_line is not None:
            self.move_cursor(len(self.lines) - 1)

    def action_page(self, direction: int) -> None:
        if self.cursor_line is None:
            self.action_page_down() if direction > 0 else self.action_page_up()
        else:
            self.move_cursor(self.cursor_line + direction * max(1, self.size.height - 1))

    def on_click(self, event: events.Click) -> None:
        if self.cursor_line is None:
            return
        row = int(self.scroll_y) + event.y
        line = bisect_right(self._starts, row) - 1 if self.wrap and self._starts is not None else row
        if 0 <= line < len(self.lines):
            self.move_cursor(line)

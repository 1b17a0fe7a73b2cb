"""The text view: many lines, only the visible ones highlighted and drawn.

A CursorView over the lines of a document, so it moves, finds and wraps as every list does.
Highlighting is done by Pygments (through Rich's Syntax) a block of lines at a time, cached, so
multi-line tokens are right within a block.

Optional extras, each free when unused:
- segments: runs of lines highlighted with their own lexer (a prompt mixes prose, JSON, HTML);
- spans: character ranges styled on top of the highlighting (resolved hrefs);
- cursor: a selected line that j/k move (viewers act on it with enter).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from functools import lru_cache
from itertools import accumulate
from typing import ClassVar

from rich.style import Style
from rich.text import Text

from ..text import highlight_code
from .cursor_view import CursorView, StyleOf, word_starts

# Lines longer than this are cut for display (a minified page or inline base64 is one line of
# megabytes); the cut is marked so nothing seems to be missing silently.
MAX_LINE = 4000
BLOCK = 128
CACHED_BLOCKS = 64

# Span kinds drawn with a component class of the view (so a theme restyles them); other kinds
# are taken as Rich style strings. SPAN_STYLES stays for the widgets that are not line views.
SPAN_CLASSES = {"href": "line-view--href", "placeholder": "line-view--placeholder", "image": "line-view--image"}
SPAN_STYLES = {
    "href": Style(color="cyan", underline=True),
    "placeholder": Style(color="magenta", underline=True),
}


@lru_cache(maxsize=256)
def _clip(line: str) -> str:
    line = line.expandtabs(4)
    if len(line) <= MAX_LINE:
        return line
    return f"{line[:MAX_LINE]} … (+{len(line) - MAX_LINE:,} characters)"


def wrap_starts(lines: list[str], width: int) -> list[int]:
    """First row of each line when lines are folded at `width` cells (at word boundaries),
    then the total rows."""
    width = max(1, width)
    return list(accumulate((len(word_starts(_clip(line), width)) for line in lines), initial=0))


class TextRows:
    """Lines as rows for a CursorView: highlighted a block at a time, when first drawn."""

    def __init__(self, view: LineView) -> None:
        self.view = view

    def row_count(self) -> int:
        return len(self.view.lines)

    def render_row(self, index: int, width: int, style: StyleOf) -> Text:
        return self.view.line_text(index)

    def row_plain(self, index: int, width: int) -> str:
        return _clip(self.view.lines[index])

    def row_label(self, index: int) -> str:
        return str(index + 1)

    def gutter_width(self) -> int:
        return self.view._gutter

    def content_width(self) -> int:
        return min(self.view._width, MAX_LINE + 30)

    def width_dependent(self) -> bool:
        return False

    def row_background(self, index: int) -> str | None:
        return None

    def restyle(self) -> None:
        self.view._blocks.clear()


class LineView(CursorView):
    """Lines of text with syntax highlighting, line numbers and find-match marking."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"line-view--href", "line-view--placeholder", "line-view--image"}
    DEFAULT_CSS = """
    LineView > .line-view--href { color: $text-accent; text-style: underline; }
    LineView > .line-view--placeholder { color: $text-secondary; text-style: underline; }
    LineView > .line-view--image { color: $text; background: $secondary 60%; text-style: bold; }
    """

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
        super().__init__(TextRows(self), cursor=cursor, **kwargs)
        self._blocks: OrderedDict[int, list[Text]] = OrderedDict()
        self.lines: list[str] = []
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
        self._gutter = len(str(len(lines))) + 1
        self._width = max(map(len, lines), default=0) if width is None else width
        self.rows_changed()

    # compatible names for the viewers: a line is a row here
    @property
    def cursor_line(self) -> int | None:
        return self.cursor_row

    @property
    def match_line(self) -> int | None:
        return self.match_row

    def row_of(self, line: int) -> int:
        return self.screen_row_of(line)

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
                name = SPAN_CLASSES.get(kind)
                block[offset].stylize(self.style_of(name) if name else kind, begin, stop)
        self._blocks[number] = block
        if len(self._blocks) > CACHED_BLOCKS:
            self._blocks.popitem(last=False)
        return block

    def line_text(self, index: int) -> Text:
        return self._block(index // BLOCK)[index % BLOCK]

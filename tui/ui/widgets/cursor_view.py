"""The one virtual cursor view: text, logs, tables and lists are all rows of a `RowSource`.

Built on Textual's line API (ScrollView + render_line): a row is made only when it is drawn,
and drawn rows are kept in an LRU of strips, so a million rows cost what a screenful does.
One widget means one key vocabulary (j/k, space/b, g/G, /, n/N, h/l), one find (every match
on screen marked, "3 of 17", counted in a worker) and one set of component classes that a
theme restyles.

A source may be shown with a cursor row (lists, tables, logs) or without one (plain text that
scrolls). Wrapping folds long rows at word boundaries, a row index (first screen row of each
row) being built for the width; unwrapped drawing never touches it.
"""

from __future__ import annotations

import time
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import ClassVar, Generic, Protocol, TypeVar

from rich.cells import cell_len, get_character_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget
from textual.worker import get_current_worker

from ...core.search import find_all
from ..failures import ReportsWorkerFailures

StyleOf = Callable[[str], Style]
Item = TypeVar("Item")

CACHED_STRIPS = 512
WRAP_IN_THREAD = 200_000  # rows: from here on the wrap index is built in a worker
MAX_MATCHES = 100_000  # positions kept for n/N; beyond this only "100000+" is shown
PROGRESS_EVERY = 0.1  # seconds between "counting" updates from the find worker


class RowSource(Protocol):
    """What a cursor view shows: rows it asks for one at a time, when they are drawn."""

    def row_count(self) -> int: ...

    def render_row(self, index: int, width: int, style: StyleOf) -> Text:
        """Row `index` styled (not padded) for a pane `width` cells wide; `style` resolves a
        component class of the view to a Rich style, so colours come from the theme."""
        ...

    def row_plain(self, index: int, width: int) -> str:
        """The characters of render_row(index, width): what find searches and wrap folds."""
        ...

    def row_label(self, index: int) -> str:
        """The gutter text of the row (its line number), or '' for none."""
        ...

    def gutter_width(self) -> int:
        """Cells of the gutter (0: none)."""
        ...

    def content_width(self) -> int:
        """Cells of the widest row, for sideways scrolling (0: rows fit the pane)."""
        ...

    def width_dependent(self) -> bool:
        """Whether a row's text changes with the pane's width (a table's columns do)."""
        ...

    def row_background(self, index: int) -> str | None:
        """A component class that tints the whole row (an error line), or None. The cursor and
        the matches are drawn over it."""
        ...


def word_starts(line: str, width: int) -> list[int]:
    """The offsets where each screen row of `line` starts when it is folded at `width` cells,
    breaking after a space; a word longer than the width is broken where it overflows."""
    width = max(1, width)
    ascii_only = line.isascii()
    if ascii_only and len(line) <= width:
        return [0]
    starts = [0]
    start = cells = 0
    last_space = -1
    index = 0
    while index < len(line):
        char = line[index]
        size = 1 if ascii_only else get_character_cell_size(char)
        if cells + size > width and index > start:
            if char == " ":
                new = index + 1  # the space that overflows ends the row, unseen
            elif last_space >= start:
                new = last_space + 1
            else:
                new = index  # one long word: break it
            if new >= len(line):
                break
            starts.append(new)
            start, last_space = new, -1
            cells = (index - new) if ascii_only else cell_len(line[new:index])
            index = max(index, new)
            continue
        if char == " ":
            last_space = index
        cells += size
        index += 1
    return starts


class CursorView(ReportsWorkerFailures, ScrollView, can_focus=True):
    """Rows of a RowSource with an optional cursor row, find-match marking and word wrap."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "cursor-view--cursor",
        "cursor-view--cursor-blurred",
        "cursor-view--gutter",
        "cursor-view--match",
        "cursor-view--current-match",
        "cursor-view--empty",
    }

    DEFAULT_CSS = """
    CursorView { background: $surface; }
    CursorView:focus { background-tint: $foreground 3%; }
    CursorView > .cursor-view--cursor { background: $block-cursor-background; }
    CursorView > .cursor-view--cursor-blurred { background: $block-cursor-blurred-background; }
    CursorView > .cursor-view--gutter { color: $text-muted; }
    CursorView > .cursor-view--match { background: $warning 35%; }
    CursorView > .cursor-view--current-match { background: $warning; color: $background; text-style: bold; }
    CursorView > .cursor-view--empty { color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "down", "Down", show=False, id="cursor.down"),
        Binding("k,up", "up", "Up", show=False, id="cursor.up"),
        Binding("space,pagedown", "page(1)", "Page down", show=False, id="cursor.page_down"),
        Binding("b,pageup", "page(-1)", "Page up", show=False, id="cursor.page_up"),
        Binding("g,home", "top", "Top", show=False, id="cursor.top"),
        Binding("G,end", "bottom", "Bottom", show=False, id="cursor.bottom"),
        Binding("h,left", "scroll_left", "Left", show=False, id="cursor.left"),
        Binding("l,right", "scroll_right", "Right", show=False, id="cursor.right"),
        Binding("slash", "find", "Find", id="cursor.find"),
        Binding("n", "find_next(1)", "Next match", show=False, id="cursor.next_match"),
        Binding("N", "find_next(-1)", "Previous match", show=False, id="cursor.previous_match"),
    ]

    EMPTY = "Nothing to show."

    class Highlighted(Message):
        """The cursor moved to another row."""

        def __init__(self, view: CursorView, row: int | None) -> None:
            super().__init__()
            self.view = view
            self.row = row

        @property
        def control(self) -> CursorView:
            return self.view

    class FindRequested(Message):
        """`/` was pressed here: the viewer opens its find bar for this view."""

        def __init__(self, view: CursorView) -> None:
            super().__init__()
            self.view = view

        @property
        def control(self) -> CursorView:
            return self.view

    class FindChanged(Message):
        """The find status changed ("3 of 17", "counting…", "no match")."""

        def __init__(self, view: CursorView, status: str) -> None:
            super().__init__()
            self.view = view
            self.status = status

        @property
        def control(self) -> CursorView:
            return self.view

    def __init__(self, source: RowSource, *, cursor: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.cursor_row: int | None = 0 if cursor else None
        self.wrap = False
        self._starts: list[int] | None = None  # first screen row of each row while wrapping
        self._wrap_width = 0
        self._strips: OrderedDict[tuple[int, int], Strip] = OrderedDict()
        self._pieces: OrderedDict[int, list[int]] = OrderedDict()
        # find: the query, every match position found so far (row, column), the current one
        self.match_query = ""
        self.matches: list[tuple[int, int]] = []
        self.counted = True  # whether the count is complete
        self.capped = False  # whether it stopped at MAX_MATCHES
        self.current_match: tuple[int, int] | None = None
        self._pending: int | None = None  # a direction to go once the count reaches a match
        self._find_from: tuple[int, int] = (0, -1)
        self._find_generation = 0

    # --- the rows ------------------------------------------------------------------------------
    @property
    def row_count(self) -> int:
        return self.source.row_count()

    def rows_changed(self, keep_cursor: bool = True) -> None:
        """The source has other rows now (filtered, grown, switched): redraw from it."""
        self._strips.clear()
        self._pieces.clear()
        count = self.row_count
        if self.cursor_row is not None:
            self.cursor_row = min(self.cursor_row, max(0, count - 1)) if keep_cursor else 0
        if self.current_match is not None and self.current_match[0] >= count:
            self.current_match = None
        if self.match_query:
            self._start_count(self.match_query)
        if self.wrap and self.is_mounted:
            self._build_wrap(self._text_width)
        else:
            self._starts = None
            self.wrap = False
            self._update_size()
        self.refresh()

    def _update_size(self) -> None:
        gutter = self.source.gutter_width()
        if self.wrap and self._starts is not None:
            # No wider than the text area, or a horizontal scrollbar would appear for nothing.
            self.virtual_size = Size(self._wrap_width + gutter, self._starts[-1])
        else:
            width = self.source.content_width()
            self.virtual_size = Size(width + gutter + 1 if width else self.size.width, self.row_count)

    @property
    def allow_vertical_scroll(self) -> bool:
        # From the rows, not from the scrollbar of the last layout: rows that grow and a move
        # to one of them come in one callback, before any layout has shown the scrollbar.
        return not self._check_disabled() and self.max_scroll_y > 0

    def on_mount(self) -> None:
        self._update_size()
        if self.cursor_row is not None:
            self.post_message(self.Highlighted(self, self.cursor_row if self.row_count else None))

    def on_resize(self) -> None:
        if self.source.width_dependent():
            self._strips.clear()
        if self.wrap and self._text_width != self._wrap_width:
            self._build_wrap(self._text_width)
        else:
            self._update_size()
        self.refresh()

    def notify_style_update(self) -> None:
        # A theme or a class change: cached strips hold the old colours.
        super().notify_style_update()
        self._strips.clear()
        restyle = getattr(self.source, "restyle", None)
        if restyle is not None:
            restyle()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def style_of(self, name: str) -> Style:
        """A component class as a Rich style (the source's classes are the view's too): only what
        the class sets, with a translucent background (`$error 15%`) or colour blended over the
        view's own, since a Rich style has no alpha (a partial style would draw it opaque)."""
        partial = self.get_component_rich_style(name, partial=True, default=Style())
        if partial.bgcolor is None and partial.color is None:
            return partial
        # A translucent colour too (`$text-muted` is the foreground at 60%): blended, not opaque.
        full = self.get_component_rich_style(name)
        if partial.color is not None:
            partial += Style(color=full.color)
        if partial.bgcolor is not None:
            partial += Style(bgcolor=full.bgcolor)
        return partial

    @property
    def _text_width(self) -> int:
        # size.width counts the vertical scrollbar: leave room for it always, so the width to
        # wrap at does not change as the bar comes and goes.
        return max(1, self.size.width - self.source.gutter_width() - self.styles.scrollbar_size_vertical)

    @property
    def _row_width(self) -> int:
        return max(1, self.size.width - self.source.gutter_width())

    # --- drawing -------------------------------------------------------------------------------
    def _body(self, index: int) -> Strip:
        """The row with its matches marked, as one unclipped strip (cached unless it holds the
        current match)."""
        width = self._row_width
        key = (index, width if self.source.width_dependent() else 0)
        current = self.current_match if self.current_match and self.current_match[0] == index else None
        if current is None:
            strip = self._strips.get(key)
            if strip is not None:
                self._strips.move_to_end(key)
                return strip
        text = self.source.render_row(index, width, self.style_of)
        if self.match_query:
            text = text.copy()
            plain = text.plain
            size = len(self.match_query)
            match_style = self.style_of("cursor-view--match")
            for start in find_all(plain, self.match_query):
                text.stylize(match_style, start, start + size)
            if current is not None:
                text.stylize(self.style_of("cursor-view--current-match"), current[1], current[1] + size)
        strip = Strip(list(text.render(self.app.console)))
        if current is None:
            self._strips[key] = strip
            if len(self._strips) > CACHED_STRIPS:
                self._strips.popitem(last=False)
        return strip

    def _gutter_segments(self, label: str, on_cursor: bool) -> list[Segment]:
        width = self.source.gutter_width()
        if not width:
            return []
        style = self.style_of("cursor-view--gutter")
        if on_cursor:
            style += self._cursor_style()
        return [Segment(f"{label:>{width - 1}} ", style)]

    def _cursor_style(self) -> Style:
        return self.style_of("cursor-view--cursor" if self.has_focus else "cursor-view--cursor-blurred")

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        row = scroll_y + y
        wrapped = self.wrap and self._starts is not None
        total = self._starts[-1] if wrapped and self._starts is not None else self.row_count
        if row >= total:
            if row == 0 and not self.row_count:
                text = Text(self.EMPTY, style=self.style_of("cursor-view--empty"))
                return Strip(list(text.render(self.app.console))).crop_extend(0, width, self.rich_style)
            return Strip.blank(width, self.rich_style)
        if wrapped and self._starts is not None:
            index = bisect_right(self._starts, row) - 1
            part = row - self._starts[index]
            pieces = self._pieces_of(index)
            begin = pieces[part]
            end = pieces[part + 1] if part + 1 < len(pieces) else None
            body = self._body(index)
            plain = self.source.row_plain(index, self._row_width)
            first = cell_len(plain[:begin]) if not plain.isascii() else begin
            last = (cell_len(plain[:end]) if not plain.isascii() else end) if end is not None else body.cell_length
            piece = body.crop(first, min(last, first + self._wrap_width))
            label = self.source.row_label(index) if part == 0 else ""
        else:
            index = row
            label = self.source.row_label(index)
            piece = self._body(index).crop(scroll_x, scroll_x + width - self.source.gutter_width())
        on_cursor = index == self.cursor_row
        strip = Strip([*self._gutter_segments(label, on_cursor), *piece])
        strip = strip.extend_cell_length(width)
        if on_cursor:
            strip = strip.apply_style(self._cursor_style())
        elif tint := self.source.row_background(index):
            strip = strip.apply_style(self.style_of(tint))
        return strip.apply_style(self.rich_style)

    # --- wrapping ------------------------------------------------------------------------------
    def _pieces_of(self, index: int) -> list[int]:
        pieces = self._pieces.get(index)
        if pieces is None:
            pieces = self._pieces[index] = word_starts(self.source.row_plain(index, self._row_width), self._wrap_width)
            if len(self._pieces) > CACHED_STRIPS:
                self._pieces.popitem(last=False)
        return pieces

    def set_wrap(self, wrap: bool) -> None:
        """Fold long rows at word boundaries (True) or scroll sideways (False), keeping the top row."""
        top = self.top_row
        self.wrap = wrap
        if not wrap:
            self._starts = None
            self._update_size()
            self.scroll_to(x=0, y=top, animate=False)
            self.refresh()
        else:
            self._build_wrap(self._text_width, top)

    def _row_starts(self, width: int) -> list[int]:
        source, row_width = self.source, self._row_width
        return list(accumulate(
            (len(word_starts(source.row_plain(i, row_width), width)) for i in range(source.row_count())), initial=0
        ))

    def _build_wrap(self, width: int, top: int | None = None) -> None:
        top = self.top_row if top is None else top
        if self.row_count >= WRAP_IN_THREAD:
            self._build_wrap_in_thread(width, top)
        else:
            self._wrap_built(self.source, width, self._row_starts(width), top)

    @work(thread=True, exclusive=True, group="cursor-wrap", exit_on_error=False)
    def _build_wrap_in_thread(self, width: int, top: int) -> None:
        source = self.source
        try:
            starts = self._row_starts(width)
        except IndexError:
            return  # the rows changed meanwhile: rows_changed() builds the index again
        self.app.call_from_thread(self._wrap_built, source, width, starts, top)

    def _wrap_built(self, source: RowSource, width: int, starts: list[int], top: int) -> None:
        if not self.wrap or source is not self.source or len(starts) != self.row_count + 1:
            return  # toggled off, or other rows, while it was being built
        self._starts = starts
        self._wrap_width = width
        self._pieces.clear()
        self._update_size()
        self.scroll_to(x=0, y=self.screen_row_of(top), animate=False)
        self.refresh()

    def screen_row_of(self, index: int) -> int:
        """The first screen row (in scroll coordinates) of a row."""
        if self.wrap and self._starts is not None:
            return self._starts[min(max(0, index), self.row_count)]
        return index

    @property
    def top_row(self) -> int:
        """The row at the top of the view."""
        row = int(self.scroll_y)
        if self.wrap and self._starts is not None:
            return max(0, bisect_right(self._starts, row) - 1)
        return row

    # --- the cursor and moving -----------------------------------------------------------------
    def move_cursor(self, index: int) -> None:
        """Select a row and scroll just enough to show it."""
        count = self.row_count
        if self.cursor_row is None or not count:
            return
        index = min(max(0, index), count - 1)
        moved = index != self.cursor_row
        self.cursor_row = index
        self.scroll_to_row(index)
        self.refresh()
        if moved:
            self.post_message(self.Highlighted(self, index))

    def scroll_to_row(self, index: int) -> None:
        """Scroll just enough to show all of a row (its top one, if taller than the view)."""
        first = self.screen_row_of(index)
        last = self.screen_row_of(index + 1) - 1 if self.wrap and self._starts is not None else index
        height = max(1, self.scrollable_content_region.height)
        if first < self.scroll_y:
            self.scroll_to(y=first, animate=False)
        elif last >= self.scroll_y + height:
            self.scroll_to(y=min(first, last - height + 1), animate=False)

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def action_down(self) -> None:
        if self.cursor_row is None:
            self.scroll_to(y=self.scroll_y + 1, animate=False)
        else:
            self.move_cursor(self.cursor_row + 1)

    def action_up(self) -> None:
        if self.cursor_row is None:
            self.scroll_to(y=self.scroll_y - 1, animate=False)
        else:
            self.move_cursor(self.cursor_row - 1)

    def action_page(self, direction: int) -> None:
        if self.cursor_row is None:
            self.scroll_to(y=self.scroll_y + direction * self._page(), animate=False)
        else:
            self.move_cursor(self.cursor_row + direction * self._page())

    def action_top(self) -> None:
        self.scroll_to(y=0, animate=False)
        if self.cursor_row is not None:
            self.move_cursor(0)

    def action_bottom(self) -> None:
        self.scroll_to(y=self.max_scroll_y, animate=False)
        if self.cursor_row is not None:
            self.move_cursor(self.row_count - 1)

    def action_scroll_left(self) -> None:
        self.scroll_to(x=self.scroll_x - 4, animate=False)

    def action_scroll_right(self) -> None:
        self.scroll_to(x=self.scroll_x + 4, animate=False)

    def on_click(self, event: events.Click) -> None:
        if self.cursor_row is None:
            return
        row = int(self.scroll_y) + event.y
        index = bisect_right(self._starts, row) - 1 if self.wrap and self._starts is not None else row
        if 0 <= index < self.row_count:
            self.move_cursor(index)

    # --- find ----------------------------------------------------------------------------------
    def action_find(self) -> None:
        self.post_message(self.FindRequested(self))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # n/N are find keys only once something was searched: before that the key goes on to
        # the viewer (its own binding, if it has one for the letter).
        if action == "find_next":
            return bool(self.match_query)
        # `/` is ours only where something opens a find bar for us; elsewhere it goes on to
        # the screen, which says there is nothing to find.
        if action == "find":
            return any(callable(getattr(node, "open_find", None)) for node in self.ancestors)
        return True

    def find(self, query: str, forward: bool = True) -> None:
        """Search for `query` (smart case) from the cursor, or the top of the view: every match
        is marked, they are counted in a worker, and the first one after it is shown."""
        if query != self.match_query or not self.counted:
            self.match_query = query
            self.current_match = None
            self._strips.clear()
            self._start_count(query)
        if not query:
            self.current_match = None
            self._status()
            self.refresh()
            return
        self._find_from = self._position()
        if not forward and self.current_match is None:
            self._find_from = (self._find_from[0], self._find_from[1] + 1)
        self._go(1 if forward else -1)

    @property
    def match_row(self) -> int | None:
        return self.current_match[0] if self.current_match else None

    def action_find_next(self, direction: int) -> None:
        self._find_from = self.current_match or self._position()
        self._go(direction)

    def _position(self) -> tuple[int, int]:
        """Where a new search starts: just before the cursor row or the top row."""
        row = self.cursor_row if self.cursor_row is not None else self.top_row
        return (row, -1)

    def _go(self, direction: int) -> None:
        """Go to the match after (before) `_find_from`, wrapping around once all are counted."""
        matches, origin = self.matches, self._find_from
        found: tuple[int, int] | None = None
        if direction > 0:
            index = bisect_right(matches, origin)
            if index < len(matches):
                found = matches[index]
            elif self.counted and matches:
                found = matches[0]
        else:
            index = bisect_left(matches, origin) - 1
            if index >= 0:
                found = matches[index]
            elif self.counted and matches:
                found = matches[-1]
        if found is not None:
            self._pending = None
            self._show(found)
        elif not self.counted:
            self._pending = direction  # shown when the count reaches it
            self._status()
        else:
            self._pending = None
            self.current_match = None
            self._status()
            self.notify(f"Not found: {self.match_query}", severity="warning", markup=False)
            self.refresh()

    def _show(self, match: tuple[int, int]) -> None:
        self.current_match = match
        index, column = match
        if self.cursor_row is not None:
            self.move_cursor(index)
        else:
            # The match a few rows below the top, so its context shows.
            self.scroll_to(y=max(0, self.screen_row_of(index) - 3), animate=False)
        self._scroll_sideways_to(index, column)
        self._strips.clear()
        self._status()
        self.refresh()

    def _scroll_sideways_to(self, index: int, column: int) -> None:
        plain = self.source.row_plain(index, self._row_width)
        start = column if plain.isascii() else cell_len(plain[:column])
        end = start + cell_len(self.match_query)
        if self.wrap and self._starts is not None:
            pieces = self._pieces_of(index)
            part = bisect_right(pieces, column) - 1
            self.scroll_to(y=max(0, self._starts[index] + part - 3), animate=False)
            return
        visible = self._row_width - self.styles.scrollbar_size_vertical
        if start < self.scroll_x or end > self.scroll_x + visible:
            self.scroll_to(x=max(0, start - visible // 3), animate=False)

    def _status(self) -> None:
        if not self.match_query:
            status = ""
        else:
            more = "+" if self.capped or not self.counted else ""
            total = f"{len(self.matches):,}{more}"
            if self.current_match is not None:
                number = bisect_left(self.matches, self.current_match) + 1
                status = f"{number:,} of {total}"
            elif self.counted:
                status = "no match" if not self.matches else f"{total} matches"
            else:
                status = f"counting… {total}" if self.matches else "counting…"
        self.post_message(self.FindChanged(self, status))

    def _start_count(self, query: str) -> None:
        self._find_generation += 1
        self.matches = []
        self.counted = not query
        self.capped = False
        if query:
            self._count(query, self._find_generation, self.source, self._row_width)

    @work(thread=True, exclusive=True, group="cursor-find", exit_on_error=False)
    def _count(self, query: str, generation: int, source: RowSource, width: int) -> None:
        """Every match position, in order: a pass over all rows, so off the event loop."""
        worker = get_current_worker()
        matches: list[tuple[int, int]] = []
        last = time.monotonic()
        capped = False
        for index in range(source.row_count()):
            try:
                plain = source.row_plain(index, width)
            except IndexError:
                return  # the rows changed under the count: rows_changed() started a new one
            for column in find_all(plain, query):
                if len(matches) >= MAX_MATCHES:
                    capped = True
                    break
                matches.append((index, column))
            if capped or worker.is_cancelled:
                break
            if time.monotonic() - last > PROGRESS_EVERY:
                last = time.monotonic()
                self.app.call_from_thread(self._counted, generation, list(matches), False, False)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._counted, generation, matches, True, capped)

    def _counted(self, generation: int, matches: list[tuple[int, int]], done: bool, capped: bool) -> None:
        if generation != self._find_generation:
            return  # a newer search started
        self.matches = matches
        self.counted = done
        self.capped = capped
        if self._pending is not None:
            self._go(self._pending)
        else:
            self._status()


class FittedRows:
    """A row source whose rows are cut to the pane: no gutter, no sideways scroll, and find
    searches what is drawn. Subclasses say how many rows there are and how one is drawn."""

    def row_count(self) -> int:
        raise NotImplementedError

    def render_row(self, index: int, width: int, style: StyleOf) -> Text:
        raise NotImplementedError

    def row_plain(self, index: int, width: int) -> str:
        return self.render_row(index, width, lambda name: Style()).plain

    def row_label(self, index: int) -> str:
        return ""

    def gutter_width(self) -> int:
        return 0

    def content_width(self) -> int:
        return 0

    def width_dependent(self) -> bool:
        return True

    def row_background(self, index: int) -> str | None:
        return None


class ListRows(FittedRows):
    """Ready-made rows (a list of Text), for short lists such as a trace's actions. The texts
    are built from safe data by the viewer; they are cut to the pane, never wrapped."""

    def __init__(self, rows: list[Text]) -> None:
        self.rows = rows

    def row_count(self) -> int:
        return len(self.rows)

    def render_row(self, index: int, width: int, style: StyleOf) -> Text:
        text = self.rows[index].copy()
        text.truncate(width, overflow="ellipsis")
        return text


# --- tables: rows of cells under a header line ----------------------------------------------------
@dataclass(frozen=True)
class Column:
    """A table column: its title and width in cells; width 0 shares what the fixed ones leave
    (never narrower than `least`)."""

    title: str
    width: int = 0
    right: bool = False
    least: int = 6


def column_widths(columns: Sequence[Column], width: int) -> list[int]:
    """The cells of each column in a pane `width` wide (one space between columns)."""
    shared = [c for c in columns if not c.width]
    rest = max(0, width - sum(c.width for c in columns) - (len(columns) - 1))
    each, extra = divmod(rest, len(shared)) if shared else (0, 0)
    widths = []
    for column in columns:
        if column.width:
            widths.append(column.width)
        else:
            widths.append(max(column.least, each + (1 if extra > 0 else 0)))
            extra -= 1
    return widths


def fit_cell(cell: Text, width: int, right: bool = False) -> Text:
    """A cell on one line, cut with an ellipsis or padded to exactly `width` cells (the padding
    takes none of the cell's style, so a reversed level does not run on into the next column)."""
    if "\n" in cell.plain:
        cell = Text(" ").join(cell.split("\n", allow_blank=True))
    fitted = Text(no_wrap=True, end="")
    fitted.append_text(cell)
    fitted.truncate(width, overflow="ellipsis")
    pad = width - fitted.cell_len
    if pad > 0:
        if right:
            fitted = Text(" " * pad, no_wrap=True, end="") + fitted
        else:
            fitted.append(" " * pad)
    return fitted


class ColumnRows(FittedRows, Generic[Item]):
    """Items shown as columns of cells cut to the pane; `cells` draws an item's cells with the
    view's component classes (through `style`), so a theme restyles them.

    With `widest_last` (the cells of the longest last cell) the last column is drawn whole and
    the view scrolls sideways to it, as for long URLs and xpaths; the others are then fixed."""

    def __init__(self, columns: Sequence[Column], items: Sequence[Item],
                 cells: Callable[[Item, StyleOf], Sequence[Text]], widest_last: int | None = None) -> None:
        self.columns = tuple(columns)
        self.items = items
        self.cells = cells
        self.widest_last = widest_last

    def row_count(self) -> int:
        return len(self.items)

    def render_row(self, index: int, width: int, style: StyleOf) -> Text:
        return self._line(self.cells(self.items[index], style), width)

    def content_width(self) -> int:
        if self.widest_last is None:
            return 0
        return sum(column.width + 1 for column in self.columns[:-1]) + self.widest_last

    def width_dependent(self) -> bool:
        return self.widest_last is None

    def header(self, width: int) -> Text:
        return self._line([Text(column.title) for column in self.columns], width)

    def _line(self, cells: Sequence[Text], width: int) -> Text:
        text = Text(no_wrap=True, end="")
        columns = self.columns
        widths = column_widths(columns, width)
        open_last = self.widest_last is not None
        for index, (column, cell_width, cell) in enumerate(zip(columns, widths, cells, strict=True)):
            if index:
                text.append(" ")
            if open_last and index == len(columns) - 1:
                text.append_text(fit_cell(cell, max(cell.cell_len, 1)))  # whole, on one line
            else:
                text.append_text(fit_cell(cell, cell_width, column.right))
        if not open_last:
            text.truncate(width, overflow="ellipsis")
        return text


class TableHeader(Widget):
    """The column titles over a table's CursorView, fitted to the same width as its rows (and
    scrolled sideways with them, when the last column is drawn whole)."""

    DEFAULT_CSS = """
    TableHeader { height: 1; color: $text-muted; text-style: bold; background: $panel; }
    """

    def __init__(self, rows: ColumnRows, view: CursorView | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows = rows
        self.view = view

    def on_mount(self) -> None:
        if self.view is not None:
            self.watch(self.view, "scroll_x", self._scrolled, init=False)

    def _scrolled(self, _x: float) -> None:
        self.refresh()

    def render(self) -> Text:
        header = self.rows.header(self.size.width)
        if self.view is not None and self.view.scroll_x:
            header = header[int(self.view.scroll_x):]
        return header

"""A virtual view of log lines: coloured by level, key=value pairs highlighted, filtered.

Only the visible lines are styled and drawn (Textual's line API), so a long log costs no more
to show than a screenful. A filter is a list of the line numbers that pass it.
"""

from __future__ import annotations

from collections import OrderedDict

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...core.formats.logs import LogLine, SkyvernLog

LEVEL_STYLES = {
    "debug": "dim",
    "info": "green",
    "warning": "bold yellow",
    "warn": "bold yellow",
    "error": "bold red",
    "exception": "bold red",
    "critical": "bold white on red",
}
MAX_LINE = 4000
CURSOR = Style(bgcolor="grey30")


def styled(line: LogLine) -> Text:
    """The line with its parts coloured; the text itself is already safe (controls visible)."""
    text = Text(line.text[:MAX_LINE], no_wrap=True)
    if line.timestamp:
        text.stylize("dim", 0, len(line.timestamp))
        start = line.text.find("[", len(line.timestamp))
        end = line.text.find("]", start) + 1
        if start >= 0 and end > 0:
            text.stylize(LEVEL_STYLES.get(line.level, ""), start, end)
    if line.event_span:
        text.stylize("bold", *line.event_span)
    for key_start, key_end, value_start, value_end in line.pairs:
        text.stylize("cyan", key_start, key_end)
        text.stylize("yellow", value_start, value_end)
    if line.severity >= 3:
        text.stylize(Style(bgcolor="grey15"))
    return text


class LogView(ScrollView, can_focus=True):
    DEFAULT_CSS = "LogView { background: $surface; }"

    BINDINGS = [
        Binding("j,down", "move(1)", "Next line", show=False, id="logview.down"),
        Binding("k,up", "move(-1)", "Previous line", show=False, id="logview.up"),
        Binding("space,pagedown", "page(1)", "Page down", show=False, id="logview.page_down"),
        Binding("b,pageup", "page(-1)", "Page up", show=False, id="logview.page_up"),
        Binding("g,home", "edge(0)", "First line", show=False, id="logview.top"),
        Binding("G,end", "edge(1)", "Last line", show=False, id="logview.bottom"),
        Binding("h,left", "scroll_left", "Left", show=False, id="logview.left"),
        Binding("l,right", "scroll_right", "Right", show=False, id="logview.right"),
    ]

    def __init__(self, log: SkyvernLog, **kwargs) -> None:
        super().__init__(**kwargs)
        self.log_data = log
        self.rows: list[int] = list(range(len(log.lines)))  # line numbers passing the filter
        self._unfiltered_count = len(log.lines)
        self.cursor = 0  # an index into rows
        self.match_query = ""
        self._parsed: OrderedDict[int, Text] = OrderedDict()  # styled lines, the visible ones
        self._gutter = len(str(len(log.lines))) + 1
        self._width = min(max(map(len, log.lines), default=0), MAX_LINE) + self._gutter + 1
        self._update_size()

    def _update_size(self) -> None:
        self.virtual_size = Size(self._width, len(self.rows))

    def lines_added(self) -> None:
        """The log grew (a big file being indexed): show the new lines when no filter is on."""
        log = self.log_data
        if len(self.rows) == self._unfiltered_count:
            self.rows.extend(range(len(self.rows), len(log.lines)))
        self._unfiltered_count = len(log.lines)
        self._gutter = len(str(len(log.lines))) + 1
        widest = min(max(map(len, log.lines[-1000:]), default=0), MAX_LINE)  # a sample of the new lines
        self._width = max(self._width, widest + self._gutter + 1)
        self._update_size()
        self.refresh()

    def styled_line(self, number: int) -> Text:
        """Lines are parsed when first shown, not when the log is opened."""
        text = self._parsed.get(number)
        if text is None:
            text = self._parsed[number] = styled(self.log_data.parsed(number))
            if len(self._parsed) > 4000:
                self._parsed.popitem(last=False)
        return text

    # --- filtering ----------------------------------------------------------------------
    def set_rows(self, rows: list[int]) -> None:
        """Show only these line numbers (a filter's result), keeping the cursor's line if shown."""
        current = self.current_line
        self.rows = rows
        self._update_size()
        self.cursor = 0
        if current is not None:
            self.go_to_line(current, exact=False)
        self.refresh()

    @property
    def current_line(self) -> int | None:
        return self.rows[self.cursor] if self.rows else None

    def go_to_line(self, number: int, exact: bool = True) -> bool:
        """Put the cursor on line `number` (or, not exact, the first shown line at or after it)."""
        from bisect import bisect_left

        index = bisect_left(self.rows, number)
        if index >= len(self.rows) or (exact and self.rows[index] != number):
            return False
        self.cursor = index
        self._keep_cursor_in_view()
        self.refresh()
        return True

    def _keep_cursor_in_view(self) -> None:
        top = int(self.scroll_y)
        height = max(1, self.size.height)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)

    # --- keys ---------------------------------------------------------------------------
    def action_move(self, delta: int) -> None:
        if self.rows:
            self.cursor = max(0, min(len(self.rows) - 1, self.cursor + delta))
            self._keep_cursor_in_view()
            self.refresh()

    def action_page(self, direction: int) -> None:
        self.action_move(direction * max(1, self.size.height - 1))

    def action_edge(self, end: int) -> None:
        self.action_move(len(self.rows) if end else -len(self.rows))

    # --- drawing ------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        if index >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        number = self.rows[index]
        text = self.styled_line(number).copy()
        cursor = index == self.cursor
        if cursor:
            # Over the line's own styles (an error line has a background of its own).
            text.stylize(CURSOR)
            text.pad_right(max(0, width - self._gutter - text.cell_len + scroll_x))
        if self.match_query:
            text.highlight_words([self.match_query], style="black on yellow", case_sensitive=False)
        gutter = Segment(f"{number + 1:>{self._gutter - 1}} ", Style(dim=True) + (CURSOR if cursor else Style()))
        body = Strip(list(text.render(self.app.console))).crop(scroll_x, scroll_x + width - self._gutter)
        strip = Strip([gutter, *body])
        return strip.extend_cell_length(width).apply_style(self.rich_style)

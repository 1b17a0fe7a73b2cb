"""The log view: log lines coloured by level, key=value pairs highlighted, filtered.

A CursorView over the lines that pass the filter (their line numbers), so a long log costs
no more to show than a screenful and moves and finds as every list does. Lines are parsed when
first drawn. Colours are the view's component classes, so a theme restyles them.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text

from ...core.formats.logs import LogLine, SkyvernLog
from .cursor_view import CursorView, StyleOf

# Level styles for the widgets around the view that are not line views (the summary line).
LEVEL_STYLES = {
    "debug": "dim",
    "info": "green",
    "warning": "bold yellow",
    "warn": "bold yellow",
    "error": "bold red",
    "exception": "bold red",
    "critical": "bold white on red",
}
LEVEL_CLASSES = {
    "debug": "log-view--debug",
    "info": "log-view--info",
    "warning": "log-view--warning",
    "warn": "log-view--warning",
    "error": "log-view--error",
    "exception": "log-view--error",
    "critical": "log-view--critical",
}
MAX_LINE = 4000
CACHED_LINES = 4000
# Pairs coloured per line: a real line has a dozen; a hostile one thousands, and each span
# costs when the row is drawn (2,000 took 11 ms a row, on the event loop). The rest is plain.
STYLED_PAIRS = 64


def styled(line: LogLine, style: StyleOf) -> Text:
    """The line with its parts coloured; the text itself is already safe (controls visible).
    Only the start of a long line is styled (the parser looks at its first logs.STYLED
    characters; at most STYLED_PAIRS pairs are coloured)."""
    text = Text(line.text[:MAX_LINE], no_wrap=True)
    if line.timestamp:
        text.stylize(style("log-view--timestamp"), 0, len(line.timestamp))
        start = line.text.find("[", len(line.timestamp))
        end = line.text.find("]", start) + 1
        if start >= 0 and end > 0 and line.level in LEVEL_CLASSES:
            text.stylize(style(LEVEL_CLASSES[line.level]), start, end)
    if line.event_span:
        text.stylize(style("log-view--event"), *line.event_span)
    for key_start, key_end, value_start, value_end in line.pairs[:STYLED_PAIRS]:
        text.stylize(style("log-view--key"), key_start, key_end)
        text.stylize(style("log-view--value"), value_start, value_end)
    return text


class LogRows:
    """The shown log lines as rows: row i is line rows[i]."""

    def __init__(self, view: LogView) -> None:
        self.view = view

    def row_count(self) -> int:
        return len(self.view.rows)

    def render_row(self, index: int, width: int, style: StyleOf) -> Text:
        return self.view.styled_line(self.view.rows[index])

    def row_plain(self, index: int, width: int) -> str:
        return self.view.log_data.line(self.view.rows[index], whole=False)[:MAX_LINE]

    def row_label(self, index: int) -> str:
        return str(self.view.rows[index] + 1)

    def gutter_width(self) -> int:
        return self.view._gutter

    def content_width(self) -> int:
        return self.view._width

    def width_dependent(self) -> bool:
        return False

    def row_background(self, index: int) -> str | None:
        # The index's severities are the level + 1 (0: no level): error and critical are 4, 5.
        return "log-view--error-line" if self.view.log_data.severity(self.view.rows[index]) >= 4 else None

    def restyle(self) -> None:
        self.view._parsed.clear()


class LogView(CursorView):
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "log-view--timestamp", "log-view--event", "log-view--key", "log-view--value",
        "log-view--debug", "log-view--info", "log-view--warning", "log-view--error", "log-view--critical",
        "log-view--error-line",
    }
    DEFAULT_CSS = """
    LogView > .log-view--timestamp { color: $text-muted; }
    LogView > .log-view--event { text-style: bold; }
    LogView > .log-view--key { color: $text-accent; }
    LogView > .log-view--value { color: $text-warning; }
    LogView > .log-view--debug { color: $text-muted; }
    LogView > .log-view--info { color: $text-success; }
    LogView > .log-view--warning { color: $text-warning; text-style: bold; }
    LogView > .log-view--error { color: $text-error; text-style: bold; }
    LogView > .log-view--critical { color: $text; background: $error; text-style: bold; }
    LogView > .log-view--error-line { background: $error 15%; }
    """

    def __init__(self, log: SkyvernLog, **kwargs) -> None:
        self.log_data = log
        # Line numbers passing the filter: every line is a range (no list of a million ints),
        # a filter's result an array.
        self.rows: Sequence[int] = range(log.shown_count)
        self._parsed: OrderedDict[int, Text] = OrderedDict()  # styled lines, the visible ones
        self._gutter = len(str(log.shown_count)) + 1
        self._width = min(log.widest, MAX_LINE)
        self._to_end = False  # the last move was to the end (G): stay there as lines come
        super().__init__(LogRows(self), cursor=True, **kwargs)

    @property
    def filtered(self) -> bool:
        return not isinstance(self.rows, range)

    @property
    def cursor(self) -> int:
        """The cursor as an index into rows."""
        return self.cursor_row or 0

    def lines_added(self) -> None:
        """The log grew (a big file being indexed): show the new lines when no filter is on."""
        log = self.log_data
        at_end = bool(self.rows) and self.cursor == len(self.rows) - 1 and self._to_end
        if not self.filtered:
            self.rows = range(log.shown_count)
        self._parsed.clear()  # a line shown before it was indexed (PENDING) is read again
        self._gutter = len(str(log.shown_count)) + 1
        self._width = min(log.widest, MAX_LINE)
        self.rows_changed()
        if at_end:  # sent to the end while the log was being read: still at its end
            self.action_bottom()

    def action_bottom(self) -> None:
        super().action_bottom()
        self._to_end = True

    def move_cursor(self, index: int) -> None:
        self._to_end = False
        super().move_cursor(index)

    def styled_line(self, number: int) -> Text:
        """Lines are parsed when first shown, not when the log is opened."""
        text = self._parsed.get(number)
        if text is None:
            text = self._parsed[number] = styled(self.log_data.parsed(number), self.style_of)
            if len(self._parsed) > CACHED_LINES:
                self._parsed.popitem(last=False)
        return text

    # --- filtering ----------------------------------------------------------------------
    def set_rows(self, rows: Sequence[int]) -> None:
        """Show only these line numbers (a filter's result, ascending; a range: every line),
        keeping the cursor's line if shown."""
        current = self.current_line
        self.rows = rows
        self.cursor_row = 0
        self.current_match = None
        self.rows_changed(keep_cursor=False)
        if current is not None:
            self.go_to_line(current, exact=False)

    @property
    def current_line(self) -> int | None:
        return self.rows[self.cursor] if self.rows else None

    def go_to_line(self, number: int, exact: bool = True) -> bool:
        """Put the cursor on line `number` (or, not exact, the first shown line at or after it)."""
        index = bisect_left(self.rows, number)
        if index >= len(self.rows) or (exact and self.rows[index] != number):
            return False
        self.move_cursor(index)
        return True

    def action_edge(self, end: int) -> None:
        self.action_bottom() if end else self.action_top()

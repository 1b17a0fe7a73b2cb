"""Logs: skyvern_log (coloured lines with filters), skyvern_log_raw (event table + detail) and
browser_console_log (message table, filtered by type)."""

from __future__ import annotations
from collections.abc import Callable, Sequence
from typing import Any, ClassVar


import time

from rich.text import Text
from textual import events, on, work
from textual.worker import get_current_worker
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from ...core.search import next_match
from ...core.formats.logs import SEVERITY, ConsoleMessage, RawEvent, SkyvernLog, event_json, matching_lines
from ...core.model import Artifact
from ...core.opening import read_rest_of_log
from ..text import highlight_code, safe_text
from ..widgets.cursor_view import Column, ColumnRows, CursorView, StyleOf, TableHeader
from ..widgets.detail_scroll import DetailScroll
from ..widgets.log_view import LEVEL_STYLES, LogView
from .base import Viewer
from .find import FIND_BINDINGS, FIND_CSS, FindBar, find_count, find_input
from .targets import numbered

# The level filter cycles through these: (label, lowest severity shown).
WARNING = SEVERITY["warning"]  # from here on a line is a problem
LEVEL_FILTERS = (("all levels", 0), ("warning and worse", WARNING), ("errors", SEVERITY["error"]))


def short_time(timestamp: str) -> str:
    """'2026-11-28T16:02:20.955363Z' -> '16:02:20.955'"""
    if "T" in timestamp:
        clock = timestamp.split("T", 1)[1].rstrip("Z")
        return clock[:12]
    return timestamp


class SkyvernLogViewer(FindBar, Viewer[SkyvernLog]):
    HELP_TITLE = "Skyvern log"
    HELP_WIDGETS = (LogView,)
    DEFAULT_CSS = """
    SkyvernLogViewer { layout: vertical; }
    SkyvernLogViewer .note { color: $text-muted; padding: 0 1; }
    SkyvernLogViewer Input.prompt { dock: bottom; display: none; border: none; height: 1; padding: 0 1; }
    SkyvernLogViewer Input.prompt.-open { display: block; }
    """ + FIND_CSS

    BINDINGS = [
        Binding("v", "cycle_level", "Level filter", id="log.level"),
        # `f` filters as in the HAR viewer (`t` is kept for the step story).
        Binding("f", "text_filter", "Text filter", id="log.filter"),
        # Problems are the log's "previous / next", as screenshots and frames are elsewhere. A
        # warning is one: Skyvern logs a failed action as a warning ("Try to click on a
        # disabled element"). The footer shows `]` only (both would push the other keys out of
        # it); the help lists both.
        Binding("right_square_bracket", "problem(1)", "Next problem (warning or error)", id="log.next"),
        Binding("left_square_bracket", "problem(-1)", "Previous problem (warning or error)", id="log.previous",
                show=False),
        *FIND_BINDINGS,
    ]

    MODEL = SkyvernLog
    model: SkyvernLog

    def on_mount(self) -> None:
        self.opened_early = not self.model.complete  # shown before the whole file was read
        if self.opened_early:
            # Once its first lines are on screen: the index's reads must not delay that paint.
            self.call_after_refresh(self._index_rest)

    @work(thread=True, exclusive=True, group="log-index", exit_on_error=False)
    def _index_rest(self) -> None:
        worker = get_current_worker()
        last = [0.0]

        def progress(done: int, total: int) -> None:
            if time.monotonic() - last[0] > 0.25:
                last[0] = time.monotonic()
                self.app.call_from_thread(self._indexed, done, total)

        try:
            read_rest_of_log(self.artifact, self.model, progress, lambda: worker.is_cancelled)
        except OSError as exc:
            self.app.call_from_thread(self.notify, f"Reading the log stopped: {exc}", severity="error", markup=False)
        self.app.call_from_thread(self._indexed, self.model.read, self.model.size)

    def _indexed(self, done: int, total: int) -> None:
        """More lines are known: show them (the filter is applied again once all are)."""
        self.view.lines_added()
        self.query_one(".note", Static).update(self._summary())
        if self.model.complete and (self.level_filter or self.text_filter):
            self._refilter()
        elif self._pending_line is not None:
            self._go_to_pending()

    def __init__(self, artifact: Artifact, model: SkyvernLog, **kwargs) -> None:
        super().__init__(artifact, model, **kwargs)
        self.level_filter = 0
        self.text_filter = ""
        self._pending_line: int | None = None  # go_to's line, until indexed or shown

    def compose(self) -> ComposeResult:
        yield Static(self._summary(), classes="note")
        yield LogView(self.model)
        yield Input(classes="prompt")
        yield find_count()
        yield find_input("Find")

    @property
    def view(self) -> LogView:
        return self.query_one(LogView)

    def _summary(self) -> Text:
        text = Text(f"{self.model.shown_count:,} lines  ")
        if not self.model.complete:
            percent = 100 * self.model.read // max(1, self.model.size)
            text.append(f"indexing {percent}%…  ", style="bold yellow")
        for level, count in sorted(self.model.counts.items(), key=lambda kv: -kv[1]):
            text.append(f"{level} {count}  ", style=LEVEL_STYLES.get(level, ""))
        label = LEVEL_FILTERS[self.level_filter][0]
        text.append(f"· showing {label}", style="dim")
        if self.text_filter:
            text.append(" containing ", style="dim")
            text.append_text(safe_text(self.text_filter, "bold"))
        text.append("  (v level, f text, [ ] problems)", style="dim")
        return text

    def _refilter(self) -> None:
        self.query_one(".note", Static).update(self._summary())
        self._filter(LEVEL_FILTERS[self.level_filter][1], self.text_filter.lower())

    @work(thread=True, exclusive=True, group="log-filter", exit_on_error=False)
    def _filter(self, lowest: int, needle: str) -> None:
        """Which lines pass: a pass over every line, so in a worker (a log can have millions)."""
        worker = get_current_worker()
        rows = matching_lines(self.model, lowest, needle, lambda: worker.is_cancelled)
        if rows is not None and not worker.is_cancelled:  # else a newer filter replaced this one
            self.app.call_from_thread(self._filtered, rows)

    def _filtered(self, rows: Sequence[int]) -> None:
        self.view.set_rows(rows)
        if self._pending_line is not None:
            self._go_to_pending()

    def action_cycle_level(self) -> None:
        self.level_filter = (self.level_filter + 1) % len(LEVEL_FILTERS)
        self._refilter()

    def action_text_filter(self) -> None:
        prompt = self.query_one("Input.prompt", Input)
        prompt.placeholder = "Show only lines containing… (empty: all; enter applies)"
        prompt.value = self.text_filter
        prompt.add_class("-open")
        prompt.focus()

    def find_focus(self) -> LogView:
        return self.view

    @on(Input.Submitted, ".prompt")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        event.input.remove_class("-open")
        self.text_filter = event.value.strip()
        self._refilter()
        self.view.focus()

    def on_key(self, event: events.Key) -> None:
        prompt = self.query_one("Input.prompt", Input)
        if event.key == "escape" and prompt.has_focus:
            event.stop()
            event.prevent_default()
            prompt.remove_class("-open")
            self.view.focus()
            return
        super().on_key(event)

    def _seek(self, test, direction: int) -> bool:
        """Move the cursor to the next shown line (by number) that passes `test`."""
        view = self.view
        if not view.rows:
            return False
        found = next_match(len(view.rows), view.cursor, direction > 0, lambda index: test(view.rows[index]))
        if found is None:
            return False
        view.move_cursor(found)
        return True

    def action_problem(self, direction: int) -> None:
        """The next (previous) warning, error or worse among the lines shown."""
        view = self.view
        if not view.filtered:  # every line shown: the index finds it (a C search, not a loop here)
            found = self.model.next_problem(view.cursor, direction > 0, len(view.rows)) if view.rows else None
            if found is not None:
                view.move_cursor(found)
                return
        else:
            severities = self.model.severities
            if self._seek(lambda number: severities[number] - 1 >= WARNING, direction):
                return
        self.notify("No warnings or errors among the lines shown.", severity="information")

    def show_end(self) -> None:
        self.view.action_edge(1)

    # --- go to ----------------------------------------------------------------------------
    def go_to(self, target: str) -> bool:
        """`line:N` (from 0): the cursor on that line. A filter that hides it is cleared (and
        says so); a line not indexed yet is gone to once it is."""
        line = numbered(target, "line")
        if line is None or (self.model.complete and line >= self.model.line_count):
            return False
        self._pending_line = line
        self._go_to_pending()
        return True

    def _go_to_pending(self) -> None:
        line = self._pending_line
        if line is None or line >= self.model.line_count:
            return  # not indexed yet: _indexed comes back here
        view = self.view
        if view.go_to_line(line):
            self._pending_line = None
            # Near the top, with a few lines of what led to it above.
            view.scroll_to(y=max(0, view.screen_row_of(view.cursor) - 3), animate=False)
            view.focus()
        elif self.level_filter or self.text_filter:
            self.level_filter, self.text_filter = 0, ""
            self.notify(f"Line {line + 1} was hidden by the filter: the filter is cleared.", timeout=4, markup=False)
            self._refilter()  # the worker's rows come back through _filtered, which comes back here
        # else: every line is on its way to the view (a filter just cleared): _filtered comes back


LEVEL_CLASSES = {
    "debug": "record-table--debug", "info": "record-table--info", "warning": "record-table--warning",
    "warn": "record-table--warning", "error": "record-table--error", "exception": "record-table--error",
    "critical": "record-table--critical",
}


class RecordTable(CursorView):
    """The records as a virtual table: only the rows on screen are drawn, coloured by the
    component classes below (so a theme restyles them)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "record-table--time", "record-table--source", "record-table--debug", "record-table--info",
        "record-table--warning", "record-table--error", "record-table--critical",
    }
    DEFAULT_CSS = """
    RecordTable { height: 2fr; }
    RecordTable > .record-table--time { color: $text-muted; }
    RecordTable > .record-table--source { color: $text-muted; }
    RecordTable > .record-table--debug { color: $text-muted; }
    RecordTable > .record-table--info { color: $text-success; }
    RecordTable > .record-table--warning { color: $text-warning; text-style: bold; }
    RecordTable > .record-table--error { color: $text-error; text-style: bold; }
    RecordTable > .record-table--critical { color: $text-error; text-style: bold reverse; }
    """
    EMPTY = "Nothing matches."

    def __init__(self, rows: ColumnRows[Any], **kwargs) -> None:
        super().__init__(rows, cursor=True, **kwargs)
        self.rows = rows


class RecordTableViewer(FindBar, Viewer[list]):
    """A table of records with a detail area for the selected one, and a cycling filter."""

    HELP_WIDGETS = (RecordTable,)
    DEFAULT_CSS = """
    RecordTableViewer { layout: vertical; }
    RecordTableViewer .note { color: $text-muted; padding: 0 1; }
    RecordTableViewer VerticalScroll { height: 1fr; border-top: solid $panel-lighten-2; padding: 0 1; }
    """ + FIND_CSS

    BINDINGS = [
        Binding("v", "cycle_filter", "Level filter", id="records.level"),
    ]
    COLUMNS: tuple[Column, ...] = ()
    TARGET = ""  # what go_to's `TARGET:N` counts: the model's records, from 0

    def __init__(self, artifact: Artifact, model, **kwargs) -> None:
        super().__init__(artifact, model, **kwargs)
        self.filter_index = 0
        self.rows: list = []

    def filters(self) -> list[tuple[str, Callable[[Any], bool]]]:
        """(label, which records to keep) for each step of the `v` filter."""
        raise NotImplementedError

    def cells(self, record: Any, style: StyleOf) -> tuple[Text, ...]:
        """The table row of a record, styled with the table's component classes."""
        raise NotImplementedError

    def detail(self, record: Any) -> Text:
        """Every field of a record, for the pane under the table."""
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        yield Static(classes="note")
        self.rows = self._kept()  # before the table mounts, so its first row is a record
        rows: ColumnRows[Any] = ColumnRows(self.COLUMNS, self.rows, self.cells)
        yield TableHeader(rows)
        yield RecordTable(rows)
        with DetailScroll():
            yield Static(classes="detail")
        yield find_count()
        yield find_input("Find")

    @property
    def table(self) -> RecordTable:
        return self.query_one(RecordTable)

    def find_focus(self) -> RecordTable:
        return self.table

    def on_mount(self) -> None:
        self._fill()

    def _kept(self) -> list:
        keep = self.filters()[self.filter_index][1]
        return [record for record in self.model if keep(record)]

    def _fill(self) -> None:
        label = self.filters()[self.filter_index][0]
        self.rows = self._kept()
        table = self.table
        table.rows.items = self.rows
        table.rows_changed(keep_cursor=False)
        table.scroll_to(y=0, animate=False)
        self.query_one(".note", Static).update(
            Text(f"{len(self.rows)} of {len(self.model)} shown · {label}  (v changes the filter)", style="")
        )
        self._show_detail(table.cursor_row or 0)

    def action_cycle_filter(self) -> None:
        self.filter_index = (self.filter_index + 1) % len(self.filters())
        self._fill()

    def on_cursor_view_highlighted(self, event: CursorView.Highlighted) -> None:
        event.stop()
        row = self.table.cursor_row
        self._show_detail(row if row is not None and self.table.row_count else -1)

    def _show_detail(self, row: int) -> None:
        detail = self.query_one(".detail", Static)
        detail.update(self.detail(self.rows[row]) if 0 <= row < len(self.rows) else Text("Nothing matches.", style="dim"))

    def show_end(self) -> None:
        self.table.action_bottom()

    def go_to(self, target: str) -> bool:
        """`TARGET:N`: record N of the model selected, its detail shown; a filter that hides it
        is cleared (and says so)."""
        number = numbered(target, self.TARGET) if self.TARGET else None
        if number is None or number >= len(self.model):
            return False
        record = self.model[number]
        row = self._row_of(record)
        if row is None:
            self.filter_index = 0  # every filter's first step keeps every record
            self._fill()
            self.notify(f"{self.TARGET.capitalize()} {number + 1} was hidden by the filter: the filter is cleared.",
                        timeout=4, markup=False)
            row = self._row_of(record)
        if row is None:
            return False
        table = self.table
        table.move_cursor(row)
        table.scroll_to(y=max(0, row - 3), animate=False)
        self._show_detail(row)
        table.focus()
        return True

    def _row_of(self, record: Any) -> int | None:
        return next((i for i, kept in enumerate(self.rows) if kept is record), None)


class SkyvernLogRawViewer(RecordTableViewer):
    HELP_TITLE = "Skyvern raw log (events)"
    TARGET = "line"  # one event a line
    COLUMNS = (Column("Time", 12), Column("Level", 9), Column("Event", least=12), Column("File", 16))
    MODEL = list
    model: list[RawEvent]

    def filters(self):
        return [(label, lambda e, lowest=lowest: e.severity >= lowest) for label, lowest in LEVEL_FILTERS]

    def cells(self, event: RawEvent, style: StyleOf) -> tuple[Text, ...]:
        level = LEVEL_CLASSES.get(event.level)
        return (
            Text(short_time(event.timestamp), style=style("record-table--time")),
            Text(event.level, style=style(level) if level else ""),
            safe_text(event.event),
            safe_text(event.file, style("record-table--source")),
        )

    def detail(self, event: RawEvent):
        code = event_json(event)
        return highlight_code(code, "json")


CONSOLE_STYLES = {"error": "bold red", "warning": "bold yellow", "info": "cyan", "debug": "dim"}  # the detail pane
CONSOLE_CLASSES = {"error": "record-table--error", "warning": "record-table--warning",
                   "info": "record-table--info", "debug": "record-table--debug"}


class ConsoleLogViewer(RecordTableViewer):
    HELP_TITLE = "Browser console log"
    TARGET = "message"
    COLUMNS = (Column("Time", 12), Column("Type", 7), Column("Message", least=12), Column("Source", 16))
    MODEL = list
    model: list[ConsoleMessage]

    def filters(self):
        kinds = sorted({m.type for m in self.model})
        return [("all types", lambda m: True)] + [(f"type {k}", lambda m, k=k: m.type == k) for k in kinds]

    def cells(self, message: ConsoleMessage, style: StyleOf) -> tuple[Text, ...]:
        first_line = message.text.split("\n", 1)[0]
        kind = CONSOLE_CLASSES.get(message.type)
        return (
            Text(short_time(message.timestamp), style=style("record-table--time")),
            Text(message.type, style=style(kind) if kind else ""),
            safe_text(first_line[:200]),
            safe_text(message.location.rsplit("/", 1)[-1], style("record-table--source")),
        )

    def detail(self, message: ConsoleMessage) -> Text:
        text = Text.assemble((f"{message.timestamp}  ", "dim"), (message.type, CONSOLE_STYLES.get(message.type, "")), "\n")
        text.append_text(safe_text(message.text))
        if message.location:
            text.append("\n\nat ", style="dim")
            text.append_text(safe_text(message.location, "cyan"))
        return text

"""The run picker: every run of the active sources; type to filter, enter to open.

The filter line is also where a run id or a Skyvern app URL is pasted: enter opens the row under
the cursor, or, when no row matches, the id typed (even when it is not in the list). An exact id
of a listed run opens that run. `status:X` (repeatable) filters by status, `status:failed` being
every run that did not complete (failed, terminated, timed_out, canceled); other words filter the
local runs here and are sent to the server as its search (3+ characters, after a pause). Server
runs come a page at a time: reaching the last row loads the next page, once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.message import Message
from textual.widgets import Footer, Input, Static

from ...core.errors import TuiError, describe_error
from ...core.ids import run_id_from
from ...core.model import Run
from ...core.recent import RecentRun
from ...core.sources.base import Source, is_remote
from ..messages import OpenRun
from ..text import human_duration, human_time, safe_text
from ..widgets.cursor_view import Column, ColumnRows, CursorView, StyleOf, TableHeader
from ..failures import ReportsWorkerFailures

COLUMNS = (Column("Run", 22), Column("Title", least=12), Column("Status", 10), Column("Created", 19),
           Column("Took", 8), Column("Artifacts", 9, right=True), Column("Source", 16))
STATUS_CLASSES = {
    "completed": "run-table--completed", "failed": "run-table--failed", "terminated": "run-table--failed",
    "timed_out": "run-table--failed", "canceled": "run-table--canceled", "running": "run-table--running",
    "queued": "run-table--waiting", "created": "run-table--waiting", "paused": "run-table--canceled",
}
PAGE_SIZE = 25
SEARCH_DELAY = 0.4  # seconds of quiet typing before the server is asked
# `status:failed` is what a person means by it: every run that did not complete.
STATUS_SHORTHANDS = {"failed": ("failed", "terminated", "timed_out", "canceled")}
PLACEHOLDER = "Filter (words; status:failed = did not complete) or paste a run id / Skyvern URL; enter opens"


@dataclass
class Query:
    """The filter line, understood: status:X tokens and the remaining words."""

    statuses: tuple[str, ...] = ()
    words: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Query:
        statuses, words = [], []
        for token in text.split():
            if token.lower().startswith("status:") and len(token) > 7:
                status = token[7:].lower()
                statuses += [s for s in STATUS_SHORTHANDS.get(status, (status,)) if s not in statuses]
            else:
                words.append(token.lower())
        return cls(tuple(statuses), tuple(words))

    @property
    def server_key(self) -> tuple[tuple[str, ...], str | None]:
        """What the server is asked for this query: runs listed for another key are stale."""
        return self.statuses, self.search

    @property
    def search(self) -> str | None:
        text = " ".join(self.words)
        return text if len(text) >= 3 else None

    def matches(self, run: Run) -> bool:
        if self.statuses and (run.status or "") not in self.statuses:
            return False
        haystack = " ".join(
            str(part) for part in (run.run_id, run.title, run.status, run.run_type, run.source) if part
        ).lower()
        return all(word in haystack for word in self.words)


@dataclass
class _Paging:
    """Where a server source is in its run list for the current query."""

    page: int = 0  # pages received
    done: bool = False
    runs: list[Run] = field(default_factory=list)
    asking: bool = False  # a page is on its way: reaching the last row again asks nothing more
    key: tuple[tuple[str, ...], str | None] = ((), None)  # the query its runs answer


def run_cells(row: tuple[Run, Source], style: StyleOf) -> tuple[Text, ...]:
    run, source = row
    status = STATUS_CLASSES.get(run.status or "")
    return (
        safe_text(run.run_id),
        safe_text(" ".join((run.title or "").split())),
        safe_text(run.status or "unknown", style(status) if status else style("run-table--muted")),
        Text(human_time(run.created_at)),
        Text(human_duration(run.duration_seconds)),
        Text("" if run.artifact_count is None else str(run.artifact_count)),
        safe_text(source.label, style("run-table--muted")),
    )


class RunTable(CursorView):
    """The runs shown; the focus stays in the filter line, whose arrow keys move this cursor."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "run-table--completed", "run-table--failed", "run-table--canceled", "run-table--running",
        "run-table--waiting", "run-table--muted",
    }
    DEFAULT_CSS = """
    RunTable { height: 1fr; }
    RunTable > .run-table--completed { color: $text-success; text-style: bold; }
    RunTable > .run-table--failed { color: $text-error; text-style: bold; }
    RunTable > .run-table--canceled { color: $text-warning; text-style: bold; }
    RunTable > .run-table--running { color: $text-accent; text-style: bold; }
    RunTable > .run-table--waiting { color: $text-accent; }
    RunTable > .run-table--muted { color: $text-muted; }
    """
    EMPTY = "No run matches."

    class Clicked(Message):
        """A run was clicked: it opens, as enter does."""

    def __init__(self, rows: ColumnRows[tuple[Run, Source]], **kwargs) -> None:
        super().__init__(rows, cursor=True, **kwargs)
        self.rows = rows

    def on_click(self, event: events.Click) -> None:
        super().on_click(event)  # the cursor to the row clicked
        if 0 <= int(self.scroll_y) + event.y < self.row_count:
            self.post_message(self.Clicked())


class PickerScreen(ReportsWorkerFailures, Screen):
    DEFAULT_CSS = """
    PickerScreen .status { color: $text-muted; padding: 0 1; height: auto; }
    """

    BINDINGS = [
        Binding("enter", "open_run", "Open", priority=True, id="picker.open"),
        Binding("down", "cursor(1)", "Next run", show=False, priority=True, id="picker.down"),
        Binding("up", "cursor(-1)", "Previous run", show=False, priority=True, id="picker.up"),
        Binding("pagedown", "cursor(10)", "Page down", show=False, priority=True, id="picker.page_down"),
        Binding("pageup", "cursor(-10)", "Page up", show=False, priority=True, id="picker.page_up"),
        Binding("slash", "focus_filter", "Filter", id="picker.find"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="picker.back"),
        Binding("ctrl+r", "refresh", "Refresh", id="picker.refresh"),
        # Letters type into the filter here, so `q` cannot quit: ctrl+q does.
        Binding("ctrl+q", "app.quit", "Quit", id="picker.quit"),
    ]

    def __init__(self, sources: list[Source], recent: list[RecentRun] | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.sources = sources
        self.recent = recent or []
        self.local_runs: list[tuple[Run, Source]] = []
        self.paging: dict[int, _Paging] = {}
        self.shown: list[tuple[Run, Source]] = []
        self.problems: list[str] = []
        self._search_timer: Timer | None = None
        # Each new first page (a refresh, a new search) starts a generation: answers of an older
        # one are dropped, so two pages of one list can never both land.
        self._generation = 0
        self._opening = False  # a run was asked for from here: coming back, the filter starts afresh

    def compose(self) -> ComposeResult:
        yield Input(placeholder=PLACEHOLDER, id="filter")
        yield Static(Text("Loading runs…"), classes="status")
        rows: ColumnRows[tuple[Run, Source]] = ColumnRows(COLUMNS, self.shown, run_cells)
        yield TableHeader(rows)
        yield RunTable(rows)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#filter", Input).focus()
        self.action_refresh()

    def on_screen_resume(self) -> None:
        # Back from a run: a fresh filter over the runs loaded, the status line true again (not
        # after the help or the palette, which leave the filter as it was).
        if self._opening:
            self._opening = False
            self.action_clear_filter()
            self._fill()
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        self.query_one("#filter", Input).value = ""  # Input.Changed refills the table

    def open_failed(self) -> None:
        """The run asked for could not be opened (the app said why): no stale "Opening…"."""
        self._opening = False
        self._fill()

    @property
    def query_text(self) -> str:
        return self.query_one("#filter", Input).value.strip()

    # --- loading ------------------------------------------------------------------------
    def action_refresh(self) -> None:
        self._set_status("Loading runs…")
        self.paging = {i: _Paging() for i, s in enumerate(self.sources) if is_remote(s)}
        self._load_local()
        self._ask_pages(first=True)

    @work(thread=True, exclusive=True, group="picker-local", exit_on_error=False)
    def _load_local(self) -> None:
        found: list[tuple[Run, Source]] = []
        problems: list[str] = []
        for source in self.sources:
            if is_remote(source):
                continue
            try:
                found += [(run, source) for run in source.list_runs()]
            except TuiError as exc:
                problems.append(f"{source.label}: {exc}")
            except Exception as exc:  # a bug in one source must not hide the others
                problems.append(f"{source.label}: {describe_error(exc)}")
        self.app.call_from_thread(self._local_loaded, found, problems)

    def _local_loaded(self, found: list[tuple[Run, Source]], problems: list[str]) -> None:
        self.local_runs = found
        self.problems = problems
        self._fill()

    def _ask_pages(self, first: bool) -> None:
        """Ask every server source for its first page (a new list), or the next page of those that
        have more and are not already asked for one."""
        query = Query.parse(self.query_text)
        if not first and any(p.page and p.key != query.server_key for p in self.paging.values()):
            # The runs listed answer an older query: the next page is the new query's first.
            if any(p.asking for p in self.paging.values()):
                return
            first = True
        if first:
            self._generation += 1
        pages: dict[int, int] = {}
        for index, paging in self.paging.items():
            if first:
                pages[index] = 1
            elif not paging.done and not paging.asking:
                pages[index] = paging.page + 1
            else:
                continue
            paging.asking = True
        if pages:
            self._load_pages(query, pages, self._generation)

    @work(thread=True, group="picker-pages", exit_on_error=False)
    def _load_pages(self, query: Query, pages: dict[int, int], generation: int) -> None:
        """Those pages, one per server source."""
        results: dict[int, tuple[int, list[Run], str | None]] = {}
        for index, page in pages.items():
            source = self.sources[index]
            if not is_remote(source):
                continue
            try:
                runs = source.list_runs_page(
                    page=page, page_size=PAGE_SIZE, statuses=query.statuses, search=query.search
                )
                results[index] = (page, runs, None)
            except Exception as exc:
                results[index] = (page, [], f"{source.label}: {describe_error(exc)}")
        self.app.call_from_thread(self._pages_loaded, results, generation, query)

    def _pages_loaded(self, results: dict[int, tuple[int, list[Run], str | None]], generation: int,
                      query: Query) -> None:
        if generation != self._generation:
            return  # the answer to a list since replaced (a refresh, a newer search)
        for index, (page, runs, problem) in results.items():
            paging = self.paging[index]
            paging.asking = False
            if page == 1:
                paging.page, paging.runs, paging.key = 0, [], query.server_key
            if page != paging.page + 1:
                continue  # not the page that comes next: never the same page twice
            if problem:
                self.problems = [p for p in self.problems if not p.startswith(self.sources[index].label)] + [problem]
                paging.done = True
                continue
            paging.page = page
            paging.runs += runs
            paging.done = len(runs) < PAGE_SIZE
        self._fill()

    # --- showing ------------------------------------------------------------------------
    def _set_status(self, message: str) -> None:
        self.query_one(".status", Static).update(safe_text(message))

    def _fill(self) -> None:
        query = Query.parse(self.query_text)
        table = self.table
        rows: list[tuple[Run, Source]] = []
        # Server runs were filtered by the server (its search looks at more than we see); until
        # it has answered the query on screen, its runs of the last one are filtered here.
        for index, paging in self.paging.items():
            fresh = paging.key == query.server_key
            rows += [(run, self.sources[index]) for run in paging.runs if fresh or query.matches(run)]
        rows += [(run, source) for run, source in self.local_runs if query.matches(run)]
        rows = self._recent_first(rows) if not self.query_text else rows
        self.shown = rows
        table.rows.items = rows
        table.rows_changed()  # the cursor stays where it was, within the rows
        more = any(not p.done for p in self.paging.values())
        runs = "1 run" if len(rows) == 1 else f"{len(rows)} runs"
        sources = "1 source" if len(self.sources) == 1 else f"{len(self.sources)} sources"
        message = f"{runs}{' (more below)' if more else ''} from {sources}. Enter opens, ctrl+r refreshes."
        if self.problems:
            message += "  Problems: " + "; ".join(self.problems)
        self._set_status(message)

    def _recent_first(self, rows: list[tuple[Run, Source]]) -> list[tuple[Run, Source]]:
        order = {(r.run_id, r.source): i for i, r in enumerate(self.recent)}
        return sorted(rows, key=lambda row: order.get((row[0].run_id, row[1].label), len(order)))

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self._fill()  # local runs at once
        if self.paging:
            if self._search_timer is not None:
                self._search_timer.stop()
            self._search_timer = self.set_timer(SEARCH_DELAY, self._search_server)

    def _search_server(self) -> None:
        self._search_timer = None
        if any(p.key != Query.parse(self.query_text).server_key for p in self.paging.values()):
            self._ask_pages(first=True)

    @property
    def table(self) -> RunTable:
        return self.query_one(RunTable)

    def on_cursor_view_highlighted(self, event: CursorView.Highlighted) -> None:
        # The last row is in view: fetch the next page of the servers that have more.
        event.stop()
        row = event.row
        if row is not None and row >= len(self.shown) - 1 and any(not p.done for p in self.paging.values()):
            self._ask_pages(first=False)

    def action_cursor(self, delta: int) -> None:
        table = self.table
        if table.row_count and table.cursor_row is not None:
            table.move_cursor(table.cursor_row + delta)

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def on_run_table_clicked(self, event: RunTable.Clicked) -> None:
        event.stop()
        self.action_open_run()

    def action_open_run(self) -> None:
        # enter is a priority key, handled before the filter line has taken the keys typed just
        # before it: decide once it has (its queue holds them, so this runs after them).
        self.query_one("#filter", Input).call_later(self._open_typed)

    def _open_typed(self) -> None:
        """The exact id of a listed run opens that run; else the row under the cursor; else, when
        no row matches, the id or URL typed, from whichever source has it."""
        self._fill()  # the rows of the text as it is now
        text = self.query_text
        typed = run_id_from(text) if text else None
        listed = [(run, self.sources[i]) for i, p in self.paging.items() for run in p.runs] + self.local_runs
        # A pasted URL matches no row as words: its id is looked for among every run listed.
        exact = next((row for row in [*self.shown, *listed] if typed and row[0].run_id == typed), None)
        row = self.table.cursor_row
        if exact is None and self.shown and row is not None and 0 <= row < len(self.shown):
            exact = self.shown[row]
        if exact is not None:
            run, source = exact
            self._set_status(f"Opening {run.run_id}…")
            self._opening = True
            self.post_message(OpenRun(run.run_id, source))
        elif typed:
            # A pasted id or URL: ask the sources that can have it.
            self._set_status(f"Opening {typed}…")
            self._opening = True
            self.post_message(OpenRun(typed))
        else:
            self.notify("No run to open.", severity="warning")

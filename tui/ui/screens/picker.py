"""The run picker: every run of the active sources; type to filter, enter to open."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from ...core.errors import TuiError
from ...core.model import Run
from ...core.sources.base import Source
from ..text import human_duration, human_time, safe_text, status_text

COLUMNS = ("Run", "Title", "Status", "Created", "Took", "Artifacts", "Source")


def run_matches(run: Run, query: str) -> bool:
    if not query:
        return True
    haystack = " ".join(
        str(part) for part in (run.run_id, run.title, run.status, run.run_type, run.source) if part
    ).lower()
    return all(word in haystack for word in query.lower().split())


class PickerScreen(Screen):
    DEFAULT_CSS = """
    PickerScreen Input { margin: 0 0; }
    PickerScreen .status { color: $text-muted; padding: 0 1; height: auto; }
    PickerScreen DataTable { height: 1fr; }
    """

    BINDINGS = [
        Binding("enter", "open_run", "Open", priority=True),
        Binding("down", "cursor(1)", "Next run", show=False, priority=True),
        Binding("up", "cursor(-1)", "Previous run", show=False, priority=True),
        Binding("slash", "focus_filter", "Filter"),
        Binding("ctrl+r", "refresh", "Refresh"),
        Binding("ctrl+q", "app.quit", "Quit"),
    ]

    def __init__(self, sources: list[Source], **kwargs) -> None:
        super().__init__(**kwargs)
        self.sources = sources
        self.all_runs: list[tuple[Run, Source]] = []
        self.shown: list[tuple[Run, Source]] = []

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Type to filter runs by id, title, status or source", id="filter")
        yield Static(Text("Loading runs…"), classes="status")
        table: DataTable = DataTable(cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#filter", Input).focus()
        self.action_refresh()

    def action_refresh(self) -> None:
        self.query_one(".status", Static).update(Text("Loading runs…"))
        self._load()

    @work(thread=True, exclusive=True, group="picker-load", exit_on_error=False)
    def _load(self) -> None:
        found: list[tuple[Run, Source]] = []
        problems: list[str] = []
        for source in self.sources:
            try:
                found += [(run, source) for run in source.list_runs()]
            except TuiError as exc:
                problems.append(f"{source.label}: {exc}")
            except Exception as exc:  # a bug in one source must not hide the others
                problems.append(f"{source.label}: {type(exc).__name__}: {exc}")
        self.app.call_from_thread(self._loaded, found, problems)

    def _loaded(self, found: list[tuple[Run, Source]], problems: list[str]) -> None:
        self.all_runs = found
        runs = "1 run" if len(found) == 1 else f"{len(found)} runs"
        sources = "1 source" if len(self.sources) == 1 else f"{len(self.sources)} sources"
        message = f"{runs} from {sources}. Type to filter, enter opens, ctrl+r refreshes."
        if problems:
            message += "  Problems: " + "; ".join(problems)
        self.query_one(".status", Static).update(safe_text(message))
        self._fill()

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self._fill()

    def _fill(self) -> None:
        query = self.query_one("#filter", Input).value.strip()
        table = self.query_one(DataTable)
        table.clear()
        self.shown = [(run, source) for run, source in self.all_runs if run_matches(run, query)]
        for run, _source in self.shown:
            title = safe_text(run.title or "", "")
            title.truncate(60, overflow="ellipsis")
            table.add_row(
                safe_text(run.run_id),
                title,
                status_text(run.status),
                Text(human_time(run.created_at)),
                Text(human_duration(run.duration_seconds)),
                Text("" if run.artifact_count is None else str(run.artifact_count), justify="right"),
                safe_text(run.source, "dim"),
            )

    def action_cursor(self, delta: int) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + delta)))

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open_run()

    def action_open_run(self) -> None:
        table = self.query_one(DataTable)
        if not self.shown or table.cursor_row < 0 or table.cursor_row >= len(self.shown):
            self.notify("No run to open.", severity="warning")
            return
        run, source = self.shown[table.cursor_row]
        self.query_one(".status", Static).update(safe_text(f"Opening {run.run_id}…"))
        self.app.open_run(source, run.run_id)

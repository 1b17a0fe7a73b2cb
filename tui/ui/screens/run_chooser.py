"""Choose the other run of a comparison: the runs of the app's sources (a server's first page),
filtered as in the picker, or an id or app URL typed or pasted. Dismisses with the choice, or
None on escape."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ...core.errors import TuiError, describe_error
from ...core.ids import run_id_from
from ...core.model import Run
from ...core.sources.base import Source, is_remote
from ..failures import ReportsWorkerFailures
from ..widgets.cursor_view import ColumnRows, CursorView, TableHeader
from .picker import COLUMNS, PAGE_SIZE, Query, RunTable, run_cells

PLACEHOLDER = "Filter the runs, or paste a run id / Skyvern URL; enter compares, escape cancels"


@dataclass(frozen=True)
class ChosenRun:
    run_id: str
    source: Source | None  # None: a pasted id, looked for in every source


class RunChooserScreen(ReportsWorkerFailures, ModalScreen[ChosenRun | None]):
    DEFAULT_CSS = """
    RunChooserScreen { align: center middle; }
    RunChooserScreen > Vertical { width: 90%; height: 80%; border: round $accent; background: $surface; }
    RunChooserScreen .status { color: $text-muted; padding: 0 1; height: 1; }
    """
    BINDINGS = [
        Binding("enter", "choose", "Compare", priority=True, id="run_chooser.open"),
        Binding("down", "cursor(1)", "Next run", show=False, priority=True, id="run_chooser.down"),
        Binding("up", "cursor(-1)", "Previous run", show=False, priority=True, id="run_chooser.up"),
        Binding("escape", "dismiss_none", "Cancel", id="run_chooser.back"),
    ]

    def __init__(self, sources: list[Source], title: str) -> None:
        super().__init__()
        self.sources = sources
        self.title_text = title
        self.runs: list[tuple[Run, Source]] = []
        self.shown: list[tuple[Run, Source]] = []
        self.rows: ColumnRows[tuple[Run, Source]] = ColumnRows(COLUMNS, self.shown, run_cells)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text, style="bold"))
            yield Input(placeholder=PLACEHOLDER, id="chooser-filter")
            yield TableHeader(self.rows)
            yield RunTable(self.rows)
            yield Static(Text("Listing the runs…"), classes="status")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._list_runs()

    @work(thread=True, exclusive=True, group="run-chooser", exit_on_error=False)
    def _list_runs(self) -> None:
        found: list[tuple[Run, Source]] = []
        problems: list[str] = []
        for source in self.sources:
            try:
                runs = source.list_runs_page(page_size=PAGE_SIZE) if is_remote(source) else source.list_runs()
                found += [(run, source) for run in runs]
            except TuiError as exc:
                problems.append(f"{source.label}: {exc}")
            except Exception as exc:  # one broken source must not hide the others
                problems.append(f"{source.label}: {describe_error(exc)}")
        self.app.call_from_thread(self._listed, found, problems)

    def _listed(self, found: list[tuple[Run, Source]], problems: list[str]) -> None:
        self.runs = found
        self._fill()
        if problems:
            self.query_one(".status", Static).update(Text("; ".join(problems)))

    def _fill(self) -> None:
        query = Query.parse(self.query_one(Input).value)
        self.shown = [row for row in self.runs if query.matches(row[0])]
        self.rows.items = self.shown
        table = self.query_one(RunTable)
        table.rows_changed()
        count = len(self.shown)
        self.query_one(".status", Static).update(Text(f"{count} run{'s' if count != 1 else ''}"))

    @on(Input.Changed)
    def _filter_changed(self) -> None:
        self._fill()

    def action_cursor(self, delta: int) -> None:
        table = self.query_one(RunTable)
        if table.row_count and table.cursor_row is not None:
            table.move_cursor(table.cursor_row + delta)

    def action_choose(self) -> None:
        # As in the picker: decide once the filter line has taken the keys typed before enter.
        self.query_one(Input).call_later(self._choose)

    def _choose(self) -> None:
        self._fill()
        text = self.query_one(Input).value.strip()
        typed = run_id_from(text) if text else None
        exact = next((row for row in self.runs if typed and row[0].run_id == typed), None)
        row = self.query_one(RunTable).cursor_row
        if exact is None and self.shown and row is not None and 0 <= row < len(self.shown):
            exact = self.shown[row]
        if exact is not None:
            self.dismiss(ChosenRun(exact[0].run_id, exact[1]))
        elif typed:
            self.dismiss(ChosenRun(typed, None))
        else:
            self.notify("No run to compare with.", severity="warning", markup=False)

    def on_run_table_clicked(self, event: RunTable.Clicked) -> None:
        event.stop()
        self.action_choose()

    def on_cursor_view_highlighted(self, event: CursorView.Highlighted) -> None:
        event.stop()  # the app's own handlers are for the run screen's lists

    def action_dismiss_none(self) -> None:
        self.dismiss(None)

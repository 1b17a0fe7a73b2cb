"""Two runs side by side, step by step (core.compare.runs): one row per step, the first
divergence highlighted and under the cursor when the comparison shows, `n`/`N` from divergence to
divergence, enter diffs the row's two artifacts (`messages.CompareArtifacts`), escape goes back
(and cancels the reading while it runs)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from ...core.compare.runs import (
    FIRST_MARK, OTHER_MARK, RunDiff, RunDiffRow, RunSide, StepSummary, compare_runs, find_run, load_side, table_rows,
)
from ...core.model import RunDetail
from ...core.run_model.model import Part, RunModel
from ...core.sources.base import Source
from ..failures import ReportsWorkerFailures
from ..messages import CompareArtifacts
from ..text import safe_text
from ..widgets.cursor_view import Column, ColumnRows, CursorView, StyleOf, TableHeader
from .run_chooser import ChosenRun, RunChooserScreen

# The parts a run model reads, in order (core.run_model.build.PARTS, without importing the builder).
PARTS = (Part.LOGS, Part.DECISIONS, Part.ELEMENTS, Part.CONSOLE, Part.NETWORK)
COLUMNS = (Column("", 2), Column("Step", 16), Column("Status A", 10), Column("Status B", 10),
           Column("Actions A | B", least=24), Column("Calls", 7), Column("URL", least=10))


@dataclass(frozen=True)
class DiffSide:
    """A run to compare: its id and source (None: whichever source has it), its detail if loaded."""

    run_id: str
    source: Source | None
    detail: RunDetail | None = None


class DiffRows(ColumnRows[tuple[int, tuple[str, ...], RunDiffRow]]):
    """The rows of a comparison; diverging rows tinted, the first one more."""

    def row_background(self, index: int) -> str | None:
        mark = self.items[index][1][0]
        return "run-diff--first" if mark == FIRST_MARK else "run-diff--diverges" if mark == OTHER_MARK else None


def side_lines(name: str, summary: StepSummary | None) -> list[Text]:
    """One side of the row under the cursor, whole: status, URL, calls, each action's element."""
    if summary is None:
        return [Text.assemble((f"{name} ", "bold"), ("no such step in this run", "dim"))]
    calls = ", ".join(summary.calls) or "no LLM call"
    head = Text.assemble((f"{name} ", "bold"), summary.label, " · ", summary.status or "status unknown", " · ",
                         summary.url or "URL unknown", " · ", calls)
    lines = [head]
    for number, action in enumerate(summary.actions, start=1):
        text = f" ={action.text!r}" if action.text else ""
        status = f" ({action.status})" if action.status else ""
        lines.append(Text(f"  {number}. {action.action_type} {action.element}{text}{status}"))
    return lines


def row_detail(row: RunDiffRow) -> Text:
    lines = [*side_lines("A", row.left), *side_lines("B", row.right)]
    what = ", ".join(row.differences) if row.differences else "nothing"
    pair = f"enter diffs their {row.pair_type}" if row.pair_type else "nothing to diff"
    lines.append(Text(f"differs: {what} · {pair}", style="italic"))
    return Text("\n").join(lines)


def diff_cells(item: tuple[int, tuple[str, ...], RunDiffRow], style: StyleOf) -> Sequence[Text]:
    _, cells, _ = item
    return [safe_text(cell) for cell in cells]


class RunDiffTable(CursorView):
    """The comparison's rows: the cursor view's keys, with n/N for divergences, enter to diff."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"run-diff--first", "run-diff--diverges"}
    DEFAULT_CSS = """
    RunDiffTable { height: 1fr; }
    RunDiffTable > .run-diff--first { background: $error 40%; text-style: bold; }
    RunDiffTable > .run-diff--diverges { background: $warning 15%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "screen.divergence(1)", "Next divergence", id="rundiff.next_match"),
        Binding("N", "screen.divergence(-1)", "Previous divergence", id="rundiff.previous_match"),
        Binding("enter", "screen.open_pair", "Diff the step's artifacts", id="rundiff.open"),
    ]


class RunDiffScreen(ReportsWorkerFailures, Screen):
    DEFAULT_CSS = """
    RunDiffScreen .run-diff-head { padding: 0 1; height: auto; }
    RunDiffScreen .run-diff-status { color: $text-muted; padding: 0 1; height: auto; }
    RunDiffScreen .run-diff-row { padding: 0 1; height: auto; max-height: 12; border-top: solid $panel; }
    """
    BINDINGS = [Binding("escape", "back", "Back", id="rundiff.back")]

    def __init__(self, left: DiffSide, right: DiffSide, sources: Sequence[Source] = ()) -> None:
        super().__init__()
        self.left, self.right = left, right
        self.sources = list(sources)  # where a side with no source is looked for
        self.diff: RunDiff | None = None
        self.rows = DiffRows(COLUMNS, [], diff_cells)

    def compose(self) -> ComposeResult:
        yield Static(Text(f"A {self.left.run_id}  ·  B {self.right.run_id}", style="bold"), classes="run-diff-head")
        yield TableHeader(self.rows)
        yield RunDiffTable(self.rows, cursor=True)
        yield Static(Text(""), classes="run-diff-row")
        yield Static(Text("Reading the runs…"), classes="run-diff-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(RunDiffTable).focus()
        self._compare()

    @property
    def reading(self) -> bool:
        return any(w.group == "run-diff" and w.is_running for w in self.workers)

    def _status(self, text: str) -> None:
        self.query_one(".run-diff-status", Static).update(Text(text))

    @work(thread=True, exclusive=True, group="run-diff", exit_on_error=False, name="Comparing the runs")
    def _compare(self) -> None:
        worker = get_current_worker()

        def cancelled() -> bool:
            return worker.is_cancelled

        sides: list[RunSide] = []
        for name, side in (("A", self.left), ("B", self.right)):
            self.app.call_from_thread(self._status, f"Reading run {name} ({side.run_id})…")
            source, detail = side.source, side.detail
            if source is None:
                source, detail = find_run(self.sources, side.run_id)

            def progress(model: RunModel, which: str = f"{name} ({side.run_id})") -> None:
                part = next((p for p in PARTS if p in model.loading), None)
                if part is not None:
                    self.app.call_from_thread(self._status, f"Reading run {which}: {part.label}…")

            sides.append(load_side(source, side.run_id, cancelled, detail, progress))
            if cancelled():
                return
        diff = compare_runs(sides[0], sides[1])
        items = [(i, cells, row) for i, (cells, row) in enumerate(zip(table_rows(diff), diff.rows, strict=True))]
        self.app.call_from_thread(self._show, diff, items)

    def _show(self, diff: RunDiff, items: list[tuple[int, tuple[str, ...], RunDiffRow]]) -> None:
        self.diff = diff
        self.rows.items = items
        table = self.query_one(RunDiffTable)
        table.rows_changed(keep_cursor=False)
        if diff.first_divergence is not None:
            table.move_cursor(diff.first_divergence)
        self._status(diff.summary())

    def on_cursor_view_highlighted(self, event: CursorView.Highlighted) -> None:
        event.stop()  # the app's handlers are for the run screen's lists
        diff, row = self.diff, event.row
        if diff is not None and row is not None and 0 <= row < len(diff.rows):
            self.query_one(".run-diff-row", Static).update(row_detail(diff.rows[row]))

    def show_worker_failure(self, worker, reason: str) -> bool:
        self._status(f"Could not compare: {reason}")
        return True

    def action_divergence(self, direction: int) -> None:
        diff = self.diff
        if diff is None or not diff.divergences:
            self.notify("No divergence.", markup=False)
            return
        cursor = self.query_one(RunDiffTable).cursor_row or 0
        ahead = [i for i in diff.divergences if (i - cursor) * direction > 0]
        # As find does: past the last one, wrap to the first.
        target = (ahead[0] if direction > 0 else ahead[-1]) if ahead else (
            diff.divergences[0] if direction > 0 else diff.divergences[-1])
        self.query_one(RunDiffTable).move_cursor(target)

    def action_open_pair(self) -> None:
        diff, cursor = self.diff, self.query_one(RunDiffTable).cursor_row
        if diff is None or cursor is None or not 0 <= cursor < len(diff.rows):
            return
        row = diff.rows[cursor]
        if row.pair is None:
            why = "is in one run only" if row.left is None or row.right is None else "has no artifact of one type on both sides"
            self.notify(f"{row.label} {why}: nothing to diff.", markup=False)
            return
        self.post_message(CompareArtifacts(*row.pair))

    def action_back(self) -> None:
        for worker in self.workers:
            if worker.group == "run-diff":
                worker.cancel()
        self.dismiss()


def compare_with_run(screen: Screen, source: Source, detail: RunDetail) -> None:
    """The palette's "Compare with run…": choose the other run, then compare it with this one."""
    app = screen.app
    sources = list(getattr(app, "sources", [source]))

    def chosen(choice: ChosenRun | None) -> None:
        if choice is not None:
            app.push_screen(RunDiffScreen(DiffSide(detail.run.run_id, source, detail),
                                          DiffSide(choice.run_id, choice.source), sources))

    app.push_screen(RunChooserScreen(sources, f"Compare {detail.run.run_id} with…"), chosen)

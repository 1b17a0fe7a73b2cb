"""The diff of two artifacts of one kind: `D` from an artifact, or enter on a row of a run
comparison (both post `messages.CompareArtifacts`, which the app turns into this screen).

Both sides are read and compared in a worker (core.compare); the result is drawn on a line-API
view, unified, or side by side from SIDE_BY_SIDE columns on (it follows a resize). `n`/`N`
go to the next/previous change, `/` finds (then n/N go to the matches, until escape closes
the find bar), escape goes back, whatever is shown (an error panel, the reading, the diff)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static
from textual.worker import Worker, get_current_worker

from ...core.compare.result import Comparison, Kind, Pair, Row, Side
from ...core.errors import describe_error
from ...core.located import Located
from ..failures import ReportsWorkerFailures
from ..viewers.find import FIND_CSS, FindBar, find_count, find_input
from ..widgets.cursor_view import CursorView, StyleOf
from ..widgets.error_panel import ErrorPanel
from ..widgets.line_view import MAX_LINE

SIDE_BY_SIDE = 140  # columns from which the two sides are shown next to each other
SIGNS = {Kind.SAME: " ", Kind.REMOVED: "-", Kind.ADDED: "+", Kind.CHANGED: "~", Kind.HEADER: "▸"}
_TINTS = {Kind.REMOVED: "diff-view--removed", Kind.ADDED: "diff-view--added", Kind.HEADER: "diff-view--header"}
_MARKS = {Kind.REMOVED: "diff-view--removed-mark", Kind.ADDED: "diff-view--added-mark"}


def _clip(text: str) -> str:
    return text if len(text) <= MAX_LINE else f"{text[:MAX_LINE]} … (+{len(text) - MAX_LINE:,} characters)"


def _side_text(side: Side, kind: Kind, style: StyleOf) -> Text:
    """A side's text, its changed characters marked (no markup: the text is data)."""
    text = Text(_clip(side.text))
    mark = _MARKS.get(kind)
    if mark:
        for start, end in side.marks:
            text.stylize(style(mark), start, end)
    if kind is Kind.HEADER:
        text.stylize(style("diff-view--header-text"))
    return text


class DiffRows:
    """A comparison as rows of a CursorView: its unified rows, or its pairs side by side."""

    def __init__(self, comparison: Comparison, side_by_side: bool) -> None:
        self.comparison = comparison
        self.side_by_side = side_by_side
        self._digits = len(str(comparison.last_number)) if comparison.last_number else 0

    @property
    def changes(self) -> list[int]:
        return self.comparison.pair_changes if self.side_by_side else self.comparison.row_changes

    def row_count(self) -> int:
        return len(self.comparison.pairs if self.side_by_side else self.comparison.rows)

    def _unified(self, row: Row, style: StyleOf) -> Text:
        text = Text(f"{SIGNS[row.kind]} ")
        text.append_text(_side_text(row.side, row.kind, style))
        return text

    def _cell(self, side: Side | None, kind: Kind, width: int, style: StyleOf) -> Text:
        if side is None:
            return Text(" " * width, style=style("diff-view--blank"))
        number = f"{side.number:>{self._digits}} " if self._digits and side.number is not None else \
            " " * (self._digits + 1 if self._digits else 0)
        cell = Text(number, style=style("cursor-view--gutter"))
        cell.append(f"{SIGNS[kind]} ")
        cell.append_text(_side_text(side, kind, style))
        cell.truncate(width, overflow="ellipsis", pad=True)
        tint = _TINTS.get(kind)
        if tint:
            cell.stylize(style(tint), 0, width)
        return cell

    def _paired(self, pair: Pair, width: int, style: StyleOf) -> Text:
        if pair.kind is Kind.HEADER and pair.left is not None:
            text = _side_text(pair.left, Kind.HEADER, style)
            text.truncate(width, overflow="ellipsis", pad=True)
            text.stylize(style("diff-view--header"), 0, width)
            return text
        half = max(4, (width - 1) // 2)
        left_kind = {Kind.CHANGED: Kind.REMOVED}.get(pair.kind, pair.kind)
        right_kind = {Kind.CHANGED: Kind.ADDED}.get(pair.kind, pair.kind)
        text = self._cell(pair.left, left_kind if pair.left else Kind.SAME, half, style)
        text.append("│", style=style("cursor-view--gutter"))
        text.append_text(self._cell(pair.right, right_kind if pair.right else Kind.SAME, width - half - 1, style))
        return text

    def render_row(self, index: int, width: int, style: StyleOf) -> Text:
        if self.side_by_side:
            return self._paired(self.comparison.pairs[index], width, style)
        return self._unified(self.comparison.rows[index], style)

    def row_plain(self, index: int, width: int) -> str:
        return self.render_row(index, width, lambda name: Style()).plain

    def row_label(self, index: int) -> str:
        if self.side_by_side or not self._digits:
            return ""
        row = self.comparison.rows[index]
        left = "" if row.left is None else str(row.left)
        right = "" if row.right is None else str(row.right)
        return f"{left:>{self._digits}} {right:>{self._digits}}"

    def gutter_width(self) -> int:
        return 0 if self.side_by_side or not self._digits else 2 * self._digits + 2

    def content_width(self) -> int:
        return 0 if self.side_by_side else min(self.comparison.width, MAX_LINE + 30) + 2

    def width_dependent(self) -> bool:
        return self.side_by_side

    def row_background(self, index: int) -> str | None:
        if self.side_by_side:
            return None
        return _TINTS.get(self.comparison.rows[index].kind)


class DiffView(CursorView):
    """A comparison on the line API: a cursor row that n/N (the screen's) move change to change."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "diff-view--removed", "diff-view--added", "diff-view--removed-mark", "diff-view--added-mark",
        "diff-view--header", "diff-view--header-text", "diff-view--blank",
    }
    DEFAULT_CSS = """
    DiffView { height: 1fr; }
    DiffView > .diff-view--removed { background: $error 18%; }
    DiffView > .diff-view--added { background: $success 18%; }
    DiffView > .diff-view--removed-mark { background: $error 55%; text-style: bold; }
    DiffView > .diff-view--added-mark { background: $success 55%; text-style: bold; }
    DiffView > .diff-view--header { background: $primary 15%; }
    DiffView > .diff-view--header-text { text-style: bold; }
    DiffView > .diff-view--blank { background: $panel; }
    """
    EMPTY = "Both sides are empty."

    def __init__(self, comparison: Comparison, side_by_side: bool, **kwargs) -> None:
        self.rows = DiffRows(comparison, side_by_side)
        super().__init__(self.rows, cursor=True, **kwargs)

    @property
    def side_by_side(self) -> bool:
        return self.rows.side_by_side

    @property
    def _row_width(self) -> int:
        # Side by side, the two halves share what the scrollbar leaves.
        return max(1, self.size.width - self.source.gutter_width() - self.styles.scrollbar_size_vertical)

    def change_at(self) -> int | None:
        """The change the cursor is in (or the last one above it)."""
        at = bisect_right(self.rows.changes, self.cursor_row or 0) - 1
        return at if at >= 0 else None

    def set_side_by_side(self, side_by_side: bool) -> None:
        """Unified or side by side, the cursor at the same change."""
        if side_by_side == self.side_by_side:
            return
        change = self.change_at()
        self.rows.side_by_side = side_by_side
        self.rows_changed(keep_cursor=False)
        if change is not None:
            self.move_cursor(self.rows.changes[change])

    def go_to_change(self, direction: int) -> bool:
        """The next (previous) change from the cursor, wrapping around; False when there is none."""
        changes = self.rows.changes
        if not changes:
            return False
        row = self.cursor_row or 0
        if direction > 0:
            at = bisect_right(changes, row)
            target = changes[at] if at < len(changes) else changes[0]
        else:
            at = bisect_left(changes, row) - 1
            target = changes[at] if at >= 0 else changes[-1]
        self.move_cursor(target)
        # The change a few rows below the top, so what leads to it shows.
        self.scroll_to(y=max(0, self.screen_row_of(target) - 3), animate=False)
        return True


def side_line(which: str, side: Located) -> Text:
    """`left  tsk_… · Step 2 · visible_elements_tree · a_…`: which artifact a side is (all data)."""
    artifact = side.artifact
    step = next((g.label for g in side.detail.groups() if artifact in g.artifacts), "")
    parts = [side.detail.run.run_id, step, artifact.artifact_type, artifact.artifact_id]
    line = Text(f"{which:<6}", style="bold")
    line.append(" · ".join(p for p in parts if p))
    return line


class ArtifactDiffScreen(ReportsWorkerFailures, FindBar, Screen):
    DEFAULT_CSS = FIND_CSS + """
    ArtifactDiffScreen #diff-head { height: auto; padding: 0 1; background: $panel; }
    ArtifactDiffScreen #diff-summary { height: auto; padding: 0 1; }
    ArtifactDiffScreen #diff-body { height: 1fr; }
    ArtifactDiffScreen #diff-body > Static.reading { padding: 1 2; color: $text-muted; }
    ArtifactDiffScreen #diff-body > Static.same { padding: 1 2; text-style: bold; color: $success; }
    """
    AUTO_FOCUS = ""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="diff.back"),
        Binding("n", "change(1)", "Next change", id="diff.next_match"),
        Binding("N", "change(-1)", "Previous change", id="diff.previous_match"),
    ]

    def __init__(self, left: Located, right: Located, **kwargs) -> None:
        super().__init__(**kwargs)
        self.left = left
        self.right = right
        self.comparison: Comparison | None = None
        self.failed: dict[str, str] = {}  # "left"/"right" -> why it could not be read
        self._typed: list[int] = []  # n/N typed before the diff was shown: theirs once it is

    def compose(self) -> ComposeResult:
        yield Static(Text("\n").join([side_line("left", self.left), side_line("right", self.right)]), id="diff-head")
        yield Static(Text(""), id="diff-summary")
        with Vertical(id="diff-body"):
            yield Static(Text("Reading both sides…"), classes="reading")
        yield find_input("Find in the diff")
        yield find_count()
        yield Footer()

    def on_mount(self) -> None:
        self._compare(self.left, self.right)

    @property
    def view(self) -> DiffView | None:
        views = self.query(DiffView)
        return views.first() if views else None

    # --- the work ------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="artifact-diff", exit_on_error=False)
    def _compare(self, left: Located, right: Located) -> None:
        from ...core.compare.lines import Cancelled
        from ...core.compare.sides import compare_contents, read_content  # every parser: in the worker

        worker = get_current_worker()

        def cancelled() -> bool:
            return worker.is_cancelled

        contents = {}
        failed: dict[str, str] = {}
        for which, side in (("left", left), ("right", right)):
            self.app.call_from_thread(self._reading, f"Reading the {which} side ({side.artifact.artifact_type})…")
            try:
                contents[which] = read_content(side, cancelled)
            except Cancelled:
                return
            except Exception as exc:  # a side that cannot be read is said; the other is still read
                failed[which] = describe_error(exc)
            if cancelled():
                return
        if failed:
            self.app.call_from_thread(self._show_failed, failed, contents)
            return
        self.app.call_from_thread(self._reading, "Comparing…")
        try:
            comparison = compare_contents(contents["left"], contents["right"], cancelled)
        except Cancelled:
            return
        if not cancelled():
            self.app.call_from_thread(self._show, comparison)

    def _reading(self, what: str) -> None:
        for reading in self.query("#diff-body > Static.reading"):
            if isinstance(reading, Static):
                reading.update(Text(what))

    def show_worker_failure(self, worker: Worker, reason: str) -> bool:
        if worker.group == "artifact-diff":
            self._replace_body(ErrorPanel("Cannot compare the two artifacts", reason))
            return True
        return False

    def _replace_body(self, *widgets: Widget) -> None:
        body = self.query_one("#diff-body", Vertical)
        body.remove_children()
        body.mount_all(widgets)
        self.call_after_refresh(self._focus_body)

    def _focus_body(self) -> None:
        view = self.view
        if view is not None:
            view.focus()
        elif panels := self.query(ErrorPanel):
            panels.first().focus()

    def _show_failed(self, failed: dict[str, str], read: dict[str, object]) -> None:
        if not self.is_attached:
            return  # left while it was read
        self.failed = failed
        widgets: list[Widget] = []
        for which, side in (("left", self.left), ("right", self.right)):
            artifact = side.artifact
            if which in failed:
                widgets.append(ErrorPanel(f"The {which} side cannot be read: {artifact.artifact_type} {artifact.artifact_id}",
                                          failed[which], hint="escape goes back"))
            else:
                widgets.append(Static(Text(f"The {which} side ({artifact.artifact_type} {artifact.artifact_id}) "
                                           f"was read: {_size_of(read.get(which))}."), classes="reading"))
        self.query_one("#diff-summary", Static).update(Text("Nothing to compare: a side could not be read."))
        self._replace_body(*widgets)

    def _show(self, comparison: Comparison) -> None:
        if not self.is_attached:
            return  # left while it was compared
        self.comparison = comparison
        wide = self.size.width >= SIDE_BY_SIDE
        self._show_mode(wide)
        if comparison.same:
            self._replace_body(Static(Text("No differences: the two sides are the same."), classes="same"),
                               DiffView(comparison, wide))
        else:
            self._replace_body(DiffView(comparison, wide))
        if self._typed:
            self.call_after_refresh(self._replay_typed)

    def _replay_typed(self, tries: int = 20) -> None:
        view = self.view
        if view is not None and not view.size.height and tries:  # not laid out yet: a move could not scroll
            self.call_after_refresh(self._replay_typed, tries - 1)
            return
        typed, self._typed = self._typed, []
        for direction in typed:
            self.action_change(direction)

    def on_resize(self) -> None:
        view = self.view
        if view is not None and self.comparison is not None:
            wide = self.size.width >= SIDE_BY_SIDE
            if wide != view.side_by_side:
                view.set_side_by_side(wide)
                self._show_mode(wide)

    def _show_mode(self, wide: bool) -> None:
        if self.comparison is not None:
            summary = self.query_one("#diff-summary", Static)
            text = Text(self.comparison.summary, style="bold")
            if self.comparison.note:
                text.append("\n" + self.comparison.note, style="italic")
            text.append(f"\n{'side by side' if wide else 'unified'} (side by side from {SIDE_BY_SIDE} columns)"
                        + (" · n/N: next/previous change" if not self.comparison.same else ""), style="dim")
            summary.update(text)

    # --- keys ----------------------------------------------------------------------------------
    def on_key(self, event: events.Key) -> None:
        # Escape in the find bar (FindBar's handler closes it) also ends the find: n/N are the
        # changes' keys again.
        view = self.view
        if event.key == "escape" and self.find_bar.has_focus and view is not None:
            self.call_after_refresh(view.find, "")

    def find_focus(self) -> Widget:
        return self.view or self

    def action_change(self, direction: int) -> None:
        view = self.view
        if view is None:
            if self.comparison is None and not self.failed:
                self._typed.append(direction)  # still reading: the move is made once the diff shows
            return
        if not view.go_to_change(direction):
            self.notify("No differences.", markup=False)
        view.focus()

    def action_back(self) -> None:
        self.workers.cancel_group(self, "artifact-diff")
        self.dismiss()


def _size_of(content: object) -> str:
    from ...core.compare.sides import Lines
    from ...core.formats.elements import ElementTree
    from ...core.formats.llm import ActionsDocument

    if isinstance(content, Lines):
        return f"{len(content.lines):,} lines"
    if isinstance(content, ElementTree):
        return f"{len(content):,} nodes"
    if isinstance(content, ActionsDocument):
        return f"{len(content.actions):,} actions"
    return "read"

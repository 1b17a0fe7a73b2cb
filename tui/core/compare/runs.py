"""Two runs compared step by step: what `skyvern-tui diff` prints and the run diff screen shows.

Steps align by their place in the run: the task they belong to (its order of appearance in the
run, so a task run lines up with the one task of a workflow run), the step's `order`, and its
`retry_index`: retry 1 of step 2 on one side faces retry 1 of step 2 on the other. A step (or a
retry) that only one side has is a row of its own, with nothing on the other side.

Each row compares the step's status, its actions (type, element, text, and their status), its
URL and the names of its LLM calls. A value one side does not know (a folder on disk records no
URL; an action read from the LLM's answer has no outcome) is not a difference: only two known
values that disagree are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..located import Located
from ..model import Artifact, RunDetail
from ..run_model.actions import step_url
from ..run_model.model import Action, Place, RunModel, StepModel
from ..sources.base import Source
from ..textsafe import visible_controls

Cancelled = Callable[[], bool]
Key = tuple[int, int, int]  # (the task's order in its run, the step's order, its retry index)

# The fields a row compares, as the table and the JSON name them.
STATUS, ACTIONS, URL, CALLS, MISSING = "status", "actions", "url", "calls", "missing"

# Which artifacts of the two steps are worth diffing first, by what differs: the LLM's parsed
# answer says why the actions differ, the element tree what the page was, the prompt what the
# LLM was told. Then the same list for a row where nothing differs.
_WORTH = {
    STATUS: ("llm_response_parsed", "visible_elements_tree", "llm_prompt"),
    ACTIONS: ("llm_response_parsed", "visible_elements_tree", "llm_prompt"),
    URL: ("visible_elements_tree", "html_scrape", "llm_prompt"),
    CALLS: ("llm_prompt", "llm_response_parsed", "visible_elements_tree"),
}
_FALLBACK = ("llm_response_parsed", "visible_elements_tree", "llm_prompt", "llm_response", "html_scrape")


@dataclass(frozen=True)
class RunSide:
    """One run of a comparison: where it came from, what the source said, and its model."""

    source: Source
    detail: RunDetail
    model: RunModel

    @property
    def run_id(self) -> str:
        return self.detail.run.run_id


@dataclass(frozen=True)
class ActionSummary:
    """An action as a comparison sees it."""

    action_type: str
    element: str  # the element's label (id, tag, text), else its id, else ""
    element_id: str
    text: str
    status: str | None

    @classmethod
    def of(cls, action: Action) -> ActionSummary:
        element = action.element.label if action.element is not None else (action.element_id or "")
        return cls(action.action_type, element, action.element_id or "", action.text, action.status)

    def same_as(self, other: ActionSummary) -> bool:
        known = self.status is None or other.status is None or self.status == other.status
        return (self.action_type, self.element_id, self.element, self.text) == (
            other.action_type, other.element_id, other.element, other.text) and known

    @property
    def short(self) -> str:
        """`click AAAH "Sign in"`, `input_text AAAE ='demo'`: one cell of the table."""
        parts = [self.action_type]
        if self.element_id:
            parts.append(self.element_id)
        if self.text:
            parts.append(f"={self.text!r}")
        if self.status and self.status != "completed":
            parts.append(f"({self.status})")
        return " ".join(parts)


@dataclass(frozen=True)
class StepSummary:
    """One side of a row: a step as the comparison sees it."""

    step: StepModel
    actions: tuple[ActionSummary, ...]
    url: str | None
    calls: tuple[str, ...]  # the LLM calls' names, in order

    @classmethod
    def of(cls, step: StepModel) -> StepSummary:
        return cls(step, tuple(ActionSummary.of(a) for a in step.actions), step_url(step.step),
                   tuple(c.title for c in step.calls))

    @property
    def label(self) -> str:
        return self.step.label

    @property
    def status(self) -> str | None:
        return self.step.status


@dataclass(frozen=True)
class RunDiffRow:
    key: Key
    left: StepSummary | None
    right: StepSummary | None
    differences: tuple[str, ...]  # STATUS, ACTIONS, URL, CALLS, or MISSING alone; () when alike
    # The two artifacts that enter opens in the artifact diff, or None (say so).
    pair: tuple[Located, Located] | None

    @property
    def diverges(self) -> bool:
        return bool(self.differences)

    @property
    def label(self) -> str:
        side = self.left or self.right
        return side.label if side is not None else ""

    @property
    def pair_type(self) -> str | None:
        return self.pair[0].artifact.artifact_type if self.pair else None


@dataclass(frozen=True)
class RunDiff:
    left: RunSide
    right: RunSide
    rows: tuple[RunDiffRow, ...]

    @property
    def divergences(self) -> tuple[int, ...]:
        return tuple(i for i, row in enumerate(self.rows) if row.diverges)

    @property
    def first_divergence(self) -> int | None:
        return next(iter(self.divergences), None)

    @property
    def same(self) -> bool:
        return not self.divergences

    def summary(self) -> str:
        """One line: how many steps, how many differ, and where first."""
        steps = f"{len(self.rows)} step{'s' if len(self.rows) != 1 else ''}"
        first = self.first_divergence
        if first is None:
            return f"{self.left.run_id} and {self.right.run_id} match step by step ({steps})"
        row = self.rows[first]
        count = len(self.divergences)
        return (f"{self.left.run_id} and {self.right.run_id} differ in {count} of {steps}; first at "
                f"{row.label}: {', '.join(row.differences)}")


def _text(value: Any) -> str | None:
    """A string of the step's raw output (kept as served), made safe to show."""
    return visible_controls(value.strip()) if isinstance(value, str) and value.strip() else None


def step_keys(model: RunModel) -> dict[Key, StepModel]:
    """Each step under its alignment key; the first step wins a key two steps share."""
    tasks: list[str | None] = []
    keyed: dict[Key, StepModel] = {}
    for step in model.steps:
        if step.step.task_id not in tasks:
            tasks.append(step.step.task_id)
        key = (tasks.index(step.step.task_id), step.step.order, step.step.retry_index)
        keyed.setdefault(key, step)
    return keyed


def _known_differ(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a != b


def differences(left: StepSummary, right: StepSummary) -> tuple[str, ...]:
    found = []
    if _known_differ(left.status, right.status):
        found.append(STATUS)
    if len(left.actions) != len(right.actions) or not all(
            a.same_as(b) for a, b in zip(left.actions, right.actions, strict=True)):
        found.append(ACTIONS)
    if _known_differ(left.url, right.url):
        found.append(URL)
    if left.calls != right.calls:
        found.append(CALLS)
    return tuple(found)


def _first_of(step: StepModel, artifact_type: str) -> Artifact | None:
    if artifact_type.startswith("llm_"):  # the first call's: extract-actions, where a step decides
        for call in step.calls:
            found = next((a for a in call.artifacts if a.artifact_type == artifact_type), None)
            if found is not None:
                return found
    return next((a for a in step.artifacts if a.artifact_type == artifact_type), None)


def artifact_pair(left: RunSide, lstep: StepModel, right: RunSide, rstep: StepModel,
                  found: Iterable[str]) -> tuple[Located, Located] | None:
    """The two artifacts of one type worth diffing for what differs, that both steps have."""
    wanted = [t for kind in found for t in _WORTH.get(kind, ())] + list(_FALLBACK)
    for artifact_type in dict.fromkeys(wanted):
        a, b = _first_of(lstep, artifact_type), _first_of(rstep, artifact_type)
        if a is not None and b is not None:
            return (Located(left.source, left.detail, Place(a)), Located(right.source, right.detail, Place(b)))
    return None


def compare_runs(left: RunSide, right: RunSide) -> RunDiff:
    lsteps, rsteps = step_keys(left.model), step_keys(right.model)
    rows = []
    for key in sorted(lsteps.keys() | rsteps.keys()):
        lstep, rstep = lsteps.get(key), rsteps.get(key)
        lsum = StepSummary.of(lstep) if lstep is not None else None
        rsum = StepSummary.of(rstep) if rstep is not None else None
        if lstep is None or rstep is None or lsum is None or rsum is None:
            rows.append(RunDiffRow(key, lsum, rsum, (MISSING,), None))
            continue
        found = differences(lsum, rsum)
        rows.append(RunDiffRow(key, lsum, rsum, found, artifact_pair(left, lstep, right, rstep, found)))
    return RunDiff(left, right, tuple(rows))


def diff_data(diff: RunDiff) -> dict[str, Any]:
    """The comparison as JSON data (`diff --format json`)."""

    def side(summary: StepSummary | None) -> dict[str, Any] | None:
        if summary is None:
            return None
        return {
            "label": summary.label, "step_id": summary.step.step.step_id, "status": summary.status,
            "url": summary.url, "calls": list(summary.calls),
            "actions": [{"type": a.action_type, "element_id": a.element_id or None, "element": a.element or None,
                         "text": a.text, "status": a.status} for a in summary.actions],
        }

    return {
        "left": diff.left.run_id, "right": diff.right.run_id, "same": diff.same,
        "first_divergence": diff.first_divergence, "summary": diff.summary(),
        "rows": [{"task": r.key[0], "order": r.key[1], "retry": r.key[2], "differences": list(r.differences),
                  "left": side(r.left), "right": side(r.right),
                  "pair": [r.pair[0].artifact.artifact_id, r.pair[1].artifact.artifact_id] if r.pair else None}
                 for r in diff.rows],
    }


def load_side(source: Source, run_id: str, cancelled: Cancelled | None = None,
              detail: RunDetail | None = None, progress: Callable[[RunModel], None] | None = None) -> RunSide:
    """Load a run (unless its detail is given) and build its whole model. It blocks: call it
    from a worker or a command. Raises the source's TuiError for a run it does not have."""
    from ..run_model.build import RunModelBuilder  # imports every parser: only when comparing

    if detail is None:
        detail = source.load_run(run_id)
    model = RunModelBuilder(source).build(detail, progress, cancelled=cancelled or _never)
    return RunSide(source, detail, model)


def find_run(sources: Iterable[Source], run_id: str) -> tuple[Source, RunDetail]:
    """The first source that has the run (a pasted id), with its detail. Raises RunNotFound."""
    from ..errors import RunNotFound

    for source in sources:
        try:
            return source, source.load_run(run_id)
        except RunNotFound:
            continue
    raise RunNotFound(f"no run {run_id} in the sources of this session")


def _never() -> bool:
    return False


# --- as text ------------------------------------------------------------------------------------
TABLE_HEAD = ("", "Step", "Status A", "Status B", "Actions A | B", "Calls", "URL")
FIRST_MARK, OTHER_MARK = ">>", "*"


def _actions_cell(row: RunDiffRow) -> str:
    def one(summary: StepSummary | None) -> str:
        if summary is None:
            return "(no step)"
        return ", ".join(a.short for a in summary.actions) or "(no action)"

    left, right = one(row.left), one(row.right)
    return left if ACTIONS not in row.differences and MISSING not in row.differences else f"{left} | {right}"


def _calls_cell(row: RunDiffRow) -> str:
    left = row.left.calls if row.left else ()
    right = row.right.calls if row.right else ()
    if row.left is None or row.right is None:
        return str(len(left or right))
    if left == right:
        return str(len(left))
    extra = "" if len(left) != len(right) else " (names)"
    return f"{len(left)} | {len(right)}{extra}"


def _url_cell(row: RunDiffRow) -> str:
    left = row.left.url if row.left else None
    right = row.right.url if row.right else None
    if URL in row.differences:
        return f"{left} | {right}"
    return left or right or "-"


def table_rows(diff: RunDiff) -> list[tuple[str, ...]]:
    """The comparison's cells, one tuple per row, in TABLE_HEAD's order."""
    first = diff.first_divergence
    out: list[tuple[str, ...]] = []
    for index, row in enumerate(diff.rows):
        mark = FIRST_MARK if index == first else OTHER_MARK if row.diverges else ""
        out.append((
            mark, row.label,
            (row.left.status or "?") if row.left else "-", (row.right.status or "?") if row.right else "-",
            _actions_cell(row), _calls_cell(row), _url_cell(row),
        ))
    return out


def text_table(diff: RunDiff) -> list[str]:
    """The table `skyvern-tui diff` prints: columns as wide as their widest cell, the last one whole."""
    rows = [TABLE_HEAD, *table_rows(diff)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(TABLE_HEAD) - 1)]
    return ["  ".join([*(cell.ljust(w) for cell, w in zip(r[:-1], widths, strict=True)), r[-1]]).rstrip() for r in rows]

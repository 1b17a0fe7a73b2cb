"""The debugger's model of one run: its steps, each step's LLM calls and actions, the element
each action touched, the screenshots, and what the logs, the console and the network said in
each step's time window.

Built in core (`build.py`), in a worker, part by part: a part not read yet is named in
`RunModel.loading`, so a screen can say "reading the logs…" instead of showing nothing.
Every string is made safe when a model is built, as everywhere in core.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from ..model import Artifact, Run, Step
from ..outline import Entry
from ..textsafe import safe_fields

# The run's statuses that mean it did not do what it was asked.
UNSUCCESSFUL = frozenset({"failed", "terminated", "timed_out", "canceled"})


class Part(str, Enum):
    """What the builder reads after the first, instant pass, in this order."""

    LOGS = "logs"  # call names, durations, tokens; warnings and errors; status on disk
    DECISIONS = "decisions"  # llm_response_parsed, where no actions API said what was decided
    ELEMENTS = "elements"  # each action's element, from the step's element tree and css map
    CONSOLE = "console"  # browser_console_log
    NETWORK = "network"  # har

    @property
    def label(self) -> str:
        return {"logs": "the logs", "decisions": "the LLM's answers", "elements": "the element trees",
                "console": "the console log", "network": "the network log"}[self.value]


@dataclass(frozen=True)
class Place:
    """An artifact and where in it, for `Viewer.Navigate` (None: its start).

    Targets the viewers understand: an element id (`AAAH`) in an element tree, `line:N`
    (0-based) in a log or text, `entry:N` in a HAR, `message:N` in a console log, `action:N`
    in parsed actions.
    """

    artifact: Artifact
    target: str | None = None

    def __post_init__(self) -> None:
        safe_fields(self, keep=("artifact",))


@dataclass(frozen=True)
class Element:
    """The element an action acted on, as the step's element tree (and css map) describe it."""

    element_id: str
    tag: str = ""
    dom_id: str = ""  # the page's own id attribute
    text: str = ""
    href: str = ""
    css: str = ""  # the selector from visible_elements_id_css_map
    disabled: bool = False
    hidden: bool = False
    readonly: bool = False
    place: Place | None = None  # the element in its tree

    def __post_init__(self) -> None:
        safe_fields(self, keep=("place",))

    @property
    def label(self) -> str:
        """`AAAD <a id=next href=page2.html> "Next"`: what a person recognises it by."""
        attrs = "".join(f" {k}={v}" for k, v in (("id", self.dom_id), ("href", self.href)) if v)
        states = "".join(f" {s}" for s, on in (("disabled", self.disabled), ("hidden", self.hidden),
                                                 ("readonly", self.readonly)) if on)
        tag = f" <{self.tag}{attrs}{states}>" if self.tag else ""
        text = f' "{self.text}"' if self.text else ""
        return f"{self.element_id}{tag}{text}"


@dataclass(frozen=True)
class Action:
    """One action the agent decided on, and what came of it."""

    index: int  # its order in the step
    action_type: str  # as Skyvern names it: click, input_text, select_option, complete, ...
    element_id: str | None = None
    element: Element | None = None  # None until the element trees are read, or when not found
    text: str = ""  # the text typed, the option chosen
    reasoning: str = ""
    intention: str = ""
    confidence: float | None = None
    status: str | None = None  # completed, failed, skipped, ... (None: not known, e.g. from a parsed answer)
    # What went wrong: the action's errors, and its result's exception ("InteractWithDisabledElement:
    # The element(id=AAAH) now is disabled, …").
    errors: tuple[str, ...] = ()
    success: bool | None = None  # the action result's `success`, where one was recorded
    started_at: datetime | None = None
    finished_at: datetime | None = None
    action_id: str | None = None
    screenshot: Artifact | None = None  # `screenshot_artifact_id`, else the next action screenshot in time
    # Where it was read: "actions" (the actions API), "steps" (the step's recorded results),
    # "llm" (llm_response_parsed: decided, outcome unknown).
    origin: str = ""
    place: Place | None = None  # the artifact that states it (the parsed answer, action:N)

    def __post_init__(self) -> None:
        safe_fields(self, keep=("screenshot", "place", "element"))

    @property
    def failed(self) -> bool:
        return self.status == "failed" or self.success is False or bool(self.errors)


@dataclass(frozen=True)
class LlmCall:
    """One call to the LLM: the artifacts it left, grouped, and what the log said of it."""

    index: int  # its order in the step
    name: str  # the prompt's name: extract-actions, check-user-goal, ...; "" when nothing says
    # Where the name came from: "log" (prompt_name), "prompt" (the prompt's own heading), "".
    named_by: str = ""
    model: str | None = None
    duration_seconds: float | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    time: datetime | None = None
    prompt: Artifact | None = None
    request: Artifact | None = None
    response: Artifact | None = None
    parsed: Artifact | None = None
    rendered: Artifact | None = None

    def __post_init__(self) -> None:
        safe_fields(self, keep=("prompt", "request", "response", "parsed", "rendered"))

    @property
    def artifacts(self) -> tuple[Artifact, ...]:
        return tuple(a for a in (self.prompt, self.request, self.response, self.parsed, self.rendered) if a)

    @property
    def title(self) -> str:
        return self.name or f"LLM call {self.index + 1}"


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """Something the log, the console or the network said went wrong, at a moment."""

    where: str  # "log", "console", "page" (an uncaught page error), "network"
    severity: Severity
    text: str  # one line: the log event, the console text, "GET 404 https://…"
    time: datetime | None = None
    place: Place | None = None

    def __post_init__(self) -> None:
        safe_fields(self, keep=("place",))


@dataclass(frozen=True)
class StepModel:
    step: Step
    label: str  # "Step 2 (retry 1)", "Task 2 · Step 1"
    started_at: datetime | None = None
    finished_at: datetime | None = None
    # The first failed action result's exception, as the step's output records it.
    exception_type: str | None = None
    exception_message: str | None = None
    calls: tuple[LlmCall, ...] = ()
    actions: tuple[Action, ...] = ()
    seen: tuple[Artifact, ...] = ()  # screenshot_llm: what the LLM was shown
    screenshots: tuple[Artifact, ...] = ()  # every screenshot of the step, in time order
    problems: tuple[Problem, ...] = ()  # in its time window, in time order
    artifacts: tuple[Artifact, ...] = ()
    block_label: str | None = None  # where in the outline its task ran: `read_pages 1/2 › read_page`

    def __post_init__(self) -> None:
        safe_fields(self, keep=("step", "calls", "actions", "seen", "screenshots", "problems", "artifacts"))

    @property
    def status(self) -> str | None:
        return self.step.status

    @property
    def failed(self) -> bool:
        return self.step.status == "failed" or any(a.failed for a in self.actions)

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return max(0.0, (self.finished_at - self.started_at).total_seconds())

    def count(self, severity: Severity) -> int:
        return sum(1 for p in self.problems if p.severity is severity)


@dataclass(frozen=True)
class RunModel:
    run: Run
    goal: str | None = None
    url: str | None = None
    # The run's status and failure reason: the run's own, or, in a folder with no database,
    # what the logs recorded (`status_from` says which: "run", "log", "").
    status: str | None = None
    failure_reason: str | None = None
    status_from: str = ""
    steps: tuple[StepModel, ...] = ()
    # The workflow's blocks and loop iterations, a task v2's thoughts, in the order they ran.
    outline: tuple[Entry, ...] = ()
    # A task v2 observer's LLM calls, by thought id (they belong to no step).
    thought_calls: Mapping[str, tuple[LlmCall, ...]] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()  # the whole run's, in time order
    screenshots: tuple[Artifact, ...] = ()  # the whole run's, in time order
    loading: frozenset[Part] = field(default_factory=frozenset)
    # What could not be read, one line each ("llm_response_parsed a_1: not JSON"): shown, not fatal.
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        safe_fields(self, keep=("run", "steps", "outline", "thought_calls", "problems", "screenshots", "loading"))

    @property
    def unsuccessful(self) -> bool:
        return self.status in UNSUCCESSFUL

    @property
    def failed_step(self) -> StepModel | None:
        """The first step that failed, else the last step: where to look first."""
        return next((s for s in self.steps if s.failed), self.steps[-1] if self.steps else None)

    @property
    def last_screenshot(self) -> Artifact | None:
        return self.screenshots[-1] if self.screenshots else None

    def first(self, where: str, severity: Severity = Severity.ERROR) -> Problem | None:
        return next((p for p in self.problems if p.where == where and p.severity is severity), None)

    def last(self, where: str, severity: Severity) -> Problem | None:
        return next((p for p in reversed(self.problems) if p.where == where and p.severity is severity), None)

    @property
    def failed_block(self) -> Entry | None:
        """The block that did not succeed, innermost first (a loop fails with its iteration's
        block): the first unsuccessful block inside which no other one failed."""
        failed = [e for e in self.outline if e.kind.value == "block" and e.status in UNSUCCESSFUL]
        enclosing = {e.parent for e in self.outline if e in failed} | {
            e.parent for e in self.outline if e.kind.value == "iteration" and e.status in UNSUCCESSFUL}
        return next((e for e in failed if e.key not in enclosing), failed[0] if failed else None)

    @property
    def last_block(self) -> Entry | None:
        """The block that started last and did not complete (innermost on a tie): where a run
        whose blocks' statuses are not known (a folder on disk) stopped."""
        started = [(e.started_at, n, e) for n, e in enumerate(self.outline)
                   if e.kind.value == "block" and e.started_at is not None and e.status != "completed"]
        return max(started, key=lambda t: (t[0], t[1]))[2] if started else None

    def path_of(self, entry: Entry) -> tuple[Entry, ...]:
        """The entries enclosing `entry`, outermost first."""
        by_key = {e.key: e for e in self.outline}
        path: list[Entry] = []
        parent = entry.parent
        while parent is not None and parent in by_key and len(path) < 64:
            path.insert(0, by_key[parent])
            parent = by_key[parent].parent
        return tuple(path)

    @property
    def blocks(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.outline if e.kind.value == "block")

    def step_of(self, artifact: Artifact) -> StepModel | None:
        return next((s for s in self.steps if s.step.step_id == artifact.step_id), None)

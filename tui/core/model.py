"""Run, Step and Artifact, and the grouping of a run's artifacts by step.

Every string of these models is made safe to print when the model is built (`safe_fields` in
`__post_init__`): ids, types, statuses, titles and reasons come from a server or a folder.
Only `raw`, the server's answer as it came (for `--json`), is kept as is and never shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from functools import cached_property
from pathlib import Path
from typing import Any

from .catalog import ArtifactKind, Category, kind_of, member_name
from .textsafe import safe_fields, visible_controls
from .fields import TERMINAL_STATUSES, mapping, parse_time
from .outline import Outline, outline_of



@dataclass(frozen=True)
class ScriptLocation:
    """Where a generated script file sits: .../scripts/{script_id}/{version}/{path}."""

    script_id: str
    version: str
    path: str

    def __post_init__(self) -> None:
        safe_fields(self)


def script_location(uri: str | None) -> ScriptLocation | None:
    parts = (uri or "").split("/scripts/", 1)
    if len(parts) != 2 or parts[1].count("/") < 2:
        return None
    script_id, version, path = parts[1].split("/", 2)
    return ScriptLocation(script_id, version, path)


# Skyvern's file names: `{ts}_{artifact_id}_{type}.{ext}` or `{ts}_{type}.{ext}`; on Windows
# the stamp's colons are dashes.
_NAME_STAMP = re.compile(r"^(\d{4}-\d{2}-\d{2}T[0-9:.\-]+?)_(.+)$")


def name_stamp(stem: str) -> tuple[datetime, str] | None:
    """The time stamp a Skyvern file name (without its extension) starts with, and the rest."""
    match = _NAME_STAMP.match(stem)
    if not match:
        return None
    stamp, rest = match.groups()
    if "T" in stamp and stamp.count(":") == 0:
        # Windows-safe stamps: 2026-11-28T13-58-17.679855 -> 2026-11-28T13:58:17.679855
        day, _, clock = stamp.partition("T")
        stamp = day + "T" + clock.replace("-", ":", 2)
    moment = parse_time(stamp)
    return (moment, rest) if moment is not None else None


# Skyvern's ids (forge/sdk/db/id.py) hold the second they were made in their top 32 bits,
# counted from this epoch; an artifact's id is made when it is captured, its row may be written
# much later (1.0.56 writes a step's rows when the step ends).
_ID_EPOCH = 1655683200
_ID_DIGITS = re.compile(r"^[a-z0-9]+_(\d{10,20})$")


def id_time(identifier: str) -> datetime | None:
    """When a Skyvern id was made (to the second); None for an id that is not Skyvern's."""
    match = _ID_DIGITS.match(identifier)
    if not match:
        return None
    number = int(match.group(1))
    if number >= 1 << 64:
        return None
    return datetime.fromtimestamp(_ID_EPOCH + (number >> 32), tz=timezone.utc)


_ROW_LAG = timedelta(days=2)  # an id made longer than this before its row is not a capture time


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class Artifact:
    artifact_id: str
    artifact_type: str
    created_at: datetime | None = None
    task_id: str | None = None
    step_id: str | None = None
    workflow_run_id: str | None = None
    workflow_run_block_id: str | None = None
    run_id: str | None = None
    # A task v2's observer: its run (`tsk_v2_…`, the cruise) and the thought an LLM call was made for.
    observer_cruise_id: str | None = None
    observer_thought_id: str | None = None
    uri: str | None = None
    signed_url: str | None = None
    bundle_key: str | None = None
    file_size: int | None = None
    # Where the bytes are on this machine, when a local source knows (for a member of a
    # bundled archive on disk: the archive; `bundle_key` names the member).
    path: Path | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        safe_fields(self, keep=("raw",))

    @property
    def location(self) -> str:
        """Where the bytes are (the local path, else the uri), safe to show: a file name on
        disk can hold anything."""
        return visible_controls(str(self.path)) if self.path is not None else (self.uri or "")

    @cached_property
    def captured_at(self) -> datetime | None:
        """When the artifact was captured, not when its row was written: the second its Skyvern
        id was made; else its file name's stamp (when the file was written); else `created_at`.
        Within a second, ids keep the order of capture (a stamp is the later upload time, so
        mixing the two would not). A bundled member's uri is its archive's: no stamp of its own."""
        made = id_time(self.artifact_id)
        if made is not None and self.created_at is not None:
            if not self.created_at - _ROW_LAG <= made <= self.created_at + timedelta(seconds=2):
                made = None  # not a Skyvern id, or a clock gone wrong: the row's time is better
        if made is not None:
            return made
        if not self.bundle_key:
            # Skyvern's name is the uri's (a download's local copy is renamed).
            for name in ((self.uri or "").rsplit("/", 1)[-1], self.path.name if self.path is not None else ""):
                found = name_stamp(name.rpartition(".")[0] or name)
                if found:
                    return found[0]
        return self.created_at

    @property
    def call_index(self) -> int | None:
        """Which LLM call of its step a bundled member belongs to (the `_N` of `llm_prompt_N.txt`),
        so that a call's prompt, request and responses group; None for anything else."""
        return member_name(self.bundle_key).call_index if self.bundle_key else None

    @property
    def ext(self) -> str:
        # A bundled member's uri and path are its archive's: its own name is the bundle key.
        name = self.bundle_key or (self.path.name if self.path else None) or (self.uri or "").rsplit("/", 1)[-1]
        if "." in name:
            return name.rsplit(".", 1)[-1].lower()
        return ""

    @property
    def kind(self) -> ArtifactKind:
        return kind_of(self.artifact_type, self.ext)

    @property
    def category(self) -> Category:
        return self.kind.category

    @classmethod
    def from_api(cls, data: Mapping[str, Any], path: Path | None = None) -> Artifact:
        """From one item of GET /v1/runs/{id}/artifacts; unknown fields are kept in raw."""
        return cls(
            artifact_id=_str(data.get("artifact_id")) or "",
            artifact_type=_str(data.get("artifact_type")) or "unknown",
            created_at=parse_time(data.get("created_at")),
            task_id=_str(data.get("task_id")),
            step_id=_str(data.get("step_id")),
            workflow_run_id=_str(data.get("workflow_run_id")),
            workflow_run_block_id=_str(data.get("workflow_run_block_id")),
            run_id=_str(data.get("run_id")),
            observer_cruise_id=_str(data.get("observer_cruise_id")),
            observer_thought_id=_str(data.get("observer_thought_id")),
            uri=_str(data.get("uri")),
            signed_url=_str(data.get("signed_url")),
            bundle_key=_str(data.get("bundle_key")),
            file_size=_int(data.get("file_size")),
            path=path,
            raw=dict(data),
        )


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if value == value and abs(value) != float("inf") else None  # no NaN, no inf


@dataclass(frozen=True)
class Step:
    step_id: str
    task_id: str | None = None
    order: int = 0
    retry_index: int = 0
    status: str | None = None
    created_at: datetime | None = None
    # What the steps API adds (GET /api/v1/tasks/{task}/steps); None where a source does not say.
    modified_at: datetime | None = None  # the last write: the step's end, once it has ended
    is_last: bool = False
    input_tokens: int | None = None
    output_tokens: int | None = None
    cost: float | None = None
    model: str | None = None  # `last_llm_model`
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        safe_fields(self, keep=("raw",))

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Step:
        """From one item of the steps API; its `output` (actions and their results) stays in raw."""
        return cls(
            step_id=_str(data.get("step_id")) or "",
            task_id=_str(data.get("task_id")),
            order=_int(data.get("order")) or 0,
            retry_index=_int(data.get("retry_index")) or 0,
            status=_str(data.get("status")),
            created_at=parse_time(data.get("created_at")),
            modified_at=parse_time(data.get("modified_at")),
            is_last=data.get("is_last") is True,
            input_tokens=_int(data.get("input_token_count")),
            output_tokens=_int(data.get("output_token_count")),
            cost=_float(data.get("step_cost")),
            model=_str(data.get("last_llm_model")),
            raw=dict(data),
        )


@dataclass(frozen=True)
class Run:
    run_id: str
    status: str | None = None
    title: str | None = None
    run_type: str | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    failure_reason: str | None = None
    step_count: int | None = None
    # How many artifacts the source holds for it, when known without loading them.
    artifact_count: int | None = None
    # Which source listed it ("demo", a folder, a server), for the picker.
    source: str = ""
    # Where status and failure reason came from when no server said: "log" for a folder on disk.
    status_from: str = ""
    # The persistent browser session it ran in (`pbs_…`): the task says, or its logs on disk.
    browser_session_id: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        safe_fields(self, keep=("raw",))

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def duration_seconds(self) -> float | None:
        start = self.started_at or self.created_at
        if start is None or self.finished_at is None:
            return None
        return max(0.0, (self.finished_at - start).total_seconds())

    @classmethod
    def from_api(cls, data: Mapping[str, Any], **extra: Any) -> Run:
        """From GET /v1/runs/{id} or an item of GET /v1/runs (the two name a few things apart)."""
        request = mapping(data.get("run_request"))
        title = _str(data.get("title")) or _str(request.get("title")) or _str(request.get("prompt"))
        return cls(
            run_id=_str(data.get("run_id")) or _str(data.get("task_run_id")) or "",
            status=_str(data.get("status")),
            title=title,
            run_type=_str(data.get("run_type")) or _str(data.get("task_run_type")),
            created_at=parse_time(data.get("created_at")),
            started_at=parse_time(data.get("started_at")),
            finished_at=parse_time(data.get("finished_at")),
            failure_reason=_str(data.get("failure_reason")),
            step_count=_int(data.get("step_count")),
            browser_session_id=_str(data.get("browser_session_id")),
            raw=dict(data),
            **extra,
        )


@dataclass(frozen=True)
class ArtifactGroup:
    """The artifacts of one step (or of the run as a whole), oldest first."""

    key: str
    label: str
    artifacts: tuple[Artifact, ...]
    step: Step | None = None

    def __post_init__(self) -> None:
        safe_fields(self, keep=("artifacts",))


RUN_GROUP_KEY = "run"


def _time_key(artifact: Artifact) -> tuple[datetime, str]:
    # Ids grow with time: within one second they keep the order of capture.
    return (artifact.captured_at or datetime.min.replace(tzinfo=timezone.utc), artifact.artifact_id)


def newest(artifacts: Iterable[Artifact]) -> Artifact | None:
    """The artifact captured last (ties: the larger id, as ids grow with time)."""
    return max(artifacts, key=_time_key, default=None)


def step_label(step: Step, task_number: int | None = None) -> str:
    """'Step 3', 'Step 3 (retry 1)'; Skyvern counts steps from 0, people from 1."""
    label = f"Step {step.order + 1}"
    if step.retry_index:
        label += f" (retry {step.retry_index})"
    if task_number is not None:
        label = f"Task {task_number} · {label}"
    return label


def step_title(step: Step, task_number: int | None, outline: Outline | None) -> str:
    """In a run of several tasks (`task_number` given), `read_pages 1/2 › read_page · Step 1`
    where the outline knows the block the step's task ran in, else `Task 2 · Step 1`; in a run of
    one task, `Step 1`."""
    where = outline.task_label(step.task_id) if outline and task_number is not None else None
    label = step_label(step, None if where else task_number)
    return f"{where} · {label}" if where else label


def group_artifacts(artifacts: Iterable[Artifact], steps: Iterable[Step] = (),
                    outline: Outline | None = None, task_order: list[str | None] | None = None) -> list[ArtifactGroup]:
    """Group by step, and a task v2's observer calls by thought, in time order; then the
    run-level artifacts in a group of their own.

    Steps that are not in `steps` (no step list was available) are made from the artifacts and
    placed by the time of their first artifact. With the run's outline, a step is labelled by
    the block (and loop iteration) its task ran in, and a thought by its number and type.
    `task_order`: the run's tasks in order, when `artifacts` are only some of the run's (one
    category), so that a task has the same number in every category.
    """
    known = {s.step_id: s for s in steps if s.step_id}
    run_level: list[Artifact] = []
    by_step: dict[str, list[Artifact]] = {}
    by_thought: dict[str, list[Artifact]] = {}
    for artifact in artifacts:
        if artifact.kind.run_level:
            run_level.append(artifact)
        elif artifact.step_id:
            by_step.setdefault(artifact.step_id, []).append(artifact)
        elif artifact.observer_thought_id:
            by_thought.setdefault(artifact.observer_thought_id, []).append(artifact)
        else:
            run_level.append(artifact)
    for members in (*by_step.values(), *by_thought.values()):
        members.sort(key=_time_key)

    def step_of(step_id: str, members: list[Artifact]) -> Step:
        if step_id in known:
            return known[step_id]
        return Step(step_id=step_id, task_id=members[0].task_id, created_at=members[0].created_at)

    ordered = [step_of(sid, members) for sid, members in by_step.items()]
    # Steps the list did not order get their order from their place in time.
    unordered = [s for s in ordered if s.step_id not in known]
    ordered.sort(
        key=lambda s: (s.created_at or _first_time(by_step[s.step_id]), s.order, s.retry_index)
    )
    if unordered:
        seen_per_task: dict[str | None, int] = {}
        renumbered: list[Step] = []
        for s in ordered:
            number = seen_per_task.get(s.task_id, 0)
            seen_per_task[s.task_id] = number + 1
            renumbered.append(s if s.step_id in known else replace(s, order=number, retry_index=0))
        ordered = renumbered
    task_ids = task_order if task_order is not None else list(dict.fromkeys(s.task_id for s in ordered))
    several_tasks = len(task_ids) > 1
    task_numbers = {task: n for n, task in enumerate(task_ids, 1)}

    groups: list[ArtifactGroup] = []
    for step in ordered:
        task_number = task_numbers.get(step.task_id) if several_tasks else None
        groups.append(ArtifactGroup(step.step_id, step_title(step, task_number, outline), tuple(by_step[step.step_id]), step))
    if by_thought:
        groups = _with_thoughts(groups, by_thought, outline)
    # Last, as Skyvern writes them last: the recording, HAR and logs of the whole run.
    if run_level:
        groups.append(ArtifactGroup(RUN_GROUP_KEY, "Run", tuple(sorted(run_level, key=_time_key))))
    return groups


def _with_thoughts(groups: list[ArtifactGroup], by_thought: dict[str, list[Artifact]],
                   outline: Outline | None) -> list[ArtifactGroup]:
    """The step groups with a group per observer thought, all in the order they started;
    thoughts numbered as the outline lists them (else in the order they started), named by their
    type where the outline knows it."""
    entries = {e.key: e for e in outline.thoughts()} if outline else {}
    thought_groups = [(thought_id, entries.get(thought_id), members) for thought_id, members in by_thought.items()]
    thought_groups.sort(key=lambda t: (t[1].started_at if t[1] and t[1].started_at
                                       else _started(ArtifactGroup(t[0], "", tuple(t[2]))), t[0]))
    # Numbered as the outline lists them, so that a thought has one number in every category.
    known = {key: n for n, key in enumerate(entries, 1)}
    thoughts = []
    for number, (thought_id, entry, members) in enumerate(thought_groups, 1):
        kind = f": {entry.label}" if entry is not None and entry.label != "thought" else ""
        thoughts.append(ArtifactGroup(thought_id, f"Thought {known.get(thought_id, number)}{kind}", tuple(members)))
    # The steps keep their order; each thought goes before the first step that started after it.
    starts = [_started(g) for g in groups]
    merged: list[ArtifactGroup] = []
    step = 0
    for thought in thoughts:  # in the order they started
        at = _started(thought)
        while step < len(groups) and not (groups[step].step is not None and starts[step] > at):
            merged.append(groups[step])
            step += 1
        merged.append(thought)
    return merged + groups[step:]


def _started(group: ArtifactGroup) -> datetime:
    """When a group began, to the microsecond (ids tell the second only): its step's start, else
    its first row's time."""
    if group.step is not None and group.step.created_at is not None:
        return group.step.created_at
    times = [a.created_at for a in group.artifacts if a.created_at is not None]
    return min(times) if times else _first_time(list(group.artifacts))


def _first_time(members: list[Artifact]) -> datetime:
    return _time_key(members[0])[0]


def count_by_category(artifacts: Iterable[Artifact]) -> dict[Category, int]:
    counts = {c: 0 for c in Category}
    for artifact in artifacts:
        counts[artifact.category] += 1
    return counts


@dataclass(frozen=True)
class RunDetail:
    """Everything a source knows of one run: the run, its steps and its artifacts."""

    run: Run
    steps: tuple[Step, ...]
    artifacts: tuple[Artifact, ...]
    # The actions API's items (GET /api/v1/tasks/{task}/actions, or a download's actions.json),
    # as served: the run model reads them. Empty where the source has none.
    actions: tuple[Mapping[str, Any], ...] = field(default=(), compare=False, hash=False, repr=False)
    # A workflow run's (or task v2's) timeline (GET /v1/runs/{id}/timeline, or a download's
    # timeline.json): its blocks, with their status, task and actions, as served.
    timeline: tuple[Mapping[str, Any], ...] = field(default=(), compare=False, hash=False, repr=False)
    # What a reader should know of how the source put the run together ("a task tied by the
    # time its files were written"), one line each, made safe by the source.
    notes: tuple[str, ...] = field(default=(), compare=False, hash=False)

    def groups(self, category: Category | None = None) -> list[ArtifactGroup]:
        if category is None:
            return group_artifacts(self.artifacts, self.steps, self.outline)
        chosen = [a for a in self.artifacts if a.category == category]
        return group_artifacts(chosen, self.steps, self.outline, self.task_order)

    def prepared(self) -> RunDetail:
        """Itself, with what the screens ask of it worked out (its outline, its tasks' order):
        call it in the worker that loaded it, so that the event loop does not (a loop of
        thousands of iterations takes a tenth of a second to outline)."""
        _ = self.outline, self.task_order
        return self

    @cached_property
    def task_order(self) -> list[str | None]:
        """The run's tasks in the order their steps ran (as `groups()` numbers them)."""
        return list(dict.fromkeys(g.step.task_id for g in self.groups() if g.step is not None))

    @cached_property
    def outline(self) -> Outline:
        """Its blocks, loop iterations and observer thoughts, from its timeline."""
        return outline_of(self.timeline)

    @property
    def counts(self) -> dict[Category, int]:
        return count_by_category(self.artifacts)

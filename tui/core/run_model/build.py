"""Builds the run model from a `RunDetail` and its source: at once from what the detail holds
(`first_pass`, no I/O), then one `Part` at a time (`read`), each reading artifacts.

It blocks: call it from a worker thread. A builder keeps what it parsed, by artifact id, so
building again on a newer detail of a live run reads only what is new (and the logs, which grow).
A broken artifact never stops a build: it becomes a line of `RunModel.notes`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

from ..errors import TuiError, describe_error
from ..fields import mapping
from ..formats.logs import SkyvernLog, skyvern_log, skyvern_log_file
from ..model import TERMINAL_STATUSES, Artifact, RunDetail, Step, group_artifacts, step_title
from ..sources.base import Source
from ..sources.local import LocalSource
from .actions import action_type, recorded_actions, recorded_pairs, step_exception, step_url, with_screenshots
from .blocks import log_blocks
from .browser import console_problems, network_problems
from ..recorded import goal_in
from .calls import capture_key, group_calls, prompt_heading
from .elements import from_record as element_from_record
from .elements import from_tree as element_from_tree
from .elements import tree_nodes
from .logscan import ActionResult, LogEntry, Metrics, ScannedLog, line_fields, scan
from ..outline import ENTRY_LIMIT, Outline
from .model import Action, Element, LlmCall, Part, Place, Problem, RunModel, Severity, StepModel

# The parts this builder reads, in the order `build` reads them (`read` takes them in any order).
PARTS: tuple[Part, ...] = (Part.LOGS, Part.DECISIONS, Part.ELEMENTS, Part.CONSOLE, Part.NETWORK)
EXTRACT_ACTIONS = "extract-actions"
LOG_TYPE = "skyvern_log"
TREE_TYPES = ("visible_elements_tree", "visible_elements_tree_trimmed")  # the full tree first
CSS_MAP = "visible_elements_id_css_map"
_EARLIEST = datetime.min.replace(tzinfo=timezone.utc)
_LATEST = datetime.max.replace(tzinfo=timezone.utc)
PROMPT_HEAD = 64 * 1024  # bytes of a prompt read for its heading and goal

Cancelled = Callable[[], bool]
Fresh = tuple[int | None, bool]  # an artifact's file_size when it was read, and whether its run was live


def _final(fresh: Fresh, artifact: Artifact, live: bool) -> bool:
    """What was read of a growing artifact is all there is: read after the run ended, same size."""
    size, was_live = fresh
    return not live and not was_live and size == artifact.file_size


def _never() -> bool:
    return False


@dataclass(frozen=True)
class _Occurrence:
    artifact: Artifact
    line: int
    log_lines: int  # how many lines its log has: the smaller, the narrower


class RunModelBuilder:
    def __init__(self, source: Source) -> None:
        self.source = source
        # Parsed artifacts by id: each kind of result in its own map, so that types stay checked.
        # Logs, console logs and HARs grow while a run runs (and their file_size is not kept up to
        # date): kept with the size they had and whether the run was live when they were read.
        self._logs: dict[str, tuple[Fresh, ScannedLog]] = {}
        self._prompts: dict[str, str] = {}  # prompt artifact id -> its first PROMPT_HEAD bytes, as text
        self._decided: dict[str, tuple[Action, ...]] = {}  # parsed artifact id -> actions
        self._notes: dict[str, str] = {}  # artifact id -> what was wrong with it
        # Element tree id -> the elements asked of it so far (None: not in the tree); the tree
        # is read again only for an element not asked before (a live run's new action).
        self._elements: dict[str, dict[str, Element | None]] = {}
        self._css: dict[str, dict[str, str]] = {}
        self._browser: dict[str, tuple[Fresh, list[Problem]]] = {}  # console log / HAR id -> problems
        self._action_results: dict[tuple[str, int], ActionResult] = {}  # from the logs: how actions went

    # --- the first pass --------------------------------------------------------------------------
    def first_pass(self, detail: RunDetail) -> RunModel:
        """Everything the detail says without reading an artifact; every part still loading."""
        run = detail.run
        request = mapping(run.raw.get("run_request"))
        by_id = {a.artifact_id: a for a in detail.artifacts}
        api_actions: dict[str, list[Mapping[str, Any]]] = {}
        for item in detail.actions:
            step_id = item.get("step_id") if isinstance(item, Mapping) else None
            if isinstance(step_id, str):
                api_actions.setdefault(step_id, []).append(item)
        steps = tuple(self._step(step, label, members, api_actions.get(step.step_id, []), by_id)
                      for step, label, members in _ordered_steps(detail))
        steps = _with_windows(steps)
        screenshots = tuple(sorted((a for a in detail.artifacts if a.artifact_type.startswith("screenshot")),
                                   key=capture_key))
        outline = detail.outline
        for number, note in enumerate(detail.notes):
            self._notes[f"source{number}"] = note
        if outline.cut:
            self._notes["timeline"] = (f"timeline: more than {ENTRY_LIMIT} blocks, iterations and thoughts; "
                                       f"the first {ENTRY_LIMIT} are outlined")
        goal = _str(request.get("prompt")) or _str(request.get("navigation_goal")) or outline.first_goal()
        url = _str(request.get("url")) or _first_url(steps)
        has_status = bool(run.status)
        return RunModel(
            run=run, goal=goal, url=url,
            status=run.status, failure_reason=run.failure_reason, status_from=run.status_from or ("run" if has_status else ""),
            steps=_in_outline(steps, outline), outline=outline.entries, thought_calls=_thought_calls(detail),
            screenshots=screenshots, loading=frozenset(PARTS),
            notes=tuple(self._notes.values()),
        )

    def _step(self, step: Step, label: str, members: tuple[Artifact, ...],
              api_items: Sequence[Mapping[str, Any]], by_id: Mapping[str, Artifact]) -> StepModel:
        members = tuple(sorted(members, key=capture_key))
        shots = tuple(a for a in members if a.artifact_type.startswith("screenshot"))
        action_shots = [a for a in shots if a.artifact_type == "screenshot_action"]
        actions = with_screenshots(recorded_actions(step, api_items), action_shots, by_id)
        kind, message = step_exception(step)
        if kind is None and message is None:
            failed = next((a for a in actions if a.failed and a.errors), None)
            if failed is not None:
                kind, _, message = failed.errors[0].partition(": ")
        times = [t for t in (a.captured_at for a in members) if t]
        started = step.created_at
        if step.status is None and times:  # known from files: the step's log is written from its start
            started = min([*times, *([started] if started else [])])
        if step.status in TERMINAL_STATUSES:
            finished = step.modified_at
        elif step.status is None:  # known from its files only: its last file
            finished = max(times, default=None)
        else:
            finished = None
        return StepModel(
            step=step, label=label, started_at=started, finished_at=finished,
            exception_type=kind or None, exception_message=message or None,
            calls=group_calls(members), actions=actions,
            seen=tuple(a for a in shots if a.artifact_type == "screenshot_llm"),
            screenshots=shots, artifacts=members,
        )

    # --- the parts ---------------------------------------------------------------------------------
    def read(self, model: RunModel, detail: RunDetail, part: Part, cancelled: Cancelled = _never) -> RunModel:
        """Read one part's artifacts into the model; the part is no longer loading."""
        if part is Part.LOGS:
            model = self._read_logs(model, detail, cancelled)
        elif part is Part.DECISIONS:
            model = self._read_decisions(model, cancelled)
            if Part.ELEMENTS not in model.loading:  # read before: the new actions need their elements
                model = self._read_elements(model, detail, cancelled)
        elif part is Part.ELEMENTS:
            model = self._read_elements(model, detail, cancelled)
        elif part is Part.CONSOLE:
            model = self._read_browser(model, detail, "browser_console_log", ("console", "page"), cancelled)
        elif part is Part.NETWORK:
            model = self._read_browser(model, detail, "har", ("network",), cancelled)
        if cancelled():
            return model
        return replace(model, loading=model.loading - {part}, notes=tuple(self._notes.values()))

    def build(self, detail: RunDetail, progress: Callable[[RunModel], None] | None = None,
              cancelled: Cancelled = _never) -> RunModel:
        model = self.first_pass(detail)
        if progress is not None:
            progress(model)
        for part in PARTS:
            if cancelled():
                break
            model = self.read(model, detail, part, cancelled)
            if progress is not None:
                progress(model)
        return model

    def _note(self, artifact: Artifact, exc: BaseException) -> None:
        reason = describe_error(exc)
        # Most errors name the artifact already ("skyvern_log a_1 has no file …").
        named = artifact.artifact_id in reason
        self._notes[artifact.artifact_id] = reason if named else f"{artifact.artifact_type} {artifact.artifact_id}: {reason}"

    def _bytes(self, artifact: Artifact) -> bytes | None:
        try:
            data = self.source.read_bytes(artifact)
        except (TuiError, OSError) as exc:
            self._note(artifact, exc)
            return None
        self._notes.pop(artifact.artifact_id, None)
        return data

    # --- LOGS: call names and metrics, warnings and errors ---------------------------------------------
    def _scanned(self, artifact: Artifact, live: bool) -> ScannedLog | None:
        kept = self._logs.get(artifact.artifact_id)
        # A finished run's logs are read once; a live one's grow, and are read again.
        if kept is not None and _final(kept[0], artifact, live):
            return kept[1]
        log = self._log(artifact)
        if log is None:
            return kept[1] if kept else None
        scanned = scan(log)
        self._logs[artifact.artifact_id] = ((artifact.file_size, live), scanned)
        return scanned

    def _log(self, artifact: Artifact) -> SkyvernLog | None:
        """The log indexed: a file of a folder source in place (its lines read as scanned, never
        all in memory at once; the folder source vetted the path when it listed it), else the
        bytes its source reads."""
        if not isinstance(self.source, LocalSource) or artifact.path is None or artifact.bundle_key:
            data = self._bytes(artifact)
            return None if data is None else skyvern_log(data)
        try:
            log = skyvern_log_file(artifact.path)
        except OSError as exc:
            self._note(artifact, exc)
            return None
        self._notes.pop(artifact.artifact_id, None)
        return log

    def _read_logs(self, model: RunModel, detail: RunDetail, cancelled: Cancelled) -> RunModel:
        live = not detail.run.terminal
        logs: list[tuple[Artifact, ScannedLog]] = []
        for artifact in sorted((a for a in detail.artifacts if a.artifact_type == LOG_TYPE), key=capture_key):
            if cancelled():
                return model
            scanned = self._scanned(artifact, live)
            if scanned is not None:
                logs.append((artifact, scanned))
        self._action_results = {key: r for _, scanned in logs for key, r in scanned.action_results.items()}
        steps = _named_calls(_ended_steps(model.steps, logs), logs)
        steps = tuple(self._logged_outcomes(s) for s in steps)
        steps, problems = _log_problems(steps, logs)
        outline = model.outline
        if not detail.timeline and _is_workflow_run(detail):  # no timeline: the workflow run's log tells
            lines = list({(b.time, b.event, b.label, b.task_id): b for _, scanned in logs for b in scanned.blocks}.values())
            task_ids = list(dict.fromkeys(s.step.task_id for s in steps if s.step.task_id))
            outline = log_blocks(lines, task_ids)
            steps = _in_outline(steps, Outline(outline))
        return replace(model, steps=steps, outline=outline, problems=_merge_problems(model.problems, problems, "log"))

    # --- DECISIONS: what the LLM decided, the prompts' headings and goal --------------------------------------
    def _prompt_text(self, artifact: Artifact) -> str | None:
        if artifact.artifact_id not in self._prompts:
            data = self._bytes(artifact)
            if data is None:
                return None
            self._prompts[artifact.artifact_id] = data[:PROMPT_HEAD].decode("utf-8", "replace")
        return self._prompts[artifact.artifact_id]

    def _decisions(self, artifact: Artifact) -> tuple[Action, ...]:
        if artifact.artifact_id not in self._decided:
            data = self._bytes(artifact)
            if data is None:
                return ()
            from ..formats.llm import actions_document  # parsers: imported when first read, not for first_pass

            try:
                document = actions_document(data)
            except TuiError as exc:
                self._note(artifact, exc)
                self._decided[artifact.artifact_id] = ()
                return ()
            self._decided[artifact.artifact_id] = tuple(
                Action(index=n, action_type=action_type(a.action_type), element_id=a.element_id, text=a.text,
                       reasoning=a.reasoning, intention=str(a.fields.get("intention") or ""),
                       confidence=_float(a.fields.get("confidence_float")), origin="llm",
                       place=Place(artifact, f"action:{n}"))
                for n, a in enumerate(document.actions))
        return self._decided[artifact.artifact_id]

    def _read_decisions(self, model: RunModel, cancelled: Cancelled) -> RunModel:
        goal = model.goal
        steps = []
        for step in model.steps:
            if cancelled():
                return model
            calls = []
            for call in step.calls:
                if call.named_by != "log" and call.prompt is not None:
                    text = self._prompt_text(call.prompt)
                    if text is not None:
                        if goal is None:
                            goal = goal_in(text)
                        heading = prompt_heading(text)
                        if heading and not call.name:
                            call = replace(call, name=heading, named_by="prompt")
                calls.append(call)
            step = replace(step, calls=tuple(calls))
            if not step.actions:
                step = self._decided_actions(step)
            steps.append(step)
        if goal is None:  # every call was named by the log: the goal is still in the first prompt
            first = next((c.prompt for s in model.steps for c in s.calls if c.prompt is not None), None)
            text = self._prompt_text(first) if first is not None else None
            goal = goal_in(text) if text else None
        return replace(model, steps=tuple(steps), goal=goal)

    def _decided_actions(self, step: StepModel) -> StepModel:
        """A step no record of actions covers: what its extract-actions answers decided."""
        named = [c for c in step.calls if c.name == EXTRACT_ACTIONS and c.parsed is not None]
        chosen = named or [c for c in step.calls if c.named_by != "log" and c.parsed is not None]
        decided: list[tuple[Action, str | None]] = []
        for call in chosen:
            assert call.parsed is not None
            for action in self._decisions(call.parsed):
                decided.append((replace(action, index=len(decided)), None))
        shots = [a for a in step.screenshots if a.artifact_type == "screenshot_action"]
        return self._logged_outcomes(replace(step, actions=with_screenshots(decided, shots, {})))

    def _logged_outcomes(self, step: StepModel) -> StepModel:
        """Actions known only from the LLM's answer (a folder on disk) get the outcome the log
        states ("Action succeeded" / "Action failed, …"), when it names the same action."""
        if not self._action_results or not any(a.origin == "llm" and a.status is None for a in step.actions):
            return step
        actions = []
        for action in step.actions:
            logged = self._action_results.get((step.step.step_id, action.index))
            if (action.origin == "llm" and action.status is None and logged is not None
                    and logged.action_type == action.action_type
                    and (logged.element_id or None) == (action.element_id or None)):
                action = replace(action, status="completed" if logged.success else "failed", success=logged.success)
            actions.append(action)
        return replace(step, actions=tuple(actions))


    # --- ELEMENTS: each action's element --------------------------------------------------------------------
    def _css_map(self, artifact: Artifact | None) -> dict[str, str]:
        if artifact is None:
            return {}
        if artifact.artifact_id not in self._css:
            from ..formats.elements import parse_id_map

            data = self._bytes(artifact)
            try:
                self._css[artifact.artifact_id] = dict(parse_id_map(data)) if data is not None else {}
            except TuiError as exc:
                self._note(artifact, exc)
                self._css[artifact.artifact_id] = {}
        return self._css[artifact.artifact_id]

    def _tree_elements(self, tree: Artifact, wanted: set[str], css: Mapping[str, str]) -> dict[str, Element | None]:
        known = self._elements.setdefault(tree.artifact_id, {})
        missing = wanted - known.keys()
        if missing:
            data = self._bytes(tree)
            if data is None:
                return known
            try:
                nodes = tree_nodes(data, missing)
            except TuiError as exc:
                self._note(tree, exc)
                known.update(dict.fromkeys(missing))
                return known
            for element_id in missing:
                node = nodes.get(element_id)
                known[element_id] = None if node is None else element_from_tree(node, tree, css.get(element_id, ""))
        return known

    def _read_elements(self, model: RunModel, detail: RunDetail, cancelled: Cancelled) -> RunModel:
        recorded = _recorded_elements(detail)
        steps = []
        for step in model.steps:
            if cancelled():
                return model
            wanted = {a.element_id for a in step.actions if a.element_id}
            if not wanted:
                steps.append(step)
                continue
            trees = sorted((a for a in step.artifacts if a.artifact_type in TREE_TYPES),
                           key=lambda a: (TREE_TYPES.index(a.artifact_type), capture_key(a)))
            css = self._css_map(next((a for a in step.artifacts if a.artifact_type == CSS_MAP), None))
            found: dict[str, Element] = {}
            for tree in trees:
                still = wanted - found.keys()
                if not still:
                    break
                for element_id, element in self._tree_elements(tree, still, css).items():
                    if element is not None and element_id in still:
                        found[element_id] = element
            actions = []
            for action in step.actions:
                element = found.get(action.element_id) if action.element_id else None
                if element is None and action.element_id and action.action_id in recorded:
                    element = element_from_record(action.element_id, recorded[action.action_id],
                                                  css.get(action.element_id, ""))
                actions.append(replace(action, element=element))
            steps.append(replace(step, actions=tuple(actions)))
        return replace(model, steps=tuple(steps))

    # --- CONSOLE and NETWORK: what the browser said, in each step's window ----------------------------------------
    def _read_browser(self, model: RunModel, detail: RunDetail, artifact_type: str, wheres: tuple[str, ...],
                      cancelled: Cancelled) -> RunModel:
        live = not detail.run.terminal
        found: list[Problem] = []
        for artifact in sorted((a for a in detail.artifacts if a.artifact_type == artifact_type), key=capture_key):
            if cancelled():
                return model
            kept = self._browser.get(artifact.artifact_id)
            if kept is None or not _final(kept[0], artifact, live):
                data = self._bytes(artifact)
                if data is None:
                    continue
                try:
                    if artifact_type == "har":
                        problems, failed = network_problems(artifact, data)
                        if failed > len(problems):
                            self._notes[artifact.artifact_id] = (
                                f"har {artifact.artifact_id}: {failed} failed requests, the first {len(problems)} kept")
                    else:
                        problems = console_problems(artifact, data)
                except TuiError as exc:
                    self._note(artifact, exc)
                    problems = []
                kept = ((artifact.file_size, live), problems)
                self._browser[artifact.artifact_id] = kept
            found += kept[1]
        steps = list(model.steps)
        mine: dict[int, list[Problem]] = {}
        for problem in found:
            n = _window_step(steps, problem.time, None)
            if n is not None:
                mine.setdefault(n, []).append(problem)
        steps = [replace(s, problems=_in_time_order([p for p in s.problems if p.where not in wheres] + mine.get(n, [])))
                 for n, s in enumerate(steps)]
        every = _in_time_order([p for p in model.problems if p.where not in wheres] + found)
        return replace(model, steps=tuple(steps), problems=every)


def _ended_steps(steps: Sequence[StepModel], logs: Sequence[tuple[Artifact, ScannedLog]]) -> tuple[StepModel, ...]:
    """Steps no steps API described (a folder on disk) get the status and end their log states."""
    ends = {step_id: end for _, scanned in logs for step_id, end in scanned.step_ends.items()}
    out = []
    for step in steps:
        end = ends.get(step.step.step_id)
        if step.step.status is None and end is not None:
            status, ended = end
            step = replace(step, step=replace(step.step, status=status, modified_at=ended),
                           finished_at=ended or step.finished_at)
        out.append(step)
    return tuple(out)


# --- steps: order, labels, windows ------------------------------------------------------------------------
def _ordered_steps(detail: RunDetail) -> list[tuple[Step, str, tuple[Artifact, ...]]]:
    """The steps in `group_artifacts`' order and with its labels, and the steps the API lists
    that have no artifact yet, placed by their start."""
    groups = [g for g in group_artifacts(detail.artifacts, detail.steps, detail.outline) if g.step is not None]
    listed = [(g.step, g.label, g.artifacts) for g in groups if g.step is not None]
    seen = {s.step_id for s, _, _ in listed}
    bare = [s for s in detail.steps if s.step_id and s.step_id not in seen]
    if not bare:
        return listed
    merged = [(s, ()) for s, _, _ in listed] + [(s, ()) for s in bare]
    members = {s.step_id: m for s, _, m in listed}
    merged.sort(key=lambda pair: (pair[0].created_at or _LATEST, pair[0].order,
                                  pair[0].retry_index))
    task_ids = list(dict.fromkeys(s.task_id for s, _ in merged))
    several = len(task_ids) > 1
    return [(s, step_title(s, task_ids.index(s.task_id) + 1 if several else None, detail.outline),
             members.get(s.step_id, ())) for s, _ in merged]


def _with_windows(steps: tuple[StepModel, ...]) -> tuple[StepModel, ...]:
    """A step of unknown end (a folder on disk says no status) ends where the next step of its
    task starts, or at its last file if that is later; a step still running has no end."""
    out = list(steps)
    for index, step in enumerate(out):
        if step.status is not None:
            continue
        following = next((s for s in out[index + 1:] if s.step.task_id == step.step.task_id), None)
        if following is not None and following.started_at is not None:
            end = following.started_at if step.finished_at is None else max(step.finished_at, following.started_at)
            out[index] = replace(step, finished_at=end)
    return tuple(out)


def _is_workflow_run(detail: RunDetail) -> bool:
    return detail.run.run_type == "workflow_run" or detail.run.run_id.startswith("wr_")


def _in_outline(steps: tuple[StepModel, ...], outline: Outline) -> tuple[StepModel, ...]:
    """Each step with where its task ran: its block, inside its loop iteration."""
    if not outline:
        return steps
    return tuple(replace(s, block_label=outline.task_label(s.step.task_id)) for s in steps)


def _thought_calls(detail: RunDetail) -> dict[str, tuple[LlmCall, ...]]:
    """A task v2 observer's LLM calls, grouped by the thought they were made for."""
    members: dict[str, list[Artifact]] = {}
    for artifact in detail.artifacts:
        if artifact.observer_thought_id and not artifact.step_id:
            members.setdefault(artifact.observer_thought_id, []).append(artifact)
    return {thought: group_calls(tuple(sorted(found, key=capture_key))) for thought, found in members.items()}


def _recorded_elements(detail: RunDetail) -> dict[str, Mapping[str, Any]]:
    """Action id -> the element Skyvern recorded with it (the actions API, the steps' output)."""
    found: dict[str, Mapping[str, Any]] = {}
    items: list[Mapping[str, Any]] = [item for step in detail.steps for item, _ in recorded_pairs(step)]
    items += [a for a in detail.actions if isinstance(a, Mapping)]
    for item in items:
        action_id, data = item.get("action_id"), item.get("skyvern_element_data")
        if isinstance(action_id, str) and isinstance(data, Mapping):
            found[action_id] = data
    return found


def _first_url(steps: Iterable[StepModel]) -> str | None:
    return next((url for step in steps if (url := step_url(step.step))), None)


def _str(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if value == value else None


# --- naming the calls from the logs ----------------------------------------------------------------------
def _run_metrics(logs: Sequence[tuple[Artifact, ScannedLog]], step_ids: set[str]) -> list[Metrics]:
    """Every metrics line of the run's steps, once (the run, task and step logs repeat them), in time order.

    A line Skyvern logged outside any of the run's steps (a workflow block's description) names
    no step's call.
    """
    seen: dict[str, Metrics] = {}
    for _, scanned in logs:
        for metrics in scanned.metrics:
            if metrics.step_id in step_ids:
                seen.setdefault(metrics.text, metrics)
    return sorted(seen.values(), key=lambda m: (m.time is None, m.time or _EARLIEST, m.text))


def _named_calls(steps: tuple[StepModel, ...], logs: Sequence[tuple[Artifact, ScannedLog]]) -> tuple[StepModel, ...]:
    """Each call named by its metrics line ("LLM API handler duration metrics": prompt_name,
    model, duration, tokens).

    What the demo and the recorded runs show (each pairing checked against the prompts, whose
    headings tell the prompts apart, and against the steps API's token counts, which are the sums
    of their calls' `input_tokens`): Skyvern logs one metrics line per call, in the order it makes
    them, but not always with the id of the step the call belongs to, and not always in that
    step's own log or time window. The next step's extract-actions call runs while the step
    before is finishing (its goal check): it is logged with that step's id, and it and the goal
    check fall after the step's `modified_at` (demo: step 1's check-user-goal at 16:02:41.810,
    step 1 ended 16:02:41.759; step 2's extract-actions at 16:02:41.834 logged as step 1's).
    A step's own log (logs/step/{id}) misses lines its step made; the run's and the last step's
    logs hold all of them, and lines outside any step (a workflow block's description) name none.

    So the calls of the whole run, step after step, are paired in order with the metrics lines
    of the run's steps (every log's, each line once), a line going to a call of its own step or
    of the next one in the task; a line of an earlier step is one whose call left no artifacts,
    and is skipped; a call whose next line is of a later step has none. A step whose pairs add up
    to more input tokens than the steps API counts for it keeps none of them (a line was missing).
    """
    metrics = _run_metrics(logs, {s.step.step_id for s in steps})
    if not metrics:
        return steps
    position = {s.step.step_id: n for n, s in enumerate(steps)}
    previous: dict[int, int | None] = {}
    last_in_task: dict[str | None, int] = {}
    for n, step in enumerate(steps):
        previous[n] = last_in_task.get(step.step.task_id)
        last_in_task[step.step.task_id] = n
    paired: dict[tuple[int, int], Metrics] = {}
    j = 0
    for n, step in enumerate(steps):
        for call in step.calls:
            while j < len(metrics):
                at = position[metrics[j].step_id or ""]
                if at == n or at == previous[n]:
                    paired[(n, call.index)] = metrics[j]
                    j += 1
                    break
                if at > n:
                    break  # a later step's line: this call has none
                j += 1  # an earlier step's line whose call left no artifacts
    out = []
    for n, step in enumerate(steps):
        lines = [paired[(n, c.index)] for c in step.calls if (n, c.index) in paired]
        total, counted = step.step.input_tokens, sum(line.input_tokens or 0 for line in lines)
        every = len(lines) == len(step.calls)
        trusted = total is None or counted == total or (counted < total and not every)
        named = tuple(_named(call, paired.get((n, call.index)) if trusted else None) for call in step.calls)
        out.append(replace(step, calls=named))
    return tuple(out)


def _named(call: LlmCall, line: Metrics | None) -> LlmCall:
    if line is None:
        return call
    return replace(call, name=line.prompt_name, named_by="log", model=line.model,
                   duration_seconds=line.duration_seconds, input_tokens=line.input_tokens,
                   output_tokens=line.output_tokens, time=line.time or call.time)


# --- problems from the logs ---------------------------------------------------------------------------------
def _window_step(steps: Sequence[StepModel], time: datetime | None, named_step: str | None) -> int | None:
    """The step whose time window holds the moment: the one the line names if it is one of
    them (windows overlap: a step starts before the one before it has ended), else the one that
    started last."""
    if time is None:
        return next((n for n, s in enumerate(steps) if s.step.step_id == named_step), None)
    holding = [n for n, s in enumerate(steps)
               if s.started_at is not None and s.started_at <= time
               and (s.finished_at is None or time <= s.finished_at)]
    for n in holding:
        if steps[n].step.step_id == named_step:
            return n
    return max(holding, key=lambda n: steps[n].started_at or time) if holding else None


def _log_problems(steps: tuple[StepModel, ...], logs: Sequence[tuple[Artifact, ScannedLog]]
                  ) -> tuple[tuple[StepModel, ...], list[Problem]]:
    """Each warning and error line once, however many logs repeat it, placed in the narrowest log
    holding it (the step's own, when it has it), and given to the step whose window holds it."""
    occurrences: dict[str, list[_Occurrence]] = {}
    entries: dict[str, LogEntry] = {}
    for artifact, scanned in logs:
        for entry in scanned.entries:
            occurrences.setdefault(entry.text, []).append(_Occurrence(artifact, entry.line, scanned.lines))
            entries.setdefault(entry.text, entry)
    per_step: dict[int, list[Problem]] = {}
    problems: list[Problem] = []
    for text, entry in entries.items():
        _, values = line_fields(text)
        step_value = values.get("step_id")
        n = _window_step(steps, entry.time, step_value if isinstance(step_value, str) else None)
        places = occurrences[text]
        own = [o for o in places if n is not None and o.artifact.step_id == steps[n].step.step_id]
        where = min(own or places, key=lambda o: o.log_lines)
        problem = Problem("log", Severity.ERROR if entry.severity >= 3 else Severity.WARNING, entry.event,
                          entry.time, Place(where.artifact, f"line:{where.line}"))
        problems.append(problem)
        if n is not None:
            per_step.setdefault(n, []).append(problem)
    out = []
    for n, step in enumerate(steps):
        mine = per_step.get(n, [])
        kept = [p for p in step.problems if p.where != "log"]
        out.append(replace(step, problems=_in_time_order(kept + mine)))
    return tuple(out), problems


def _in_time_order(problems: Iterable[Problem]) -> tuple[Problem, ...]:
    return tuple(sorted(problems, key=lambda p: (p.time is None, p.time or _EARLIEST)))


def _merge_problems(old: Iterable[Problem], new: Iterable[Problem], where: str) -> tuple[Problem, ...]:
    """The run's problems with those of one source (`where`) replaced by `new`."""
    return _in_time_order([p for p in old if p.where != where] + list(new))

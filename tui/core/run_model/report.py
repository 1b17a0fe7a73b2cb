"""The overview of a run as text, for a chat, a ticket or another program: `skyvern-tui report`.

`report_data(model)` is the report as plain JSON-ready values (the contract for programs: at
least run_id, status, failure_reason, goal and steps, each step with its status, actions (type,
element, reasoning) and llm_calls); `markdown(model)` draws the same report for people. Both
read only the model, whose strings are already safe (control characters visible). Artifacts
appear by id and type only: never a URI or a signed URL. `redact` takes out what must never be
printed (the API key, signed URLs) from anything else that would quote them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from ..model import Artifact
from ..outline import Entry, EntryKind
from .model import Action, Element, LlmCall, Place, Problem, RunModel, Severity, StepModel

LAST_ACTIONS = 3  # of the step that failed, in the failure block
FIRST_REQUESTS = 5  # failed requests in the failure block
LAST_LOG_LINES = 5  # log warnings and errors at the end of the run, in the failure block
REDACTED = "[redacted]"


# --- values ---------------------------------------------------------------------------------------------
def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _place(place: Place | None) -> dict[str, Any] | None:
    """Where to look: the artifact by id and type (never its URI: it may be a signed URL)."""
    if place is None:
        return None
    return {"artifact_id": place.artifact.artifact_id, "artifact_type": place.artifact.artifact_type,
            "target": place.target}


def _artifact(artifact: Artifact | None) -> dict[str, Any] | None:
    if artifact is None:
        return None
    return {"artifact_id": artifact.artifact_id, "artifact_type": artifact.artifact_type}


def _element(action: Action) -> dict[str, Any] | None:
    element: Element | None = action.element
    if element is None:
        return None if action.element_id is None else {"id": action.element_id, "label": action.element_id}
    return {"id": element.element_id, "label": element.label, "tag": element.tag or None,
            "dom_id": element.dom_id or None, "text": element.text or None, "href": element.href or None,
            "css": element.css or None, "disabled": element.disabled, "hidden": element.hidden,
            "readonly": element.readonly}


def _action(action: Action) -> dict[str, Any]:
    return {
        "index": action.index, "type": action.action_type, "element": _element(action),
        "text": action.text or None, "reasoning": action.reasoning or None, "intention": action.intention or None,
        "confidence": action.confidence, "status": action.status, "success": action.success,
        "failed": action.failed, "errors": list(action.errors), "origin": action.origin,
        "started_at": _time(action.started_at), "finished_at": _time(action.finished_at),
        "screenshot": _artifact(action.screenshot),
    }


def _call(call: LlmCall) -> dict[str, Any]:
    return {
        "index": call.index, "name": call.name or None, "title": call.title, "named_by": call.named_by or None,
        "model": call.model, "duration_seconds": call.duration_seconds,
        "input_tokens": call.input_tokens, "output_tokens": call.output_tokens, "time": _time(call.time),
        "artifacts": [_artifact(a) for a in call.artifacts],
    }


def _problem(problem: Problem) -> dict[str, Any]:
    return {"where": problem.where, "severity": problem.severity.value, "text": problem.text,
            "time": _time(problem.time), "place": _place(problem.place)}


def step_tokens(step: StepModel) -> tuple[int | None, int | None]:
    """The step's tokens as the steps API says, else the sum of what the log said of its calls."""
    def total(values: Iterable[int | None]) -> int | None:
        known = [v for v in values if v is not None]
        return sum(known) if known else None

    input_tokens = step.step.input_tokens
    output_tokens = step.step.output_tokens
    if input_tokens is None:
        input_tokens = total(c.input_tokens for c in step.calls)
    if output_tokens is None:
        output_tokens = total(c.output_tokens for c in step.calls)
    return input_tokens, output_tokens


def _step(step: StepModel) -> dict[str, Any]:
    input_tokens, output_tokens = step_tokens(step)
    return {
        "label": step.label, "step_id": step.step.step_id, "task_id": step.step.task_id,
        "order": step.step.order, "retry_index": step.step.retry_index, "status": step.status,
        "failed": step.failed, "is_last": step.step.is_last, "block": step.block_label,
        "started_at": _time(step.started_at), "finished_at": _time(step.finished_at),
        "duration_seconds": step.duration_seconds, "input_tokens": input_tokens, "output_tokens": output_tokens,
        "cost": step.step.cost, "exception_type": step.exception_type, "exception_message": step.exception_message,
        "errors": step.count(Severity.ERROR), "warnings": step.count(Severity.WARNING),
        "actions": [_action(a) for a in step.actions], "llm_calls": [_call(c) for c in step.calls],
        "problems": [_problem(p) for p in step.problems],
    }


def _entry(entry: Entry) -> dict[str, Any]:
    return {"kind": entry.kind.value, "key": entry.key, "label": entry.label, "depth": entry.depth,
            "parent": entry.parent, "block_type": entry.block_type or None, "block_id": entry.block_id,
            "status": entry.status, "failure_reason": entry.failure_reason, "task_ids": list(entry.task_ids),
            "loop_index": entry.loop_index, "loop_value": entry.loop_value, "text": entry.text,
            "from_log": entry.from_log,
            "started_at": _time(entry.started_at), "finished_at": _time(entry.finished_at)}


def shows_failure(model: RunModel) -> bool:
    """A run that did not do what it was asked (or whose status is unknown but says why it failed)."""
    return model.unsuccessful or (model.status is None and bool(model.failure_reason))


def last_log_lines(model: RunModel) -> list[Problem]:
    """The log's last warnings and errors: where a run that went wrong ended."""
    return [p for p in model.problems if p.where == "log"][-LAST_LOG_LINES:]


def failed_requests(model: RunModel, limit: int = FIRST_REQUESTS) -> list[tuple[Problem, int]]:
    """The first failed requests, each once, with how many times it failed (a page that does not
    load is asked for again and again)."""
    counts: dict[str, int] = {}
    first: dict[str, Problem] = {}
    for problem in model.problems:
        if problem.where == "network":
            counts[problem.text] = counts.get(problem.text, 0) + 1
            first.setdefault(problem.text, problem)
    return [(first[text], counts[text]) for text in list(first)[:limit]]


def _failure(model: RunModel) -> dict[str, Any] | None:
    if not shows_failure(model):
        return None
    step = model.failed_step
    console, page = model.first("console"), model.first("page")
    block = model.failed_block or (model.last_block if model.unsuccessful else None)
    return {
        "failure_reason": model.failure_reason,
        "block": None if block is None else {**_entry(block), "within": [e.label for e in model.path_of(block)],
                                             "why": "failed" if block is model.failed_block else "last"},
        "step": None if step is None else {
            "label": step.label, "step_id": step.step.step_id, "status": step.status,
            "why": "failed" if step.failed else "last",
            "exception_type": step.exception_type, "exception_message": step.exception_message,
            "last_actions": [_action(a) for a in step.actions[-LAST_ACTIONS:]],
        },
        "first_console_error": None if console is None else _problem(console),
        "first_page_error": None if page is None else _problem(page),
        "failed_requests": [{**_problem(p), "count": n} for p, n in failed_requests(model)],
        "last_log_lines": [_problem(p) for p in last_log_lines(model)],
        "last_screenshot": _artifact(model.last_screenshot),
    }


def report_data(model: RunModel) -> dict[str, Any]:
    """The report as JSON-ready values."""
    run = model.run
    return {
        "run_id": run.run_id, "run_type": run.run_type, "title": run.title,
        "status": model.status, "status_from": model.status_from or None,
        "failure_reason": model.failure_reason, "goal": model.goal, "url": model.url,
        "created_at": _time(run.created_at), "started_at": _time(run.started_at),
        "finished_at": _time(run.finished_at), "duration_seconds": run.duration_seconds,
        "browser_session_id": run.browser_session_id,
        "failure": _failure(model),
        "blocks": [_entry(e) for e in model.blocks],  # as before the outline: the blocks alone
        "outline": [_entry(e) for e in model.outline],
        "steps": [_step(s) for s in model.steps],
        "problems": {"errors": sum(1 for p in model.problems if p.severity is Severity.ERROR),
                     "warnings": sum(1 for p in model.problems if p.severity is Severity.WARNING)},
        "not_read": sorted(part.value for part in model.loading),
        "notes": list(model.notes),
    }


# --- markdown -------------------------------------------------------------------------------------------------
_SPACES = re.compile(r"\s+")
# Characters that would start HTML in a renderer (`<button id=x>` would vanish) or break a
# table row: escaped with a backslash, which CommonMark allows before any punctuation.
_PROSE = re.compile(r"([<>\\])")
_BACKTICKS = re.compile(r"`+")
_BACKSLASHES_BEFORE_PIPE = re.compile(r"\\+(?=\|)")


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _escaped(text: str) -> str:
    return _PROSE.sub(r"\\\1", text)


def _prose(text: str) -> str:
    """Data as running text: on one line, nothing a renderer takes for HTML."""
    return _escaped(_one_line(text))


def _code(text: str, in_table: bool = False) -> str:
    """Data as a code span, which renders it as it is: fenced by more backticks than it holds.
    In a table, a backslash before a `|` is doubled: the table reads `\\|` as a backslash and
    the end of the cell (the `|` itself is escaped by `_cell`)."""
    text = _one_line(text)
    if in_table:
        text = _BACKSLASHES_BEFORE_PIPE.sub(lambda m: m.group() * 2, text)
    fence = "`" * (max((len(m) for m in _BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _cell(text: str) -> str:
    """A table cell: `|` escaped (GitHub's tables want it so even inside code spans)."""
    return text.replace("|", "\\|") or " "


def _quote(text: str) -> list[str]:
    """Multi-line data as a block quote, each line escaped as prose."""
    return [f"> {_escaped(line).rstrip()}" if line.strip() else ">" for line in text.strip().splitlines()]


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"


def _tokens(step: StepModel) -> str:
    input_tokens, output_tokens = step_tokens(step)
    if input_tokens is None and output_tokens is None:
        return "—"
    return f"{input_tokens if input_tokens is not None else '?'} / {output_tokens if output_tokens is not None else '?'}"


def action_line(action: Action, in_table: bool = False) -> str:
    """`click` `AAAH <button id=checkout disabled> "Check out"` "typed text" — failed"""
    parts = [_code(action.action_type, in_table)]
    if action.element is not None:
        parts.append(_code(action.element.label, in_table))
    elif action.element_id:
        parts.append(_code(action.element_id, in_table))
    if action.text:
        parts.append(_code(action.text, in_table))
    outcome = "failed" if action.failed else action.status
    return " ".join(parts) + (f" — {_prose(outcome)}" if outcome else "")


def _problem_line(problem: Problem) -> str:
    when = f"{problem.time:%H:%M:%S} " if problem.time is not None else ""
    return f"{when}{problem.severity.value}: {_code(problem.text)}"


def _failure_lines(model: RunModel) -> list[str]:
    lines = ["", "## Why it failed", ""]
    if model.failure_reason:
        lines += ["**Failure reason:**", "", *_quote(model.failure_reason), ""]
    else:
        lines += ["**Failure reason:** not recorded", ""]
    block, title = model.failed_block, "Failed block"
    if block is None and model.unsuccessful:
        block, title = model.last_block, "Last block"
    if block is not None:
        within = " › ".join(e.title for e in model.path_of(block))
        lines.append(f"**{title}:** {_code(block.label)} ({_prose(block.block_type or 'block')})"
                     f"{f' in {_prose(within)}' if within else ''}: {_prose(block.status or 'status unknown')}")
        if block.failure_reason and block.failure_reason != model.failure_reason:
            lines += ["", *_quote(block.failure_reason)]
        lines.append("")
    step = model.failed_step
    if step is not None:
        why = "the first step that failed" if step.failed else "the last step"
        lines.append(f"**{_prose(step.label)}** ({why}): {_prose(step.status or 'status unknown')}")
        if step.exception_type or step.exception_message:
            exception = ": ".join(x for x in (step.exception_type, step.exception_message) if x)
            lines.append(f"- Exception: {_code(exception)}")
        actions = step.actions[-LAST_ACTIONS:]
        if actions:
            lines += ["", f"Its last {'action' if len(actions) == 1 else f'{len(actions)} actions'}:", ""]
            for action in actions:
                lines.append(f"{action.index + 1}. {action_line(action)}")
                if action.reasoning:
                    lines.append(f"   - Reasoning: {_prose(action.reasoning)}")
                for error in action.errors:
                    lines.append(f"   - Error: {_code(error)}")
        lines.append("")
    console, page, shot = model.first("console"), model.first("page"), model.last_screenshot
    if shot is not None:
        lines.append(f"- **Last screenshot:** {_code(shot.artifact_id)} ({_prose(shot.artifact_type)})")
    lines.append(f"- **First console error:** {_code(console.text) if console else 'none'}")
    lines.append(f"- **First page error:** {_code(page.text) if page else 'none'}")
    requests = failed_requests(model)
    if requests:
        lines.append("- **Failed requests:**")
        lines += [f"  - {_code(p.text)}{f' ({n} times)' if n > 1 else ''}" for p, n in requests]
    else:
        lines.append("- **Failed requests:** none")
    logged = last_log_lines(model)
    if logged:
        lines.append("- **Last log warnings and errors:**")
        lines += [f"  - {_problem_line(p)}" for p in logged]
    else:
        lines.append("- **Last log warnings and errors:** none")
    return lines


def _steps_table(steps: Sequence[StepModel]) -> list[str]:
    lines = ["", "## Steps", ""]
    if not steps:
        return [*lines, "No steps."]
    lines += ["| Step | Status | Actions | LLM calls | Duration | Tokens in / out | Errors | Warnings |",
              "|---|---|---|---|---|---|---:|---:|"]
    for step in steps:
        status = step.status or "—"
        if step.failed and step.status != "failed":
            status += " (an action failed)"
        if step.exception_type:
            status += f" {_code(step.exception_type, in_table=True)}"
        actions = "; ".join(action_line(a, in_table=True) for a in step.actions) or "—"
        calls = ", ".join(_prose(c.title) for c in step.calls) or "—"
        lines.append("| " + " | ".join(_cell(cell) for cell in (
            _prose(step.label), status, actions, calls, duration(step.duration_seconds), _tokens(step),
            str(step.count(Severity.ERROR)), str(step.count(Severity.WARNING)))) + " |")
    return lines


def _outline_table(entries: Sequence[Entry]) -> list[str]:
    """Blocks, iterations and thoughts in the order they ran; nesting shown by indent."""
    lines = ["", "## Outline", "", "| Entry | Type | Status | Tasks | Failure or thought |", "|---|---|---|---|---|"]
    for entry in entries:
        kind = entry.block_type or ("iteration" if entry.kind is EntryKind.ITERATION else entry.kind.value)
        what = entry.failure_reason or entry.text or (entry.loop_value if entry.kind is EntryKind.ITERATION else None)
        lines.append("| " + " | ".join(_cell(cell) for cell in (
            "› " * entry.depth + _prose(entry.title), _prose(kind), _prose(entry.status or "—"),
            ", ".join(_code(t, in_table=True) for t in entry.task_ids) or "—", _prose(what or "—"))) + " |")
    return lines


def markdown(model: RunModel) -> str:
    """The report for people: goal, status, why it failed, the blocks and the steps."""
    run = model.run
    status = model.status or "unknown"
    lines = [f"# Run {_code(run.run_id)}: {_prose(status)}", ""]
    facts = [f"**Status:** {_prose(status)}"]
    if model.status_from == "log":
        facts[0] += " (from the log)"
    if run.run_type:
        facts.append(f"**Type:** {_prose(run.run_type)}")
    started = run.started_at or run.created_at
    if started is not None:
        facts.append(f"**Started:** {started:%Y-%m-%d %H:%M:%S}")
    if run.duration_seconds is not None:
        facts.append(f"**Duration:** {duration(run.duration_seconds)}")
    facts.append(f"**Steps:** {len(model.steps)}")
    if run.browser_session_id:
        facts.append(f"**Browser session:** {_code(run.browser_session_id)}")
    lines.append(" · ".join(facts))
    about = []
    if run.title and run.title != model.goal:
        about.append(f"**Title:** {_prose(run.title)}  ")  # two spaces: a line break
    if model.url:
        about.append(f"**URL:** {_code(model.url)}")
    if about:
        lines += ["", *about]
    lines += ["", "**Goal:**", ""]
    lines += _quote(model.goal) if model.goal else ["not recorded"]
    if shows_failure(model):
        lines += _failure_lines(model)
    if model.outline:
        lines += _outline_table(model.outline)
    lines += _steps_table(model.steps)
    if model.loading:
        lines += ["", "Not read: " + ", ".join(_prose(part.label) for part in sorted(model.loading, key=str))]
    if model.notes:
        lines += ["", "## Notes (what could not be read, how the run was put together)", ""] + [f"- {_code(note)}" for note in model.notes]
    return "\n".join(lines).rstrip() + "\n"


# --- secrets --------------------------------------------------------------------------------------------
def secrets_of(artifacts: Iterable[Artifact], api_key: str | None = None) -> list[str]:
    """What a report must never print: the API key, and each artifact's signed URL."""
    found = [api_key] if api_key else []
    for artifact in artifacts:
        for url in (artifact.signed_url, artifact.raw.get("signed_url")):
            if isinstance(url, str) and url.startswith(("http://", "https://")):
                found.append(url)
    # Longest first, so a URL that holds another is taken out whole.
    return sorted({s for s in found if len(s) >= 8}, key=len, reverse=True)


def redact(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text

"""What a run recorded about itself, for a folder with no database: its final status and failure
reason from its Skyvern log, its goal from its first prompt.

Skyvern 1.0.56 logs a task's end as
    ... [info     ] Task duration metrics   ... failure_reason="..." ... task_status="terminated" ...
and a workflow run's as `Workflow run duration metrics ... workflow_run_status="failed"` (with
`failure_reason`), after `Marking workflow run wr_1 as failed ... failure_reason="..."` (a timeout:
`Marking workflow run wr_1 as timed out`, no reason, no metrics line). The log
of a workflow run is often written before the run is marked: then its last task's end is all it
says. Values are JSON (`"..."` strings, `null`). Prompts carry the goal as
    User goal:
    ```
    Sign in to ...
    ```
Everything here takes bytes from outside: broken bytes give no fact, never an exception.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

from .model import TERMINAL_STATUSES, parse_time
from .textsafe import safe_fields

# How much of a log's end and of a prompt's start is read: a run's end is in its last lines.
LOG_TAIL = 256 * 1024
PROMPT_HEAD = 64 * 1024
GOAL_LIMIT = 4000  # characters of a goal kept (a prompt can paste a whole document)

_STATEMENT = re.compile(
    rb"^(?P<ts>\S+)\s+\[[a-zA-Z]+\s*\]\s*(?P<event>Task duration metrics|Workflow run duration metrics"
    rb"|Marking workflow run \S+ as (?P<marked>timed out|[a-z_]+))\b(?P<rest>[^\n]*)",
    re.MULTILINE,
)
_JSON_STRING = rb'"(?:[^"\\\n]|\\.)*"'


def _value(rest: bytes, key: bytes) -> str | None:
    """The JSON string value of `key=` in a log line's key=value pairs; None for null or absent."""
    match = re.search(rb"(?<![\w\"])" + re.escape(key) + rb"=(" + _JSON_STRING + rb"|null)", rest)
    if not match or match.group(1) == b"null":
        return None
    try:
        value = json.loads(match.group(1).decode("utf-8", "replace"))
    except ValueError:
        return None
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class Ending:
    """One log line that states how a task or a workflow run ended."""

    scope: str  # "task" or "workflow_run"
    status: str
    failure_reason: str | None
    at: datetime | None
    # The run type Skyvern logged with a task's end (`task_run_type="task_v1"`); None if not.
    run_type: str | None = None

    def __post_init__(self) -> None:
        safe_fields(self)


def endings(data: bytes) -> list[Ending]:
    """Every statement of a task's or workflow run's final status in a skyvern_log, in order."""
    found: list[Ending] = []
    for match in _STATEMENT.finditer(data):
        event, rest = match.group("event"), match.group("rest")
        run_type = None
        if event.startswith(b"Task"):
            scope, status = "task", _value(rest, b"task_status")
            run_type = _value(rest, b"task_run_type")
        elif event.startswith(b"Workflow"):
            scope, status = "workflow_run", _value(rest, b"workflow_run_status")
        else:
            # 1.0.56 says "as failed", "as completed", ... but "as timed out" (with a space).
            scope, status = "workflow_run", match.group("marked").decode().replace(" ", "_")
        if status not in TERMINAL_STATUSES:
            continue  # a run marked running, or a line cut short
        at = parse_time(match.group("ts").decode("ascii", "replace"))
        found.append(Ending(scope, status, _value(rest, b"failure_reason"), at, run_type))
    return found


def final_ending(found: list[Ending], workflow_run: bool) -> Ending | None:
    """How the run ended: for a workflow run its own last statement, else (its log was written
    before it was marked) its last task's; for a task, the last statement of a task."""
    if workflow_run:
        own = [e for e in found if e.scope == "workflow_run"]
        if own:
            # "Marking ... as failed" names the reason; the metrics line after it may not.
            last = own[-1]
            reason = last.failure_reason or next(
                (e.failure_reason for e in reversed(own) if e.status == last.status and e.failure_reason), None
            )
            return Ending(last.scope, last.status, reason, last.at, last.run_type)
    tasks = [e for e in found if e.scope == "task"]
    return tasks[-1] if tasks else None


def whole_lines(data: bytes, cut: bool) -> bytes:
    """`data` without its first line when that line was `cut` (the read began inside it)."""
    if not cut:
        return data
    newline = data.find(b"\n")
    return data[newline + 1:] if newline >= 0 else b""


def prompt_goal(data: bytes) -> str | None:
    """The goal a Skyvern prompt states in its "User goal:" section; None when it has none.
    (str.find, not a regex: one pass over the head, whatever the bytes.)"""
    return goal_in(data[:PROMPT_HEAD].decode("utf-8", "replace"))


_GOAL_HEADING = re.compile(r"^\s*(user goal|data extraction goal)\s*:\s*$", re.IGNORECASE)


def goal_in(text: str) -> str | None:
    """The "User goal:" section of a prompt's text (an extraction prompt's "Data extraction
    goal:"; its head is enough): the fenced block after the heading (extract-actions,
    extraction), else the paragraph after it (other prompts)."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if not _GOAL_HEADING.match(line):
            continue
        body: list[str] = []
        fenced = closed = False
        for follow in lines[index + 1:]:
            stripped = follow.strip()
            if not body and not fenced and stripped.startswith("`") and not stripped.startswith("```"):
                return None  # a fence the head cut in two
            if stripped.startswith("```"):
                if fenced:
                    closed = True
                    break
                fenced = True
                continue
            if not fenced and not stripped:
                if body:
                    break
                continue
            body.append(follow.rstrip())
        if fenced and not closed:
            return None  # the head ends inside the goal: better none than a goal cut short
        goal = "\n".join(body).strip()
        if goal:
            return goal[:GOAL_LIMIT] + ("…" if len(goal) > GOAL_LIMIT else "")
    return None

"""What the run model takes from Skyvern's logs (skyvern_log): the LLM calls' metrics and the
warning and error lines, each with its time.

The lines are split and made safe by formats.logs (`skyvern_log`, `skyvern_log_file`) and
parsed by its `parse_log_line`; this module only picks the lines the model needs and decodes
their values. The log is read a chunk at a time (a 150 MB log is never in memory as text), and
what is kept is bounded by what differs: a line the same as one kept before (a log repeats its
events) adds nothing, as the run model keeps each line's first occurrence only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from collections.abc import Callable
from datetime import datetime

from ..formats.logs import SkyvernLog, parse_log_line
from ..model import parse_time

METRICS_EVENT = "LLM API handler duration metrics"
STEP_END_EVENT = "Step duration metrics"  # step_id=… step_status=…: how a step ended
# action={"element_id", "type"} action_idx=N action_result={"success"}: how an action went.
ACTION_EVENTS = ("Action succeeded", "Action failed")
WARNING = 3  # SkyvernLog.severities holds the severity + 1: warning 2 -> 3, error 3 -> 4


@dataclass(frozen=True)
class Metrics:
    """One "LLM API handler duration metrics" line: one LLM call as Skyvern measured it."""

    time: datetime | None
    prompt_name: str
    step_id: str | None  # the step Skyvern logged it in (not always the call's: see build.py)
    model: str | None
    duration_seconds: float | None
    input_tokens: int | None
    output_tokens: int | None
    text: str  # the line, to tell the same line in two logs from two calls


@dataclass(frozen=True)
class LogEntry:
    """A warning or error line: its place in its log and what it says."""

    line: int
    time: datetime | None
    severity: int  # formats.logs.SEVERITY: 2 warning, 3 error, 4 critical
    event: str
    text: str


@dataclass(frozen=True)
class BlockLine:
    """A workflow run log's line about a block (`block_label=`) or the task a block created."""

    time: datetime | None
    event: str
    label: str | None
    block_type: str | None
    block_id: str | None  # workflow_run_block_id
    task_id: str | None


@dataclass(frozen=True)
class ScannedLog:
    metrics: tuple[Metrics, ...]
    entries: tuple[LogEntry, ...]
    lines: int
    first: datetime | None  # the time of its first and last lines: what it covers
    last: datetime | None
    blocks: tuple[BlockLine, ...] = ()
    # step id -> (the status it ended with, when): what a folder with no database knows of it.
    step_ends: dict[str, tuple[str, datetime | None]] = field(default_factory=dict)
    # (step id, action index) -> how that action went, as the log states it.
    action_results: dict[tuple[str, int], ActionResult] = field(default_factory=dict)


@dataclass(frozen=True)
class ActionResult:
    action_type: str
    element_id: str | None
    success: bool
    time: datetime | None


NEW_TASK_EVENT = "Created a new task for workflow run"


def _value(raw: str) -> object:
    if raw[:1] in ('"', "[", "{"):
        try:
            return json.loads(raw)
        except (ValueError, RecursionError):  # not JSON, or `[[[[...` deeper than json recurses
            return raw
    if raw == "null":
        return None
    try:
        return float(raw) if "." in raw or "e" in raw.lower() else int(raw)
    except ValueError:
        return raw


_FIELDS_KEPT = 4096  # lines whose fields are remembered (a log repeats the same lines)


class _Fields:
    """line_fields with the last lines' results remembered: the same line is parsed once."""

    def __init__(self) -> None:
        self.known: dict[str, tuple[str, dict[str, object]]] = {}

    def __call__(self, text: str) -> tuple[str, dict[str, object]]:
        found = self.known.get(text)
        if found is None:
            if len(self.known) >= _FIELDS_KEPT:
                self.known.clear()
            found = self.known[text] = line_fields(text)
        return found


def line_fields(text: str) -> tuple[str, dict[str, object]]:
    """A log line's event text and its key=value pairs, decoded (a key given twice: the first)."""
    parsed = parse_log_line(text, limit=None)  # every pair: a step id can follow a long prompt
    event = text[parsed.event_span[0]:parsed.event_span[1]].strip() if parsed.event_span else text
    values: dict[str, object] = {}
    for key_start, key_end, value_start, value_end in parsed.pairs:
        values.setdefault(text[key_start:key_end], _value(text[value_start:value_end]))
    return event, values


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _time(text: str) -> datetime | None:
    stamp = text.split(" ", 1)[0]
    return parse_time(stamp) if stamp[:1].isdigit() else None


# A line is looked at closely only when it holds one of these: one search over a chunk of
# lines finds them, and which one it found says what to look for in the line.
_KINDS = {"metrics": METRICS_EVENT, "action": "] Action ", "step_end": STEP_END_EVENT, "block": "block_label=",
          "new_task": NEW_TASK_EVENT}
_WANTED = re.compile("|".join(re.escape(text) for text in _KINDS.values()))  # no groups: they slow the search
_BIT = {text: 1 << n for n, text in enumerate(_KINDS.values())}  # by the text found
_METRICS, _ACTION, _STEP_END = _BIT[METRICS_EVENT], _BIT["] Action "], _BIT[STEP_END_EVENT]
_BLOCK = _BIT["block_label="] | _BIT[NEW_TASK_EVENT]


def scan(log: SkyvernLog) -> ScannedLog:
    metrics: dict[str, Metrics] = {}  # by line text: the first of each
    entries: dict[str, LogEntry] = {}
    blocks: dict[str, BlockLine] = {}
    step_ends: dict[str, tuple[str, datetime | None]] = {}
    action_results: dict[tuple[str, int], ActionResult] = {}
    fields = _Fields()
    first = last = None
    severities = log.severities
    for start, count, chunk in log.texts():
        lines = chunk.split("\n")
        # The lines worth a look: those the search over the whole chunk finds (one C call, not
        # one a line), and the warnings and worse the index knows.
        picked = dict.fromkeys((n - start for n in log.problems(start, start + count)), 0)
        line, pos = 0, 0
        for found in _WANTED.finditer(chunk):
            line += chunk.count("\n", pos, found.start())
            pos = found.start()
            picked[line] = picked.get(line, 0) | _BIT[found.group()]
        at = 0
        while first is None and at < count:
            first = _time(lines[at])
            at += 1
        for n in sorted(picked):
            if n >= count:
                continue
            index, text, kinds = start + n, lines[n], picked[n]
            severity = severities[index]
            if severity >= WARNING:
                if text not in entries:
                    event, _ = fields(text)
                    entries[text] = LogEntry(index, _time(text), severity - 1, event, text)
            elif kinds & _METRICS and text not in metrics:
                event, values = fields(text)
                if event == METRICS_EVENT and _str(values.get("prompt_name")):
                    metrics[text] = Metrics(
                        _time(text), str(values["prompt_name"]), _str(values.get("step_id")), _str(values.get("model")),
                        _number(values.get("duration_seconds")), _count(values.get("input_tokens")),
                        _count(values.get("output_tokens")), text)
            if kinds & _ACTION and text.find("] Action ", 0, 64) >= 0 and any(e in text for e in ACTION_EVENTS):
                _action_result(text, action_results, fields)
            elif kinds & _STEP_END:
                event, values = fields(text)
                step_id, status = _str(values.get("step_id")), _str(values.get("step_status"))
                if event == STEP_END_EVENT and step_id and status:
                    step_ends[step_id] = (status, _time(text))
            if kinds & _BLOCK and text not in blocks:
                event, values = fields(text)
                label = _str(values.get("block_label"))
                if label or event == NEW_TASK_EVENT:
                    blocks[text] = BlockLine(_time(text), event, label, _str(values.get("block_type")),
                                             _str(values.get("workflow_run_block_id")), _str(values.get("task_id")))
    count = log.line_count
    for at in range(count - 1, -1, -1):  # the last line with a time (read from the end, a block at a time)
        last = _time(log.line(at))
        if last is not None:
            break
    return ScannedLog(tuple(metrics.values()), tuple(entries.values()), count, first, last, tuple(blocks.values()),
                      step_ends, action_results)


def _action_result(text: str, found: dict[tuple[str, int], ActionResult],
                   fields: Callable[[str], tuple[str, dict[str, object]]] = line_fields) -> None:
    event, values = fields(text)
    if not event.startswith(ACTION_EVENTS):
        return
    action, result = values.get("action"), values.get("action_result")
    step_id, index = _str(values.get("step_id")), _count(values.get("action_idx"))
    if not isinstance(action, dict) or step_id is None or index is None:
        return
    success = result.get("success") if isinstance(result, dict) else None
    found[(step_id, index)] = ActionResult(
        str(action.get("type") or "").lower(), _str(action.get("element_id")),
        success if isinstance(success, bool) else event.startswith("Action succeeded"), _time(text))

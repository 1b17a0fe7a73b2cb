"""A run's outline: its workflow blocks, each loop's iterations, and a task v2 observer's
thoughts, in the order they ran; and where each task and artifact sits in it.

Read from the run's timeline in the API's shape (GET /v1/runs/{id}/timeline, a download's
timeline.json, or what a folder's logs say, which a storage tree writes in the same shape with
`"source": "log"`). The API lists the timeline newest first, a loop's inner blocks as its
`children`, each with the `current_index` of its iteration; the outline is oldest first, with an
entry per iteration between a loop and its inner blocks.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from enum import Enum
from typing import Any

from .fields import TERMINAL_STATUSES, parse_time
from .textsafe import safe_fields

_EARLIEST = datetime.min.replace(tzinfo=timezone.utc)
# How much of a value (a loop's current value, a thought) an outline keeps: it is a line on screen.
TEXT_LIMIT = 2000
# Entries kept: a timeline is the server's, and a loop can run thousands of times.
ENTRY_LIMIT = 5000


class EntryKind(str, Enum):
    BLOCK = "block"
    ITERATION = "iteration"
    THOUGHT = "thought"


@dataclass(frozen=True)
class Entry:
    """A block, one iteration of a loop, or an observer's thought."""

    kind: EntryKind
    key: str  # unique in its outline: the block's or thought's id, `{loop key}#{index}`
    label: str  # the block's label; "1/3" for an iteration; the thought's type
    depth: int = 0
    parent: str | None = None  # the enclosing entry's key
    block_type: str = ""
    block_id: str | None = None  # workflow_run_block_id
    status: str | None = None
    failure_reason: str | None = None
    task_ids: tuple[str, ...] = ()  # a block's task; an iteration's or a loop's: those within
    started_at: datetime | None = None
    finished_at: datetime | None = None
    loop_index: int | None = None  # an iteration's `current_index` (0-based, as Skyvern counts)
    loop_value: str | None = None  # what the iteration ran on
    text: str | None = None  # a thought's words; a block's navigation goal
    scenario: str | None = None  # a thought's `thought_scenario`
    from_log: bool = False  # read from a folder's logs, not a database

    def __post_init__(self) -> None:
        safe_fields(self)

    @property
    def title(self) -> str:
        """What a list shows: `read_pages` · `iteration 1/2` · `thought: plan`."""
        if self.kind is EntryKind.ITERATION:
            return f"iteration {self.label}"
        if self.kind is EntryKind.THOUGHT:
            return f"thought: {self.label}"
        return self.label

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return max(0.0, (self.finished_at - self.started_at).total_seconds())


@dataclass(frozen=True)
class Outline:
    entries: tuple[Entry, ...] = ()
    cut: bool = False  # the timeline held more than ENTRY_LIMIT entries: the rest are not listed
    _paths: dict[str, tuple[Entry, ...]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        by_key = {e.key: e for e in self.entries}
        for entry in self.entries:
            if entry.kind is not EntryKind.BLOCK:
                continue
            path = [entry]
            while path[0].parent is not None and path[0].parent in by_key and len(path) < 64:
                path.insert(0, by_key[path[0].parent])
            for task_id in entry.task_ids:
                # A task's own block is the innermost one naming it (a loop names its inner tasks too).
                known = self._paths.get(task_id)
                if known is None or len(path) > len(known):
                    self._paths[task_id] = tuple(path)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def path_of_task(self, task_id: str | None) -> tuple[Entry, ...]:
        """The entries a task ran in, outermost first: (loop, iteration, block)."""
        return self._paths.get(task_id or "", ())

    def task_label(self, task_id: str | None) -> str | None:
        """`read_pages 1/2 › read_page`: where a task ran, for a step's label."""
        path = self.path_of_task(task_id)
        if not path:
            return None
        parts: list[str] = []
        for entry in path:
            if entry.kind is EntryKind.ITERATION and parts:
                parts[-1] = f"{parts[-1]} {entry.label}"
            else:
                parts.append(entry.label)
        return " › ".join(parts)

    def thoughts(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.kind is EntryKind.THOUGHT)

    def first_goal(self) -> str | None:
        return next((e.text for e in self.entries if e.kind is EntryKind.BLOCK and e.text), None)


def _str(value: Any, limit: int = TEXT_LIMIT) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        return None
    text = " ".join(value.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _value(value: Any) -> str | None:
    """A loop's current value as one line: a string as is, anything else as compact JSON."""
    if value is None or isinstance(value, str):
        return _str(value)
    try:
        return _str(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str))
    except (TypeError, ValueError, RecursionError):
        return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _time(item: Mapping[str, Any], inner: Mapping[str, Any]) -> datetime:
    return parse_time(inner.get("created_at")) or parse_time(item.get("created_at")) or _EARLIEST


def _oldest_first(items: Iterable[Any]) -> list[Mapping[str, Any]]:
    """The timeline's entries in the order they ran: by their start, else as listed (newest first)."""
    entries = [i for i in items if isinstance(i, Mapping)]
    entries.reverse()
    return sorted(entries, key=lambda i: _time(i, _inner(i)))  # stable: ties keep the listed order reversed


def _inner(item: Mapping[str, Any]) -> Mapping[str, Any]:
    for name in ("block", "thought"):
        value = item.get(name)
        if isinstance(value, Mapping):
            return value
    return {}


class _Reader:
    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.keys: set[str] = set()
        self.cut = False  # entries were left out (ENTRY_LIMIT, or nesting too deep)

    def _key(self, wanted: str | None, fallback: str) -> str:
        key = wanted or fallback
        n = 1
        while key in self.keys:
            n += 1
            key = f"{wanted or fallback}~{n}"
        self.keys.add(key)
        return key

    def read(self, items: Iterable[Any], depth: int, parent: str | None) -> list[str]:
        """Append the entries of `items` (and below); the task ids they ran."""
        tasks: list[str] = []
        for item in _oldest_first(items):
            if len(self.entries) >= ENTRY_LIMIT or depth > 32:
                self.cut = True
                break
            from_log = item.get("source") == "log"
            kind = item.get("type")
            if kind == "thought" and isinstance(item.get("thought"), Mapping):
                self._thought(item["thought"], depth, parent, from_log)
            elif kind == "block" and isinstance(item.get("block"), Mapping):
                tasks += self._block(item, item["block"], depth, parent, from_log)
        return tasks

    def _thought(self, thought: Mapping[str, Any], depth: int, parent: str | None, from_log: bool) -> None:
        thought_id = _str(thought.get("thought_id"), 200)
        # A folder's logs do not say the type; they say the prompt its call used (`task_v2_summary`).
        prompts = thought.get("prompt_names")
        prompt = _str(prompts[0], 200) if isinstance(prompts, list) and prompts else None
        kind = _str(thought.get("thought_type"), 200) or prompt
        self.entries.append(Entry(
            kind=EntryKind.THOUGHT, key=self._key(thought_id, f"thought{len(self.entries)}"),
            label=(kind or "thought").replace("_", " "), depth=depth, parent=parent,
            started_at=parse_time(thought.get("created_at")),
            finished_at=parse_time(thought.get("modified_at")),
            text=_str(thought.get("thought")) or _str(thought.get("answer")),
            scenario=_str(thought.get("thought_scenario"), 200), from_log=from_log,
        ))

    def _block(self, item: Mapping[str, Any], block: Mapping[str, Any], depth: int, parent: str | None,
               from_log: bool) -> list[str]:
        block_id = _str(block.get("workflow_run_block_id"), 200)
        label = _str(block.get("label"), 200) or block_id or "block"
        status = _str(block.get("status"), 100)
        task = _str(block.get("task_id"), 200)
        key = self._key(block_id, f"block{len(self.entries)}")
        at = len(self.entries)
        entry = Entry(
            kind=EntryKind.BLOCK, key=key, label=label, depth=depth, parent=parent,
            block_type=_str(block.get("block_type"), 100) or "", block_id=block_id, status=status,
            failure_reason=_str(block.get("failure_reason")),
            task_ids=(task,) if task else (),
            started_at=parse_time(block.get("created_at")),
            finished_at=parse_time(block.get("modified_at")) if status in TERMINAL_STATUSES else None,
            text=_str(block.get("navigation_goal")), from_log=from_log,
        )
        self.entries.append(entry)
        children = item.get("children")
        inner: list[str] = []
        if isinstance(children, list) and children:
            inner = self._children(children, depth + 1, key, from_log)
        if inner:
            self.entries[at] = _with_tasks(entry, [*entry.task_ids, *inner])
        return [*entry.task_ids, *inner]

    def _children(self, children: Sequence[Any], depth: int, parent: str, from_log: bool) -> list[str]:
        """A loop's children, an entry per iteration (`current_index`); other children as they are."""
        iterations: dict[int, list[Any]] = {}
        plain: list[Any] = []
        for child in children:
            block = child.get("block") if isinstance(child, Mapping) else None
            index = _int(block.get("current_index")) if isinstance(block, Mapping) else None
            if index is None:
                plain.append(child)
            else:
                iterations.setdefault(index, []).append(child)
        tasks = self.read(plain, depth, parent) if plain else []
        count = max(iterations, default=-1) + 1
        for index in sorted(iterations):
            if len(self.entries) >= ENTRY_LIMIT:
                self.cut = True
                break
            members = iterations[index]
            blocks = [m["block"] for m in members]
            key = self._key(None, f"{parent}#{index}")
            at = len(self.entries)
            value = next((v for v in (_value(b.get("current_value")) for b in blocks) if v), None)
            starts = [t for t in (parse_time(b.get("created_at")) for b in blocks) if t]
            ends = [t for t in (parse_time(b.get("modified_at")) for b in blocks) if t]
            statuses = [s for s in (_str(b.get("status"), 100) for b in blocks) if s]
            self.entries.append(Entry(
                kind=EntryKind.ITERATION, key=key, label=f"{index + 1}/{count}", depth=depth, parent=parent,
                status=_iteration_status(statuses), started_at=min(starts, default=None),
                finished_at=max(ends, default=None) if statuses and all(s in TERMINAL_STATUSES for s in statuses) else None,
                loop_index=index, loop_value=value, from_log=from_log,
            ))
            inner = self.read(members, depth + 1, key)
            self.entries[at] = _with_tasks(self.entries[at], inner)
            tasks += inner
        return tasks


def _with_tasks(entry: Entry, tasks: Sequence[str]) -> Entry:
    return replace(entry, task_ids=tuple(dict.fromkeys(tasks)))


def _iteration_status(statuses: Sequence[str]) -> str | None:
    """An iteration failed if one of its blocks did; else it has the status its blocks share."""
    for bad in ("failed", "terminated", "timed_out", "canceled"):
        if bad in statuses:
            return bad
    if statuses and all(s == statuses[0] for s in statuses):
        return statuses[0]
    return "running" if statuses else None


def outline_of(timeline: Sequence[Mapping[str, Any]]) -> Outline:
    """The outline of a timeline (never raises: what is not a timeline entry is left out)."""
    reader = _Reader()
    reader.read(timeline, 0, None)
    return Outline(tuple(reader.entries), reader.cut)

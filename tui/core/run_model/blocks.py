"""A workflow run's blocks: from its timeline (the API, or a download's timeline.json) or, in a
folder with no database, from what the workflow run's log says of them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from ..model import TERMINAL_STATUSES, parse_time
from .logscan import NEW_TASK_EVENT, BlockLine
from .model import Block

_LATEST = datetime.max.replace(tzinfo=timezone.utc)


def _str(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _timeline_blocks(items: Iterable[Any], into: list[tuple[Block, str | None]]) -> None:
    """Depth first: a loop's inner blocks follow it."""
    for item in items:
        if not isinstance(item, Mapping):
            continue
        block = item.get("block")
        if item.get("type") == "block" and isinstance(block, Mapping):
            status = _str(block.get("status"))
            task = _str(block.get("task_id"))
            into.append((Block(
                label=_str(block.get("label")) or _str(block.get("workflow_run_block_id")) or "block",
                block_type=_str(block.get("block_type")) or "",
                status=status,
                failure_reason=_str(block.get("failure_reason")),
                task_ids=(task,) if task else (),
                started_at=parse_time(block.get("created_at")),
                finished_at=parse_time(block.get("modified_at")) if status in TERMINAL_STATUSES else None,
            ), _str(block.get("navigation_goal"))))
        children = item.get("children")
        if isinstance(children, list):
            _timeline_blocks(children, into)


def timeline_blocks(timeline: Sequence[Mapping[str, Any]]) -> tuple[tuple[Block, ...], str | None]:
    """The blocks in the timeline's order, and the first navigation goal among them."""
    found: list[tuple[Block, str | None]] = []
    _timeline_blocks(timeline, found)
    goal = next((g for _, g in found if g), None)
    return tuple(b for b, _ in found), goal


def log_blocks(lines: Sequence[BlockLine], task_ids: Sequence[str]) -> tuple[Block, ...]:
    """Blocks as the workflow run's log tells them: each label with its type, in the order they
    started; a task belongs to the block that started last before the line saying it was
    created ("Created a new task for workflow run"). No status: only the database knows it."""
    ordered = sorted(lines, key=lambda b: (b.time is None, b.time or _LATEST))
    starts: dict[str, datetime | None] = {}
    kinds: dict[str, str] = {}
    tasks: dict[str, list[str]] = {}
    current: str | None = None
    for line in ordered:
        if line.label and line.block_type:  # "Executing block …": a block runs from here
            if line.label not in starts:
                starts[line.label] = line.time
            kinds.setdefault(line.label, line.block_type)
            current = line.label
        if line.event == NEW_TASK_EVENT and line.task_id and current is not None:
            owned = tasks.setdefault(current, [])
            if line.task_id not in owned and line.task_id in task_ids:
                owned.append(line.task_id)
    labels = list(starts)
    blocks = []
    for index, label in enumerate(labels):
        following = starts[labels[index + 1]] if index + 1 < len(labels) else None
        blocks.append(Block(label=label, block_type=kinds.get(label, ""), task_ids=tuple(tasks.get(label, ())),
                            started_at=starts[label], finished_at=following))
    return tuple(blocks)

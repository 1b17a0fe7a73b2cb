"""A workflow run's blocks as its log tells them, for a run with no timeline (an older download, a
folder the source could not outline): its outline's entries, without status."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

from ..outline import Entry, EntryKind
from .logscan import NEW_TASK_EVENT, BlockLine

_LATEST = datetime.max.replace(tzinfo=timezone.utc)


def log_blocks(lines: Sequence[BlockLine], task_ids: Sequence[str]) -> tuple[Entry, ...]:
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
        blocks.append(Entry(kind=EntryKind.BLOCK, key=f"block{index}", label=label, block_type=kinds.get(label, ""),
                            task_ids=tuple(tasks.get(label, ())), started_at=starts[label], finished_at=following,
                            from_log=True))
    return tuple(blocks)

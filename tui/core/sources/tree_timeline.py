"""A workflow run's timeline for a storage tree (no database): its blocks, loop iterations and a
task v2's thoughts, rebuilt from its own skyvern_log and folders, in the shape of the API's
`GET /v1/runs/{id}/timeline` (a list, newest first, of `{"type": "block", "block": {...},
"children": [...]}` and `{"type": "thought", "thought": {...}}`).

Only what the log and the files say is filled; every other field is None. Each entry says
`"source": "log"` at its top level; a field found other than from a log line is named in
`"found_by"` ({"workflow_run_block_id": "id_order"}, {"task_id": "time"}); a thought adds
`"prompt_names"`, the prompts its LLM calls used (the API's thought_type and thought_scenario
are not logged). What Skyvern 1.0.56 logs (structlog key=value lines):
    Executing root block for_loop at index 0/2 ... block_label="read_pages" block_type="for_loop"
    Executing block                block_label="read_page" block_type="extraction"
    Starting loop iteration        loop_idx=1
    Created a new task for workflow run  task_id="tsk_…" title="read_page"
    No browser state found when creating workflow_run_block block_label=… workflow_run_block_id="wrb_…"
A root block line closes the loops before it; a block executed after a loop iteration began and
before the next root block is that iteration's child (nested loops: the innermost open loop).
A block folder (`workflow_runs/{wr}/{wrb}/`) names the block whose ids bound its id when the log
did not (Skyvern's ids grow as they are made, and a block's row is made before its task; a time
window would not do: a block's first screenshot is written a few milliseconds before its first
log line).

Everything here takes bytes from outside: broken lines give nothing, never an exception, and what
is read is bounded (LOG_SCAN_LIMIT bytes, LINE_LIMIT per line; lines past them are not read).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import IO, Any

from ..model import parse_time
from ..run_model.logscan import line_fields
from ..textsafe import safe_value

LOG_SCAN_LIMIT = 32 << 20  # bytes of one workflow run's log read for its blocks
LINE_LIMIT = 256 << 10  # a longer line is skipped (Skyvern's block lines are short)
BLOCK_LIMIT = 10_000  # blocks kept: a log cannot make the timeline grow without end
LOOP_DEPTH = 8  # loops open at once, at most: a deeper loop is listed as a block in the innermost

EXECUTING = "Executing block"
ROOT = "Executing root block"
ITERATION = "Starting loop iteration"
NEW_TASK = "Created a new task for workflow run"
# A line is parsed only when it holds one of these (one substring test a line).
THOUGHT = 'thought_id="ot_'  # an LLM call of a task v2's thought: its prompt_name
_MARKERS = ("block_label=", ITERATION, NEW_TASK, THOUGHT)


@dataclass
class _Block:
    label: str | None
    block_type: str | None
    start: datetime | None
    last: datetime | None
    wrb_id: str | None = None
    task_id: str | None = None
    parent: _Block | None = None
    current_index: int | None = None
    children: list[_Block] = field(default_factory=list)
    end: datetime | None = None  # the next block's first line: where its window ends
    # How a field was found when it was not a log line's ("time": a folder matched by time).
    found_by: dict[str, str] = field(default_factory=dict)

    @property
    def loop(self) -> bool:
        return self.block_type == "for_loop"


@dataclass
class _Loop:
    block: _Block
    index: int | None = None
    began: datetime | None = None  # when the current iteration began, until a block takes it


@dataclass
class BlockScan:
    """What one workflow run's log says of its blocks, in the order they ran."""

    blocks: list[_Block] = field(default_factory=list)
    tasks: set[str] = field(default_factory=set)  # every task the log says was made for the run
    # thought id -> the prompts its LLM calls used ("task_v2_check_completion", ...), in order
    prompts: dict[str, list[str]] = field(default_factory=dict)
    cut: bool = False  # the log was longer than what was read
    last: datetime | None = None  # the last time read (the window of the run ends there)
    first: datetime | None = None


def _time(text: str) -> datetime | None:
    stamp = text.split(" ", 1)[0]
    return parse_time(stamp) if stamp[:1].isdigit() else None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1 << 31 else None


class _Scanner:
    def __init__(self) -> None:
        self.scan = BlockScan()
        self.pending: dict[str, tuple[datetime | None, str | None]] = {}  # label -> (first line, wrb id)
        self.roots: set[str] = set()  # labels announced as root blocks, not yet executed
        self.loops: list[_Loop] = []
        self.current: _Block | None = None
        # A root block or a loop iteration was announced since the current block began: lines
        # about a label are now about the next block.
        self.fresh = False

    def line(self, text: str) -> None:
        at = _time(text)
        if any(marker in text for marker in _MARKERS):
            self._marked(text, at)
        if at is None:
            return
        self.scan.first = self.scan.first or at
        self.scan.last = at if self.scan.last is None else max(self.scan.last, at)
        # A block's last line: until the next block is announced (a loop's: until a root block).
        if self.current is not None and not self.fresh:
            self.current.last = at if self.current.last is None else max(self.current.last, at)
        for loop in self.loops:
            loop.block.last = at if loop.block.last is None else max(loop.block.last, at)

    def _marked(self, text: str, at: datetime | None) -> None:
        event, values = line_fields(text)
        thought_id, prompt = _str(values.get("thought_id")), _str(values.get("prompt_name"))
        if thought_id and prompt:
            prompts = self.scan.prompts.setdefault(thought_id, []) if len(self.scan.prompts) < BLOCK_LIMIT else []
            if prompt not in prompts and len(prompts) < 16:
                prompts.append(prompt)
        label = _str(values.get("block_label"))
        if event.startswith(ROOT) and label:
            self.roots.add(label)
            self.loops.clear()  # a root block runs after every loop before it
            self.fresh = True
        if event == EXECUTING and label:
            self._executing(label, _str(values.get("block_type")), at)
        elif event == ITERATION and self.loops:
            loop = self.loops[-1]
            loop.index, loop.began = _int(values.get("loop_idx")), at
            self.fresh = True
        elif event == NEW_TASK:
            task_id = _str(values.get("task_id"))
            if task_id:
                self.scan.tasks.add(task_id)
                if self.current is not None and self.current.task_id is None and not self.current.loop:
                    self.current.task_id = task_id
        elif label:
            self._named(label, _str(values.get("workflow_run_block_id")), at)

    def _named(self, label: str, wrb_id: str | None, at: datetime | None) -> None:
        """A line about a block by its label, before or while it runs."""
        current = self.current
        if (current is not None and current.label == label and not self.fresh
                and (wrb_id is None or current.wrb_id in (None, wrb_id))):
            current.wrb_id = current.wrb_id or wrb_id
            return
        first, known = self.pending.get(label, (at, None))
        self.pending[label] = (first, known or wrb_id)

    def _executing(self, label: str, block_type: str | None, at: datetime | None) -> None:
        if len(self.scan.blocks) >= BLOCK_LIMIT:
            self.scan.cut = True
            return
        first, wrb_id = self.pending.pop(label, (at, None))
        starts = [t for t in (first, at) if t is not None]
        parent = None
        if label in self.roots:
            self.roots.discard(label)
        elif self.loops:  # not announced as a root block, while a loop runs: its iteration's
            loop = self.loops[-1]
            parent = loop
            if loop.began is not None:
                starts.append(loop.began)
                loop.began = None
        block = _Block(label, block_type, min(starts, default=None), at, wrb_id)
        if parent is not None:
            block.parent, block.current_index = parent.block, parent.index
            parent.block.children.append(block)
        if self.scan.blocks:
            self.scan.blocks[-1].end = block.start
        self.scan.blocks.append(block)
        self.current = block
        if block.loop and len(self.loops) < LOOP_DEPTH:
            self.loops.append(_Loop(block))
        self.pending.clear()  # what was said before this block was about this block or none
        self.fresh = False


def scan_block_lines(lines: Iterable[str]) -> BlockScan:
    """The blocks a workflow run's log lines say ran (pure: no reading)."""
    scanner = _Scanner()
    for text in lines:
        scanner.line(text)
    return scanner.scan


def read_lines(handle: IO[bytes], limit: int = LOG_SCAN_LIMIT) -> Iterator[str | None]:
    """A log's whole lines, read one at a time, at most `limit` bytes in all; a line longer
    than LINE_LIMIT is skipped. Yields None last when the log went on past `limit`."""
    read = 0
    while True:
        chunk = handle.readline(max(0, min(LINE_LIMIT + 1, limit - read)))
        if not chunk:
            break
        read += len(chunk)
        if chunk.endswith(b"\n") or read < limit and len(chunk) <= LINE_LIMIT:
            yield chunk.decode("utf-8", "replace").rstrip("\n")  # a whole line (or the file's last)
        elif read < limit:
            read = _skip_line(handle, read, limit)  # a line too long to be a block's
        else:
            break  # the limit cut this line: it is not read
    if read >= limit and handle.read(1):
        yield None


def _skip_line(handle: IO[bytes], read: int, limit: int) -> int:
    while read < limit:
        rest = handle.readline(min(LINE_LIMIT, limit - read))
        read += len(rest)
        if not rest or rest.endswith(b"\n"):
            break
    return read


def scan_log(handle: IO[bytes], limit: int | None = None) -> BlockScan:
    """scan_block_lines over a log file, streaming and bounded (LOG_SCAN_LIMIT by default)."""
    scanner = _Scanner()
    for text in read_lines(handle, LOG_SCAN_LIMIT if limit is None else limit):
        if text is None:
            scanner.scan.cut = True
        else:
            scanner.line(text)
    return scanner.scan


def id_number(identifier: str | None) -> int | None:
    """The number of a Skyvern id (`wrb_603430442203793104`): one counter, its top bits the
    second it was made, orders every id a server made, whatever its prefix."""
    digits = (identifier or "").rpartition("_")[2]
    return int(digits) if digits.isdigit() and len(digits) <= 20 else None


def _running(values: list[int | None], pick: Any) -> list[int | None]:
    """values[:i+1] folded with `pick` (max or min), for each i; None until a value is known."""
    out: list[int | None] = []
    best: int | None = None
    for value in values:
        if value is not None:
            best = value if best is None else pick(best, value)
        out.append(best)
    return out


def _bounds(scan: BlockScan, own_wrb: bool = False) -> list[tuple[int | None, int | None]]:
    """For each block (in log order), the ids it must lie between: Skyvern makes a block's row
    before its task, and a block after the blocks (and tasks) that ran before it. With
    `own_wrb`, the block's own row id is a lower bound too (for what was made after it)."""
    blocks = scan.blocks
    ids = [[n for n in (id_number(b.wrb_id), id_number(b.task_id)) if n is not None] for b in blocks]
    highest = _running([max(i, default=None) for i in ids], max)  # of blocks[:k+1]
    lowest = _running([min(i, default=None) for i in reversed(ids)], min)[::-1]  # of blocks[k:]
    bounds = []
    for at, block in enumerate(blocks):
        low = highest[at - 1] if at else None
        if own_wrb and id_number(block.wrb_id) is not None:
            low = max(low or 0, id_number(block.wrb_id) or 0)
        high = lowest[at + 1] if at + 1 < len(blocks) else None
        task = None if own_wrb else id_number(block.task_id)
        if task is not None:
            high = task if high is None else min(high, task)
        bounds.append((low, high))
    return bounds


def _between(number: int, bound: tuple[int | None, int | None]) -> bool:
    low, high = bound
    return (low is None or low < number) and (high is None or number < high)


def match_folders(scan: BlockScan, folders: Iterable[str]) -> None:
    """Name the blocks the log left unnamed from the block folders (`workflow_runs/{wr}/{wrb}/`):
    a folder whose id lies between the ids of what ran before the block and of what ran after
    it (its own task included) for exactly one block that has no id, and for no block that
    has one, is that block's. (Not by time: a block's first screenshot is taken milliseconds
    before its first log line, so a time window would give it to the block before.) A loop
    takes no folder (Skyvern writes none for it)."""
    named = {b.wrb_id for b in scan.blocks if b.wrb_id}
    bounds = _bounds(scan)
    for wrb_id in sorted(set(folders) - named):
        number = id_number(wrb_id)
        if number is None:
            continue
        holding = [b for b, bound in zip(scan.blocks, bounds, strict=True) if not b.loop and _between(number, bound)]
        if len(holding) == 1 and holding[0].wrb_id is None:
            holding[0].wrb_id = wrb_id
            holding[0].found_by["workflow_run_block_id"] = "id_order"


def place_task(scan: BlockScan, task_id: str, how: str = "id_order") -> bool:
    """Give a task the log does not name (a code block's) to the one block without a task that
    it can belong to by id order: made after that block's row and what ran before it, before
    what ran after it. False when no block or several can. `how` is recorded in the entry's
    `found_by` (the task was tied to the run by time: "time")."""
    number = id_number(task_id)
    if number is None or task_id in scan.tasks:
        return False
    holding = [b for b, bound in zip(scan.blocks, _bounds(scan, own_wrb=True), strict=True)
               if not b.loop and b.task_id is None and _between(number, bound)]
    if len(holding) != 1:
        return False
    holding[0].task_id = task_id
    holding[0].found_by["task_id"] = how
    return True


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _block_entry(block: _Block, workflow_run_id: str | None) -> dict[str, Any]:
    body = {
        "workflow_run_block_id": block.wrb_id,
        "workflow_run_id": workflow_run_id,
        "parent_workflow_run_block_id": block.parent.wrb_id if block.parent is not None else None,
        "block_type": block.block_type,
        "label": block.label,
        "status": None,
        "failure_reason": None,
        "task_id": block.task_id,
        "current_index": block.current_index,
        "current_value": None,
        "created_at": _iso(block.start),
        "modified_at": _iso(block.last),
    }
    children = sorted(block.children, key=_start_key, reverse=True)
    entry: dict[str, Any] = {
        "type": "block", "source": "log", "block": body, "thought": None,
        "children": [_block_entry(c, workflow_run_id) for c in children],
        "created_at": body["created_at"], "modified_at": body["modified_at"],
    }
    if block.found_by:
        entry["found_by"] = dict(block.found_by)
    return entry


_NO_TIME = datetime.min.replace(tzinfo=timezone.utc)


def _start_key(block: _Block) -> datetime:
    return block.start or _NO_TIME


@dataclass(frozen=True)
class Thought:
    """A task v2 thought's folder (`tasks/{tsk_v2}/{ot}/`): its id and its files' times."""

    thought_id: str
    first: datetime | None
    last: datetime | None


def timeline(scan: BlockScan | None, thoughts: Iterable[Thought], workflow_run_id: str | None,
             task_v2_id: str | None = None) -> list[dict[str, Any]]:
    """The API's timeline shape, newest first: root blocks (their iterations as children) and
    thoughts, ordered by when each began."""
    dated: list[tuple[datetime | None, dict[str, Any]]] = []
    if scan is not None:
        for block in scan.blocks:
            if block.parent is None:
                dated.append((block.start, _block_entry(block, workflow_run_id)))
    for thought in thoughts:
        body = {
            "thought_id": thought.thought_id, "task_id": task_v2_id, "workflow_run_id": workflow_run_id,
            "workflow_run_block_id": None, "thought_type": None, "thought_scenario": None,
            "thought": None, "output": None,
            "created_at": _iso(thought.first), "modified_at": _iso(thought.last),
            # Not the API's: the prompts its LLM calls used, as the log names them.
            "prompt_names": list(scan.prompts.get(thought.thought_id, [])) if scan is not None else [],
        }
        dated.append((thought.first, {"type": "thought", "source": "log", "block": None, "thought": body,
                                      "children": [], "created_at": body["created_at"],
                                      "modified_at": body["modified_at"]}))
    known = [(t, e) for t, e in dated if t is not None]
    unknown = [e for t, e in dated if t is None]
    known.sort(key=lambda pair: pair[0], reverse=True)
    # Every string came from a log or a folder name: made safe here, as a model's would be.
    return [safe_value(e) for e in [e for _t, e in known] + unknown]

"""Skyvern's logs: skyvern_log (one event a line), skyvern_log_raw (a JSON array of events) and
browser_console_log (`ts[type]text url=... lineNumber=... columnNumber=...`)."""

from __future__ import annotations

import errno
import json
import operator
import os
import re
import stat
import threading
from array import array
from bisect import bisect_right
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

from ..errors import ParseError
from ..textsafe import safe_fields, visible_controls
from .jsonload import load_json, nesting_guard
from .text import split_lines

LEVELS = ("debug", "info", "warning", "error", "critical")
# Where a level stands for the "warning and worse" and "errors" filters.
SEVERITY = {"debug": 0, "info": 1, "warning": 2, "warn": 2, "error": 3, "exception": 3, "critical": 4, "fatal": 4}

# 2026-11-28T16:02:20.955363Z [info     ] Resolved run browser seed      key="value" key2=null
_LOG_LINE = re.compile(r"^(?P<ts>\S+)\s+\[(?P<level>[a-zA-Z]+)\s*\]\s?(?P<rest>.*)$")
# key=value with a JSON-encoded value: "string", [list], {object}, or a bare token. Found in
# linear time (the one regex it replaced took seconds on a 40 KB line): a key starts only where
# a run of key characters starts (not after each "." of "a.a.a..."), and a value's scan for its
# closing quote or bracket never covers text that another scan covered before.
_KEY = re.compile(r'(?<![\w.\-"])[A-Za-z_][\w.\-]*+=')
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*+"')
_TOKEN = re.compile(r"\S+")
_CLOSERS = {"[": "]", "{": "}"}
STYLED = 4096  # characters of a line looked at for highlighting; the rest of a longer line stays plain

Pair = tuple[int, int, int, int]  # key start, key end, value start, value end


def key_values(text: str, start: int = 0, end: int | None = None) -> tuple[list[Pair], int]:
    """The key=value pairs of text[start:end], and the characters examined to find them
    (at most a few times end - start: the work is linear, whatever the line)."""
    end = len(text) if end is None else min(end, len(text))
    pairs: list[Pair] = []
    work = max(end - start, 0)  # the one pass of _KEY over the span
    last = {opener: text.rfind(closer, start, end) for opener, closer in _CLOSERS.items()}
    unclosed_quote = end  # a quote opened from here on has no closing quote
    pos = start
    for key in _KEY.finditer(text, start, end):
        if key.start() < pos:
            continue  # inside the value before
        value_start = key.end()
        value_end = -1
        first = text[value_start : value_start + 1]
        if first == '"' and value_start < unclosed_quote:
            quoted = _QUOTED.match(text, value_start, end)
            if quoted:
                value_end = quoted.end()
            else:
                unclosed_quote = value_start
            work += (value_end if quoted else end) - value_start
        elif first in _CLOSERS and last[first] > value_start:
            value_end = text.find(_CLOSERS[first], value_start, end) + 1
            work += value_end - value_start
        if value_end < 0:
            token = _TOKEN.match(text, value_start, end)
            if token is None:
                continue  # "key=" then a space: no value, no pair
            value_end = token.end()
            work += value_end - value_start
        pairs.append((key.start(), value_start - 1, value_start, value_end))
        pos = value_end
    return pairs, work


@dataclass(frozen=True)
class LogLine:
    text: str
    timestamp: str = ""
    level: str = ""
    # Character spans of the event text and of each key and value, for highlighting.
    event_span: tuple[int, int] | None = None
    pairs: tuple[tuple[int, int, int, int], ...] = ()  # key start, key end, value start, value end

    def __post_init__(self) -> None:
        safe_fields(self, keep=("event_span", "pairs"))

    @property
    def severity(self) -> int:
        return SEVERITY.get(self.level, 1)


def parse_log_line(text: str, limit: int | None = STYLED) -> LogLine:
    """A line's parts; key=value pairs within its first `limit` characters (None: all of it,
    for the run model; a view highlights only what it can show)."""
    match = _LOG_LINE.match(text)
    if not match:
        return LogLine(text)
    rest_start = match.start("rest")
    pairs, _work = key_values(text, rest_start, limit)
    event_end = pairs[0][0] if pairs else len(text)
    return LogLine(
        text,
        match.group("ts"),
        match.group("level").lower(),
        (rest_start, event_end),
        tuple(pairs),
    )


# --- the line index ---------------------------------------------------------------------------
# A log is an index over its bytes: where each line starts (an array of offsets) and each line's
# severity + 1 (0: no level). The bytes stay where they are: in memory for a log fetched from an
# API, on disk for a file (read with pread when a line is shown), so a 150 MB log costs its
# index (9 bytes a line), not its text. Lines are decoded and made safe when read, a block at a
# time, and the last blocks read are kept.
#
# Two C calls a chunk find the lines and their levels (a Python loop over a million lines took
# a second): a newline search for the offsets, and one pattern that matches each line whole,
# capturing its level when it has one (`ts [level` at its start), so its results line up with
# the lines.
_NEWLINE = re.compile(b"\n")
_LINE_LEVEL = re.compile(rb"(?:\S+[ \t]+\[([A-Za-z]+))?[^\n]*(?:\n|\Z)")
_PROBLEM = re.compile(b"[%c-%c]" % (SEVERITY["warning"] + 1, max(SEVERITY.values()) + 1))
_BOM = b"\xef\xbb\xbf"
TAIL = 256 * 1024  # the end of a big file, indexed apart to be shown at once
PENDING = "…"  # a line counted but not indexed yet
LONG = 256 * 1024  # bytes of a line read for a view (far more than it draws)
BLOCK = 256  # lines decoded together when one of them is read
CACHED_BLOCKS = 64  # about 16,000 lines: a few screens, and what a find or filter is reading
CHUNK = 2 << 20  # bytes decoded per C call when every line is read in turn (a filter, a scan)


class _SeverityOf(dict[bytes, int]):
    """A level as found (b"info", b"WARNING", b"" for none) -> its severity + 1 (0: none)."""

    def __missing__(self, level: bytes) -> int:
        value = self[level] = SEVERITY.get(level.decode("ascii").lower(), 1) + 1 if level else 0
        return value


_SEVERITY_OF = _SeverityOf()


def _safe_lines(raw: bytes, count: int) -> list[str]:
    """`count` whole lines of UTF-8 bytes as safe strings (as split_lines makes them)."""
    text = raw.decode("utf-8", errors="replace").replace("\r\n", "\n")
    return visible_controls(text).split("\n")[:count]


class _Memory:
    """A log's bytes in memory (fetched from an API, or a small file read whole)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, start: int, end: int) -> bytes:
        return self.data[start:end]


class _File:
    """A log file on disk, read where asked (pread: no shared position between threads)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        # Not blocking (a FIFO put in its place would hang the reader), and a regular file only.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        self.handle = os.fdopen(fd, "rb")  # closed with the log (when it is collected)

    def whole_lines(self, start: int, size: int) -> bytes:
        """`size` bytes from `start` and on to the end of the line they end in."""
        data = self.read(start, start + size)
        while data and not data.endswith(b"\n"):
            more = self.read(start + len(data), start + len(data) + (64 << 10))
            if not more:
                break
            newline = more.find(b"\n")
            data += more if newline < 0 else more[: newline + 1]
        return data

    def read(self, start: int, end: int) -> bytes:
        parts, fd = [], self.handle.fileno()
        while start < end:
            part = os.pread(fd, end - start, start)
            if not part:
                break  # the file shrank: what is left is all there is
            parts.append(part)
            start += len(part)
        return b"".join(parts)


class Lines(Sequence[str]):
    """A log's lines as a read-only sequence, each read (and made safe) when asked for."""

    def __init__(self, log: SkyvernLog) -> None:
        self._log = log

    def __len__(self) -> int:
        return self._log.line_count

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step == 1:
                return list(self._log.iter_lines(start, stop))
            return [self._log.line(i) for i in range(start, stop, step)]
        if index < 0:
            index += len(self)
        return self._log.line(index)

    def __iter__(self) -> Iterator[str]:
        return self._log.iter_lines()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]


class SkyvernLog:
    """A skyvern_log as a line index: each line's offset and severity + 1 (0: no level), the
    level counts, and the lines read from the bytes (memory or file) when asked for.

    `read` is the bytes indexed so far and `size` the bytes there are: a big file is shown while
    the rest is indexed (lines, severities and counts grow together, only by whole lines).
    """

    def __init__(self, store: _Memory | _File, size: int) -> None:
        self._store = store
        self.offsets = array("q")  # where line i starts; one more at the end: where the last ends
        self.severities = bytearray()
        self.counts: dict[str, int] = {}  # replaced whole, never changed in place (read elsewhere)
        self.widest = 0  # bytes of the longest line (at least its characters)
        self.read = 0
        self.size = size
        # A big file's lines counted ahead of its index, and its last lines indexed apart: its
        # end is shown (G) while the middle is still being indexed (counted_ahead).
        self.total: int | None = None
        self._tail: SkyvernLog | None = None
        self._tail_first = 0  # the line number of the tail's first line
        self._cache: OrderedDict[int, list[str]] = OrderedDict()
        self._cut: set[int] = set()  # lines of more than LONG bytes, kept cut in the cache
        self._lock = threading.Lock()  # the viewer, a find and a filter read from their threads

    @property
    def complete(self) -> bool:
        return self.read >= self.size

    @property
    def line_count(self) -> int:
        return max(len(self.offsets) - 1, 0)

    @property
    def lines(self) -> Lines:
        return Lines(self)

    @property
    def shown_count(self) -> int:
        """The lines to show: the file's all once counted (a line not indexed yet reads as
        PENDING), else those indexed."""
        if self.total is None or self.complete:
            return self.line_count
        return max(self.total, self.line_count)

    def severity(self, index: int) -> int:
        """Line `index`'s severity + 1 (0: no level, or not indexed yet)."""
        if index < len(self.severities):
            return self.severities[index]
        tail = self._tail
        at = index - self._tail_first
        if tail is not None and 0 <= at < len(tail.severities):
            return tail.severities[at]
        return 0

    def count_ahead(self, cancelled: Callable[[], bool] = lambda: False) -> None:
        """Count the lines of the whole file (one C call a chunk: a fraction of the index's
        time) and index its last TAIL bytes apart, so its end shows before the index is done."""
        if not isinstance(self._store, _File) or self.total is not None or self.complete:
            return
        size, newlines, at = self.size, 0, 0
        last = b""
        while at < size:
            if cancelled():
                return
            chunk = self._store.read(at, min(at + STEP, size))
            if not chunk:
                break
            newlines += chunk.count(b"\n")
            at += len(chunk)
            last = chunk[-1:]
        size = at
        total = newlines + (1 if last not in (b"", b"\n") else 0)
        start = max(size - TAIL, self.read)
        if start > self.read:
            raw = self._store.read(start - 1, size)  # from the byte before: is start a line's start?
            newline = raw.find(b"\n")
            tail = skyvern_log(raw[newline + 1 :]) if newline >= 0 else None
            if tail is not None and tail.line_count:
                self._tail_first = total - tail.line_count
                self._tail = tail
        self.total = total

    # --- indexing ---------------------------------------------------------------------------
    def _index(self, buffer: bytes, start: int, end: int, base: int, last: bool) -> None:
        """Index the whole lines of buffer[start:end], which are at base + start in the log;
        `last`: the end of the log, where a last line may have no newline."""
        if not self.offsets:
            self.offsets.append(base + start)
        ends = [match.end() + base for match in _NEWLINE.finditer(buffer, start, end)]
        if last and end > start and buffer[end - 1] != 0x0A:
            ends.append(base + end)
        if not ends:
            return
        levels = _LINE_LEVEL.findall(buffer, start, end)[: len(ends)]
        previous = self.offsets[-1]
        self.widest = max(self.widest, max(map(operator.sub, ends, [previous, *ends[:-1]])) - 1)
        self.offsets.extend(ends)
        self.severities += bytes(map(_SEVERITY_OF.__getitem__, levels))
        counts = dict(self.counts)
        for level, count in Counter(levels).items():
            if level:
                name = level.decode("ascii").lower()
                counts[name] = counts.get(name, 0) + count
        self.counts = counts

    def extend(self, data: bytes) -> None:
        """Index the lines of `data`, the bytes of the file that follow what is indexed (the
        caller cuts it after a newline, or at the end of the file)."""
        start = len(_BOM) if self.read == 0 and data.startswith(_BOM) else 0
        self._index(data, start, len(data), self.read, last=self.read + len(data) >= self.size)
        self.read += len(data)

    # --- reading ----------------------------------------------------------------------------
    def line(self, index: int, whole: bool = True) -> str:
        """Line `index` (from 0), made safe; PENDING for a line counted but not indexed yet.
        Not `whole`: a line of more than LONG bytes cut there (what a view shows of it).
        IndexError past the lines shown."""
        if not 0 <= index < self.line_count:
            tail = self._tail
            if tail is not None and not self.complete and 0 <= index - self._tail_first < tail.line_count:
                return tail.line(index - self._tail_first, whole)
            if 0 <= index < self.shown_count:
                return PENDING
            raise IndexError(index)
        number, at = divmod(index, BLOCK)
        with self._lock:
            block = self._cache.get(number)
            if block is None or at >= len(block):  # not read, or read while it was the last, partial
                block = self._cache[number] = self._read_block(number)
                if len(self._cache) > CACHED_BLOCKS:
                    self._cache.popitem(last=False)
            else:
                self._cache.move_to_end(number)
        if whole and index in self._cut:
            return _safe_lines(self._store.read(self.offsets[index], self.offsets[index + 1]), 1)[0]
        return block[at]

    def _read_block(self, number: int) -> list[str]:
        """A block's lines, each longer than LONG bytes cut there: a view draws a line's start
        only, and a line of 50 MB read whole on the event loop would hold it for a second."""
        first = number * BLOCK
        stop = min(first + BLOCK, self.line_count)
        offsets, read = self.offsets, self._store.read
        if offsets[stop] - offsets[first] <= LONG:
            return _safe_lines(read(offsets[first], offsets[stop]), stop - first)
        lines = []
        for n in range(first, stop):
            start, end = offsets[n], offsets[n + 1]
            if end - start > LONG:
                self._cut.add(n)
                end = start + LONG
            lines.append(_safe_lines(read(start, end), 1)[0])
        return lines

    def iter_lines(self, start: int = 0, stop: int | None = None) -> Iterator[str]:
        """Lines start..stop in turn, read a chunk at a time past the cache (a pass over them
        all must not push the lines on screen out of it)."""
        for _first, lines in self.chunks(start, stop):
            yield from lines

    def chunks(self, start: int = 0, stop: int | None = None) -> Iterator[tuple[int, list[str]]]:
        """(the first line's number, the lines) a chunk of about CHUNK bytes at a time."""
        for first, count, text in self.texts(start, stop):
            yield first, text.split("\n")[:count]

    def texts(self, start: int = 0, stop: int | None = None) -> Iterator[tuple[int, int, str]]:
        """(the first line's number, how many lines, their text made safe, one line after
        another, each but maybe the last ending in a newline) a chunk of about CHUNK bytes at a
        time: for a search over many lines in one call."""
        stop = self.line_count if stop is None else min(stop, self.line_count)
        offsets = self.offsets
        while start < stop:
            end = min(bisect_right(offsets, offsets[start] + CHUNK, start + 1, stop + 1), stop + 1) - 1
            end = max(end, start + 1)
            raw = self._store.read(offsets[start], offsets[end])
            yield start, end - start, visible_controls(raw.decode("utf-8", errors="replace").replace("\r\n", "\n"))
            start = end

    def problems(self, start: int, stop: int) -> list[int]:
        """The warning and worse lines among start..stop (a C search of the severities)."""
        return [found.start() for found in _PROBLEM.finditer(self.severities, start, stop)]

    def parsed(self, index: int) -> LogLine:
        """The line's parts, for a view (a very long line cut at LONG bytes)."""
        return parse_log_line(self.line(index, whole=False))

    def next_problem(self, line: int, forward: bool = True, count: int | None = None) -> int | None:
        """The next (previous) warning or worse after (before) `line` among the first `count`
        lines (all: None), wrapping around."""
        severities = self.severities
        count = len(severities) if count is None else min(count, len(severities))
        if forward:
            found = _PROBLEM.search(severities, line + 1, count) or _PROBLEM.search(severities, 0, min(line + 1, count))
            return found.start() if found else None
        values = range(SEVERITY["warning"] + 1, max(SEVERITY.values()) + 2)
        line = min(max(line, 0), count)
        before = max(severities.rfind(value, 0, line) for value in values)
        if before < 0:
            before = max(severities.rfind(value, line, count) for value in values)
        return before if before >= 0 else None


def skyvern_log(data: bytes) -> SkyvernLog:
    """A log whose bytes are at hand, indexed (the bytes are kept: its lines are read from them)."""
    log = SkyvernLog(_Memory(data), len(data))
    start = len(_BOM) if data.startswith(_BOM) else 0
    size = len(data)
    while start < size:
        end = min(start + STEP, size)
        if end < size:
            newline = data.find(b"\n", end)
            end = size if newline == -1 else newline + 1
        log._index(data, start, end, 0, last=end >= size)
        start = end
    log.read = size
    return log


def matching_lines(
    log: SkyvernLog, lowest: int, needle: str, cancelled: Callable[[], bool] = lambda: False
) -> Sequence[int] | None:
    """The lines a filter shows, ascending: those without a level or of severity `lowest` or
    worse, containing `needle` (lower case; "" for any). A range when that is every line; None
    when cancelled. A pass over every line: call it from a worker."""
    severities = log.severities
    count = log.line_count
    if not needle:
        if lowest <= 0:
            return range(count)
        # One C call picks the lines whose severity + 1 is 0 or above lowest; its matches are them.
        shown = array("q")
        wanted = re.compile(b"[\x00%c-\xff]" % (lowest + 1))
        for start in range(0, count, STEP):
            if cancelled():
                return None
            shown.extend(m.start() for m in wanted.finditer(severities, start, min(start + STEP, count)))
        return shown
    shown = array("q")
    for first, lines in log.chunks(0, count):
        if cancelled():
            return None
        shown.extend(
            first + i for i, line in enumerate(lines)
            # severities hold severity + 1; 0 means a line without a level (kept)
            if (not severities[first + i] or severities[first + i] - 1 >= lowest) and needle in line.lower()
        )
    return shown


HEAD = 256 * 1024  # read first from a big file: a few thousand lines, a screenful at once
STEP = 4 << 20  # bytes indexed per step: two C calls of a few ms each (the GIL is not held long)


def skyvern_log_head(path: str | os.PathLike[str], size: int) -> SkyvernLog:
    """The start of a big log file, to show while the rest is indexed (index_rest); its lines
    are read from the file when shown."""
    store = _File(path)
    log = SkyvernLog(store, size)
    log.extend(store.whole_lines(0, HEAD))
    return log


def skyvern_log_file(path: str | os.PathLike[str], cancelled: Callable[[], bool] = lambda: False) -> SkyvernLog:
    """A log file indexed whole, its lines left on disk until read."""
    log = skyvern_log_head(path, os.stat(path).st_size)
    index_rest(log, path, cancelled=cancelled)
    return log


def index_rest(
    log: SkyvernLog,
    path: str | os.PathLike[str],
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> None:
    """Index the rest of the file into `log`, a step at a time (the caller's thread); stops
    between two steps once `cancelled()`."""
    store = log._store if isinstance(log._store, _File) else _File(path)
    if log.total is None:
        log.count_ahead(cancelled)
        if progress is not None:
            progress(log.read, log.size)
    while not log.complete and not cancelled():
        chunk = store.whole_lines(log.read, STEP)
        if not chunk:
            log.size = log.read  # the file shrank: what was read is all there is
            break
        log.extend(chunk)
        if progress is not None:
            progress(log.read, log.size)


@dataclass(frozen=True)
class RawEvent:
    timestamp: str
    level: str
    event: str
    file: str
    data: dict[str, Any]

    def __post_init__(self) -> None:
        safe_fields(self)

    @property
    def severity(self) -> int:
        return SEVERITY.get(self.level, 1)


def event_json(event: RawEvent) -> str:
    """A raw log event's fields as indented JSON, control characters made visible."""
    return visible_controls(json.dumps(event.data, indent=2, ensure_ascii=False, default=str))


@nesting_guard("The skyvern_log_raw")
def skyvern_log_raw(data: bytes) -> list[RawEvent]:
    """One JSON array of event objects (not JSON lines)."""
    value = load_json(data, "The skyvern_log_raw")
    if not isinstance(value, list):
        raise ParseError("skyvern_log_raw should be a JSON array of events")
    events = []
    for item in value:
        if not isinstance(item, dict):
            continue
        file = str(item.get("file") or "")
        # "[service.py       :3823]" -> "service.py:3823"
        file = re.sub(r"\s+", "", file.strip("[]"))
        events.append(
            RawEvent(
                str(item.get("timestamp") or ""),
                str(item.get("level") or "").lower(),
                str(item.get("event") or item.get("msg") or ""),
                file,
                item,
            )
        )
    return events


@dataclass(frozen=True)
class ConsoleMessage:
    timestamp: str
    type: str
    text: str
    location: str  # url:line:column

    def __post_init__(self) -> None:
        safe_fields(self)


# 2026-11-28T16:02:22.596420Z[error]Uncaught ... url=http://... lineNumber=3 columnNumber=10
# Head and location apart, each linear: one pattern with a lazy text before an optional
# location backtracked over every run of spaces (a line of 20,000 spaces took 1.3 s). The
# location starts only where a run of whitespace starts, and no quantifier gives back.
_CONSOLE = re.compile(r"(?P<ts>\S+?Z?)\[(?P<type>[a-zA-Z]+)\]")
_LOCATION = re.compile(
    r"(?<!\s)\s++url=(?P<url>\S*+)\s++lineNumber=(?P<line>-?\d++)\s++columnNumber=(?P<col>-?\d++)\s*+$"
)


def browser_console_log(data: bytes) -> list[ConsoleMessage]:
    # (timestamp, type, text lines, location): a message's lines are joined once at the end,
    # not by growing a string per line (2.9 MB of continuation lines took 71 s that way).
    pending: list[tuple[str, str, list[str], str]] = []
    for line in split_lines(data):
        if not line.strip():
            continue
        match = _CONSOLE.match(line)
        if not match:
            # A message that went over several lines continues the one before.
            if pending:
                pending[-1][2].append(line)
            else:
                pending.append(("", "log", [line], ""))
            continue
        location, text = "", line[match.end() :]
        found = _LOCATION.search(line, match.end())
        if found is not None:
            location = f"{found.group('url')}:{found.group('line')}:{found.group('col')}"
            text = line[match.end() : found.start()]
        pending.append((match.group("ts"), match.group("type").lower(), [text.rstrip()], location))
    return [ConsoleMessage(ts, kind, "\n".join(lines), where) for ts, kind, lines, where in pending]

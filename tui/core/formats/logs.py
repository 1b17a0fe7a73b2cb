"""Skyvern's logs: skyvern_log (one event a line), skyvern_log_raw (a JSON array of events) and
browser_console_log (`ts[type]text url=... lineNumber=... columnNumber=...`)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

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


# Just the level of a line, for filters and counts: far cheaper than a full parse.
_LEVEL = re.compile(r"\S+\s+\[([a-zA-Z]+)")


@dataclass
class SkyvernLog:
    """The lines (parsed one by one when shown) and each line's severity + 1 (0: no level).

    The lines are made safe as they are split (`split_lines`), once, in the same pass as the
    split: a 150 MB log gets no second pass, and a line parsed later is a safe string already.
    """

    lines: list[str]
    severities: bytearray
    counts: dict[str, int] = field(default_factory=dict)
    # Bytes of the file indexed so far, and its size: a big file is shown before it is all read.
    read: int = 0
    size: int = 0

    @property
    def complete(self) -> bool:
        return self.read >= self.size

    def parsed(self, index: int) -> LogLine:
        return parse_log_line(self.lines[index])

    def extend(self, data: bytes) -> None:
        """Add whole lines (the caller cuts `data` after a newline, or at the end of the file)."""
        lines = split_lines(data)
        severities = bytearray(len(lines))
        match = _LEVEL.match
        for index, line in enumerate(lines):
            found = match(line, 0, 80)
            if found:
                level = found.group(1).lower()
                self.counts[level] = self.counts.get(level, 0) + 1
                severities[index] = SEVERITY.get(level, 1) + 1
        self.lines += lines
        self.severities += severities
        self.read += len(data)


def skyvern_log(data: bytes) -> SkyvernLog:
    log = SkyvernLog([], bytearray(), size=len(data))
    log.extend(data)
    return log


HEAD = 256 * 1024  # read first from a big file: a few thousand lines, a screenful at once
STEP = 8 << 20


def _whole_lines(handle, size: int) -> bytes:
    """`size` bytes and on to the end of the line they end in."""
    data = handle.read(size)
    if data and not data.endswith(b"\n"):
        data += handle.readline()
    return data


def skyvern_log_head(path, size: int) -> SkyvernLog:
    """The start of a big log file, to show while the rest is indexed."""
    log = SkyvernLog([], bytearray(), size=size)
    with open(path, "rb") as handle:
        log.extend(_whole_lines(handle, HEAD))
    return log


def index_rest(log: SkyvernLog, path, progress=None, cancelled=lambda: False) -> None:
    """Read and index the rest of the file into `log`, a step at a time (the caller's thread)."""
    with open(path, "rb") as handle:
        handle.seek(log.read)
        while not log.complete and not cancelled():
            chunk = _whole_lines(handle, STEP)
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

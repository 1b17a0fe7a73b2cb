"""Playwright trace zips (versions 7 to 10): actions, console, page errors, network, frames.

A trace zip holds one `trace.trace` (JSON lines) per browser context (`trace.trace`,
`1-trace.trace`, ...) with a `.network` companion, and resources: screencast jpegs are under
`resources/` named by the frame's `sha1` (v7) or at the frame's `file` path (`screencast/`, v10).
Every context counts time from its own monotonic clock; `context-options` gives its wall
time, so everything is turned into epoch milliseconds and contexts can be merged.

The zip comes from a run artifact: its member count and sizes are bounded before anything is
inflated (a zip bomb is refused), and frames are read one at a time when shown.
"""

from __future__ import annotations

import base64
import json
import zipfile
from bisect import bisect_left
from dataclasses import dataclass, field

from ..errors import ParseError
from ..textsafe import safe_fields
from .har import Entry, parse_entry
from .media import Picture
from .zipread import read_member, open_zip
from ..fields import mapping
from .jsonload import count, load_json, nesting_guard, text_number

MAX_TRACE_BYTES = 256 * 1024 * 1024  # one inflated .trace/.network file
MAX_FRAME_BYTES = 16 * 1024 * 1024
MAX_BODY_BYTES = 16 * 1024 * 1024  # a response body kept in the trace's resources


@dataclass
class Action:
    call_id: str
    title: str  # "Frame.click", or the title Playwright gave ("Wait for load state")
    selector: str  # from params: selector, url, ... ("" when none)
    start: float  # epoch ms
    end: float | None  # None when the trace ended before the action did
    error: str
    params: dict
    logs: list[str] = field(default_factory=list)
    context: int = 0

    def __post_init__(self) -> None:
        safe_fields(self)

    @property
    def duration(self) -> float | None:
        return None if self.end is None else max(self.end - self.start, 0.0)


@dataclass
class Console:
    time: float
    level: str  # log, warning, error, ..., or "pageerror"
    text: str
    location: str

    def __post_init__(self) -> None:
        safe_fields(self)


@dataclass
class Frame:
    time: float
    member: str  # path inside the zip
    width: int
    height: int

    def __post_init__(self) -> None:
        safe_fields(self, keep=("member",))  # a locator, never shown


@dataclass
class Trace:
    version: int
    title: str
    start: float
    actions: list[Action]
    console: list[Console]
    network: list[Entry]
    frames: list[Frame]
    archive: zipfile.ZipFile  # kept open on the bytes to read frames on demand
    first_image: Picture | None = None  # the first frame, decoded by the trace opener (tui.core.opening, a worker)

    def __post_init__(self) -> None:
        # Actions, console messages, entries and frames are made safe by their own classes.
        safe_fields(self, keep=("actions", "console", "network", "frames"))

    def frame_for(self, action: Action) -> Frame | None:
        """The frame closest to the end of the action (its start while it never ended)."""
        if not self.frames:
            return None
        moment = action.end if action.end is not None else action.start
        times = [f.time for f in self.frames]
        i = bisect_left(times, moment)
        near = [j for j in (i - 1, i) if 0 <= j < len(times)]
        return self.frames[min(near, key=lambda j: abs(times[j] - moment))]

    def load_body(self, entry: Entry) -> bool:
        """Fill in a request's response body from the zip's resources; False when there is none."""
        if entry.body_text is not None or not entry.body_file:
            return entry.body_text is not None
        name = entry.body_file if "/" in entry.body_file else f"resources/{entry.body_file}"
        try:
            data = _read(self.archive, name, MAX_BODY_BYTES)
        except (KeyError, ParseError):
            return False
        entry.body_text, entry.body_encoding = base64.b64encode(data).decode(), "base64"
        return True

    def frame_bytes(self, frame: Frame) -> bytes:
        return _read(self.archive, frame.member, MAX_FRAME_BYTES)


def _read(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    return read_member(archive, name, limit, "Trace")


def open_archive(data: bytes) -> zipfile.ZipFile:
    return open_zip(data, "Trace")


def _lines(archive: zipfile.ZipFile, name: str) -> list[dict]:
    text = _read(archive, name, MAX_TRACE_BYTES).decode("utf-8", "replace")
    events = []
    for number_, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        event = load_json(line, f"Line {number_} of the trace's {name}")
        if isinstance(event, dict):
            events.append(event)
    return events


def _key(value: object) -> str | None:
    """A call id as a dict key: ids are strings (or numbers) in a trace; a list is not one."""
    return value if isinstance(value, str) else None if isinstance(value, (dict, list)) else str(value)


def _time(value: object, offset: float) -> float:
    """A monotonic time field as epoch ms: numbers (or numeric strings) that are finite, else 0."""
    return text_number(value) + offset


def _selector(params: dict) -> str:
    for key in ("selector", "url", "key", "text", "expression"):
        value = params.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


@nesting_guard("The trace")
def parse_trace(data: bytes) -> Trace:
    archive = open_archive(data)
    names = set(archive.namelist())
    traces = sorted(n for n in names if n.endswith("trace.trace") and "/" not in n)
    if not traces:
        raise ParseError("Not a Playwright trace: the zip has no trace.trace.")
    actions: list[Action] = []
    console: list[Console] = []
    network: list[Entry] = []
    frames: list[Frame] = []
    version, title, start = 0, "", None
    for number, name in enumerate(traces):
        events = _lines(archive, name)
        options = next((e for e in events if e.get("type") == "context-options"), {})
        version = max(version, count(options.get("version")))
        title = title or str(options.get("title") or "")
        # context monotonic ms -> epoch ms
        offset = text_number(options.get("wallTime")) - text_number(options.get("monotonicTime"))
        if start is None and options:
            start = text_number(options.get("wallTime"))
        calls: dict[str, Action] = {}
        for event in events:
            kind = event.get("type")
            call_id = _key(event.get("callId"))
            if kind == "before":
                params = mapping(event.get("params"))
                title_ = event.get("title") or event.get("apiName") or f"{event.get('class', '')}.{event.get('method', '')}"
                action = Action(str(call_id), str(title_), _selector(params),
                                _time(event.get("startTime"), offset), None, "", params, context=number)
                calls[action.call_id] = action
                actions.append(action)
            elif kind == "after" and call_id in calls:
                action = calls[call_id]
                action.end = _time(event.get("endTime"), offset)
                error = event.get("error")
                if isinstance(error, dict):
                    inner = mapping(error.get("error")) or error
                    action.error = str(inner.get("message") or inner.get("value") or error)
            elif kind == "log" and call_id in calls:
                calls[call_id].logs.append(str(event.get("message", "")))
            elif kind == "console":
                loc = mapping(event.get("location"))
                where = f"{loc.get('url', '')}:{loc.get('lineNumber', '')}" if loc.get("url") else ""
                console.append(Console(_time(event.get("time"), offset),
                                       str(event.get("messageType") or "log"), str(event.get("text", "")), where))
            elif kind == "event" and event.get("method") == "pageError":
                err = mapping(mapping(event.get("params")).get("error"))
                inner = mapping(err.get("error")) or err
                text = inner.get("stack") or inner.get("message") or json.dumps(err, default=str)
                console.append(Console(_time(event.get("time"), offset), "pageerror", str(text), ""))
            elif kind == "screencast-frame":
                sha1 = f"resources/{event.get('sha1')}"
                member = event.get("file") if isinstance(event.get("file"), str) and event.get("file") else sha1
                if member not in names and sha1 in names:
                    member = sha1  # v10 may store them by sha1 too
                if member in names:
                    frames.append(Frame(_time(event.get("timestamp"), offset), member,
                                        count(event.get("width")), count(event.get("height"))))
        net_name = name[: -len(".trace")] + ".network"
        if net_name in names:
            for event in _lines(archive, net_name):
                snapshot = event.get("snapshot")
                if event.get("type") == "resource-snapshot" and isinstance(snapshot, dict):
                    network.append(parse_entry(snapshot, len(network)))
    for action in actions:
        safe_fields(action)  # again: its end, error and logs came after it was made
    actions.sort(key=lambda a: a.start)
    console.sort(key=lambda c: c.time)
    frames.sort(key=lambda f: f.time)
    network.sort(key=lambda e: e.started)
    for i, entry in enumerate(network):
        entry.index = i
    return Trace(version, title, start or 0.0, actions, console, network, frames, archive)

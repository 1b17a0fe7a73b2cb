"""Playwright trace zips: versions 7 (Playwright 1.46, Skyvern's) and 10 (1.65), broken zips, bombs."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from tui.core.errors import ParseError
from tui.core.formats import trace as trace_mod
from tui.core.formats import zipread
from tui.core.formats.trace import parse_trace

DATA = Path(__file__).parent / "data" / "network"
DEMO_TRACE = next((Path(__file__).parent.parent / "assets" / "demo" / "files").glob("*_trace.zip"))


@pytest.mark.parametrize("name, version", [("trace_v7.zip", 7), ("trace_v10.zip", 10)])
def test_recorded_traces(name, version):
    trace = parse_trace((DATA / name).read_bytes())
    assert trace.version == version
    titles = [a.title for a in trace.actions]
    assert len(titles) == 12
    assert [a.selector for a in trace.actions if a.selector.startswith("#")] == [
        "#username", "#password", "#signin", "#no-such-button"]
    failed = [a for a in trace.actions if a.error]
    assert len(failed) == 1 and "Timeout 300ms exceeded" in failed[0].error
    assert all(a.end is not None and a.duration >= 0 for a in trace.actions)
    assert [a.start for a in trace.actions] == sorted(a.start for a in trace.actions)
    levels = {c.level for c in trace.console}
    assert {"error", "warning", "pageerror"} <= levels
    page_error = next(c for c in trace.console if c.level == "pageerror")
    assert "boom from setTimeout" in page_error.text
    assert len(trace.network) == 14
    assert {e.path for e in trace.network if e.failed} >= {"/api/missing", "/api/blocked"}
    assert len(trace.frames) >= 5
    folder = "resources/" if version == 7 else "screencast/"
    assert all(f.member.startswith(folder) for f in trace.frames)
    assert trace.frame_bytes(trace.frames[0])[:3] == b"\xff\xd8\xff"  # a jpeg
    items = next(e for e in trace.network if e.path.startswith("/api/items"))
    assert items.body() is None and trace.load_body(items)  # bodies are read on demand
    assert b"spur gear" in items.body()
    blocked = next(e for e in trace.network if e.path == "/api/blocked")
    assert not trace.load_body(blocked)


def test_frame_for_an_action_is_the_closest_to_its_end():
    trace = parse_trace((DATA / "trace_v10.zip").read_bytes())
    for action in trace.actions:
        frame = trace.frame_for(action)
        best = min(abs(f.time - action.end) for f in trace.frames)
        assert abs(frame.time - action.end) == best


def test_demo_trace():
    trace = parse_trace(DEMO_TRACE.read_bytes())
    assert trace.version == 10 and trace.title == "skyvern-tui demo: order a spur gear"
    assert trace.actions[1].title == "Frame.goto"
    assert len(trace.frames) == 11 and len(trace.network) == 10
    assert sum(1 for c in trace.console if c.level == "error") == 3


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _lines(*events) -> bytes:
    return "\n".join(json.dumps(e) for e in events).encode()


def test_several_contexts_merge_on_wall_time():
    first = _lines({"type": "context-options", "version": 8, "wallTime": 1000, "monotonicTime": 0},
                   {"type": "before", "callId": "a", "startTime": 50, "class": "Frame", "method": "click",
                    "params": {"selector": "#late"}},
                   {"type": "after", "callId": "a", "endTime": 60})
    second = _lines({"type": "context-options", "version": 8, "wallTime": 1000, "monotonicTime": 500},
                    {"type": "before", "callId": "b", "startTime": 510, "class": "Frame", "method": "goto",
                     "params": {"url": "http://x/"}},
                    {"type": "before", "callId": "c", "startTime": 520, "class": "Page", "method": "hang", "params": {}})
    trace = parse_trace(_zip({"trace.trace": first, "1-trace.trace": second}))
    assert [a.selector or a.title for a in trace.actions] == ["http://x/", "Page.hang", "#late"]
    assert trace.actions[1].end is None and trace.actions[1].duration is None
    assert trace.frames == [] and trace.frame_for(trace.actions[0]) is None


@pytest.mark.parametrize(
    "data",
    [b"", b"not a zip", b"PK\x03\x04broken", _zip({"other.txt": b"x"}), _zip({"trace.trace": b"{not json"})],
)
def test_broken_traces_are_parse_errors(data):
    with pytest.raises(ParseError):
        parse_trace(data)


def test_zip_bomb_is_refused():
    bomb = _zip({"trace.trace": b"", "resources/big.jpeg": b"\0" * (16 * 1024 * 1024)})
    assert len(bomb) < 100_000
    with pytest.raises(ParseError, match="zip bomb"):
        parse_trace(bomb)


def test_too_many_members_refused(monkeypatch):
    monkeypatch.setattr(zipread, "MAX_MEMBERS", 5)  # the shared bounded zip reader
    data = _zip({f"resources/{i}": b"x" for i in range(6)} | {"trace.trace": b""})
    with pytest.raises(ParseError, match="members"):
        parse_trace(data)


def test_member_larger_than_its_limit_refused(monkeypatch):
    monkeypatch.setattr(trace_mod, "MAX_TRACE_BYTES", 1000)
    data = _zip({"trace.trace": _lines(*[{"type": "log", "message": "x" * 100}] * 20)}, zipfile.ZIP_STORED)
    with pytest.raises(ParseError, match="too large"):
        parse_trace(data)

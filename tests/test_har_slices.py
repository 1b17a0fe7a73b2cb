"""A HAR read entry by entry (formats.har_slices): the same entries as one parse of the whole
file, whatever the layout; a cut that goes wrong falls back to the whole parse; the first
entries come before the rest; the run model's scan reads the same way."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.core.errors import ParseError
from tui.core.formats import har_slices
from tui.core.formats.har import BATCH, Entry, har_head, parse_entry, parse_har, raw_entries, read_rest
from tui.core.model import Artifact
from tui.core.run_model.browser import network_problems

sys.path.insert(0, str(Path(__file__).parent / "bench"))
from inputs import playwright_layout  # noqa: E402  (the demo's layout, checked below)

DATA = Path(__file__).parent / "data" / "network"
DEMO_HAR = next((Path(__file__).parent.parent / "assets" / "demo" / "files").glob("*_har.har"))


def whole(data: bytes) -> list[Entry]:
    """The entries as one json.loads of the file gives them: what slicing must match."""
    raws = json.loads(data)["log"]["entries"]
    return [parse_entry(raw, i) for i, raw in enumerate(raws) if isinstance(raw, dict)]


def fields_of(entries: list[Entry]) -> list[tuple[Any, ...]]:
    return [tuple(getattr(e, f.name) for f in dataclasses.fields(e)) for e in entries]


def entry(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "startedDateTime": f"2026-01-01T00:00:{n % 60:02d}.000Z", "time": n,
        "request": {"method": "GET", "url": f"https://x.example/{n}", "headers": [{"name": "A", "value": str(n)}]},
        "response": {"status": 200 + n % 3 * 100, "headers": [], "content": {"mimeType": "text/plain", "text": f"b{n}"}},
        **extra,
    }


def har_bytes(entries: list[Any], layout: str = "playwright", **log: Any) -> bytes:
    doc = {"log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, **log, "entries": entries}}
    if layout == "playwright":
        return playwright_layout(doc).encode()
    if layout == "indent":
        return json.dumps(doc, indent=2).encode()
    return json.dumps(doc, separators=(",", ":") if layout == "tight" else None).encode()


def cut(data: bytes) -> int | None:
    """How many slices the file is cut into, None when it is not cut."""
    where = har_slices.layout(data)
    return None if where is None else len(list(har_slices.slices(data, where)))


def test_the_benchmark_layout_is_the_recorded_one():
    # playwright_layout writes Skyvern's recorded HAR byte for byte: the benchmark's big HAR
    # is laid out as a real one is.
    data = DEMO_HAR.read_bytes()
    assert playwright_layout(json.loads(data)).encode() == data


@pytest.mark.parametrize("path", [DEMO_HAR, DATA / "bodies.har", DATA / "omitted.har"])
def test_real_hars_are_cut_into_their_entries(path: Path):
    data = path.read_bytes()
    expected = whole(data)
    assert cut(data) == len(expected)  # indented (Playwright 1.46) and one-line (1.65) alike
    har = parse_har(data)
    assert fields_of(har.entries) == fields_of(expected)
    assert har.creator.startswith("Playwright") and har.complete and har.read == har.size == len(data)


@pytest.mark.parametrize("layout", ["playwright", "indent", "compact", "tight"])
def test_every_layout_gives_the_entries_of_the_whole_parse(layout: str):
    data = har_bytes([entry(n) for n in range(30)], layout, pages=[{"startedDateTime": "x", "id": "p"}])
    assert cut(data) == 30
    har = parse_har(data)
    assert fields_of(har.entries) == fields_of(whole(data))
    assert har.pages == [{"startedDateTime": "x", "id": "p"}]


@pytest.mark.parametrize("entries, reason", [
    ([entry(0), {"time": 1, **entry(1)}, entry(2)], "an entry that starts with another key"),
    ([entry(0), 7, entry(2), "x", entry(4)], "entries that are not objects (skipped, positions kept)"),
    ([entry(0), entry(1, _n=float("nan")), entry(2)], "NaN, which orjson refuses and json reads"),
    ([entry(0, _v=2**70), entry(1)], "an integer over 64 bits"),
])
def test_a_cut_that_goes_wrong_falls_back_to_the_whole_parse(entries: list[Any], reason: str):
    for layout in ("playwright", "compact"):
        data = har_bytes(entries, layout)
        har = parse_har(data)
        assert fields_of(har.entries) == fields_of(whole(data)), reason
        assert [e.index for e in har.entries] == [i for i, e in enumerate(entries) if isinstance(e, dict)]


def test_the_marker_inside_a_string_or_a_nested_entries_array_is_not_a_cut():
    # A header value holding what an entry starts with (quotes escaped), and an "entries"
    # array before log.entries (in a page): the sentinel proves which array was cut.
    tricky = entry(1)
    tricky["request"]["headers"].append({"name": "X", "value": '},{"startedDateTime": "no",\n      {'})
    pages = [{"startedDateTime": "p", "_extra": {"entries": [{"startedDateTime": "not an entry"}]}}]
    for layout in ("playwright", "compact"):
        data = har_bytes([entry(0), tricky, entry(2)], layout, pages=pages)
        har = parse_har(data)
        assert fields_of(har.entries) == fields_of(whole(data))
        assert [e.url for e in har.entries] == [f"https://x.example/{n}" for n in range(3)]


def test_entries_after_log_entries_are_kept_by_the_whole_parse():
    # Not Playwright's order (entries last): the guessed end is wrong, the skeleton says so.
    doc = {"log": {"entries": [entry(0), entry(1)], "pages": [{"id": "p"}]}}
    for data in (json.dumps(doc).encode(), playwright_layout(doc).encode()):
        har = parse_har(data)
        assert [e.url for e in har.entries] == ["https://x.example/0", "https://x.example/1"]
        assert har.pages == [{"id": "p"}]


@pytest.mark.parametrize("data", [b'{"log": {"entries": {}}}', b'{"log": 1}', b"[]", b'{"log": {"entries": [}'])
def test_not_a_har_is_one_parse_error(data: bytes):
    with pytest.raises(ParseError):
        parse_har(data)
    with pytest.raises(ParseError):
        list(raw_entries(data))


def test_control_characters_in_a_cut_entry_are_made_visible():
    # The one search over an entry's text must find what the field walk would have.
    hostile = entry(1)
    hostile["request"]["url"] = "https://x.example/\x1b]0;owned\x07"
    hostile["request"]["headers"] = [{"name": "X-\x9b", "value": "a\x7fb\rc"}]
    hostile["response"]["statusText"] = "OK\x1b[2J"
    hostile["response"]["content"]["encoding"] = "\x08"
    for layout in ("playwright", "compact"):
        data = har_bytes([entry(0), hostile], layout)
        assert cut(data) == 2
        bad = parse_har(data).entries[1]
        shown = [bad.url, bad.status_text, bad.body_encoding, *bad.request_headers[0]]
        assert not any(ch in text for text in shown for ch in "\x1b\x07\x9b\x7f\r\x08"), shown
        assert "␛" in bad.url and "␛" in bad.status_text


def test_repeated_headers_are_shared_between_entries():
    har = parse_har(har_bytes([entry(n, request={"method": "GET", "url": "u", "headers": [
        {"name": "User-Agent", "value": "same"}]}) for n in range(5)]))
    first = har.entries[0].request_headers[0]
    assert all(e.request_headers[0] is first for e in har.entries)


def test_the_first_entries_come_first_and_the_rest_a_batch_at_a_time():
    data = har_bytes([entry(n) for n in range(3 * BATCH + 7)])
    har = har_head(data, first=10)
    assert len(har.entries) == 10 and not har.complete and 0 < har.read < har.size
    seen: list[tuple[int, int]] = []
    read_rest(har, lambda done, total: seen.append((len(har.entries), done)))
    assert har.complete and har.read == har.size
    counts = [n for n, _ in seen]
    assert counts == sorted(counts) and counts[0] == 10 + BATCH and counts[-1] == 3 * BATCH + 7
    assert fields_of(har.entries) == fields_of(whole(data))


def test_reading_the_rest_stops_when_cancelled():
    har = har_head(har_bytes([entry(n) for n in range(2 * BATCH)]), first=5)
    calls = []
    read_rest(har, cancelled=lambda: calls.append(1) is None and len(calls) > 1)
    assert len(har.entries) == 5 + BATCH and not har.complete  # one batch, then it stopped


def test_a_file_that_is_not_cut_is_read_whole_at_once():
    data = b'{"log": {"entries": []}}'
    har = har_head(data)
    assert har.complete and har.entries == []


def test_failed_requests_of_the_overview_are_the_same_cut_or_whole(monkeypatch: pytest.MonkeyPatch):
    entries = [entry(n) for n in range(20)]  # status 400 when n % 3 == 2
    entries[4]["response"]["_failureText"] = "net::ERR_FAILED"
    artifact = Artifact("a_har", "har")
    data = har_bytes(entries)
    assert cut(data) == 20
    cut_result = network_problems(artifact, data)
    monkeypatch.setattr(har_slices, "layout", lambda data: None)  # as a file that cannot be cut
    whole_result = network_problems(artifact, data)
    assert [p.text for p in cut_result[0]] == [p.text for p in whole_result[0]]
    assert cut_result[1] == whole_result[1] == len([n for n in range(20) if n % 3 == 2 or n == 4])
    assert [p.place.target for p in cut_result[0] if p.place][:3] == ["entry:2", "entry:4", "entry:5"]



def test_a_big_hars_failed_requests_come_from_the_child_process_as_from_the_thread(monkeypatch: pytest.MonkeyPatch):
    from offload_watch import watch_offloads

    from tui.core import offload

    entries = [entry(n, pad="x" * 600) for n in range(2400)]  # over OFFLOAD_MIN: a child reads it
    data = har_bytes(entries)
    assert len(data) > offload.OFFLOAD_MIN
    started = watch_offloads(monkeypatch)
    artifact = Artifact("a_har", "har")
    child = network_problems(artifact, data)
    assert [(o.task, o.in_thread) for o in started] == [("har_failures", False)]  # a child answered
    monkeypatch.setattr(offload, "OFFLOAD_MIN", len(data) + 1)  # now read in this thread
    here = network_problems(artifact, data)
    assert child[1] == here[1] == len([n for n in range(2400) if n % 3 == 2])
    assert [(p.text, p.time, p.place.target if p.place else None) for p in child[0]] == \
        [(p.text, p.time, p.place.target if p.place else None) for p in here[0]]

# Strings that look like structure: braces, commas, quotes, newlines and the entries' first key.
PIECES = st.sampled_from([*'{}[],:" \n\\ab\u00e9\u009b\x1b', '"startedDateTime": ', "\n      },\n      {", "},{"])
TRICKY = st.lists(PIECES, max_size=12).map("".join)
ENTRY = st.fixed_dictionaries({
    "startedDateTime": TRICKY,
    "request": st.fixed_dictionaries({"method": TRICKY, "url": TRICKY,
                                      "headers": st.lists(st.fixed_dictionaries({"name": TRICKY, "value": TRICKY}),
                                                          max_size=3)}),
    "response": st.fixed_dictionaries({"status": st.integers(-1, 999), "content": st.fixed_dictionaries({
        "text": TRICKY, "mimeType": TRICKY})}),
}, optional={"_x": st.recursive(st.none() | TRICKY, lambda inner: st.lists(inner, max_size=3)
                                 | st.dictionaries(TRICKY, inner, max_size=3), max_leaves=6)})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ENTRY | st.integers(), max_size=8), st.sampled_from(["playwright", "indent", "compact", "tight"]))
def test_any_entries_in_any_layout_read_as_the_whole_parse(entries: list[Any], layout: str):
    data = har_bytes(entries, layout)
    har = parse_har(data)
    assert fields_of(har.entries) == fields_of([parse_entry(e, i) for i, e in enumerate(entries) if isinstance(e, dict)])
    assert fields_of(har.entries) == fields_of(whole(data))
    problems, _ = network_problems(Artifact("a", "har"), data)
    assert all(p.place.target.startswith("entry:") for p in problems)

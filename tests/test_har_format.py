"""HAR parsing, the filter language, sorting and curl, on real recorded HARs and a generated big one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tui.core.errors import ParseError
from tui.core.formats.har import (
    REDACTED, classify, compile_filter, filter_entries, parse_har, redact_url, sort_entries, to_curl,
)

DATA = Path(__file__).parent / "data" / "network"
DEMO_HAR = next((Path(__file__).parent.parent / "assets" / "demo" / "files").glob("*_har.har"))


@pytest.fixture(scope="module")
def bodies():
    return parse_har((DATA / "bodies.har").read_bytes())


@pytest.fixture(scope="module")
def omitted():
    return parse_har((DATA / "omitted.har").read_bytes())


def by_path(har, path):
    return next(e for e in har.entries if e.path == path)


def test_real_har_with_bodies(bodies):
    assert len(bodies.entries) == 14
    page = bodies.entries[0]
    assert (page.method, page.status, page.type, page.path) == ("GET", 200, "document", "/net.html")
    assert page.body().startswith(b"<!doctype html>")
    png = by_path(bodies, "/pixel.png")
    assert png.type == "image" and png.body_encoding == "base64"
    assert png.body().startswith(b"\x89PNG")  # base64 decoded
    items = by_path(bodies, "/api/items?q=gear&token=s3cr3t-token")
    assert items.type == "xhr/fetch"
    assert ("q", "gear") in items.query
    assert json.loads(items.body())["items"][0]["name"] == "spur gear"
    assert ("Authorization", "Bearer sk-live-123") in items.request_headers
    assert {k for k, v in items.timings.items() if v >= 0} >= {"send", "wait", "receive"}
    echo = by_path(bodies, "/api/echo")
    assert echo.method == "POST" and echo.status == 201
    assert json.loads(echo.request_body) == {"part": "spur-gear", "qty": 2}


def test_aborted_and_404_are_failed(bodies):
    blocked = by_path(bodies, "/api/blocked")
    assert blocked.status == 0 and blocked.failure == "net::ERR_FAILED" and blocked.body() is None
    failed = [e.path for e in filter_entries(bodies.entries, "failed")]
    assert failed == ["/api/missing", "/api/blocked", "/api/recommendations?user=demo"]


def test_bodies_omitted(omitted):
    assert len(omitted.entries) == 14
    assert not any(e.has_body for e in omitted.entries)
    assert by_path(omitted, "/pixel.png").body() is None
    assert by_path(omitted, "/pixel.png").size == 81  # the size is still known


def test_demo_skyvern_har():
    har = parse_har(DEMO_HAR.read_bytes())
    assert len(har.entries) == 10
    assert [e.status for e in har.entries].count(404) == 1
    assert har.start < har.end


@pytest.mark.parametrize(
    "query, paths",
    [
        ("xhr", {"/api/items?q=gear&token=s3cr3t-token", "/api/missing", "/api/echo", "/api/blocked",
                 "/api/recommendations?user=demo"}),
        ("status:404", {"/api/missing", "/api/recommendations?user=demo"}),
        ("status:2xx type:image", {"/pixel.png"}),
        ("method:post", {"/api/echo"}),
        ("api -failed -method:post", {"/api/items?q=gear&token=s3cr3t-token"}),
        ("larger-than:1k", {"/app.js", "/search.html?user=demo"}),
        ("css", {"/style.css"}),
        ("domain:127.0.0.1:1 nothing", set()),
    ],
)
def test_filter_language(bodies, query, paths):
    assert {e.path for e in filter_entries(bodies.entries, query)} == paths


def test_filter_domain(bodies):
    host = bodies.entries[0].host
    assert len(filter_entries(bodies.entries, f"domain:{host}")) == 14
    assert filter_entries(bodies.entries, "domain:example.com") == []
    assert len(filter_entries(bodies.entries, "-domain:example.com")) == 14


@pytest.mark.parametrize("bad", ["status:abc", "larger-than:lots"])
def test_bad_filter_terms_say_why(bad):
    with pytest.raises(ValueError):
        compile_filter(bad)


def test_sort_every_column(bodies):
    by_size = sort_entries(bodies.entries, "size")
    assert [e.size for e in by_size] == sorted(e.size for e in bodies.entries)
    assert sort_entries(bodies.entries, "size", reverse=True)[0].path in ("/app.js",)
    assert sort_entries(bodies.entries, "status")[0].path == "/api/blocked"
    assert sort_entries(bodies.entries, "method", reverse=True)[0].method == "POST"
    assert [e.index for e in sort_entries(bodies.entries, "start")] != []
    longest = sort_entries(bodies.entries, "duration", reverse=True)[0]
    assert longest.duration == max(e.duration for e in bodies.entries)


def test_curl_redacts_secrets(bodies):
    curl = to_curl(by_path(bodies, "/api/items?q=gear&token=s3cr3t-token"))
    assert curl.startswith("curl 'http://127.0.0.1:")
    for secret in ("sk-live-123", "key-456", "s3cr3t-token", "session=abc123"):
        assert secret not in curl
    assert "'Authorization: REDACTED'" in curl and "'X-Api-Key: REDACTED'" in curl
    assert "token=REDACTED" in curl and "q=gear" in curl
    post = to_curl(by_path(bodies, "/api/echo"))
    assert "-X POST" in post and """--data-raw '{"part":"spur-gear","qty":2}'""" in post


def test_redact_url_keeps_harmless_urls():
    assert redact_url("https://a.example/x?q=1") == "https://a.example/x?q=1"
    assert redact_url("https://a.example/x?api_key=1&sig=2&q=3") == (
        f"https://a.example/x?api_key={REDACTED}&sig={REDACTED}&q=3")


def test_classify():
    assert classify("font/woff2") == "font"
    assert classify("application/javascript; charset=utf-8") == "script"
    assert classify("text/plain", "fetch") == "xhr/fetch"
    assert classify("application/octet-stream") == "other"


@pytest.mark.parametrize(
    "data", [b"", b"not json", b"[1, 2]", b'{"log": {}}', b'{"log": {"entries": 3}}', b"\xff\xfe"]
)
def test_broken_har_is_a_parse_error(data):
    with pytest.raises(ParseError):
        parse_har(data)


def test_odd_entries_are_tolerated():
    doc = {"log": {"entries": [{}, {"request": {"url": "x"}, "response": {"status": "?"}}, 7]}}
    har = parse_har(json.dumps(doc).encode())
    assert len(har.entries) == 2
    assert all(e.status == 0 and e.failed for e in har.entries)


def big_har(n: int) -> bytes:
    entries = []
    for i in range(n):
        entries.append({
            "startedDateTime": f"2026-01-01T00:{i // 6000 % 60:02d}:{i // 100 % 60:02d}.{i % 100:02d}0Z",
            "time": i % 997,
            "request": {"method": "POST" if i % 10 == 0 else "GET",
                        "url": f"https://h{i % 7}.example.com/p/{i}?token=t{i}", "headers": []},
            "response": {"status": 500 if i % 100 == 0 else 200, "headers": [],
                         "content": {"size": i * 13 % 50_000, "mimeType": "application/json" if i % 2 else "image/png",
                                     "text": "x" * 2000}},
            "timings": {"wait": 1, "receive": 2},
        })
    return json.dumps({"log": {"version": "1.2", "entries": entries}}).encode()


def test_generated_20000_entry_har():
    data = big_har(20_000)
    assert len(data) > 40_000_000  # the size the brief asks about
    har = parse_har(data)
    assert len(har.entries) == 20_000
    assert len(filter_entries(har.entries, "failed")) == 200
    assert len(filter_entries(har.entries, "method:post -failed")) == 2000 - 200
    assert len(filter_entries(har.entries, "domain:h3.example.com")) == len(range(3, 20_000, 7))
    big = filter_entries(har.entries, "larger-than:48k")
    assert big and all(e.size > 48 * 1024 for e in big)
    ordered = sort_entries(har.entries, "size", reverse=True)
    assert ordered[0].size == max(e.size for e in har.entries)
    assert len(filter_entries(har.entries, "/p/19999")) == 1

"""The API source against hostile or broken servers: where bytes may be read from, how much and
for how long, where the key goes, what a cache and a saved run keep, what a copied command shows.

Faults come from the loopback fake (tests/fake_skyvern.py) or from httpx.MockTransport; no test
here touches the network outside loopback, and none measures time: waits and DNS are injected.
"""

from __future__ import annotations

import json
import os
import socket
import tracemalloc
import zlib
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from fake_skyvern import (
    API_KEY,
    RUN_ID,
    FakeSkyvern,
    chunked_cut,
    drip,
    drip_headers,
    encoded,
    html,
    raw_json,
    redirect,
    status,
)
from tui.core.content import root_of
from tui.core.download import download_run, scrub
from tui.core.errors import ApiError, ApiUnavailable, AuthError, SourceError, TuiError, describe_error
from tui.core.formats.har import parse_entry, to_curl
from tui.core.http import insecure_warning, is_loopback
from tui.core.model import Artifact
from tui.core.sources.api import ApiSettings, ApiSource

FAST = dict(timeout=5.0, retries=0, backoff=0.01, max_backoff=0.05, max_retry_after=0.1)
REMOTE = ["203.0.113.7"]  # TEST-NET-3: what a "remote" name resolves to, for the injected resolver


@pytest.fixture
def fake():
    server = FakeSkyvern()
    yield server
    server.stop()


def source_for(fake: FakeSkyvern, key: str = API_KEY, resolve=None, **overrides) -> ApiSource:
    extra = {"resolve": resolve} if resolve is not None else {}
    return ApiSource(ApiSettings(base_url=fake.base_url, api_key=key, **{**FAST, **overrides}),
                     sleep=lambda s: None, **extra)


def one_line(exc: BaseException) -> str:
    """What the person reads: one line, from our own error type, with no key in it."""
    assert isinstance(exc, TuiError), repr(exc)
    text = describe_error(exc)
    assert "\n" not in text and API_KEY not in text and "Traceback" not in text
    return text


def plain(entry: dict) -> Artifact:
    """An artifact with no signed URL or uri: its bytes come from the content endpoint."""
    return Artifact.from_api({**entry, "signed_url": None, "uri": None})


def first(fake: FakeSkyvern, artifact_type: str = "screenshot_llm") -> dict:
    return next(a for a in fake.demo.artifacts if a["artifact_type"] == artifact_type)


# -- loopback is an address, not a name ---------------------------------------------------------
@pytest.mark.parametrize("url, expected", [
    ("http://127.0.0.1:8000", True), ("http://127.9.9.9", True), ("http://[::1]:8000", True),
    ("http://[::ffff:127.0.0.1]:8000", True), ("http://10.0.0.1", False), ("http://0.0.0.0:8000", False),
    ("https://[2001:db8::1]", False), ("not a url", False),
])
def test_loopback_from_an_ip_literal(url, expected):
    def no_dns(host: str):
        raise AssertionError(f"an IP literal was resolved: {host}")
    assert is_loopback(url, no_dns) is expected


def test_a_name_that_reads_like_loopback_is_what_it_resolves_to():
    assert not is_loopback("http://127.attacker.example", lambda host: ["93.184.216.34"])
    assert not is_loopback("http://127.0.0.1.nip.example", lambda host: ["127.0.0.1", "10.1.1.1"])  # all or none
    assert not is_loopback("http://nowhere.example", lambda host: [])
    assert is_loopback("http://skyvern.internal", lambda host: ["127.0.0.1", "::1"])


def test_localhost_resolves_on_this_machine():
    assert is_loopback("http://localhost:8000")  # /etc/hosts: no query leaves the machine


@settings(max_examples=200, deadline=None)
@given(label=st.from_regex(r"127(\.[0-9]{1,3}){0,3}\.[a-z]{1,10}\.example", fullmatch=True),
       addresses=st.lists(st.sampled_from(["93.184.216.34", "10.0.0.5", "2001:db8::7", "192.168.1.1"]), max_size=3))
def test_no_name_is_loopback_unless_every_address_is(label, addresses):
    assert not is_loopback(f"http://{label}:8000", lambda host: addresses)


# -- file:// uris ------------------------------------------------------------------------------
def local_artifact(path: Path, artifact_id: str = "a_local") -> Artifact:
    return Artifact.from_api({"artifact_id": artifact_id, "artifact_type": "screenshot_llm",
                              "uri": path.as_uri(), "signed_url": path.as_uri()})


def test_file_uri_is_read_only_under_an_artifact_root(fake, tmp_path: Path):
    root, elsewhere = tmp_path / "artifacts", tmp_path / "home"
    root.mkdir()
    elsewhere.mkdir()
    (root / "shot.png").write_bytes(b"from the root")
    (elsewhere / "id_rsa").write_bytes(b"PRIVATE KEY")
    (root / "link").symlink_to(elsewhere / "id_rsa")  # a link out of the root
    with source_for(fake, artifact_roots=(root,)) as source:
        assert source.read_bytes(local_artifact(root / "shot.png")) == b"from the root"
        assert not fake.api.seen
        for path in (elsewhere / "id_rsa", root / "link", root / ".." / "home" / "id_rsa"):
            with pytest.raises(SourceError) as info:  # the fake has no content for a_local: 404
                source.read_bytes(local_artifact(path))
            assert "PRIVATE" not in one_line(info.value)
    assert len(fake.api.requests_to("/v1/artifacts/a_local/content")) == 3


def test_file_uri_without_any_root_is_not_read(fake, tmp_path: Path):
    (tmp_path / "shot.png").write_bytes(b"anywhere")
    with source_for(fake) as source, pytest.raises(SourceError):
        source.read_bytes(local_artifact(tmp_path / "shot.png"))


def test_a_fifo_or_a_device_under_a_root_is_not_read(tmp_path: Path):
    os.mkfifo(tmp_path / "skyvern_log.log")  # opening it would block for ever
    assert root_of(tmp_path / "skyvern_log.log", [tmp_path]) is None
    assert root_of(Path("/dev/zero"), [Path("/dev")]) is None
    (tmp_path / "ok.txt").write_text("x")
    found = root_of(tmp_path / "ok.txt", [tmp_path / "elsewhere", tmp_path])
    assert found is not None and found.read(tmp_path / "ok.txt", 10) == b"x"


def test_file_uri_from_a_remote_server_is_never_read(fake, tmp_path: Path):
    (tmp_path / "secret").write_bytes(b"private")
    entry = first(fake)
    artifact = Artifact.from_api({**entry, "uri": (tmp_path / "secret").as_uri(), "signed_url": (tmp_path / "secret").as_uri()})
    # The same fake, but this machine's DNS says its host is another machine.
    settings_ = ApiSettings(base_url=fake.base_url.replace("127.0.0.1", "localhost"), api_key=API_KEY,
                            artifact_roots=(tmp_path,), **FAST)
    with ApiSource(settings_, resolve=lambda host: REMOTE) as source:
        assert source.read_bytes(artifact) == fake.demo.files[entry["artifact_id"]]
    assert fake.api.requests_to(f"/v1/artifacts/{entry['artifact_id']}/content")


# -- size caps and deadlines -------------------------------------------------------------------
@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """About 1 MB of gzip that inflates to 1 GiB of zeros."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    return b"".join([packer.compress(block) for _ in range(1024)] + [packer.flush()])


def test_a_gzip_bomb_stops_at_the_cap(fake, gzip_bomb: bytes):
    assert len(gzip_bomb) < 1_100_000
    entry = first(fake)
    path = f"/v1/artifacts/{entry['artifact_id']}/content"
    fake.api.fail(path, encoded(gzip_bomb))
    cap = 8 << 20
    tracemalloc.start()
    try:
        with source_for(fake, max_bytes=cap) as source, pytest.raises(ApiError) as info:
            source.read_bytes(plain(entry))
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "larger than the limit of 8 MiB once decoded" in one_line(info.value) and path in str(info.value)
    assert peak < cap + (16 << 20)  # the cap, a slice and the client: not the inflated GiB


def test_gzip_within_the_cap_is_decoded(fake):
    entry = first(fake)
    path = f"/v1/artifacts/{entry['artifact_id']}/content"
    data = fake.demo.files[entry["artifact_id"]]
    packer = zlib.compressobj(6, zlib.DEFLATED, 31)
    fake.api.fail(path, encoded(packer.compress(data) + packer.flush()),
                  encoded(zlib.compress(data), "deflate"), encoded(zlib.compress(data)[2:-4], "deflate"))
    with source_for(fake) as source:
        for _ in range(3):  # gzip, zlib deflate, raw deflate
            assert source.read_bytes(plain(entry)) == data


def test_an_encoding_not_asked_for_is_refused(fake):
    fake.api.fail("/v1/runs", encoded(b"\x00garbage", "br"))
    with source_for(fake) as source, pytest.raises(ApiError) as info:
        source.list_runs()
    assert "'br'" in one_line(info.value)


def test_an_oversized_body_stops_at_the_cap(fake):
    entry = first(fake)
    path = f"/v1/artifacts/{entry['artifact_id']}/content"
    fake.api.fail(path, raw_json(b"x" * (3 << 20)))
    with source_for(fake, max_bytes=1 << 20) as source, pytest.raises(ApiError) as info:
        source.read_bytes(plain(entry))
    assert "larger than the limit of 1 MiB" in one_line(info.value)


def test_a_slow_drip_is_cut_at_the_deadline(fake):
    # One byte every 0.3 s for ever: no single read ever waits the 5 s read timeout.
    fake.api.fail("/v1/runs", drip(0.3))
    with source_for(fake, deadline=1.0, retries=3) as source, pytest.raises(ApiUnavailable) as info:
        source.list_runs()
    text = one_line(info.value)
    assert "did not arrive within 1 s" in text and "GET /v1/runs" in text
    assert len(fake.api.requests_to("/v1/runs")) == 1  # the deadline is the request's, retries included


def test_headers_dripped_for_ever_are_cut_at_the_deadline(fake):
    """The status line and headers, a byte every 0.3 s: httpx's per-read timeout never fires,
    the deadline, kept by the sockets, does."""
    fake.api.fail("/v1/runs", drip_headers(0.3))
    with source_for(fake, deadline=1.0, retries=3) as source, pytest.raises(ApiUnavailable) as info:
        source.list_runs()
    assert "did not arrive within 1 s" in one_line(info.value)
    assert len(fake.api.requests_to("/v1/runs")) == 1


def test_the_deadline_covers_the_retries(fake):
    """A clock that moves 10 s a call: past the 15 s deadline, no new attempt is started."""
    ticks = iter(range(0, 10_000, 10))
    fake.api.fail("/v1/runs", *[status(503)] * 10)
    settings_ = ApiSettings(base_url=fake.base_url, api_key=API_KEY, **{**FAST, "retries": 9, "deadline": 15.0})
    with ApiSource(settings_, sleep=lambda s: None, clock=lambda: float(next(ticks))) as source:
        with pytest.raises(ApiUnavailable) as info:
            source.list_runs()
    assert "within 15 s" in one_line(info.value)
    assert len(fake.api.requests_to("/v1/runs")) < 5


def test_a_cut_chunked_body_is_a_clear_error(fake):
    entry = first(fake)
    path = f"/v1/artifacts/{entry['artifact_id']}/content"
    fake.api.fail(path, *[chunked_cut([b"a" * 1000, b"b" * 1000])] * 2)
    with source_for(fake, retries=1) as source, pytest.raises(ApiUnavailable) as info:
        source.read_bytes(plain(entry))
    assert "cut" in one_line(info.value) and "after 2 attempts" in str(info.value)


def test_connect_timeout(tmp_path: Path):
    """A listener whose accept queue is full: the SYN is dropped, the connect never completes."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        try:
            filler.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(filler)
    try:
        settings_ = ApiSettings(base_url=f"http://127.0.0.1:{port}", api_key=API_KEY, **{**FAST, "timeout": 0.5})
        with ApiSource(settings_, sleep=lambda s: None) as source, pytest.raises(ApiUnavailable) as info:
            source.list_runs()
        assert f"no connection to 127.0.0.1:{port} within 0.5 s" in one_line(info.value)
    finally:
        for sock in (*fillers, listener):
            sock.close()


# -- answers that are not what was asked ---------------------------------------------------------
def test_html_instead_of_json(fake):
    fake.api.fail("/v1/runs", html())
    with source_for(fake) as source, pytest.raises(ApiError) as info:
        source.list_runs()
    assert "text/html" in one_line(info.value) and "not JSON" in str(info.value) and "--base-url" in str(info.value)


def test_401_is_one_line_about_the_key(fake):
    fake.api.fail("/v1/runs", status(401, {"detail": "Not authenticated"}))
    with source_for(fake) as source, pytest.raises(AuthError) as info:
        source.list_runs()
    assert "Not authenticated (401)" in one_line(info.value) and "SKYVERN_API_KEY" in str(info.value)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(
        ["run_id", "status", "artifact_id", "artifact_type", "created_at", "task_id", "step_id", "order",
         "uri", "signed_url", "file_size", "run_type", "detail", "items"]), inner, max_size=6),
    max_leaves=20,
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(run=JSON_VALUES, artifacts=JSON_VALUES, steps=JSON_VALUES, runs=JSON_VALUES)
def test_wrong_schema_is_a_clear_error_or_a_run(run, artifacts, steps, runs):
    """Whatever JSON each endpoint answers, the source gives a run or one of our errors."""
    answers = {f"/v1/runs/{RUN_ID}": run, f"/v1/runs/{RUN_ID}/artifacts": artifacts, "/v1/runs": runs}

    def serve(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path in answers:
            return httpx.Response(200, content=json.dumps(answers[path]).encode())
        if path.endswith("/steps"):
            return httpx.Response(200, content=json.dumps(steps).encode())
        return httpx.Response(404, json={"detail": "Not Found"})

    settings_ = ApiSettings(base_url="http://127.0.0.1:9", api_key=API_KEY, **FAST)
    with ApiSource(settings_, transport=httpx.MockTransport(serve), sleep=lambda s: None) as source:
        for call in (source.list_runs, lambda: source.load_run(RUN_ID)):
            try:
                call()
            except TuiError as exc:
                one_line(exc)


def test_json_nested_too_deep_for_python_is_a_clear_error():
    """100,000 `[` are more than Python recurses: the answer is one of our errors, not a
    RecursionError."""
    deep = b"[" * 100_000 + b"]" * 100_000

    def serve(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=deep, headers={"content-type": "application/json"})

    settings_ = ApiSettings(base_url="http://127.0.0.1:9", api_key=API_KEY, **FAST)
    with ApiSource(settings_, transport=httpx.MockTransport(serve), sleep=lambda s: None) as source:
        for call in (source.list_runs, lambda: source.load_run(RUN_ID)):
            with pytest.raises(ApiError, match="nested too deeply"):
                call()


# -- redirects ----------------------------------------------------------------------------------
def test_a_redirect_loop_is_one_clear_error(fake):
    fake.api.fail("/v1/runs", *[redirect("/v1/runs", 302)] * 20)
    with source_for(fake) as source, pytest.raises(ApiError) as info:
        source.list_runs()
    assert "more than 5 redirects" in one_line(info.value)
    assert len(fake.api.requests_to("/v1/runs")) == 6


@pytest.mark.parametrize("code", [301, 303, 308])
def test_redirects_within_the_api_are_followed_with_the_key(fake, code):
    fake.api.fail(f"/v1/runs/wr_old_{code}", redirect(f"/v1/runs/{RUN_ID}", code))
    with source_for(fake) as source:
        assert source.load_run(f"wr_old_{code}").run.run_id == RUN_ID
    assert fake.api.requests_to(f"/v1/runs/{RUN_ID}")[0].headers["x-api-key"] == API_KEY


@pytest.mark.parametrize("location", ["file:///etc/passwd", "ftp://127.0.0.1/x", "http://[::1"])
def test_a_redirect_out_of_http_is_an_error_not_a_read(fake, location):
    fake.api.fail("/v1/runs", redirect(location))
    with source_for(fake, retries=2) as source, pytest.raises(ApiError) as info:
        source.list_runs()
    assert "root:" not in one_line(info.value)
    assert len(fake.api.requests_to("/v1/runs")) == 1  # not retried: it would fail the same way


@pytest.mark.parametrize("value", ["99999999999999999999999", "Fri, 31 Dec 99999 23:59:59 GMT", "-1", "soon"])
def test_a_hostile_retry_after_is_bounded(fake, value):
    fake.api.fail("/v1/runs", status(429, headers={"Retry-After": value}))
    waits: list[float] = []
    settings_ = ApiSettings(base_url=fake.base_url, api_key=API_KEY, **{**FAST, "retries": 1, "max_retry_after": 2.0})
    with ApiSource(settings_, sleep=waits.append) as source:
        assert len(source.list_runs()) == 1
    assert len(waits) == 1 and 0 <= waits[0] <= 2.0


def mock_api(routes: dict[str, httpx.Response], seen: list[httpx.Request]):
    def serve(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return routes.get(str(request.url).split("?")[0], httpx.Response(404, json={"detail": "Not Found"}))
    return httpx.MockTransport(serve)


def test_an_https_to_http_downgrade_is_refused():
    seen: list[httpx.Request] = []
    routes = {"https://api.skyvern.test/v1/runs": httpx.Response(302, headers={"Location": "http://api.skyvern.test/v1/runs"}),
              "http://api.skyvern.test/v1/runs": httpx.Response(200, json=[])}
    settings_ = ApiSettings(base_url="https://api.skyvern.test", api_key=API_KEY, **FAST)
    with ApiSource(settings_, transport=mock_api(routes, seen), resolve=lambda h: REMOTE) as source:
        with pytest.raises(ApiError) as info:
            source.list_runs()
    assert "from https to http" in one_line(info.value)
    assert [r.url.scheme for r in seen] == ["https"]  # the http URL was never asked for


def test_a_signed_url_that_redirects_to_the_api_gets_no_key(fake):
    """The storage host chose that Location: the API origin is reached through it, so the hop
    carries no key (the API refuses it) and the content endpoint, asked directly, serves."""
    entry = first(fake)
    artifact_id = entry["artifact_id"]
    fake.storage.fail(f"/blob/{artifact_id}", redirect(f"{fake.base_url}/v1/artifacts/{artifact_id}/content?via=storage"))
    with source_for(fake) as source:
        data = source.read_bytes(Artifact.from_api({**entry, "signed_url": fake.signed_url(artifact_id)}))
    assert data == fake.demo.files[artifact_id]
    hops = fake.api.requests_to(f"/v1/artifacts/{artifact_id}/content")
    assert [h.query.get("via") for h in hops] == [["storage"], None]
    assert "x-api-key" not in hops[0].headers and hops[1].headers["x-api-key"] == API_KEY


def test_an_api_redirect_off_and_back_on_the_origin_drops_the_key(fake):
    entry = first(fake)
    artifact_id = entry["artifact_id"]
    path = f"/v1/artifacts/{artifact_id}/content"
    fake.api.fail(path, redirect(f"{fake.storage.origin}/bounce"))
    fake.storage.fail("/bounce", redirect(f"{fake.base_url}{path}?via=bounce"))
    with source_for(fake) as source, pytest.raises(AuthError):
        source.read_bytes(plain(entry))  # the API refuses the keyless hop: we do not add the key back
    assert "x-api-key" not in fake.api.requests_to(path)[1].headers
    assert all("x-api-key" not in s.headers for s in fake.storage.seen)


# -- the cache is per key ----------------------------------------------------------------------
def test_another_key_does_not_read_what_one_key_cached(fake, tmp_path: Path):
    cache = tmp_path / "cache"
    entry = first(fake)
    with ApiSource(ApiSettings(base_url=fake.base_url, api_key=API_KEY, **FAST), cache=cache) as first_key:
        first_key.load_run(RUN_ID)
        assert first_key.read_bytes(plain(entry)) == fake.demo.files[entry["artifact_id"]]
    with ApiSource(ApiSettings(base_url=fake.base_url, api_key="sk-other", **FAST), cache=cache) as other:
        with pytest.raises(AuthError):
            other.read_bytes(plain(entry))  # asked the server, which refused: not the cached bytes
        with pytest.raises(AuthError):
            other.load_run(RUN_ID)
    fake.stop()  # offline: still nothing for the other key
    with ApiSource(ApiSettings(base_url=fake.base_url, api_key="sk-other", **FAST), cache=cache, sleep=lambda s: None) as other:
        with pytest.raises(ApiUnavailable):
            other.read_bytes(plain(entry))
        with pytest.raises(ApiUnavailable):
            other.load_run(RUN_ID)
    for path in cache.rglob("*"):
        assert API_KEY not in path.name and "sk-other" not in path.name
        if path.is_file():
            assert API_KEY.encode() not in path.read_bytes()


def test_a_revoked_key_reads_nothing_it_cached_offline_too(fake, tmp_path: Path):
    cache = tmp_path / "cache"
    entry = first(fake)
    with ApiSource(ApiSettings(base_url=fake.base_url, api_key=API_KEY, **FAST), cache=cache) as source:
        source.load_run(RUN_ID)
        source.read_bytes(plain(entry))
    fake.api_key = "sk-the-new-one"  # the old key is revoked
    with ApiSource(ApiSettings(base_url=fake.base_url, api_key=API_KEY, **FAST), cache=cache) as source:
        with pytest.raises(AuthError):
            source.load_run(RUN_ID)
        with pytest.raises(AuthError):
            source.read_bytes(plain(entry))
    fake.stop()
    with ApiSource(ApiSettings(base_url=fake.base_url, api_key=API_KEY, **FAST), cache=cache, sleep=lambda s: None) as source:
        with pytest.raises(ApiUnavailable):
            source.load_run(RUN_ID)
        with pytest.raises(ApiUnavailable):
            source.read_bytes(plain(entry))


def test_the_same_key_still_reads_its_cache_offline(fake, tmp_path: Path):
    """The check above is not just a cache that never hits."""
    cache = tmp_path / "cache"
    entry = first(fake)
    with ApiSource(ApiSettings(base_url=fake.base_url, api_key=API_KEY, **FAST), cache=cache) as source:
        source.load_run(RUN_ID)
        source.read_bytes(plain(entry))
    fake.stop()
    with ApiSource(ApiSettings(base_url=fake.base_url, api_key=API_KEY, **FAST), cache=cache, sleep=lambda s: None) as source:
        assert source.load_run(RUN_ID).run.source.endswith("(offline copy)")
        assert source.read_bytes(plain(entry)) == fake.demo.files[entry["artifact_id"]]


# -- a downloaded run keeps no presigned URL ---------------------------------------------------
SIGNATURE = "Zm9vYmFyc2lnbmF0dXJl"
PRESIGNED = (f"https://bucket.s3.amazonaws.com/o/rec.webm?X-Amz-Algorithm=AWS4-HMAC-SHA256"
             f"&X-Amz-Credential=AKIAEXAMPLE&X-Amz-Signature={SIGNATURE}")
MARKERS = ("X-Amz-", "Signature=", "sig=", "token=", "X-Goog-", "Key-Pair-Id", SIGNATURE, "AKIAEXAMPLE", API_KEY)


def test_a_downloaded_run_keeps_no_presigned_url_anywhere(fake, tmp_path: Path):
    fake.signed = "storage"
    fake.demo.run = {
        **fake.demo.run,
        "recording_url": PRESIGNED,
        "screenshot_urls": [PRESIGNED.replace("rec.webm", "s1.png"),
                            f"https://storage.googleapis.com/b/s2.png?X-Goog-Signature={SIGNATURE}"],
        "output": {"nested": [{"link": f"see https://cdn.example/x.pdf?Policy=p&Signature={SIGNATURE}&Key-Pair-Id=K now"}]},
        "failure_reason": f"fetching https://blob.example/y?sv=2020&sig={SIGNATURE} failed",
        "app_url": "https://app.skyvern.com/runs/wr_1?token=" + SIGNATURE,
        "next": "https://login.example/?next=" + PRESIGNED.replace("?", "%3F").replace("&", "%26").replace("=", "%3D"),
    }
    fake.demo.steps = [{**s, "output": {"screenshot": PRESIGNED}} for s in fake.demo.steps]
    dest = tmp_path / "run"
    with source_for(fake, retries=2) as source:
        result = download_run(source, RUN_ID, dest)
    assert result.complete, result.failed
    written = [p for p in dest.rglob("*") if p.is_file()]
    assert len(written) > 100
    for path in written:
        data = path.read_bytes()
        assert SIGNATURE.encode() not in data and b"AKIAEXAMPLE" not in data and API_KEY.encode() not in data, path
        if path.suffix == ".json" and path.parent == dest:
            for marker in MARKERS:
                assert marker.lower().encode() not in data.lower(), (path.name, marker)
    run = json.loads((dest / "run.json").read_text())
    assert run["recording_url"] == "https://bucket.s3.amazonaws.com/o/rec.webm"  # the place stays
    assert run["failure_reason"] == "fetching https://blob.example/y failed"


def test_scrub_keeps_harmless_urls_and_survives_depth():
    assert scrub({"u": "https://example.com/a?q=1", "n": 5}) == {"u": "https://example.com/a?q=1", "n": 5}
    deep: list = []
    node = deep
    for _ in range(50_000):
        node.append([])
        node = node[0]
    node.append(PRESIGNED)
    out = scrub(deep)
    for _ in range(50_000):
        out = out[0]
    assert out == ["https://bucket.s3.amazonaws.com/o/rec.webm"]


# -- copy as curl ------------------------------------------------------------------------------
SECRET_WORDS = ["token", "auth", "key", "secret", "session", "cookie", "signature"]
name_part = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-_", max_size=6)
secret_header = st.builds(lambda pre, word, post, upper: (pre + (word.upper() if upper else word) + post),
                          name_part, st.sampled_from(SECRET_WORDS), name_part, st.booleans())
signed_param = st.sampled_from(["X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token", "X-Goog-Signature",
                                "Signature", "sig", "token", "access_token", "api_key", "Policy", "Key-Pair-Id", "code"])
body_field = st.sampled_from(["password", "passwd", "new_password", "token", "refresh_token", "apiKey", "client_secret", "otp_secret"])


@settings(max_examples=300, deadline=None)
@given(headers=st.lists(secret_header, min_size=1, max_size=4), params=st.lists(signed_param, min_size=1, max_size=4),
       fields=st.lists(body_field, min_size=1, max_size=3), form=st.booleans(), nested=st.booleans(),
       data=st.data())
def test_curl_redacts_every_credential(headers, params, fields, form, nested, data):
    secrets: list[str] = []

    def mark() -> str:
        """A fresh secret value, remembered to look for in the command."""
        secrets.append(f"S3CR3T{len(secrets):03d}x")
        return secrets[-1]

    query = "&".join(["q=gear"] + [f"{p}={mark()}" for p in params])
    request_headers = [{"name": h, "value": mark()} for h in headers] + [{"name": "Accept", "value": "text/plain"}]
    if form:
        body, mime = "&".join([f"{f}={mark()}" for f in fields] + ["qty=2"]), "application/x-www-form-urlencoded"
    else:
        payload: dict = {f: mark() for f in fields}
        payload["qty"] = 2
        body = json.dumps({"outer": [payload]} if nested else payload)
        mime = data.draw(st.sampled_from(["application/json", "text/plain", ""]))
    raw = {"request": {"method": "POST", "url": f"https://user:{mark()}@shop.example/api?{query}",
                       "headers": request_headers, "postData": {"text": body, "mimeType": mime}},
           "response": {"status": 200}}
    curl = to_curl(parse_entry(raw))
    for value in secrets:
        assert value not in curl, (value, curl)
    assert "q=gear" in curl and "Accept: text/plain" in curl and "qty" in curl  # the rest is kept


def test_curl_redacts_inside_a_body_that_does_not_parse():
    raw = {"request": {"method": "POST", "url": "https://x.example/login",
                       "postData": {"text": '{"user": "bo", "password": "hunter2", ' + "[" * 10, "mimeType": "application/json"}},
           "response": {"status": 200}}
    curl = to_curl(parse_entry(raw))
    assert "hunter2" not in curl and '"user": "bo"' in curl


# -- plain http to another machine -------------------------------------------------------------
def test_plain_http_to_another_host_is_warned_about():
    assert "not this machine" in insecure_warning("http://192.0.2.1:8000", lambda h: [])
    assert "unencrypted" in insecure_warning("http://skyvern.lan:8000", lambda h: ["192.168.1.20"])
    assert insecure_warning("http://127.attacker.example", lambda h: ["93.184.216.34"]) is not None
    assert insecure_warning("https://skyvern.lan", lambda h: ["192.168.1.20"]) is None
    assert insecure_warning("http://127.0.0.1:8000", lambda h: []) is None
    assert insecure_warning("http://skyvern.local:8000", lambda h: ["127.0.0.1"]) is None


def test_the_command_line_warns_in_one_line_before_any_request(capsys):
    from tui.arguments import api_source
    from tui.cli import build_command_parser

    args = build_command_parser("artifacts").parse_args(["wr_1", "--base-url", "http://192.0.2.1:9", "--api-key", API_KEY])
    source = api_source(args)  # builds the source: no request is made here
    try:
        err = capsys.readouterr().err
    finally:
        source.close()
    assert err.count("\n") == 1 and err.startswith("skyvern-tui: warning: ") and "http://192.0.2.1:9" in err
    assert API_KEY not in err


async def test_the_app_warns_and_still_works():
    from apptools import SIZE, until
    from tui.ui.app import SkyvernTUI

    run = {"run_id": "wr_remote_1", "status": "completed", "run_type": "workflow_run", "created_at": "2026-01-01T00:00:00"}
    seen: list[httpx.Request] = []
    routes = {"http://skyvern.lan:8000/v1/runs": httpx.Response(200, json=[run])}
    settings_ = ApiSettings(base_url="http://skyvern.lan:8000", api_key=API_KEY, **FAST)
    source = ApiSource(settings_, transport=mock_api(routes, seen), resolve=lambda h: ["192.168.1.20"])
    with source:
        app = SkyvernTUI([source])
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await until(pilot, lambda: any("unencrypted" in str(n.message) and n.severity == "warning"
                                           for n in app._notifications))
            await until(pilot, lambda: any(r.url.path == "/v1/runs" for r in seen))
            picker = app.screen
            try:
                await until(pilot, lambda: any(row[0].run_id == "wr_remote_1" for row in picker.table.rows.items))
            except AssertionError:
                raise AssertionError(f"{type(picker).__name__}: {picker.problems}") from None


# -- where the artifact roots come from ----------------------------------------------------------
def test_artifact_roots_from_flags_environment_and_profile(tmp_path: Path):
    from tui.config import resolve_connection, save_profile

    path = tmp_path / "config.toml"
    save_profile("local", "http://localhost:8000", "k", path)
    text = path.read_text().replace('api_key = "k"', 'api_key = "k"\nartifact_roots = ["/srv/a", "~/b"]')
    path.write_text(text)
    env = {"SKYVERN_TUI_ARTIFACT_ROOTS": os.pathsep.join(["/env/one", "/env/two"]), "ARTIFACT_STORAGE_PATH": "/data/artifacts"}
    c = resolve_connection(env=env, path=path, artifact_roots=["/flag"])
    assert c.artifact_roots == (Path("/flag"), Path("/env/one"), Path("/env/two"), Path("/srv/a"),
                                Path("~/b").expanduser(), Path("/data/artifacts"))
    assert resolve_connection(env={}, path=tmp_path / "none.toml", api_key="k").artifact_roots == ()
    # Saving another profile keeps the list a list.
    save_profile("other", "https://api.skyvern.com", "k2", path)
    assert resolve_connection(env={}, path=path, profile="local").artifact_roots == (Path("/srv/a"), Path("~/b").expanduser())


def test_the_artifact_root_flag_reaches_the_source(tmp_path: Path):
    from tui.arguments import api_source
    from tui.cli import build_parser

    args = build_parser().parse_args(["--api-key", "k", "--base-url", "http://127.0.0.1:9", "--artifact-root", str(tmp_path)])
    source = api_source(args)
    try:
        assert source.loader.roots == (tmp_path,) and source.loader.local_files
    finally:
        source.close()

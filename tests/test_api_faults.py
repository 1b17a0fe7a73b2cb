"""The API source against a loopback fake of Skyvern that fails on demand."""

from __future__ import annotations

import socket
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest

from fake_skyvern import API_KEY, RUN_ID, TSK_V2_BY_API, TSK_V2_BY_URL, FakeSkyvern, FakeServer, redirect, slow, status, truncated
from tui.core.content import signed_url_expired
from tui.core.errors import (
    ApiError,
    ApiUnavailable,
    ArtifactUnavailable,
    AuthError,
    InvalidRequest,
    RateLimited,
    RunNotFound,
    SourceError,
)
from tui.core.http import _retry_after, public_url
from tui.core.model import Artifact
from tui.core.sources.api import ApiSettings, ApiSource

FAST = dict(timeout=0.5, retries=2, backoff=0.01, max_backoff=0.05, max_retry_after=2.0)
RUNS = "/v1/runs"


@pytest.fixture
def fake():
    server = FakeSkyvern()
    yield server
    server.stop()


def source_for(fake: FakeSkyvern, key: str = API_KEY, **overrides) -> ApiSource:
    return ApiSource(ApiSettings(base_url=fake.base_url, api_key=key, **{**FAST, **overrides}))


def assert_clean(exc: BaseException) -> None:
    """An error a person can read: no key, and no raw httpx exception behind it."""
    assert API_KEY not in str(exc)
    assert isinstance(exc, SourceError)
    assert not type(exc).__module__.startswith("httpx")


def first(fake: FakeSkyvern, artifact_type: str = "screenshot_llm") -> dict:
    return next(a for a in fake.demo.artifacts if a["artifact_type"] == artifact_type)


def no_key_reached(server: FakeServer) -> bool:
    return all("x-api-key" not in s.headers for s in server.seen)


# -- settings ---------------------------------------------------------------------------------
def test_settings_repr_hides_the_key():
    settings = ApiSettings(base_url="http://127.0.0.1:1", api_key=API_KEY)
    assert API_KEY not in repr(settings) and API_KEY not in str(settings)


def test_base_url_must_be_http_without_credentials():
    with pytest.raises(SourceError):
        ApiSource(ApiSettings(base_url="ftp://x", api_key=API_KEY))
    with pytest.raises(SourceError, match="--api-key"):
        ApiSource(ApiSettings(base_url="http://user:pw@127.0.0.1:1", api_key=API_KEY))


def test_messages_never_show_a_signed_query():
    assert public_url("https://u:p@s3.example:9/b/k.png?X-Amz-Signature=abc") == "https://s3.example:9/b/k.png"


# -- listing and loading ----------------------------------------------------------------------
def test_list_runs_and_parameters(fake):
    with source_for(fake) as source:
        runs = source.list_runs()
        assert [r.run_id for r in runs] == [RUN_ID]
        assert runs[0].source == source.label == fake.base_url.removeprefix("http://")
        source.list_runs_page(page=2, page_size=5, statuses=("completed", "failed"), search="ab")
        source.list_runs_page(search="order")
    calls = fake.api.requests_to(RUNS)
    assert calls[1].query == {"page": ["2"], "page_size": ["5"], "status": ["completed", "failed"]}
    assert calls[2].query["search_key"] == ["order"]


def test_422_explains_the_parameter(fake):
    with source_for(fake) as source, pytest.raises(InvalidRequest) as info:
        source.list_runs_page(statuses=("bogus",))
    assert "status" in str(info.value) and "'bogus'" in str(info.value)
    assert_clean(info.value)


def test_load_run_with_steps(fake):
    with source_for(fake) as source:
        detail = source.load_run(RUN_ID)
    assert len(detail.artifacts) == len(fake.demo.artifacts)
    assert {s.step_id for s in detail.steps} == {s["step_id"] for s in fake.demo.steps}
    assert detail.run.source == source.label and detail.run.artifact_count == len(detail.artifacts)


def test_load_run_artifact_types(fake):
    with source_for(fake) as source:
        detail = source.load_run(RUN_ID, artifact_types=("har", "trace"))
    assert sorted(a.artifact_type for a in detail.artifacts) == ["har", "trace"]
    assert fake.api.requests_to(f"/v1/runs/{RUN_ID}/artifacts")[0].query == {"artifact_type": ["har", "trace"]}


def test_steps_404_means_no_steps(fake):
    task_id = next(a["task_id"] for a in fake.demo.artifacts if a["task_id"])
    fake.api.fail(f"/api/v1/tasks/{task_id}/steps", status(404))
    with source_for(fake) as source:
        detail = source.load_run(RUN_ID)
    assert detail.steps == () and len(detail.artifacts) == len(fake.demo.artifacts)


def test_404_is_run_not_found(fake):
    with source_for(fake) as source, pytest.raises(RunNotFound) as info:
        source.load_run("wr_nope")
    assert "wr_nope" in str(info.value)
    assert_clean(info.value)


@pytest.mark.parametrize("run_id", [TSK_V2_BY_URL, TSK_V2_BY_API])
def test_task_v2_resolves_to_its_workflow_run(fake, run_id):
    with source_for(fake) as source:
        detail = source.load_run(run_id)
    assert detail.run.run_id == run_id
    assert len(detail.artifacts) == len(fake.demo.artifacts)
    assert fake.api.requests_to(f"/v1/runs/{RUN_ID}/artifacts")


# -- credentials -------------------------------------------------------------------------------
def test_invalid_credentials_is_an_auth_error(fake):
    with source_for(fake, key="wrong-key") as source, pytest.raises(AuthError) as info:
        source.list_runs()
    message = str(info.value)
    assert "SKYVERN_API_KEY" in message and "--api-key" in message and "Invalid credentials" in message
    assert "wrong-key" not in message
    assert_clean(info.value)


def test_could_not_validate_is_an_auth_error(fake):
    fake.api.fail(RUNS, status(403, {"detail": "Could not validate credentials"}))
    with source_for(fake) as source, pytest.raises(AuthError):
        source.list_runs()


# -- retries -----------------------------------------------------------------------------------
def test_500_then_success(fake):
    fake.api.fail(RUNS, status(500), status(502))
    with source_for(fake) as source:
        assert len(source.list_runs()) == 1
    assert len(fake.api.requests_to(RUNS)) == 3


def test_500_forever_is_one_clear_error(fake):
    fake.api.fail(RUNS, *[status(500, {"detail": "db down"})] * 10)
    with source_for(fake) as source, pytest.raises(ApiUnavailable) as info:
        source.list_runs()
    message = str(info.value)
    assert "GET /v1/runs" in message and "500" in message and "after 3 attempts" in message
    assert "db down" in message and "try again later" in message
    assert len(fake.api.requests_to(RUNS)) == 3
    assert_clean(info.value)


class Waits(list):
    """The sleep of the HTTP client, injected: records the waits asked for, waits for none."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def test_429_honours_retry_after_seconds(fake):
    fake.api.fail(RUNS, status(429, headers={"Retry-After": "1"}))
    waits = Waits()
    with ApiSource(ApiSettings(base_url=fake.base_url, api_key=API_KEY, **FAST), sleep=waits) as source:
        assert len(source.list_runs()) == 1
    assert waits == [1.0]


def test_429_retry_after_is_capped(fake):
    fake.api.fail(RUNS, status(429, headers={"Retry-After": "3600"}))
    waits = Waits()
    settings = ApiSettings(base_url=fake.base_url, api_key=API_KEY, **{**FAST, "max_retry_after": 0.2})
    with ApiSource(settings, sleep=waits) as source:
        assert len(source.list_runs()) == 1
    assert waits == [0.2]


def test_429_without_retry_after_backs_off_exponentially(fake):
    fake.api.fail(RUNS, *[status(429)] * 3)
    waits = Waits()
    settings = ApiSettings(base_url=fake.base_url, api_key=API_KEY, **{**FAST, "retries": 3, "backoff": 1.0, "max_backoff": 3.0})
    with ApiSource(settings, sleep=waits) as source:
        assert len(source.list_runs()) == 1
    # 1, 2, then capped at 3, each with up to a quarter of jitter off.
    assert len(waits) == 3
    for wait, nominal in zip(waits, (1.0, 2.0, 3.0), strict=True):
        assert 0.75 * nominal <= wait <= nominal


def test_429_forever_is_rate_limited(fake):
    fake.api.fail(RUNS, *[status(429, headers={"Retry-After": "0"})] * 10)
    with source_for(fake) as source, pytest.raises(RateLimited) as info:
        source.list_runs()
    assert "429" in str(info.value)
    assert_clean(info.value)


def test_retry_after_http_date():
    later = datetime.now(timezone.utc) + timedelta(seconds=20)
    assert 15 < _retry_after(format_datetime(later, usegmt=True)) <= 20
    assert _retry_after("7") == 7
    assert _retry_after("soon") is None
    assert _retry_after(format_datetime(datetime(2000, 1, 1, tzinfo=timezone.utc), usegmt=True)) == 0


def test_slow_body_times_out_clearly(fake):
    fake.api.fail(RUNS, *[slow(1.5)] * 3)
    with source_for(fake, timeout=0.3, retries=1) as source, pytest.raises(ApiUnavailable) as info:
        source.list_runs()
    assert "stopped answering" in str(info.value) and "0.3 s" in str(info.value)
    assert_clean(info.value)


def test_truncated_body_is_retried(fake):
    entry = first(fake)
    path = f"/v1/artifacts/{entry['artifact_id']}/content"
    fake.api.fail(path, truncated(fake.demo.files[entry["artifact_id"]]))
    with source_for(fake) as source:
        data = source.read_bytes(Artifact.from_api({**entry, "signed_url": None, "uri": None}))
    assert data == fake.demo.files[entry["artifact_id"]]
    assert len(fake.api.requests_to(path)) == 2


def test_truncated_forever_is_a_clear_error(fake):
    entry = first(fake)
    path = f"/v1/artifacts/{entry['artifact_id']}/content"
    fake.api.fail(path, *[truncated(fake.demo.files[entry["artifact_id"]])] * 5)
    with source_for(fake) as source, pytest.raises(ApiUnavailable) as info:
        source.read_bytes(Artifact.from_api({**entry, "signed_url": None, "uri": None}))
    assert "cut" in str(info.value) and path in str(info.value)
    assert_clean(info.value)


# -- unreachable servers -----------------------------------------------------------------------
def test_refused_connection():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    source = ApiSource(ApiSettings(base_url=f"http://127.0.0.1:{port}", api_key=API_KEY, **FAST))
    with source, pytest.raises(ApiUnavailable) as info:
        source.list_runs()
    message = str(info.value)
    assert "refused" in message and "--base-url" in message and "GET /v1/runs" in message
    assert_clean(info.value)


def test_dns_failure():
    """As httpcore reports a name that does not resolve; no query leaves the machine."""
    def unresolvable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)

    settings = ApiSettings(base_url="http://skyvern-tui-test.invalid:8000", api_key=API_KEY, **FAST)
    source = ApiSource(settings, transport=httpx.MockTransport(unresolvable), resolve=lambda host: [], sleep=Waits())
    with source, pytest.raises(ApiUnavailable) as info:
        source.list_runs()
    assert "'skyvern-tui-test.invalid' could not be resolved (DNS)" in str(info.value)
    assert_clean(info.value)


# -- signed URLs and where the key goes --------------------------------------------------------
def test_expired_signed_url_gets_a_fresh_one(fake):
    fake.signed = "stale"
    with source_for(fake) as source:
        detail = source.load_run(RUN_ID)
        artifact = next(a for a in detail.artifacts if a.artifact_type == "screenshot_llm")
        assert "sig=stale" in artifact.signed_url
        assert source.read_bytes(artifact) == fake.demo.files[artifact.artifact_id]
    blob = f"/blob/{artifact.artifact_id}"
    assert [s.query["sig"] for s in fake.storage.requests_to(blob)] == [["stale"], ["fresh"]]
    assert len(fake.api.requests_to(f"/v1/artifacts/{artifact.artifact_id}")) == 1
    assert not fake.api.requests_to(f"/v1/artifacts/{artifact.artifact_id}/content")
    assert no_key_reached(fake.storage)


def test_signed_url_past_its_expiry_is_not_even_tried(fake):
    entry = first(fake)
    signed = datetime.now(timezone.utc) - timedelta(hours=2)
    query = f"&X-Amz-Date={signed:%Y%m%dT%H%M%SZ}&X-Amz-Expires=3600"
    url = fake.signed_url(entry["artifact_id"], "fresh", query)
    assert signed_url_expired(url)
    fake.signed = "storage"
    with source_for(fake) as source:
        data = source.read_bytes(Artifact.from_api({**entry, "signed_url": url}))
    assert data == fake.demo.files[entry["artifact_id"]]
    assert [s.query.get("X-Amz-Date") for s in fake.storage.requests_to(f"/blob/{entry['artifact_id']}")] == [None]


def test_expiry_styles():
    now = datetime(2026, 1, 1, 12, tzinfo=timezone.utc)
    assert not signed_url_expired("https://s/x?X-Amz-Date=20260101T115000Z&X-Amz-Expires=3600", now)
    assert signed_url_expired("https://s/x?X-Amz-Date=20260101T100000Z&X-Amz-Expires=3600", now)
    assert signed_url_expired(f"https://s/x?Expires={int(now.timestamp()) - 10}", now)
    assert not signed_url_expired(f"https://s/x?Expires={int(now.timestamp()) + 3600}", now)
    assert signed_url_expired("https://s/x?se=2026-01-01T11:00:00Z&sig=a", now)
    assert not signed_url_expired("https://s/x?sig=a", now)


def test_signed_url_on_another_origin_gets_no_key(fake):
    fake.signed = "storage"
    with source_for(fake) as source:
        artifact = next(a for a in source.load_run(RUN_ID).artifacts if a.artifact_type == "har")
        assert source.read_bytes(artifact) == fake.demo.files[artifact.artifact_id]
    assert fake.storage.requests_to(f"/blob/{artifact.artifact_id}")
    assert no_key_reached(fake.storage)


def test_storage_down_falls_back_to_the_content_endpoint(fake):
    entry = first(fake)
    fake.storage.fail(f"/blob/{entry['artifact_id']}", *[status(503)] * 5)
    with source_for(fake) as source:
        data = source.read_bytes(Artifact.from_api({**entry, "signed_url": fake.signed_url(entry["artifact_id"])}))
    assert data == fake.demo.files[entry["artifact_id"]]
    assert fake.api.requests_to(f"/v1/artifacts/{entry['artifact_id']}/content")


def test_redirect_to_another_origin_carries_no_key(fake):
    entry = first(fake)
    path = f"/v1/artifacts/{entry['artifact_id']}/content"
    fake.api.fail(path, redirect(fake.signed_url(entry["artifact_id"])))
    with source_for(fake) as source:
        data = source.read_bytes(Artifact.from_api({**entry, "signed_url": None, "uri": None}))
    assert data == fake.demo.files[entry["artifact_id"]]
    assert fake.api.requests_to(path)[0].headers["x-api-key"] == API_KEY
    assert fake.storage.requests_to(f"/blob/{entry['artifact_id']}")
    assert no_key_reached(fake.storage)


def test_redirect_within_the_api_origin_keeps_the_key(fake):
    fake.api.fail("/v1/runs/wr_old", redirect(f"/v1/runs/{RUN_ID}", 307))
    with source_for(fake) as source:
        detail = source.load_run("wr_old")
    assert detail.run.run_id == RUN_ID


def test_bundle_member_uses_the_content_endpoint(fake):
    entry = first(fake)
    artifact = Artifact.from_api({**entry, "signed_url": fake.signed_url(entry["artifact_id"]), "bundle_key": "x.png"})
    with source_for(fake) as source:
        assert source.read_bytes(artifact) == fake.demo.files[entry["artifact_id"]]
    assert not fake.storage.seen


def test_content_404_is_artifact_unavailable(fake):
    artifact = Artifact.from_api({"artifact_id": "a_missing", "artifact_type": "screenshot_llm"})
    with source_for(fake) as source, pytest.raises(ArtifactUnavailable) as info:
        source.read_bytes(artifact)
    assert "a_missing" in str(info.value) and "404" in str(info.value)


def test_file_url_on_this_machine_is_read_from_disk(fake, tmp_path: Path):
    path = tmp_path / "shot.png"
    path.write_bytes(b"local bytes")
    artifact = Artifact.from_api({"artifact_id": "a_local", "artifact_type": "screenshot_llm",
                                  "uri": path.as_uri(), "signed_url": path.as_uri()})
    with source_for(fake, artifact_roots=(tmp_path,)) as source:
        assert source.read_bytes(artifact) == b"local bytes"
    assert not fake.api.seen


def test_file_url_not_trusted_from_a_remote_server(fake, tmp_path: Path):
    path = tmp_path / "secret"
    path.write_bytes(b"private")
    artifact = Artifact.from_api({**first(fake), "uri": path.as_uri(), "signed_url": path.as_uri()})
    with source_for(fake, local_files=False) as source:
        assert source.read_bytes(artifact) == fake.demo.files[artifact.artifact_id]


# -- the cache ---------------------------------------------------------------------------------
def test_bytes_are_cached_without_the_key(fake, tmp_path: Path):
    cache_dir = tmp_path / "cache"
    with ApiSource(ApiSettings(base_url=fake.base_url, api_key=API_KEY, **FAST), cache=cache_dir) as source:
        detail = source.load_run(RUN_ID)
        shot = next(a for a in detail.artifacts if a.artifact_type == "screenshot_llm")
        log = next(a for a in detail.artifacts if a.artifact_type == "skyvern_log")
        for artifact in (shot, log, shot, log):
            assert source.read_bytes(artifact) == fake.demo.files[artifact.artifact_id]
    # Once each: the run is finished, so even its log is cached.
    assert len(fake.api.requests_to(f"/v1/artifacts/{shot.artifact_id}/content")) == 1
    assert len(fake.api.requests_to(f"/v1/artifacts/{log.artifact_id}/content")) == 1
    for path in cache_dir.rglob("*"):
        assert API_KEY not in path.name
        if path.is_file():
            assert API_KEY.encode() not in path.read_bytes()


def test_logs_of_a_running_run_are_not_cached(fake, tmp_path: Path):
    fake.demo.run = {**fake.demo.run, "status": "running"}
    with ApiSource(ApiSettings(base_url=fake.base_url, api_key=API_KEY, **FAST), cache=tmp_path) as source:
        log = next(a for a in source.load_run(RUN_ID).artifacts if a.artifact_type == "skyvern_log")
        source.read_bytes(log)
        source.read_bytes(log)
    assert len(fake.api.requests_to(f"/v1/artifacts/{log.artifact_id}/content")) == 2


def test_errors_are_source_errors():
    for cls in (ApiError, AuthError, RateLimited, InvalidRequest, ApiUnavailable):
        assert issubclass(cls, SourceError)


# -- offline ----------------------------------------------------------------------------------
def test_a_finished_run_seen_once_reopens_offline_from_the_cache(tmp_path: Path):
    fake = FakeSkyvern()
    online = ApiSource(ApiSettings(base_url=fake.base_url, api_key=API_KEY, **FAST), cache=tmp_path / "cache")
    runs = online.list_runs()
    detail = online.load_run(RUN_ID)
    contents = {a.artifact_id: online.read_bytes(a) for a in detail.artifacts}
    online.close()
    fake.stop()  # the network is gone

    offline = ApiSource(ApiSettings(base_url=fake.base_url, api_key=API_KEY, **FAST), cache=tmp_path / "cache")
    again = offline.load_run(RUN_ID)
    assert again.run.source.endswith("(offline copy)")
    assert [a.artifact_id for a in again.artifacts] == [a.artifact_id for a in detail.artifacts]
    assert {a.artifact_id: offline.read_bytes(a) for a in again.artifacts} == contents
    assert [r.run_id for r in offline.list_runs()] == [r.run_id for r in runs]
    with pytest.raises(ApiUnavailable):
        offline.load_run("wr_never_seen")
    with pytest.raises(ApiUnavailable):
        offline.list_runs_page(statuses=("failed",))  # only the plain first page is kept
    offline.close()

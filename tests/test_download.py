"""Downloading a run from the (fake) API into a folder that LocalSource reads back."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from fake_skyvern import API_KEY, DEMO, RUN_ID, FakeSkyvern, status
from tui.core.download import download_run, file_name
from tui.core.sources.api import ApiSettings, ApiSource
from tui.core.sources.local import LocalSource

FAST = dict(timeout=2.0, retries=2, backoff=0.01, max_backoff=0.05)


@pytest.fixture
def fake():
    server = FakeSkyvern()
    yield server
    server.stop()


def source_for(fake: FakeSkyvern) -> ApiSource:
    return ApiSource(ApiSettings(base_url=fake.base_url, api_key=API_KEY, **FAST))


@pytest.mark.parametrize("signed", ["file", "storage", "stale"])
def test_download_reads_back_like_the_demo(fake, tmp_path: Path, signed: str):
    fake.signed = signed
    dest = tmp_path / "run"
    seen: list[tuple[int, int]] = []
    with source_for(fake) as source:
        result = download_run(source, RUN_ID, dest, progress=lambda d, t, a: seen.append((d, t)))
    assert result.complete and len(result.written) == result.total == 140
    assert seen[-1] == (140, 140) and [d for d, _ in seen] == list(range(1, 141))

    demo = LocalSource(DEMO).load_run(RUN_ID)
    back = LocalSource(dest).load_run(RUN_ID)
    assert back.counts == demo.counts
    assert [(g.label, len(g.artifacts)) for g in back.groups()] == [(g.label, len(g.artifacts)) for g in demo.groups()]
    assert len(back.steps) == len(demo.steps)
    # Byte-exact, logs included although the server reports a stale file_size for them.
    assert sorted(p.name for p in (dest / "files").iterdir()) == sorted(p.name for p in (DEMO / "files").iterdir())
    for path in (DEMO / "files").iterdir():
        assert (dest / "files" / path.name).read_bytes() == path.read_bytes(), path.name
    for artifact in back.artifacts:
        assert artifact.path is not None
    # http signed URLs are credentials: not kept in the saved folder; the key never is.
    saved = (dest / "artifacts.json").read_text()
    assert "sig=" not in saved and API_KEY not in saved
    assert json.loads((dest / "run.json").read_text())["run_id"] == RUN_ID


def test_download_selected_types(fake, tmp_path: Path):
    with source_for(fake) as source:
        result = download_run(source, RUN_ID, tmp_path, types=("har", "screenshot_llm"))
    assert result.complete and result.total == 9
    back = LocalSource(tmp_path).load_run(RUN_ID)
    assert {a.artifact_type for a in back.artifacts} == {"har", "screenshot_llm"}


def test_cancel_stops_the_download(fake, tmp_path: Path):
    cancel = threading.Event()

    def progress(done: int, total: int, artifact) -> None:
        if done == 3:
            cancel.set()

    with source_for(fake) as source:
        result = download_run(source, RUN_ID, tmp_path, workers=2, progress=progress, cancel=cancel)
    assert result.cancelled and not result.complete
    assert 3 <= len(result.written) < 20
    assert not (tmp_path / "run.json").exists()  # not mistaken for a finished download
    assert not list((tmp_path / "files").glob(".*part"))


def test_failed_artifact_is_reported_not_raised(fake, tmp_path: Path):
    entry = next(a for a in fake.demo.artifacts if a["artifact_type"] == "har")
    fake.api.fail(f"/v1/artifacts/{entry['artifact_id']}/content", *[status(500)] * 5)
    with source_for(fake) as source:
        result = download_run(source, RUN_ID, tmp_path)
    assert list(result.failed) == [entry["artifact_id"]]
    assert "500" in result.failed[entry["artifact_id"]]
    assert len(result.written) == 139 and (tmp_path / "run.json").exists()


def test_copy_from_a_local_source(tmp_path: Path):
    result = download_run(LocalSource(DEMO), RUN_ID, tmp_path)
    assert result.complete
    assert LocalSource(tmp_path).load_run(RUN_ID).counts == LocalSource(DEMO).load_run(RUN_ID).counts


def test_file_names_cannot_escape():
    assert file_name({"artifact_id": "a_1", "artifact_type": "har", "uri": "s3://b/x/a_1_har.json"}) == "a_1_har.json"
    assert file_name({"artifact_id": "a_1", "artifact_type": "trace", "uri": None}) == "a_1_trace.bin"
    assert file_name({"artifact_id": "../x", "artifact_type": "har"}) is None
    assert file_name({"artifact_id": "a_1", "artifact_type": "har", "uri": "file:///x/y.j$on"}) == "a_1_har.bin"


def test_interrupt_does_not_wait_for_the_whole_queue(fake, tmp_path: Path):
    """Ctrl-C arrives in the calling thread (here: raised by the callback): the queued
    artifacts are dropped, not fetched before the exception gets out."""

    class Stop(BaseException):
        pass

    def progress(done: int, total: int, artifact) -> None:
        if done == 2:
            raise Stop

    with source_for(fake) as source, pytest.raises(Stop):
        download_run(source, RUN_ID, tmp_path, workers=2, progress=progress)
    fetched = [s for s in fake.api.seen if s.path.endswith("/content")]
    assert len(fetched) < 20
    assert not (tmp_path / "run.json").exists()

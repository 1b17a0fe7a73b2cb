"""Bundled runs REALLY recorded with Skyvern 1.0.56 and ARTIFACT_CONTENT_HMAC_KEYRING set
(tests/data/bundled/*: artifacts.json as the API listed them, storage/ as the server wrote it):
from the folder on disk, from the real server seeded with them, and after a download."""

from __future__ import annotations

import json
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest

from skyvern_server import BUNDLED_KEYRING, RealServer, real_server
from tui.core.catalog import member_name
from tui.core.download import download_run
from tui.core.model import Artifact, RunDetail
from tui.core.opening import open_data
from tui.core.sources.api import ApiSettings, ApiSource
from tui.core.sources.local import LocalSource

BUNDLED = Path(__file__).parent / "data" / "bundled"
RUNS = sorted(p.name for p in BUNDLED.iterdir() if (p / "artifacts.json").is_file())
BUNDLED_RUNS = [r for r in RUNS if any(row["bundle_key"] for row in json.loads((BUNDLED / r / "artifacts.json").read_text()))]
assert BUNDLED_RUNS, "no recorded bundled runs"


def rows(run: str) -> list[dict]:
    return json.loads((BUNDLED / run / "artifacts.json").read_text())


def member_bytes(run: str, row: dict) -> bytes:
    """The recorded bytes of a row, read here with zipfile alone (not our reader)."""
    path = BUNDLED / run / "storage" / row["uri"]
    if row["bundle_key"] is None:
        return path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        return archive.read(row["bundle_key"])


def identity(artifact: Artifact) -> tuple:
    """What a bundled row is, whatever its id: type, step, archive file, member."""
    return (artifact.artifact_type, artifact.step_id, unquote((artifact.uri or "").rsplit("/", 1)[-1]), artifact.bundle_key)


def row_identity(row: dict) -> tuple:
    return (row["artifact_type"], row["step_id"], row["uri"].rsplit("/", 1)[-1], row["bundle_key"])


def open_all(detail: RunDetail, read) -> None:
    """Every artifact opens in its viewer's model (a ParseError would fail the test)."""
    for artifact in detail.artifacts:
        opened = open_data(artifact, read(artifact), detail)
        assert opened.kind in (artifact.kind.viewer, artifact.kind.format.value), (artifact, opened.kind)


@pytest.mark.parametrize("run", BUNDLED_RUNS)
def test_the_folder_on_disk_lists_every_member_with_the_apis_types_and_steps(run: str) -> None:
    source = LocalSource(BUNDLED / run / "storage")
    run_id = json.loads((BUNDLED / run / "run.json").read_text())["run_id"]
    assert run_id in {r.run_id for r in source.list_runs()}
    detail = source.load_run(run_id)
    # Generated scripts sit under scripts/ on disk: the run's own log names those it wrote.
    api_rows = rows(run)
    assert Counter(a.artifact_type for a in detail.artifacts) == Counter(r["artifact_type"] for r in api_rows)
    bundled = [r for r in api_rows if r["bundle_key"]]
    assert bundled, "the recording has no bundled rows"
    assert sorted(identity(a) for a in detail.artifacts if a.bundle_key) == sorted(row_identity(r) for r in bundled)
    assert Counter(a.call_index for a in detail.artifacts if a.bundle_key) == Counter(
        Artifact.from_api(r).call_index for r in bundled)
    by_identity = {row_identity(r): r for r in bundled}
    for artifact in detail.artifacts:
        if artifact.bundle_key:
            assert source.read_bytes(artifact) == member_bytes(run, by_identity[identity(artifact)])
    open_all(detail, source.read_bytes)
    # The LLM calls of a step are numbered from 0 without gaps: they group a call's artifacts.
    for step in detail.steps:
        calls = {a.call_index for a in detail.artifacts if a.step_id == step.step_id and a.artifact_type == "llm_prompt"}
        assert calls == set(range(len(calls)))


class CountingTransport(httpx.HTTPTransport):
    def __init__(self) -> None:
        super().__init__()
        self.paths: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        return super().handle_request(request)


@pytest.fixture(scope="module", params=BUNDLED_RUNS)
def seeded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, RealServer]]:
    run = request.param
    # Seeded from its storage tree as recorded, on a server with the recorder's keyring: it
    # serves signed URLs of its own and the whole archive for a member row, as it did then.
    with real_server(BUNDLED / run, keyring=BUNDLED_KEYRING) as server:
        yield run, server


def test_the_real_server_serves_every_bundled_artifact(seeded: tuple[str, RealServer], tmp_path: Path) -> None:
    run, server = seeded
    by_id = {r["artifact_id"]: r for r in rows(run)}
    transport = CountingTransport()
    # local_files=False: through the content endpoint, as from another machine.
    settings = ApiSettings(base_url=server.base_url, api_key=server.api_key, local_files=False)
    with ApiSource(settings, tmp_path / "cache", transport=transport) as source:
        detail = source.load_run(server.run_id)
        assert len(detail.artifacts) == len(by_id)
        bundled = [a for a in detail.artifacts if a.bundle_key]
        assert sorted(identity(a)[:2] + identity(a)[3:] for a in bundled) == sorted(
            row_identity(r)[:2] + row_identity(r)[3:] for r in by_id.values() if r["bundle_key"])
        for artifact in detail.artifacts:
            assert source.read_bytes(artifact) == member_bytes(run, by_id[artifact.artifact_id]), artifact
        contents = [p for p in transport.paths if p.endswith("/content")]
        archives = {r["uri"] for r in by_id.values() if r["bundle_key"] or r["artifact_type"].endswith("_archive")}
        flat = [r for r in by_id.values() if not r["bundle_key"] and not r["artifact_type"].endswith("_archive")]
        assert len(contents) == len(archives) + len(flat)  # one fetch per archive, not per member
        open_all(detail, source.read_bytes)

        dest = tmp_path / "download"
        result = download_run(source, server.run_id, dest)
        assert result.complete, result.failed
    local = LocalSource(dest)
    back = local.load_run(server.run_id)
    assert sorted((a.artifact_id, a.artifact_type, a.bundle_key, a.call_index) for a in back.artifacts) == sorted(
        (a.artifact_id, a.artifact_type, a.bundle_key, a.call_index) for a in detail.artifacts)
    for artifact in back.artifacts:
        assert artifact.path is not None and artifact.path.read_bytes() == member_bytes(run, by_id[artifact.artifact_id])
        if artifact.bundle_key:
            assert not artifact.path.name.endswith(".zip") or artifact.kind.format.value == "zip"
    open_all(back, local.read_bytes)


def test_the_real_server_on_loopback_reads_the_archives_from_disk(seeded: tuple[str, RealServer]) -> None:
    run, server = seeded
    by_id = {r["artifact_id"]: r for r in rows(run)}
    transport = CountingTransport()
    # The storage folder is an artifact root: file:// uris elsewhere would go through the API.
    settings = ApiSettings(base_url=server.base_url, api_key=server.api_key, artifact_roots=(server.storage,))
    with ApiSource(settings, transport=transport) as source:
        detail = source.load_run(server.run_id)
        for artifact in detail.artifacts:
            assert source.read_bytes(artifact) == member_bytes(run, by_id[artifact.artifact_id])
    assert not [p for p in transport.paths if p.endswith("/content")]


async def test_every_bundled_artifact_opens_in_its_viewer_through_the_app(seeded: tuple[str, RealServer], tmp_path: Path) -> None:
    from apptools import SIZE, settle
    from tui.ui.app import SkyvernTUI
    from tui.ui.screens.run import RunScreen
    from tui.ui.viewers.registry import viewer_for
    from tui.ui.widgets.error_panel import ErrorPanel

    _run, server = seeded
    settings = ApiSettings(base_url=server.base_url, api_key=server.api_key, local_files=False)
    with ApiSource(settings, tmp_path / "cache") as source:
        app = SkyvernTUI([source], (source, server.run_id))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, RunScreen)
            bundled = [a for a in screen.detail.artifacts if a.bundle_key]
            assert bundled
            for artifact in bundled:
                screen.reveal_artifact(artifact)
                await settle(pilot)
                pane = screen.viewer_pane
                assert not pane.failed and not pane.query(ErrorPanel), (artifact, [str(p.content) for p in pane.query(ErrorPanel)])
                assert isinstance(pane.viewer, viewer_for(artifact.kind)), (artifact, pane.viewer)
                assert pane.viewer.artifact == artifact


# Bytes that differ between two recordings of one task whatever the bundling (README.md here):
# the prompt's "current time" line, logs, the video, console and HAR times.
DIFFER_BETWEEN_RECORDINGS = frozenset({
    "llm_prompt", "llm_request", "skyvern_log", "skyvern_log_raw", "recording", "browser_console_log", "har",
})


def by_place(detail: RunDetail) -> dict[tuple, Artifact]:
    """The artifacts of a run by (step order, retry, type, n-th of that type in the step)."""
    steps = {s.step_id: s for s in detail.steps}
    per_step: dict[tuple, list[Artifact]] = {}
    for artifact in detail.artifacts:
        if artifact.artifact_type.endswith("_archive"):
            continue
        step = steps.get(artifact.step_id or "")
        key = (step.order, step.retry_index) if step else (None, None)
        per_step.setdefault((*key, artifact.artifact_type), []).append(artifact)
    placed = {}
    for key, artifacts in per_step.items():
        # A member's _N orders it in its step, a flat file its time.
        artifacts.sort(key=lambda a: (member_name(a.bundle_key).number or 0 if a.bundle_key else 0,
                                      a.created_at or 0, a.artifact_id))
        placed.update({(*key, n): a for n, a in enumerate(artifacts)})
    return placed


@pytest.mark.skipif("task_completed_unbundled" not in RUNS, reason="no unbundled twin recorded")
def test_bundled_and_unbundled_show_the_same_artifacts_with_the_same_bytes() -> None:
    shown = {}
    for run in ("task_completed", "task_completed_unbundled"):
        source = LocalSource(BUNDLED / run / "storage")
        detail = source.load_run(json.loads((BUNDLED / run / "run.json").read_text())["run_id"])
        shown[run] = (source, by_place(detail))
    (bundled_source, bundled), (flat_source, flat) = shown["task_completed"], shown["task_completed_unbundled"]
    assert sorted(bundled, key=str) == sorted(flat, key=str)
    assert sum(1 for a in bundled.values() if a.bundle_key) > 100 and not any(a.bundle_key for a in flat.values())
    compared = 0
    for place, artifact in bundled.items():
        if artifact.artifact_type in DIFFER_BETWEEN_RECORDINGS:
            continue
        assert bundled_source.read_bytes(artifact) == flat_source.read_bytes(flat[place]), place
        compared += 1
    assert compared > 80

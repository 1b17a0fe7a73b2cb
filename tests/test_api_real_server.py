"""Our API client, commands and app against the REAL Skyvern 1.0.56 server (see conftest.real_server)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from apptools import SIZE, settle
from conftest import DEMO
from tui.core.catalog import Category
from tui.core.errors import AuthError, RunNotFound
from tui.core.sources.api import ApiSettings, ApiSource
from tui.core.sources.local import LocalSource
from tui.ui.app import SkyvernTUI
from tui.ui.screens.run import RunScreen
from tui.ui.viewers.image import ImageViewer

DEMO_RUN = json.loads((DEMO / "run.json").read_text())
DEMO_ARTIFACTS = json.loads((DEMO / "artifacts.json").read_text())


@pytest.fixture
def api(real_server, tmp_path: Path) -> ApiSource:
    settings = ApiSettings(base_url=real_server.base_url, api_key=real_server.api_key, label="server")
    with ApiSource(settings, cache=tmp_path / "cache") as source:
        yield source


def test_run_list_and_detail(api: ApiSource):
    runs = {r.run_id: r for r in api.list_runs()}
    run = runs[DEMO_RUN["run_id"]]
    assert (run.status, run.title, run.source) == ("completed", "Order a spur gear from Acme Parts", "server")
    assert [r.run_id for r in api.list_runs_page(statuses=("failed",))] == []
    assert DEMO_RUN["run_id"] in [r.run_id for r in api.list_runs_page(search="spur gear")]
    detail = api.load_run(DEMO_RUN["run_id"])
    assert detail.run.step_count == DEMO_RUN["step_count"] == 5
    assert [a.artifact_id for a in detail.artifacts] == [a["artifact_id"] for a in DEMO_ARTIFACTS]
    # Grouped exactly as the local source groups the same run.
    local = LocalSource(DEMO).load_run(DEMO_RUN["run_id"])
    for category in Category:
        remote_groups = [(g.label, [a.artifact_id for a in g.artifacts]) for g in detail.groups(category)]
        local_groups = [(g.label, [a.artifact_id for a in g.artifacts]) for g in local.groups(category)]
        assert remote_groups == local_groups, category


def test_every_artifact_byte_exact(api: ApiSource):
    detail = api.load_run(DEMO_RUN["run_id"])
    local = {a.artifact_id: a for a in LocalSource(DEMO).load_run(DEMO_RUN["run_id"]).artifacts}
    for artifact in detail.artifacts:
        assert api.read_bytes(artifact) == local[artifact.artifact_id].path.read_bytes(), artifact.artifact_type


def test_errors_from_the_real_server(real_server, api: ApiSource):
    with pytest.raises(RunNotFound):
        api.load_run("wr_1")
    bad = ApiSource(ApiSettings(base_url=real_server.base_url, api_key="not-a-key", retries=0))
    with pytest.raises(AuthError, match="SKYVERN_API_KEY"):
        bad.list_runs()
    bad.close()


def _cli(real_server, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "SKYVERN_API_KEY": real_server.api_key, "SKYVERN_BASE_URL": real_server.base_url,
           "SKYVERN_TUI_CONFIG": str(cwd / "no-config.toml"), "XDG_CACHE_HOME": str(cwd / "cache")}
    return subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


def test_artifacts_command(real_server, tmp_path: Path):
    result = _cli(real_server, "artifacts", DEMO_RUN["run_id"], "--type", "llm_prompt", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    assert [a["artifact_id"] for a in listed] == [a["artifact_id"] for a in DEMO_ARTIFACTS if a["artifact_type"] == "llm_prompt"]
    result = _cli(real_server, "artifacts", "https://app.skyvern.com/runs/" + DEMO_RUN["run_id"] + "/overview", cwd=tmp_path)
    assert result.returncode == 0 and len(result.stdout.strip().splitlines()) == len(DEMO_ARTIFACTS)
    assert real_server.api_key not in result.stdout + result.stderr
    result = _cli(real_server, "artifacts", "wr_1", cwd=tmp_path)
    assert result.returncode == 1 and result.stderr.startswith("skyvern-tui: error:") and "Traceback" not in result.stderr


def test_download_then_browse_offline(real_server, tmp_path: Path):
    dest = tmp_path / "run"
    result = _cli(real_server, "download", DEMO_RUN["run_id"], str(dest), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"skyvern-tui --local {dest}" in result.stdout
    downloaded = LocalSource(dest).load_run(DEMO_RUN["run_id"])
    demo = LocalSource(DEMO).load_run(DEMO_RUN["run_id"])
    assert downloaded.counts == demo.counts
    assert Counter(a.artifact_type for a in downloaded.artifacts) == Counter(a.artifact_type for a in demo.artifacts)
    files = {a.artifact_id: a.path.read_bytes() for a in downloaded.artifacts}
    assert files == {a.artifact_id: a.path.read_bytes() for a in demo.artifacts}
    assert [g.label for g in downloaded.groups()] == [g.label for g in demo.groups()]
    # And the command line opens it offline.
    check = subprocess.run([sys.executable, "-m", "tui", "--local", str(dest), "wr_nope"], capture_output=True, text=True)
    assert check.returncode == 2 and "no run wr_nope" in check.stderr


async def test_the_app_against_the_server(api: ApiSource):
    app = SkyvernTUI([api])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert DEMO_RUN["run_id"] in [run.run_id for run, _ in app.screen.shown]
        # Paste the app URL of the run in the picker's line and press enter.
        await pilot.press(*f"https://app.skyvern.com/runs/{DEMO_RUN['run_id']}/overview", "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RunScreen) and screen.source is api
        assert screen.detail.counts[Category.FILES] == 6
        await pilot.press("1", "enter")
        await settle(pilot)
        assert isinstance(screen.viewer_pane.viewer, ImageViewer)
        await pilot.press("escape", "6", "enter")
        await settle(pilot)
        assert "skyvern" in "\n".join(screen.viewer_pane.viewer.model.lines)


async def test_the_app_prefetches_the_category_and_downloads_the_run(real_server, tmp_path: Path):
    # As from another machine: bytes come over HTTP (not from the server's disk) and are cached.
    settings = ApiSettings(base_url=real_server.base_url, api_key=real_server.api_key, local_files=False)
    api = ApiSource(settings, cache=tmp_path / "cache")
    app = SkyvernTUI([api], (api, DEMO_RUN["run_id"]))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("2")  # AI reasoning: 60 artifacts fetched into the cache in the background
        await settle(pilot)
        cache, scope = api.loader.cache, api.loader.scope  # the origin and the key (hashed)
        ai = [a for a in screen.detail.artifacts if a.category is Category.AI]
        assert all(cache.get(scope, a.artifact_id) is not None for a in ai)
        assert screen.artifact_list.border_subtitle == ""  # progress gone when done
        await pilot.press("d")
        dest = tmp_path / "saved"
        app.screen.query_one("#dest").value = str(dest)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen  # the dialog closed by itself
    api.close()
    saved = LocalSource(dest).load_run(DEMO_RUN["run_id"])
    assert saved.counts == LocalSource(DEMO).load_run(DEMO_RUN["run_id"]).counts

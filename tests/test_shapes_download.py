"""Every recorded run shape (tests/data/shapes), saved with `skyvern-tui download` from ONE real
Skyvern 1.0.56 server seeded with all of them, reopens with LocalSource (what `--local` reads)
as the recording says: the same artifacts with the same ids (downloads included), steps,
timeline, browser session, and the same bytes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from server_fixtures import shapes_server  # noqa: F401  (one real server, every shape seeded)
from test_shapes_api import NAMES, check_bytes, check_detail, recorded, rows_of, run_id_of
from tui.core.model import RunDetail
from tui.core.sources.api import ApiSettings, ApiSource
from tui.core.sources.local import LocalSource

ROOT = Path(__file__).resolve().parent.parent


def download(server, run_id: str, dest: Path, home: Path) -> subprocess.CompletedProcess:
    """The installed command's code (this checkout), as a person runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SKYVERN", "TEXTUAL", "XDG_"))}
    env.update(HOME=str(home), PYTHONPATH=str(ROOT), SKYVERN_API_KEY=server.api_key)
    command = [sys.executable, "-m", "tui", "download", run_id, str(dest), "--base-url", server.base_url]
    return subprocess.run(command, capture_output=True, text=True, cwd=home, env=env, timeout=120)


@pytest.fixture(scope="module")
def server(shapes_server):  # noqa: F811
    return shapes_server[0]


@pytest.fixture(scope="module")
def saved(server, tmp_path_factory) -> dict[str, Path]:
    """Each shape downloaded into a folder of its own."""
    home = tmp_path_factory.mktemp("home")
    folders = {}
    for name in NAMES:
        dest = tmp_path_factory.mktemp("saved") / name
        result = download(server, run_id_of(name), dest, home)
        assert result.returncode == 0, result.stderr
        folders[name] = dest
    return folders


@pytest.mark.parametrize("name", NAMES)
def test_a_download_reopens_as_the_recorded_run(name: str, saved: dict[str, Path]) -> None:
    local = LocalSource(saved[name])
    check_detail(name, local.load_run(run_id_of(name)))


@pytest.mark.parametrize("name", NAMES)
def test_a_download_holds_the_recorded_bytes(name: str, saved: dict[str, Path]) -> None:
    local = LocalSource(saved[name])
    check_bytes(name, local.load_run(run_id_of(name)), local.read_bytes)


@pytest.mark.parametrize("name", NAMES)
def test_a_download_opens_as_the_api_gives_it(name: str, saved: dict[str, Path], server) -> None:
    settings = ApiSettings(base_url=server.base_url, api_key=server.api_key, local_files=False)
    with ApiSource(settings) as api:
        remote: RunDetail = api.load_run(run_id_of(name))
    local = LocalSource(saved[name]).load_run(run_id_of(name))
    assert rows_of(local) == rows_of(remote)
    assert local.run.browser_session_id == remote.run.browser_session_id
    assert [dict(t) for t in local.timeline] == [dict(t) for t in remote.timeline]
    assert {s.step_id for s in local.steps} == {s.step_id for s in remote.steps}


def test_the_saved_folder_says_what_the_disk_side_needs(saved: dict[str, Path]) -> None:
    # The task v2's thoughts and blocks, the download's row, the session: in the files themselves.
    timeline = json.loads((saved["task_v2"] / "timeline.json").read_text())
    assert {e["type"] for e in timeline} == {"thought", "block"}
    rows = json.loads((saved["download"] / "artifacts.json").read_text())
    (row,) = [r for r in rows if r["artifact_type"] == "download"]
    assert row["artifact_id"] == recorded("download", "downloads.json")[0]["artifact_id"]
    assert list((saved["download"] / "files").glob(f"{row['artifact_id']}_download.csv"))
    session = json.loads((saved["browser_session"] / "run.json").read_text())["browser_session_id"]
    assert session == recorded("browser_session", "task.json")["browser_session_id"]

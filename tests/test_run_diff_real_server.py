"""`skyvern-tui diff` against the REAL Skyvern 1.0.56 server: bundled runs seeded into it as
recorded, compared by id through the API, the command run as installed (a subprocess with the
key in SKYVERN_API_KEY)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from skyvern_server import RealServer
from server_fixtures import seeded_bundled

BUNDLED = Path(__file__).resolve().parent / "data" / "bundled"
RUNS = ("task_terminated", "task_completed", "workflow_run")


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest) -> Iterator[tuple[RealServer, dict[str, str]]]:
    """One server, three bundled runs seeded: their run ids by folder name."""
    for server, seeded in seeded_bundled(request, RUNS):
        yield server, {name: rows["run_id"] for name, rows in seeded.items()}


def cli(server: RealServer, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "SKYVERN_API_KEY": server.api_key, "SKYVERN_BASE_URL": server.base_url,
           "SKYVERN_TUI_CONFIG": str(cwd / "no-config.toml"), "XDG_CACHE_HOME": str(cwd / "cache")}
    return subprocess.run([sys.executable, "-m", "tui", "diff", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=300)


def test_the_completed_and_the_terminated_run_differ_at_step_2(server, tmp_path: Path):
    real, ids = server
    a, b = ids["task_completed"], ids["task_terminated"]
    result = cli(real, a, b, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    first = [line for line in lines if line.startswith(">>")]
    assert len(first) == 1 and first[0].split()[1:5] == ["Step", "2", "failed", "completed"]
    assert "click AAAH (failed) | terminate" in first[0]
    assert lines[-1] == f"{a} and {b} differ in 4 of 5 steps; first at Step 2: status, actions"
    assert real.api_key not in result.stdout + result.stderr


def test_a_task_and_the_workflow_of_the_same_script_match(server, tmp_path: Path):
    real, ids = server
    result = cli(real, ids["task_completed"], ids["workflow_run"], "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["same"] is True and data["first_divergence"] is None
    rows = data["rows"]
    assert [r["left"]["label"] for r in rows] == ["Step 1", "Step 2", "Step 2 (retry 1)", "Step 3", "Step 4"]
    assert [[a["type"] for a in r["right"]["actions"]] for r in rows][0] == ["input_text", "input_text", "click"]
    assert rows[1]["left"]["url"] == "http://127.0.0.1:8865/search.html?user=demo"
    assert all(r["pair"] is not None for r in rows)


def test_an_unknown_run_on_the_server_is_status_2(server, tmp_path: Path):
    real, ids = server
    result = cli(real, ids["task_completed"], "tsk_000000000000000001", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("skyvern-tui: error: no run tsk_000000000000000001")
    assert result.stderr.count("\n") == 1

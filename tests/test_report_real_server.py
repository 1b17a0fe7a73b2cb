"""`skyvern-tui report` against the REAL Skyvern 1.0.56 server, on the bundled runs seeded into
it as recorded (a bundling server: artifacts come as member rows of step archives, every row
has a signed URL of the server's own). The command runs as installed: a subprocess with the key
in SKYVERN_API_KEY, as a person would run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from skyvern_server import RealServer
from server_fixtures import seeded_bundled
from test_report import ORDER_ACTIONS, ORDER_CALLS, ORDER_ELEMENTS, TERMINATED_REASON, element_labels

BUNDLED = Path(__file__).resolve().parent / "data" / "bundled"
RUNS = ("task_terminated", "task_completed", "workflow_run")


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest) -> Iterator[tuple[RealServer, dict[str, str]]]:
    """One server, the three bundled runs seeded: their run ids by folder name."""
    for server, seeded in seeded_bundled(request, RUNS):
        yield server, {name: rows["run_id"] for name, rows in seeded.items()}


def cli(server: RealServer, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "SKYVERN_API_KEY": server.api_key, "SKYVERN_BASE_URL": server.base_url,
           "SKYVERN_TUI_CONFIG": str(cwd / "no-config.toml"), "XDG_CACHE_HOME": str(cwd / "cache")}
    return subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=300)


def signed_urls(server: RealServer, run_id: str) -> list[str]:
    with httpx.Client(base_url=server.base_url, headers=server.headers, timeout=60) as client:
        rows = client.get(f"/v1/runs/{run_id}/artifacts").json()
    return [row["signed_url"] for row in rows if row.get("signed_url")]


def test_report_of_the_terminated_run(server: tuple[RealServer, dict[str, str]], tmp_path: Path):
    real, ids = server
    run_id = ids["task_terminated"]
    result = cli(real, "report", run_id, "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["run_id"] == run_id and data["status"] == "terminated"
    assert data["failure_reason"] == TERMINATED_REASON
    assert data["goal"].startswith("Sign in to Acme Parts") and "Planetary gearbox" in data["goal"]
    steps = data["steps"]
    assert [s["status"] for s in steps] == ["completed", "completed"]
    assert [[a["type"] for a in s["actions"]] for s in steps] == [["input_text", "input_text", "click"], ["terminate"]]
    assert element_labels(steps[0]) == ORDER_ELEMENTS[0]
    assert [[c["name"] for c in s["llm_calls"]] for s in steps] == [ORDER_CALLS[0], ["extract-actions"]]
    failure = data["failure"]
    assert failure["step"]["label"] == "Step 2"
    assert failure["step"]["last_actions"][-1]["reasoning"].startswith("The categories of the catalog")
    assert failure["first_console_error"]["text"].startswith("Failed to load resource")
    assert any("/api/recommendations" in r["text"] for r in failure["failed_requests"])
    assert any(line["text"] == "Agent decided to terminate" for line in failure["last_log_lines"])
    assert data["notes"] == []

    result = cli(real, "report", run_id, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith(f"# Run `{run_id}`: terminated") and f"> {TERMINATED_REASON}" in text
    assert "## Why it failed" in text and "1. `terminate` — completed" in text
    assert "| Step 2 | completed | `terminate` — completed | extract-actions |" in text
    # Secrets: not the key, not one of the server's signed URLs (nor their signatures).
    for output in (text, json.dumps(data)):
        assert real.api_key not in output
        for url in signed_urls(real, run_id):
            assert url not in output and url.rsplit("sig=", 1)[-1] not in output


@pytest.mark.parametrize("name", ["task_completed", "workflow_run"])
def test_report_of_the_completed_runs(server: tuple[RealServer, dict[str, str]], tmp_path: Path, name: str):
    real, ids = server
    result = cli(real, "report", ids[name], "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["status"] == "completed" and data["failure"] is None and data["failure_reason"] is None
    steps = data["steps"]
    assert [s["status"] for s in steps] == ["completed", "failed", "completed", "completed", "canceled"]
    assert [[a["type"] for a in s["actions"]] for s in steps] == ORDER_ACTIONS
    assert [element_labels(s) for s in steps] == ORDER_ELEMENTS
    assert [[c["name"] for c in s["llm_calls"]] for s in steps] == ORDER_CALLS
    assert steps[1]["exception_type"] == "InteractWithDisabledElement"
    if name == "workflow_run":
        assert [b["label"] for b in data["blocks"]] == ["order_spur_gear"]
        assert data["blocks"][0]["task_ids"] == [steps[0]["task_id"]]
    result = cli(real, "report", ids[name], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "| Step 2 | failed `InteractWithDisabledElement` |" in result.stdout
    assert real.api_key not in result.stdout + result.stderr


def test_report_of_an_unknown_run_is_one_line_and_status_1(server: tuple[RealServer, dict[str, str]], tmp_path: Path):
    real, _ids = server
    result = cli(real, "report", "tsk_1", cwd=tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("skyvern-tui: error:") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr and real.api_key not in result.stderr

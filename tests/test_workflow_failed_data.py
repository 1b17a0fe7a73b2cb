"""The REAL failed workflow run in tests/data/bundled/workflow_failed (see its README): what
the server said of it, and what the local source reads from it, as a download and as a storage
tree (no database: its status and reason from its log)."""

from __future__ import annotations

import json
from pathlib import Path

from tui.core.sources.local import LocalSource
from tui.ui.screens.picker import Query

FOLDER = Path(__file__).resolve().parent / "data" / "bundled" / "workflow_failed"
RUN_ID = "wr_603216360489850694"
TASK_REASON = (
    "Max retries per step (3) exceeded. Possible failure reasons: The Check out button stays disabled "
    "until a part is chosen, so every click on it failed."
)


def load(name: str):
    return json.loads((FOLDER / name).read_text())


def test_the_recording_is_a_failed_workflow_run_of_one_failed_block() -> None:
    run = load("run.json")
    assert (run["run_id"], run["run_type"], run["status"]) == (RUN_ID, "workflow_run", "failed")
    assert run["failure_reason"] == f"navigation block failed. failure reason: {TASK_REASON}"
    steps = load("steps.json")
    assert [(s["order"], s["retry_index"], s["status"]) for s in steps] == [
        (0, 0, "completed"), (1, 0, "failed"), (1, 1, "failed"), (1, 2, "failed"), (1, 3, "failed")]
    for step in steps[1:]:
        results = step["output"]["action_results"]
        assert [r["exception_type"] for r in results] == ["InteractWithDisabledElement"]
    (block,) = load("timeline.json")
    assert block["type"] == "block" and block["block"]["label"] == "check_out"
    assert (block["block"]["status"], block["block"]["failure_reason"]) == ("failed", TASK_REASON)
    assert block["block"]["block_type"] == "navigation"
    actions = load("actions.json")
    assert [(a["action_type"], a["status"]) for a in actions][-4:] == [("click", "failed")] * 4
    size = sum(p.stat().st_size for p in FOLDER.rglob("*") if p.is_file())
    assert size < 2_000_000


def test_as_a_download_it_lists_what_the_server_said() -> None:
    (run,) = LocalSource(FOLDER).list_runs()
    assert (run.run_id, run.status) == (RUN_ID, "failed")
    assert run.failure_reason == f"navigation block failed. failure reason: {TASK_REASON}"
    detail = LocalSource(FOLDER).load_run(RUN_ID)
    assert len(detail.artifacts) == load("summary.json")["artifact_count"] == 127


def test_as_a_storage_tree_it_reads_its_status_reason_and_goal_from_what_it_recorded() -> None:
    runs = [r for r in LocalSource(FOLDER / "storage").list_runs() if r.run_type == "workflow_run"]
    (run,) = runs
    assert (run.run_id, run.status, run.failure_reason) == (RUN_ID, "failed", TASK_REASON)
    assert run.title is not None and run.title.startswith("Sign in to Acme Parts") and "then check out" in run.title
    # The picker's status filter finds it (it found nothing while every such run was "unknown").
    assert Query.parse("status:failed").matches(run) and not Query.parse("status:completed").matches(run)

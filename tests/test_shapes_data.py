"""The REAL runs of other shapes in tests/data/shapes (issue 15) are complete and self-consistent.

Fast and without a server: each recording's artifacts.json parses, every listed artifact has its
file under storage/, the counts per type (and per task/step, block and observer thought) match
summary.json, and what ties the shape together is really there (loop iterations in the timeline,
the observer's thoughts, how the run ended).
"""

from __future__ import annotations

import json
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

SHAPES = Path(__file__).resolve().parent / "data" / "shapes"
RUNS = sorted(p.name for p in SHAPES.iterdir() if (p / "summary.json").is_file()) if SHAPES.is_dir() else []


def part(name: str, what: str) -> Any:
    return json.loads((SHAPES / name / f"{what}.json").read_text())


def test_the_recordings_are_there() -> None:
    assert set(RUNS) == {"workflow_loop", "task_v2", "task_canceled", "page_unreachable", "element_gone",
                         "workflow_timed_out", "browser_session", "download", "pre_submit"}


@pytest.mark.parametrize("name", RUNS)
def test_every_listed_artifact_has_its_file(name: str) -> None:
    arts = part(name, "artifacts")
    assert isinstance(arts, list) and arts
    for a in arts:
        assert isinstance(a["artifact_id"], str) and a["artifact_id"].startswith("a_")
        assert not a["uri"].startswith(("/", "file:")), "uris are relative to storage/"
        assert a.get("bundle_key") is None, "recorded without the bundling keyring"
        path = SHAPES / name / "storage" / urllib.parse.unquote(a["uri"])
        assert path.is_file(), a["artifact_id"]


@pytest.mark.parametrize("name", RUNS)
def test_counts_match_the_summary(name: str) -> None:
    arts = part(name, "artifacts")
    summary = part(name, "summary")
    assert summary["artifact_count"] == len(arts)
    assert summary["counts_by_type"] == dict(Counter(a["artifact_type"] for a in arts))
    per_step: dict[str, Counter[str]] = defaultdict(Counter)
    per_block: dict[str, Counter[str]] = defaultdict(Counter)
    per_thought: dict[str, Counter[str]] = defaultdict(Counter)
    for a in arts:
        per_step[f"{a.get('task_id')}/{a.get('step_id')}"][a["artifact_type"]] += 1
        per_block[str(a.get("workflow_run_block_id"))][a["artifact_type"]] += 1
        per_thought[str(a.get("observer_thought_id"))][a["artifact_type"]] += 1
    assert summary["by_task_step"] == {k: dict(v) for k, v in per_step.items()}
    assert summary["by_block"] == {k: dict(v) for k, v in per_block.items()}
    assert summary["by_observer_thought"] == {k: dict(v) for k, v in per_thought.items()}
    assert summary["percent_encoded_uris"] == sum(1 for a in arts if "%" in a["uri"])


@pytest.mark.parametrize("name", RUNS)
def test_steps_belong_to_the_listed_tasks(name: str) -> None:
    arts = part(name, "artifacts")
    steps = part(name, "steps")
    step_ids = {s["step_id"] for s in steps}
    listed = {a["step_id"] for a in arts if a.get("step_id")}
    assert listed <= step_ids
    assert part(name, "run")["status"] == part(name, "summary")["status"]


def test_workflow_loop_has_iterations_blocks_and_tasks() -> None:
    name = "workflow_loop"
    if name not in RUNS:
        pytest.skip("not recorded")
    timeline = part(name, "timeline")
    loops = [e for e in timeline if e["block"] and e["block"]["block_type"] == "for_loop"]
    assert len(loops) == 1
    iterations = [c["block"] for c in loops[0]["children"]]
    assert sorted(b["current_index"] for b in iterations) == [0, 1]
    assert all(b["parent_workflow_run_block_id"] == loops[0]["block"]["workflow_run_block_id"] for b in iterations)
    top = {e["block"]["block_type"] for e in timeline}
    assert {"for_loop", "extraction", "code"} <= top
    # Each iteration and the extraction block ran a task of its own; its artifacts are tied to it by task_id.
    task_ids = {b["task_id"] for b in iterations} | {e["block"]["task_id"] for e in timeline
                                                      if e["block"]["block_type"] == "extraction"}
    arts = part(name, "artifacts")
    for tid in task_ids:
        assert any(a["task_id"] == tid and a["artifact_type"] == "llm_prompt" for a in arts), tid
    assert part(name, "run")["status"] == "completed"


def test_task_v2_thoughts_are_tied_to_the_observer() -> None:
    name = "task_v2"
    if name not in RUNS:
        pytest.skip("not recorded")
    run = part(name, "run")
    task_v2 = part(name, "task_v2")
    assert run["run_id"].startswith("tsk_v2_") and run["status"] == "completed"
    wr = task_v2["workflow_run_id"]
    assert wr.startswith("wr_") and part(name, "summary")["listed_run_id"] == wr
    arts = part(name, "artifacts")
    assert all(a["workflow_run_id"] == wr for a in arts)
    # The observer's LLM calls: each artifact of a thought names the thought and the cruise (the tsk_v2_ id).
    thought_arts = [a for a in arts if a.get("observer_thought_id")]
    assert thought_arts
    assert {a["observer_cruise_id"] for a in thought_arts} == {run["run_id"]}
    timeline = part(name, "timeline")
    thoughts = [e["thought"] for e in timeline if e["type"] == "thought"]
    kinds = Counter(t["thought_type"] for t in thoughts)
    assert kinds["plan"] >= 1 and kinds["user_goal_check"] >= 1
    assert {a["observer_thought_id"] for a in thought_arts} <= {t["thought_id"] for t in thoughts}
    blocks = {e["block"]["block_type"] for e in timeline if e["type"] == "block"}
    assert {"goto_url", "extraction"} <= blocks


@pytest.mark.parametrize(
    ("name", "status", "reason"),
    [
        ("task_canceled", "canceled", None),
        ("page_unreachable", "failed", "ERR_CONNECTION_REFUSED"),
        ("element_gone", "terminated", "The offer button has gone from the page"),
        ("workflow_timed_out", "timed_out", "exceeded max elapsed runtime limit of 1 minute"),
    ],
)
def test_runs_that_end_other_ways(name: str, status: str, reason: str | None) -> None:
    if name not in RUNS:
        pytest.skip("not recorded")
    run = part(name, "run")
    assert run["status"] == status
    if reason is None:
        assert run["failure_reason"] is None
    else:
        assert reason in run["failure_reason"]
    assert part(name, "steps"), "even a run that ends early has a step"


def test_element_gone_fails_a_step_on_its_click() -> None:
    name = "element_gone"
    if name not in RUNS:
        pytest.skip("not recorded")
    steps = part(name, "steps")
    actions = part(name, "actions")
    failed_steps = {s["step_id"] for s in steps if s["status"] == "failed"}
    assert failed_steps, "the click's step failed and was retried"
    clicks = [a for a in actions if a["action_type"] == "click"]
    assert clicks and all(a["status"] == "failed" and a["step_id"] in failed_steps for a in clicks)
    # The click's own screenshot is a listed artifact.
    listed = {a["artifact_id"] for a in part(name, "artifacts")}
    assert all(a["screenshot_artifact_id"] in listed for a in clicks)


def test_browser_session_run_names_its_session() -> None:
    name = "browser_session"
    if name not in RUNS:
        pytest.skip("not recorded")
    session = part(name, "browser_session")
    bs_id = session["browser_session_id"]
    assert bs_id.startswith("pbs_")
    # GET /v1/runs/{id} does not say which session a task ran in; the task and the session do.
    task = part(name, "task")
    assert task["task_id"] == part(name, "run")["run_id"] == session["runnable_id"]
    assert task["browser_session_id"] == bs_id
    # The session's own video is listed by the session, not as an artifact, and was copied too.
    names = [r["filename"] for r in session["recordings"]]
    assert names
    for filename in names:
        assert list((SHAPES / name / "storage").rglob(filename)), filename


def test_download_rows_are_percent_encoded_and_not_listed() -> None:
    name = "download"
    if name not in RUNS:
        pytest.skip("not recorded")
    run = part(name, "run")
    assert run["status"] == "completed"
    downloads = part(name, "downloads")
    listed = {a["artifact_id"] for a in part(name, "artifacts")}
    assert [f["artifact_id"] for f in run["downloaded_files"]] == [d["artifact_id"] for d in downloads]
    for d in downloads:
        assert d["artifact_type"] == "download" and d["artifact_id"] not in listed
        # The storage root has a space: the download's uri is percent-encoded, the step files' are not.
        assert "/artifact%20store/" in d["signed_url"]
        assert (SHAPES / name / "storage" / urllib.parse.unquote(d["uri"])).read_bytes().startswith(b"part,price_eur")
    assert all("/artifact store/" in a["signed_url"] for a in part(name, "artifacts"))


def test_pre_submit_frames_of_a_task_v3_run() -> None:
    name = "pre_submit"
    if name not in RUNS:
        pytest.skip("not recorded")
    run = part(name, "run")
    assert run["status"] == "completed" and run["run_request"]["engine"] == "skyvern-3.0"
    arts = part(name, "artifacts")
    frames = {a["artifact_type"]: a for a in arts if a["artifact_type"].endswith("_pre_submit")}
    assert set(frames) == {"html_pre_submit", "screenshot_pre_submit"}
    # One frame, two files: the page as it was just before the Sign in click, tied to its step.
    assert frames["html_pre_submit"]["step_id"] == frames["screenshot_pre_submit"]["step_id"] is not None
    html = (SHAPES / name / "storage" / urllib.parse.unquote(frames["html_pre_submit"]["uri"])).read_text()
    assert 'value="demo"' in html and "hunter2" not in html, "the typed user is kept, the password is not"
    png = (SHAPES / name / "storage" / urllib.parse.unquote(frames["screenshot_pre_submit"]["uri"])).read_bytes()
    assert png.startswith(b"\x89PNG")
    assert [a["action_type"] for a in part(name, "actions")] == ["input_text", "input_text", "click", "complete"]

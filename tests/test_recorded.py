"""What a run on disk recorded about itself: status and failure reason from its log's end, goal
from its first prompt (tui/core/recorded.py), and the local source showing them."""

from __future__ import annotations

import re

import shutil
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core import recorded
from tui.core.recorded import Ending, endings, final_ending, prompt_goal, whole_lines
from tui.core.sources.local import LocalSource
from tui.ui.screens.picker import Query

DATA = Path(__file__).parent / "data"
BUNDLED = DATA / "bundled"
TERMINATED_LOG = next((BUNDLED / "task_terminated" / "storage" / "logs" / "step" / "stp_603193058361699284").glob("*_skyvern_log.log"))
WORKFLOW_LOG = next((BUNDLED / "workflow_run" / "storage" / "logs" / "workflow_run").glob("*/*_skyvern_log.log"))
DEMO_PROMPT = Path(__file__).parents[1] / "assets" / "demo" / "files" / "a_602148167543730958_llm_prompt.txt"
GOAL = (
    "Sign in to Acme Parts with username 'demo' and password 'hunter2', find the gears and order a "
    "'Spur gear 24T'. The goal is achieved when the page says the order has been placed."
)
REASON = (
    "The categories of the catalog are bolts, gears and springs: no planetary gearbox is sold here, "
    "so the part asked for cannot be ordered."
)


def test_a_terminated_task_log_states_its_status_and_reason() -> None:
    found = endings(TERMINATED_LOG.read_bytes())
    assert [(e.scope, e.status) for e in found] == [("task", "terminated")]
    assert found[0].failure_reason == REASON
    assert found[0].at is not None and found[0].at.isoformat() == "2026-12-01T11:37:11.743803+00:00"


def test_a_workflow_log_written_before_the_run_was_marked_gives_its_task_end() -> None:
    found = endings(WORKFLOW_LOG.read_bytes())
    assert [(e.scope, e.status, e.failure_reason) for e in found] == [("task", "completed", None)]
    ending = final_ending(found, workflow_run=True)
    assert ending is not None and ending.status == "completed"


def test_a_workflow_runs_own_statement_wins_and_keeps_the_marked_reason() -> None:
    log = (
        b'2026-12-01T11:00:00.000000Z [info     ] Task duration metrics          failure_reason="step failed" task_status="failed"\n'
        b'2026-12-01T11:00:01.000000Z [info     ] Marking workflow run wr_1 as failed failure_reason="Block order failed: step failed" workflow_run_id="wr_1"\n'
        b'2026-12-01T11:00:02.000000Z [info     ] Workflow run duration metrics  duration_seconds=3.0 workflow_run_status="failed"\n'
    )
    found = endings(log)
    assert [(e.scope, e.status) for e in found] == [("task", "failed"), ("workflow_run", "failed"), ("workflow_run", "failed")]
    ending = final_ending(found, workflow_run=True)
    assert ending == Ending("workflow_run", "failed", "Block order failed: step failed", found[2].at)
    # A task run ignores workflow lines.
    task = final_ending(found, workflow_run=False)
    assert task is not None and task.failure_reason == "step failed"


SHAPES = DATA / "shapes"


def test_a_workflow_run_marked_as_timed_out_ended_timed_out() -> None:
    # The real line (1.0.56 writes "as timed out", with a space); the task before it completed.
    log = next((SHAPES / "workflow_timed_out" / "storage" / "logs" / "workflow_run").glob("*/*_skyvern_log.log"))
    found = endings(log.read_bytes())
    assert [(e.scope, e.status) for e in found] == [("task", "completed"), ("workflow_run", "timed_out")]
    ending = final_ending(found, workflow_run=True)
    assert ending is not None and (ending.status, ending.failure_reason) == ("timed_out", None)
    assert ending.at is not None and ending.at.isoformat() == "2026-12-02T03:09:30.434422+00:00"


def test_a_tasks_end_names_its_run_type() -> None:
    log = next((SHAPES / "pre_submit" / "storage" / "logs" / "step").glob("*/*_skyvern_log.log"))
    [ending] = endings(log.read_bytes())
    assert (ending.status, ending.run_type) == ("completed", "task_v3")
    assert endings(b'2026-12-01T11:00:00Z [info ] Task duration metrics task_run_type=null task_status="failed"\n')[0].run_type is None


def test_running_and_cut_lines_state_no_end() -> None:
    log = (
        b"2026-12-01T11:00:00Z [info     ] Marked workflow run wr_1 as running workflow_run_id=\"wr_1\"\n"
        b'2026-12-01T11:00:00Z [info     ] Task duration metrics failure_reason="x" task_st'
    )
    assert endings(log) == []
    assert final_ending([], workflow_run=True) is None


def test_a_failure_reason_with_escapes_is_decoded_and_made_safe() -> None:
    log = b'2026-12-01T11:00:00Z [info     ] Task duration metrics failure_reason="bad \\u001b]0;title\\u0007 \\"quoted\\"" task_status="failed"\n'
    (ending,) = endings(log)
    assert ending.failure_reason is not None
    assert "\x1b" not in ending.failure_reason and "\x07" not in ending.failure_reason
    assert '"quoted"' in ending.failure_reason


def test_the_goal_is_the_user_goal_section_of_a_prompt() -> None:
    assert prompt_goal(DEMO_PROMPT.read_bytes()) == GOAL
    assert prompt_goal(b"no goal here") is None
    assert prompt_goal(b"User goal:\n```\n\n```\n") is None
    assert prompt_goal(b"User goal:\n```\nnever closed") is None
    # Other prompts state the goal as the paragraph after the heading.
    assert prompt_goal(b"User Goal:\nBuy a gear.\n\nUser Details:") == "Buy a gear."
    # "User goal:" inside a line is not the heading.
    assert prompt_goal(b"the User goal:\n```\nno\n```\n") is None


def test_whole_lines_drops_the_cut_first_line() -> None:
    assert whole_lines(b"tail of a line\nnext\n", cut=True) == b"next\n"
    assert whole_lines(b"whole\nnext\n", cut=False) == b"whole\nnext\n"
    assert whole_lines(b"no newline at all", cut=True) == b""


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4096))
def test_broken_bytes_give_no_fact_never_an_exception(data: bytes) -> None:
    for ending in endings(data):
        assert ending.status in recorded.TERMINAL_STATUSES
    goal = prompt_goal(data)
    assert goal is None or goal.strip()


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0), st.binary(max_size=64))
def test_a_real_log_cut_or_spliced_anywhere_states_the_real_end_or_none(cut: int, junk: bytes) -> None:
    data = TERMINATED_LOG.read_bytes()
    at = cut % (len(data) + 1)
    for ending in endings(data[:at]):  # a log cut short states the real end, or none
        assert ending.status == "terminated"
        assert ending.failure_reason in (REASON, None)
    # Junk spliced into a line that states the end may change what it states (a space before
    # the reason is another reason); spliced anywhere else, it changes nothing.
    stating = [(m.start(), m.end()) for m in re.finditer(rb"[^\n]*(?:status|failure_reason)=[^\n]*", data)]
    inside = any(start <= at <= end for start, end in stating)
    for ending in endings(data[:at] + junk + data[at:]):
        assert isinstance(ending.status, str)
        if not inside:
            assert ending.status == "terminated"
            assert ending.failure_reason in (REASON, None)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0), st.binary(max_size=64))
def test_a_real_prompt_cut_or_spliced_anywhere_gives_the_goal_or_none(cut: int, junk: bytes) -> None:
    data = DEMO_PROMPT.read_bytes()
    start = data.index(b"User goal:")
    end = data.index(b"\n```", data.index(GOAL.encode())) + 4
    at = cut % (len(data) + 1)
    assert prompt_goal(data[:at]) == (GOAL if at >= end else None)
    spliced = prompt_goal(data[:at] + junk + data[at:])
    if at < start or at >= end:
        assert spliced == GOAL  # junk outside the section changes nothing
    else:
        assert spliced is None or isinstance(spliced, str)


def test_storage_tree_runs_list_their_status_reason_and_goal(tmp_path: Path) -> None:
    for name in ("task_completed", "task_terminated", "workflow_run"):
        shutil.copytree(BUNDLED / name / "storage", tmp_path, dirs_exist_ok=True)
    runs = {r.run_id: r for r in LocalSource(tmp_path).list_runs()}
    terminated = runs["tsk_603192989642222468"]
    assert (terminated.status, terminated.failure_reason) == ("terminated", REASON)
    assert terminated.title is not None and "Planetary gearbox" in terminated.title
    assert terminated.finished_at is not None and terminated.finished_at.isoformat() == "2026-12-01T11:37:11.743803+00:00"
    assert (runs["tsk_603192560717192222"].status, runs["tsk_603192560717192222"].title) == ("completed", GOAL)
    assert runs["wr_603193114196274200"].status == "completed"
    assert runs["wr_603193114196274200"].failure_reason is None
    # The picker's filter now finds them by status.
    assert [r.run_id for r in runs.values() if Query.parse("status:terminated").matches(r)] == ["tsk_603192989642222468"]
    detail = LocalSource(tmp_path).load_run("tsk_603192989642222468")
    assert (detail.run.status, detail.run.failure_reason) == ("terminated", REASON)


def test_selfhosted_tree_runs_are_no_longer_unknown() -> None:
    runs = LocalSource(DATA / "selfhosted").list_runs()
    statuses = {r.run_id: r.status for r in runs if r.run_type != "script"}
    assert statuses == {"wr_602148146068894428": "completed", "tsk_602147905550725556": "completed"}


def test_a_tree_with_broken_logs_and_archives_lists_its_runs_without_facts(tmp_path: Path) -> None:
    shutil.copytree(BUNDLED / "task_terminated" / "storage", tmp_path, dirs_exist_ok=True)
    for log in tmp_path.rglob("*_skyvern_log.log"):
        log.write_bytes(b"\x00\xff garbage \x1b[2J\n" * 1000)
    for archive in tmp_path.rglob("*_step_archive.zip"):
        archive.write_bytes(archive.read_bytes()[:200])  # cut: not a readable zip any more
    (run,) = LocalSource(tmp_path).list_runs()
    assert (run.status, run.failure_reason, run.title) == (None, None, None)
    # A log that states its end still gives it, whatever else is broken.
    log = next(tmp_path.rglob("*_skyvern_log.log"))
    log.write_bytes(log.read_bytes() + TERMINATED_LOG.read_bytes()[-3000:].split(b"\n", 1)[1])
    (run,) = LocalSource(tmp_path).list_runs()
    assert (run.status, run.failure_reason) == ("terminated", REASON)

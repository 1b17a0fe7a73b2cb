"""Recorded shapes end to end: the command in tmux, typed at human speed, on a server's folder on
disk (80x24) and on the real Skyvern server (120x30).

A loop's iterations and a task v2's thoughts are on the first screen of the overview; a failed
block is named at the top of why-it-failed; `enter` on a thought opens the LLM's answer and
`escape` comes back to the same row."""

from __future__ import annotations

import os

import pytest

from server_fixtures import shapes_server  # noqa: F401  (one real server, every shape seeded)
from shapes_truth import SHAPES, shape
from test_e2e_tmux import TMUX, TmuxApp

pytestmark = pytest.mark.skipif(TMUX is None and not os.environ.get("CI"),
                                reason="tmux is not installed (.ci/run installs it)")


def test_a_loop_from_disk_shows_its_iterations_at_80x24(tmp_path):
    app = TmuxApp(tmp_path, 80, 24, {}, ("--local", str(SHAPES / "workflow_loop" / "storage"),
                                         shape("workflow_loop").run_id))
    try:
        app.wait_for("Blocks (5, 2 loop iterations)")
        screen = app.wait_for("iteration 2/2")
        assert "read_pages  for_loop" in screen and "iteration 1/2" in screen
        app.keys("q")
        assert app.exit_status() == 0
    finally:
        app.close()


def test_a_timed_out_workflow_from_disk_names_its_last_block_first(tmp_path):
    app = TmuxApp(tmp_path, 80, 24, {}, ("--local", str(SHAPES / "workflow_timed_out" / "storage"),
                                         shape("workflow_timed_out").run_id))
    try:
        # A folder has no block status: the block that started last and never completed is named.
        screen = app.wait_for("Last block")
        lines = [line.strip("│ ") for line in screen.splitlines()]
        why = lines.index("Why it failed")
        assert lines[why + 2].startswith("Last block  wait_too_long  wait")
        app.keys("q")
        assert app.exit_status() == 0
    finally:
        app.close()


def test_task_v2_on_the_real_server_opens_a_thought_and_comes_back(tmp_path, shapes_server):  # noqa: F811
    real, _ = shapes_server
    env = {"SKYVERN_API_KEY": real.api_key, "SKYVERN_BASE_URL": real.base_url}
    app = TmuxApp(tmp_path, 120, 30, env, (shape("task_v2").run_id,))
    try:
        screen = app.wait_for("Thoughts and blocks (4 thoughts, 2 blocks)")
        assert "thought: plan" in screen and "Extract the sign-in rule from the help page." in screen
        # j goes from row to row that leads somewhere: the first block, its task, then the first thought.
        app.keys("j", "j")
        app.keys("Enter")
        app.wait_for("llm_response_parsed")
        app.wait_for("The rule still has to be extracted.")
        app.keys("Escape")
        app.wait_for("Thoughts and blocks (4 thoughts, 2 blocks)")
        app.keys("q")
        assert app.exit_status() == 0
    finally:
        app.close()

"""Deep links end to end: the installed command in tmux with `--demo --open ID`, and a real Skyvern
server's run opened with `RUN_ID --open ID` through its API."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from test_e2e_tmux import ROOT, TMUX, TmuxApp
from tui.core.sources.demo import demo_source

pytestmark = pytest.mark.skipif(TMUX is None and not os.environ.get("CI"),
                                reason="tmux is not installed (.ci/run installs it)")

_DEMO = demo_source()
_DETAIL = _DEMO.load_run(_DEMO.list_runs()[0].run_id)


def test_demo_open_shows_that_artifact(tmp_path: Path) -> None:
    # The last LLM response of the run: far from where the run would open by itself.
    target = [a for a in _DETAIL.artifacts if a.artifact_type == "llm_response_parsed"][-1]
    app = TmuxApp(tmp_path, 160, 50, {}, ("--demo", "--open", target.artifact_id))
    try:
        screen = app.wait_for(target.artifact_id)  # the viewer's subtitle names the artifact on show
        app.wait(lambda s: "llm_response_parsed" in s and "AI reasoning (60)" in s, "the AI list and the viewer")
        # The focus is in the viewer: escape goes back to the list (the viewer's keys leave the footer), q quits.
        app.wait_for("e Element in the tree")  # the viewer's keys in the footer: it has the focus
        app.keys("Escape")
        app.wait(lambda s: "e Element in the tree" not in s.rstrip("\n").rsplit("\n", 1)[-1], "the list's keys")
        app.keys("q")
        assert app.exit_status() == 0, screen
    finally:
        app.close()


def test_a_wrong_id_opens_the_run_and_says_so(tmp_path: Path) -> None:
    app = TmuxApp(tmp_path, 160, 50, {}, ("--demo", "--open", "a_nowhere"))
    try:
        app.wait_for("No artifact a_nowhere in run")
        app.wait_for("Steps (5)")  # the overview, where the run opens
        app.keys("q")
        assert app.exit_status() == 0
    finally:
        app.close()


def test_unknown_type_exits_2() -> None:
    result = subprocess.run([sys.executable, "-m", "tui", "--demo", "--type", "nope"], capture_output=True, text=True,
                            timeout=60, cwd=ROOT)
    assert result.returncode == 2 and "unknown artifact type 'nope'" in result.stderr

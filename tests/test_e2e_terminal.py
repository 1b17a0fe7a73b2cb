"""End to end: the installed command in a real pseudo-terminal, keys in, screen text out.

The terminal's screen is kept by pyte, a VT100 emulator, so what is asserted is what a person
would see.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from ptyterm import COMMAND, Terminal

DEMO_RUN = json.loads((Path(__file__).resolve().parent.parent / "assets/demo/run.json").read_text())


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_demo_in_a_real_terminal(size: tuple[int, int], tmp_path: Path):
    columns, lines = size
    terminal = Terminal(["--demo"], tmp_path, columns, lines)  # any directory works
    try:
        screen = terminal.wait_for("Steps (5)")  # a run opens on its overview, once its model is built
        terminal.pump(0.5)  # let the first frames settle
        screen = terminal.text()
        assert DEMO_RUN["run_id"] in screen and "Overview" in screen
        # Below 110 columns the category sidebar gives its room to the viewer.
        assert ("Categories" in screen) is (columns >= 110)
        terminal.send("2")
        terminal.wait_for("AI reasoning (")
        terminal.wait_for("llm_prompt")
        terminal.send("?")
        terminal.wait_for("Keys (esc closes)")
        terminal.send("\x1b")
        terminal.wait_for("AI reasoning (")
        terminal.send("q")
        assert terminal.wait_exit() == 0
    finally:
        terminal.close()


def test_wrong_folder_is_one_clear_line_and_status_2(tmp_path: Path):
    result = subprocess.run(
        [str(COMMAND), "--local", str(tmp_path / "missing")], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"skyvern-tui: error: no such folder: {tmp_path / 'missing'}"]
    assert "Traceback" not in result.stdout + result.stderr

"""End to end: the installed command in a real pseudo-terminal, keys in, screen text out.

The terminal's screen is kept by pyte, a VT100 emulator, so what is asserted is what a person
would see.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pyte
import pytest

COMMAND = Path(sys.executable).parent / "skyvern-tui"
DEMO_RUN = json.loads((Path(__file__).resolve().parent.parent / "assets/demo/run.json").read_text())


class Terminal:
    def __init__(self, args: list[str], columns: int, lines: int, cwd: Path) -> None:
        self.screen = pyte.Screen(columns, lines)
        self.stream = pyte.ByteStream(self.screen)
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
        env.update(TERM="xterm-256color", COLORTERM="truecolor", TZ="UTC")
        self.process = subprocess.Popen(
            [str(COMMAND), *args], stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env,
            start_new_session=True,
        )
        os.close(slave)
        self.master = master

    def pump(self, seconds: float = 0.1) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    data = os.read(self.master, 65536)
                except OSError:
                    return
                if not data:
                    return
                self.stream.feed(data)

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for(self, needle: str, timeout: float = 30.0) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.pump(0.1)
            if needle in self.text():
                return self.text()
        raise AssertionError(f"{needle!r} never appeared; the screen was:\n{self.text()}")

    def wait_exit(self, timeout: float = 30.0) -> int:
        """The exit status; the screen is read meanwhile, or the app would block writing to it."""
        end = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < end:
            self.pump(0.1)
        if self.process.poll() is None:
            raise AssertionError(f"the app did not exit; the screen was:\n{self.text()}")
        return self.process.returncode

    def send(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        os.close(self.master)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_demo_in_a_real_terminal(size: tuple[int, int], tmp_path: Path):
    columns, lines = size
    terminal = Terminal(["--demo"], columns, lines, cwd=tmp_path)  # any directory works
    try:
        screen = terminal.wait_for("Visual (")
        terminal.pump(0.5)  # let the first frames settle
        screen = terminal.text()
        assert DEMO_RUN["run_id"] in screen
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

"""OSC 52 for real: the installed `skyvern-tui --demo` in tmux with `set -g set-clipboard on`;
`y` and a choice, then tmux's paste buffer holds what was sent (tmux takes the sequence off the
application and keeps it as a buffer, as it does for a terminal's clipboard)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tui.core.catalog import Category
from tui.core.sources.demo import demo_source

ROOT = Path(__file__).resolve().parent.parent
TMUX = shutil.which("tmux")
TIMEOUT = 60.0
INSTALLED = Path(sys.executable).with_name("skyvern-tui")  # the venv's entry point

pytestmark = pytest.mark.skipif(TMUX is None and not os.environ.get("CI"),
                                reason="tmux is not installed (.ci/run installs it)")


class Tmux:
    def __init__(self, tmp: Path) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="sktui-copy-"))  # a socket path must stay short
        self.socket = self._dir / "s"
        config = tmp / "tmux.conf"
        config.write_text("set -g set-clipboard on\nset -g remain-on-exit on\n")
        home, cwd = tmp / "home", tmp / "cwd"
        home.mkdir()
        cwd.mkdir()
        program = [str(INSTALLED)] if INSTALLED.exists() else [sys.executable, "-m", "tui"]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "PYTHONPATH": str(ROOT),
               "TZ": "UTC", "TERM": "xterm-256color", "LANG": "C.UTF-8"}
        command = ["env", "-i", *(f"{k}={v}" for k, v in env.items()), *program, "--demo"]
        self.tmux("-f", str(config), "new-session", "-d", "-s", "app", "-x", "120", "-y", "40", "-c", str(cwd), *command)

    def tmux(self, *args: str) -> str:
        assert TMUX is not None
        result = subprocess.run([TMUX, "-S", str(self.socket), *args], capture_output=True, text=True, timeout=30)
        if result.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args[:3])}: {result.stderr.strip()}")
        return result.stdout

    def wait_for(self, text: str) -> str:
        end = time.monotonic() + TIMEOUT
        while True:
            screen = self.tmux("capture-pane", "-p", "-t", "app")
            if text in screen:
                return screen
            if time.monotonic() > end:
                raise AssertionError(f"{text!r} never showed; the screen was:\n{screen}")
            time.sleep(0.1)

    def buffer(self) -> str:
        end = time.monotonic() + TIMEOUT
        while True:
            result = subprocess.run([TMUX or "tmux", "-S", str(self.socket), "show-buffer"], capture_output=True,
                                    text=True, timeout=30)
            if result.returncode == 0:
                return result.stdout
            if time.monotonic() > end:
                raise AssertionError(f"no paste buffer: {result.stderr.strip()}")
            time.sleep(0.1)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "app", *keys)

    def close(self) -> None:
        subprocess.run([TMUX or "tmux", "-S", str(self.socket), "kill-server"], capture_output=True, timeout=30)
        shutil.rmtree(self._dir, ignore_errors=True)


def test_y_sends_the_command_line_and_the_text_to_tmuxs_buffer(tmp_path):
    source = demo_source()
    detail = source.load_run(source.list_runs()[0].run_id)
    prompt = detail.groups(Category.AI)[0].artifacts[0]  # what 2 puts under the cursor
    app = Tmux(tmp_path)
    try:
        app.wait_for("Steps (5)")
        app.keys("2")
        app.wait_for("AI reasoning (60)")
        app.keys("y", "l")  # in one burst: the menu, then its choice (the l was on its way to the list)
        line = f"skyvern-tui --demo --open {prompt.artifact_id}"
        app.wait_for(f"({len(line)} bytes) sent to the")  # the notification wraps after "the"
        assert app.buffer() == line
        app.keys("y")
        app.wait_for("Copy to the clipboard")
        app.keys("t")
        app.wait_for("The artifact's text (")
        text = source.read_bytes(prompt).decode("utf-8")
        end = time.monotonic() + TIMEOUT
        while app.buffer() != text and time.monotonic() < end:
            time.sleep(0.1)
        assert app.buffer() == text  # 13.7 KB, every byte
        app.keys("q")
    finally:
        app.close()

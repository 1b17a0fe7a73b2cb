"""Kitty graphics inside a real tmux: the transmissions reach the outer terminal through tmux's
passthrough when it is allowed, and without it the app draws half blocks and says why.

tmux runs attached to a pseudo-terminal, which plays the outer terminal: what tmux writes to it
is what kitty would read.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

from PIL import Image

from graphics_decode import DecodeError, kitty_transmissions
from ptyterm import Terminal, terminal_env

ROOT = Path(__file__).resolve().parents[1]
TMUX = shutil.which("tmux")


def _in_tmux(tmp_path: Path, passthrough: str) -> tuple[Terminal, Path]:
    assert TMUX is not None, "tmux is installed by .ci/run"
    socket_dir = Path(tempfile.mkdtemp(prefix="sktui-"))  # a socket path must stay short
    config = tmp_path / "tmux.conf"
    config.write_text(f"set -g allow-passthrough {passthrough}\nset -g status off\n")
    app = f"PYTHONPATH={ROOT} {sys.executable} -m tui --demo --graphics kitty"
    args = ["-S", str(socket_dir / "s"), "-f", str(config), "new-session", "-x", "120", "-y", "40", app]
    env = terminal_env(HOME=str(tmp_path))
    env.pop("TMUX", None)
    return Terminal(args, tmp_path, 120, 40, env=env, cell=(8, 16), program=TMUX), socket_dir


def _stop(term: Terminal, socket_dir: Path) -> None:
    import subprocess

    subprocess.run([str(TMUX), "-S", str(socket_dir / "s"), "kill-server"], capture_output=True, timeout=10)
    term.close()
    shutil.rmtree(socket_dir, ignore_errors=True)


def test_kitty_images_pass_through_tmux_when_it_allows(tmp_path):
    term, socket_dir = _in_tmux(tmp_path, "on")
    try:
        term.wait_for("Newest screenshot", timeout=60)
        sent: dict = {}
        end = time.monotonic() + 30
        while not sent and time.monotonic() < end:
            term.pump(0.2)
            try:
                sent = kitty_transmissions(term.output.decode("utf-8", "replace"))
            except DecodeError:  # read in the middle of a transmission: its end is on the way
                continue
        assert sent, "no kitty image reached the outer terminal"
        png, keys = next(iter(sent.values()))
        assert keys["U"] == "1"
        image = Image.open(BytesIO(png))
        assert image.size == (int(keys["c"]) * 8, int(keys["r"]) * 16)
        # tmux unwrapped it: what reached the outer terminal is the plain APC, not tmux's envelope.
        assert b"\x1b_G" in term.output and b"\x1bPtmux;" not in term.output
    finally:
        _stop(term, socket_dir)


def test_without_passthrough_kitty_falls_back_to_half_blocks_and_help_says_why(tmp_path):
    term, socket_dir = _in_tmux(tmp_path, "off")
    try:
        term.wait_for("Newest screenshot", timeout=60)
        term.pump(2.0)
        assert b"\x1b_G" not in term.output
        term.send("?")
        screen = term.wait_for("allow-passthrough", timeout=20)
        assert "half-blocks" in screen
        assert "▄" in term.output.decode("utf-8", "replace")  # the overview's picture, in half blocks
    finally:
        _stop(term, socket_dir)

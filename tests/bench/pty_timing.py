"""A program in a real pseudo-terminal, timed: launch it, send keys, and wait (polling the
screen through pyte, with an overall timeout) until a state shows; read its peak memory."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import termios
import time
from collections.abc import Callable
from pathlib import Path

import pyte

COLUMNS, LINES = 160, 48  # the tmux size


def terminal_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    env.update(TERM="xterm-256color", COLORTERM="truecolor", TZ="UTC", **extra)
    return env


class Timeout(Exception):
    pass


class PtyProgram:
    def __init__(self, argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
        self.screen = pyte.Screen(COLUMNS, LINES)
        self.stream = pyte.ByteStream(self.screen)
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        self.started = time.perf_counter()
        self.process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, cwd=cwd,
                                        env=env or terminal_env(), start_new_session=True)
        os.close(slave)
        self.master = master

    def pump(self, seconds: float) -> None:
        end = time.perf_counter() + seconds
        while True:
            left = end - time.perf_counter()
            ready, _, _ = select.select([self.master], [], [], max(left, 0))
            if not ready:
                return
            try:
                data = os.read(self.master, 1 << 20)
            except OSError:
                return
            if not data:
                return
            self.stream.feed(data)

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def until(self, shows: Callable[[str], bool], what: str, timeout: float) -> float:
        """Seconds since launch when the screen first satisfied `shows` (checked after every
        read of the terminal's output)."""
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            self.pump(0.02)
            if shows(self.text()):
                return time.perf_counter() - self.started
            if self.process.poll() is not None:
                break
        raise Timeout(f"{what} never showed within {timeout:.0f} s; the screen was:\n{self.text()}")

    def wait_for(self, needle: str, timeout: float = 60.0) -> float:
        return self.until(lambda text: needle in text, repr(needle), timeout)

    def send(self, keys: str) -> float:
        """Seconds since launch when the keys were written."""
        os.write(self.master, keys.encode())
        return time.perf_counter() - self.started

    def peak_rss(self) -> int:
        """The process's resident-set high-water mark, in bytes (Linux /proc)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmHWM")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        os.close(self.master)

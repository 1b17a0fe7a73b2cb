"""The installed command in a real pseudo-terminal: keys in; every byte it writes kept, and fed
to pyte (a VT100 emulator) so that what is asserted is what a person would see."""

from __future__ import annotations

import fcntl
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

COMMAND = Path(sys.executable).parent / "skyvern-tui"


def terminal_env(**extra: str) -> dict[str, str]:
    """The test's environment, less Textual's settings, as a true-colour xterm in UTC."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    env.update(TERM="xterm-256color", COLORTERM="truecolor", TZ="UTC", **extra)
    return env


class Terminal:
    def __init__(self, args: list[str], cwd: Path, columns: int = 120, lines: int = 40,
                 env: dict[str, str] | None = None, cell: tuple[int, int] = (0, 0),
                 program: str | Path = COMMAND) -> None:
        """`cell`: a cell's width and height in pixels, as the tty's ioctl reports them (0: unknown).
        `program`: what runs in the terminal (the installed command, or tmux around it)."""
        self.output = bytearray()
        self.screen = pyte.Screen(columns, lines)
        self.stream = pyte.ByteStream(self.screen)
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, columns * cell[0], lines * cell[1]))
        self.process = subprocess.Popen(
            [str(program), *args], stdin=slave, stdout=slave, stderr=slave, cwd=cwd,
            env=env if env is not None else terminal_env(), start_new_session=True,
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
                self.output += data
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

    def send(self, keys: str, settle: float = 0.0) -> None:
        os.write(self.master, keys.encode())
        if settle:
            self.pump(settle)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        os.close(self.master)

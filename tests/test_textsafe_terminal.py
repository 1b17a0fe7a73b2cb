"""From the outside: what the installed command writes to a real pseudo-terminal (and the CLI
commands to their output) on data whose every field is hostile holds none of the hostile
sequences, and nothing crashes.

Textual's own escape sequences for drawing are fine; what is checked is the hostile payloads'
bytes (an OSC introducer followed by the payload, raw C1 characters, NUL, BEL+BS+CR runs).
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
from fake_skyvern import API_KEY, RUN_ID, FakeSkyvern, status
from textsafe_hostile import ALL, CLIPBOARD, LINK, TITLE
from textsafe_runs import hostile_run

COMMAND = Path(sys.executable).parent / "skyvern-tui"

# What must never reach the terminal: the payloads as sequences, not as visible stand-ins.
FORBIDDEN = (
    "\x1b]2;PWNED",  # OSC 2: the window title
    "\x1b]52;",  # OSC 52: the clipboard
    "\x1b]8;;file:///etc/passwd",  # OSC 8: a link
    "\x9b", "\x9d", "\x9c",  # C1 CSI, OSC, ST (as characters, whatever their encoding)
    "\x00",
    "\x07\x08\r",  # BEL, BS, CR as they sit in the payload
    "PWNED-TITLE\x07",
)


def assert_inert(output: bytes) -> None:
    text = output.decode("utf-8", "replace")
    for sequence in FORBIDDEN:
        assert sequence not in text, f"{sequence!r} reached the terminal"
    assert "Traceback" not in text


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "SKYVERN"))}
    env.update(TERM="xterm-256color", COLORTERM="truecolor", TZ="UTC", HOME=str(home),
               XDG_CACHE_HOME=str(home / "cache"), XDG_CONFIG_HOME=str(home / "config"))
    return env


class RecordingTerminal:
    """The command on a pty; every byte it writes is kept, and fed to a VT100 screen."""

    def __init__(self, args: list[str], home: Path, columns: int = 120, lines: int = 40) -> None:
        self.output = bytearray()
        self.screen = pyte.Screen(columns, lines)
        self.stream = pyte.ByteStream(self.screen)
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        self.process = subprocess.Popen([str(COMMAND), *args], stdin=slave, stdout=slave, stderr=slave,
                                        cwd=home, env=_env(home), start_new_session=True)
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

    def wait_for(self, needle: str, timeout: float = 30.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.pump(0.1)
            if needle in self.text():
                return
        raise AssertionError(f"{needle!r} never appeared; the screen was:\n{self.text()}")

    def send(self, keys: str) -> None:
        os.write(self.master, keys.encode())
        self.pump(0.3)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        os.close(self.master)


def test_the_app_on_a_hostile_run_writes_no_hostile_sequence(tmp_path: Path):
    run = tmp_path / "run"
    hostile_run(run)
    terminal = RecordingTerminal(["--local", str(run)], tmp_path)
    try:
        terminal.wait_for("Visual (")
        terminal.pump(0.5)
        # Every category, and in each the artifacts one after the other.
        for category in "123456":
            terminal.send(category)
            for _ in range(5):
                terminal.send("j")
                terminal.send("\r")
                terminal.pump(0.4)
                terminal.send(category)  # back to the list
        terminal.send("2")
        terminal.pump(1.0)
        screen = terminal.text()
        assert terminal.process.poll() is None, f"the app ended; the screen was:\n{screen}"
        assert "[reverse]task" in screen  # the run type's markup, shown as letters
        assert "␛]2;PWNED" in terminal.output.decode("utf-8", "replace")  # shown, visibly
        terminal.send("q")
        end = time.monotonic() + 30
        while terminal.process.poll() is None and time.monotonic() < end:
            terminal.pump(0.1)
        assert terminal.process.returncode == 0, terminal.text()
        assert_inert(bytes(terminal.output))
    finally:
        terminal.close()


@pytest.fixture
def hostile_server():
    fake = FakeSkyvern()
    fake.demo.artifacts = [
        {**entry, "artifact_id": f"{entry['artifact_id']}{TITLE}[/x]", "artifact_type": f"{entry['artifact_type']}{CLIPBOARD}"}
        if number % 2 else {**entry, "artifact_type": entry["artifact_type"] + LINK + "[reverse]"}
        for number, entry in enumerate(fake.demo.artifacts)
    ]
    yield fake
    fake.stop()


def _cli(args: list[str], home: Path, fake: FakeSkyvern) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([str(COMMAND), *args, "--base-url", fake.base_url, "--api-key", API_KEY],
                          capture_output=True, cwd=home, env=_env(home), timeout=120, check=False)


def test_artifacts_command_prints_hostile_types_and_ids_inert(hostile_server: FakeSkyvern, tmp_path: Path):
    result = _cli(["artifacts", RUN_ID], tmp_path, hostile_server)
    assert result.returncode == 0, result.stderr
    assert_inert(result.stdout + result.stderr)
    out = result.stdout.decode()
    assert "␛]52;c;cHduZWQ=" in out and "[/x]" in out and "[reverse]" in out  # visible, as data
    listed = _cli(["artifacts", RUN_ID, "--json"], tmp_path, hostile_server)
    assert listed.returncode == 0
    assert_inert(listed.stdout)
    # The JSON is the server's data, exactly: control characters escaped, not changed.
    types = {a["artifact_type"] for a in json.loads(listed.stdout)}
    assert any(t.endswith(CLIPBOARD) for t in types)


@pytest.mark.parametrize("code", [400, 422, 500])
def test_a_hostile_server_error_detail_is_printed_inert(hostile_server: FakeSkyvern, tmp_path: Path, code: int):
    detail = "bad " + ALL
    for _ in range(6):  # as many as the client retries
        hostile_server.api.fail(f"/v1/runs/{RUN_ID}", status(code, {"detail": detail}))
    result = _cli(["artifacts", RUN_ID], tmp_path, hostile_server)
    assert result.returncode == 1
    assert_inert(result.stdout + result.stderr)
    err = result.stderr.decode()
    assert err.startswith("skyvern-tui: error: ") and len(err.strip().splitlines()) == 1, err
    if code != 500:
        assert "␛]2;PWNED-TITLE␇" in err  # the detail is there, visibly

"""From the outside: what the installed command writes to a real pseudo-terminal (and the CLI
commands to their output) on data whose every field is hostile holds none of the hostile
sequences, and nothing crashes.

Textual's own escape sequences for drawing are fine; what is checked is the hostile payloads'
bytes (an OSC introducer followed by the payload, raw C1 characters, NUL, BEL+BS+CR runs).
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
from ptyterm import COMMAND, Terminal, terminal_env
from fake_skyvern import API_KEY, RUN_ID, FakeSkyvern, status
from textsafe_hostile import ALL, CLIPBOARD, LINK, TITLE
from textsafe_runs import hostile_run


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
    env = terminal_env(HOME=str(home), XDG_CACHE_HOME=str(home / "cache"), XDG_CONFIG_HOME=str(home / "config"))
    return {k: v for k, v in env.items() if not k.startswith("SKYVERN")}


def test_the_app_on_a_hostile_run_writes_no_hostile_sequence(tmp_path: Path):
    run = tmp_path / "run"
    hostile_run(run)
    terminal = Terminal(["--local", str(run)], tmp_path, env=_env(tmp_path))
    try:
        terminal.wait_for("Steps (1)")  # the overview, where the run opens, its model built
        terminal.pump(0.5)
        # Its items opened one after the other (the story of the step among them), and back.
        for _ in range(4):
            terminal.send("\r", settle=0.3)
            terminal.pump(0.4)
            terminal.send("\x1b", settle=0.3)
            terminal.send("j", settle=0.3)
        terminal.send("t", settle=0.3)
        terminal.pump(0.4)
        terminal.send("\x1b", settle=0.3)
        # Every category, and in each the artifacts one after the other.
        for category in "123456":
            terminal.send(category, settle=0.3)
            for _ in range(5):
                terminal.send("j", settle=0.3)
                terminal.send("\r", settle=0.3)
                terminal.pump(0.4)
                terminal.send(category, settle=0.3)  # back to the list
        terminal.send("2", settle=0.3)
        terminal.pump(1.0)
        screen = terminal.text()
        assert terminal.process.poll() is None, f"the app ended; the screen was:\n{screen}"
        assert "[reverse]task" in screen  # the run type's markup, shown as letters
        assert "␛]2;PWNED" in terminal.output.decode("utf-8", "replace")  # shown, visibly
        terminal.send("q", settle=0.3)
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

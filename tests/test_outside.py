"""`o`: which program opens what (env -> command), said in one line when there is none (no
display over SSH, a program missing or failing); the bytes handed over in a temporary file with
the right extension. Pilot cannot suspend: run_program is checked with the suspension stubbed."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from apptools import SIZE, demo_app, first_category, settle, until
from tui.core.catalog import Format
from tui.core.located import Located
from tui.core.outside import NoProgram, Program, choose_program, missing
from tui.core.run_model.model import Place
from tui.ui.outside import run_program, write_temp

DISPLAY = {"DISPLAY": ":0"}


@pytest.mark.parametrize(("fmt", "env", "argv"), [
    (Format.TEXT, {}, ("less",)),
    (Format.JSON, {"PAGER": "less -R"}, ("less", "-R")),
    (Format.PYTHON, {"PAGER": "  "}, ("less",)),
    (Format.IMAGE, DISPLAY, ("xdg-open",)),
    (Format.HTML, {"WAYLAND_DISPLAY": "wayland-0"}, ("xdg-open",)),
    (Format.VIDEO, {"BROWSER": "firefox --new-tab:chromium"}, ("firefox", "--new-tab")),
    (Format.IMAGE, {"BROWSER": "w3m"}, ("w3m",)),  # no display, but a browser of the terminal's
    (Format.PDF, DISPLAY, ("xdg-open",)),
])
def test_the_program_for_each_format(fmt, env, argv):
    assert choose_program(fmt, env, platform="linux").argv == argv


def test_no_display_no_browser_and_no_program_for_binary_are_said():
    with pytest.raises(NoProgram, match="no display here"):
        choose_program(Format.IMAGE, {"SSH_CONNECTION": "1 2 3 4"}, platform="linux")
    with pytest.raises(NoProgram, match="no program opens zip content"):
        choose_program(Format.ZIP, DISPLAY, platform="linux")
    with pytest.raises(NoProgram, match=r"\$PAGER cannot be read"):
        choose_program(Format.TEXT, {"PAGER": "less 'unclosed"}, platform="linux")
    assert choose_program(Format.IMAGE, {}, platform="darwin").argv == ("open",)


def test_the_file_goes_last_or_where_percent_s_is(tmp_path):
    path = tmp_path / "a.png"
    assert Program(("less", "-R"), "$PAGER").command(path) == ["less", "-R", str(path)]
    assert Program(("browser", "--url=%s", "-x"), "$BROWSER").command(path) == ["browser", f"--url={path}", "-x"]
    assert missing(Program(("no-such-program-here",), "$PAGER"), {"PATH": str(tmp_path)}) is not None
    assert missing(Program(("sh",), "$PAGER"), {"PATH": "/usr/bin:/bin"}) is None


def _notes(app) -> str:
    return " | ".join(str(n.message) for n in app._notifications)


def _located(app) -> Located:
    screen = app.screen
    return Located(screen.source, screen.detail, Place(screen.artifact_list.artifact))


async def test_o_over_ssh_without_a_display_says_so(monkeypatch):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"):
        monkeypatch.delenv(name, raising=False)
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await first_category(pilot)  # a screenshot
        await pilot.press("o")
        await settle(pilot)
        assert "Cannot open it outside: no display here (over SSH?) and no $BROWSER" in _notes(app)


async def test_o_with_a_missing_pager_says_so_in_one_line(monkeypatch):
    monkeypatch.setenv("PAGER", "no-such-pager-anywhere -R")
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert "Cannot open it outside: no-such-pager-anywhere ($PAGER) is not installed or not on $PATH." in _notes(app)


async def test_the_program_gets_the_exact_bytes_with_the_right_extension_and_a_failure_is_said(tmp_path, monkeypatch):
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")  # an LLM prompt: text
        await settle(pilot)
        located = _located(app)
        path = write_temp(located)
        assert path.suffix == ".txt" and path.read_bytes() == located.source.read_bytes(located.artifact)
        suspended: list[bool] = []

        @contextlib.contextmanager
        def suspend():
            suspended.append(True)
            yield

        monkeypatch.setattr(app, "suspend", suspend)
        copy = tmp_path / "seen.txt"
        run_program(app, Program(("sh", "-c", f'cp "$0" {copy}'), "$PAGER"), path)
        assert suspended == [True] and copy.read_bytes() == path.read_bytes()
        run_program(app, Program(("false",), "$PAGER"), path)
        await until(pilot, lambda: "false ($PAGER) exited with status 1." in _notes(app))


async def test_o_in_pilot_reads_in_a_worker_then_says_it_cannot_suspend(monkeypatch):
    monkeypatch.setenv("PAGER", "cat")
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        await until(pilot, lambda: "This terminal cannot hand itself to another program." in _notes(app))
        assert Path(write_temp(_located(app))).exists()

"""Deep links: `--open ID`, `--type TYPE`, `--step N` on the command line open the first run at
that place (the demo, a recorded run with --local, a server's run)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from textual.pilot import Pilot

from apptools import SIZE, settle, until
from bundled_runs import BUNDLED, run_id
from tui.cli import build_app, build_parser, deep_link, main, resolve
from tui.core.deep_link import DeepLink
from tui.core.model import newest
from tui.core.sources.demo import demo_source
from tui.ui.app import SkyvernTUI
from tui.ui.screens.run import RunScreen
from tui.ui.screens.story import StoryScreen

DEMO = demo_source()
DEMO_DETAIL = DEMO.load_run(DEMO.list_runs()[0].run_id)
STORAGE = BUNDLED / "task_completed" / "storage"


@pytest.fixture(autouse=True)
def _own_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # build_app remembers opened runs and reads the config file: both in a folder of the test's.
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in ("SKYVERN_API_KEY", "SKYVERN_BASE_URL", "ARTIFACT_STORAGE_PATH"):
        monkeypatch.delenv(name, raising=False)


def parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(list(argv))


# --- the command line ------------------------------------------------------------------------
# What the info panel and `y` offer (tui/core/share.py), each source form, each of the three flags.
FORMS = [
    ["--demo"],
    ["--local", "/data/artifacts", "tsk_1"],
    ["wr_1"],
    ["--base-url", "http://localhost:8000", "wr_1"],
]


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("flag, value, expected", [
    ("--open", "a_42", DeepLink(artifact_id="a_42")),
    ("--type", "skyvern_log", DeepLink(artifact_type="skyvern_log")),
    ("--step", "2", DeepLink(step=2)),
])
def test_each_source_form_takes_each_link(form: list[str], flag: str, value: str, expected: DeepLink) -> None:
    args = parse(*form, flag, value)
    assert deep_link(args) == expected
    assert args.run_id == (form[-1] if form != ["--demo"] else None)
    # The flag may come first too.
    assert deep_link(parse(flag, value, *form)) == expected


def test_no_flag_no_link() -> None:
    assert deep_link(parse("--demo")) is None


@pytest.mark.parametrize("pair", [("--open", "a_1", "--type", "llm_prompt"), ("--open", "a_1", "--step", "1"),
                                  ("--type", "llm_prompt", "--step", "1")])
def test_only_one_of_the_three(pair: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        parse("--demo", *pair)
    assert exited.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_an_unknown_type_is_the_usage_error_of_check_types(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--demo", "--type", "no_such_type"]) == 2
    err = capsys.readouterr().err
    assert "unknown artifact type 'no_such_type'" in err and "skyvern_log" in err and "Traceback" not in err


def test_a_step_counts_from_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--demo", "--step", "0"]) == 2
    assert "--step counts from 1" in capsys.readouterr().err


def test_a_link_needs_a_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--open", "a_1"]) == 2
    assert "need a run" in capsys.readouterr().err


def test_the_help_names_the_flags() -> None:
    text = build_parser().format_help()
    for word in ("--open ARTIFACT_ID", "--type TYPE", "--step N", "counted from 1"):
        assert word in text, word


# --- the app ---------------------------------------------------------------------------------
def app_for(*argv: str) -> SkyvernTUI:
    args = parse(*argv)
    sources, initial = resolve(args)
    return build_app(args, sources, initial)


async def in_viewer_of(pilot: Pilot, artifact_id: str) -> RunScreen:
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, RunScreen)
    await until(pilot, lambda: screen.viewer_pane.viewer is not None and screen.viewer_pane.has_focus_within)
    assert screen.viewer_pane.artifact is not None and screen.viewer_pane.artifact.artifact_id == artifact_id
    assert screen.artifact_list.artifact is screen.viewer_pane.artifact  # selected in the list
    assert screen.shown_category is screen.viewer_pane.artifact.category and not screen.showing_overview
    assert screen.viewer_pane.has_focus_within  # as if enter had been pressed on it
    return screen


async def test_demo_open_lands_in_the_viewer_of_that_artifact() -> None:
    target = next(a for a in DEMO_DETAIL.artifacts if a.artifact_type == "llm_response_parsed")
    async with app_for("--demo", "--open", target.artifact_id).run_test(size=SIZE) as pilot:
        screen = await in_viewer_of(pilot, target.artifact_id)
        assert [j.key for j in screen.history.jumps] == [("run", target.artifact_id, None)]  # the first jump


async def test_demo_type_opens_the_newest_log() -> None:
    logs = newest(a for a in DEMO_DETAIL.artifacts if a.artifact_type == "skyvern_log")
    assert logs is not None and logs is not next(a for a in DEMO_DETAIL.artifacts if a.artifact_type == "skyvern_log")
    async with app_for("--demo", "--type", "skyvern_log").run_test(size=SIZE) as pilot:
        await in_viewer_of(pilot, logs.artifact_id)


async def test_demo_step_opens_that_story() -> None:
    async with app_for("--demo", "--step", "2").run_test(size=SIZE) as pilot:
        await settle(pilot)
        await until(pilot, lambda: isinstance(pilot.app.screen, StoryScreen))
        story = pilot.app.screen
        assert isinstance(story, StoryScreen) and story.model.steps[1].step.step_id == story.step_id
        assert "step 2/5" in str(story.query_one(".story-title").render())
        await pilot.press("escape")  # back one level: the run, on its overview
        await settle(pilot)
        assert isinstance(pilot.app.screen, RunScreen) and pilot.app.screen.showing_overview


@pytest.mark.parametrize("argv, said", [
    (("--open", "a_not_in_the_run"), "No artifact a_not_in_the_run in run"),
    (("--step", "99"), "No step 99: the run has 5 steps"),
    (("--type", "pdf"), "No pdf artifact in run"),
])
async def test_a_wrong_link_opens_the_run_and_says_so(argv: tuple[str, ...], said: str) -> None:
    app = app_for("--demo", *argv)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await until(pilot, lambda: any(said in str(n.message) for n in app._notifications))
        assert isinstance(app.screen, RunScreen) and app.screen.showing_overview  # the run, where it opens
        assert app.is_running


async def test_recorded_run_open_type_and_step(tmp_path: Path) -> None:
    from tui.core.sources.local import LocalSource

    rid = run_id("task_completed")
    detail = LocalSource(STORAGE).load_run(rid)
    prompt = [a for a in detail.artifacts if a.artifact_type == "llm_prompt"][-1]
    async with app_for("--local", str(STORAGE), rid, "--open", prompt.artifact_id).run_test(size=SIZE) as pilot:
        await in_viewer_of(pilot, prompt.artifact_id)
    log = newest(a for a in detail.artifacts if a.artifact_type == "skyvern_log")
    assert log is not None
    async with app_for("--local", str(STORAGE), rid, "--type", "skyvern_log").run_test(size=SIZE) as pilot:
        await in_viewer_of(pilot, log.artifact_id)
    async with app_for("--local", str(STORAGE), rid, "--step", "2").run_test(size=SIZE) as pilot:
        await settle(pilot)
        await until(pilot, lambda: isinstance(pilot.app.screen, StoryScreen))
        story = pilot.app.screen
        assert isinstance(story, StoryScreen) and story.step_id == story.model.steps[1].step.step_id


async def test_a_real_servers_run_opens_at_the_artifact(real_server, monkeypatch: pytest.MonkeyPatch) -> None:
    """`RUN_ID --open ID` through the API of a real Skyvern server on loopback."""
    argv = ["--base-url", real_server.base_url, "--api-key", real_server.api_key, real_server.run_id]
    sources, _ = resolve(parse(*argv))
    api = next(s for s in sources if s.label != "demo")
    detail = api.load_run(real_server.run_id)
    prompt = [a for a in detail.artifacts if a.artifact_type == "llm_prompt"][-1]
    app = app_for(*argv, "--open", prompt.artifact_id)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, RunScreen), tries=3000)
        screen = await in_viewer_of(pilot, prompt.artifact_id)
        assert screen.source is api or screen.source.label == api.label

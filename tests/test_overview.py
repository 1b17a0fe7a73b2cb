"""The overview (`0`): a run opens on it; the failure block of a run that did not complete; enter
opens an item's artifact at its place and escape comes back to the same row; live runs."""

from __future__ import annotations

import pytest

from apptools import SIZE, demo_app, local_app, make_run, settle, until
from overview_runs import RECORDED, GrowingRecordedRun, opened, page_of, served_app, storage_app
from tui.core.catalog import Category
from tui.core.run_model.model import Place, Severity, StepModel
from tui.ui.app import SkyvernTUI
from test_keys import _help_text
from tui.ui.screens.artifact import ArtifactScreen
from tui.ui.screens.help import HelpScreen
from tui.ui.screens.overview import OverviewView
from tui.ui.screens.run import RunScreen
from tui.ui.screens.story import StoryScreen
from tui.ui.viewers.elements import ElementTreeViewer
from tui.ui.widgets.error_panel import ErrorPanel


def overview(screen: RunScreen) -> OverviewView:
    return screen.overview.view


async def test_the_demo_opens_on_its_overview_and_0_comes_back_to_the_same_row():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        view = overview(screen)
        model = screen.model
        assert screen.sidebar.overview and screen.showing_overview and view.has_focus
        assert not screen.artifact_list.display and not screen.viewer_pane.display
        text = page_of(view)
        assert model.goal and " ".join(model.goal.split()) in text
        assert "status completed" in text and "Blocks (1)" in text and f"Steps ({len(model.steps)})" in text
        assert not model.unsuccessful and "Why it failed" not in text
        # One row per step, in order, a failed one tinted.
        rows = [view.line_of_key(f"step:{s.step.step_id}") for s in model.steps]
        assert None not in rows and rows == sorted(rows)
        assert [view.plain_lines()[r].split()[:2] for r in rows] == [s.label.split()[:2] for s in model.steps]
        failed = next(s for s in model.steps if s.failed)
        assert view.rows.tints[view.line_of_key(f"step:{failed.step.step_id}")] == "page--failed-row"
        # The newest screenshot is drawn (in a worker).
        await until(pilot, lambda: model.last_screenshot.artifact_id in view.drawn, tries=3000)
        # j moves between the rows that lead somewhere; 1 leaves, 0 comes back to the same row.
        await pilot.press("j", "j")
        key = view.cursor_key
        assert key and view.cursor_item.link is not None
        await pilot.press("1")
        await settle(pilot)
        assert screen.sidebar.category is Category.VISUAL and screen.artifact_list.has_focus and not screen.overview.display
        await pilot.press("0")
        assert view.has_focus and view.cursor_key == key and screen.sidebar.overview


async def test_a_terminated_run_says_why_it_failed_at_the_top():
    app = served_app("task_terminated")
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        model, view = screen.model, overview(screen)
        assert model.status == "terminated" and model.failure_reason
        assert view.plain_lines()[0] == "Why it failed"
        text = page_of(view)
        assert " ".join(model.failure_reason.split()) in text  # in full, wrapped over lines
        step = model.failed_step
        assert f"Last step {step.label}" in text or f"First failed step {step.label}" in text
        assert view.cursor_key == "why.step"  # the first row that leads somewhere
        last = step.actions[-1]
        assert last.action_type in text and " ".join(last.reasoning.split()) in text
        await until(pilot, lambda: model.last_screenshot.artifact_id in view.drawn, tries=3000)
        console = model.first("console")
        assert console is not None and console.text.split()[0] in text
        assert model.last("log", Severity.WARNING).text in text
        # The failure block comes before the run's facts and the steps table.
        assert view.line_of("Why it failed") < view.line_of("Run") < view.line_of("Steps (")


@pytest.mark.parametrize("run", RECORDED)
async def test_recorded_runs_from_their_storage_tree_open_on_a_steps_table(run):
    app = storage_app(run)
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        view = overview(screen)
        assert not screen.overview.query(ErrorPanel)
        assert screen.model.steps
        for step in screen.model.steps:
            line = view.line_of_key(f"step:{step.step.step_id}")
            assert line is not None and view.items[view.rows.item_of[line]].link is step
            assert view.plain_lines()[line].strip().startswith(step.label)
        if run in ("task_terminated", "workflow_failed"):  # no database: what its log recorded
            model = screen.model
            assert model.status in ("terminated", "failed") and model.failure_reason
            assert view.plain_lines()[0] == "Why it failed" and " ".join(model.failure_reason.split()) in page_of(view)
        for step in screen.model.steps:  # the step's first call named in the table
            if step.calls:
                assert step.calls[0].title[:12] in view.plain_lines()[view.line_of_key(f"step:{step.step.step_id}")]


async def _open_key(pilot, view: OverviewView, key: str):
    assert view.select_key(key), key
    await pilot.press("enter")
    await settle(pilot)
    return pilot.app.screen


async def test_enter_opens_each_item_at_its_place_and_escape_returns_to_the_same_row(monkeypatch):
    sent: list[tuple[str, str]] = []  # (artifact id, target) handed to the viewer's go_to
    go_to = ArtifactScreen._go_to

    def spy(self, target):
        sent.append((self.pane.viewer.artifact.artifact_id, target))
        go_to(self, target)

    monkeypatch.setattr(ArtifactScreen, "_go_to", spy)
    app = served_app("task_terminated")
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        view = overview(screen)
        model = screen.model
        opened_types = set()
        for item in view.items:
            if not isinstance(item.link, Place):
                continue
            place = item.link
            shown = await _open_key(pilot, view, item.key)
            assert isinstance(shown, ArtifactScreen), item.key
            assert shown.place == place and shown.pane.artifact is place.artifact
            assert shown.pane.viewer is not None or shown.pane.failed
            assert shown.pane.has_focus_within  # enter went in: its keys are the viewer's
            opened_types.add(place.artifact.artifact_type)
            if place.target:  # its place goes to the viewer that shows it
                assert sent[-1] == (place.artifact.artifact_id, place.target), item.key
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is screen and view.has_focus and view.cursor_key == item.key, item.key
        # The console log, the HAR, the log and the screenshot of the failure block at least.
        assert {"browser_console_log", "har", "skyvern_log", "screenshot_final"} <= opened_types
        problem = model.first("console")
        assert problem.place.target and problem.place.artifact.artifact_type == "browser_console_log"


async def test_enter_on_a_step_opens_its_story_and_escape_comes_back():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        view = overview(screen)
        step = screen.model.steps[1]
        shown = await _open_key(pilot, view, f"step:{step.step.step_id}")
        assert isinstance(shown, StoryScreen) and shown.step_id == step.step.step_id
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and view.cursor_key == f"step:{step.step.step_id}"


async def test_an_element_opens_in_its_tree_at_the_element():
    app = served_app("task_completed")
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        action = next(a for s in screen.model.steps for a in s.actions if a.element and a.element.place)
        place = action.element.place
        app.push_screen(ArtifactScreen(screen.source, screen.detail, place))
        await settle(pilot)
        viewer = app.screen.pane.viewer
        assert isinstance(viewer, ElementTreeViewer)
        assert place.target == action.element_id
        assert viewer.selected is not None and viewer.selected.element_id == action.element_id


async def test_keys_typed_fast_do_not_race():
    app = served_app("task_terminated")
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        view = overview(screen)
        # In and out and in again with no pause: each key lands where the one before left it.
        view.select_key("why.log.warning")
        await pilot.press("enter", "escape", "enter", "escape")
        await settle(pilot)
        assert app.screen is screen and view.cursor_key == "why.log.warning"
        # Keys typed while the viewer loads are the viewer's: G goes to the log's last line.
        await pilot.press("enter", "G")
        await settle(pilot)
        shown = app.screen
        assert isinstance(shown, ArtifactScreen)
        lines = shown.pane.viewer.query_one("CursorView")
        assert lines.cursor_row == lines.row_count - 1
        await pilot.press("escape", "j", "k")
        await settle(pilot)
        assert app.screen is screen and view.cursor_key == "why.log.warning"
        # 0 and the category keys in a burst.
        await pilot.press("1", "0", "2", "0")
        await settle(pilot)
        assert screen.showing_overview and view.has_focus and view.cursor_key == "why.log.warning"


async def test_a_failed_model_build_is_an_error_panel_and_the_run_stays_browsable(monkeypatch):
    from tui.core.run_model import build

    def broken(self, detail, progress=None, cancelled=lambda: False):
        raise RuntimeError("the builder broke")

    monkeypatch.setattr(build.RunModelBuilder, "build", broken)
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, RunScreen) and bool(app.screen.overview.query(ErrorPanel)))
        await settle(pilot)  # the panel takes the focus once it is mounted
        screen = app.screen
        panel = screen.overview.query_one(ErrorPanel)
        assert "the builder broke" in panel.reason and app.focused is panel
        await pilot.press("3")
        await settle(pilot)
        assert screen.viewer_pane.viewer is not None  # the artifacts are still there


async def test_a_live_run_updates_the_overview_and_says_how_it_ended():
    source = GrowingRecordedRun("task_terminated")
    app = SkyvernTUI([source], (source, source.detail.run.run_id), poll_seconds=3600)
    notes: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.live and screen.detail.run.status == "running"
        screen = await opened(pilot)
        view = overview(screen)
        assert len(screen.model.steps) == 1 and "Newest screenshot" in page_of(view)
        first_shot = screen.model.last_screenshot
        await until(pilot, lambda: first_shot.artifact_id in view.drawn, tries=3000)
        app.notify = lambda message, **kw: notes.append(str(message))  # what the run's end says
        screen._poll()
        await opened(pilot)
        assert len(screen.model.steps) == 2 and screen.detail.run.status == "running"
        # The newest screenshot is the new step's, and the previous one stays drawn meanwhile.
        assert screen.model.last_screenshot != first_shot
        await until(pilot, lambda: screen.model.last_screenshot.artifact_id in view.drawn, tries=3000)
        screen._poll()
        await opened(pilot)
        assert screen.model.status == "terminated" and "Why it failed" in page_of(view)
        assert screen._poller is None
        ended = [n for n in notes if n.startswith("The run ended")]
        assert ended and "terminated" in ended[0] and source.detail.run.failure_reason.split()[0] in ended[0]


async def test_t_opens_the_story_of_the_step_on_screen():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        view = overview(screen)
        step = screen.model.steps[2]
        view.select_key(f"step:{step.step.step_id}")
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, StoryScreen) and app.screen.step_id == step.step.step_id
        await pilot.press("escape")
        # From the artifact list: the step of the artifact under the cursor.
        await pilot.press("2")
        await settle(pilot)
        artifact = screen.artifact_list.artifact
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, StoryScreen)
        assert app.screen.step_id == artifact.step_id
        assert isinstance(screen.model.step_of(artifact), StepModel)


async def test_a_broken_screenshot_says_so_in_place_and_its_error_panel_steps_back(tmp_path):
    app = local_app(make_run(tmp_path / "run", [("screenshot_final", "final.png", b"not a png")]), "tsk_test")
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        view = overview(screen)
        await until(pilot, lambda: view.line_of("Cannot draw screenshot_final") is not None, tries=3000)
        assert view.select_key("shot.caption")
        await pilot.press("enter")
        await settle(pilot)
        shown = app.screen
        assert isinstance(shown, ArtifactScreen) and shown.pane.failed
        assert isinstance(app.focused, ErrorPanel)  # enter went in, on an error panel too
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and view.has_focus and view.cursor_key == "shot.caption"


async def test_help_lists_the_overview_and_story_keys():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = _help_text(app)
        for says in ("Show the overview", "Step story", "Previous step", "Next step", "Overview (0) and step story (t)"):
            assert says in text, says
        assert any(line.split()[:1] == ["0"] for line in text.splitlines())


async def test_parts_still_loading_say_so_and_notes_are_shown():
    from dataclasses import replace

    from tui.core.run_model.build import RunModelBuilder

    app = served_app("task_terminated")
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        view = overview(screen)
        assert "reading" not in page_of(view)  # all read
        first = RunModelBuilder(screen.source).first_pass(screen.detail)  # what shows before any part is read
        assert first.loading
        screen._model_built(replace(first, notes=("llm_response_parsed a_1: not JSON",)), screen._building)
        text = page_of(view)
        assert "reading the logs" in text and "the console log" in text
        assert "note llm_response_parsed a_1: not JSON" in text


async def test_slash_finds_in_the_overview_and_escape_closes_only_the_find_bar():
    app = served_app("task_terminated")
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        view = overview(screen)
        await pilot.press("slash", *"recommendations", "enter")
        await settle(pilot)
        assert view.has_focus and view.match_query == "recommendations"
        assert "recommendations" in view.plain_lines()[view.cursor_row]
        assert view.cursor_key == "why.network0"  # the failed request: enter opens it
        await pilot.press("slash", "escape")
        assert app.screen is screen and view.has_focus


async def test_a_failed_workflow_run_shows_its_first_failed_step_its_block_and_every_failed_retry():
    app = served_app("workflow_failed")
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        model, view = screen.model, overview(screen)
        assert model.status == "failed" and model.blocks
        text = page_of(view)
        step = model.failed_step
        assert step.failed and f"First failed step {step.label}" in text
        assert step.exception_type and f"{step.exception_type}: " in text
        failed_action = next(a for a in step.actions if a.failed)
        assert failed_action.element.label in text and failed_action.errors[0].split(":")[0] in text
        for block in model.blocks:
            assert block.label in text
        for s in model.steps:
            tint = view.rows.tints[view.line_of_key(f"step:{s.step.step_id}")]
            assert (tint == "page--failed-row") is s.failed
        assert sum(s.failed for s in model.steps) >= 2  # the retries failed too


async def test_the_ai_reasoning_list_shows_each_calls_artifacts_under_its_name():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        await pilot.press("2")
        await settle(pilot)
        lines = [str(o.prompt) if not hasattr(o.prompt, "plain") else o.prompt.plain
                 for o in screen.artifact_list.options]
        first = lines.index("Step 1  completed")
        # Step 1's four calls, named by the log, each heading its prompt, request and answers.
        names = [line.strip() for line in lines[first + 1:] if not line[:1].isdigit()][:4]
        assert names == ["extract-actions", "parse-input-or-select-context", "parse-input-or-select-context",
                         "check-user-goal"]
        after = lines.index(" extract-actions", first)
        assert [line.split()[1] for line in lines[after + 1:after + 6]] == [
            "llm_prompt", "llm_request", "llm_response", "llm_response_parsed", "llm_response_rendered"]

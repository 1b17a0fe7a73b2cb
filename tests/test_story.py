"""The step story (`t`, or enter on a step): its five parts in order, the failed step and action
standing out, `[`/`]` through the steps, enter on a part opens it and escape comes back."""

from __future__ import annotations

from apptools import SIZE, demo_app, settle, until
from overview_runs import opened, page_of, served_app
from tui.core.run_model.model import Place
from tui.ui.screens.artifact import ArtifactScreen
from tui.ui.screens.run import RunScreen
from tui.ui.screens.story import StoryScreen, StoryView

SECTIONS = ["1. What the LLM saw", "2. The LLM calls", "3. What it decided", "4. What happened", "5. What the browser said"]


async def open_story(pilot, label: str) -> tuple[RunScreen, StoryScreen]:
    screen = await opened(pilot)
    step = next(s for s in screen.model.steps if s.label == label)
    screen.overview.view.select_key(f"step:{step.step.step_id}")
    await pilot.press("enter")
    await settle(pilot)
    story = pilot.app.screen
    assert isinstance(story, StoryScreen) and story.step_id == step.step.step_id
    return screen, story


async def test_the_story_of_the_demos_failed_step_tells_it_in_order():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen, story = await open_story(pilot, "Step 2")
        view = story.query_one(StoryView)
        step = story.step
        assert step.failed and step.step.retry_index == 0
        lines = [view.line_of(title) for title in SECTIONS]
        assert None not in lines and lines == sorted(lines)
        text = page_of(view)
        # 1: what it saw, drawn.
        await until(pilot, lambda: step.seen[0].artifact_id in view.drawn, tries=3000)
        # 2: each call with its name, model, tokens.
        for call in step.calls:
            line = view.plain_lines()[view.line_of(f"{call.index + 1}.  {call.title}")]
            assert (call.model or "") in line and (str(call.input_tokens) in line if call.input_tokens else True)
        # 3 and 4: each action with its element and reasoning, a failed one tinted, its errors.
        failed = [a for a in step.actions if a.failed]
        assert failed
        for action in step.actions:
            assert " ".join(action.reasoning.split()) in text
            if action.element is not None:
                assert action.element.label in text
        for action in failed:
            row = view.line_of(f"#{action.index + 1}  {action.action_type}")
            assert view.rows.tints[row] == "page--failed-row"
            for error in action.errors:
                assert " ".join(error.split()) in text
        # 4: the step's status and exception; 5: the window's problems, the log's warning among them.
        assert f"step {step.status}" in text
        if step.exception_type:
            assert step.exception_type in text
        assert step.problems and all(p.text.split()[0] in text for p in step.problems)
        assert any(p.severity.value == "warning" and p.where == "log" for p in step.problems)


async def test_brackets_go_through_the_steps_even_typed_fast():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen, story = await open_story(pilot, "Step 1")
        ids = [s.step.step_id for s in screen.model.steps]
        await pilot.press("left_square_bracket")  # no step before the first: it stays
        assert story.step_id == ids[0]
        await pilot.press("right_square_bracket", "right_square_bracket", "right_square_bracket", "left_square_bracket")
        await settle(pilot)
        assert story.step_id == ids[2]
        assert story.step.label in page_of(story.query_one(StoryView))
        assert story.step.label in str(story.query_one(".story-title").render())
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and screen.overview.view.has_focus


async def test_enter_on_every_part_opens_it_and_escape_returns_to_the_same_place():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        screen, story = await open_story(pilot, "Step 2")
        view = story.query_one(StoryView)
        places = [item for item in view.items if isinstance(item.link, Place)]
        assert len(places) >= 5
        types = set()
        for item in places:
            assert view.select_key(item.key)
            await pilot.press("enter")
            await settle(pilot)
            shown = app.screen
            assert isinstance(shown, ArtifactScreen) and shown.pane.artifact is item.link.artifact, item.key
            assert shown.pane.has_focus_within
            types.add(item.link.artifact.artifact_type)
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is story and view.cursor_key == item.key
        assert {"screenshot_llm", "llm_prompt", "llm_response_parsed", "screenshot_action", "skyvern_log"} <= types


async def test_t_in_a_viewer_tells_the_story_of_the_artifacts_step():
    app = served_app("task_completed")
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        await pilot.press("2", "j", "j", "enter")  # AI reasoning, the third artifact, into its viewer
        await settle(pilot)
        artifact = screen.viewer_pane.artifact
        assert screen.viewer_pane.has_focus_within and artifact.step_id
        await pilot.press("t")
        await settle(pilot)
        story = app.screen
        assert isinstance(story, StoryScreen) and story.step_id == artifact.step_id
        # The story follows a fuller model (a live run's next build).
        story.update_model(screen.model, screen.detail)
        assert story.step_id == artifact.step_id and "1. What the LLM saw" in page_of(story.query_one(StoryView))
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and screen.viewer_pane.has_focus_within  # back where t was pressed


async def test_t_over_an_artifact_opened_from_the_overview_tells_its_steps_story():
    app = served_app("task_terminated")
    async with app.run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        view = screen.overview.view
        # The failure block's first item that opens an artifact of a step (full size).
        item = next(i for i in view.items if isinstance(i.link, Place) and i.link.artifact.step_id)
        assert view.select_key(item.key)
        await pilot.press("enter", "t")  # typed at once: t waits for the artifact's screen
        await settle(pilot)
        story = app.screen
        assert isinstance(story, StoryScreen) and story.step_id == item.link.artifact.step_id
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ArtifactScreen) and app.screen.pane.artifact is item.link.artifact
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and view.cursor_key == item.key

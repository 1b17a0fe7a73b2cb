"""Back and forward through the places opened in a run: alt+left / ctrl+o, alt+right / ctrl+i."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from apptools import SIZE, demo_app, settle, until
from tui.core.catalog import CATEGORIES, Category
from tui.core.model import Artifact
from tui.core.run_model.model import Place
from tui.ui.history import LIMIT, History, Jump
from tui.ui.screens.artifact import ArtifactScreen
from tui.ui.screens.run import RunScreen
from tui.ui.screens.story import StoryScreen


# --- the list of jumps -----------------------------------------------------------------------
def _artifact(n: int) -> Artifact:
    from tui.core.sources.demo import demo_source

    source = demo_source()
    return source.load_run(source.list_runs()[0].run_id).artifacts[n]


def test_record_forgets_what_lay_ahead_and_skips_the_same_place() -> None:
    history = History()
    a, b, c = (Jump("run", Place(_artifact(n))) for n in range(3))
    for jump in (a, b, b, c):
        history.record(jump)
    assert history.jumps == [a, b, c] and history.index == 2
    assert history.target(-1, here=True) == 1
    assert history.target(-1, here=False) == 2  # left since: back returns to the last jump first
    history.index = 0
    assert history.target(-1, here=True) is None and history.target(1, here=True) == 1
    d = Jump("story", step_id="stp_1")
    history.record(d)  # from the first: b and c are forgotten
    assert history.jumps == [a, d] and history.target(1, here=True) is None


def test_the_history_is_bounded() -> None:
    history = History()
    for n in range(LIMIT + 5):
        history.record(Jump("story", step_id=f"stp_{n}"))
    assert len(history.jumps) == LIMIT and history.current is not None and history.current.step_id == f"stp_{LIMIT + 4}"


# --- in the app ------------------------------------------------------------------------------
def _shown(pilot: Pilot) -> str | None:
    run = next(s for s in pilot.app.screen_stack if isinstance(s, RunScreen))
    artifact = run.viewer_pane.artifact
    return artifact.artifact_id if artifact is not None else None


def _notified(pilot: Pilot, text: str) -> bool:
    return any(text in str(n.message) for n in pilot.app._notifications)


async def _enter_on(pilot: Pilot, key: str, downs: int) -> str:
    """Category `key`, `downs` rows down, enter: the viewer of that artifact, focused."""
    await pilot.press(key, *(["j"] * downs), "enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, RunScreen)
    await until(pilot, lambda: screen.viewer_pane.has_focus_within and screen.viewer_pane.viewer is not None)
    shown = _shown(pilot)
    assert shown is not None
    return shown


def _digit(category: Category) -> str:
    return str(CATEGORIES.index(category) + 1)


@pytest.mark.parametrize("back, forward", [("alt+left", "alt+right"), ("ctrl+o", "ctrl+i")])
async def test_back_and_forward_across_three_artifacts_and_a_full_size_one(back: str, forward: str) -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        run = app.screen
        assert isinstance(run, RunScreen)
        first = await _enter_on(pilot, _digit(Category.AI), 0)
        second = await _enter_on(pilot, _digit(Category.LOGS), 1)
        third = await _enter_on(pilot, _digit(Category.STRUCTURE), 2)
        assert len({first, second, third}) == 3
        # A cursor rest is not a jump: the viewer follows j, the history stays as it is.
        await pilot.press("escape", "j")
        await pilot.pause(0.5)
        await settle(pilot)
        assert _shown(pilot) != third and len(run.history.jumps) == 3
        # Back from a place left since returns to the last jump first (as vim's ctrl+o).
        await pilot.press(back)
        await settle(pilot)
        assert _shown(pilot) == third and run.viewer_pane.has_focus_within
        # A full-size artifact from the overview: enter on its first item that opens an artifact.
        await pilot.press("0")
        await settle(pilot)
        view = run.overview.view
        while not isinstance(view.cursor_item.link if view.cursor_item else None, Place):
            await pilot.press("j")
        full_id = view.cursor_item.link.artifact.artifact_id  # type: ignore[union-attr]
        await pilot.press("enter")
        await settle(pilot)
        full = app.screen
        assert isinstance(full, ArtifactScreen) and len(run.history.jumps) == 4
        # Back: the full-size screen goes (popped: escape on the run screen means what it did), the
        # third artifact is revealed in the run screen, then the second, then the first.
        for expected in (third, second, first):
            await pilot.press(back)
            await settle(pilot)
            assert app.screen is run and _shown(pilot) == expected
            assert run.viewer_pane.has_focus_within
            assert run.artifact_list.artifact.artifact_id == expected
        await pilot.press(back)
        await settle(pilot)
        assert _notified(pilot, "This is the first place opened.") and _shown(pilot) == first
        # Forward again, to the full-size artifact (opened anew over the run screen).
        for expected in (second, third):
            await pilot.press(forward)
            await settle(pilot)
            assert app.screen is run and _shown(pilot) == expected
        await pilot.press(forward)
        await settle(pilot)
        again = app.screen
        assert isinstance(again, ArtifactScreen) and again.place.artifact.artifact_id == full_id
        await pilot.press(forward)
        await settle(pilot)
        assert _notified(pilot, "This is the last place opened.") and app.screen is again
        assert len(run.history.jumps) == 4  # moving through the history records nothing
        # escape still comes back one level: from the full-size screen to the run screen, then
        # from the viewer to the list.
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is run
        await pilot.press(back)
        await settle(pilot)
        assert app.screen is not run  # left by escape: back returns to that full-size artifact first
        await pilot.press(back)
        await settle(pilot)
        assert app.screen is run and _shown(pilot) == third and run.viewer_pane.has_focus_within
        await pilot.press("escape")
        await settle(pilot)
        assert run.artifact_list.has_focus


async def test_a_story_and_an_artifact_opened_from_it() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        run = app.screen
        assert isinstance(run, RunScreen)
        first = await _enter_on(pilot, _digit(Category.AI), 0)
        await pilot.press("t")
        await settle(pilot)
        story = app.screen
        assert isinstance(story, StoryScreen)
        view = story.view
        while not isinstance(view.cursor_item.link if view.cursor_item else None, Place):
            await pilot.press("j")
        await pilot.press("enter")
        await settle(pilot)
        full = app.screen
        assert isinstance(full, ArtifactScreen)
        assert [j.kind for j in run.history.jumps] == ["run", "story", "full"]
        await pilot.press("alt+left")
        await settle(pilot)
        assert app.screen is story  # popped back to the story still open
        await pilot.press("alt+left")
        await settle(pilot)
        assert app.screen is run and _shown(pilot) == first
        await pilot.press("alt+right", "alt+right")  # in one burst
        await settle(pilot)
        top = app.screen
        assert isinstance(top, ArtifactScreen) and top.place == full.place
        assert isinstance(app.screen_stack[-2], StoryScreen)  # over the story again
        await pilot.press("escape")  # one level: to the story
        await settle(pilot)
        assert isinstance(app.screen, StoryScreen) and app.screen.step_id == story.step_id


async def test_leaving_the_run_forgets_it() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _enter_on(pilot, _digit(Category.AI), 0)
        await pilot.press("escape", "escape")  # the list, then the picker
        await settle(pilot)
        assert not isinstance(app.screen, RunScreen)
        await pilot.press("enter")  # the demo run again
        await settle(pilot)
        run = app.screen
        assert isinstance(run, RunScreen) and run.history.jumps == []
        await pilot.press("alt+left")
        await settle(pilot)
        assert _notified(pilot, "No places opened in this run yet.")


def test_what_the_terminal_sends_for_the_keys() -> None:
    """ctrl+i is tab's byte in most terminals: Textual reports ctrl+i only from the kitty keyboard
    protocol (CSI 105;5u), where the binding works; a plain tab stays "next pane"."""
    from textual._xterm_parser import XTermParser

    parser = XTermParser()
    keys = {seq: [getattr(e, "key", None) for e in parser.feed(seq)]
            for seq in ("\t", "\x1b[105;5u", "\x0f", "\x1b[1;3D", "\x1b[1;3C")}
    assert keys == {"\t": ["tab"], "\x1b[105;5u": ["ctrl+i"], "\x0f": ["ctrl+o"],
                    "\x1b[1;3D": ["alt+left"], "\x1b[1;3C": ["alt+right"]}


async def test_tab_is_still_the_next_pane() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        run = app.screen
        assert isinstance(run, RunScreen)
        await _enter_on(pilot, _digit(Category.AI), 0)
        await _enter_on(pilot, _digit(Category.LOGS), 0)
        await pilot.press("alt+left")
        await settle(pilot)
        before = (run.history.index, _shown(pilot), app.focused)
        await pilot.press("tab")
        await settle(pilot)
        assert (run.history.index, _shown(pilot)) == before[:2] and app.focused is not before[2]

"""`D` and the artifact diff, with Pilot: on the demo, across two recorded runs, and on runs made
here (a hostile line, a side that cannot be read)."""

from __future__ import annotations

from pathlib import Path

from rich.style import Style
from textual.pilot import Pilot

from tests.apptools import demo_app, make_run, settle
from tests.bundled_runs import BUNDLED, run_id
from tui.core.catalog import Category
from tui.core.compare.result import Kind
from tui.core.sources.local import LocalSource
from tui.ui.app import SkyvernTUI
from tui.ui.screens.artifact_diff import SIDE_BY_SIDE, ArtifactDiffScreen, DiffView
from tui.ui.screens.compare_pick import ComparePickScreen
from tui.ui.screens.run import RunScreen
from tui.ui.widgets.error_panel import ErrorPanel

CATEGORY_KEYS = {c: str(n) for n, c in enumerate(Category, start=1)}


async def open_in_list(pilot: Pilot, artifact_type: str, nth: int = 0) -> None:
    """The run screen's list at the nth artifact of a type (its category shown), as a person moves."""
    screen = pilot.app.screen
    assert isinstance(screen, RunScreen)
    artifact = [a for a in screen.detail.artifacts if a.artifact_type == artifact_type][nth]
    await pilot.press(CATEGORY_KEYS[artifact.category])
    await settle(pilot)
    ids = [a.artifact_id for a in screen.artifact_list.artifacts]
    for _ in range(ids.index(artifact.artifact_id)):
        await pilot.press("j")
    await settle(pilot)
    assert screen.artifact_list.artifact is not None and screen.artifact_list.artifact.artifact_id == artifact.artifact_id


async def pick(pilot: Pilot, want) -> None:  # type: ignore[no-untyped-def]
    """In the picker, the first candidate for which want(candidate) holds, then enter."""
    screen = pilot.app.screen
    assert isinstance(screen, ComparePickScreen)
    index = next(n for n, c in enumerate(screen.candidates) if want(c))
    options = screen.options
    at = next(i for i in range(options.option_count) if options.get_option_at_index(i).id == str(index))
    options.highlighted = at
    await pilot.press("enter")
    await settle(pilot)


def diff_screen(pilot: Pilot) -> ArtifactDiffScreen:
    screen = pilot.app.screen
    assert isinstance(screen, ArtifactDiffScreen), screen
    return screen


def shown_text(view: DiffView) -> str:
    """What the view draws on screen now, as text."""
    return "\n".join("".join(s.text for s in view.render_line(y)) for y in range(view.size.height))


async def test_d_on_the_demos_element_tree_lists_this_runs_trees_and_shows_a_tree_diff() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        run = app.screen
        await open_in_list(pilot, "visible_elements_tree", 0)
        await pilot.press("D")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, ComparePickScreen)
        types = {c.artifact.artifact_type for c in picker.candidates}
        assert types == {"visible_elements_tree", "visible_elements_tree_trimmed"}  # any element tree is offered
        assert {c.run for c in picker.candidates} == {"this run"}
        steps = [c.step for c in picker.candidates]
        assert steps == sorted(steps, key=lambda s: steps.index(s)) and "Step 2" in steps
        await pick(pilot, lambda c: c.step == "Step 2" and c.artifact.artifact_type == "visible_elements_tree")
        screen = diff_screen(pilot)
        assert screen.comparison is not None and screen.comparison.what == "tree"
        view = screen.view
        assert view is not None and not view.side_by_side  # 120 columns: unified
        text = shown_text(view)
        assert "changed #AAAC <span>" in text and "+ @id: who" in text
        first = view.cursor_row
        await pilot.press("n")
        await settle(pilot)
        assert view.cursor_row is not None and view.cursor_row > (first or 0)
        assert view.cursor_row in screen.comparison.row_changes
        back = view.cursor_row
        await pilot.press("n", "N")
        await settle(pilot)
        assert view.cursor_row == back
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is run


async def test_two_parsed_answers_pair_their_actions_and_two_logs_show_their_changed_lines() -> None:
    app = demo_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        await open_in_list(pilot, "llm_response_parsed", 0)
        await pilot.press("D")
        await settle(pilot)
        await pick(pilot, lambda c: c.artifact.artifact_type == "llm_response_parsed" and c.step == "Step 2")
        screen = diff_screen(pilot)
        assert screen.comparison is not None and screen.comparison.what == "actions"
        view = screen.view
        assert view is not None and view.side_by_side  # 200 columns: side by side
        headers = [p.left.text for p in screen.comparison.pairs if p.kind is Kind.HEADER and p.left]
        assert any(h.startswith("action 1") for h in headers)
        await pilot.press("escape")
        await settle(pilot)
        await open_in_list(pilot, "skyvern_log", 0)
        await pilot.press("D")
        await settle(pilot)
        await pick(pilot, lambda c: c.artifact.artifact_type == "skyvern_log")
        screen = diff_screen(pilot)
        assert screen.comparison is not None and screen.comparison.what == "lines" and not screen.comparison.same
        view = screen.view
        assert view is not None
        assert any(p.kind in (Kind.CHANGED, Kind.REMOVED, Kind.ADDED) for p in screen.comparison.pairs)
        assert "│" in shown_text(view)  # the two halves
        await pilot.resize_terminal(100, 40)
        await settle(pilot)
        assert not view.side_by_side and view.size.width < SIDE_BY_SIDE  # it follows the resize
        await pilot.resize_terminal(200, 40)
        await settle(pilot)
        assert view.side_by_side


async def test_across_two_recorded_runs_d_lists_the_other_runs_prompts_and_the_diff_shows_the_changed_lines() -> None:
    completed = LocalSource(BUNDLED / "task_completed" / "storage")
    terminated = LocalSource(BUNDLED / "task_terminated" / "storage")
    app = SkyvernTUI([completed, terminated], (terminated, run_id("task_terminated")))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_in_list(pilot, "llm_prompt", 0)
        await pilot.press("D")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, ComparePickScreen)
        runs = {c.run for c in picker.candidates}
        other = f"{run_id('task_completed')} · completed"
        assert runs == {"this run", other}
        assert all(c.artifact.artifact_type == "llm_prompt" for c in picker.candidates)
        mine = [c for c in picker.candidates if c.run == "this run"]
        assert picker.candidates[:len(mine)] == mine  # this run first
        await pick(pilot, lambda c: c.run == other)
        screen = diff_screen(pilot)
        comparison = screen.comparison
        assert comparison is not None and comparison.what == "lines"
        changed = [r.side.text for r in comparison.rows if r.kind in (Kind.REMOVED, Kind.ADDED)]
        assert any("Planetary gearbox" in line for line in changed)  # the terminated run's goal
        assert any("Spur gear 24T" in line for line in changed)  # the completed run's
        head = str(screen.query_one("#diff-head").render())
        assert run_id("task_completed") in head and run_id("task_terminated") in head


async def test_a_hostile_line_is_data(tmp_path: Path) -> None:
    hostile = b"plain\n\x1b]52;c;SGVsbG8=\x07 \x1b[2J [link=file:///etc/passwd]x[/link] [bold red]no[/]\nend\n"
    source = make_run(tmp_path / "run", [("llm_prompt", "p.txt", b"plain\nsafe\nend\n"), ("llm_prompt", "q.txt", hostile)])
    app = SkyvernTUI([source], (source, "tsk_test"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_in_list(pilot, "llm_prompt", 0)
        await pilot.press("D")
        await settle(pilot)
        await pick(pilot, lambda c: True)
        screen = diff_screen(pilot)
        view = screen.view
        assert view is not None
        drawn = [s for y in range(view.size.height) for s in view.render_line(y)]
        text = "".join(s.text for s in drawn)
        assert "[link=file:///etc/passwd]x[/link]" in text and "[bold red]no[/]" in text
        assert "\x1b" not in text and "\x07" not in text
        assert not any(isinstance(s.style, Style) and s.style.link for s in drawn)


async def test_a_side_that_cannot_be_read_shows_an_error_panel_and_escape_goes_back(tmp_path: Path) -> None:
    tree = b'[{"id": "AAAB", "tagName": "input", "children": []}]'
    source = make_run(tmp_path / "run", [("visible_elements_tree", "t.json", tree),
                                         ("visible_elements_tree", "u.json", b"{not a tree")])
    app = SkyvernTUI([source], (source, "tsk_test"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        run = app.screen
        await open_in_list(pilot, "visible_elements_tree", 0)
        await pilot.press("D")
        await settle(pilot)
        await pick(pilot, lambda c: True)
        screen = diff_screen(pilot)
        panels = list(screen.query(ErrorPanel))
        assert len(panels) == 1 and panels[0].title_text.startswith("The right side cannot be read")
        assert screen.failed.keys() == {"right"}
        assert "1 nodes" in str(screen.query_one("#diff-body").query("Static.reading").first().render())
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is run


async def test_d_on_a_screenshot_says_what_it_compares() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_in_list(pilot, "screenshot_llm", 0)
        await pilot.press("D")
        await settle(pilot)
        assert isinstance(app.screen, RunScreen)
        said = [n.message for n in app._notifications]
        assert any("screenshot_llm is not compared" in m and "JSON and HTML" in m for m in said)


async def test_d_then_escape_typed_in_a_burst_come_back_to_the_run() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        run = app.screen
        await open_in_list(pilot, "html_scrape", 0)
        await pilot.press("D", "escape", "D", "enter", "escape")
        await settle(pilot)
        assert app.screen is run
        assert not [w for w in app.workers if w.group in ("compare-pick", "artifact-diff") and w.is_running]
        await pilot.press("D", "enter", "n", "n")  # typed before the picker listed or the diff was read
        await settle(pilot)
        screen = diff_screen(pilot)
        assert screen.comparison is not None and screen.view is not None
        changes = screen.comparison.row_changes
        assert len(changes) > 1 and screen.view.cursor_row == changes[1]


async def test_two_big_logs_compare_in_the_background_and_slash_finds_in_the_diff(tmp_path: Path) -> None:
    lines = [f"2026-11-28T16:00:{n % 60:02d} [info     ] event number {n}" for n in range(60_000)]
    changed = list(lines)
    changed[41_000] = "2026-11-28T16:00:00 [error    ] the one line that differs"
    source = make_run(tmp_path / "run", [("skyvern_log", "a.log", "\n".join(lines).encode()),
                                         ("skyvern_log", "b.log", "\n".join(changed).encode())])
    app = SkyvernTUI([source], (source, "tsk_test"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_in_list(pilot, "skyvern_log", 0)
        await pilot.press("D")
        await settle(pilot)
        await pick(pilot, lambda c: True)
        screen = diff_screen(pilot)
        comparison = screen.comparison
        assert comparison is not None and comparison.summary == "1 change: 1 line removed, 1 added"
        assert len(comparison.rows) == 60_001
        view = screen.view
        assert view is not None
        await pilot.press("n")
        await settle(pilot)
        assert view.cursor_row == 41_000 and "the one line that differs" in shown_text(view)
        await pilot.press("g", "slash", *"event number 59999", "enter")
        await settle(pilot)
        assert view.match_query == "event number 59999" and view.cursor_row == 60_000
        await pilot.press("slash", "escape", "g", "n")  # the find bar closed: n goes to the change again
        await settle(pilot)
        assert view.match_query == "" and view.cursor_row == 41_000
        await pilot.press("escape")  # enter gave the diff the focus back: escape leaves it
        await settle(pilot)
        assert isinstance(app.screen, RunScreen)


async def test_a_run_that_does_not_load_is_said_and_the_others_are_listed(tmp_path: Path) -> None:
    mine = make_run(tmp_path / "mine", [("llm_prompt", "p.txt", b"one\n"), ("llm_prompt", "q.txt", b"two\n")])

    class Broken:
        label = "broken \x1b[2J[bold]source[/]"

        def list_runs(self):  # type: ignore[no-untyped-def]
            raise OSError("the disk went away")

    other = make_run(tmp_path / "other", [("llm_prompt", "r.txt", b"three\n")], run_id="tsk_other")
    app = SkyvernTUI([mine, Broken(), other], (mine, "tsk_test"))  # type: ignore[list-item]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_in_list(pilot, "llm_prompt", 0)
        await pilot.press("D")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, ComparePickScreen)
        assert [c.run for c in picker.candidates] == ["this run", "tsk_other · completed"]
        said = str(picker.query_one("#pick-progress").render())
        assert "Not read: broken" in said and "the disk went away" in said and "\x1b" not in said


async def test_d_on_an_item_of_a_step_story_compares_its_artifact():
    from tui.core.run_model.model import Place
    from tui.ui.screens.story import StoryScreen

    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        story = app.screen
        assert isinstance(story, StoryScreen)
        for _ in range(40):  # down to an item that is an artifact's place
            item = story.view.cursor_item
            if item is not None and isinstance(item.link, Place) and item.link.artifact.artifact_type == "llm_prompt":
                break
            await pilot.press("j")
        assert item is not None and isinstance(item.link, Place)
        await pilot.press("D")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, ComparePickScreen)
        assert picker.origin.artifact is item.link.artifact
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is story

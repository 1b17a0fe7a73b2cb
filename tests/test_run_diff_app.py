"""The run diff screen, reached as a person does: the run screen's palette → "Compare with run…"
→ pick the other run → the comparison, the first divergence under the cursor; n/N, enter
(posts CompareArtifacts with the row's two artifacts), escape."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandList, CommandPalette
from textual.widgets import Input

from apptools import SIZE, demo_app, settle, until
from bundled_runs import BUNDLED, run_id
from test_run_diff import HOSTILE, hostile_run
from tui.core.sources.local import LocalSource
from tui.ui.app import SkyvernTUI
from tui.ui.messages import CompareArtifacts
from tui.ui.screens.run import RunScreen
from tui.ui.screens.run_chooser import RunChooserScreen
from tui.ui.screens.artifact_diff import ArtifactDiffScreen
from tui.ui.screens.run_diff import RunDiffScreen, RunDiffTable


def two_run_app(a: Path, b: Path, first: str) -> SkyvernTUI:
    left, right = LocalSource(a, label="A"), LocalSource(b, label="B")
    return SkyvernTUI([left, right], (left, first))


async def compare_from_palette(pilot, typed: str) -> RunDiffScreen:
    app = pilot.app
    await pilot.press("ctrl+p", *"compare with")
    await until(pilot, lambda: isinstance(app.screen, CommandPalette) and app.screen.query_one(CommandList).option_count > 0)
    await pilot.pause(0.3)  # the palette ranks its hits
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, RunChooserScreen))
    await settle(pilot)
    await pilot.press(*typed, "enter")
    await until(pilot, lambda: isinstance(app.screen, RunDiffScreen))
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, RunDiffScreen)
    await until(pilot, lambda: screen.diff is not None)
    await pilot.pause()
    return screen


def hook(posted: list[CompareArtifacts]):
    """Each CompareArtifacts once (the hook sees a message again as it bubbles up to the app)."""

    def seen(message) -> None:
        if isinstance(message, CompareArtifacts) and not any(m is message for m in posted):
            posted.append(message)

    return seen


def row_texts(screen: RunDiffScreen) -> list[str]:
    table = screen.query_one(RunDiffTable)
    return [screen.rows.row_plain(i, table.size.width) for i in range(screen.rows.row_count())]


async def test_palette_compare_with_the_terminated_run_lands_on_its_first_divergence():
    completed, terminated = run_id("task_completed"), run_id("task_terminated")
    app = two_run_app(BUNDLED / "task_completed" / "storage", BUNDLED / "task_terminated" / "storage", completed)
    posted: list[CompareArtifacts] = []
    async with app.run_test(size=SIZE, message_hook=hook(posted)) as pilot:
        await settle(pilot)
        run_screen = app.screen
        assert isinstance(run_screen, RunScreen)
        screen = await compare_from_palette(pilot, terminated)
        assert screen.diff is not None
        table = screen.query_one(RunDiffTable)
        assert table.has_focus and table.cursor_row == 1 == screen.diff.first_divergence
        texts = row_texts(screen)
        assert len(texts) == 5 and texts[1].startswith(">>") and "Step 2" in texts[1]
        assert "failed" in texts[1] and "click AAAH (failed) | terminate" in texts[1]
        assert texts[0].startswith("  ") and texts[2].startswith("*")
        # enter: the two steps' parsed answers, each with its own run and source
        await pilot.press("enter")
        await pilot.pause()
        assert len(posted) == 1
        left, right = posted[0].left, posted[0].right
        assert left.artifact.artifact_type == right.artifact.artifact_type == "llm_response_parsed"
        assert left.detail.run.run_id == completed and right.detail.run.run_id == terminated
        assert left.source is run_screen.source and right.source.label == "B"
        assert left.artifact.step_id == screen.diff.rows[1].left.step.step.step_id
        # the app shows the two answers' diff (the artifact diff's one way in); escape comes back here
        await until(pilot, lambda: isinstance(app.screen, ArtifactDiffScreen))
        diff_screen = app.screen
        await until(pilot, lambda: diff_screen.comparison is not None)
        assert diff_screen.comparison.what == "actions" and not diff_screen.comparison.same  # click vs terminate
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        # n/N: from divergence to divergence (2, 3, 4, then around to 1)
        await pilot.press("n")
        assert table.cursor_row == 2
        await pilot.press("n", "n", "n")
        assert table.cursor_row == 1
        await pilot.press("N")
        assert table.cursor_row == 4
        # a step that one run lacks has nothing to diff: said, nothing posted
        await pilot.press("enter")
        await pilot.pause()
        assert len(posted) == 1
        assert any("in one run only" in str(n.message) for n in app._notifications)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is run_screen


async def test_the_demo_against_itself_matches_and_enter_still_diffs():
    app = demo_app()
    posted: list[CompareArtifacts] = []
    async with app.run_test(size=SIZE, message_hook=hook(posted)) as pilot:
        await settle(pilot)
        screen = await compare_from_palette(pilot, "")  # the chooser's one row: the demo itself
        assert screen.diff is not None and screen.diff.same
        table = screen.query_one(RunDiffTable)
        assert table.cursor_row == 0
        assert not any(t.startswith((">>", "*")) for t in row_texts(screen))
        assert "match step by step (5 steps)" in str(screen.query_one(".run-diff-status").render())
        await pilot.press("j", "j", "enter")
        await pilot.pause()
        assert len(posted) == 1 and posted[0].left.artifact == posted[0].right.artifact
        await until(pilot, lambda: isinstance(app.screen, ArtifactDiffScreen))
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        await pilot.press("n")  # no divergence: said, the cursor stays
        assert table.cursor_row == 2


async def test_the_chooser_filters_and_escape_cancels():
    app = two_run_app(BUNDLED / "task_completed" / "storage", BUNDLED / "task_terminated" / "storage",
                      run_id("task_completed"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        run_screen = app.screen
        await pilot.press("ctrl+p", *"compare with")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette) and app.screen.query_one(CommandList).option_count > 0)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RunChooserScreen))
        await settle(pilot)
        chooser = app.screen
        assert isinstance(chooser, RunChooserScreen)
        assert {r.run_id for r, _ in chooser.shown} == {run_id("task_completed"), run_id("task_terminated")}
        await pilot.press(*run_id("task_terminated")[-6:])
        await pilot.pause()
        assert [r.run_id for r, _ in chooser.shown] == [run_id("task_terminated")]
        assert chooser.query_one(Input).value == run_id("task_terminated")[-6:]
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is run_screen


async def test_escape_while_reading_goes_back_and_cancels():
    app = two_run_app(BUNDLED / "task_completed" / "storage", BUNDLED / "task_terminated" / "storage",
                      run_id("task_completed"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        run_screen = app.screen
        assert isinstance(run_screen, RunScreen)
        from tui.ui.screens.run_diff import DiffSide

        screen = RunDiffScreen(DiffSide(run_screen.detail.run.run_id, run_screen.source, run_screen.detail),
                               DiffSide(run_id("task_terminated"), None), app.sources)
        app.push_screen(screen)
        await pilot.press("escape")  # at once: the comparison is still being read
        await settle(pilot)
        assert app.screen is run_screen and screen.diff is None
        assert all(w.is_cancelled or w.is_finished for w in screen.workers)


async def test_hostile_statuses_and_texts_are_data(tmp_path: Path):
    a = hostile_run(tmp_path / "a", f"failed{HOSTILE}", f"typed {HOSTILE}")
    b = hostile_run(tmp_path / "b", "completed", "typed")
    app = two_run_app(a.parent / "a", b.parent / "b", "tsk_hostile")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        run_screen = app.screen
        from tui.ui.screens.run_diff import DiffSide

        right = LocalSource(b, label="B")
        app.push_screen(RunDiffScreen(DiffSide("tsk_hostile", run_screen.source, run_screen.detail),
                                      DiffSide("tsk_hostile", right)))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RunDiffScreen) and screen.diff is not None
        texts = row_texts(screen)
        assert texts[0].startswith(">>") and "failed␛]5" in texts[0]  # cut to its column
        assert "https://x.example/␛]52;c;aGk=␇" in texts[0]
        assert screen.diff.rows[0].left.status == "failed␛]52;c;aGk=␇␛[2J<9B>31m"
        assert not any(c in "".join(texts) for c in "\x1b\x07\x9b")
        svg = app.export_screenshot()
        at = svg.find("\x1b")
        assert at == -1, svg[max(0, at - 300):at + 100]
        assert "failed␛]5" in svg

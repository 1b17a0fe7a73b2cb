"""The first screen of a run opened from the command line (issue 12): a run of this machine is
the first screen, without making the picker first; the picker is made when escape goes back to
it, and when the run cannot be opened. A server's run keeps the picker under it ("Opening…")."""

from __future__ import annotations

from pathlib import Path

from apptools import SIZE, demo_app, settle, until
from tui.core.sources.demo import demo_source
from tui.core.sources.local import LocalSource
from tui.ui.app import SkyvernTUI
from tui.ui.screens.picker import PickerScreen, RunTable
from tui.ui.screens.run import RunScreen


async def test_a_local_run_is_the_first_screen_and_escape_makes_the_picker():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, RunScreen))
        assert not any(isinstance(screen, PickerScreen) for screen in app.screen_stack)
        await settle(pilot)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, PickerScreen)
                    and app.screen.query_one(RunTable).row_count == 1)  # listed once made
        picker = app.screen
        assert not any(isinstance(screen, RunScreen) for screen in app.screen_stack)
        await pilot.press("enter")  # the picker made late opens runs as ever
        await until(pilot, lambda: isinstance(app.screen, RunScreen))
        await settle(pilot)
        await pilot.press("escape")  # and now it is under the run: back to the same picker
        await until(pilot, lambda: app.screen is picker)


async def test_a_local_run_that_cannot_be_opened_leaves_the_picker(tmp_path: Path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "run.json").write_text('{"run_id": "tsk_1", "status": "completed"}')
    (run / "artifacts.json").write_text("[]")
    source = LocalSource(run)
    app = SkyvernTUI([source, demo_source()], (source, "tsk_does_not_exist"))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: any("Cannot open tsk_does_not_exist" in (n.title or "")
                                       for n in app._notifications))
        await until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await settle(pilot)
        assert [s for s in app.screen_stack if isinstance(s, PickerScreen)] == [app.screen]

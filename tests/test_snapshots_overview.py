"""SVG snapshots of the overview (the demo), the failure block (the recorded terminated run, at
120x40 and 80x24) and a step story (the demo's failed step 2).

Regenerate with `pytest tests/test_snapshots_overview.py --snapshot-update`, then LOOK at them.
"""

from __future__ import annotations

from apptools import SIZE, demo_app, settle
from overview_runs import opened, served_app
from tui.ui.screens.story import StoryScreen


async def _built(pilot):
    await opened(pilot)  # the model built and the newest screenshot drawn
    await settle(pilot)


def test_overview(snap_compare):
    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=_built)


def test_failure_block(snap_compare):
    assert snap_compare(served_app("task_terminated"), terminal_size=SIZE, run_before=_built)


def test_failure_block_narrow(snap_compare):
    assert snap_compare(served_app("task_terminated"), terminal_size=(80, 24), run_before=_built)


def test_story_of_a_failed_step(snap_compare):
    async def before(pilot):
        screen = await opened(pilot)
        step = next(s for s in screen.model.steps if s.label == "Step 2")
        screen.overview.view.select_key(f"step:{step.step.step_id}")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, StoryScreen)
        await pilot.press("j", "j", "j", "j")  # down to what it decided: the failed click
        await settle(pilot)

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=before)

"""SVG snapshot of the run diff screen: the demo run against the recorded terminated run (as the
API served it), at 120x40. Step 1 is the first divergence, highlighted under the cursor: the same
actions on another URL (the demo's site was served on port 8765, the recording's on 8865); step 2
(a failed click on the disabled checkout | terminate) and the demo's later steps, missing on B,
are tinted; the summary line below.

Regenerate with `pytest tests/test_snapshots_rundiff.py --snapshot-update`, then LOOK at it.
"""

from __future__ import annotations

from apptools import SIZE, settle
from overview_runs import ServedRun
from tui.core.sources.demo import demo_source
from tui.ui.app import SkyvernTUI
from tui.ui.screens.run_diff import DiffSide, RunDiffScreen


def test_run_diff(snap_compare):
    demo, terminated = demo_source(), ServedRun("task_terminated")
    app = SkyvernTUI([demo, terminated], (demo, demo.list_runs()[0].run_id))

    async def before(pilot):
        await settle(pilot)
        screen = pilot.app.screen
        pilot.app.push_screen(RunDiffScreen(DiffSide(screen.detail.run.run_id, demo, screen.detail),
                                            DiffSide(terminated.detail.run.run_id, terminated)))
        await settle(pilot)
        diff = pilot.app.screen.diff
        assert diff is not None and diff.first_divergence == 0
        assert [r.differences for r in diff.rows[:2]] == [("url",), ("status", "actions", "url")]

    assert snap_compare(app, terminal_size=SIZE, run_before=before)

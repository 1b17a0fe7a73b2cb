"""SVG snapshots of the log viewers (120x40): a skyvern_log with warnings and errors, the
console log table and the raw event table with its detail."""

from __future__ import annotations

from pathlib import Path

from apptools import SIZE, demo_app, first_category, local_app, settle
from test_logs import LOG, one_log_run


def test_skyvern_log_with_errors(snap_compare, tmp_path: Path):
    app = local_app(one_log_run(tmp_path / "r", "skyvern_log", "x.log", LOG), "tsk_log")

    async def before(pilot):
        await settle(pilot)
        await first_category(pilot)  # Logs: the run opens on its overview
        await pilot.press("enter", "right_square_bracket")  # the next error
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=before)


def test_console_log(snap_compare):
    app = demo_app()

    async def before(pilot):
        await settle(pilot)
        await pilot.press("4")
        screen = pilot.app.screen
        while screen.artifact_list.artifact.artifact_type != "browser_console_log":
            await pilot.press("j")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("j", "j")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=before)

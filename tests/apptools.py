"""Helpers shared by the Pilot and snapshot tests."""

from __future__ import annotations

from textual.pilot import Pilot

from tui.core.sources.demo import demo_source
from tui.core.sources.local import LocalSource
from tui.ui.app import SkyvernTUI

SIZE = (120, 40)


def demo_app(open_run: bool = True) -> SkyvernTUI:
    source = demo_source()
    initial = (source, source.list_runs()[0].run_id) if open_run else None
    return SkyvernTUI([source], initial)


def local_app(source: LocalSource, run_id: str | None = None) -> SkyvernTUI:
    return SkyvernTUI([source], (source, run_id) if run_id else None)


async def settle(pilot: Pilot) -> None:
    """Let workers finish and the screen catch up with what they posted."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def until(pilot: Pilot, condition, tries: int = 500) -> None:
    """Wait (without waiting for workers) until the condition holds."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError("condition never held")

"""Helpers shared by the Pilot and snapshot tests."""

from __future__ import annotations

import json
from pathlib import Path

from textual.css.query import NoMatches
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from tui.core.catalog import CATEGORIES
from tui.core.sources.demo import demo_source
from tui.core.sources.local import LocalSource
from tui.ui.app import SkyvernTUI

SIZE = (120, 40)


def demo_app(open_run: bool = True, **kwargs) -> SkyvernTUI:
    source = demo_source()
    initial = (source, source.list_runs()[0].run_id) if open_run else None
    return SkyvernTUI([source], initial, **kwargs)


def local_app(source: LocalSource, run_id: str | None = None) -> SkyvernTUI:
    return SkyvernTUI([source], (source, run_id) if run_id else None)


async def settle(pilot: Pilot) -> None:
    """Let workers finish and the screen catch up with what they posted (three rounds, as a
    worker's result may start another), the run model a worker built included (the run screen
    shows it a moment later: see RunScreen.model_pending)."""
    rounds = 0
    for _ in range(100):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:
            continue  # replaced by a newer job of its group (exclusive workers): wait for the rest
        await pilot.pause()
        if any(getattr(screen, "model_pending", False) for screen in pilot.app.screen_stack):
            await pilot.pause(0.05)
            continue
        rounds += 1
        if rounds == 3:
            return


async def first_category(pilot: Pilot) -> None:
    """Leave the overview, where a run opens, for the first category with artifacts (what a
    run opened on before the overview), as a person pressing its key."""
    counts = pilot.app.screen.detail.counts
    number = next((n for n, c in enumerate(CATEGORIES, start=1) if counts[c]), 1)
    await pilot.press(str(number))
    await settle(pilot)


async def until(pilot: Pilot, condition, tries: int = 500) -> None:
    """Wait (without waiting for workers) until the condition holds.

    A widget the condition asks for that is not there yet (a pushed screen still composing)
    means "not yet": raising would end the test while the screen mounts, and the app's mount
    would then fail on its half-removed children instead.
    """
    for _ in range(tries):
        try:
            if condition():
                return
        except NoMatches:
            pass
        await pilot.pause(0.01)
    raise AssertionError("condition never held")


def make_run(
    folder: Path,
    artifacts: list[tuple[str, str, bytes]],
    run_id: str = "tsk_test",
    status: str = "completed",
    step_id: str | None = "stp_1",
) -> LocalSource:
    """A downloaded run made of (artifact_type, file name, content) entries, a second apart.

    Its label is fixed, so screens (and snapshots) do not show the temporary folder.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "run.json").write_text(json.dumps({"run_id": run_id, "status": status}))
    (folder / "files").mkdir(exist_ok=True)
    listed = []
    for number, (artifact_type, name, content) in enumerate(artifacts, start=1):
        listed.append({
            "artifact_id": f"a_{number}", "artifact_type": artifact_type, "uri": f"file:///somewhere/{name}",
            "step_id": step_id, "task_id": run_id if step_id else None,
            "created_at": f"2026-11-28T16:00:{number:02d}",
        })
        (folder / "files" / f"a_{number}_{artifact_type}.{name.rsplit('.', 1)[-1]}").write_bytes(content)
    (folder / "artifacts.json").write_text(json.dumps(listed))
    return LocalSource(folder, label="test run")

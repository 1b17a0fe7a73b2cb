"""The recorded runs the overview and story tests open, and a live run that grows step by step.

A bundled run (tests/data/bundled) opens two ways: as its storage tree with `--local` (no
database: what the files say), and as the API served it (run.json, steps.json, actions.json,
artifacts.json as recorded), its bytes read from the same storage tree.
"""

from __future__ import annotations

from dataclasses import replace

from textual.pilot import Pilot

from apptools import settle
from bundled_runs import BUNDLED, RECORDED, run_id, served_detail
from tui.core.model import Run, RunDetail
from tui.core.sources.local import LocalSource
from tui.ui.app import SkyvernTUI
from tui.ui.screens.run import RunScreen
from tui.ui.widgets.page_view import PageView

__all__ = ["BUNDLED", "RECORDED", "ServedRun", "GrowingRecordedRun", "page_of", "run_id", "served_app", "storage_app",
           "opened"]


class ServedRun(LocalSource):
    """A bundled run as the API served it, its bytes from its storage tree."""

    def __init__(self, run: str) -> None:
        super().__init__(BUNDLED / run / "storage", label=run)
        self.detail = served_detail(run, run)

    def list_runs(self) -> list[Run]:
        return [self.detail.run]

    def load_run(self, run_id: str) -> RunDetail:
        return self.detail


class GrowingRecordedRun(ServedRun):
    """A recorded run replayed as if live: each load_run shows one more step (its artifacts and
    actions), then the run as it ended. It pages its run list, so the app treats it as a server."""

    def __init__(self, run: str) -> None:
        super().__init__(run)
        self.shown = 1

    def list_runs_page(self, page=1, page_size=25, statuses=(), search=None):
        return self.list_runs() if page == 1 else []

    def load_run(self, run_id: str) -> RunDetail:
        detail = self.detail
        steps = sorted(detail.steps, key=lambda s: (s.created_at is None, s.created_at))
        if self.shown > len(steps):
            return detail
        kept = steps[: self.shown]
        ids = {s.step_id for s in kept}
        cut = max(s.created_at for s in kept if s.created_at)
        artifacts = tuple(a for a in detail.artifacts if a.step_id in ids or (not a.step_id and a.created_at and a.created_at <= cut))
        actions = tuple(a for a in detail.actions if a.get("step_id") in ids)
        run = replace(detail.run, status="running", finished_at=None, failure_reason=None)
        self.shown += 1
        return RunDetail(run, tuple(kept), artifacts, actions)


def served_app(run: str) -> SkyvernTUI:
    source = ServedRun(run)
    return SkyvernTUI([source], (source, source.detail.run.run_id))


def storage_app(run: str) -> SkyvernTUI:
    source = LocalSource(BUNDLED / run / "storage", label=run)
    return SkyvernTUI([source], (source, run_id(run)))


def page_of(view: PageView) -> str:
    """What a page shows, as plain text: its wrapped lines joined back, each run of spaces one."""
    return " ".join(" ".join(view.plain_lines()).split())


async def opened(pilot: Pilot) -> RunScreen:
    """The run screen once its model is built (every part read)."""
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, RunScreen), screen
    for _ in range(50):
        if screen.model is not None and not screen.model.loading:
            break
        await settle(pilot)
    assert screen.model is not None and not screen.model.loading, "the run model was never built"
    return screen

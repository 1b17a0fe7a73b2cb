"""`D` against the REAL Skyvern server on loopback, seeded with two recorded runs of one site:
the picker pages the server's run list, loads the other run, and the diff reads both sides
through the API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from skyvern_server import BUNDLED_KEYRING, RealServer, real_server, seed_run
from tests.bundled_runs import BUNDLED
from tests.test_compare_app import diff_screen, open_in_list, pick
from tui.core.compare.result import Kind
from tui.core.sources.api import ApiSettings, ApiSource


@pytest.fixture(scope="module")
def two_runs() -> Iterator[tuple[RealServer, str]]:
    with real_server(BUNDLED / "task_completed", keyring=BUNDLED_KEYRING) as server:
        other = seed_run(server.server, BUNDLED / "task_terminated")
        yield server, other["run_id"]


async def test_d_on_a_server_lists_the_other_runs_prompts_and_compares_them(two_runs: tuple[RealServer, str], tmp_path: Path) -> None:
    from apptools import settle
    from tui.ui.app import SkyvernTUI
    from tui.ui.screens.compare_pick import ComparePickScreen

    server, terminated = two_runs
    settings = ApiSettings(base_url=server.base_url, api_key=server.api_key, local_files=False)
    with ApiSource(settings, tmp_path / "cache") as source:
        app = SkyvernTUI([source], (source, terminated))
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await open_in_list(pilot, "llm_prompt", 0)
            await pilot.press("D")
            await settle(pilot)
            picker = app.screen
            assert isinstance(picker, ComparePickScreen)
            runs = {c.run for c in picker.candidates}
            assert runs == {"this run", f"{server.run_id} · completed"}, runs
            await pick(pilot, lambda c: c.run != "this run")
            screen = diff_screen(pilot)
            comparison = screen.comparison
            assert comparison is not None and not screen.failed and comparison.what == "lines"
            changed = [r.side.text for r in comparison.rows if r.kind in (Kind.REMOVED, Kind.ADDED)]
            assert any("Planetary gearbox" in line for line in changed)
            assert any("Spur gear 24T" in line for line in changed)

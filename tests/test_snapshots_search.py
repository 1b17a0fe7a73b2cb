"""SVG snapshot of run-wide search results (120x40): the demo searched for "Acme", results
grouped by artifact in step order, the cursor on the second match. Its SVG is made by the lead
(`--snapshot-update`) and looked at: headers (step · type · id · count), places, matches marked."""

from __future__ import annotations

from apptools import SIZE, demo_app, settle


def test_search_results(snap_compare):
    app = demo_app()

    async def before(pilot):
        await settle(pilot)
        await pilot.press("ctrl+f")
        await settle(pilot)
        await pilot.press(*"Acme", "enter")
        await settle(pilot)
        await pilot.press("n", "n")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=before)

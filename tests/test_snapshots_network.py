"""SVG snapshots at 120x40 of the network viewers on the demo run: the HAR table, a filter,
the detail of a failed request, the trace's actions with a frame, its console and network.

Regenerate with `pytest tests/test_snapshots_network.py --snapshot-update`, then LOOK at them.
"""

from __future__ import annotations

from apptools import SIZE, demo_app, settle


async def _open(pilot, down: int = 0) -> None:
    await settle(pilot)
    await pilot.press("5")
    await settle(pilot)
    for _ in range(down):
        await pilot.press("down")
    await pilot.press("enter")
    await settle(pilot)


def test_har(snap_compare):
    async def before(pilot):
        await _open(pilot)
        await pilot.press("down", "down")
        await settle(pilot)

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=before)


def test_har_filtered_failed(snap_compare):
    async def before(pilot):
        await _open(pilot)
        await pilot.press("f", *"failed", "enter")  # f filters; / finds
        await settle(pilot)

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=before)


def test_trace_actions(snap_compare):
    async def before(pilot):
        await _open(pilot, down=1)
        await pilot.press("down", "down")
        await settle(pilot)

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=before)


def test_trace_console(snap_compare):
    async def before(pilot):
        await _open(pilot, down=1)
        await pilot.press("c", "down", "down")
        await settle(pilot)

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=before)


def test_trace_network(snap_compare):
    async def before(pilot):
        await _open(pilot, down=1)
        await pilot.press("R", "end")
        await settle(pilot)

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=before)

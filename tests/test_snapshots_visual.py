"""SVG snapshots at 120x40 of the Visual category: a zoomed screenshot, the flip caption and a
recording (with a frame, and without PyAV).

Regenerate with `pytest tests/test_snapshots_visual.py --snapshot-update`, then LOOK at them.
"""

from __future__ import annotations

import sys

from apptools import SIZE, demo_app, settle
from conftest import DEMO
from tui.ui.viewers import metadata


async def _open_first_screenshot(pilot):
    await settle(pilot)
    await pilot.press("1")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def _open_recording(pilot):
    await settle(pilot)
    await pilot.press("1")
    await settle(pilot)
    await pilot.press("end", "enter")  # the recording is the last of the list (the run's group)
    await settle(pilot)


def test_zoomed_screenshot(snap_compare):
    async def before(pilot):
        await _open_first_screenshot(pilot)
        await pilot.press("z")  # the viewer over the whole screen, as one reads a screenshot
        await settle(pilot)
        await pilot.press(*["plus"] * 5, *["h"] * 6, *["k"] * 6)  # onto the sign-in form: its small print readable
        await settle(pilot)

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=before)


def test_flip_caption(snap_compare):
    async def before(pilot):
        await _open_first_screenshot(pilot)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        await pilot.press("right_square_bracket")
        await settle(pilot)

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=before)


def test_recording_frame(snap_compare):
    async def before(pilot):
        await _open_recording(pilot)
        await pilot.press("greater_than_sign")  # 10 s on
        await settle(pilot)

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=before)


def test_recording_without_pyav(snap_compare, monkeypatch):
    monkeypatch.setitem(sys.modules, "av", None)
    # The table names the file by its absolute path: make it the same on every checkout.
    rows = metadata.metadata_rows
    monkeypatch.setattr(metadata, "metadata_rows", lambda a, size=None: [
        (k, v.replace(str(DEMO), "<demo>")) for k, v in rows(a, size)
    ])

    async def before(pilot):
        await _open_recording(pilot)

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=before)

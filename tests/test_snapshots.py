"""SVG snapshots at 120x40 of the picker, the run screen and one artifact of each category.

Regenerate with `pytest tests/test_snapshots.py --snapshot-update`, then LOOK at them
(rsvg-convert -o x.png tests/__snapshots__/test_snapshots/*.svg) before committing.
"""

from __future__ import annotations

import pytest

from apptools import SIZE, demo_app, settle


def test_picker(snap_compare):
    async def before(pilot):
        await settle(pilot)

    assert snap_compare(demo_app(open_run=False), terminal_size=SIZE, run_before=before)


def test_run_screen(snap_compare):
    async def before(pilot):
        await settle(pilot)

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=before)


@pytest.mark.parametrize("key", ["1", "2", "3", "4", "5", "6"])
def test_first_artifact_of_category(snap_compare, key):
    async def before(pilot):
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=before)


def test_help(snap_compare):
    async def before(pilot):
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=before)

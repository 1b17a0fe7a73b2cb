"""SVG snapshot of the info panel (`i`) on the demo at 120x40: the first screenshot of the
Visual category, every field a row (its file:// signed URL never expires), the command line
`skyvern-tui --demo --open ...` and the run's app URL, the cursor on the first row.

Regenerate with `pytest tests/test_snapshots_info.py --snapshot-update`, then LOOK at it.
"""

from __future__ import annotations

from apptools import SIZE, demo_app, first_category, settle
from tui.ui.screens.info import InfoScreen


def test_info_panel(snap_compare):
    async def before(pilot):
        await settle(pilot)
        await first_category(pilot)
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(pilot.app.screen, InfoScreen)

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=before)

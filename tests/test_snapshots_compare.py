"""SVG snapshots of the artifact diff on the demo run: a text diff (two HTML pages) and a tree
diff (two element trees), at 120x40 (unified) and one wide (side by side).

Regenerate with `pytest tests/test_snapshots_compare.py --snapshot-update`, then LOOK at them.
"""

from __future__ import annotations

import pytest
from apptools import SIZE, demo_app, settle

# The first artifact of each pair is opened, D pressed, the second one picked.
PAIRS = {
    "html": ("a_602148167543730942", "a_602148236263207766"),  # html_scrape of step 1 and step 2
    "tree": ("a_602148167543730948", "a_602148236263207772"),  # visible_elements_tree of step 1 and step 2
}


def comparing(name: str, *keys: str):
    left, right = PAIRS[name]

    async def before(pilot):
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        ids = [a.artifact_id for a in pilot.app.screen.artifact_list.artifacts]
        for _ in range(ids.index(left)):
            await pilot.press("j")
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        picker = pilot.app.screen
        index = next(n for n, c in enumerate(picker.candidates) if c.artifact.artifact_id == right)
        options = picker.options
        picker.options.highlighted = next(i for i in range(options.option_count)
                                          if options.get_option_at_index(i).id == str(index))
        await pilot.press("enter")
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return before


@pytest.mark.parametrize("name", ["html", "tree"])
def test_artifact_diff(snap_compare, name):
    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=comparing(name, "n"))


@pytest.mark.parametrize("name", ["html", "tree"])
def test_artifact_diff_side_by_side(snap_compare, name):
    assert snap_compare(demo_app(), terminal_size=(180, 40), run_before=comparing(name))

"""SVG snapshots at 120x40 of the page structure viewers on the demo run.

Regenerate with `pytest tests/test_snapshots_structure.py --snapshot-update`, then LOOK at them.
"""

from __future__ import annotations

import pytest
from apptools import SIZE, demo_app, settle

PARTS = {
    "tree": "a_602148236263207772",
    "trimmed": "a_602148236263207774",
    "in_prompt": "a_602148236263207776",
    "scrape": "a_602148236263207766",
    "css_map": "a_602148236263207768",
    "href_map": "a_602148236263207750",
}


def opener(artifact_id: str, *keys: str):
    async def before(pilot):
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        screen = pilot.app.screen
        ids = [a.artifact_id for a in screen.artifact_list.artifacts]
        for _ in range(ids.index(artifact_id)):
            await pilot.press("j")
        await pilot.press("enter")
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return before


@pytest.mark.parametrize(
    "name, keys",
    [
        ("tree", ()),
        ("trimmed", ("down", "down", "down", "down")),
        ("in_prompt", ()),
        ("scrape", ()),
        ("css_map", ()),
        ("href_map", ()),
    ],
)
def test_structure_viewer(snap_compare, name, keys):
    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=opener(PARTS[name], *keys))


def test_tree_found_link_expanded_with_details(snap_compare):
    keys = ("slash", *"#AAAb", "enter")
    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=opener(PARTS["tree"], *keys))


def test_html_original_text(snap_compare):
    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=opener(PARTS["scrape"], "r"))

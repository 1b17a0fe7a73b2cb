"""SVG snapshots at 120x40 of each AI reasoning viewer on the demo's real artifacts.

Regenerate with `pytest tests/test_snapshots_ai.py --snapshot-update`, then LOOK at them.
"""

from __future__ import annotations

from apptools import SIZE, demo_app, settle

PROMPT_WITH_HREF = "a_602148171838698266"
REQUEST = "a_602148167543730960"
RESPONSE = "a_602148167543730962"
PARSED = "a_602148167543730964"


async def open_ai(pilot, artifact_id: str) -> None:
    await settle(pilot)
    screen = pilot.app.screen  # the run screen, once the demo run has opened
    await pilot.press("2")
    await settle(pilot)
    for _ in screen.artifact_list.artifacts:
        if screen.artifact_list.artifact.artifact_id == artifact_id:
            break
        await pilot.press("j")
    await pilot.press("enter")
    await settle(pilot)


def test_prompt_wrapped_with_a_resolved_href(snap_compare):
    async def before(pilot):
        await open_ai(pilot, PROMPT_WITH_HREF)
        await pilot.press("z", "w", "G")  # zoomed, wrapped, at the end (the element list)
        await settle(pilot)

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=before)


def test_request_with_the_cursor_on_its_image(snap_compare):
    async def before(pilot):
        await open_ai(pilot, REQUEST)
        viewer = pilot.app.screen.viewer_pane.viewer
        line = next(iter(viewer.model.images))
        await pilot.press(*["j"] * line)
        await settle(pilot)

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=before)


def test_response_content_and_usage(snap_compare):
    async def before(pilot):
        await open_ai(pilot, RESPONSE)

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=before)


def test_actions_second_selected(snap_compare):
    async def before(pilot):
        await open_ai(pilot, PARSED)
        await pilot.press("z", "j")
        await settle(pilot)

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=before)

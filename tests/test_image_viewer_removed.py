"""A screenshot viewer removed (a quick category switch) before its after-refresh caption update."""

from __future__ import annotations

from apptools import demo_app, settle
from tui.ui.viewers.image import ImageViewer


async def test_a_caption_update_after_the_viewer_was_removed_does_nothing():
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("1")  # Visual: its first screenshot opens
        await settle(pilot)
        viewer = app.screen.query_one(ImageViewer)
        await viewer.remove()
        viewer.on_image_view_changed()  # what its on_resize schedules after a refresh; it crashed the app
        await pilot.press("3")
        await settle(pilot)
        assert app.is_running and app.screen.shown_category.value == "structure"


"""What `i`, `y`, `ctrl+s`, `o` and `D` act on: the artifact on screen, whatever the screen."""

from __future__ import annotations

from tests.apptools import demo_app, settle
from tui.core.run_model.model import Place
from tui.ui.screens.artifact import ArtifactScreen
from tui.ui.screens.on_screen import on_screen
from tui.ui.screens.run import RunScreen


async def test_the_artifact_on_screen_follows_the_list_then_the_viewer_then_a_full_size_one() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RunScreen)
        await pilot.press("4")
        await settle(pilot)
        listed = screen.artifact_list.artifact
        shown = on_screen(screen)
        assert shown is not None and listed is not None and shown.located.artifact is listed
        await pilot.press("j")
        await settle(pilot)
        moved = on_screen(screen)
        assert moved is not None and moved.located.artifact is screen.artifact_list.artifact is not listed
        await pilot.press("enter")
        await settle(pilot)
        inside = on_screen(screen)
        assert inside is not None and inside.viewer is not None
        assert inside.viewer.artifact is inside.located.artifact is screen.viewer_pane.artifact
        assert inside.located.detail is screen.detail and inside.located.source is screen.source
        await pilot.press("0")  # the overview: its cursor item's artifact, never the viewer's
        await settle(pilot)
        for _ in range(10):  # down to the first item that is an artifact's place (not a block, not a step)
            item = screen.overview.view.cursor_item
            if item is not None and isinstance(item.link, Place):
                break
            await pilot.press("j")
        assert item is not None and isinstance(item.link, Place)
        over = on_screen(screen)
        assert over is not None
        assert over.viewer is None and over.located.place is item.link
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ArtifactScreen)
        full = on_screen(app.screen)
        assert full is not None and full.located.place == item.link and full.viewer is not None

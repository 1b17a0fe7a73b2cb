"""The app in a real xterm -ti vt340 under Xvfb, graphics left on auto: xterm is found to draw
sixel, the screenshot's pane shows the screenshot's own pixels, and they go with the pane.

Where the pane is comes from the same app laid out headless at the same size; what it must show
is Pillow's scaling of the screenshot file (measured: a mean difference of 0.05 of 255 with
sixel; the same pane in half blocks differs by 13.7).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PIL import Image, ImageChops, ImageStat

from apptools import demo_app, settle, until
from tui.ui.widgets.image_view import ImageView
from xterm_window import XtermWindow, xterm_env

ASSETS = Path(__file__).resolve().parents[1] / "assets" / "demo" / "files"
COMMAND = [str(Path(sys.executable).parent / "skyvern-tui"), "--demo"]
COLUMNS, LINES = 160, 48


async def _pane() -> tuple[tuple[int, int, int, int], Path]:
    app = demo_app()
    async with app.run_test(size=(COLUMNS, LINES)) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        view = app.screen.query_one(ImageView)
        await until(pilot, lambda: view.drawing is not None, tries=3000)
        artifact = app.screen.viewer_pane.viewer.artifact
        region = view.region
        return (region.x, region.y, region.width, region.height), sorted(ASSETS.glob(f"{artifact.artifact_id}_*"))[0]


def _difference(shot: Image.Image, box: tuple[int, int, int, int], path: Path) -> float:
    """Mean colour difference (0-255) between the pane's pixels and the screenshot fitted into them."""
    pane = shot.crop(box).convert("RGB")
    image = Image.open(path).convert("RGB")
    scale = min(pane.width / image.width, pane.height / image.height, 1.0)
    fitted = image.resize((round(image.width * scale), round(image.height * scale)), Image.LANCZOS)
    left, top = (pane.width - fitted.width) // 2, (pane.height - fitted.height) // 2
    drawn = pane.crop((left, top, left + fitted.width, top + fitted.height))
    return sum(ImageStat.Stat(ImageChops.difference(drawn, fitted)).mean) / 3


async def test_xterm_draws_the_screenshot_in_real_pixels_and_removes_it_with_its_pane(tmp_path):
    (x, y, width, height), path = await _pane()
    with XtermWindow(COMMAND, COLUMNS, LINES, env=xterm_env(HOME=str(tmp_path)), cwd=tmp_path) as term:
        cell = term.cell_size()
        box = term.cell_box(x, y, width, height)
        term.wait_for(lambda shot: shot.crop(term.cell_box(0, 0, 20, 1)).getbbox() is not None, timeout=60)
        time.sleep(2)  # the overview is drawn: keys typed now are the run screen's
        term.send("1")
        # The screenshot is white where the page is: wait until the pane has it, then compare.
        shot = term.wait_for(lambda s: _difference(s, box, path) < 3, timeout=60)
        assert _difference(shot, box, path) < 3
        assert cell == (10, 20)
        term.send("3")  # another category: the screenshot's pane is gone, and so are its pixels
        time.sleep(3)
        after = term.shot()
        assert _difference(after, box, path) > 40
        white = sum(after.crop(box).convert("L").histogram()[241:])
        assert white < (box[2] - box[0]) * (box[3] - box[1]) // 20, "the page's white stayed on screen"


async def test_a_stock_xterm_gets_sixel_no_wider_than_it_draws(tmp_path):
    """Stock xterm draws nothing of a sixel image over 1000 px wide (maxGraphicSize): the app asks
    (XTSMGRAPHICS) and draws a maximized screenshot at most that wide, centred, instead of nothing."""
    app = demo_app()
    async with app.run_test(size=(COLUMNS, LINES)) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("z")
        await settle(pilot)
        view = app.screen.query_one(ImageView)
        region = view.region
        path = sorted(ASSETS.glob(f"{app.screen.viewer_pane.viewer.artifact.artifact_id}_*"))[0]
    image = Image.open(path).convert("RGB")
    limit_cols = 1000 // 10
    assert region.width > limit_cols  # wider than xterm draws
    left = (region.x + (region.width - limit_cols) // 2) * 10 + (1000 - image.width) // 2
    top = region.y * 20 + (region.height * 20 - image.height) // 2
    with XtermWindow(COMMAND, COLUMNS, LINES, env=xterm_env(HOME=str(tmp_path)), cwd=tmp_path,
                     max_graphic_size=None) as term:
        term.wait_for(lambda shot: shot.crop(term.cell_box(0, 0, 20, 1)).getbbox() is not None, timeout=60)
        time.sleep(2)
        term.send("1")
        time.sleep(2)
        term.send("z")
        border = term.border

        def drawn(shot: Image.Image) -> float:
            part = shot.crop((border + left, border + top, border + left + image.width, border + top + image.height))
            return sum(ImageStat.Stat(ImageChops.difference(part.convert("RGB"), image)).mean) / 3

        shot = term.wait_for(lambda s: drawn(s) < 3, timeout=60)
        assert drawn(shot) < 3

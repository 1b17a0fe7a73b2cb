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

from picture_checks import difference, fitted, screenshot_pane
from xterm_window import XtermWindow, xterm_env

COMMAND = [str(Path(sys.executable).parent / "skyvern-tui"), "--demo"]
COLUMNS, LINES = 160, 48


def _difference(shot: Image.Image, box: tuple[int, int, int, int], path: Path) -> float:
    """Mean colour difference (0-255) between the pane's pixels and the screenshot fitted into them."""
    pane = shot.crop(box)
    return difference(pane.convert("RGBA"), fitted(Image.open(path), pane.width, pane.height))


async def test_xterm_draws_the_screenshot_in_real_pixels_and_removes_it_with_its_pane(tmp_path):
    (x, y, width, height), path = await screenshot_pane(COLUMNS, LINES)
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
    (x, y, width, height), path = await screenshot_pane(COLUMNS, LINES, maximize=True)
    image = Image.open(path).convert("RGB")
    limit_cols = 1000 // 10
    assert width > limit_cols  # wider than xterm draws
    left = (x + (width - limit_cols) // 2) * 10 + (1000 - image.width) // 2
    top = y * 20 + (height * 20 - image.height) // 2
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

"""The installed command in a pseudo-terminal with a mode forced: the bytes it writes hold the
screenshot, at the pane's size in real pixels (cells times the cell size the tty reports).

Which cells the pane takes is asked of the same app laid out headless at the same size; what
the picture must look like is Pillow's own scaling of the screenshot file in assets/.
"""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

from PIL import Image

from graphics_decode import DecodeError, decode_sixel, kitty_transmissions, placeholder_cells
from picture_checks import difference, fitted, screenshot_pane
from ptyterm import Terminal, terminal_env
from tui.ui.graphics_output import BOTTOM_MARGIN

COLUMNS, LINES = 160, 48
CELL = (8, 16)
DRAWN_ROW = re.compile(r"\x1b7\x1b\[(\d+);(\d+)H(\x1bP.*?\x1b\\)\x1b8", re.S)


def _run(mode: str, tmp_path: Path) -> tuple[Terminal, int]:
    term = Terminal(["--demo", "--graphics", mode], tmp_path, COLUMNS, LINES, env=terminal_env(), cell=CELL)
    term.wait_for("Newest screenshot", timeout=60)
    start = len(term.output)
    term.send("1")
    return term, start


async def test_sixel_the_screenshot_reaches_the_terminal_at_the_panes_pixel_size(tmp_path):
    (x, y, width, height), path = await screenshot_pane(COLUMNS, LINES)
    term, start = _run("sixel", tmp_path)
    try:
        rows: dict[int, Image.Image] = {}
        wanted_rows = [r for r in range(height) if y + r < LINES - BOTTOM_MARGIN]
        for _ in range(300):
            term.pump(0.1)
            text = term.output[start:].decode("utf-8", "replace")
            for match in DRAWN_ROW.finditer(text):
                if int(match[2]) == x + 1 and y + 1 <= int(match[1]) <= y + height:
                    rows[int(match[1]) - y - 1] = decode_sixel(match[3])
            if all(r in rows for r in wanted_rows):
                break
        assert all(r in rows for r in wanted_rows), f"rows drawn: {sorted(rows)}"
        canvas = Image.new("RGBA", (width * CELL[0], height * CELL[1]))
        for r, image in rows.items():
            assert image.width == width * CELL[0] and image.height >= CELL[1]
            canvas.alpha_composite(image.crop((0, 0, image.width, CELL[1])), (0, r * CELL[1]))
        drawn_height = (max(wanted_rows) + 1) * CELL[1]
        assert difference(canvas, fitted(Image.open(path), width * CELL[0], height * CELL[1]), drawn_height) < 2
    finally:
        term.close()


async def test_kitty_the_screenshot_reaches_the_terminal_at_the_panes_pixel_size(tmp_path):
    (x, y, width, height), path = await screenshot_pane(COLUMNS, LINES)
    term, start = _run("kitty", tmp_path)
    try:
        found = None
        for _ in range(300):
            term.pump(0.1)
            try:
                sent = kitty_transmissions(term.output[start:].decode("utf-8", "replace"))
            except DecodeError:  # read in the middle of a transmission: its end is on the way
                continue
            found = next((v for v in sent.values() if v[1].get("c") == str(width) and v[1].get("r") == str(height)), None)
            if found is not None:
                break
        assert found is not None, "no kitty image the size of the pane was sent"
        png, keys = found
        image = Image.open(BytesIO(png))
        assert image.size == (width * CELL[0], height * CELL[1])
        assert difference(image.convert("RGBA"), fitted(Image.open(path), width * CELL[0], height * CELL[1])) < 1
        # Its placeholders were written: every cell of the pane's first row names its column.
        term.pump(0.5)
        text = term.output[start:].decode("utf-8", "replace")
        cells = [cell for line in text.split("\x1b[") for cell in placeholder_cells(line)]
        assert {(0, c) for c in range(width)} <= set(cells)
    finally:
        term.close()

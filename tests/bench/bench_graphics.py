"""Benchmark: a screenshot drawn into a 96x41-cell pane (the visual pane at 160x48) in each
graphics mode, against half blocks measured in the same run.

    python tests/bench/bench_graphics.py

Per mode: the worker's time to scale and draw (draw_part + Pictures.draw), what the terminal
is sent, and on the event loop, the pane's render_line for all its rows and (sixel) the scan
of a whole-screen frame for marked rows. Cells of 10x20 px. Prints figures; asserts nothing.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PIL import Image, ImageDraw  # noqa: E402
from rich.segment import Segment  # noqa: E402
from textual._compositor import LayoutUpdate  # noqa: E402
from textual.geometry import Region  # noqa: E402
from textual.strip import Strip  # noqa: E402

from tui.core.formats.media import ViewPort, draw_part, open_image  # noqa: E402
from tui.core.graphics.modes import CellSize, Graphics, Mode  # noqa: E402
from tui.ui.graphics_output import sixel_frame  # noqa: E402
from tui.ui.pictures import Pictures  # noqa: E402

PANE = (96, 41)
SCREEN = (160, 48)
CELL = CellSize(10, 20)
SIZES = ((1280, 720), (1920, 1080), (3840, 2160))


def screenshot(size: tuple[int, int]) -> bytes:
    """A page-like picture: text-like lines on white, a coloured header."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, size[0], 60), fill=(35, 52, 71))
    for y in range(80, size[1], 24):
        draw.text((20, y), "Skyvern screenshot line with some words " * (size[0] // 300), fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def best(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    modes = {
        "halfblock": Pictures(),
        "sixel": Pictures(Graphics(Mode.SIXEL, CELL, False, "bench", "bench")),
        "kitty": Pictures(Graphics(Mode.KITTY, CELL, False, "bench", "bench")),
    }
    print(f"pane {PANE[0]}x{PANE[1]} cells, cell {CELL.width}x{CELL.height} px")
    print(f"{'picture':>11} {'mode':>9} {'draw (worker)':>14} {'ratio':>6} {'sent':>9} {'lines x41 (loop)':>16}")
    last_sixel = None
    for size in SIZES:
        picture = open_image(screenshot(size))
        baseline = None
        for name, pictures in modes.items():
            px = pictures.pixels(*PANE)
            box, fitted = ViewPort(picture.width, picture.height).crop(*px)

            def draw(pictures=pictures, box=box, fitted=fitted, picture=picture):
                return pictures.draw(draw_part(picture, box, fitted), *PANE)

            seconds = best(draw)
            drawing = draw()
            if name == "sixel":
                last_sixel = drawing
            baseline = baseline or seconds
            sent = len(drawing.transmission or "") + sum(len(row) for row in drawing.sixel_rows)
            strips = drawing.strips()
            loop = best(lambda strips=strips: [strip.crop(0, PANE[0]) for strip in strips], repeat=20)
            print(f"{size[0]}x{size[1]:<6} {name:>9} {seconds * 1000:>11.1f} ms {seconds / baseline:>5.1f}x "
                  f"{sent / 1e6:>7.2f} MB {loop * 1000:>13.2f} ms")
    # The scan after each frame: a whole screen written (a layout change), 41 marked rows in it.
    pictures = modes["sixel"]
    drawing = last_sixel
    assert drawing is not None
    pictures.shown(drawing, "screen")
    lines = []
    for y in range(SCREEN[1]):
        row = drawing.rows[y - 5] if 5 <= y < 5 + PANE[1] else [Segment(" " * PANE[0])]
        lines.append([Strip([Segment("x" * (SCREEN[0] - PANE[0]))]), Strip(row)])
    update = LayoutUpdate(lines, Region(0, 0, *SCREEN))
    scans = [best(lambda: sixel_frame(update, pictures, "screen", SCREEN[1]), repeat=1) for _ in range(20)]
    print(f"sixel: finding the rows a whole-screen frame rewrote: {statistics.median(scans) * 1000:.2f} ms "
          f"(median of 20), {len(sixel_frame(update, pictures, 'screen', SCREEN[1])) / 1e6:.2f} MB written")


if __name__ == "__main__":
    main()

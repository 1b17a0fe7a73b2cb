"""A picture as lines of half blocks, made in a worker: each cell a lower half block `▄`
coloured with the lower pixel over the upper one as background (rich-pixels' way, so drawings
look the same), a run of equal cells one segment.

rich-pixels parsed a style string per cell and left Textual to split, crop and align a
renderable of one segment per cell on the event loop at every repaint (some 50 ms for a pane);
these rows become ready Strips (or Texts for a page) in `pictures.Drawing`, which a line-API
widget hands out as they are.
"""

from __future__ import annotations

from rich.color import Color
from rich.color_triplet import ColorTriplet
from rich.segment import Segment
from rich.style import Style

from ...core.formats.media import Picture, half_block_pixels

LOWER_HALF = "▄"


def half_block_rows(image: Picture) -> list[list[Segment]]:
    """The picture's lines of segments, height / 2 of them (rounded up), width cells each."""
    width, height, pixels = half_block_pixels(image)
    styles: dict[bytes, Style] = {}
    stride = width * 3
    rows: list[list[Segment]] = []
    for top in range(0, height, 2):
        upper = pixels[top * stride:(top + 1) * stride]
        lower = pixels[(top + 1) * stride:(top + 2) * stride]
        row: list[Segment] = []
        run_style: Style | None = None
        run = 0
        for x in range(0, stride, 3):
            key = lower[x:x + 3] + upper[x:x + 3]
            style = styles.get(key)
            if style is None:
                style = styles[key] = Style(color=Color.from_triplet(ColorTriplet(key[0], key[1], key[2])),
                                            bgcolor=Color.from_triplet(ColorTriplet(key[3], key[4], key[5])))
            if style is run_style:
                run += 1
                continue
            if run_style is not None:
                row.append(Segment(LOWER_HALF * run, run_style))
            run_style, run = style, 1
        if run_style is not None:
            row.append(Segment(LOWER_HALF * run, run_style))
        rows.append(row)
    return rows


"""The one way a picture reaches the screen: half blocks, kitty graphics or sixel.

Every widget that shows an image (the image view, the overview's pictures, the trace's film
strip) asks the app's `Pictures` for a `Drawing`: the picture drawn into a box of cells, one
list of segments per cell row. What the rows hold depends on the mode the terminal was found to
speak (`tui.core.graphics`):

- half blocks: two pixels a cell, coloured (the default, and what the snapshot tests see);
- kitty: Unicode placeholders whose foreground colour names an image the terminal was sent
  once (`Drawing.transmission`). They are text to Textual, so they move, scroll, are covered by
  dialogs and go with their pane like any text;
- sixel: blank cells marked with the drawing's key (a Style meta); `graphics_output` draws each
  marked row's own sixel image where the last frame rewrote it, and only where it is whole on
  screen (a row under a dialog or a notification stays blank until it is whole again).

Drawings in the pixel modes fill their box exactly (cells times the cell size in pixels, the
picture centred on a transparent ground), so the terminal never scales them.
"""

from __future__ import annotations

import itertools
import math
import threading
from dataclasses import dataclass, field

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from ..core.formats.media import Picture, centred, downscale
from ..core.graphics import tmux
from ..core.graphics.modes import HALFBLOCK, Graphics, Mode
from .widgets.half_blocks import half_block_rows


SIXEL_META = "graphics.sixel"  # the Style meta key of a sixel drawing's cells: "key:row"


@dataclass(eq=False)
class Drawing:
    """A picture drawn into `width` x `len(rows)` cells."""

    rows: list[list[Segment]]
    width: int
    # kitty: the image the placeholders name, and its transmission (sent once, before it shows).
    image_id: int | None = None
    transmission: str | None = None
    # sixel: the key its cells carry and one sixel image per row.
    sixel_key: str | None = None
    sixel_rows: tuple[str, ...] = ()
    sent: bool = field(default=False, repr=False)
    _strips: list[Strip] | None = field(default=None, repr=False)
    _texts: list[Text] | None = field(default=None, repr=False)

    @property
    def height(self) -> int:
        return len(self.rows)

    def strips(self) -> list[Strip]:
        """The rows as Strips (for a line-API widget), made once."""
        if self._strips is None:
            self._strips = [Strip(row, self.width) for row in self.rows]
        return self._strips

    def texts(self) -> list[Text]:
        """The rows as Texts (for a page of text and pictures, a Static), made once."""
        if self._texts is not None:
            return self._texts
        lines = []
        for row in self.rows:
            line = Text(end="", no_wrap=True)
            for segment in row:
                line.append(segment.text, segment.style)
            lines.append(line)
        self._texts = lines
        return lines


@dataclass(frozen=True)
class ShownSixel:
    """A sixel drawing some widget shows: its rows, their width in cells, and the screen it is on."""

    rows: tuple[str, ...]
    width: int
    screen: object


class Pictures:
    """Draws pictures for the app's mode, and keeps the terminal's side of them: kitty images
    sent and deleted, sixel rows known to `SixelOutput`."""

    def __init__(self, graphics: Graphics = HALFBLOCK, truecolor: bool = True) -> None:
        self.graphics = graphics
        self.truecolor = truecolor
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()  # drawings are made in worker threads
        self.sixel_rows: dict[str, ShownSixel] = {}  # shown sixel drawings by key
        self._kitty_cells = 0
        if graphics.mode is Mode.KITTY:  # here, before the app runs: kitty's module loads Pillow
            from ..core.graphics.kitty import MAX_CELLS

            self._kitty_cells = MAX_CELLS

    @property
    def mode(self) -> Mode:
        return self.graphics.mode

    @property
    def pixel_mode(self) -> bool:
        return self.mode is not Mode.HALFBLOCK

    def cells(self, cols: int, rows: int) -> tuple[int, int]:
        """The part of a box of cells a picture may take: kitty names at most MAX_CELLS rows and
        columns, and a terminal draws nothing of a sixel image wider than it allows."""
        if self.mode is Mode.KITTY:
            return min(cols, self._kitty_cells), min(rows, self._kitty_cells)
        if self.mode is Mode.SIXEL and self.graphics.sixel_width:
            return max(1, min(cols, self.graphics.sixel_width // self.graphics.cell.width)), rows
        return cols, rows

    def pixels(self, cols: int, rows: int) -> tuple[int, int]:
        """The pixels a box of cells holds in this mode (of the part a picture may take)."""
        if not self.pixel_mode:
            return cols, rows * 2
        cols, rows = self.cells(cols, rows)
        return cols * self.graphics.cell.width, rows * self.graphics.cell.height

    def _number(self) -> int:
        with self._lock:
            return next(self._numbers)

    # --- drawing (in a worker) -------------------------------------------------------------
    def draw(self, picture: Picture, cols: int, rows: int) -> Drawing:
        """The picture (already no bigger than `pixels(cols, rows)`) drawn into the box.

        Half blocks draw the picture at its own size (the widget centres it); the pixel modes
        draw the whole box, the picture centred in it.
        """
        if not self.pixel_mode:
            return Drawing(half_block_rows(picture), picture.width)
        cols, rows = self.cells(cols, rows)
        canvas = centred(picture, *self.pixels(cols, rows))
        if self.mode is Mode.KITTY:
            return self._kitty(canvas, cols, rows)
        return self._sixel(canvas, cols)

    def draw_fitted(self, picture: Picture, cols: int, rows: int) -> Drawing:
        """The picture scaled to fit the box, in the cells it needs (a page's picture, a thumbnail)."""
        width, height = self.pixels(cols, rows)
        small = downscale(picture, width, height)
        if not self.pixel_mode:
            return self.draw(small, cols, rows)
        cell = self.graphics.cell
        return self.draw(small, max(1, math.ceil(small.width / cell.width)), max(1, math.ceil(small.height / cell.height)))

    def _kitty(self, canvas: Picture, cols: int, rows: int) -> Drawing:
        from ..core.graphics import kitty  # Pillow: imported by the first drawing, not at start-up

        image_id, rgb = kitty.image_id(self._number(), self.truecolor)
        style = Style.from_color(color=_rgb(rgb))
        lines = [[Segment(kitty.placeholder_line(row, cols), style)] for row in range(rows)]
        # Inside tmux each chunk goes in a passthrough of its own (no envelope grows with the image).
        data = kitty.transmit(image_id, kitty.encode_png(canvas), cols, rows, tmux=self.graphics.tmux)
        return Drawing(lines, cols, image_id=image_id, transmission=data)

    def _sixel(self, canvas: Picture, cols: int) -> Drawing:
        from ..core.graphics import sixel  # Pillow: imported by the first drawing, not at start-up

        key = f"s{self._number()}"
        encoded = tuple(sixel.rows(canvas, self.graphics.cell.height))
        lines = [[Segment(" " * cols, Style.from_meta({SIXEL_META: f"{key}:{row}"}))] for row in range(len(encoded))]
        return Drawing(lines, cols, sixel_key=key, sixel_rows=encoded)

    # --- the terminal's side (on the event loop) --------------------------------------------
    def shown(self, drawing: Drawing, screen: object) -> str:
        """What the terminal must be sent before the drawing's rows appear on `screen` (once)."""
        if drawing.sent:
            return ""
        drawing.sent = True
        if drawing.sixel_key is not None:
            self.sixel_rows[drawing.sixel_key] = ShownSixel(drawing.sixel_rows, drawing.width, screen)
        return drawing.transmission or ""

    def dropped(self, drawing: Drawing) -> str:
        """What frees the drawing in the terminal, once no widget shows it."""
        if not drawing.sent:
            return ""
        drawing.sent = False
        if drawing.sixel_key is not None:
            self.sixel_rows.pop(drawing.sixel_key, None)
        if drawing.image_id is not None:
            from ..core.graphics import kitty

            data = kitty.delete(drawing.image_id)
            return tmux.passthrough(data) if self.graphics.tmux else data
        return ""


def _rgb(rgb: tuple[int, int, int]):
    from rich.color import Color
    from rich.color_triplet import ColorTriplet

    return Color.from_triplet(ColorTriplet(*rgb))


HALF_BLOCKS = Pictures()  # for a widget in an app without graphics of its own (tests of one widget)


def pictures_of(widget) -> Pictures:
    return getattr(widget.app, "pictures", None) or HALF_BLOCKS


def show(widget, drawing: Drawing) -> None:
    """The widget shows the drawing: the terminal gets what it needs first (a kitty image)."""
    data = pictures_of(widget).shown(drawing, widget.screen)
    send = getattr(widget.app, "send_graphics", None)
    if data and send is not None:
        send(data)


def drop(widget, drawing: Drawing) -> None:
    """The widget no longer shows the drawing: the terminal frees it."""
    data = pictures_of(widget).dropped(drawing)
    send = getattr(widget.app, "send_graphics", None)
    if data and send is not None:
        send(data)

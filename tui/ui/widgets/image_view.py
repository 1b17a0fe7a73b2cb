"""An image drawn with half-block characters, fitted to the widget, zoomable and pannable.

Each cell shows two pixels (upper and lower half block), so a pane of W x H cells holds
W x 2H pixels. Only the visible part is drawn: core's `media.draw_part` crops the view out of
the full image and scales it to the cells in one Pillow `resize(box=...)`, then `half_blocks`
turns it into ready Strips. Both run in a worker thread and each (size, zoom, position) is
drawn once; on the event loop `render_line` only centres a ready line (the line API: a
renderable of one segment per cell cost some 50 ms of Textual's splitting and aligning at
every repaint).
"""

from __future__ import annotations

from collections import OrderedDict

from rich.segment import Segment
from rich.text import Text
from textual import work
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from ...core.formats.media import Picture, ViewPort, draw_part
from ..failures import ReportsWorkerFailures
from .half_blocks import half_block_strips

CACHE_SIZE = 24  # drawings kept: enough to pan back and forth without redrawing


class ImageView(ReportsWorkerFailures, Widget):
    DEFAULT_CSS = "ImageView { width: 1fr; height: 1fr; }"

    class Changed(Message):
        """The zoom or the position changed (for a caption to follow)."""

    def __init__(self, image: Picture, **kwargs) -> None:
        super().__init__(**kwargs)
        self.image = image
        self.port = ViewPort(image.width, image.height)
        # Drawings by _key(): the lines of half blocks, or a message that the image cannot be drawn.
        self._rendered: OrderedDict[tuple, list[Strip] | Text] = OrderedDict()
        self._shown: list[Strip] | Text | None = None  # the last drawing, kept while the next is made

    # --- what the viewer calls ------------------------------------------------------------
    def set_image(self, image: Picture) -> None:
        """Show another image of the same kind (the next frame): zoom and position stay."""
        self.image = image
        self._rendered.clear()
        if image.size != (self.port.image_width, self.port.image_height):
            self.port = ViewPort(image.width, image.height)
        self._redraw()

    def zoom_in(self) -> bool:
        return self._change(self.port.zoom_in(*self._cells_px))

    def zoom_out(self) -> bool:
        return self._change(self.port.zoom_out(*self._cells_px))

    def fit(self) -> bool:
        return self._change(self.port.fit())

    def pan(self, dx: float, dy: float) -> bool:
        """Move by a fraction of the view (0.25 = a quarter of the pane)."""
        return self._change(self.port.pan(dx, dy, *self._cells_px))

    @property
    def scale(self) -> float:
        """Pixels on screen per image pixel, as drawn at the current size."""
        return self.port.scale(*self._cells_px)

    # --- drawing ----------------------------------------------------------------------------
    @property
    def _cells_px(self) -> tuple[int, int]:
        return (self.size.width, self.size.height * 2)

    def _key(self) -> tuple:
        # The fitted drawing depends on the size only.
        if not self.port.zoomed:
            return (self.size.width, self.size.height)
        return (self.size.width, self.size.height, self.port.level, round(self.port.cx, 2), round(self.port.cy, 2))

    def _change(self, changed: bool) -> bool:
        if changed:
            self._redraw()
            self.post_message(self.Changed())
        return changed

    def render_line(self, y: int) -> Strip:
        """Line y of the drawing, centred in the widget (or of the message in its place)."""
        drawing = self._rendered.get(self._key())
        if drawing is not None:
            self._shown = drawing
        else:
            drawing = self._shown if self._shown is not None else Text("Drawing…", style="dim")
        width, height = self.size
        style = self.visual_style.rich_style
        lines = drawing if isinstance(drawing, list) else self._message_lines(drawing, width)
        row = y - max(0, height - len(lines)) // 2
        if not 0 <= row < len(lines) or width <= 0:
            return Strip.blank(width, style)
        line = lines[row].crop(0, width)
        left = (width - line.cell_length) // 2
        right = width - line.cell_length - left
        return Strip([Segment(" " * left, style), *line, Segment(" " * right, style)], width) if left or right else line

    def _message_lines(self, message: Text, width: int) -> list[Strip]:
        """A message (wrapped to the width), centred like a drawing."""
        console = self.app.console
        lines = message.wrap(console, max(1, width), justify="center")
        base = self.visual_style.rich_style
        return [Strip(Segment.apply_style(line.render(console), base)) for line in lines]

    def on_resize(self) -> None:
        self._redraw()

    def _redraw(self) -> None:
        key = self._key()
        if key[0] > 0 and key[1] > 0 and key not in self._rendered:
            self._draw(key, self.image, self.port.crop(*self._cells_px))
        else:
            self.refresh()

    @work(thread=True, exclusive=True, group="image-draw", exit_on_error=False)
    def _draw(self, key: tuple, image: Picture, crop: tuple[tuple[float, float, float, float], tuple[int, int]]) -> None:
        box, size = crop
        try:
            drawing: list[Strip] | Text = half_block_strips(draw_part(image, box, size))
        except Exception as exc:  # Pillow can fail late on odd files
            drawing = Text(f"Cannot draw this image: {type(exc).__name__}: {exc}", style="red")
        self.app.call_from_thread(self._drawn, key, image, drawing)

    def _drawn(self, key: tuple, image: Picture, pixels: list[Strip] | Text) -> None:
        if image is not self.image:
            return  # a drawing of the previous frame
        self._rendered[key] = pixels
        while len(self._rendered) > CACHE_SIZE:
            self._rendered.popitem(last=False)
        self.refresh()

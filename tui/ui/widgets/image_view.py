"""An image fitted to the widget, zoomable and pannable, drawn by the app's `Pictures`.

With half blocks each cell shows two pixels, so a pane of W x H cells holds W x 2H pixels; with
kitty graphics or sixel it holds W x H cells times the cell size in real pixels. Only the
visible part is drawn: core's `media.draw_part` crops the view out of the full image and scales
it to the pane in one Pillow `resize(box=...)`, then `Pictures.draw` turns it into ready rows.
Both run in a worker thread and each (size, zoom, position) is drawn once; on the event loop
`render_line` only centres a ready line (the line API: a renderable of one segment per cell
cost some 50 ms of Textual's splitting and aligning at every repaint).
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
from ..pictures import Drawing, drop, pictures_of, show

CACHE_SIZE = 24  # drawings kept: enough to pan back and forth without redrawing
# Real pixels weigh more (a kitty image stays in the terminal's memory until it is dropped).
PIXEL_CACHE_SIZE = 4


class ImageView(ReportsWorkerFailures, Widget):
    DEFAULT_CSS = "ImageView { width: 1fr; height: 1fr; }"

    class Changed(Message):
        """The zoom or the position changed (for a caption to follow)."""

    def __init__(self, image: Picture, **kwargs) -> None:
        super().__init__(**kwargs)
        self.image = image
        self.port = ViewPort(image.width, image.height)
        # Drawings by _key(), or a message that the image cannot be drawn.
        self._rendered: OrderedDict[tuple, Drawing | Text] = OrderedDict()
        self._shown: Drawing | Text | None = None  # the last drawing, kept while the next is made

    # --- what the viewer calls ------------------------------------------------------------
    def set_image(self, image: Picture) -> None:
        """Show another image of the same kind (the next frame): zoom and position stay."""
        self.image = image
        self._forget(keep=self._shown)
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
    def drawing(self) -> Drawing | None:
        """The drawing of the current size, zoom and position, once it is made."""
        made = self._rendered.get(self._key())
        return made if isinstance(made, Drawing) else None

    @property
    def scale(self) -> float:
        """Pixels on screen per image pixel, as drawn at the current size."""
        return self.port.scale(*self._cells_px)

    # --- drawing ----------------------------------------------------------------------------
    @property
    def _cells_px(self) -> tuple[int, int]:
        return pictures_of(self).pixels(self.size.width, self.size.height)

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
            if drawing is not self._shown:
                self._switch(drawing)
        else:
            drawing = self._shown if self._shown is not None else Text("Drawing…", style="dim")
        width, height = self.size
        style = self.visual_style.rich_style
        lines = drawing.strips() if isinstance(drawing, Drawing) else self._message_lines(drawing, width)
        row = y - max(0, height - len(lines)) // 2
        if not 0 <= row < len(lines) or width <= 0:
            return Strip.blank(width, style)
        line = lines[row].crop(0, width)
        if isinstance(drawing, Drawing) and drawing.sixel_key is not None:
            line = line.apply_style(style)  # blank cells under the sixel: the pane's background
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
        drawing: Drawing | Text
        try:
            made = pictures_of(self).draw(draw_part(image, box, size), key[0], key[1])
            made.strips()  # made here, not on the event loop
            drawing = made
        except Exception as exc:  # Pillow can fail late on odd files
            drawing = Text(f"Cannot draw this image: {type(exc).__name__}: {exc}", style="red")
        self.app.call_from_thread(self._drawn, key, image, drawing)

    def _drawn(self, key: tuple, image: Picture, drawing: Drawing | Text) -> None:
        if image is not self.image or not self.is_attached:
            if isinstance(drawing, Drawing):
                drop(self, drawing)
            return  # a drawing of the previous frame, or of a view that is gone
        if isinstance(drawing, Drawing):
            show(self, drawing)  # a kitty image is sent before its placeholders are drawn
        self._rendered[key] = drawing
        kept = CACHE_SIZE if not pictures_of(self).pixel_mode else PIXEL_CACHE_SIZE
        while len(self._rendered) > kept:
            _, old = self._rendered.popitem(last=False)
            if isinstance(old, Drawing) and old is not self._shown:
                drop(self, old)
        self.refresh()

    def _switch(self, drawing: Drawing | Text) -> None:
        old, self._shown = self._shown, drawing
        if isinstance(old, Drawing) and not any(old is kept for kept in self._rendered.values()):
            drop(self, old)  # shown until now, no longer cached

    def _forget(self, keep: object = None) -> None:
        """Drop every drawing (the terminal frees them) but `keep`, shown until the next is made."""
        for old in self._rendered.values():
            if isinstance(old, Drawing) and old is not keep:
                drop(self, old)
        self._rendered.clear()

    def on_unmount(self) -> None:
        self._forget()
        if isinstance(self._shown, Drawing):
            drop(self, self._shown)
        self._shown = None

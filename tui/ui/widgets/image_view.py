"""An image drawn with half-block characters, fitted to the widget, re-fitted on resize.

Pillow shrinks the image to the cells available (columns x rows*2 pixels) before rich-pixels
turns it into segments: rich-pixels on a full 1920x1080 picture takes seconds. Both run in a
worker thread, and each size is rendered once.
"""

from __future__ import annotations

from PIL import Image
from rich.console import RenderableType
from rich.text import Text
from rich_pixels import Pixels
from textual import work
from textual.widget import Widget

from ...core.formats.media import downscale


class ImageView(Widget):
    DEFAULT_CSS = "ImageView { width: 1fr; height: 1fr; content-align: center middle; }"

    def __init__(self, image: Image.Image, **kwargs) -> None:
        super().__init__(**kwargs)
        self.image = image
        self._rendered: dict[tuple[int, int], RenderableType] = {}

    def render(self) -> RenderableType:
        size = (self.size.width, self.size.height)
        pixels = self._rendered.get(size)
        if pixels is None:
            return Text("Drawing…", style="dim")
        return pixels

    def on_resize(self) -> None:
        size = (self.size.width, self.size.height)
        if size[0] > 0 and size[1] > 0 and size not in self._rendered:
            self._draw(size)

    @work(thread=True, exclusive=True, group="image-draw", exit_on_error=False)
    def _draw(self, size: tuple[int, int]) -> None:
        width, height = size
        try:
            small = downscale(self.image, width, height * 2)
            pixels: RenderableType = Pixels.from_image(small)
        except Exception as exc:  # Pillow can fail late on odd files
            pixels = Text(f"Cannot draw this image: {type(exc).__name__}: {exc}", style="red")
        self.app.call_from_thread(self._drawn, size, pixels)

    def _drawn(self, size: tuple[int, int], pixels: RenderableType) -> None:
        self._rendered[size] = pixels
        self.refresh()

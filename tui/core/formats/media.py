"""Images: decode safely and compute the size that fits a terminal pane."""

from __future__ import annotations

import io
from typing import TypeAlias

from PIL import Image

from ..errors import ParseError

# A decoded image. The UI holds and passes these, and scales them only through this module.
Picture: TypeAlias = Image.Image


def open_image(data: bytes) -> Image.Image:
    """Decode an image fully (so errors surface here, in a worker) and convert it to RGB."""
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Image.DecompressionBombError as exc:
        raise ParseError(f"The image is too large to decode safely: {exc}") from exc
    except Exception as exc:  # Pillow raises many types for bad bytes
        raise ParseError(f"Not a readable image: {exc}") from exc
    return image.convert("RGB")


def fit_size(width: int, height: int, max_width: int, max_height: int) -> tuple[int, int]:
    """The largest size within the bounds that keeps the aspect ratio; never upscales."""
    if width <= 0 or height <= 0 or max_width <= 0 or max_height <= 0:
        return (0, 0)
    scale = min(max_width / width, max_height / height, 1.0)
    return (max(1, round(width * scale)), max(1, round(height * scale)))


def downscale(image: Image.Image, max_width: int, max_height: int) -> Image.Image:
    size = fit_size(image.width, image.height, max_width, max_height)
    if size == image.size or size == (0, 0):
        return image
    # reducing_gap makes Pillow shrink by whole factors first: many times faster on 1920x1080.
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def draw_part(image: Picture, box: tuple[float, float, float, float], size: tuple[int, int]) -> Picture:
    """The `box` of the image scaled to `size` in one resize (a worker's job: it can take 100 ms).

    Shrinking smooths (LANCZOS); enlarging keeps pixels sharp so small text stays crisp."""
    enlarge = size[0] > box[2] - box[0]
    method = Image.Resampling.NEAREST if enlarge else Image.Resampling.LANCZOS
    return image.resize(size, method, box=box, reducing_gap=None if enlarge else 3.0)


def thumbnail(data: bytes, max_width: int, max_height: int) -> Picture:
    """Decode an image and shrink it to fit the bounds (a film strip's small pictures)."""
    return downscale(open_image(data), max_width, max_height)


ZOOM_STEP = 1.5
# The closest zoom: one image pixel over 2x2 half-block pixels (two cells tall, two wide),
# where small text of a screenshot becomes readable.
MAX_SCALE = 2.0


class ViewPort:
    """Which part of an image a pane shows, and how large.

    Level 0 fits the whole image (never enlarged); each level up multiplies the scale by
    ZOOM_STEP, until one image pixel covers MAX_SCALE screen pixels. The centre (cx, cy) is
    in image pixels and kept where the view stays inside the image. Sizes are in screen
    pixels: a pane of W x H cells is W x 2H half-block pixels.
    """

    def __init__(self, image_width: int, image_height: int) -> None:
        self.image_width = image_width
        self.image_height = image_height
        self.level = 0
        self.cx = image_width / 2
        self.cy = image_height / 2

    def fit_scale(self, width: int, height: int) -> float:
        if self.image_width <= 0 or self.image_height <= 0 or width <= 0 or height <= 0:
            return 1.0
        return min(width / self.image_width, height / self.image_height, 1.0)

    def scale(self, width: int, height: int) -> float:
        fit = self.fit_scale(width, height)
        return fit if self.level == 0 else max(fit, min(fit * ZOOM_STEP**self.level, MAX_SCALE))

    @property
    def zoomed(self) -> bool:
        return self.level > 0

    def zoom_in(self, width: int, height: int) -> bool:
        if self.scale(width, height) >= MAX_SCALE:
            return False
        self.level += 1
        self._clamp(width, height)
        return True

    def zoom_out(self, width: int, height: int) -> bool:
        if self.level == 0:
            return False
        fit = self.fit_scale(width, height)
        while self.level > 1 and fit * ZOOM_STEP ** (self.level - 1) >= MAX_SCALE:
            self.level -= 1  # levels past the cap (after the pane grew) all look the same
        self.level -= 1
        self._clamp(width, height)
        return True

    def fit(self) -> bool:
        if self.level == 0:
            return False
        self.level = 0
        self.cx, self.cy = self.image_width / 2, self.image_height / 2
        return True

    def pan(self, dx: float, dy: float, width: int, height: int) -> bool:
        """Move by fractions of the view; False when zoomed out or already at the edge."""
        if self.level == 0:
            return False
        scale = self.scale(width, height)
        before = (self.cx, self.cy)
        self.cx += dx * width / scale
        self.cy += dy * height / scale
        self._clamp(width, height)
        return (self.cx, self.cy) != before

    def _view(self, width: int, height: int) -> tuple[float, float, float]:
        scale = self.scale(width, height)
        return scale, min(width / scale, self.image_width), min(height / scale, self.image_height)

    def _clamp(self, width: int, height: int) -> None:
        _, vw, vh = self._view(width, height)
        self.cx = min(max(self.cx, vw / 2), self.image_width - vw / 2)
        self.cy = min(max(self.cy, vh / 2), self.image_height - vh / 2)

    def crop(self, width: int, height: int) -> tuple[tuple[float, float, float, float], tuple[int, int]]:
        """(box in the image, size on screen) of what a pane of width x height pixels shows."""
        if self.level == 0:
            size = fit_size(self.image_width, self.image_height, width, height)
            return (0.0, 0.0, float(self.image_width), float(self.image_height)), size
        self._clamp(width, height)
        scale, vw, vh = self._view(width, height)
        left, top = self.cx - vw / 2, self.cy - vh / 2
        size = (max(1, min(width, round(vw * scale))), max(1, min(height, round(vh * scale))))
        return (left, top, left + vw, top + vh), size

"""Images: decode safely and compute the size that fits a terminal pane."""

from __future__ import annotations

import io

from PIL import Image

from ..errors import ParseError


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

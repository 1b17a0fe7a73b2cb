"""Images: decode safely and compute the size that fits a terminal pane.

Only the formats a browser writes are opened: Pillow would otherwise take EPS (and run
Ghostscript on the artifact's bytes) or any of its other plugins. A big image is decoded
reduced: JPEG at a smaller DCT scale (`draft`, so the full size is never in memory), other
formats reduced by a whole factor right after decoding, before anything copies them.

Pillow is imported on the first decode (a worker's), not when the program starts. The last
picture decoded is kept, by a digest of its bytes: the overview draws the run's newest
screenshot and its viewer then shows the same one without decoding it again (a 3840x2160 PNG
takes a tenth of a second); two threads asking for the same bytes at once decode them once.
Pictures are shared, so nothing changes one in place: scaling makes a new one.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, TypeAlias

from ..errors import ParseError

# A decoded image. The UI holds and passes these, and scales them only through this module.
if TYPE_CHECKING:
    from PIL import Image

    Picture: TypeAlias = Image.Image
else:
    Picture = "PIL.Image.Image"  # for annotations only: naming it must not import Pillow

FORMATS = ("PNG", "JPEG", "WEBP", "GIF")  # what browsers write (and Skyvern's screenshots are)
# Pixels kept of a decoded picture: a 1920 x 12,500 full-page screenshot whole, enough to zoom
# into; a bigger one is reduced by a whole factor (12000 x 12000 by 3, to 4000 x 4000).
MAX_PIXELS = 24_000_000
_REDUCIBLE = ("RGB", "RGBA", "L", "LA")  # modes Image.reduce takes as they are
# What bytes that are not a screenshot often are, to say so.
_OTHER_KINDS = ((b"%!PS", "PostScript (EPS)"), (b"\xc5\xd0\xd3\xc6", "PostScript (EPS)"), (b"%PDF", "PDF"),
                (b"<svg", "SVG"), (b"<?xml", "XML"), (b"BM", "BMP"), (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"))
_REPR = re.compile(r"<[^<>]* at 0x[0-9a-fA-F]+>")  # an object's repr in a Pillow message


def _reason(exc: BaseException) -> str:
    """Pillow's message for a person: without object reprs and addresses."""
    return _REPR.sub("the data", str(exc)).strip() or type(exc).__name__


def _not_an_image(data: bytes) -> ParseError:
    if not data:
        return ParseError("Not a readable image: empty file (0 bytes).")
    head = data[:16].lstrip()
    kind = next((name for magic, name in _OTHER_KINDS if head.startswith(magic)), None)
    if kind:
        return ParseError(f"Not a readable image: a {kind} file; images open only as PNG, JPEG, WebP or GIF.")
    return ParseError(f"Not a readable image: {len(data)} bytes that are not PNG, JPEG, WebP or GIF.")


def _factor(size: tuple[int, int], target: tuple[int, int] | None, max_pixels: int) -> int:
    """The whole factor to shrink by: to about `target` (never below it), else to max_pixels."""
    width, height = size
    if width <= 0 or height <= 0:
        return 1
    if target is not None and target[0] > 0 and target[1] > 0:
        factor = min(width // target[0], height // target[1])
    else:
        factor = 1
    return max(factor, math.ceil(math.sqrt(width * height / max_pixels)), 1)


DECODED_KEPT = 1  # pictures kept decoded (a 3840x2160 one weighs 25 MB)
_decoded: OrderedDict[tuple[object, ...], Picture] = OrderedDict()
_decoding: dict[tuple[object, ...], threading.Event] = {}
_lock = threading.Lock()


def open_image(data: bytes, target: tuple[int, int] | None = None, max_pixels: int = MAX_PIXELS) -> Picture:
    """Decode an image (so errors surface here, in a worker) as RGB, reduced by a whole factor
    when it is bigger than `target` (the size it will be drawn at) or than max_pixels.

    The same bytes asked for again (or meanwhile, by another thread) give the same picture."""
    key = (hashlib.blake2b(data, digest_size=16).digest(), len(data), target, max_pixels)
    while True:
        with _lock:
            if key in _decoded:
                _decoded.move_to_end(key)
                return _decoded[key]
            pending = _decoding.get(key)
            if pending is None:
                _decoding[key] = threading.Event()
                break
        pending.wait()  # then taken from what it decoded, or decoded here if that failed
    try:
        picture = _decode(data, target, max_pixels)
        with _lock:
            _decoded[key] = picture
            while len(_decoded) > DECODED_KEPT:
                _decoded.popitem(last=False)
        return picture
    finally:
        with _lock:
            _decoding.pop(key).set()


def _decode(data: bytes, target: tuple[int, int] | None, max_pixels: int) -> Picture:
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data), formats=FORMATS)
    except Image.DecompressionBombError as exc:
        raise ParseError(f"The image is too large to decode safely: {_reason(exc)}") from None
    except UnidentifiedImageError:
        raise _not_an_image(data) from None
    except Exception as exc:  # Pillow raises many types for bad headers
        raise ParseError(f"Not a readable image: {_reason(exc)}") from None
    kind = image.format or "image"
    try:
        factor = _factor(image.size, target, max_pixels)
        if factor > 1 and kind == "JPEG":
            # Decoded at 1/2, 1/4 or 1/8 scale directly: the full size is never in memory.
            image.draft("RGB", (math.ceil(image.width / factor), math.ceil(image.height / factor)))
            factor = _factor(image.size, target, max_pixels)
        image.load()
        picture: Picture = image
        if factor > 1 and picture.mode not in _REDUCIBLE:
            picture = picture.convert("RGB")
        if factor > 1:
            picture = picture.reduce(factor)  # the full-size decode is let go here
    except Image.DecompressionBombError as exc:
        raise ParseError(f"The image is too large to decode safely: {_reason(exc)}") from None
    except Exception as exc:  # a cut or damaged file fails here, when the pixels are read
        raise ParseError(f"Not a readable image: the {kind} data is damaged ({_reason(exc)}).") from None
    del image  # the full-size decode (when reduced) is not kept alive by this frame
    return picture if picture.mode == "RGB" else picture.convert("RGB")


def fit_size(width: int, height: int, max_width: int, max_height: int) -> tuple[int, int]:
    """The largest size within the bounds that keeps the aspect ratio; never upscales."""
    if width <= 0 or height <= 0 or max_width <= 0 or max_height <= 0:
        return (0, 0)
    scale = min(max_width / width, max_height / height, 1.0)
    return (max(1, round(width * scale)), max(1, round(height * scale)))


def downscale(image: Picture, max_width: int, max_height: int) -> Picture:
    from PIL import Image

    size = fit_size(image.width, image.height, max_width, max_height)
    if size == image.size or size == (0, 0):
        return image
    # reducing_gap makes Pillow shrink by whole factors first: many times faster on 1920x1080.
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def draw_part(image: Picture, box: tuple[float, float, float, float], size: tuple[int, int]) -> Picture:
    """The `box` of the image scaled to `size` in one resize (a worker's job: it can take 100 ms).

    Shrinking smooths (LANCZOS); enlarging keeps pixels sharp so small text stays crisp."""
    from PIL import Image

    enlarge = size[0] > box[2] - box[0]
    method = Image.Resampling.NEAREST if enlarge else Image.Resampling.LANCZOS
    return image.resize(size, method, box=box, reducing_gap=None if enlarge else 3.0)


def centred(image: Picture, width: int, height: int) -> Picture:
    """The image in the middle of a transparent RGBA picture of that size (a box of cells in
    real pixels, which the terminal then draws as it is, unscaled)."""
    from PIL import Image

    canvas = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    picture = image if image.mode in ("RGB", "RGBA") else image.convert("RGBA")
    canvas.paste(picture, ((width - picture.width) // 2, (height - picture.height) // 2))
    return canvas


def half_block_pixels(image: Picture) -> tuple[int, int, bytes]:
    """(width, height, RGB bytes row by row) of the image made an even number of rows tall, for
    drawing two pixel rows per line of half blocks (an odd height is stretched by one row,
    nearest neighbour, as rich-pixels does)."""
    from PIL import Image

    if image.height % 2:
        image = image.resize((image.width, image.height + 1), Image.Resampling.NEAREST)
    if image.mode != "RGB":
        image = image.convert("RGB")
    return image.width, image.height, image.tobytes()


def thumbnail(data: bytes, max_width: int, max_height: int) -> Picture:
    """Decode an image and shrink it to fit the bounds (a film strip's small pictures),
    decoding no more pixels than that needs."""
    return downscale(open_image(data, (max_width, max_height)), max_width, max_height)


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

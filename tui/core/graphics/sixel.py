"""Sixel images on Pillow, fast enough to run for every drawn picture.

A sixel image is drawn in bands of 6 pixel rows; in each band every colour is one line of
characters ('?' + a 6-bit column mask), lines joined by '$' (back to the band's start) and bands
by '-'. P2=1 makes unset pixels transparent: they keep what the terminal had drawn there, so
transparent parts of a picture cost nothing and show the cells beneath.

The per-pixel work is done by bytes.translate and big-int arithmetic on whole rows (no Python loop
per pixel): for colour c and row k of a band, translate maps c to the bit 1 << k and everything
else to 0; the six rows, read as big integers, add up with no carry between bytes (each byte stays
under 64), and adding 63 to every byte turns the masks into sixel characters.
"""

from __future__ import annotations

import re

from PIL import Image

TRANSPARENT = 255  # palette index kept for alpha < 128: never drawn
MAX_COLORS = 255
_INTRO = '\x1bP0;1;0q"1;1;'  # P2=1: unset pixels transparent; raster aspect 1:1
_ST = "\x1b\\"
_RUN = re.compile(rb"(.)\1{3,}")
# In a band of many colours (photos, noise) each colour's line is mostly empty: runs of '?' (and
# '~' for solid parts) are nearly all there is, and this simpler pattern is twice as fast.
_EMPTY_OR_FULL_RUN = re.compile(rb"(\?{4,}|~{4,})")
_MANY_COLORS = 64

# _MASKS[k][c]: the translate table mapping palette index c to 1 << k, every other index to 0.
_MASKS: list[list[bytes]] = []


def _masks() -> list[list[bytes]]:
    if not _MASKS:
        zero = bytes(256)
        for k in range(6):
            row = []
            for c in range(256):
                table = bytearray(zero)
                table[c] = 1 << k
                row.append(bytes(table))
            _MASKS.append(row)
    return _MASKS


class _RunCodes(dict[bytes, bytes]):
    """A run of one sixel character -> its repeat code (a few thousand distinct runs at most)."""

    def __missing__(self, run: bytes) -> bytes:
        if len(self) > 4096:  # wide pictures make many lengths: bound the memory
            self.clear()
        code = self[run] = b"!%d%c" % (len(run), run[0])
        return code


_RUN_CODES = _RunCodes()


def _run(match: re.Match[bytes]) -> bytes:
    run = match.group()
    return b"!%d%c" % (len(run), run[0])


def _indexed(image: Image.Image, colors: int) -> tuple[bytes, list[tuple[int, int, int]]]:
    """Palette indices (TRANSPARENT where alpha < 128) and the palette."""
    colors = max(1, min(MAX_COLORS, colors))
    rgba = image.convert("RGBA")
    alpha = rgba.getchannel("A").point(lambda a: 255 if a < 128 else 0)
    rgb = rgba.convert("RGB")
    hidden = alpha.getbbox() is not None
    if hidden:
        # Transparent pixels take the colour of an opaque one, so they cost no palette entry.
        opaque = alpha.point(lambda a: 255 - a)
        box = opaque.getbbox()
        if box is None:
            return bytes([TRANSPARENT]) * (image.width * image.height), []
        y = box[1]
        row = opaque.crop((0, y, image.width, y + 1)).tobytes()
        r, g, b = rgb.crop((row.find(b"\xff"), y, row.find(b"\xff") + 1, y + 1)).tobytes()
        rgb.paste((r, g, b), mask=alpha)
    found = rgb.getcolors(colors)
    if found is not None:
        # Few colours: median cut gives each its own box, so they come back exact (the octree
        # would merge close ones, a palette= mapping goes through a coarse colour cache).
        count = len(found)
        indexed = rgb.quantize(count, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    else:
        count = colors
        indexed = rgb.quantize(colors, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    raw = indexed.getpalette() or []
    palette = [(raw[3 * i], raw[3 * i + 1], raw[3 * i + 2]) for i in range(min(count, len(raw) // 3))]
    if hidden:
        indexed.paste(TRANSPARENT, mask=alpha)
    return indexed.tobytes(), palette


def encode(image: Image.Image, colors: int = MAX_COLORS) -> str:
    """The whole image as one sixel sequence (DCS ... ST) of at most `colors` colours (<= 255).
    Pixels with alpha < 128 are left unset, so the terminal keeps what was there."""
    width, height = image.size
    if width < 1 or height < 1:
        raise ValueError("an image of at least 1x1 pixels")
    data, palette = _indexed(image, colors)
    masks = _masks()
    out = [f"{_INTRO}{width};{height}"]
    out += [f"#{i};2;{round(r * 100 / 255)};{round(g * 100 / 255)};{round(b * 100 / 255)}"
            for i, (r, g, b) in enumerate(palette)]
    offset = int.from_bytes(b"?" * width, "big")
    bands: list[bytes] = []
    for top in range(0, height, 6):
        rows = [data[y * width:(y + 1) * width] for y in range(top, min(top + 6, height))]
        present = set(b"".join(rows))
        present.discard(TRANSPARENT)
        lines = []
        many = len(present) > _MANY_COLORS
        for c in sorted(present):
            total = 0
            for k, row in enumerate(rows):
                total += int.from_bytes(row.translate(masks[k][c]), "big")
            line = (total + offset).to_bytes(width, "big").rstrip(b"?")
            if many:
                parts = _EMPTY_OR_FULL_RUN.split(line)
                parts[1::2] = map(_RUN_CODES.__getitem__, parts[1::2])
                line = b"".join(parts)
            else:
                line = _RUN.sub(_run, line)
            lines.append(b"#%d" % c + line)
        bands.append(b"$".join(lines))
    out.append(b"-".join(bands).decode("ascii"))
    out.append(_ST)
    return "".join(out)


def rows(image: Image.Image, cell_height: int) -> list[str]:
    """The image cut into rows of cell_height pixels (the last one padded with transparency to
    a full row), each its own sixel image, so any set of cell rows can be drawn on its own."""
    if cell_height < 1:
        raise ValueError("a cell is at least 1 pixel high")
    width, height = image.size
    rgba = image.convert("RGBA")
    count = -(-height // cell_height)
    if count * cell_height != height:
        padded = Image.new("RGBA", (width, count * cell_height), (0, 0, 0, 0))
        padded.paste(rgba, (0, 0))
        rgba = padded
    return [encode(rgba.crop((0, i * cell_height, width, (i + 1) * cell_height))) for i in range(count)]

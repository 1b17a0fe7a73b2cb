"""The kitty graphics protocol with Unicode placeholders.

An image is transmitted once (`a=T,U=1`: a virtual placement of COLS x ROWS cells) and then drawn
by ordinary text: each cell is U+10EEEE followed by two combining diacritics giving its row and
column in the image, in the foreground colour that encodes the image id. To Textual that is
text, so it scrolls, moves, is covered by dialogs and disappears with its pane.
Protocol: https://sw.kovidgoyal.net/kitty/graphics-protocol/#unicode-placeholders
"""

from __future__ import annotations

import base64
import io

from PIL import Image

PLACEHOLDER = "\U0010EEEE"

# The row/column diacritics, in order: index N means row (or column) N. Spec data: the code
# points of kitty's gen/rowcolumn-diacritics.txt (derived by kitty from UnicodeData.txt 6.0.0:
# combining class 230, no decomposition, a few that normalisation could fuse left out).
_DIACRITIC_POINTS = (
    0x0305, 0x030D, 0x030E, 0x0310, 0x0312, 0x033D, 0x033E, 0x033F, 0x0346, 0x034A, 0x034B, 0x034C,
    0x0350, 0x0351, 0x0352, 0x0357, 0x035B, 0x0363, 0x0364, 0x0365, 0x0366, 0x0367, 0x0368, 0x0369,
    0x036A, 0x036B, 0x036C, 0x036D, 0x036E, 0x036F, 0x0483, 0x0484, 0x0485, 0x0486, 0x0487, 0x0592,
    0x0593, 0x0594, 0x0595, 0x0597, 0x0598, 0x0599, 0x059C, 0x059D, 0x059E, 0x059F, 0x05A0, 0x05A1,
    0x05A8, 0x05A9, 0x05AB, 0x05AC, 0x05AF, 0x05C4, 0x0610, 0x0611, 0x0612, 0x0613, 0x0614, 0x0615,
    0x0616, 0x0617, 0x0657, 0x0658, 0x0659, 0x065A, 0x065B, 0x065D, 0x065E, 0x06D6, 0x06D7, 0x06D8,
    0x06D9, 0x06DA, 0x06DB, 0x06DC, 0x06DF, 0x06E0, 0x06E1, 0x06E2, 0x06E4, 0x06E7, 0x06E8, 0x06EB,
    0x06EC, 0x0730, 0x0732, 0x0733, 0x0735, 0x0736, 0x073A, 0x073D, 0x073F, 0x0740, 0x0741, 0x0743,
    0x0745, 0x0747, 0x0749, 0x074A, 0x07EB, 0x07EC, 0x07ED, 0x07EE, 0x07EF, 0x07F0, 0x07F1, 0x07F3,
    0x0816, 0x0817, 0x0818, 0x0819, 0x081B, 0x081C, 0x081D, 0x081E, 0x081F, 0x0820, 0x0821, 0x0822,
    0x0823, 0x0825, 0x0826, 0x0827, 0x0829, 0x082A, 0x082B, 0x082C, 0x082D, 0x0951, 0x0953, 0x0954,
    0x0F82, 0x0F83, 0x0F86, 0x0F87, 0x135D, 0x135E, 0x135F, 0x17DD, 0x193A, 0x1A17, 0x1A75, 0x1A76,
    0x1A77, 0x1A78, 0x1A79, 0x1A7A, 0x1A7B, 0x1A7C, 0x1B6B, 0x1B6D, 0x1B6E, 0x1B6F, 0x1B70, 0x1B71,
    0x1B72, 0x1B73, 0x1CD0, 0x1CD1, 0x1CD2, 0x1CDA, 0x1CDB, 0x1CE0, 0x1DC0, 0x1DC1, 0x1DC3, 0x1DC4,
    0x1DC5, 0x1DC6, 0x1DC7, 0x1DC8, 0x1DC9, 0x1DCB, 0x1DCC, 0x1DD1, 0x1DD2, 0x1DD3, 0x1DD4, 0x1DD5,
    0x1DD6, 0x1DD7, 0x1DD8, 0x1DD9, 0x1DDA, 0x1DDB, 0x1DDC, 0x1DDD, 0x1DDE, 0x1DDF, 0x1DE0, 0x1DE1,
    0x1DE2, 0x1DE3, 0x1DE4, 0x1DE5, 0x1DE6, 0x1DFE, 0x20D0, 0x20D1, 0x20D4, 0x20D5, 0x20D6, 0x20D7,
    0x20DB, 0x20DC, 0x20E1, 0x20E7, 0x20E9, 0x20F0, 0x2CEF, 0x2CF0, 0x2CF1, 0x2DE0, 0x2DE1, 0x2DE2,
    0x2DE3, 0x2DE4, 0x2DE5, 0x2DE6, 0x2DE7, 0x2DE8, 0x2DE9, 0x2DEA, 0x2DEB, 0x2DEC, 0x2DED, 0x2DEE,
    0x2DEF, 0x2DF0, 0x2DF1, 0x2DF2, 0x2DF3, 0x2DF4, 0x2DF5, 0x2DF6, 0x2DF7, 0x2DF8, 0x2DF9, 0x2DFA,
    0x2DFB, 0x2DFC, 0x2DFD, 0x2DFE, 0x2DFF, 0xA66F, 0xA67C, 0xA67D, 0xA6F0, 0xA6F1, 0xA8E0, 0xA8E1,
    0xA8E2, 0xA8E3, 0xA8E4, 0xA8E5, 0xA8E6, 0xA8E7, 0xA8E8, 0xA8E9, 0xA8EA, 0xA8EB, 0xA8EC, 0xA8ED,
    0xA8EE, 0xA8EF, 0xA8F0, 0xA8F1, 0xAAB0, 0xAAB2, 0xAAB3, 0xAAB7, 0xAAB8, 0xAABE, 0xAABF, 0xAAC1,
    0xFE20, 0xFE21, 0xFE22, 0xFE23, 0xFE24, 0xFE25, 0xFE26, 0x10A0F, 0x10A38, 0x1D185, 0x1D186,
    0x1D187, 0x1D188, 0x1D189, 0x1D1AA, 0x1D1AB, 0x1D1AC, 0x1D1AD, 0x1D242, 0x1D243, 0x1D244,
)
DIACRITICS: tuple[str, ...] = tuple(chr(point) for point in _DIACRITIC_POINTS)
MAX_CELLS = len(DIACRITICS)  # rows and columns a placed image may span

CHUNK = 4096  # base64 characters per escape code: the protocol's limit (a multiple of 4)

# The xterm 256-colour cube entries whose RGB a 256-colour terminal gets back unchanged: Rich
# downgrades a truecolour RGB to the cube index whose colour it is, except for the greys it sends
# to the grey ramp (232..255) instead. Those ids are left out.
_CUBE_LEVELS = (0, 95, 135, 175, 215, 255)


def _cube_rgb(index: int) -> tuple[int, int, int]:
    n = index - 16
    return _CUBE_LEVELS[n // 36], _CUBE_LEVELS[n // 6 % 6], _CUBE_LEVELS[n % 6]


def _greyish(rgb: tuple[int, int, int]) -> bool:
    # Rich treats HLS saturation under 0.15 as grey (rich.color.Color.downgrade).
    high, low = max(rgb) / 255, min(rgb) / 255
    if high == low:
        return True
    light = (high + low) / 2
    saturation = (high - low) / (high + low) if light <= 0.5 else (high - low) / (2 - high - low)
    return saturation < 0.15


CUBE_IDS: tuple[int, ...] = tuple(
    i for i in range(16, 232) if i in (16, 231) or not _greyish(_cube_rgb(i))
)


def image_id(number: int, truecolor: bool) -> tuple[int, tuple[int, int, int]]:
    """The image id for the UI's image `number` (1, 2, ...) and the RGB to colour its placeholders
    with. Truecolour: the id is the 24-bit colour itself. 256 colours (Textual downgrades when
    COLORTERM is missing, over SSH): the id is an xterm cube index N whose exact colour the UI
    uses, so the terminal receives 38;5;N and reads id N; ids repeat after len(CUBE_IDS) images."""
    if number < 1:
        raise ValueError("image numbers start at 1")
    if truecolor:
        ident = (number - 1) % 0xFFFFFF + 1
        return ident, (ident >> 16 & 0xFF, ident >> 8 & 0xFF, ident & 0xFF)
    ident = CUBE_IDS[(number - 1) % len(CUBE_IDS)]
    return ident, _cube_rgb(ident)


def _apc(keys: str, payload: str = "") -> str:
    return f"\x1b_G{keys};{payload}\x1b\\" if payload else f"\x1b_G{keys}\x1b\\"


def transmit(image_id: int, png: bytes, cols: int, rows: int, tmux: bool = False) -> str:
    """Transmit a PNG and make it a virtual placement of cols x rows cells, quietly (q=2: no
    answers come back into the app's input). tmux=True wraps each chunk in its own passthrough
    (one huge passthrough could overflow tmux's input buffer)."""
    from .tmux import passthrough

    if not 0 < cols <= MAX_CELLS or not 0 < rows <= MAX_CELLS:
        raise ValueError(f"a placed image spans 1..{MAX_CELLS} rows and columns")
    data = base64.standard_b64encode(png).decode("ascii")
    chunks = [data[i:i + CHUNK] for i in range(0, len(data), CHUNK)] or [""]
    head = f"a=T,U=1,f=100,i={image_id},c={cols},r={rows},q=2"
    parts = []
    for index, chunk in enumerate(chunks):
        more = 1 if index < len(chunks) - 1 else 0
        keys = f"{head},m={more}" if index == 0 else f"m={more}"
        parts.append(_apc(keys, chunk))
    if tmux:
        return "".join(passthrough(part) for part in parts)
    return "".join(parts)


def delete(image_id: int) -> str:
    """Delete the image and free its data (d=I: capital, so the terminal frees the pixels too)."""
    return _apc(f"a=d,d=I,i={image_id},q=2")


def placeholder_line(row: int, cols: int) -> str:
    """Row `row` of a placed image, cols cells wide. Every cell names its row and column, so a
    line partly covered by a dialog still shows the right part of the image where it is seen."""
    if not 0 <= row < MAX_CELLS or not 0 <= cols <= MAX_CELLS:
        raise ValueError(f"rows and columns run 0..{MAX_CELLS - 1}")
    mark = PLACEHOLDER + DIACRITICS[row]
    return "".join(mark + DIACRITICS[col] for col in range(cols))


def encode_png(image: Image.Image) -> bytes:
    """PNG for a transmission: fast compression (it is sent once, over a local pty), alpha kept."""
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()

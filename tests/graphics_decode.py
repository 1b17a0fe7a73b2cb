"""Decoders for what the graphics encoders write, for tests: a sixel decoder, the kitty
transmissions in a byte stream, the placeholder cells of a line. Written from the protocols'
descriptions, independent of tui.core.graphics (which they check), except for the diacritic table."""

from __future__ import annotations

import base64
import re

from PIL import Image

from tui.core.graphics.kitty import DIACRITICS, PLACEHOLDER

_DCS_SIXEL = re.compile(r"\x1bP([0-9;]*)q(.*?)\x1b\\", re.S)


class DecodeError(ValueError):
    pass


def decode_sixel(data: str) -> Image.Image:
    """The image of ONE sixel sequence (DCS ... q ... ST): RGBA, pixels no sixel set transparent.
    The size is the raster attributes' (taller where bits are drawn below them). Raises DecodeError
    on anything that is not sixel."""
    match = _DCS_SIXEL.fullmatch(data)
    if match is None:
        raise DecodeError("not one DCS ... q ... ST sequence")
    body = match.group(2)
    palette: dict[int, bytes] = {}
    bands: list[bytearray] = []  # RGBA of 6 pixel rows each
    width = height = 0
    drawn_rows = 0
    x = band = 0
    colour: int | None = None
    i = 0
    n = len(body)

    def number() -> int:
        nonlocal i
        start = i
        while i < n and body[i] in "0123456789":
            i += 1
        if start == i:
            raise DecodeError(f"a number expected at {start}")
        return int(body[start:i])

    def numbers() -> list[int]:
        nonlocal i
        values = [number()]
        while i < n and body[i] == ";":
            i += 1
            values.append(number())
        return values

    def draw(char: str, count: int) -> None:
        nonlocal x, drawn_rows
        bits = ord(char) - 63
        if bits:
            if colour is None or colour not in palette:
                raise DecodeError(f"pixels drawn in colour {colour}, never defined")
            if x + count > width:
                raise DecodeError(f"pixels drawn past the raster width {width}")
            while len(bands) <= band:
                bands.append(bytearray(width * 6 * 4))
            rgba = palette[colour]
            row = bands[band]
            for k in range(6):
                if bits >> k & 1:
                    start = (k * width + x) * 4
                    row[start:start + 4 * count] = rgba * count
                    drawn_rows = max(drawn_rows, band * 6 + k + 1)
        x += count

    while i < n:
        char = body[i]
        if char == '"':
            i += 1
            values = numbers()
            if len(values) != 4:
                raise DecodeError("raster attributes are Pan;Pad;Ph;Pv")
            if values[0] != values[1]:
                raise DecodeError("only 1:1 pixels are expected")
            if bands:
                raise DecodeError("raster attributes after pixels")
            width, height = values[2], values[3]
        elif char == "#":
            i += 1
            values = numbers()
            if len(values) == 1:
                colour = values[0]
            elif len(values) == 5 and values[1] == 2:
                if not all(0 <= v <= 100 for v in values[2:]):
                    raise DecodeError(f"colour percentages out of 0..100: {values}")
                palette[values[0]] = bytes(round(v * 255 / 100) for v in values[2:]) + b"\xff"
                colour = values[0]
            else:
                raise DecodeError(f"unsupported colour definition {values}")
        elif char == "!":
            i += 1
            count = number()
            if i >= n or not "?" <= body[i] <= "~":
                raise DecodeError("a repeat must be followed by a sixel character")
            draw(body[i], count)
            i += 1
        elif char == "$":
            x = 0
            i += 1
        elif char == "-":
            x = 0
            band += 1
            i += 1
        elif "?" <= char <= "~":
            draw(char, 1)
            i += 1
        else:
            raise DecodeError(f"unexpected {char!r} at {i}")
    height = max(height, drawn_rows)
    if width < 1 or height < 1:
        raise DecodeError("an empty image (no raster attributes)")
    canvas = b"".join(bands) + bytes(max(0, width * height * 4 - len(bands) * width * 24))
    return Image.frombytes("RGBA", (width, height), canvas[:width * height * 4])


def unwrap_tmux(stream: str) -> str:
    """The stream with every tmux passthrough (ESC P tmux; ... ESC \\, inner ESCs doubled) replaced
    by what it carries."""
    out: list[str] = []
    i = 0
    start = "\x1bPtmux;"
    while True:
        found = stream.find(start, i)
        if found < 0:
            out.append(stream[i:])
            return "".join(out)
        out.append(stream[i:found])
        j = found + len(start)
        while True:
            if j >= len(stream):
                raise DecodeError("an unterminated tmux passthrough")
            if stream[j] == "\x1b":
                if stream.startswith("\x1b\x1b", j):
                    out.append("\x1b")
                    j += 2
                    continue
                if stream.startswith("\x1b\\", j):
                    j += 2
                    break
                raise DecodeError("a single ESC inside a tmux passthrough")
            out.append(stream[j])
            j += 1
        i = j


_APC = re.compile(r"\x1b_G([^;\x1b]*)(?:;([^\x1b]*))?\x1b\\")


def kitty_transmissions(stream: str) -> dict[int, tuple[bytes, dict[str, str]]]:
    """Every a=T transmission in a stream (passthrough unwrapped, chunks joined): id -> (the
    decoded payload, the first chunk's keys). Raises DecodeError on a chunk sequence that breaks."""
    found: dict[int, tuple[bytes, dict[str, str]]] = {}
    open_keys: dict[str, str] | None = None
    payload: list[str] = []
    for match in _APC.finditer(unwrap_tmux(stream)):
        keys = dict(part.split("=", 1) for part in match.group(1).split(",") if part)
        data = match.group(2) or ""
        if open_keys is None:
            if keys.get("a") != "T":
                continue
            open_keys, payload = keys, [data]
        else:
            if set(keys) - {"m", "q"}:
                raise DecodeError(f"a continuation chunk with keys {sorted(keys)}")
            payload.append(data)
        if keys.get("m", "0") == "0":
            ident = int(open_keys["i"])
            try:
                found[ident] = (base64.b64decode("".join(payload), validate=True), open_keys)
            except ValueError as exc:
                raise DecodeError(f"bad base64 in image {ident}: {exc}") from exc
            open_keys = None
    if open_keys is not None:
        raise DecodeError("a transmission whose last chunk (m=0) never came")
    return found


def kitty_chunks(stream: str) -> list[str]:
    """The payload of every graphics escape code in the stream, in order (for chunk-size checks)."""
    return [match.group(2) or "" for match in _APC.finditer(unwrap_tmux(stream))]


_INDEX = {char: index for index, char in enumerate(DIACRITICS)}


def placeholder_cells(line: str) -> list[tuple[int, int]]:
    """(row, col) of each placeholder cell in a line of text; each must carry both diacritics."""
    cells = []
    i = 0
    while True:
        i = line.find(PLACEHOLDER, i)
        if i < 0:
            return cells
        marks = line[i + 1:i + 3]
        if len(marks) < 2 or marks[0] not in _INDEX or marks[1] not in _INDEX:
            raise DecodeError(f"a placeholder at {i} without its row and column diacritics")
        cells.append((_INDEX[marks[0]], _INDEX[marks[1]]))
        i += 3

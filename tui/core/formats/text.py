"""Bytes of a text-like artifact -> lines ready for a line view.

Work on big inputs is cut into chunks: a worker thread holds Python's GIL for the whole of one
C call (a regex over 50 MB takes a fifth of a second), and the interface, on the same GIL,
would stall that long. JSON of many megabytes is parsed in a child process for the same reason
(json.loads is one long call that cannot be cut): core.offload's `pretty_json` task.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import orjson

from ..catalog import Format
from ..textsafe import safe_fields, visible_controls

# Pygments lexer names by format.
LEXERS = {
    Format.JSON: "json",
    Format.HTML: "html",
    Format.PYTHON: "python",
    Format.TEXT: "text",
}

CHUNK = 1 << 20  # bytes handled per C call
BIG_JSON = 4 << 20  # parse in a child process from this size on


@dataclass(frozen=True)
class TextDocument:
    lines: list[str]
    lexer: str
    # Said above the text when it is not shown as it came (e.g. JSON that does not parse).
    warning: str | None = None
    # How the text was transformed for reading, e.g. "pretty-printed".
    note: str | None = None
    # Characters in the longest line (measured here, in the worker, not on the event loop).
    width: int = 0

    def __post_init__(self) -> None:
        # `lines` come from split_lines, which makes them safe as it splits: not scanned again.
        safe_fields(self, keep=("lines",))


def split_lines(data: bytes | str) -> list[str]:
    """Lines of UTF-8 bytes (or text), CRLF folded, other control characters made visible.

    A final newline ends the last line rather than starting an empty one.
    """
    if isinstance(data, str):
        data = data.encode("utf-8", errors="surrogatepass")
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    lines: list[str] = []
    size = len(data)
    while start < size:
        # Cut after a newline, so neither a line nor a UTF-8 sequence is split.
        end = min(start + CHUNK, size)
        if end < size:
            newline = data.rfind(b"\n", start, end)
            if newline == -1:
                newline = data.find(b"\n", end)
            end = size if newline == -1 else newline + 1
        text = data[start:end].decode("utf-8", errors="replace").replace("\r\n", "\n")
        pieces = visible_controls(text).split("\n")
        if text.endswith("\n"):
            pieces.pop()
        lines.extend(pieces)
        start = end
    return lines


def _pretty_json(data: bytes) -> str:
    return json.dumps(json.loads(data), indent=2, ensure_ascii=False)


_WHY = b"!"  # a frame of the pretty_json task saying why the bytes are not JSON
_TEXT = b"="  # a frame of the pretty_json task holding a piece of the indented text


def pretty_frames(data: bytes) -> Iterator[bytes]:
    """The `pretty_json` task (core.offload): the indented text as UTF-8, a frame a CHUNK, or
    one frame saying why the bytes are not JSON ([kind, message, position])."""
    try:
        encoded = _pretty_json(data).encode("utf-8", "surrogatepass")
    except RecursionError:
        yield _WHY + orjson.dumps(["deep", "", 0])
        return
    except json.JSONDecodeError as exc:
        yield _WHY + orjson.dumps(["json", exc.msg, exc.pos])
        return
    except ValueError as exc:  # not UTF-8, or another reason json gives
        yield _WHY + orjson.dumps(["value", str(exc), 0])
        return
    for start in range(0, len(encoded), CHUNK):
        yield _TEXT + encoded[start : start + CHUNK]


def pretty_json(data: bytes) -> str:
    """Parse and re-indent JSON; ValueError (JSONDecodeError where json gives one) when it is
    not JSON, RecursionError when nested deeper than Python can follow. Big JSON is indented
    in a child process: one json.loads of it would hold the GIL, and the interface, for long."""
    if len(data) < BIG_JSON:
        return _pretty_json(data)
    from ..offload import offloaded  # subprocess and its kin: not at start-up

    pieces: list[bytes] = []
    for frame in offloaded("pretty_json", data):
        if frame[:1] == _WHY:
            kind, message, position = orjson.loads(frame[1:])
            if kind == "deep":
                raise RecursionError("JSON nested too deeply")
            if kind == "json":
                raise json.JSONDecodeError(message, data.decode("utf-8", "replace"), position)
            raise ValueError(message)
        pieces.append(frame[1:])
    return b"".join(pieces).decode("utf-8", "surrogatepass")


def text_document(data: bytes, fmt: Format) -> TextDocument:
    """Text as it came; JSON pretty-printed (and left as it came, with a warning, if broken)."""
    lexer = LEXERS.get(fmt, "text")
    warning = note = None
    content: bytes | str = data
    if fmt is Format.JSON:
        try:
            content = pretty_json(data)
            note = "pretty-printed"
        except RecursionError:
            lexer, warning = "text", "JSON nested too deeply to indent; shown as it came."
        except json.JSONDecodeError as exc:
            lexer, warning = "text", f"Not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); shown as text."
        except ValueError as exc:  # not UTF-8, or another reason json gives
            lexer, warning = "text", f"Not valid JSON ({exc}); shown as text."
    lines = split_lines(content)
    return TextDocument(lines, lexer, warning, note, max(map(len, lines), default=0))

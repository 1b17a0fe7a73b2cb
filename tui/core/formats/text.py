"""Bytes of a text-like artifact -> lines ready for a line view.

Work on big inputs is cut into chunks: a worker thread holds Python's GIL for the whole of one
C call (a regex over 50 MB takes a fifth of a second), and the interface, on the same GIL,
would stall that long. JSON of many megabytes is parsed in a child process for the same reason
(json.loads is one long call that cannot be cut).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..catalog import Format
from ..textsafe import safe_fields, visible_controls

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

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


_pool: ProcessPoolExecutor | None = None


def pretty_json(data: bytes) -> str:
    """Parse and re-indent JSON; ValueError when it is not JSON, RecursionError when nested
    deeper than Python can follow."""
    global _pool
    if len(data) < BIG_JSON:
        return _pretty_json(data)
    if _pool is None:
        from concurrent.futures import ProcessPoolExecutor  # multiprocessing: not at start-up
        from multiprocessing import get_context

        _pool = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"))
    return _pool.submit(_pretty_json, data).result()


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

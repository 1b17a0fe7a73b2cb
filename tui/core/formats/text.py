"""Bytes of a text-like artifact -> lines ready for a line view."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..catalog import Format
from ..textsafe import decode_text, visible_controls

# Pygments lexer names by format.
LEXERS = {
    Format.JSON: "json",
    Format.HTML: "html",
    Format.PYTHON: "python",
    Format.TEXT: "text",
}


@dataclass(frozen=True)
class TextDocument:
    lines: list[str]
    lexer: str
    # Said above the text when it is not shown as it came (e.g. JSON that does not parse).
    warning: str | None = None
    # How the text was transformed for reading, e.g. "pretty-printed".
    note: str | None = None


def split_lines(text: str) -> list[str]:
    """Lines with CRLF folded and every other control character made visible."""
    text = text.replace("\r\n", "\n")
    return visible_controls(text).split("\n")


def text_document(data: bytes, fmt: Format) -> TextDocument:
    """Text as it came; JSON pretty-printed (and left as it came, with a warning, if broken)."""
    text = decode_text(data)
    lexer = LEXERS.get(fmt, "text")
    if fmt is Format.JSON:
        try:
            value = json.loads(text)
        except ValueError as exc:
            return TextDocument(split_lines(text), "text", warning=f"Not valid JSON ({exc}); shown as text.")
        pretty = json.dumps(value, indent=2, ensure_ascii=False)
        return TextDocument(split_lines(pretty), lexer, note="pretty-printed")
    lines = split_lines(text)
    if lines and lines[-1] == "":
        lines.pop()
    return TextDocument(lines, lexer)

"""Request and response bodies made readable, with bounded work.

A HAR can hold a 10 MB body: decoding and re-indenting all of it for the first screen takes
seconds. A body is pretty-printed whole only up to PRETTY_LIMIT bytes; above that its start is
shown as it came, and every preview says how much was left out.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from ..textsafe import safe_fields

SHOWN = 256 * 1024  # characters of a body shown
PRETTY_LIMIT = 1 << 20  # bytes of JSON pretty-printed; a bigger body is shown as it came


@dataclass(frozen=True)
class BodyPreview:
    text: str  # what is shown: the body, or its start
    more: int  # how much is left out (0: nothing)
    unit: str  # of `more`: "characters" or "bytes"
    note: str = ""  # how the text was transformed or why it was not

    def __post_init__(self) -> None:
        safe_fields(self)  # a body is data: shown, never obeyed


def decoded_head(text: str, encoding: str | None, limit: int) -> tuple[bytes, int]:
    """(the body's first `limit` bytes or so, the size of the whole body) from a HAR body string,
    decoding no more base64 than that start needs."""
    if encoding == "base64":
        # Whitespace is rare in HAR base64; a margin covers some, and the count of 4 keeps it aligned.
        compact = "".join(text[: (limit // 3 + 1) * 4 + 256].split())
        try:
            head = base64.b64decode(compact[: len(compact) - len(compact) % 4], validate=False)
        except (binascii.Error, ValueError):
            head = b""
        if head or not text.strip():
            stripped = text.strip()
            total = len(stripped) // 4 * 3 - stripped[-2:].count("=")
            return head[:limit], max(total, len(head[:limit]))
    data = text[:limit].encode("utf-8", "replace")  # plain text, or base64 that is not
    return data, len(data) + len(text[limit:].encode("utf-8", "replace"))


def _pretty_json(raw: str) -> str | None:
    try:
        return json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than Python recurses
        return None


def preview_body(data: bytes, mime: str, total: int | None = None, shown: int = SHOWN) -> BodyPreview:
    """A body as text for reading: JSON pretty-printed (when small enough), else UTF-8 with bad
    bytes replaced; cut to `shown` characters. `data` may be the start of a body of `total` bytes."""
    total = len(data) if total is None else total
    raw = data.decode("utf-8", "replace")
    looks_json = "json" in mime.lower() or raw.lstrip()[:1] in ("{", "[")
    note = ""
    if looks_json and total <= PRETTY_LIMIT and len(data) >= total:
        pretty = _pretty_json(raw)
        if pretty is not None:
            raw = pretty
    elif looks_json:
        note = f"not pretty-printed: larger than {PRETTY_LIMIT >> 20} MB"
    if len(data) < total:  # only the start was decoded: count what is left in bytes
        cut = raw[:shown]
        return BodyPreview(cut, total - len(cut.encode("utf-8", "replace")), "bytes", note)
    return BodyPreview(raw[:shown], max(0, len(raw) - shown), "characters", note)

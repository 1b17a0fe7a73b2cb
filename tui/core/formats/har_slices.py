"""A HAR's entries cut into byte slices without parsing the file, so each is parsed alone.

One `orjson.loads` of a 50 MB HAR holds the GIL for about 400 ms (the interface freezes) and
the first row waits for the whole file. Cut into entries, each slice is a small call: the
interface runs between them and the first entries are shown at once.

The cut needs no parser. Playwright writes the entries of `log.entries` one after another,
each starting with the same bytes: `{` and its first key (with the indentation when the file
is indented, as Skyvern's are). The next entry starts where those bytes occur again after a
`}` and a comma. A guess is never trusted: `slices` only proposes, and the caller accepts an
entry only when its slice parses as one whole object (a JSON value followed by anything else
does not parse). Where the previous entry ended and a comma follows, the next one starts, so
every accepted slice is the file's next entry, in order; a refused slice ends the cutting and
the caller reads the file whole (`SkeletonMissing` or a ParseError from the slice). The
document around the entries is parsed with its array emptied down to a sentinel, which proves
the cut array is `log.entries` and no other.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

_ENTRIES = re.compile(rb'"entries"\s*:\s*\[')
_SPACE = b" \t\r\n"
# Stands in for the entries while the rest of the document is checked: no HAR holds it.
SENTINEL = "skyvern-tui: the entries were here"
CHUNK = 1 << 20  # bytes searched by one call when a search may cross the whole file
_FIRST_KEY = re.compile(rb'\{\s*"[^"\\]{1,64}"')  # `{` and the entries' shared first key


@dataclass
class Layout:
    """Where the entries are: the document without them, and where the first one starts."""

    skeleton: dict[str, Any]  # the document, log.entries == [] (the real ones come by slices)
    first: int  # offset of the first entry's `{`
    end: int  # offset of the `]` that closes log.entries
    marker: bytes  # how every entry starts (the first entry's `{` and first key)


def layout(data: bytes) -> Layout | None:
    """The layout of a HAR whose entries can be cut, or None (read it whole)."""
    opened = _ENTRIES.search(data)
    if opened is None:
        return None
    start = opened.end()
    first = start + len(data[start:start + 256]) - len(data[start:start + 256].lstrip(_SPACE))
    head = _FIRST_KEY.match(data, first)
    if head is None:  # empty, or not objects: small or odd, either way read whole
        return None
    marker = head.group()
    for end in _array_ends(data, start, marker):
        try:
            skeleton = orjson.loads(data[:start] + orjson.dumps(SENTINEL) + data[end:])
        except orjson.JSONDecodeError:
            continue
        log = skeleton.get("log") if isinstance(skeleton, dict) else None
        if isinstance(log, dict) and log.get("entries") == [SENTINEL]:  # the array was log.entries
            log["entries"] = []
            return Layout(skeleton, first, end, marker)
    return None


def _array_ends(data: bytes, start: int, marker: bytes) -> Iterator[int]:
    """Where the `]` closing the entries may be, likeliest first. Playwright writes entries
    last in `log`: the last `]` of a compact file, the last line indented as `"entries": [`'s
    in an indented one. Else, in an indented file, the first such line after it (searched a
    megabyte at a time: one find over 50 MB holds the GIL for 50 ms)."""
    if b"\n" not in marker:
        found = data.rfind(b"]")
        if found > start and _closes_all(data, found):
            yield found
        return
    line_start = data.rfind(b"\n", 0, start) + 1
    indent = data[line_start:start]
    needle = b"\n" + indent[: len(indent) - len(indent.lstrip(b" "))] + b"]"
    last = data.rfind(needle, start)
    if last < 0:
        return
    if _closes_all(data, last + len(needle) - 1):
        yield last + len(needle) - 1
    pos = start
    while pos < last:
        found = data.find(needle, pos, pos + CHUNK + len(needle))
        if found >= 0:
            if found < last:
                yield found + len(needle) - 1
            return
        pos += CHUNK


def _closes_all(data: bytes, end: int) -> bool:
    """Whether only closing braces and whitespace follow the `]` at `end` (entries last in
    log, log last in the file): else the `]` may close a later array (pages after entries),
    which would parse as a document without it."""
    return not data[end + 1:].translate(None, b"} \t\r\n")


def slices(data: bytes, where: Layout, offset: int | None = None) -> Iterator[tuple[int, int]]:
    """(start, end) of each entry's bytes from `offset` (an entry's start, the first one's by
    default), in order; a proposal, each to be accepted by parsing it. The last slice may hold
    more than one entry when some entry starts otherwise: it then fails to parse."""
    pos = where.first if offset is None else offset
    marker, end = where.marker, where.end
    find = data.find
    while pos < end:
        search = pos + len(marker)
        while True:
            found = find(marker, search, end)
            if found < 0:
                yield pos, _last_close(data, pos, end)
                return
            close = _close_before(data, found, pos)
            if close is not None:
                break
            search = found + 1  # the same bytes inside the entry (not after `},`): look further
        yield pos, close + 1
        pos = found


def _close_before(data: bytes, found: int, floor: int) -> int | None:
    """The `}` before `found` when only a comma and whitespace lie between them (within a few
    hundred bytes: more whitespace than that is no layout a recorder writes)."""
    begin = max(floor, found - 256)
    before = data[begin:found].rstrip(_SPACE)
    if not before.endswith(b","):
        return None
    before = before[:-1].rstrip(_SPACE)
    return begin + len(before) - 1 if before.endswith(b"}") else None


def _last_close(data: bytes, pos: int, end: int) -> int:
    i = end - 1
    while i > pos and data[i] in _SPACE:
        i -= 1
    return i + 1


def parse_slice(data: bytes, start: int, end: int) -> dict[str, Any] | None:
    """The entry in data[start:end], or None when those bytes are not exactly one object."""
    try:
        value = orjson.loads(memoryview(data)[start:end])
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


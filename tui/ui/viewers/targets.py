"""The places `Viewer.go_to` understands besides element ids: `line:N`, `entry:N`, `message:N`,
`action:N`, each N counted from 0 in the artifact as its model holds it (a log's lines, a HAR's
entries in file order, a console log's messages, an answer's actions)."""

from __future__ import annotations


def numbered(target: str, kind: str) -> int | None:
    """N of `kind:N` (`line:12` -> 12), or None when the target is another kind or no number."""
    name, colon, number = target.strip().partition(":")
    number = number.strip()
    if not colon or name.strip().lower() != kind or not (number.isascii() and number.isdigit()):
        return None
    return int(number)

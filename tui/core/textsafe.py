"""Make text from outside safe to put on a terminal.

Artifact text and every field around it (ids, types, statuses, levels, file names, server
errors) are data from a web page, a log or a server: they must never reach the terminal as
control sequences (clear the screen, set the title, write the clipboard). Every C0 and C1
control character except tab and newline is replaced by a visible stand-in.

Core applies this once, when a model is built (`safe_fields` in a dataclass's
`__post_init__`, `split_lines` for text); the UI never calls it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Any

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")
_NAMES = {"\x1b": "␛", "\r": "␍", "\x07": "␇", "\x08": "␈", "\x00": "␀", "\x7f": "␡"}
# Containers nested deeper than this (JSON from outside can be nested 100,000 deep) are cut:
# the walk below is recursive and a model never needs to show more levels than this.
MAX_DEPTH = 64
TOO_DEEP = f"… (nested deeper than {MAX_DEPTH} levels)"


def _stand_in(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMES:
        return _NAMES[char]
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control pictures" block
    return f"<{code:02X}>"


def visible_controls(text: str) -> str:
    """Replace control characters (but tab and newline) by visible symbols."""
    if _CONTROL.search(text) is None:
        return text  # the common case: no copy
    return _CONTROL.sub(_stand_in, text)


def safe_value(value: Any, depth: int = 0) -> Any:
    """`value` with every string in it (dict keys too, in lists, tuples and dicts) made safe.

    Other values are returned as they are. A container is copied only when something in it
    changed (the common case, clean data, costs a walk and no copy).
    """
    if isinstance(value, str):
        return visible_controls(value)
    if isinstance(value, (list, tuple, dict)):
        if depth >= MAX_DEPTH:
            return TOO_DEEP
        # Clean strings are the leaves of almost every call: checked inline, not by a call.
        search, deeper = _CONTROL.search, depth + 1
        if isinstance(value, dict):
            pairs = [
                (k if type(k) is str and not search(k) else safe_value(k, deeper),
                 v if type(v) is str and not search(v) else safe_value(v, deeper))
                for k, v in value.items()
            ]
            if all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(pairs, value.items(), strict=True)):
                return value
            return dict(pairs)
        items = [x if type(x) is str and not search(x) else safe_value(x, deeper) for x in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return items if isinstance(value, list) else tuple(items)
    return value


_FIELDS: dict[tuple[type, frozenset[str]], tuple[str, ...]] = {}


def safe_fields(model: Any, keep: Iterable[str] = ()) -> None:
    """Make every string-holding field of a dataclass instance safe, in place (frozen or not).

    `keep` names fields that are locators, not text to show (a zip member name, a body as
    stored): they keep their exact value and must never be displayed.
    """
    kept = frozenset(keep)
    names = _FIELDS.get((type(model), kept))
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(model) if f.name not in kept)
        _FIELDS[(type(model), kept)] = names
    search = _CONTROL.search
    for name in names:
        value = getattr(model, name)
        if type(value) is str and not search(value):
            continue  # the common case, without a call
        if isinstance(value, (str, list, tuple, dict)):
            safe = safe_value(value)
            if safe is not value:
                object.__setattr__(model, name, safe)

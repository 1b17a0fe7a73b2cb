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


def has_controls(text: str) -> bool:
    """Whether `text` holds a control character other than tab and newline."""
    return _CONTROL.search(text) is not None


def safe_value(value: Any, depth: int = 0) -> Any:
    """`value` with every string in it (dict keys too, in lists, tuples and dicts) made safe.

    Other values are returned as they are; containers are always rebuilt, as they may be the
    caller's raw data.
    """
    if isinstance(value, str):
        return visible_controls(value)
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple, dict)) and depth >= MAX_DEPTH:
        return TOO_DEEP
    if isinstance(value, list):
        return [safe_value(item, depth + 1) for item in value]
    if isinstance(value, tuple):
        return tuple(safe_value(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return {safe_value(k, depth + 1): safe_value(v, depth + 1) for k, v in value.items()}
    return value


def safe_fields(model: Any, keep: Iterable[str] = ()) -> None:
    """Make every string-holding field of a dataclass instance safe, in place (frozen or not).

    `keep` names fields that are locators, not text to show (a zip member name, a body as
    stored): they keep their exact value and must never be displayed.
    """
    kept = frozenset(keep)
    for spec in dataclasses.fields(model):
        if spec.name in kept:
            continue
        value = getattr(model, spec.name)
        if isinstance(value, (str, list, tuple, dict)):
            object.__setattr__(model, spec.name, safe_value(value))

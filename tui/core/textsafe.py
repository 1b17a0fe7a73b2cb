"""Make artifact text safe to put on a terminal.

Artifact text is data from a web page or a log: it must never reach the terminal as control
sequences (clear the screen, set the title, write the clipboard). Every C0 and C1 control
character except tab and newline is replaced by a visible stand-in.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")
_NAMES = {"\x1b": "␛", "\r": "␍", "\x07": "␇", "\x08": "␈", "\x00": "␀", "\x7f": "␡"}


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
    return _CONTROL.sub(_stand_in, text)

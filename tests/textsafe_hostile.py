"""Hostile text for the terminal-safety tests: what a page, a log or a server could send."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from hypothesis import strategies as st

TITLE = "\x1b]2;PWNED-TITLE\x07"
CLIPBOARD = "\x1b]52;c;cHduZWQ=\x1b\\"
LINK = "\x1b]8;;file:///etc/passwd\x1b\\click\x1b]8;;\x1b\\"
PAYLOADS = (
    "\x1b", "\x1b[2J", "\x1b[31m", TITLE, CLIPBOARD, LINK, "\x9b2J", "\x9d0;C1-TITLE\x9c",
    "\x07", "\x08", "\r", "\x00", "\x7f", "[/x]", "[reverse]", "[link=file:///etc/passwd]x[/link]",
    "[bold red]", "[/]",
)
# One of each, for the fixed (non-hypothesis) runs.
ALL = "a_1[/x]" + "".join(PAYLOADS) + "[reverse]REVERSED"

hostile = st.lists(
    st.one_of(st.sampled_from(PAYLOADS), st.text(alphabet="ab_-. 1", max_size=3)), min_size=1, max_size=6
).map("".join)

# Tab and newline are the only control characters a model may hold.
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# Fields that are locators or bytes as stored, never shown (see the models' docstrings).
NOT_TEXT = {
    ("Artifact", "raw"), ("Run", "raw"), ("Step", "raw"), ("RunDetail", "actions"), ("Entry", "body_text"), ("Entry", "body_file"),
    ("Entry", "_search"), ("Frame", "member"), ("InlineImage", "b64"),
}


def unsafe_strings(value: Any, where: str = "model", depth: int = 0) -> list[str]:
    """Every string in a model (dataclasses, lists, tuples, dicts, keys too) that holds a
    control character, named by where it sits."""
    if depth > 200:
        return []
    if isinstance(value, str):
        return [f"{where}: {value!r}"] if UNSAFE.search(value) else []
    found: list[str] = []
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for spec in dataclasses.fields(value):
            if (type(value).__name__, spec.name) in NOT_TEXT:
                continue
            found += unsafe_strings(getattr(value, spec.name), f"{where}.{spec.name}", depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            found += unsafe_strings(key, f"{where} key", depth + 1)
            found += unsafe_strings(item, f"{where}[{key!r}]", depth + 1)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found += unsafe_strings(item, f"{where}[{index}]", depth + 1)
    return found

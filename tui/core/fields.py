"""Reading JSON from outside: a field that should hold an object may hold anything."""

from __future__ import annotations

from typing import Any


def mapping(value: object) -> dict[str, Any]:
    """`value` when it is an object (a dict), else an empty one: `.get` then always works."""
    return value if isinstance(value, dict) else {}

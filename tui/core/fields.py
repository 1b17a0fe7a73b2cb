"""Reading JSON from outside: a field that should hold an object may hold anything."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

TERMINAL_STATUSES = frozenset({"completed", "failed", "terminated", "canceled", "timed_out"})


def mapping(value: object) -> dict[str, Any]:
    """`value` when it is an object (a dict), else an empty one: `.get` then always works."""
    return value if isinstance(value, dict) else {}


def parse_time(value: Any) -> datetime | None:
    """An ISO time from Skyvern; naive values are UTC (Skyvern writes them without a zone)."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment

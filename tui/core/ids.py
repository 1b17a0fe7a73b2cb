"""Skyvern ids in what people paste: a bare id or a Skyvern app URL."""

from __future__ import annotations

import re

# tsk_v2_ before tsk_, so a task v2 id is not cut short.
_RUN_ID = re.compile(r"\b(wr_[A-Za-z0-9]+|tsk_v2_[A-Za-z0-9]+|tsk_[A-Za-z0-9]+)\b")


def run_id_from(text: str) -> str | None:
    """'wr_123', or the run in 'https://app.skyvern.com/runs/wr_123/overview'; None if neither.

    In an app URL the workflow run comes first and wins over the task ids after it.
    """
    text = text.strip()
    for match in _RUN_ID.finditer(text):
        return match.group(1)
    return None

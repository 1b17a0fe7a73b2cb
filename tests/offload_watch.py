"""Which offloaded tasks ran, and where (a child process, or this thread): for tests that prove a
big input went to a child."""

from __future__ import annotations

import pytest

from tui.core import offload


def watch_offloads(monkeypatch: pytest.MonkeyPatch) -> list[offload.Offload]:
    """The list every Offload is added to as its answer is read (`.task`, `.in_thread`)."""
    ran: list[offload.Offload] = []
    real = offload.Offload.__iter__

    def watched(self: offload.Offload):
        ran.append(self)
        return real(self)

    monkeypatch.setattr(offload.Offload, "__iter__", watched)
    return ran

"""What the person is looking at, whatever the screen: the artifact that `i` (info), `y` (copy),
`ctrl+s` (save), `o` (open outside) and `D` (compare) act on, and its viewer when it is shown.

Each screen that shows artifacts answers `on_screen()`; this module asks the active one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from textual.screen import Screen

from ...core.located import Located
from ..viewers import Viewer


@dataclass(frozen=True)
class OnScreen:
    located: Located
    viewer: Viewer | None  # the artifact's viewer when it is shown (not while it loads, not its error panel)


@runtime_checkable
class ShowsArtifacts(Protocol):
    def on_screen(self) -> OnScreen | None: ...


def on_screen(screen: Screen) -> OnScreen | None:
    """The artifact on `screen` (under the cursor of a list or a page, or in the viewer that has
    the focus), or None when it shows none (the picker, a step of the overview, help)."""
    return screen.on_screen() if isinstance(screen, ShowsArtifacts) else None

"""Where the bundled demo run is: inside the installed package, or in a source checkout."""

from __future__ import annotations

from pathlib import Path

from ..errors import SourceError
from .local import LocalSource

DEMO_LABEL = "demo"


def demo_folder() -> Path:
    package = Path(__file__).resolve().parents[2]  # .../tui
    for candidate in (package / "demo_run", package.parent / "assets" / "demo"):
        if (candidate / "run.json").is_file():
            return candidate
    raise SourceError("the demo run is missing from this installation (reinstall skyvern-tui)")


def demo_source() -> LocalSource:
    return LocalSource(demo_folder(), label=DEMO_LABEL)

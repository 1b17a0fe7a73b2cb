"""What a viewer is, and the registry that maps a viewer kind to the widget that shows it.

A viewer is built in two halves so the event loop never does heavy work:
`prepare(artifact, data)` is a pure function that runs in a worker thread (decode, parse,
scale) and may raise ParseError; the widget is then built from what it returned.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.widget import Widget

from ...core.catalog import ArtifactKind
from ...core.model import Artifact

VIEWERS: dict[str, type[Viewer]] = {}


def register(*names: str):
    """Register a viewer class for viewer kinds or formats (catalog.ArtifactKind.viewer/.format)."""

    def decorate(cls: type[Viewer]) -> type[Viewer]:
        for name in names:
            VIEWERS[name] = cls
        return cls

    return decorate


def viewer_for(kind: ArtifactKind) -> type[Viewer]:
    """The specialised viewer of the kind, else the viewer of its format, else metadata."""
    return VIEWERS.get(kind.viewer) or VIEWERS.get(kind.format.value) or VIEWERS["binary"]


class Viewer(Widget):
    """Shows one artifact."""

    DEFAULT_CSS = "Viewer { height: 1fr; width: 1fr; }"

    # False for viewers that show only metadata, so a large file is not read for nothing.
    needs_bytes: ClassVar[bool] = True

    def __init__(self, artifact: Artifact, model: Any, **kwargs) -> None:
        super().__init__(**kwargs)
        self.artifact = artifact
        self.model = model

    @classmethod
    def prepare(cls, artifact: Artifact, data: bytes | None) -> Any:
        """Turn bytes into this viewer's model. Runs in a worker thread."""
        return data

    def focus(self, scroll_visible: bool = True) -> Viewer:
        """Focus the first focusable part of the viewer (its text, its table, ...)."""
        for widget in self.query("*"):
            if widget.focusable:
                widget.focus(scroll_visible)
                return self
        return super().focus(scroll_visible)

    def show_end(self) -> None:
        """Bring the end into view (follow mode on a live run): the newest log line."""

    def start_find(self) -> bool:
        """Open this viewer's find bar; False when there is nothing to find in it."""
        return False

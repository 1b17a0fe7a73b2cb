"""What a viewer is, and the registry that maps a viewer kind to the widget that shows it.

A viewer is built in two halves so the event loop never does heavy work:
`prepare(artifact, data, context)` is a pure function that runs in a worker thread (decode,
parse, scale, read a sibling artifact through the context) and may raise ParseError; the
widget is then built from what it returned.

A viewer that links to another artifact (an element id in an action -> the element tree of
the same step) posts `Viewer.Navigate`; the run screen opens that artifact and calls
`go_to(target)` on the viewer that shows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from textual.message import Message
from textual.widget import Widget

from ...core.catalog import ArtifactKind
from ...core.model import Artifact, RunDetail
from ...core.sources.base import Source


@dataclass(frozen=True)
class ViewerContext:
    """What a viewer may look at besides its own bytes: the run and the other artifacts."""

    source: Source
    detail: RunDetail | None = None

    def siblings(self, artifact: Artifact, artifact_type: str) -> list[Artifact]:
        """Artifacts of a type from the same step (or the same run when it has no step)."""
        if self.detail is None:
            return []
        return [
            a for a in self.detail.artifacts
            if a.artifact_type == artifact_type and a.step_id == artifact.step_id
        ]

    def read(self, artifact: Artifact) -> bytes:
        """Bytes of another artifact. Blocks: call it from prepare() only (a worker thread)."""
        return self.source.read_bytes(artifact)

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

    # For the help screen: a title, and the widgets whose keys work inside this viewer.
    HELP_TITLE: ClassVar[str] = ""
    HELP_WIDGETS: ClassVar[tuple[type[Widget], ...]] = ()

    def __init__(self, artifact: Artifact, model: Any, context: ViewerContext | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.artifact = artifact
        self.model = model
        # The run around the artifact (sibling lookups are in memory: fine on the event loop).
        self.context = context

    class Navigate(Message):
        """Open another artifact of the run, and go to `target` in it (an element id, ...)."""

        def __init__(self, artifact: Artifact, target: str | None = None) -> None:
            super().__init__()
            self.artifact = artifact
            self.target = target

    @classmethod
    def wants_bytes(cls, artifact: Artifact) -> bool:
        """Whether prepare() needs the artifact's bytes (read before it, in the worker). A viewer
        says no for a file too big to read for what it shows (file details, a big local log)."""
        return True

    @classmethod
    def prepare(cls, artifact: Artifact, data: bytes | None, context: ViewerContext) -> Any:
        """Turn bytes into this viewer's model. Runs in a worker thread."""
        return data

    def go_to(self, target: str) -> bool:
        """Show `target` (sent with a Navigate message); False when this viewer has no such thing."""
        return False

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

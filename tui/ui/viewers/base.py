"""What a viewer is: a widget that shows one typed model.

The model is built in core (`tui.core.opening`), in the viewer pane's worker: a viewer never
reads, never parses, and receives exactly the model its opener returns (`Viewer[HarModel]`).
Work that depends on the cursor (a request's body, a trace frame) runs in the viewer's own
workers through core functions.

A viewer that links to another artifact (an element id in an action -> the element tree of
the same step) posts `Viewer.Navigate`; the run screen opens that artifact and calls
`go_to(target)` on the viewer that shows it. A viewer that wants an image shown on its own
posts `Viewer.ShowImage`; the run screen opens it over the screen.
"""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

from textual.message import Message
from textual.widget import Widget

from ...core.copying import CopyChoice
from ...core.formats.media import Picture
from ...core.model import Artifact
from ..failures import ReportsWorkerFailures

M = TypeVar("M")


class Viewer(ReportsWorkerFailures, Widget, Generic[M]):
    """Shows one artifact, from the model its opener made."""

    DEFAULT_CSS = "Viewer { height: 1fr; width: 1fr; }"

    # The type of model the opener of this viewer's kind returns (checked by a test).
    MODEL: ClassVar[type | tuple[type, ...]] = object

    # For the help screen: a title, and the widgets whose keys work inside this viewer.
    HELP_TITLE: ClassVar[str] = ""
    HELP_WIDGETS: ClassVar[tuple[type[Widget], ...]] = ()

    def __init__(self, artifact: Artifact, model: M, **kwargs) -> None:
        super().__init__(**kwargs)
        self.artifact = artifact
        self.model: M = model

    class Navigate(Message):
        """Open another artifact of the run, and go to `target` in it (an element id, ...)."""

        def __init__(self, artifact: Artifact, target: str | None = None) -> None:
            super().__init__()
            self.artifact = artifact
            self.target = target

    class ShowImage(Message):
        """Show an image on its own, over the screen (an image inside a request)."""

        def __init__(self, image: Picture, title: str) -> None:
            super().__init__()
            self.image = image
            self.title = title

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

    def copy_choices(self) -> list[CopyChoice]:
        """What this viewer adds to the copy menu (`y`), first: the request as curl, the
        element's CSS selector (the artifact's text, id and uri are offered for every viewer)."""
        return []

    def start_find(self) -> bool:
        """Open this viewer's find bar; False when there is nothing to find in it."""
        return False

    def find_text(self, query: str) -> bool:
        """Put `query` in the find bar and mark its matches, from where the viewer is (a run-wide
        search's result), the focus staying in the viewer so n/N go on; False: no find here."""
        return False

"""One artifact's viewer, full size, opened at a place (a line, an entry, an element): what enter
on an item of the overview or of a step story opens. escape comes back one level, whatever
the pane shows (its viewer or an error panel)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import events, on
from textual._wait import wait_for_idle  # what Textual's Pilot waits with between keys
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer

from ...core.located import Located
from ...core.model import Artifact, RunDetail
from ...core.run_model.model import Place
from ...core.sources.base import Source
from .. import history
from ..failures import ReportsWorkerFailures
from ..getting_out import GettingOut, export_bindings
from ..messages import ShowStory
from ..viewers import Viewer
from ..widgets.error_panel import ErrorPanel
from .image import ImageScreen
from .on_screen import OnScreen
from .viewer_pane import ViewerPane

if TYPE_CHECKING:
    from ...core.formats.media import Picture

REPLAY_WAIT = 0.25  # seconds at most between the keys typed while the viewer loaded


def picture_reader(source: Source, detail: Callable[[], RunDetail | None]) -> Callable[[Artifact], Picture]:
    """How a page reads a screenshot to draw: core's opener (call it from a worker)."""

    def read(artifact: Artifact) -> Picture:
        from ...core.opening import Screenshot, open_artifact  # every parser: imported in the worker

        opened = open_artifact(artifact, source, detail())
        if not isinstance(opened.model, Screenshot):
            raise TypeError(f"{artifact.artifact_type} is not a picture")
        return opened.model.image

    return read


class ArtifactScreen(GettingOut, ReportsWorkerFailures, Screen):
    DEFAULT_CSS = "ArtifactScreen ViewerPane { height: 1fr; }"

    BINDINGS = [
        Binding("escape", "back", "Back", id="artifact.back"),
        Binding("t", "story", "Step story", id="artifact.story"),
        Binding("D", "compare", "Compare", show=False, id="artifact.compare"),
        Binding("ctrl+f", "app.search_run", "Search the run", show=False, priority=True, id="artifact.search"),
        *export_bindings("artifact"),
        Binding("alt+left,ctrl+o", "history(-1)", "Back to the place opened before", show=False, id="artifact.history_back"),
        Binding("alt+right,ctrl+i", "history(1)", "Forward to the place opened next", show=False,
                id="artifact.history_forward"),
    ]

    def __init__(self, source: Source, detail: RunDetail, place: Place, **kwargs) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.detail = detail
        self.place = place
        self._shown = False
        # Keys typed before the viewer is on screen are its keys: kept, then given to it in order.
        self._typed: list[events.Key] = []
        self._replaying: events.Key | None = None
        self.from_history = False  # opened by back/forward: not a new jump
        self._first_place = place  # `]` may flip to the next screenshot: the jump is where it opened

    def compose(self) -> ComposeResult:
        yield ViewerPane(self.source, self.detail)
        yield Footer()

    @property
    def pane(self) -> ViewerPane:
        return self.query_one(ViewerPane)

    def on_mount(self) -> None:
        self.set_focus(None)
        self.pane.open(self.place.artifact)
        history.record_screen(self, history.Jump("full", self.place, reopen=self._reopen))

    def _reopen(self, run: history.HasHistory) -> Screen:
        """Its place full size again (back or forward to it), as first opened."""
        screen = ArtifactScreen(self.source, self.detail, self._first_place)
        screen.from_history = True
        return screen

    def on_screen(self) -> OnScreen | None:
        artifact = self.pane.artifact or self.place.artifact
        viewer = self.pane.viewer
        place = self.place if self.place.artifact is artifact else Place(artifact)
        return OnScreen(Located(self.source, self.detail, place),
                        viewer if viewer is not None and viewer.artifact is artifact else None)

    def on_key(self, event: events.Key) -> None:
        if self._shown or event is self._replaying or event.key == "escape":
            return
        event.stop()
        event.prevent_default()
        self._typed.append(events.Key(event.key, event.character))

    @on(ViewerPane.Shown)
    def _viewer_shown(self, event: ViewerPane.Shown) -> None:
        event.stop()
        first = not self._shown
        self._shown = True
        if event.ok and self.place.target and first:
            self.call_after_refresh(self._go_to, self.place.target)
        self.call_after_refresh(self._enter)

    def _go_to(self, target: str) -> None:
        viewer = self.pane.viewer
        if viewer is not None and not viewer.go_to(target):
            self.notify(f"{target} is not in this {viewer.artifact.artifact_type}.", severity="warning", markup=False)

    def _enter(self) -> None:
        if not self.pane.focus_viewer():
            panels = self.query(ErrorPanel)
            if panels:
                panels.first().focus()
        if self._typed:
            self.call_after_refresh(lambda: self.run_worker(self._give_typed(), group="typed-ahead", exclusive=True,
                                                            exit_on_error=False))

    async def _give_typed(self) -> None:
        try:
            while self._typed:
                await wait_for_idle(0, REPLAY_WAIT)
                if not self._typed:
                    break  # dropped meanwhile
                key = self._replaying = self._typed.pop(0)
                key.set_sender(self.app)
                self.app.post_message(key)
        finally:
            self._replaying = None

    @on(Viewer.Navigate)
    def _navigate(self, event: Viewer.Navigate) -> None:
        event.stop()
        shown = self.pane.artifact
        if shown is not None and event.target is None and event.artifact.kind == shown.kind:
            # The next screenshot, the next frame: flipped through here, not stacked.
            self.place = Place(event.artifact)
            self.pane.open(event.artifact)
            return
        self.app.push_screen(ArtifactScreen(self.source, self.detail, Place(event.artifact, event.target)))

    @on(Viewer.ShowImage)
    def _show_image(self, event: Viewer.ShowImage) -> None:
        event.stop()
        self.app.push_screen(ImageScreen(event.image, event.title))

    def action_back(self) -> None:
        self.dismiss()

    def action_compare(self) -> None:
        from .compare_pick import start_compare

        start_compare(self)
    def action_history(self, step: int) -> None:
        history.move(self.app, step)

    def action_story(self) -> None:
        """`t`, as on the run screen: the story of the step of the artifact on show."""
        self.app.post_message(ShowStory(self.pane.artifact or self.place.artifact))

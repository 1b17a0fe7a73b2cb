"""The run screen's right-hand pane: opens an artifact in a worker (core's opener) and shows
the model with the viewer of its kind."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Container
from textual.widget import AwaitMount
from textual.message import Message
from textual.widgets import LoadingIndicator, Static
from textual.worker import Worker, get_current_worker

from ...core.errors import TuiError, describe_error
from ...core.model import Artifact, RunDetail
from ...core.sources.base import Source
from ..text import human_size
from ..viewers import VIEWERS, Viewer
from ..widgets.error_panel import ErrorPanel
from ..failures import ReportsWorkerFailures

if TYPE_CHECKING:
    from ...core.opening import Opened

LOADING_DELAY = 0.2  # seconds


class Nothing(Static, can_focus=True):
    """What the pane says when it has no viewer to show: an empty category, or the artifact on
    its way. Focusable, so that `enter` goes into the pane and `escape` comes back to the list,
    as over any artifact."""


class ViewerPane(ReportsWorkerFailures, Container, can_focus=False):
    """Holds at most one viewer; shows progress while loading and a panel when it fails."""

    ALLOW_MAXIMIZE = True

    DEFAULT_CSS = """
    ViewerPane { border: round $panel-lighten-2; height: 1fr; width: 1fr; }
    ViewerPane:focus-within { border: round $accent; }
    ViewerPane .empty { color: $text-muted; padding: 1 2; }
    """

    class Shown(Message):
        """An artifact is on screen (or its error panel is)."""

        def __init__(self, artifact: Artifact, ok: bool) -> None:
            super().__init__()
            self.artifact = artifact
            self.ok = ok

    def __init__(self, source: Source, detail: RunDetail | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.source = source
        # The run, for openers that read sibling artifacts; kept current by the run screen.
        self.detail = detail
        self.artifact: Artifact | None = None
        self.border_title = "Viewer"

    def compose(self) -> ComposeResult:
        yield Static(Text("Select an artifact and press enter."), classes="empty")

    @property
    def viewer(self) -> Viewer | None:
        found = self.query(Viewer)
        return found.first() if found else None

    def open(self, artifact: Artifact) -> None:
        self.artifact = artifact
        size = human_size(artifact.file_size) if artifact.file_size is not None else ""
        self.border_title = Text(f"{artifact.artifact_type} {size}".strip())
        self.border_subtitle = Text(artifact.artifact_id)
        self._replace(Nothing(Text(f"Loading {artifact.artifact_type}…", style="dim"), classes="empty"))
        # Most artifacts load in a blink: the spinner only shows for the slow ones.
        self.set_timer(LOADING_DELAY, partial(self._still_loading, artifact))
        self._load(artifact)

    def _still_loading(self, artifact: Artifact) -> None:
        notes = self.query(Nothing)
        if artifact is self.artifact and self.viewer is None and not self.failed and notes:
            size = f" ({human_size(artifact.file_size)})" if artifact.file_size else ""
            # In place: the note may have the focus (enter was pressed), which a new widget would lose.
            notes.first().update(Text(f"Reading and preparing {artifact.artifact_type}{size}…", style="dim"))
            self.mount(LoadingIndicator())

    def reload(self) -> None:
        """Read the artifact on show again (a log that grows while the run goes on)."""
        if self.artifact is not None:
            self._load(self.artifact)

    def _replace(self, widget) -> AwaitMount:
        self.remove_children()
        return self.mount(widget)

    @work(thread=True, exclusive=True, group="viewer-load", exit_on_error=False)
    def _load(self, artifact: Artifact) -> None:
        from ...core.opening import open_artifact  # every parser: imported in this worker, not at start-up

        worker = get_current_worker()
        try:
            opened = open_artifact(artifact, self.source, self.detail)
        except TuiError as exc:
            self.app.call_from_thread(self._failed, artifact, str(exc))
            return
        except Exception as exc:  # a viewer bug must not take the app down
            self.app.call_from_thread(self._failed, artifact, describe_error(exc))
            return
        if not worker.is_cancelled:
            # call_later: _opened waits for its viewer to mount, in the pane's own queue.
            self.app.call_from_thread(self.call_later, self._opened, artifact, opened)

    async def _opened(self, artifact: Artifact, opened: Opened) -> None:
        if artifact is not self.artifact:
            return  # the user has moved on
        had_focus = self.has_focus_within
        if opened.size is not None:  # of the bytes read now: file_size is stale for logs on real servers
            self.border_title = Text(f"{artifact.artifact_type} {human_size(opened.size)}")
        try:
            widget = VIEWERS[opened.kind](artifact, opened.model)
        except Exception as exc:  # a viewer bug shows as a panel, not a crash
            self._failed(artifact, describe_error(exc))
            return
        # Once mounted, with its parts composed: focusing it (here, or on Shown) focuses one of them.
        await self._replace(widget)
        if artifact is not self.artifact:
            return  # moved on while it mounted
        if had_focus:
            self.call_after_refresh(widget.focus)
        self.post_message(self.Shown(artifact, True))

    def show_worker_failure(self, worker: Worker, reason: str) -> bool:
        # A load that failed past its own error handling still gets the panel it belongs in.
        if worker.group == "viewer-load" and self.artifact is not None:
            self._failed(self.artifact, reason)
            return True
        return False

    def _failed(self, artifact: Artifact, reason: str) -> None:
        if artifact is not self.artifact:
            return
        self._replace(
            ErrorPanel(
                f"Cannot show {artifact.artifact_type} {artifact.artifact_id}",
                reason,
                "The rest of the run is still here: pick another artifact on the left.",
            )
        )
        self.post_message(self.Shown(artifact, False))

    @property
    def failed(self) -> bool:
        """The artifact on show could not be shown (opening it again tries again)."""
        return bool(self.query(ErrorPanel))

    def show_nothing(self, message: str) -> None:
        """Nothing to show (an empty category): the pane says so, and forgets its artifact."""
        self.artifact = None
        self.border_title = "Viewer"
        self.border_subtitle = ""
        self._replace(Nothing(Text(message), classes="empty"))

    def focus_viewer(self) -> bool:
        viewer = self.viewer
        if viewer is None:
            return False
        viewer.focus()
        return True

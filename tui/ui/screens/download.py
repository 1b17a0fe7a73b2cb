"""Save the open run to a folder (the demo's layout), with progress; escape cancels. With
`types`, only the artifacts of those types: the palette's "Save category…"."""

from __future__ import annotations

import threading
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.notifications import SeverityLevel
from textual.widgets import Input, ProgressBar, Static

from ...core.catalog import Category
from ...core.download import download_run
from ...core.errors import describe_error
from ...core.model import RunDetail
from ...core.sources.base import Source
from ..text import safe_text
from ..failures import ReportsWorkerFailures


class DownloadScreen(ReportsWorkerFailures, ModalScreen[None]):
    DEFAULT_CSS = """
    DownloadScreen { align: center middle; }
    DownloadScreen Vertical { width: 76; height: auto; border: round $accent; padding: 1 2; background: $surface; }
    DownloadScreen ProgressBar { margin: 1 0 0 0; }
    DownloadScreen .hint { color: $text-muted; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="download.back")]

    def __init__(self, source: Source, run_id: str, category: Category | None = None,
                 types: tuple[str, ...] = (), **kwargs) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.run_id = run_id
        self.category = category  # "Save category…": its name in the title and the folder's
        self.types = types  # only the artifacts of these types; all when empty
        self.cancel_event = threading.Event()
        self.running = False

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            what = f"the {self.category.label} of " if self.category else ""
            box.border_title = Text(f"Download {what}{self.run_id}")
            yield Static(Text("Folder to save the run in (enter starts, escape cancels):"))
            name = f"{self.run_id}-{self.category.value}" if self.category else self.run_id
            yield Input(value=str(Path.cwd() / name), id="dest")
            yield ProgressBar(show_eta=False)
            yield Static(Text(""), classes="hint")

    def on_mount(self) -> None:
        self.query_one(ProgressBar).display = False

    @on(Input.Submitted, "#dest")
    def _start(self, event: Input.Submitted) -> None:
        if self.running:
            return
        self.running = True
        event.input.disabled = True
        bar = self.query_one(ProgressBar)
        bar.display = True
        self._hint("Starting…")
        self._download(Path(event.value).expanduser())

    def _hint(self, message: str) -> None:
        self.query_one(".hint", Static).update(safe_text(message))

    @work(thread=True, exclusive=True, group="download", exit_on_error=False)
    def _download(self, dest: Path) -> None:
        def progress(done: int, total: int, artifact) -> None:
            self.app.call_from_thread(self._progress, done, total)

        try:
            result = download_run(self.source, self.run_id, dest, types=self.types, progress=progress,
                                  cancel=self.cancel_event)
        except Exception as exc:
            self.app.call_from_thread(self._finished, f"Download failed: {describe_error(exc)}", "error")
            return
        if result.cancelled:
            message, severity = f"Download cancelled: {result.count} of {result.total} artifacts in {dest}.", "warning"
        elif result.failed:
            message = f"{len(result.failed)} of {result.total} artifacts could not be downloaded; the rest are in {dest}."
            severity = "error"
        else:
            message, severity = f"Saved {result.count} artifacts to {dest} (open it offline with --local).", "information"
        self.app.call_from_thread(self._finished, message, severity)

    def _progress(self, done: int, total: int) -> None:
        self.query_one(ProgressBar).update(total=total, progress=done)
        self._hint(f"{done} of {total} artifacts (escape cancels)")

    def _finished(self, message: str, severity: SeverityLevel) -> None:
        self.notify(message, severity=severity, markup=False, timeout=8)
        self.dismiss()

    def action_cancel(self) -> None:
        if self.running:
            self.cancel_event.set()
            self._hint("Cancelling…")
        else:
            self.dismiss()


def save_category(screen: Screen, source: Source, detail: RunDetail, category: Category | None) -> None:
    """The palette's "Save category…": a download of the artifact types of the category on
    screen (None: the overview, which is no category: it says so)."""
    if category is None:
        screen.notify("Show a category first (keys 1-6), then save it.", severity="information", timeout=4)
        return
    types = tuple(sorted({a.artifact_type for a in detail.artifacts if a.category == category}))
    if not types:
        screen.notify(f"No {category.label} artifacts in this run.", severity="information", timeout=4)
        return
    screen.app.push_screen(DownloadScreen(source, detail.run.run_id, category, types))

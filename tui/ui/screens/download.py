"""Save the open run to a folder (the demo's layout), with progress; escape cancels."""

from __future__ import annotations

import threading
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.notifications import SeverityLevel
from textual.widgets import Input, ProgressBar, Static

from ...core.download import download_run
from ...core.errors import describe_error
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

    def __init__(self, source: Source, run_id: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.run_id = run_id
        self.cancel_event = threading.Event()
        self.running = False

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = Text(f"Download {self.run_id}")
            yield Static(Text("Folder to save the run in (enter starts, escape cancels):"))
            yield Input(value=str(Path.cwd() / self.run_id), id="dest")
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
            result = download_run(self.source, self.run_id, dest, progress=progress, cancel=self.cancel_event)
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

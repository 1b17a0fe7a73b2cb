"""The application: its screens, its global keys, and opening runs."""

from __future__ import annotations

from textual import work
from textual.app import App
from textual.binding import Binding

from ..core.errors import TuiError
from ..core.model import RunDetail
from ..core.sources.base import Source
from .screens.help import HelpScreen
from .screens.picker import PickerScreen
from .screens.run import RunScreen
from .viewers.text import TextViewer
from .widgets.artifact_list import ArtifactList
from .widgets.line_view import LineView


class SkyvernTUI(App):
    TITLE = "skyvern-tui"
    # Data from web pages is shown as it is; a fade-in animation only slows a person down.
    ANIMATION_LEVEL = "none"

    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help"),
        Binding("ctrl+p", "command_palette", "Commands", show=False),
        Binding("tab", "focus_next", "Next pane", show=False),
        Binding("shift+tab", "focus_previous", "Previous pane", show=False),
    ]

    def __init__(self, sources: list[Source], initial: tuple[Source, str] | None = None) -> None:
        super().__init__()
        self.sources = sources
        self.initial = initial

    def on_mount(self) -> None:
        self.push_screen(PickerScreen(self.sources))
        if self.initial is not None:
            self.open_run(*self.initial)

    def open_run(self, source: Source, run_id: str) -> None:
        self._load_run(source, run_id)

    @work(thread=True, exclusive=True, group="run-load", exit_on_error=False)
    def _load_run(self, source: Source, run_id: str) -> None:
        try:
            detail = source.load_run(run_id)
        except Exception as exc:
            reason = str(exc) if isinstance(exc, TuiError) else f"{type(exc).__name__}: {exc}"
            self.call_from_thread(self.notify, reason, title="Cannot open run", severity="error", markup=False)
            return
        self.call_from_thread(self._show_run, source, detail)

    def _show_run(self, source: Source, detail: RunDetail) -> None:
        if isinstance(self.screen, RunScreen):
            self.pop_screen()
        self.push_screen(RunScreen(source, detail))

    def back_to_picker(self) -> None:
        if isinstance(self.screen, RunScreen):
            self.pop_screen()

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        sections = [
            ("Everywhere", self.BINDINGS),
            ("Run picker", PickerScreen.BINDINGS),
            ("Run", RunScreen.BINDINGS),
            ("Lists", ArtifactList.BINDINGS + [Binding("enter", "", "Open the artifact")]),
            ("Text viewer", LineView.BINDINGS + TextViewer.BINDINGS),
        ]
        self.push_screen(HelpScreen(sections))

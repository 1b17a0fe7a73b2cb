"""The application: its screens, its global keys, and opening runs."""

from __future__ import annotations

from collections.abc import Mapping
from difflib import get_close_matches
from pathlib import Path

from platformdirs import user_downloads_path
from textual import events, on, work
from textual._files import generate_datetime_filename
from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.driver import Driver

from ..config import ConfigError
from ..core.deep_link import DeepLink
from ..core.errors import describe_error
from ..core.graphics.modes import HALFBLOCK, Graphics, Mode
from ..core.model import RunDetail
from ..core.recent import RecentRuns
from ..core.sources.base import Source, is_remote
from .graphics_output import GraphicsOutput
from .key_order import KeysInOrder
from .keymap import binding_ids, unknown_ids, with_mirrors
from .messages import BackToPicker, CompareArtifacts, OpenRun, ShowStory
from .pictures import Pictures
from .screens.artifact import ArtifactScreen
from .screens.artifact_diff import ArtifactDiffScreen
from .screens.compare_pick import ComparePickScreen
from .screens.help import HelpScreen
from .screens.picker import PickerScreen
from .screens.run import RunScreen
from .screens.story import StoryScreen
from .viewers import VIEWERS
from .widgets.artifact_list import ArtifactList
from .failures import ReportsWorkerFailures


def _bindings(cls: type[DOMNode]) -> list[Binding]:
    return [b for b in cls.BINDINGS if isinstance(b, Binding)]


def screenshot_folder() -> Path:
    """The user's Downloads folder when it exists, else the current folder."""
    downloads = user_downloads_path()
    return downloads if downloads.is_dir() else Path.cwd()


class SkyvernTUI(GraphicsOutput, KeysInOrder, ReportsWorkerFailures, App):
    TITLE = "skyvern-tui"
    # Shared styles; packaged next to this module (the wheel takes every file under tui/).
    CSS_PATH = "app.tcss"
    # Data from web pages is shown as it is; a fade-in animation only slows a person down.
    ANIMATION_LEVEL = "none"

    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, id="app.palette"),
        Binding("tab", "focus_next", "Next pane", show=False, id="app.focus_next"),
        Binding("shift+tab", "focus_previous", "Previous pane", show=False, id="app.focus_previous"),
    ]

    def __init__(
        self,
        sources: list[Source],
        initial: tuple[Source, str] | None = None,
        recent: RecentRuns | None = None,
        poll_seconds: float = 5.0,
        theme: str | None = None,
        keymap: Mapping[str, str] | None = None,
        driver_class: type[Driver] | None = None,
        link: DeepLink | None = None,
        graphics: Graphics = HALFBLOCK,
    ) -> None:
        """Raises ConfigError for a theme or a binding id (of the config file) that does not exist."""
        super().__init__(driver_class=driver_class)  # None: Textual's own for the platform
        # How pictures are drawn (found before the app started: tui.core.graphics.detect).
        # Kitty images name themselves by a colour, which must reach the terminal exactly.
        self.pictures = Pictures(graphics, truecolor=self.console.color_system == "truecolor")
        if theme is not None:
            if theme not in self.available_themes:
                names = ", ".join(sorted(self.available_themes))
                raise ConfigError(f"no theme {theme!r} (themes: {names})")
            self.theme = theme
        keymap = dict(keymap or {})
        # Checked only when there is a table: knowing every binding imports every module of the UI.
        if keymap and (unknown := unknown_ids(keymap)):
            known = sorted(binding_ids())
            hints = [f"{u!r}" + (f" (did you mean {m[0]!r}?)" if (m := get_close_matches(u, known, 1)) else "")
                     for u in unknown]
            raise ConfigError(f"[keys]: no binding {', '.join(hints)}; the ids are listed in the README, under Keys")
        keymap = with_mirrors(keymap)
        self.set_keymap(keymap)
        # The remapped keys, as Textual spells them, for the help screen.
        self.keys = self._normalize_keymap(keymap)
        # How often a live run (not yet ended) is asked for its news.
        self.poll_seconds = poll_seconds
        self.sources = sources
        self.initial = initial
        self.link = link  # where the initial run opens (--open, --type, --step); used once
        # Where opened runs are remembered; None (tests) remembers nothing.
        self.recent = recent
        self._screenshots: dict[str, Path] = {}  # delivery key -> the file it is written to

    def on_mount(self) -> None:
        # A run of this machine opened from the command line is the first screen: the picker
        # (which lists every source) is made when escape goes back to it. A server's run takes
        # a while to load: the picker says "Opening…" meanwhile.
        if self.initial is None or is_remote(self.initial[0]):
            self.push_screen(self._picker())
        for source in self.sources:  # a plain http:// API elsewhere: said, and the app works on
            if warning := getattr(source, "warning", None):
                self.notify(warning, title=f"{source.label}: not encrypted", severity="warning", markup=False, timeout=15)
        if self.initial is not None:
            self.open_run(*self.initial)

    def _picker(self) -> PickerScreen:
        return PickerScreen(self.sources, self.recent.load() if self.recent else [])

    @property
    def _has_picker(self) -> bool:
        return any(isinstance(screen, PickerScreen) for screen in self.screen_stack)

    # --- saving a screenshot of the screen (the palette's "Screenshot") -----------------------
    def deliver_screenshot(self, filename: str | None = None, path: str | None = None,
                           time_format: str | None = None) -> str | None:
        """As Textual's, but into the Downloads folder only when there is one (else the current
        folder), and the file remembered so that a failure can say where and why."""
        folder = Path(path).expanduser() if path else screenshot_folder()
        name = filename or generate_datetime_filename(self.title, ".svg", time_format)
        key = super().deliver_screenshot(name, str(folder), time_format)
        if key is not None:
            self._screenshots[key] = folder / name
        return key

    @on(events.DeliveryComplete)
    def _screenshot_saved(self, event: events.DeliveryComplete) -> None:
        if event.name == "screenshot":
            event.prevent_default()  # Textual's own message reads the path as markup
            where = event.path or self._screenshots.get(event.key)
            self._screenshots.pop(event.key, None)
            self.notify(f"Saved a screenshot of the screen to {where}" if where else "Saved a screenshot",
                        title="Screenshot", markup=False)

    @on(events.DeliveryFailed)
    def _screenshot_failed(self, event: events.DeliveryFailed) -> None:
        if event.name == "screenshot":
            event.prevent_default()  # Textual's own says only "Failed to save screenshot"
            where = self._screenshots.pop(event.key, None)
            exc = event.exception
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else describe_error(exc)
            self.notify(f"Could not save the screenshot to {where or 'its folder'}: {reason}.",
                        title="Screenshot", severity="error", timeout=10, markup=False)

    def open_run(self, source: Source, run_id: str) -> None:
        self._load_run([source], run_id)

    def open_run_anywhere(self, run_id: str) -> None:
        """Open a pasted run id from whichever source has it, servers first."""
        servers = [s for s in self.sources if is_remote(s)]
        self._load_run(servers + [s for s in self.sources if s not in servers], run_id)

    @work(thread=True, exclusive=True, group="run-load", exit_on_error=False)
    def _load_run(self, sources: list[Source], run_id: str) -> None:
        reasons = []
        for source in sources:
            try:
                detail = source.load_run(run_id).prepared()
            except Exception as exc:
                reason = describe_error(exc)
                reasons.append(reason if len(sources) == 1 else f"{source.label}: {reason}")
                continue
            self.call_from_thread(self._show_run, source, detail)
            return
        self.call_from_thread(self._open_failed, run_id, "\n".join(reasons))

    def _open_failed(self, run_id: str, reasons: str) -> None:
        self.link = None  # it was the failed run's
        self.notify(reasons, title=f"Cannot open {run_id}", severity="error", markup=False)
        if isinstance(self.screen, PickerScreen):
            self.screen.open_failed()  # its "Opening…" line is no longer true
        elif not self._has_picker:
            self.push_screen(self._picker())  # the run given on the command line did not open

    def _show_run(self, source: Source, detail: RunDetail) -> None:
        if isinstance(self.screen, RunScreen):
            self.pop_screen()
        link, self.link = self.link, None  # the command line's place is the first run's only
        self.push_screen(RunScreen(source, detail, self.poll_seconds, link=link))
        if self.recent is not None:
            try:
                self.recent.add(detail.run.run_id, source.label, detail.run.title or "")
            except OSError:
                pass  # remembering is a convenience; never a reason to fail

    def back_to_picker(self) -> None:
        if isinstance(self.screen, RunScreen):
            if self._has_picker:
                self.pop_screen()
            else:
                self.switch_screen(self._picker())

    def on_back_to_picker(self, message: BackToPicker) -> None:
        self.back_to_picker()

    def on_show_story(self, message: ShowStory) -> None:
        run = next((s for s in reversed(self.screen_stack) if isinstance(s, RunScreen)), None)
        if run is not None:
            run.story_of(message.artifact)

    def on_compare_artifacts(self, message: CompareArtifacts) -> None:
        """The one way into an artifact diff: `D`'s picker and the run comparison's rows."""
        self.push_screen(ArtifactDiffScreen(message.left, message.right))

    def on_open_run(self, message: OpenRun) -> None:
        if message.source is None:
            self.open_run_anywhere(message.run_id)
        else:
            self.open_run(message.source, message.run_id)

    def action_search_run(self) -> None:
        """ctrl+f on the run, a full-size artifact or a story: the run's search (screens.search)."""
        from .screens.search import open_search  # core's search imports every parser: not at start-up

        source, detail = getattr(self.screen, "source", None), getattr(self.screen, "detail", None)
        if source is not None and isinstance(detail, RunDetail):
            open_search(self, source, detail)
    def on_key(self, event: events.Key) -> None:
        # A key typed in a burst right after the one that opened a dialog (y then l) comes up
        # from the screen below: it is the dialog's (screens/early_keys.py).
        take = getattr(self.screen, "take_key", None)
        if callable(take) and take(event):
            event.prevent_default()

    def action_help(self) -> None:
        # The help key closes the help it opened.
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        everywhere = _bindings(type(self))
        if isinstance(self.screen, PickerScreen):
            # Letters type into the picker's filter, so `q` does not quit there (ctrl+q does).
            everywhere = [b for b in everywhere if b.id != "app.quit"]
        from .screens.run_diff import RunDiffScreen, RunDiffTable  # opened from the palette only
        from .screens.search import SearchScreen  # core's search imports every parser: not at start-up

        sections: list[tuple[str, list[Binding]]] = [
            ("Everywhere", everywhere),
            ("Run picker", _bindings(PickerScreen)),
            ("Run", _bindings(RunScreen)),
            ("Run comparison (palette: Compare with run…)", _bindings(RunDiffTable) + _bindings(RunDiffScreen)),
            ("Lists", _bindings(ArtifactList) + [Binding("enter", "", "Open the artifact (the viewer follows the cursor)")]),
            ("Overview (0) and step story (t)", [
                Binding("j,k", "", "The next / previous item that leads somewhere"),
                Binding("enter", "", "Open it: its artifact at its place, or a step's story"),
                *_bindings(StoryScreen),
                Binding("escape", "", "From an opened item: back to the overview or the story, at the same row"),
                *[b for b in _bindings(ArtifactScreen)
                  if b.id not in ("artifact.back", "artifact.history_back", "artifact.history_forward")],
            ]),
            ("Compare (D): pick the other artifact", _bindings(ComparePickScreen)),
            ("Artifact diff", _bindings(ArtifactDiffScreen)),
            ("Run-wide search (ctrl+f)", _bindings(SearchScreen)),
            ("Info (i), copy (y), save (ctrl+s)", _export_dialog_bindings()),
        ]
        # One section per viewer, from its own bindings and those of the widgets it is made of.
        viewers = sorted(set(VIEWERS.values()), key=lambda cls: cls.HELP_TITLE or cls.__name__)
        for viewer in viewers:
            bindings = [b for widget in (*viewer.HELP_WIDGETS, viewer) for b in _bindings(widget)]
            if bindings:
                sections.append((viewer.HELP_TITLE or viewer.__name__, bindings))
        self.push_screen(HelpScreen(sections, self.keys, notes=[graphics_note(self.pictures.graphics)]))


def graphics_note(graphics: Graphics) -> str:
    """The help's line on how images are drawn, and how to choose."""
    limit = ""
    if graphics.mode is Mode.SIXEL and graphics.sixel_width:
        limit = f"; sixel images at most {graphics.sixel_width} px wide (the terminal's limit)"
    return (f"Images: {graphics.reason}; {graphics.cell_reason}{limit}. Force a mode with --graphics "
            "kitty|sixel|halfblock|auto, $SKYVERN_TUI_GRAPHICS, or graphics = \"...\" in the config file.")


def _export_dialog_bindings() -> list[Binding]:
    from .screens.copy import CopyScreen
    from .screens.info import InfoScreen
    from .screens.save import SaveScreen

    letters = Binding("t,i,u,a,l,c,s", "", "In the copy menu: the text, id, uri, app URL, command line, curl, selector")
    return [*_bindings(InfoScreen), *_bindings(CopyScreen), letters, *_bindings(SaveScreen)]

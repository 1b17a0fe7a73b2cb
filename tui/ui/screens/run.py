"""The run screen: header, category sidebar, and the overview or an artifact list and viewer."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING
from concurrent.futures import ThreadPoolExecutor, as_completed
from functools import partial

from textual import events, on, work
from textual._wait import wait_for_idle  # what Textual's Pilot waits with between keys
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, OptionList
from textual.worker import Worker, get_current_worker

from ...core.catalog import CATEGORIES, GROWING_TYPES, Category
from ...core.deep_link import DeepLink, linked_artifact, step_index
from ...core.errors import describe_error
from ...core.located import Located
from ...core.model import Artifact, RunDetail, newest
from ...core.run_model.model import UNSUCCESSFUL, Place, RunModel, StepModel
from ...core.sources.base import Source, is_remote
from .. import history
from ..commands import RunCommands
from ..history import History, Jump
from ..keymap import remapped
from ..messages import BackToPicker
from ..viewers import Viewer
from ..widgets.artifact_list import ArtifactList
from ..widgets.error_panel import ErrorPanel
from ..widgets.run_header import RunHeader, header_renderable
from ..widgets.page_view import PageView
from ..widgets.category_strip import CategoryStrip
from ..widgets.sidebar import OVERVIEW, CategorySidebar
from .artifact import ArtifactScreen, picture_reader
from .image import ImageScreen
from .nothing_to_find import NothingToFind
from .on_screen import OnScreen
from .overview import OverviewPane
from .story import StoryScreen
from .viewer_pane import Nothing, ViewerPane
from ..failures import ReportsWorkerFailures
from ..getting_out import GettingOut, export_bindings

if TYPE_CHECKING:
    from ...core.run_model.build import RunModelBuilder

PREFETCH_WORKERS = 8  # parallel downloads at most
# The viewer follows the list's cursor once it rests this long, so holding j over big
# artifacts does not open each one on the way.
FOLLOW_CURSOR_DELAY = 0.15  # seconds
TYPED_AHEAD_LIMIT = 1.0  # seconds: keys wait this long at most for a viewer that was never asked for
REPLAY_WAIT = 0.25  # seconds at most between the keys typed while a viewer loaded, given to it once shown


def _news(old: RunDetail, new: RunDetail) -> bool:
    """Whether a poll brought anything the run model is built from."""
    return (new.run != old.run or new.steps != old.steps or len(new.actions) != len(old.actions)
            or {a.artifact_id for a in new.artifacts} != {a.artifact_id for a in old.artifacts})


class RunScreen(GettingOut, ReportsWorkerFailures, Screen):
    COMMANDS = Screen.COMMANDS | {RunCommands}

    # Below this width the sidebar gives its room to the viewer, and a one-line strip under the
    # header shows the categories instead: the same keys (0-6) either way.
    NARROW = 110
    MODEL_EVERY = 0.15  # seconds between two models shown (see _next_model)
    # on_mount puts the focus on the overview (or its error panel): the screen's own first
    # focus would land on the sidebar first and race with it.
    AUTO_FOCUS = ""

    BINDINGS = [
        Binding("0", "overview", "Show the overview", show=False, id="run.overview"),
        *(
            Binding(str(i), f"category('{c.value}')", f"Show {c.label}", show=False, id=f"run.category_{i}")
            for i, c in enumerate(CATEGORIES, start=1)
        ),
        Binding("escape", "back", "Back", id="run.back"),
        Binding("slash", "find", "Find", id="run.find"),
        Binding("z", "zoom", "Zoom viewer", id="run.zoom"),
        # `F` as in less(1) (`f` filters in the HAR and log viewers).
        Binding("F", "follow", "Follow newest", id="run.follow"),
        Binding("d", "download", "Download run", id="run.download"),
        Binding("t", "story", "Step story", id="run.story"),
        Binding("D", "compare", "Compare", show=False, id="run.compare"),
        Binding("ctrl+f", "app.search_run", "Search the run", show=False, priority=True, id="run.search"),
        *export_bindings("run"),
        Binding("alt+left,ctrl+o", "history(-1)", "Back to the place opened before", show=False, id="run.history_back"),
        Binding("alt+right,ctrl+i", "history(1)", "Forward to the place opened next", show=False, id="run.history_forward"),
    ]

    def __init__(self, source: Source, detail: RunDetail, poll_seconds: float = 5.0, link: DeepLink | None = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.history = History()  # the places opened in this run (back and forward)
        self._link = link  # where the command line asked the run to open
        self.source = source
        self.poll_seconds = poll_seconds  # how often a live run is asked for its news
        self.detail = detail
        self._focus_viewer_when_shown = False
        self._cursor_timer: Timer | None = None  # opens the artifact the list's cursor rests on
        # Keys typed after enter (or z) while the viewer loads: they are the viewer's, not the list's.
        self._typing_ahead = False
        self._typed_ahead: list[events.Key] = []
        self._replaying: events.Key | None = None
        self._unstick_timer: Timer | None = None
        self.shown_category: Category | None = None
        # Live runs: artifacts that arrived while watching, and whether to follow the newest.
        self.new_ids: set[str] = set()
        self.follow = False
        self._poller: Timer | None = None
        self._poll_failing = False
        self._pending_target: str | None = None  # where a Navigate asked to go, once shown
        # The run model, built in a worker (and again on a live run's news), kept here.
        self.model: RunModel | None = None
        self.showing_overview = False
        self._builder: RunModelBuilder | None = None  # RunModelBuilder: it keeps what it parsed, so a rebuild reads only what is new
        self._build_lock = threading.Lock()  # one build at a time over the one builder
        self._next_lock = threading.Lock()  # guards _next_model, set by the worker
        self._building: RunDetail | None = None
        # The newest model the worker made, not shown yet: models come faster than a person
        # reads (eight in 0.3 s as a run opens), and each one lays the overview out again, so the
        # loop shows the newest at most every MODEL_EVERY seconds and the worker never waits.
        self._next_model: tuple[RunModel, RunDetail] | None = None
        self._model_timer: Timer | None = None
        self._model_shown_at = 0.0

    def compose(self) -> ComposeResult:
        yield RunHeader(self.detail)
        yield CategoryStrip(self.detail.counts)
        with Horizontal():
            yield CategorySidebar(self.detail.counts)
            yield OverviewPane(lambda: self.model, picture_reader(self.source, lambda: self.detail))
            yield ArtifactList()
            yield ViewerPane(self.source, self.detail)
        yield Footer()

    def on_resize(self) -> None:
        self.set_class(self.size.width < self.NARROW, "-narrow")

    def on_mount(self) -> None:
        self.set_class(self.app.size.width < self.NARROW, "-narrow")  # no flash of the wide layout
        # A run opens on its overview; the model behind it is built in a worker.
        self.action_overview()
        if self._link is not None:
            self.call_after_refresh(self._follow_link)
        self._rebuild(self.detail)
        if self.live:
            self._poller = self.set_interval(self.poll_seconds, self._poll)
            self.refresh_bindings()
            self.notify(f"Live run ({self.detail.run.status}): checking every {self.poll_seconds:g}s. F follows the newest.",
                        markup=False)

    # --- deep links and history --------------------------------------------------------------
    def _follow_link(self) -> None:
        """`--open ID` / `--type T`: reveal that artifact; `--step N` waits for the run model."""
        link = self._link
        found = linked_artifact(link, self.detail) if link is not None else None
        if found is None:
            return
        self._link = None
        if isinstance(found, str):
            self.notify(found, title="Deep link", severity="warning", markup=False)
        else:
            self.reveal_artifact(found)

    def _follow_step_link(self, model: RunModel) -> None:
        link, self._link = self._link, None
        if link is None:
            return
        index = step_index(link, len(model.steps))
        if isinstance(index, str):
            self.notify(index, title="Deep link", severity="warning", markup=False)
        else:
            self._open_story(model.steps[index])

    def action_history(self, step: int) -> None:
        history.move(self.app, step)

    @property
    def shown_artifact(self) -> Artifact | None:
        """The artifact in the viewer pane (or on its way)."""
        return self.viewer_pane.artifact

    # --- live runs ------------------------------------------------------------------------
    @property
    def live(self) -> bool:
        """A run still going, on a source that can be asked again (a server)."""
        return not self.detail.run.terminal and is_remote(self.source)

    def _poll(self) -> None:
        self._refresh_run(self.detail.run.run_id)

    @work(thread=True, exclusive=True, group="run-poll", exit_on_error=False)
    def _refresh_run(self, run_id: str) -> None:
        try:
            detail = self.source.load_run(run_id).prepared()
        except Exception as exc:  # a missed poll is retried at the next tick
            self.app.call_from_thread(self._poll_failed, exc)
            return
        self.app.call_from_thread(self.update_detail, detail)

    def _poll_failed(self, exc: Exception) -> None:
        # Said once per run of failures, not at every tick.
        if not self._poll_failing:
            self.notify(f"{describe_error(exc)} Trying again every {self.poll_seconds:g}s.", title="Checking the run failed",
                        severity="warning", markup=False)
        self._poll_failing = True

    def update_detail(self, detail: RunDetail) -> None:
        """Take a newer state of the run: new artifacts marked, counts and status updated."""
        self._poll_failing = False
        changed = _news(self.detail, detail)
        known = {a.artifact_id for a in self.detail.artifacts}
        fresh = [a for a in detail.artifacts if a.artifact_id not in known]
        self.detail = detail
        self.viewer_pane.detail = detail
        self.new_ids |= {a.artifact_id for a in fresh}
        self.query_one(RunHeader).update(header_renderable(detail))
        self.sidebar.set_counts(detail.counts)
        self.query_one(CategoryStrip).set_counts(detail.counts)
        shown_artifact = self.viewer_pane.artifact
        if self.follow and shown_artifact is not None and shown_artifact.artifact_type in GROWING_TYPES:
            self.viewer_pane.reload()  # its new lines; the viewer then shows its end
        shown = self.shown_category
        if shown is not None and any(a.category is shown for a in fresh):
            self.shown_category = None  # redraw the list, keeping the cursor
            self._show_category(shown, open_first=False)
            if self.follow:
                self._open_newest()
        if detail.run.terminal and self._poller is not None:
            self._poller.stop()
            self._poller = None
            self.refresh_bindings()
            ended = f"The run ended: {detail.run.status or 'unknown'}."
            if detail.run.failure_reason:
                ended += f" {' '.join(detail.run.failure_reason.split())}"
            unsuccessful = detail.run.status in UNSUCCESSFUL
            self.notify(ended, title=detail.run.run_id, severity="warning" if unsuccessful else "information",
                        timeout=10, markup=False)
        if changed:  # the overview follows the run: new steps, actions, screenshots (a build with no news would
            self._rebuild(detail)  # only cancel the one under way, which may never end if polls come fast)

    def action_download(self) -> None:
        from .download import DownloadScreen

        self.app.push_screen(DownloadScreen(self.source, self.detail.run.run_id))

    def action_save_category(self) -> None:
        from .download import save_category

        save_category(self, self.source, self.detail, None if self.showing_overview else self.shown_category)

    # --- the run model --------------------------------------------------------------------
    def _rebuild(self, detail: RunDetail) -> None:
        self._building = detail  # what the models posted from now on are of
        self._build_model(detail)

    @work(thread=True, exclusive=True, group="run-model", exit_on_error=False)
    def _build_model(self, detail: RunDetail) -> None:
        """Build the run model part by part, posting each fuller model (a newer RunDetail
        cancels this build: exclusive group)."""
        from ...core.run_model.build import RunModelBuilder  # the builder imports every parser

        worker = get_current_worker()

        def cancelled() -> bool:
            return worker.is_cancelled

        def progress(model: RunModel) -> None:
            if not cancelled():
                with self._next_lock:
                    first = self._next_model is None
                    self._next_model = (model, detail)
                if first:
                    self.app.call_from_thread(self._model_ready)

        with self._build_lock:
            if cancelled():
                return
            if self._builder is None:
                self._builder = RunModelBuilder(self.source)
            builder = self._builder
            if self.model is None:
                progress(builder.first_pass(detail))  # instant: steps, calls and artifacts, "reading…" the rest
            model = builder.build(detail, progress=progress, cancelled=cancelled)
        progress(model)

    @property
    def model_pending(self) -> bool:
        """A model the worker made waits to be shown (at most MODEL_EVERY from now)."""
        return self._next_model is not None or self._model_timer is not None

    def _model_ready(self) -> None:
        """A newer model waits: show it now, or once MODEL_EVERY has passed since the last one."""
        if self._model_timer is not None:
            return  # the timer shows the newest when it fires
        wait = self._model_shown_at + self.MODEL_EVERY - time.monotonic()
        if wait > 0:
            self._model_timer = self.set_timer(wait, self._show_next_model)
        else:
            self._show_next_model()

    def _show_next_model(self) -> None:
        self._model_timer = None
        with self._next_lock:
            pending, self._next_model = self._next_model, None
        if pending is not None:
            self._model_shown_at = time.monotonic()
            self._model_built(*pending)

    def _model_built(self, model: RunModel, detail: RunDetail) -> None:
        if detail is not self._building or not self.is_attached:
            return  # a build of an older state of the run (the newer one follows), or the run was left
        named_before = self._call_names()
        self.model = model
        self.query_one(OverviewPane).model_changed()
        if self._link is not None and self._link.step is not None:
            self._follow_step_link(model)
        shown = self.shown_category
        if shown is Category.AI and self._call_names() != named_before:
            # The logs named the calls: the list shows each call's artifacts under its name
            # (redrawn in place: the cursor stays, the overview stays if it is on show).
            self.artifact_list.show_groups(self.detail.groups(shown), self.artifact_list.border_title or "",
                                           frozenset(self.new_ids), self._call_names())
        for screen in self.app.screen_stack:
            if isinstance(screen, StoryScreen):
                screen.update_model(model, detail)

    def _call_names(self) -> dict[str, tuple[int, str]]:
        """Artifact id -> (its LLM call, numbered across the run, the call's name) from the run model."""
        names: dict[str, tuple[int, str]] = {}
        number = 0
        for step in self.model.steps if self.model is not None else ():
            for call in step.calls:
                number += 1
                for artifact in call.artifacts:
                    names[artifact.artifact_id] = (number, call.title)
        return names

    def show_worker_failure(self, worker: Worker, reason: str) -> bool:
        if worker.group == "run-model":
            self.query_one(OverviewPane).show_error("Cannot read the run as a whole", reason)
            return True
        return False

    def on_screen(self) -> OnScreen | None:
        """The artifact of the overview's item under the cursor, else the one in the viewer when
        the viewer has the focus, else the one under the list's cursor."""
        place: Place | None = None
        if self.showing_overview:
            item = self.overview.view.cursor_item
            link = item.link if item is not None else None
            place = link if isinstance(link, Place) else None
        elif self.viewer_pane.has_focus_within and self.viewer_pane.artifact is not None:
            place = Place(self.viewer_pane.artifact)
        elif self.artifact_list.artifact is not None:
            place = Place(self.artifact_list.artifact)
        if place is None:
            return None
        viewer = self.viewer_pane.viewer
        shown = viewer if viewer is not None and viewer.artifact is place.artifact and not self.showing_overview else None
        return OnScreen(Located(self.source, self.detail, place), shown)

    @property
    def overview(self) -> OverviewPane:
        return self.query_one(OverviewPane)

    def action_overview(self) -> None:
        self._show_overview()
        self.overview.focus_page()

    def _show_overview(self) -> None:
        self.query_one(CategoryStrip).show_overview()
        if not self.sidebar.overview:
            self.sidebar.select_overview()
        if self.showing_overview:
            return
        self._stop_cursor_timer()
        self.showing_overview = True
        self.shown_category = None
        self.set_class(True, "-overview")
        if self.maximized is not None:
            self.minimize()

    @on(PageView.Chosen, "OverviewView")
    def _overview_chosen(self, event: PageView.Chosen) -> None:
        event.stop()
        self.open_link(event.link)

    def open_link(self, link: object) -> None:
        """enter on an overview item: an artifact at its place, or a step's story."""
        if isinstance(link, Place):
            self.app.push_screen(ArtifactScreen(self.source, self.detail, link))
        elif isinstance(link, StepModel):
            self._open_story(link)

    def _open_story(self, step: StepModel) -> None:
        if self.model is not None:
            self.app.push_screen(StoryScreen(self.source, self.detail, self.model, step.step.step_id))

    def action_story(self) -> None:
        """`t`: the story of the step on screen (under the overview's or the list's cursor, or of
        the artifact in the viewer)."""
        model = self.model
        if model is None or not model.steps:
            self.notify("No steps to tell yet." if model is not None else "Still reading the run.", timeout=3)
            return
        step: StepModel | None = None
        if self.showing_overview:
            item = self.overview.view.cursor_item
            link = item.link if item is not None else None
            if isinstance(link, StepModel):
                step = link
            elif isinstance(link, Place):
                step = model.step_of(link.artifact)
            step = step or model.failed_step
        else:
            artifact = self.artifact_list.artifact if self.artifact_list.has_focus else self.viewer_pane.artifact
            artifact = artifact or self.artifact_list.artifact
            if artifact is not None:
                self.story_of(artifact)
            return
        if step is not None:
            self._open_story(step)

    def story_of(self, artifact: Artifact) -> None:
        """The story of the step an artifact belongs to (from the list, the viewer, or an
        artifact opened full size from the overview or a story)."""
        model = self.model
        if model is None or not model.steps:
            self.notify("No steps to tell yet." if model is not None else "Still reading the run.", timeout=3)
            return
        step = model.step_of(artifact)
        if step is None:
            why = ("It is the observer's: its thought is on the overview (0)." if artifact.observer_cruise_id
                   else "It belongs to the run as a whole.")
            self.notify(f"This artifact belongs to no step. {why}", timeout=4)
            return
        self._open_story(step)

    # --- prefetch ---------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="prefetch", exit_on_error=False)
    def _prefetch(self, artifacts: list[Artifact], title: str) -> None:
        """Fetch the category on screen into the cache, a few at a time, so opening is instant.

        A newer category (exclusive worker) or leaving the run cancels what has not started.
        """
        worker = get_current_worker()
        done = 0
        with ThreadPoolExecutor(max_workers=PREFETCH_WORKERS) as pool:
            futures = [pool.submit(self._fetch_quietly, a) for a in artifacts]
            for _ in as_completed(futures):
                if worker.is_cancelled:
                    for future in futures:
                        future.cancel()
                    return
                done += 1
                self.app.call_from_thread(self._prefetch_progress, title, done, len(artifacts))

    def _fetch_quietly(self, artifact: Artifact) -> None:
        try:
            self.source.read_bytes(artifact)
        except Exception:
            pass  # opening it will say what is wrong; a prefetch only warms the cache

    def _prefetch_progress(self, title: str, done: int, total: int) -> None:
        if self.artifact_list.border_title == title:
            self.artifact_list.border_subtitle = "" if done == total else f"fetching {done}/{total}"

    def on_unmount(self) -> None:
        self.workers.cancel_group(self, "prefetch")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Following makes sense while the run can still grow; hide the key otherwise.
        if action == "follow":
            return self._poller is not None or self.follow
        return True

    def action_follow(self) -> None:
        self.follow = not self.follow
        state = "on: the newest artifact of the category opens as it arrives" if self.follow else "off"
        self.notify(f"Follow {state}.")
        if self.follow:
            self._open_newest()

    def _open_newest(self) -> None:
        artifact = newest(self.artifact_list.artifacts)
        if artifact is not None:
            self.artifact_list.select_artifact(artifact)
            self.open_artifact(artifact, focus=False)

    @property
    def sidebar(self) -> CategorySidebar:
        return self.query_one(CategorySidebar)

    @property
    def artifact_list(self) -> ArtifactList:
        return self.query_one(ArtifactList)

    @property
    def viewer_pane(self) -> ViewerPane:
        return self.query_one(ViewerPane)

    def action_category(self, value: str) -> None:
        self._show_category(Category(value))
        # At once, not after the queue (focus() waits): an enter typed right after the digit,
        # in the same burst, is the list's, not the overview's it leaves.
        self.set_focus(self.artifact_list)

    @on(OptionList.OptionHighlighted, "CategorySidebar")
    def _category_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        # Skip stale events (the sidebar's own first highlight arrives after on_mount chose).
        if event.option.id == OVERVIEW:
            if self.sidebar.overview:
                self._show_overview()
        elif event.option.id and Category(event.option.id) is self.sidebar.category:
            self._show_category(Category(event.option.id))

    def _show_category(self, category: Category, open_first: bool = True) -> None:
        """List the category's artifacts and open its first one (once per change)."""
        self.query_one(CategoryStrip).show_category(category)
        if self.sidebar.category is not category:
            self.sidebar.select_category(category)
        if self.showing_overview:
            self.showing_overview = False
            self.set_class(False, "-overview")
        if self.shown_category is category:
            return
        self.shown_category = category
        count = self.detail.counts[category]
        title = f"{category.label} ({count})"
        self.artifact_list.show_groups(self.detail.groups(category), title, frozenset(self.new_ids), self._call_names())
        self.artifact_list.border_subtitle = ""
        if is_remote(self.source):
            self._prefetch(self.artifact_list.artifacts, title)
        artifact = self.artifact_list.artifact
        if artifact is None:
            self.viewer_pane.show_nothing(f"No {category.label} artifacts in this run.")
        elif open_first or self.viewer_pane.artifact is None:  # a category that was empty has its first
            self.open_artifact(artifact, focus=False)

    @on(OptionList.OptionHighlighted, "ArtifactList")
    def _artifact_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        # The viewer follows the cursor, debounced: the next move cancels the pending open.
        self._stop_cursor_timer()
        artifact = self.artifact_list.artifact
        if artifact is not None and artifact is not self.viewer_pane.artifact:
            self._cursor_timer = self.set_timer(FOLLOW_CURSOR_DELAY, partial(self._open_under_cursor, artifact))

    def _stop_cursor_timer(self) -> None:
        if self._cursor_timer is not None:
            self._cursor_timer.stop()
            self._cursor_timer = None

    def _open_under_cursor(self, artifact: Artifact) -> None:
        self._cursor_timer = None
        if self.artifact_list.artifact is artifact:
            self.open_artifact(artifact, focus=False)

    @on(OptionList.OptionSelected, "ArtifactList")
    def _artifact_selected(self, event: OptionList.OptionSelected) -> None:
        # enter: open it now (no waiting for the cursor to rest) and go into the viewer.
        self._stop_cursor_timer()
        artifact = self.artifact_list.artifact
        if artifact is not None:
            self.history.record(Jump("run", Place(artifact)))
            self.open_artifact(artifact, focus=True)

    @on(CategoryStrip.Chosen)
    def _strip_chosen(self, event: CategoryStrip.Chosen) -> None:
        event.stop()
        if event.option_id == OVERVIEW:
            self.action_overview()
        else:
            self.action_category(event.option_id)

    @on(OptionList.OptionSelected, "CategorySidebar")
    def _category_selected(self) -> None:
        if self.showing_overview:
            self.overview.focus_page()
        else:
            self.artifact_list.focus()

    def reveal_artifact(self, artifact: Artifact, target: str | None = None, record: bool = True) -> None:
        """Show an artifact's category, select it in the list and open it (at `target`, an
        element or a line, once shown); a jump of the history unless history itself goes there."""
        if record:
            self.history.record(Jump("run", Place(artifact, target)))
        self._pending_target = target
        if target is not None and self.viewer_pane.artifact is artifact and self.viewer_pane.viewer is not None:
            self._go_to_pending()
        hidden = self.showing_overview  # the viewer pane is hidden until the styles follow
        # Not the category's first artifact first: its viewer would still be the pane's (being
        # replaced) when this one is asked for, and take the focus as it goes.
        self._show_category(artifact.category, open_first=False)
        self.artifact_list.select_artifact(artifact)
        # At once: a focus that waits for the queue would land after the viewer's.
        self.set_focus(self.artifact_list)
        if hidden and self.viewer_pane.artifact is artifact:
            # Shown already: focusing it must wait until it is on screen again.
            self.call_after_refresh(self.open_artifact, artifact, True)
        else:
            self.open_artifact(artifact, focus=True)

    def open_artifact(self, artifact: Artifact, focus: bool) -> None:
        pane = self.viewer_pane
        if pane.artifact is artifact and not (pane.failed and focus):
            # Already shown or on its way: do not read it again (enter on a failed one retries).
            if focus and pane.viewer is not None:
                self._enter_pane()
            elif focus:
                self._wait_for_viewer()
            return
        self._focus_viewer_when_shown = False
        pane.open(artifact)
        if focus:
            self._wait_for_viewer()

    def _wait_for_viewer(self) -> None:
        """Focus the viewer once shown; meanwhile no pane has the focus, so what is typed waits."""
        self._stop_unstick_timer()  # the viewer was asked for: its Shown takes it from here
        self._focus_viewer_when_shown = True
        self._typing_ahead = True
        notes = self.viewer_pane.query(Nothing)  # "Loading…": the focus is in the pane at once
        if notes:
            notes.first().focus()
        else:
            self.set_focus(None)

    def on_key(self, event: events.Key) -> None:
        if event.key == "enter" and self.artifact_list.has_focus and self.artifact_list.artifact is None:
            # An empty category: enter goes into the pane all the same, so escape comes back here.
            self._focus_pane()
            return
        if not self._typing_ahead and self.artifact_list.has_focus and event.key in self._keys_into_viewer():
            # Keys come faster than messages: the keys typed after this enter (or zoom) may
            # reach the list before the viewer is asked for. From here on they wait for it.
            if self.artifact_list.artifact is not None:
                self._typing_ahead = True
                self._stop_unstick_timer()
                self._unstick_timer = self.set_timer(TYPED_AHEAD_LIMIT, self._unstick_typed)
            return
        if not self._typing_ahead or event is self._replaying:
            return
        event.stop()
        event.prevent_default()
        if event.key == "escape":  # back: stay in the list, forget what was typed
            self._typing_ahead = self._focus_viewer_when_shown = False
            self._typed_ahead = []
            self.artifact_list.focus()
            return
        self._typed_ahead.append(events.Key(event.key, event.character))

    def _keys_into_viewer(self) -> set[str]:
        zoom = next(b for b in self.BINDINGS if isinstance(b, Binding) and b.id == "run.zoom")
        keys = remapped(zoom, getattr(self.app, "keys", {})) if self.maximized is None else ""
        return {"enter", *(k.strip() for k in keys.split(",") if k.strip())}

    def _stop_unstick_timer(self) -> None:
        if self._unstick_timer is not None:
            self._unstick_timer.stop()
            self._unstick_timer = None

    def _unstick_typed(self) -> None:
        self._unstick_timer = None
        # The key that went into the viewer opened nothing (nothing there to open): give back
        # what was typed to the list.
        if self._typing_ahead and not self._focus_viewer_when_shown and self._replaying is None:
            self.artifact_list.focus()
            self.call_after_refresh(self._replay_typed)

    def _enter_pane(self) -> None:
        self._stop_unstick_timer()
        if not self._focus_pane():
            self.artifact_list.focus()  # nothing to focus in the pane: never leave the focus nowhere
        self.call_after_refresh(self._replay_typed)  # once the focus has moved

    def _replay_typed(self) -> None:
        self.run_worker(self._give_typed(), group="typed-ahead", exclusive=True, exit_on_error=False)

    async def _give_typed(self) -> None:
        """What was typed ahead, to the viewer that now has the focus, a key at a time, each once
        the one before has been handled (it may have moved the focus, into a filter box, say);
        anything typed meanwhile waits its turn behind them."""
        try:
            while self._typed_ahead:
                await wait_for_idle(0, REPLAY_WAIT)  # the focus has moved; the key before is done
                if not self._typed_ahead:
                    break  # dropped meanwhile (an escape while the viewer was loading)
                key = self._replaying = self._typed_ahead.pop(0)
                key.set_sender(self.app)
                self.app.post_message(key)
        finally:
            self._typing_ahead = False
            self._replaying = None

    @on(Viewer.Navigate)
    def _navigate(self, event: Viewer.Navigate) -> None:
        event.stop()
        self.reveal_artifact(event.artifact, event.target)

    @on(Viewer.ShowImage)
    def _show_image(self, event: Viewer.ShowImage) -> None:
        event.stop()
        self.app.push_screen(ImageScreen(event.image, event.title))

    def _go_to_pending(self) -> None:
        target, self._pending_target = self._pending_target, None
        viewer = self.viewer_pane.viewer
        if target and viewer is not None and not viewer.go_to(target):
            self.notify(f"{target} is not in this {viewer.artifact.artifact_type}.", severity="warning", markup=False)

    @on(ViewerPane.Shown)
    def _viewer_shown(self, event: ViewerPane.Shown) -> None:
        if self._pending_target and event.ok:
            self.call_after_refresh(self._go_to_pending)
        if self._focus_viewer_when_shown:
            self.call_after_refresh(self._enter_pane)
        viewer = self.viewer_pane.viewer
        if self.follow and viewer is not None:
            self.call_after_refresh(viewer.show_end)
        self._focus_viewer_when_shown = False

    def _focus_pane(self) -> bool:
        """Move the focus into the viewer pane, whatever it shows: a viewer or an error panel."""
        if self.viewer_pane.focus_viewer():
            return True
        for kind in (ErrorPanel, Nothing):
            panels = self.viewer_pane.query(kind)
            if panels:
                panels.first().focus()
                return True
        return False

    def action_back(self) -> None:
        # Back one level: out of the zoom, from the viewer (or its error panel) to the list,
        # from the list to the run picker.
        if self.maximized is not None:
            self.minimize()
        elif self.viewer_pane.has_focus_within:
            self.artifact_list.focus()
        else:
            self.post_message(BackToPicker())

    def action_zoom(self) -> None:
        if self.maximized is not None:
            self.minimize()
            return
        if self.showing_overview:
            self.overview.focus_page()
            self.maximize(self.overview, container=False)
            return
        # The keys go with the zoom: the viewer takes the focus (a hidden list would keep it).
        # From the list, zoom shows the artifact under the cursor, as enter does, even while
        # the viewer has not caught up with the cursor yet.
        artifact = self.artifact_list.artifact
        if self.artifact_list.has_focus and artifact is not None:
            self._stop_cursor_timer()
            self.history.record(Jump("run", Place(artifact)))
            self.open_artifact(artifact, focus=True)
        else:
            self._focus_pane()
        self.maximize(self.viewer_pane, container=False)

    def action_compare(self) -> None:
        from .compare_pick import start_compare

        start_compare(self)

    def action_find(self) -> None:
        if self.showing_overview:
            self.overview.start_find()
            return
        viewer = self.viewer_pane.viewer
        if viewer is None or not viewer.start_find():
            what = f"this {viewer.artifact.artifact_type}" if viewer is not None else "this pane"
            self.app.push_screen(NothingToFind(what))

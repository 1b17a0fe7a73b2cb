"""The story of one step, on one page: what the LLM saw, the calls it made, what it decided,
what happened, and what the browser said in the step's window. `[`/`]` go through the steps,
enter opens a part in its viewer (escape comes back here, at the same place)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from ...core.located import Located
from ...core.model import RunDetail
from ...core.run_model.model import LlmCall, Part, Place, RunModel, Severity, StepModel
from ...core.sources.base import Source
from .. import history
from ..failures import ReportsWorkerFailures
from ..getting_out import GettingOut, export_bindings
from ..text import human_clock, human_duration
from ..widgets.cursor_view import StyleOf
from ..widgets.page_view import PageItem, PageView, join
from .artifact import ArtifactScreen, picture_reader
from .on_screen import OnScreen
from .overview import PagePane
from .overview_items import action_items, label_value, problem_item, screenshot_item, step_status


def call_line(call: LlmCall, style: StyleOf) -> Text:
    tokens = ""
    if call.input_tokens is not None or call.output_tokens is not None:
        tokens = f"{call.input_tokens if call.input_tokens is not None else '?'} in / " \
                 f"{call.output_tokens if call.output_tokens is not None else '?'} out"
    name = Text(call.title, style="bold" if call.name else style("page--muted"))
    return join(Text(f"{call.index + 1}.", style=style("page--label")), name, call.model or "",
                human_duration(call.duration_seconds) if call.duration_seconds is not None else "", tokens,
                human_clock(call.time) if call.time else "")


def waiting(model: RunModel, part: Part, style: StyleOf) -> PageItem | None:
    if part not in model.loading:
        return None
    return PageItem(Text(f"reading {part.label}…", style=style("page--muted")), indent=2)


def story_items(model: RunModel, step: StepModel, style: StyleOf, width: int) -> list[PageItem]:
    key = f"story:{step.step.step_id}"
    heading = join(Text(step.label, style=style("page--heading")), step_status(step, style),
                   f"{human_clock(step.started_at)}–{human_clock(step.finished_at)}",
                   human_duration(step.duration_seconds), step.block_label or "")
    items = [PageItem(heading, key=key, tint="page--failed-row" if step.failed else None)]
    if step.step.model or step.step.cost is not None:
        items.append(PageItem(join(step.step.model or "", f"cost {step.step.cost:g}" if step.step.cost is not None else ""),
                              indent=2))

    def section(number: int, title: str) -> None:
        items.append(PageItem(Text("")))
        items.append(PageItem(Text(f"{number}. {title}", style=style("page--heading")), key=f"{key}.{number}"))

    section(1, "What the LLM saw")
    if step.seen:
        items += screenshot_item(f"{key}.seen0", "", step.seen[0], style)
        for number, shot in enumerate(step.seen[1:], start=1):
            items.append(PageItem(join(Text("then", style=style("page--label")), shot.artifact_type,
                                       human_clock(shot.captured_at)), key=f"{key}.seen{number}", link=Place(shot), indent=2))
    else:
        items.append(PageItem(Text("No screenshot_llm in this step.", style=style("page--muted")), indent=2))

    section(2, "The LLM calls")
    for call in step.calls:
        first = call.prompt or (call.artifacts[0] if call.artifacts else None)
        items.append(PageItem(call_line(call, style), key=f"{key}.call{call.index}",
                              link=Place(first) if first is not None else None, indent=2))
        for kind, artifact in (("response", call.response), ("parsed", call.parsed)):
            if artifact is not None:
                items.append(PageItem(join(Text(kind, style=style("page--label")), artifact.artifact_type),
                                      key=f"{key}.call{call.index}.{kind}", link=Place(artifact), indent=5))
    if not step.calls:
        items.append(PageItem(Text("No LLM call recorded.", style=style("page--muted")), indent=2))
    if (item := waiting(model, Part.LOGS, style)) is not None:
        items.append(item)

    section(3, "What it decided")
    for action in step.actions:
        items += action_items(f"{key}.decided{action.index}", action, style)
    if not step.actions:
        items.append(PageItem(Text("No action recorded.", style=style("page--muted")), indent=2))
    for part in (Part.DECISIONS, Part.ELEMENTS):
        if (item := waiting(model, part, style)) is not None:
            items.append(item)

    section(4, "What happened")
    for action in step.actions:
        outcome = Text(action.status or ("failed" if action.failed else "outcome not recorded"),
                       style=style("page--error" if action.failed else "page--ok" if action.status else "page--muted"))
        head = join(Text(f"#{action.index + 1}", style=style("page--label")), Text(action.action_type, style="bold"),
                    outcome, human_clock(action.finished_at) if action.finished_at else "")
        items.append(PageItem(head, key=f"{key}.happened{action.index}", link=action.place, indent=2,
                              tint="page--failed-row" if action.failed else None))
        for number, error in enumerate(action.errors):
            items.append(PageItem(Text(error, style=style("page--error")), key=f"{key}.happened{action.index}.e{number}",
                                  indent=5))
        if action.screenshot is not None:
            # A row that opens it: drawing every action's screenshot would slow the first screen.
            items.append(PageItem(join(Text("screenshot", style=style("page--label")), action.screenshot.artifact_type,
                                       human_clock(action.screenshot.captured_at)),
                                  key=f"{key}.happened{action.index}.shot", link=Place(action.screenshot), indent=5))
    status = label_value("step", step_status(step, style), style, 10)
    items.append(PageItem(status, key=f"{key}.status", indent=2, tint="page--failed-row" if step.failed else None))
    if step.exception_type or step.exception_message:
        exception = ": ".join(p for p in (step.exception_type, step.exception_message) if p)
        items.append(PageItem(label_value("exception", Text(exception, style=style("page--error")), style, 10),
                              key=f"{key}.exception", indent=2))

    section(5, "What the browser said")
    for number, problem in enumerate(step.problems):
        where = {"log": "log", "console": "console", "page": "page error", "network": "request"}.get(problem.where,
                                                                                                  problem.where)
        title = f"{where} {'error' if problem.severity is Severity.ERROR and where != 'page error' else ''}".strip()
        if problem.severity is Severity.WARNING:
            title = f"{where} warning"
        items.append(problem_item(f"{key}.problem{number}", title, problem, style))
    if not step.problems:
        loading = [p for p in (Part.LOGS, Part.CONSOLE, Part.NETWORK) if p in model.loading]
        text = f"reading {', '.join(p.label for p in loading)}…" if loading else "Nothing went wrong in this step's window."
        items.append(PageItem(Text(text, style=style("page--muted")), indent=2))
    return items


class StoryView(PageView):
    """The story's page (its own class, for the help screen and the styles)."""

    EMPTY = "Nothing to tell."


class StoryPane(PagePane):
    def __init__(self, view: StoryView, **kwargs) -> None:
        super().__init__(**kwargs)
        self.view = view

    def compose(self) -> ComposeResult:
        yield self.view
        yield from self.compose_find()

    def page_view(self) -> PageView:
        return self.view


class StoryScreen(GettingOut, ReportsWorkerFailures, Screen):
    DEFAULT_CSS = """
    StoryScreen .story-title { height: 1; padding: 0 1; background: $boost; }
    StoryScreen StoryPane { height: 1fr; border: round $accent; }
    StoryScreen StoryView { height: 1fr; }
    """

    BINDINGS = [
        Binding("escape", "back", "Back", id="story.back"),
        Binding("left_square_bracket", "step(-1)", "Previous step", id="story.previous"),
        Binding("right_square_bracket", "step(1)", "Next step", id="story.next"),
        Binding("ctrl+f", "app.search_run", "Search the run", show=False, priority=True, id="story.search"),
        Binding("D", "compare", "Compare", show=False, id="story.compare"),
        *export_bindings("story"),
        Binding("alt+left,ctrl+o", "history(-1)", "Back to the place opened before", show=False, id="story.history_back"),
        Binding("alt+right,ctrl+i", "history(1)", "Forward to the place opened next", show=False,
                id="story.history_forward"),
    ]

    def __init__(self, source: Source, detail: RunDetail, model: RunModel, step_id: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.detail = detail
        self.model = model
        self.step_id = step_id
        self.from_history = False  # opened by back/forward: not a new jump
        self._first_step = step_id  # `[`/`]` go through the steps: the jump is the one it opened at

    @property
    def step(self) -> StepModel | None:
        return next((s for s in self.model.steps if s.step.step_id == self.step_id), None)

    def compose(self) -> ComposeResult:
        yield Static(self._title(), classes="story-title")
        yield StoryPane(StoryView(self._items, picture_reader(self.source, lambda: self.detail)))
        yield Footer()

    def on_mount(self) -> None:
        self.view.focus()
        history.record_screen(self, history.Jump("story", step_id=self.step_id, reopen=self._reopen))

    def _reopen(self, run: history.HasHistory) -> Screen:
        """The story of the step it first told again (back or forward to it), with the newest model."""
        model = getattr(run, "model", None)
        screen = StoryScreen(self.source, getattr(run, "detail", self.detail),
                             model if isinstance(model, RunModel) else self.model, self._first_step)
        screen.from_history = True
        return screen

    def action_history(self, step: int) -> None:
        history.move(self.app, step)

    @property
    def view(self) -> StoryView:
        return self.query_one(StoryView)

    def _title(self) -> Text:
        step = self.step
        number = next((n for n, s in enumerate(self.model.steps, start=1) if s is step), 0)
        return join(Text("Step story", style="bold"), Text(self.model.run.run_id),
                    Text(step.label if step else "(this step is gone)"), f"step {number}/{len(self.model.steps)}",
                    Text("[ ] previous/next step · enter opens · esc back", style="dim"))

    def _items(self, style: StyleOf, width: int) -> list[PageItem]:
        step = self.step
        if step is None:
            return [PageItem(Text("This step is not in the run any more.", style=style("page--muted")))]
        return story_items(self.model, step, style, width)

    def update_model(self, model: RunModel, detail: RunDetail) -> None:
        """A fuller model (the next part read, a live run's news): the story follows."""
        self.model, self.detail = model, detail
        self.query_one(".story-title", Static).update(self._title())
        self.view.relayout()

    def on_screen(self) -> OnScreen | None:
        """The artifact of the item under the cursor (a step's own line names none)."""
        item = self.view.cursor_item
        link = item.link if item is not None else None
        return OnScreen(Located(self.source, self.detail, link), None) if isinstance(link, Place) else None

    def action_step(self, direction: int) -> None:
        steps = self.model.steps
        index = next((n for n, s in enumerate(steps) if s.step.step_id == self.step_id), None)
        target = (index if index is not None else -1) + direction
        if not 0 <= target < len(steps):
            self.notify("No more steps this way.", severity="information", timeout=2)
            return
        self.step_id = steps[target].step.step_id
        self.query_one(".story-title", Static).update(self._title())
        view = self.view
        view.relayout()
        view.action_top()

    def action_back(self) -> None:
        self.dismiss()

    def action_compare(self) -> None:
        """`D` on an item: its artifact against another of its type."""
        from .compare_pick import start_compare

        start_compare(self)

    @on(PageView.Chosen)
    def _chosen(self, event: PageView.Chosen) -> None:
        event.stop()
        if isinstance(event.link, Place):
            self.app.push_screen(ArtifactScreen(self.source, self.detail, event.link))
        elif isinstance(event.link, StepModel):
            self.step_id = event.link.step.step_id
            self.view.relayout()

"""`D`: pick what to compare the artifact on screen with: the artifacts of its type in this run
(step by step), then in the other runs of the app's sources, listed in a worker as they load
(with progress). enter compares, escape stops the listing and goes back."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, get_current_worker

from ...core.located import Located
from ...core.sources.base import Source
from ..failures import ReportsWorkerFailures
from ..messages import CompareArtifacts
from ..text import human_time
from .on_screen import on_screen

if TYPE_CHECKING:
    from ...core.compare.candidates import Candidate  # the openers: imported in the worker


def start_compare(screen: Screen) -> None:
    """`D` on any screen that shows artifacts: the picker, or one line saying why not."""
    from ...core.compare.sides import WHAT_COMPARES, comparable  # the openers: imported on first use

    shown = on_screen(screen)
    if shown is None:
        screen.notify(f"No artifact here to compare: {WHAT_COMPARES}.", severity="warning", markup=False)
        return
    artifact = shown.located.artifact
    if not comparable(artifact):
        screen.notify(f"{artifact.artifact_type} is not compared: {WHAT_COMPARES}.", severity="warning", markup=False)
        return
    screen.app.push_screen(ComparePickScreen(shown.located, list(getattr(screen.app, "sources", []))))


def _option(candidate: Candidate) -> Text:
    artifact = candidate.artifact
    line = Text(f"{candidate.step:<18} ", style="bold")
    line.append(f"{artifact.artifact_type:<30} ")
    line.append(f"{artifact.artifact_id}  ", style="dim")
    line.append(human_time(artifact.captured_at), style="dim")
    line.no_wrap, line.overflow = True, "ellipsis"  # one row a candidate, however narrow
    return line


class ComparePickScreen(ReportsWorkerFailures, Screen):
    DEFAULT_CSS = """
    ComparePickScreen #pick-title { height: auto; padding: 0 1; background: $panel; }
    ComparePickScreen #pick-progress { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    ComparePickScreen OptionList { height: 1fr; }
    """
    AUTO_FOCUS = "OptionList"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="pick.back"),
    ]

    def __init__(self, origin: Located, sources: list[Source], **kwargs) -> None:
        super().__init__(**kwargs)
        self.origin = origin
        self.sources = sources
        self.candidates: list[Candidate] = []
        self._runs_shown: set[int] = set()

    def compose(self) -> ComposeResult:
        artifact = self.origin.artifact
        title = Text("Compare ", style="bold")
        step = next((g.label for g in self.origin.detail.groups() if artifact in g.artifacts), "")
        title.append(f"{artifact.artifact_type} {artifact.artifact_id}" + (f" of {step}" if step else ""))
        title.append(f" ({self.origin.detail.run.run_id}) with…", style="dim")
        yield Static(title, id="pick-title")
        yield Static(Text("Listing this run…"), id="pick-progress")
        yield OptionList()
        yield Footer()

    def on_mount(self) -> None:
        from ...core.compare.candidates import run_candidates  # the openers are in by now: an artifact is on screen

        # This run's, at once (a pass over its artifact rows), so an enter typed right after D has a row.
        origin = self.origin
        self._add("this run", run_candidates(origin.artifact, origin.source, origin.detail, "this run"),
                  "Listing the other runs…")
        self._list(origin, self.sources)

    @property
    def options(self) -> OptionList:
        return self.query_one(OptionList)

    @work(thread=True, exclusive=True, group="compare-pick", exit_on_error=False)
    def _list(self, origin: Located, sources: list[Source]) -> None:
        from ...core.compare.candidates import other_runs

        worker = get_current_worker()
        problems: list[str] = []
        for progress in other_runs(origin, sources, lambda: worker.is_cancelled):
            if worker.is_cancelled:
                return
            if progress.problem is not None:
                problems.append(progress.problem)
            status = f"Looked at {progress.looked:,} other run{'s' if progress.looked != 1 else ''}…"
            if progress.capped:
                status = f"Looked at the first {progress.looked:,} other runs (no more are listed)."
            title = progress.candidates[0].run if progress.candidates else ""
            self.app.call_from_thread(self._add, title, progress.candidates, status)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._done, problems)

    def show_worker_failure(self, worker: Worker, reason: str) -> bool:
        if worker.group == "compare-pick":  # the listing stopped: said where its progress was
            self.query_one("#pick-progress", Static).update(Text(f"Listing the other runs stopped: {reason}"))
            return True
        return False

    def _add(self, title: str, found: list[Candidate], status: str) -> None:
        if found:
            heading = Text(title, style="bold underline")
            self.options.add_option(Option(heading, disabled=True))
            start = len(self.candidates)
            self.candidates.extend(found)
            self.options.add_options(Option(_option(c), id=str(start + n)) for n, c in enumerate(found))
            if self.options.highlighted is None:
                self.options.highlighted = next(i for i in range(self.options.option_count)
                                                if not self.options.get_option_at_index(i).disabled)
        elif title == "this run":
            self.options.add_option(Option(Text("this run: no other artifact of this type", style="dim"), disabled=True))
        self.query_one("#pick-progress", Static).update(Text(status))

    def _done(self, problems: list[str]) -> None:
        count = len(self.candidates)
        what = f"{count:,} artifact{'s' if count != 1 else ''} to compare with. enter compares, escape goes back."
        if problems:  # said in full once, as data
            what += f" Not read: {problems[0]}" + (f" (and {len(problems) - 1:,} more)" if len(problems) > 1 else "")
        self.query_one("#pick-progress", Static).update(Text(what))

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is None:
            return
        chosen = self.candidates[int(event.option.id)]
        self.workers.cancel_group(self, "compare-pick")
        self.app.post_message(CompareArtifacts(self.origin, chosen.located))
        self.dismiss()

    def action_back(self) -> None:
        self.workers.cancel_group(self, "compare-pick")
        self.dismiss()

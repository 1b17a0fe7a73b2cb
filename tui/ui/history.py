"""Back and forward through the places opened in a run (`alt+left`/`ctrl+o`, `alt+right`/`ctrl+i`).

A jump is a place opened on purpose: an artifact opened in the run screen's viewer (enter, the
palette, Navigate, a deep link), an artifact opened full size (from the overview, a story, a
search result), a step's story. As in vim, moving a cursor is not a jump: the viewer that follows
the list's cursor records nothing, nor do `[`/`]` in a story or a full-size screenshot.

The history is the run screen's: leaving the run forgets it. Back from a place left since (by a
cursor move, or escape from a full-size screen) first returns to that last jump, as vim's
ctrl+o does; else it goes to the jump before. Going to a jump re-reveals an artifact in the run
screen, or pops the screens above a full-size screen or story still open, or opens it again
over the screen it was first opened over, so escape keeps meaning "back one level"."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from textual.app import App
from textual.screen import Screen

from ..core.model import Artifact
from ..core.run_model.model import Place

LIMIT = 100  # jumps kept, as vim keeps 100


@dataclass(eq=False)
class Jump:
    kind: Literal["run", "full", "story"]
    place: Place | None = None  # "run" and "full"
    step_id: str | None = None  # "story"
    screen: Screen | None = field(default=None, repr=False)  # the full-size screen or story shown for it
    parent: Jump | None = field(default=None, repr=False)  # the jump whose screen it was opened over
    # How to open its screen again (given the run screen): the screen's own class knows.
    reopen: Callable[[HasHistory], Screen | None] | None = field(default=None, repr=False)

    @property
    def key(self) -> tuple[str, str | None, str | None]:
        if self.place is not None:
            return (self.kind, self.place.artifact.artifact_id, self.place.target)
        return (self.kind, self.step_id, None)


class History:
    """The jumps of one run, oldest first, and the one last gone to."""

    def __init__(self) -> None:
        self.jumps: list[Jump] = []
        self.index = -1

    @property
    def current(self) -> Jump | None:
        return self.jumps[self.index] if 0 <= self.index < len(self.jumps) else None

    def record(self, jump: Jump) -> None:
        """A new jump: what lay ahead of the current one is forgotten, as in a browser."""
        current = self.current
        if current is not None and current.key == jump.key:
            current.screen, current.parent = jump.screen, jump.parent  # the same place again
            return
        del self.jumps[self.index + 1:]
        self.jumps.append(jump)
        del self.jumps[:-LIMIT]
        self.index = len(self.jumps) - 1

    def target(self, step: int, here: bool) -> int | None:
        """The index that back (-1) or forward (1) goes to, or None at that end. `here`: the
        current jump is still on screen."""
        if not self.jumps:
            return None
        index = self.index + step if here or step > 0 else self.index
        return index if 0 <= index < len(self.jumps) else None


class HasHistory(Protocol):
    """The run screen, as the history sees it (this module imports no screen)."""

    history: History
    showing_overview: bool

    @property
    def shown_artifact(self) -> Artifact | None: ...

    def reveal_artifact(self, artifact: Artifact, target: str | None = None, record: bool = True) -> None: ...


def run_screen_below(app: App, screen: Screen | None = None) -> HasHistory | None:
    """The run screen under `screen` (or under the top of the stack), whose history it is."""
    stack = app.screen_stack
    below = stack[:stack.index(screen)] if screen is not None and screen in stack else stack
    found = next((s for s in reversed(below) if isinstance(getattr(s, "history", None), History)), None)
    return found  # a Screen with a History: the run screen


def record_screen(screen: Screen, jump: Jump) -> None:
    """On the mount of a full-size artifact or a story: one jump, over the screen beneath it
    (nothing when history itself opened it, or when no run screen is below)."""
    if getattr(screen, "from_history", False):
        return
    app = screen.app
    run = run_screen_below(app, screen)
    if run is None:
        return
    stack = app.screen_stack
    beneath = stack[stack.index(screen) - 1] if screen in stack and stack.index(screen) > 0 else None
    jump.screen = screen
    jump.parent = next((j for j in run.history.jumps if j.screen is beneath and beneath is not None), None)
    run.history.record(jump)


def _here(app: App, run: HasHistory, jump: Jump) -> bool:
    if jump.kind == "run":
        shown = run.shown_artifact
        return (app.screen is run and not run.showing_overview and jump.place is not None and shown is not None
                and shown.artifact_id == jump.place.artifact.artifact_id)
    return jump.screen is not None and app.screen is jump.screen


def _pop_to(app: App, screen: object) -> None:
    while app.screen is not screen and len(app.screen_stack) > 1 and screen in app.screen_stack:
        app.pop_screen()


def move(app: App, step: int) -> None:
    """Back (-1) or forward (1) in the history of the run on screen."""
    run = run_screen_below(app)
    history = run.history if run is not None else None
    current = history.current if history is not None else None
    if run is None or history is None:
        app.notify("No places opened in this run yet.", timeout=2)
        return
    index = history.target(step, here=current is not None and _here(app, run, current))
    if index is None:
        what = "No places opened in this run yet." if not history.jumps else \
            ("This is the first place opened." if step < 0 else "This is the last place opened.")
        app.notify(what, timeout=2)
        return
    history.index = index
    _go(app, run, history.jumps[index])


def _go(app: App, run: HasHistory, jump: Jump) -> None:
    if jump.kind == "run" and jump.place is not None:
        _pop_to(app, run)
        run.reveal_artifact(jump.place.artifact, jump.place.target, record=False)
        return
    if jump.screen is not None and jump.screen in app.screen_stack:
        _pop_to(app, jump.screen)
        return
    parent = jump.parent.screen if jump.parent is not None else None
    _pop_to(app, parent if parent is not None and parent in app.screen_stack else run)
    screen = jump.reopen(run) if jump.reopen is not None else None
    if screen is None:
        app.notify("Still reading the run.", timeout=2)
        return
    jump.screen = screen
    app.push_screen(screen)

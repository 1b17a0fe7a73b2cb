"""Run-wide search (`ctrl+f`): a query, then every match in the run's text artifacts, grouped by
artifact in step order, found by a worker and shown as they come (a batch every PAINT_EVERY at
most, never a layout per match: the results are rows of one CursorView).

Keys: enter in the query searches (a plain string with smart case, or `re:` and a regex); in the
results, j/k/space/b/g/G move, n/N go to the next/previous match (over the artifacts' headers),
enter opens the artifact full size at the match with the query in its find bar (n/N go on from
there; escape comes back here, at the same result). escape cancels a running search; otherwise
it goes back one level: from the results to the query, from the query out.

The last query and its results are kept while the run is open: ctrl+f again shows them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import ClassVar
from weakref import WeakKeyDictionary

from rich.text import Text
from textual import events, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input, Static
from textual.worker import Worker, get_current_worker

from ...core.model import Artifact, RunDetail
from ...core.run_model.model import Place
from ...core.run_search.matcher import BadQuery, Matcher, compile_query
from ...core.run_search.search import Event, Finished, Found, Hit, Progress, Unsearched, search_run
from ...core.sources.base import Source
from ..failures import ReportsWorkerFailures
from ..widgets.cursor_view import CursorView, FittedRows, StyleOf
from .artifact import ArtifactScreen

PAINT_EVERY = 0.1  # seconds between two batches of results sent to the screen
WHERE_WIDTH = 28  # cells of the place column ("entry 12 · response header")


# --- what is kept while the run is open ------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    """A result row: an artifact's header (hit None), one of its matches, or why it was not searched."""

    artifact: Artifact
    step: str
    hit: Hit | None = None
    why: str | None = None  # not searched: the reason
    count: int = 0  # a header: its artifact's matches
    capped: bool = False


@dataclass
class SearchState:
    query: str = ""
    rows: list[Row] = field(default_factory=list)
    status: str = ""
    cursor: int = 0


# One state per run screen: gone with it (the run closed).
_STATES: WeakKeyDictionary[Screen, SearchState] = WeakKeyDictionary()


def open_search(app: App, source: Source, detail: RunDetail) -> None:
    """ctrl+f from any screen of a run: the run's one search screen, with its last results."""
    stack = app.screen_stack
    for index in range(len(stack) - 1, -1, -1):
        if isinstance(stack[index], SearchScreen):  # opened from a result: back to the results
            for _ in range(len(stack) - 1 - index):
                app.pop_screen()
            return
    from .run import RunScreen  # the run screen imports this module

    owner = next((s for s in reversed(stack) if isinstance(s, RunScreen)), None)
    state = SearchState() if owner is None else _STATES.setdefault(owner, SearchState())
    app.push_screen(SearchScreen(source, detail, state))


# --- the result rows ----------------------------------------------------------------------------------
class ResultRows(FittedRows):
    """Headers and matches, cut to the pane; a match's line is shifted so its match shows."""

    def __init__(self, rows: list[Row]) -> None:
        self.rows = rows

    def row_count(self) -> int:
        return len(self.rows)

    def render_row(self, index: int, width: int, style: StyleOf) -> Text:
        row = self.rows[index]
        if row.hit is None:
            return self._header(row, width, style)
        hit = row.hit
        text = Text(no_wrap=True, end="")
        where = hit.where if len(hit.where) <= WHERE_WIDTH else hit.where[: WHERE_WIDTH - 1] + "…"
        text.append(f"  {where:<{WHERE_WIDTH}} ", style("search-results--where"))
        room = max(8, width - text.cell_len)
        line, spans = hit.text, list(hit.spans)
        shift = 0
        if spans and spans[0][1] > room - 1:  # the match past the pane's edge: show it a third in
            shift = max(0, spans[0][0] - room // 3)
        body = Text(("…" if hit.cut_left or shift else "") + line[shift:], no_wrap=True, end="")
        offset = (1 if hit.cut_left or shift else 0) - shift
        for start, end in spans:
            if end + offset > 0:
                body.stylize(style("search-results--match"), max(0, start + offset), end + offset)
        if hit.cut_right:
            body.append("…")
        text.append_text(body)
        text.truncate(width, overflow="ellipsis")
        return text

    @staticmethod
    def _header(row: Row, width: int, style: StyleOf) -> Text:
        text = Text(no_wrap=True, end="")
        text.append(f"{row.step} · {row.artifact.artifact_type}", style("search-results--header"))
        text.append(f"  {row.artifact.artifact_id}", style("search-results--id"))
        if row.why is not None:
            text.append(f"  not searched: {row.why}", style("search-results--failed"))
        else:
            more = "+" if row.capped else ""
            text.append(f"  {row.count}{more} match{'es' if row.count != 1 or more else ''}", style("search-results--id"))
        text.truncate(width, overflow="ellipsis")
        return text


class SearchResults(CursorView):
    """The results: one CursorView, so thousands of rows cost a screenful."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "search-results--header", "search-results--id", "search-results--where", "search-results--match",
        "search-results--failed",
    }
    DEFAULT_CSS = """
    SearchResults { height: 1fr; }
    SearchResults > .search-results--header { color: $text-accent; text-style: bold; }
    SearchResults > .search-results--id { color: $text-muted; }
    SearchResults > .search-results--where { color: $text-muted; }
    SearchResults > .search-results--match { background: $warning; color: $background; text-style: bold; }
    SearchResults > .search-results--failed { color: $text-error; }
    """
    EMPTY = "No results yet: type a query above and press enter (re: for a regex)."


# --- the screen --------------------------------------------------------------------------------------------
class SearchScreen(ReportsWorkerFailures, Screen):
    DEFAULT_CSS = """
    SearchScreen Static.title { height: 1; padding: 0 1; text-style: bold; }
    SearchScreen Input.query { margin: 0 1; }
    SearchScreen Static.progress { height: 1; padding: 0 1; color: $text-muted; }
    """

    BINDINGS = [
        Binding("escape", "back", "Cancel / back", id="search.back"),
        Binding("enter", "open", "Open at the match", id="search.open"),
        Binding("n", "next_result(1)", "Next match", id="search.next_match"),
        Binding("N", "next_result(-1)", "Previous match", show=False, id="search.previous_match"),
    ]

    def __init__(self, source: Source, detail: RunDetail, state: SearchState | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.detail = detail
        self.state = state or SearchState()
        self.rows: list[Row] = list(self.state.rows)
        self.matcher: Matcher | None = None
        self._worker: Worker | None = None
        self._generation = 0
        self._matches = 0
        self._composed = False  # keys that come before it are kept in _early
        self._early: list[events.Key] = []

    def compose(self) -> ComposeResult:
        title = Text(f"Search run {self.detail.run.run_id}", no_wrap=True)
        yield Static(title, classes="title")
        yield QueryInput(self.state.query, placeholder="Search every text artifact (re: for a regex) · enter searches",
                    classes="query")
        yield Static(Text(self.state.status), classes="progress")
        yield SearchResults(ResultRows(self.rows), cursor=True)
        yield Footer()

    @property
    def results(self) -> SearchResults:
        return self.query_one(SearchResults)

    @property
    def query_input(self) -> Input:
        return self.query_one("Input.query", Input)

    @property
    def running(self) -> bool:
        return self._worker is not None and self._worker.is_running

    def _take_early(self) -> None:
        field = self.query_input
        field.focus()
        early, self._early = self._early, []
        for key in early:
            if key.key == "enter":
                self.start(field.value)
            elif key.key == "escape":
                self.action_back()
            elif key.is_printable and key.character:
                field.insert_text_at_cursor(key.character)

    def on_mount(self) -> None:
        self._composed = True
        if self._early:
            self._take_early()
        elif self.rows:
            self.results.move_cursor(self.state.cursor)
            self.results.focus()
        else:
            self.query_input.focus()

    # --- searching --------------------------------------------------------------------------------
    def start(self, query: str) -> None:
        """Search for `query` (what enter in the query does)."""
        self.cancel(quiet=True)
        try:
            matcher = compile_query(query)
        except BadQuery as exc:
            self._set_status(str(exc))
            self.notify(str(exc), severity="warning", markup=False)
            return
        self.matcher = matcher
        self.state.query = query
        self._generation += 1
        self._matches = 0
        self.rows.clear()
        self.results.rows_changed(keep_cursor=False)
        self._set_status("Searching…")
        self.set_focus(self.results)  # at once: the keys typed after enter are the results'
        self._worker = self._search(matcher, self._generation)

    @work(thread=True, exclusive=True, group="run-search", exit_on_error=False, name="Search")
    def _search(self, matcher: Matcher, generation: int) -> None:
        worker = get_current_worker()
        batch: list[Event] = []
        last = time.monotonic()
        for event in search_run(self.source, self.detail, matcher, lambda: worker.is_cancelled):
            batch.append(event)
            if time.monotonic() - last >= PAINT_EVERY or isinstance(event, Finished):
                last = time.monotonic()
                self.app.call_from_thread(self._add, generation, batch)
                batch = []
        if batch and not worker.is_cancelled:
            self.app.call_from_thread(self._add, generation, batch)

    def _add(self, generation: int, events_: list[Event]) -> None:
        """A batch of what the worker found: rows added once, the progress line said once."""
        if generation != self._generation:
            return  # a newer search began
        status = None
        added = False
        for event in events_:
            if isinstance(event, Found):
                count = sum(len(hit.spans) for hit in event.hits)
                self._matches += count
                self.rows.append(Row(event.artifact, event.step, count=count, capped=event.capped))
                self.rows.extend(Row(event.artifact, event.step, hit) for hit in event.hits)
                added = True
            elif isinstance(event, Unsearched):
                self.rows.append(Row(event.artifact, event.step, why=event.why))
                added = True
            elif isinstance(event, Progress):
                status = self._progress(event)
            elif isinstance(event, Finished):
                status = self._finished(event)
        if added:
            self.results.rows_changed()
        if status is not None:
            self._set_status(status)
        self.state.rows = list(self.rows)

    def _progress(self, event: Progress) -> str:
        doing = "fetching" if event.fetching else "reading"
        what = f" · {doing} {event.artifact.artifact_type}" if event.artifact is not None else ""
        return f"Searching {event.done + 1 if event.artifact else event.done} of {event.total} artifacts{what} · " \
               f"{self._matches:,} matches so far (escape cancels)"

    def _finished(self, event: Finished) -> str:
        said = f"{event.matches:,} match{'es' if event.matches != 1 else ''} in {event.artifacts} artifacts " \
               f"({event.searched} searched)"
        if event.capped:
            said += " · stopped at the cap of matches: narrow the query"
        if any(row.capped for row in self.rows if row.hit is None):
            said += " · + : more in that artifact than shown"
        if event.cancelled:
            said = "Cancelled · " + said
        return said

    def _set_status(self, status: str) -> None:
        self.state.status = status
        self.query_one("Static.progress", Static).update(Text(status))

    def cancel(self, quiet: bool = False) -> bool:
        """Stop a running search (what it found stays); False when none runs."""
        if not self.running or self._worker is None:
            return False
        self._worker.cancel()
        self._generation += 1  # what it sends from now on is dropped
        if not quiet:
            self._set_status(f"Cancelled · {self._matches:,} matches found before")
        return True

    # --- keys --------------------------------------------------------------------------------------------
    def on_key(self, event: events.Key) -> None:
        if not self._composed or (self.focused is None and not self.rows and event.key != "escape"):
            # Typed right after ctrl+f, before the query had the focus: the query's, not commands.
            event.stop()
            event.prevent_default()
            self._early.append(event)
            if self._composed:
                self._take_early()
            return
        # Escape in the query: the screen's back (Input would otherwise keep it).
        if event.key == "escape" and self.query_input.has_focus:
            event.stop()
            event.prevent_default()
            self.action_back()

    def action_back(self) -> None:
        if self.cancel():
            return
        if self.results.has_focus:
            self.query_input.focus()
            return
        self.state.cursor = self.results.cursor_row or 0
        self.dismiss()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # In the query, enter searches and letters are text.
        if action in ("open", "next_result") and self.query_input.has_focus:
            return False
        return True

    def action_next_result(self, direction: int) -> None:
        view = self.results
        rows = self.rows
        if not rows:
            return
        index = view.cursor_row or 0
        for _ in range(len(rows)):
            index = (index + direction) % len(rows)
            if rows[index].hit is not None:
                view.move_cursor(index)
                return

    def action_open(self) -> None:
        row_index = self.results.cursor_row
        if row_index is None or not 0 <= row_index < len(self.rows):
            return
        row = self.rows[row_index]
        self.state.cursor = row_index
        hit = row.hit
        if hit is None and row_index + 1 < len(self.rows) and self.rows[row_index + 1].artifact is row.artifact:
            hit = self.rows[row_index + 1].hit  # a header opens at its artifact's first match
        find = None
        if hit is not None and self.matcher is not None:
            # A regex is not what the viewer's find understands: it gets the text it matched.
            find = hit.match if self.matcher.is_regex else self.matcher.text
        target = hit.target if hit is not None else None
        self.app.push_screen(FoundScreen(self.source, self.detail, Place(row.artifact, target), find))


class QueryInput(Input):
    """The query. Enter searches at once, in the order of the keys typed (Input's own enter is a
    binding, run once the key has gone round the app: the keys typed after it would still be
    typed into the query); keys that reach it after the focus left for the results are theirs."""

    async def _on_key(self, event: events.Key) -> None:
        screen = self.screen
        focused = screen.focused is self  # now (has_focus follows once the blur is handled)
        if isinstance(screen, SearchScreen) and (event.key == "enter" or not focused):
            event.stop()
            event.prevent_default()
            if event.key == "enter" and focused:
                screen.start(self.value)
            else:
                self.app.post_message(events.Key(event.key, event.character))
            return
        await super()._on_key(event)


class FoundScreen(ArtifactScreen):
    """The artifact of a result, full size, at its match, the query in the viewer's find bar (so
    n/N go on from there); escape comes back to the results."""

    def __init__(self, source: Source, detail: RunDetail, place: Place, find: str | None, **kwargs) -> None:
        super().__init__(source, detail, place, **kwargs)
        self.find = find
        self._found = False

    def _enter(self) -> None:
        super()._enter()
        if self.find and not self._found:
            self._found = True
            # After go_to (queued before this), and after what go_to queued (a view swapped in).
            self.call_after_refresh(lambda: self.call_after_refresh(self._start_find))

    def _start_find(self) -> None:
        viewer = self.pane.viewer
        if viewer is not None and self.find:
            viewer.find_text(self.find)

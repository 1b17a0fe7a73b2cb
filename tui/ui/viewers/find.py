"""The find bar that viewers share: `/` opens it, enter finds, n/N go to the next/previous
match, escape closes it (and only it). While it has focus every key typed is text for the
query: none runs as a command.

On a CursorView the view itself finds (every match marked, "3 of 17" shown under the bar);
a viewer over another widget (a tree, a DataTable) says how to search with `search()`."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import Input, Static

from ...core.search import text_matcher
from ..widgets.cursor_view import CursorView

FIND_BINDINGS: list[BindingType] = [
    Binding("n", "find_next", "Next match", show=False, id="find.next_match"),
    Binding("N", "find_previous", "Previous match", show=False, id="find.previous_match"),
]

# For a viewer's DEFAULT_CSS: the bar sits at the bottom, hidden until opened; the count of
# matches is a line above it while a query is active.
FIND_CSS = """
Input.find, Input.find.-textual-compact { dock: bottom; display: none; border: none; height: 1; padding: 0 1; }
Input.find.-open { display: block; }
Static.find-count { dock: bottom; display: none; height: 1; padding: 0 1; color: $text-muted; }
Static.find-count.-shown { display: block; }
/* Docked widgets do not stack: while the bar is open, the count sits on the line above it. */
Static.find-count.-over-bar { offset-y: -1; }
"""


def find_input(placeholder: str) -> Input:
    # Compact: one line whatever its state (a focused or validated Input is 3 lines tall otherwise).
    return Input(placeholder=f"{placeholder} (enter: next, escape: close)", classes="find", compact=True)


def find_count() -> Static:
    """The "3 of 17" line of a viewer whose find runs on a CursorView."""
    return Static(classes="find-count")


class FindBar:
    """Mix into a Viewer that composes `find_input(...)` (and `find_count()`) and lists
    FIND_BINDINGS (for the widgets that are not CursorViews; a CursorView has its own n/N)."""

    _find_target: CursorView | None = None

    def search(self, query: str, forward: bool, from_match: bool) -> None:
        """Find `query` in a widget that is not a CursorView, from the current match."""
        raise NotImplementedError

    def find_focus(self) -> Widget:
        """What gets focus back when the bar closes (the CursorView that is searched, if any)."""
        raise NotImplementedError

    @property
    def find_bar(self) -> Input:
        return self.query_one("Input.find", Input)  # type: ignore[attr-defined]

    def _default_target(self) -> CursorView | None:
        focus = self.find_focus()
        return focus if isinstance(focus, CursorView) else None

    def start_find(self) -> bool:
        return self.open_find(self._default_target())

    def find_text(self, query: str) -> bool:
        """The query in the bar (open, not focused) and its matches marked, from the cursor: the
        match on the cursor's row is the current one (n goes to the one after); where that row
        does not draw it (a table cut to the pane) the matches are only marked, the cursor stays."""
        bar = self.find_bar
        bar.value = query
        bar.add_class("-open")
        self._count_over_bar(True)
        view = self._find_target = self._default_target()
        if view is None:  # a tree: n searches on from the selected element
            self.find_focus().focus()
            return True
        row = view.cursor_row if view.cursor_row is not None else view.top_row
        width = view.scrollable_content_region.width
        if 0 <= row < view.row_count and text_matcher(query)(view.source.row_plain(row, width)):
            view.find(query)
        else:
            view.match_query = query
            view.rows_changed()  # marks and counts them
        view.focus()
        return True

    def open_find(self, view: CursorView | None) -> bool:
        self._find_target = view
        self.find_bar.add_class("-open")
        self._count_over_bar(True)
        self.find_bar.focus()
        return True

    def _count_over_bar(self, over: bool) -> None:
        for count in self.query("Static.find-count"):  # type: ignore[attr-defined]
            count.set_class(over, "-over-bar")

    def on_cursor_view_find_requested(self, event: CursorView.FindRequested) -> None:
        event.stop()
        self.open_find(event.view)

    def on_cursor_view_find_changed(self, event: CursorView.FindChanged) -> None:
        event.stop()
        for count in self.query("Static.find-count"):  # type: ignore[attr-defined]
            if isinstance(count, Static):
                count.update(Text(event.status))
                count.set_class(bool(event.status), "-shown")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.has_class("find"):
            event.stop()
            self._find(event.value, forward=True, from_match=False)

    def on_key(self, event: events.Key) -> None:
        # Escape in the find bar closes it, and must not also leave the screen.
        if event.key == "escape" and self.find_bar.has_focus:
            event.stop()
            event.prevent_default()
            self.find_bar.remove_class("-open")
            self._count_over_bar(False)
            target = self._find_target
            (target if target is not None and target.is_attached else self.find_focus()).focus()

    def action_find_next(self) -> None:
        self._find(self.find_bar.value, forward=True, from_match=True)

    def action_find_previous(self) -> None:
        self._find(self.find_bar.value, forward=False, from_match=True)

    def _find(self, query: str, forward: bool, from_match: bool) -> None:
        if not query.strip():
            self.notify("Type something to find first (press /).", severity="warning")  # type: ignore[attr-defined]
            return
        view = self._find_target
        if view is None or not view.is_attached:  # the viewer put another view in its place
            view = self._default_target()
        if view is None:
            self.search(query, forward, from_match)
            return
        if from_match and view.match_query == query:
            view.action_find_next(1 if forward else -1)
        else:
            view.find(query, forward)
        view.focus()

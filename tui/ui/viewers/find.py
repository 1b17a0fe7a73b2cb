"""The find bar that viewers share: `/` opens it, enter finds, n/N go to the next/previous
match, escape closes it (and only it). A viewer says how to search and what gets focus back."""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Input

FIND_BINDINGS = [
    Binding("n", "find_next", "Next match", show=False, id="find.next_match"),
    Binding("N", "find_previous", "Previous match", show=False, id="find.previous_match"),
]

# For a viewer's DEFAULT_CSS: the bar sits at the bottom, hidden until opened.
FIND_CSS = """
Input.find { dock: bottom; display: none; border: none; height: 1; padding: 0 1; }
Input.find.-open { display: block; }
"""


def find_input(placeholder: str) -> Input:
    return Input(placeholder=f"{placeholder} (enter: next, escape: close)", classes="find")


class FindBar:
    """Mix into a Viewer that composes `find_input(...)` and lists FIND_BINDINGS."""

    def search(self, query: str, forward: bool, from_match: bool) -> None:
        """Find `query` from the current match (or from what is on screen) and show it."""
        raise NotImplementedError

    def find_focus(self) -> Widget:
        """What gets focus back when the bar closes."""
        raise NotImplementedError

    @property
    def find_bar(self) -> Input:
        return self.query_one("Input.find", Input)  # type: ignore[attr-defined]

    def start_find(self) -> bool:
        self.find_bar.add_class("-open")
        self.find_bar.focus()
        return True

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
            self.find_focus().focus()

    def action_find_next(self) -> None:
        self._find(self.find_bar.value, forward=True, from_match=True)

    def action_find_previous(self) -> None:
        self._find(self.find_bar.value, forward=False, from_match=True)

    def _find(self, query: str, forward: bool, from_match: bool) -> None:
        if not query.strip():
            self.notify("Type something to find first (press /).", severity="warning")  # type: ignore[attr-defined]
            return
        self.search(query, forward, from_match)

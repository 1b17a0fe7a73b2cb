"""A readable explanation of what went wrong, in place of what could not be shown."""

from __future__ import annotations

from rich.console import Group
from rich.panel import Panel
from rich.text import Text
from textual.widgets import Static

from ..text import safe_text


class ErrorPanel(Static, can_focus=True):
    # Focusable, so `enter` goes into the pane and `escape` comes back out whatever it shows.
    DEFAULT_CSS = "ErrorPanel { padding: 1 2; height: auto; }"

    def __init__(self, title: str, reason: str, hint: str = "", **kwargs) -> None:
        self.title_text = title
        self.reason = reason
        body = [safe_text(reason)]
        if hint:
            body += [Text(""), Text(hint, style="dim")]
        super().__init__(
            Panel(Group(*body), title=safe_text(title), title_align="left", border_style="red"),
            **kwargs,
        )

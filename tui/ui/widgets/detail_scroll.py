"""A detail pane (an element, a request, a log record) that scrolls with the keys of any text."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll


class DetailScroll(VerticalScroll):
    BINDINGS = [
        Binding("j,down", "scroll_down", "Down", show=False, id="detail.down"),
        Binding("k,up", "scroll_up", "Up", show=False, id="detail.up"),
        Binding("h,left", "scroll_left", "Left", show=False, id="detail.left"),
        Binding("l,right", "scroll_right", "Right", show=False, id="detail.right"),
        Binding("space,pagedown", "page_down", "Page down", show=False, id="detail.page_down"),
        Binding("b,pageup", "page_up", "Page up", show=False, id="detail.page_up"),
        Binding("g,home", "scroll_home", "Top", show=False, id="detail.top"),
        Binding("G,end", "scroll_end", "Bottom", show=False, id="detail.bottom"),
    ]

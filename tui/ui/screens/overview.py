"""The overview pane of the run screen (`0`): the run model as one page, or, when building the
model failed, a panel saying why above what was built so far. `/` finds in it, as in a viewer."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget

from ...core.formats.media import Picture
from ...core.model import Artifact
from ...core.run_model.model import RunModel
from ..viewers.find import FIND_CSS, FindBar, find_count, find_input
from ..widgets.cursor_view import StyleOf
from ..widgets.error_panel import ErrorPanel
from ..widgets.page_view import PageItem, PageView
from .overview_items import overview_items


class OverviewView(PageView):
    """The overview's page (its own class, for the help screen and the styles)."""


class PagePane(FindBar, Vertical, can_focus=False):
    """A page with the viewers' find bar under it (`/`, enter, n/N, escape closes it)."""

    DEFAULT_CSS = FIND_CSS

    def page_view(self) -> PageView:
        raise NotImplementedError

    def find_focus(self) -> Widget:
        return self.page_view()

    def compose_find(self) -> ComposeResult:
        yield find_count()
        yield find_input("Find")


class OverviewPane(PagePane):
    ALLOW_MAXIMIZE = True

    def __init__(self, model: Callable[[], RunModel | None], picture_of: Callable[[Artifact], Picture], **kwargs) -> None:
        super().__init__(**kwargs)
        self.model = model
        self.picture_of = picture_of
        self.border_title = "Overview"

    def compose(self) -> ComposeResult:
        yield OverviewView(self._items, self.picture_of)
        yield from self.compose_find()

    def page_view(self) -> PageView:
        return self.view

    def _items(self, style: StyleOf, width: int) -> list[PageItem]:
        return overview_items(self.model(), style, width)

    @property
    def view(self) -> OverviewView:
        return self.query_one(OverviewView)

    def model_changed(self) -> None:
        self.view.relayout()

    def show_error(self, title: str, reason: str) -> None:
        """Building the model failed: say so (focusable, so enter and escape work as on a viewer's)."""
        for panel in self.query(ErrorPanel):
            panel.remove()
        # The page's focus may still be on its way (focus is applied after the current message):
        # a build that fails at once finds the focus nowhere yet, and the panel takes it.
        had_focus = self.view.has_focus or (self.screen.focused is None and self.display)
        panel = ErrorPanel(title, reason, "The artifacts are still here: 1-6 open their categories.")
        self.mount(panel, before=self.view)
        if had_focus:
            # Once mounted: a widget not mounted yet cannot take the focus (it would be ignored).
            self.call_after_refresh(panel.focus)

    def focus_page(self) -> None:
        # At once (focus() waits for the queue): an enter typed in the same burst as the 0 is
        # the page's.
        panels = self.query(ErrorPanel)
        self.screen.set_focus(panels.first() if panels else self.view)

"""The run screen: header, category sidebar, artifact list and viewer."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, OptionList

from ...core.catalog import CATEGORIES, Category
from ...core.model import Artifact, RunDetail
from ...core.sources.base import Source
from ..commands import RunCommands
from ..widgets.artifact_list import ArtifactList
from ..widgets.run_header import RunHeader
from ..widgets.sidebar import CategorySidebar
from ..widgets.viewer_pane import ViewerPane


class RunScreen(Screen):
    COMMANDS = Screen.COMMANDS | {RunCommands}
    BINDINGS = [
        *(
            Binding(str(i), f"category('{c.value}')", f"Show {c.label}", show=False)
            for i, c in enumerate(CATEGORIES, start=1)
        ),
        Binding("escape", "back", "Back"),
        Binding("slash", "find", "Find"),
        Binding("z", "zoom", "Zoom viewer"),
    ]

    def __init__(self, source: Source, detail: RunDetail, **kwargs) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.detail = detail
        self._focus_viewer_when_shown = False
        self.shown_category: Category | None = None

    def compose(self) -> ComposeResult:
        yield RunHeader(self.detail)
        with Horizontal():
            yield CategorySidebar(self.detail.counts)
            yield ArtifactList()
            yield ViewerPane(self.source)
        yield Footer()

    DEFAULT_CSS = """
    RunScreen.-narrow CategorySidebar { display: none; }
    """

    # Below this width the sidebar gives its room to the viewer; 1-6 still switch categories
    # and the list's title names the category.
    NARROW = 110

    def on_resize(self) -> None:
        self.set_class(self.size.width < self.NARROW, "-narrow")

    def on_mount(self) -> None:
        # Start where there is something to see: the first category that has artifacts.
        counts = self.detail.counts
        first = next((c for c in CATEGORIES if counts[c]), Category.VISUAL)
        self.action_category(first.value)

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
        self.artifact_list.focus()

    @on(OptionList.OptionHighlighted, "CategorySidebar")
    def _category_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id:
            self._show_category(Category(event.option.id))

    def _show_category(self, category: Category) -> None:
        """List the category's artifacts and open its first one (once per change)."""
        if self.sidebar.category is not category:
            self.sidebar.select_category(category)
        if self.shown_category is category:
            return
        self.shown_category = category
        count = self.detail.counts[category]
        self.artifact_list.show_groups(self.detail.groups(category), f"{category.label} ({count})")
        artifact = self.artifact_list.artifact
        if artifact is not None:
            self.open_artifact(artifact, focus=False)

    @on(OptionList.OptionSelected, "ArtifactList")
    def _artifact_selected(self, event: OptionList.OptionSelected) -> None:
        artifact = self.artifact_list.artifact
        if artifact is not None:
            self.open_artifact(artifact, focus=True)

    @on(OptionList.OptionSelected, "CategorySidebar")
    def _category_selected(self) -> None:
        self.artifact_list.focus()

    def reveal_artifact(self, artifact: Artifact) -> None:
        """Show an artifact's category, select it in the list and open it."""
        self._show_category(artifact.category)
        self.artifact_list.select_artifact(artifact)
        self.artifact_list.focus()
        self.open_artifact(artifact, focus=True)

    def open_artifact(self, artifact: Artifact, focus: bool) -> None:
        pane = self.viewer_pane
        if pane.artifact is artifact and not pane.failed:
            # Already shown or on its way: do not read it again.
            if focus and not pane.focus_viewer():
                self._focus_viewer_when_shown = True
            return
        self._focus_viewer_when_shown = focus
        pane.open(artifact)

    @on(ViewerPane.Shown)
    def _viewer_shown(self, event: ViewerPane.Shown) -> None:
        if self._focus_viewer_when_shown and event.ok:
            self.call_after_refresh(self.viewer_pane.focus_viewer)
        self._focus_viewer_when_shown = False

    def action_back(self) -> None:
        # Back one level: from the viewer to the list, from the list to the run picker.
        if self.viewer_pane.has_focus_within:
            self.artifact_list.focus()
        else:
            self.app.back_to_picker()

    def action_zoom(self) -> None:
        if self.maximized is not None:
            self.minimize()
        else:
            self.maximize(self.viewer_pane, container=False)

    def action_find(self) -> None:
        viewer = self.viewer_pane.viewer
        if viewer is None or not viewer.start_find():
            self.notify("Nothing to find in this pane: open a text artifact first.", severity="warning")

"""Element trees (`visible_elements_tree`, `_trimmed`): a lazy tree, a detail panel and find.

Tree nodes are created only when their parent is expanded, CHUNK children at a time (a "… more"
node loads the next chunk), so a page of 100,000 elements opens at once: Textual's Tree costs
time per node added, not per node in the model. A big tree opens with its first nodes: a
worker reads the rest (core's TreeReader, a child process) and the tree grows as it comes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode
from textual.worker import Worker, get_current_worker

from ...core.copying import CopyChoice
from ...core.formats.elements import Element, ElementTree, attribute_text
from ...core.opening import ElementsModel
from ..text import safe_text
from ..widgets.detail_scroll import DetailScroll
from ..widgets.error_panel import ErrorPanel
from .base import Viewer
from .find import FIND_BINDINGS, FIND_CSS, FindBar, find_input

CHUNK = 200  # children added to the tree at a time
EXPAND_ALL_CAP = 2000  # nodes one "expand all" may add; press again to go further
# Textual's Tree lays out expanded nodes recursively: a path deeper than the interpreter's
# recursion limit would crash it. Elements below this depth are found and shown in the detail
# panel, but not expanded in the tree.
MAX_DEPTH = 400
DETAIL_VALUE = 2000  # characters of one value shown in the detail panel
GROW_EVERY = 0.2  # seconds between two showings of what a tree being read has gained


@dataclass(frozen=True)
class More:
    """Data of the "… N more" node that loads the next chunk of a parent's children."""

    parent: int


STATE_STYLE = "italic yellow"  # used where no tree gives the theme's (a detail panel alone)


def element_label(element: Element, child_count: int, state_style: Style | str = STATE_STYLE) -> Text:
    """`● <button #AAAG type=button> Show parts`, as Text built from data (no markup); an
    element that cannot be used says so after its tag: `<button #AAAH> disabled Check out`."""
    label = Text(no_wrap=True)
    if element.interactable:
        label.append("● ", "bold green")
    elif element.hover_only:
        label.append("○ ", "green")
    tag_style = "bold cyan" if element.interactable else "cyan"
    label.append(f"<{element.tag}", tag_style)
    if element.element_id:
        label.append(f" #{element.element_id}", "magenta")
    for name, value in element.key_attributes():
        label.append(f" {name}=", "dim")
        label.append(value, "yellow")
    label.append(">", tag_style)
    states = element.states
    if states:
        label.append(" ")
        label.append(" ".join(states), state_style)
    if element.short_text:
        label.append(" " + element.short_text, "bold" if element.interactable else "")
    if child_count:
        label.append(f"  ({child_count})", "dim")
    return label


def _cut(value: str) -> str:
    # An inline data: URL or a style attribute can be megabytes; the panel is for reading.
    return value if len(value) <= DETAIL_VALUE else f"{value[:DETAIL_VALUE]}… (+{len(value) - DETAIL_VALUE:,} characters)"


def element_detail(element: Element, model: ElementsModel, state_style: Style | str = STATE_STYLE) -> Text:
    """Everything known of one element, for the detail panel."""
    tree = model.tree
    out = Text()

    def row(name: str, value: str, style: str | Style = "") -> None:
        out.append(f"{name:<14}", "bold")
        out.append_text(safe_text(value, style))
        out.append("\n")

    out.append_text(element_label(element, 0, state_style))
    out.append("\n")
    row("id", element.element_id or "— (none)")
    reasons = element.state_reasons()
    if reasons:
        row("state", ", ".join(f"{state} ({why})" for state, why in reasons), state_style)
    css = model.css.get(element.element_id) if element.element_id else None
    row("css", css or ("— (no css map for this step)" if not model.css else "— (not in the css map)"), "yellow")
    row("frame", element.frame or "—")
    row("interactable", "yes" if element.interactable else "no")
    row("hoverOnly", "yes" if element.hover_only else "no")
    if element.text:
        row("text", _cut(element.text))
    if element.before:
        row("::before", element.before)
    if element.after:
        row("::after", element.after)
    parent = tree.elements[element.parent] if element.parent != -1 else None
    row("parent", f"<{parent.tag}> #{parent.element_id}" if parent else "— (a root)")
    row("children", f"{len(element.children):,} ({tree.subtree_size(element.index):,} below)")
    if element.attributes:
        out.append("attributes\n", "bold")
        for name, value in element.attributes.items():
            out.append(f"  {name}", "cyan")
            out.append(" = ")
            out.append_text(safe_text(_cut(value)))
            out.append("\n")
    if element.options:
        out.append("options\n", "bold")
        for index, text, value in element.options:
            out.append_text(safe_text(f"  {index:>3}  {text}  (value {value!r})"))
            out.append("\n")
    for name, value in element.raw.items():
        row(name, _cut(attribute_text(value)), "dim")
    out.rstrip()
    return out


class LazyElementTree(Tree):
    """A Tree whose nodes are added when their parent is expanded."""

    # The mark of a disabled, read-only or hidden element: a theme restyles it.
    COMPONENT_CLASSES: ClassVar[set[str]] = Tree.COMPONENT_CLASSES | {"element-tree--state"}
    DEFAULT_CSS = """
    LazyElementTree > .element-tree--state { color: $text-warning; text-style: italic; }
    """
    # The keys every list has (Textual's Tree knows only the arrows, and gives space to
    # expanding, which enter does here): space pages, as everywhere else.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="tree.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="tree.up"),
        Binding("space,pagedown", "page_down", "Page down", show=False, id="tree.page_down"),
        Binding("b,pageup", "page_up", "Page up", show=False, id="tree.page_up"),
        Binding("g,home", "scroll_home", "Top", show=False, id="tree.top"),
        Binding("G,end", "scroll_end", "Bottom", show=False, id="tree.bottom"),
    ]

    def __init__(self, model: ElementTree, **kwargs) -> None:
        super().__init__(Text("elements"), **kwargs)
        self.model = model
        self.show_root = False
        self.guide_depth = 2
        self.auto_expand = True
        self.nodes_added = 0  # tests check that opening does not build the whole model
        self._node_of: dict[int, TreeNode] = {-1: self.root}  # element index -> its tree node
        self._loaded: dict[int, int] = {}  # element index -> children added so far
        self._more: dict[int, TreeNode] = {}  # element index -> its "… more" node
        self._reading: set[int] = set()  # shown elements whose subtree was still being read

    def on_mount(self) -> None:
        self.load_children(-1)
        self.root.expand()
        if self.root.children:
            self.move_to(self.root.children[0])  # so the detail panel has something to show

    def load_children(self, parent: int, at_least: int = 1) -> None:
        """Add the parent's children to the tree up to index `at_least - 1`, a chunk at a time."""
        children = self.model.children(parent)
        loaded = self._loaded.get(parent, 0)
        if loaded >= min(at_least, len(children)) and loaded:
            return
        self._add(parent, children, min(len(children), max(loaded + CHUNK, -(-at_least // CHUNK) * CHUNK)))

    def _add(self, parent: int, children: list[int], target: int) -> None:
        """Nodes for the parent's children up to `target`, and a "… more" node for the rest."""
        loaded = self._loaded.get(parent, 0)
        more_label = Text(f"… {len(children) - target:,} more (enter loads {CHUNK})", "dim italic")
        if target <= loaded and parent in self._more and target < len(children):
            self._more[parent].set_label(more_label)  # in place: the cursor may be on it
            return
        node = self._node_of[parent]
        more = self._more.pop(parent, None)
        if more is not None:
            more.remove()
        elements = self.model.elements
        state_style = self.state_style
        for index in children[loaded:target]:
            self._node_of[index] = node.add(self._label(elements[index], state_style), data=index,
                                            allow_expand=self._expandable(index))
        self.nodes_added += max(0, target - loaded)
        self._loaded[parent] = max(loaded, target)
        if target < len(children):
            self._more[parent] = node.add_leaf(more_label, data=More(parent))

    def _label(self, element: Element, state_style: Style) -> Text:
        if not self.model.ends[element.index]:
            self._reading.add(element.index)  # its count grows: its label is made again
        return element_label(element, self.model.child_count(element.index), state_style)

    def _expandable(self, index: int) -> bool:
        tree = self.model
        return (tree.child_count(index) > 0 or not tree.ends[index]) and tree.depths[index] < MAX_DEPTH

    def grow(self) -> None:
        """Show what the tree being read has gained: children of the parents already shown, up
        to their chunk (a "… more" node counts the rest), and the labels that changed."""
        for parent, loaded in list(self._loaded.items()):
            children = self.model.children(parent)
            if len(children) <= loaded and parent not in self._more:
                continue
            chunk_end = max(CHUNK, -(-loaded // CHUNK) * CHUNK)
            self._add(parent, children, min(len(children), chunk_end))
        reading, self._reading = self._reading, set()
        state_style = self.state_style
        for index in reading:
            node = self._node_of.get(index)
            if node is not None:
                node.set_label(self._label(self.model.elements[index], state_style))
                node.allow_expand = self._expandable(index)

    @property
    def state_style(self) -> Style:
        return self.get_component_rich_style("element-tree--state", partial=True)

    def node_of(self, index: int) -> TreeNode | None:
        return self._node_of.get(index)

    def reveal(self, index: int) -> TreeNode:
        """Expand every ancestor of the element (adding nodes on the way) and return its node,
        or that of its deepest ancestor the tree can show (see MAX_DEPTH)."""
        path = self.model.path(index)[: MAX_DEPTH + 1]
        index = path[-1]
        parent = -1
        for child in path:
            position = self.model.children(parent).index(child)
            self.load_children(parent, position + 1)
            if parent != -1:
                self._node_of[parent].expand()
            parent = child
        return self._node_of[index]

    def expand_below(self, index: int) -> int:
        """Expand the element and what is below it, adding at most EXPAND_ALL_CAP nodes."""
        start = self.nodes_added
        queue = [index]
        while queue and self.nodes_added - start < EXPAND_ALL_CAP:
            current = queue.pop()
            children = self.model.children(current)
            if not children or self.model.depths[current] >= MAX_DEPTH:
                continue
            self.load_children(current)
            self._node_of[current].expand()
            queue.extend(reversed(children[: self._loaded[current]]))
        return len(queue)  # elements left unexpanded

    def move_to(self, node: TreeNode) -> None:
        # Tree computes node lines lazily on idle; build them now so the cursor lands right.
        self._tree_lines  # noqa: B018  (property with a side effect: builds the lines)
        self.move_cursor(node)
        self.scroll_to_node(node, animate=False)

    @on(Tree.NodeExpanded)
    def _expanded(self, event: Tree.NodeExpanded) -> None:
        index = event.node.data
        if isinstance(index, int):
            if self.model.depths[index] >= MAX_DEPTH:
                event.node.collapse()  # e.g. shift+space on deep siblings: refuse, as for keys
                return
            self.load_children(index)

    @on(Tree.NodeSelected)
    def _selected(self, event: Tree.NodeSelected) -> None:
        if isinstance(event.node.data, More):
            event.stop()
            parent = event.node.data.parent
            self.load_children(parent, self._loaded[parent] + 1)


class ElementTreeViewer(FindBar, Viewer[ElementsModel]):
    HELP_TITLE = "Element tree"
    DEFAULT_CSS = """
    ElementTreeViewer { layout: vertical; }
    ElementTreeViewer .note { color: $text-muted; padding: 0 1; height: 1; }
    ElementTreeViewer LazyElementTree { height: 1fr; }
    ElementTreeViewer VerticalScroll.detail { height: 40%; border-top: solid $panel-lighten-2; padding: 0 1; }
    """ + FIND_CSS

    BINDINGS = [
        # `e` is "element" in the prompt and action viewers, `c` the trace's console.
        Binding("x", "expand_below", "Expand all below", id="tree.expand_all"),
        Binding("X", "collapse_below", "Collapse all below", id="tree.collapse_all"),
        *FIND_BINDINGS,
    ]

    MODEL = ElementsModel
    model: ElementsModel

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pending_target: str | None = None  # go_to's, until its element is read
        self._generation = self.model.tree.generation

    def compose(self) -> ComposeResult:
        yield Static(self._note(), classes="note")
        yield LazyElementTree(self.model.tree)
        with DetailScroll(classes="detail"):
            yield Static(Text("Move to an element to see its details.", style="dim"), classes="detail-text")
        yield find_input("Find id, #id, <tag, attribute=value or text")

    def _note(self) -> Text:
        tree = self.model.tree
        css = f"{len(self.model.css):,} css selectors" if self.model.css else "no css map"
        note = Text(f"{len(tree):,} elements · {tree.interactable:,} interactable (●) · {css}")
        if not tree.complete:
            note.append("  reading the rest…", "bold yellow")
        return note

    # --- a tree read while it is shown ------------------------------------------------------
    def on_mount(self) -> None:
        if self.model.reader is not None and not self.model.tree.complete:
            # After the first paint: taking frames holds the GIL a little, the child works meanwhile.
            self.call_after_refresh(self._read_rest)

    def on_unmount(self) -> None:
        if self.model.reader is not None:
            self.model.reader.close()  # the viewer is gone: so is the child reading for it

    @work(thread=True, exclusive=True, group="tree-read", exit_on_error=False, name="Reading the element tree")
    def _read_rest(self) -> None:
        reader = self.model.reader
        assert reader is not None
        worker = get_current_worker()
        shown = [time.monotonic()]

        def grown(_tree: ElementTree) -> bool:
            if time.monotonic() - shown[0] >= GROW_EVERY:
                shown[0] = time.monotonic()
                self.app.call_from_thread(self._grown)
            return False

        reader.read(grown, lambda: worker.is_cancelled, adopt=False)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._grown)

    def _grown(self) -> None:
        """Show what the reader added (all of it again after a RESET: the first nodes changed)."""
        tree = self.model.tree
        if not self.is_mounted or not self.query(LazyElementTree):
            return  # gone, or showing the error panel
        if self.model.reader is not None:
            self.model.reader.adopt()  # here, where the tree is shown, if it was read again
        self.query_one(".note", Static).update(self._note())
        if tree.generation != self._generation:
            self._generation = tree.generation
            self.tree_view.remove()
            self.mount(LazyElementTree(tree), after=self.query_one(".note"))
            self.call_after_refresh(self._grown)  # then a pending go_to, in the new tree
            return
        self.tree_view.grow()
        if self._pending_target is not None:
            target = self._pending_target
            if tree.lookup(target) is not None or tree.complete:
                self._pending_target = None
                if not self.go_to(target):
                    self.notify(f"{target} is not in this {self.artifact.artifact_type}.", severity="warning",
                                markup=False)

    def show_worker_failure(self, worker: Worker, reason: str) -> bool:
        # The rest of the tree is not a tree after all: the viewer becomes the pane's error panel.
        if worker.group != "tree-read":
            return False
        self.remove_children()
        self.mount(ErrorPanel(f"Cannot show {self.artifact.artifact_type} {self.artifact.artifact_id}", reason,
                              "The rest of the run is still here: pick another artifact on the left."))
        return True

    @property
    def tree_view(self) -> LazyElementTree:
        return self.query_one(LazyElementTree)

    @property
    def selected(self) -> Element | None:
        node = self.tree_view.cursor_node
        if node is None or not isinstance(node.data, int):
            return None
        return self.model.tree.elements[node.data]

    def copy_choices(self) -> list[CopyChoice]:
        element = self.selected
        css = self.model.css.get(element.element_id) if element is not None and element.element_id else None
        return [CopyChoice("s", "The element's CSS selector", css)] if css else []

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted) -> None:
        static = self.query_one(".detail-text", Static)
        if isinstance(event.node.data, int) and event.node.data >= len(self.model.tree):
            return  # a node of the tree before it was read again (see TreeReader.adopt)
        if isinstance(event.node.data, int):
            element = self.model.tree.elements[event.node.data]
            static.update(element_detail(element, self.model, self.tree_view.state_style))
        else:
            static.update(Text("Press enter to load more children.", style="dim"))

    # --- expand / collapse ----------------------------------------------------------------
    def action_expand_below(self) -> None:
        element = self.selected
        if element is None:
            return
        left = self.tree_view.expand_below(element.index)
        if left:
            self.notify(f"Expanded the first {EXPAND_ALL_CAP:,} elements; press x again for more.")

    def action_collapse_below(self) -> None:
        node = self.tree_view.cursor_node
        if node is not None:
            node.collapse_all()

    # --- go to ----------------------------------------------------------------------------
    def go_to(self, target: str) -> bool:
        tree = self.model.tree
        index = tree.lookup(target.strip().lstrip("#"))
        if index is None:
            if tree.complete:
                return False
            self._pending_target = target  # shown once read (or said missing at the end)
            return True
        self._show(index)
        return True

    def _show(self, index: int) -> None:
        tree = self.tree_view
        node = tree.reveal(index)
        tree.move_to(node)
        tree.focus()
        if node.data != index:
            element = self.model.tree.elements[index]
            self.notify(
                f"#{element.element_id or element.tag} is {element.depth} levels deep; the tree shows "
                f"{MAX_DEPTH}: its ancestor there is selected.",
                severity="warning",
                markup=False,
            )

    # --- find -----------------------------------------------------------------------------
    def find_focus(self) -> LazyElementTree:
        return self.tree_view

    def search(self, query: str, forward: bool, from_match: bool) -> None:
        element = self.selected
        start = element.index if element is not None else (-1 if forward else 0)
        self._run_search(query, start, forward)

    @work(thread=True, exclusive=True, group="find", exit_on_error=False)
    def _run_search(self, query: str, start: int, forward: bool) -> None:
        found = self.model.tree.find(query, start, forward)
        self.app.call_from_thread(self._show_match, query, found)

    def _show_match(self, query: str, found: int | None) -> None:
        if found is None:
            self.notify(f"Not found: {query}", severity="warning", markup=False)
            return
        self._show(found)

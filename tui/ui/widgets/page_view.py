"""A page of items on the cursor view: text wrapped to the pane, pictures drawn in a worker, and
a cursor that goes from one item that leads somewhere to the next (j/k), opened with enter.

The overview and the step story are such pages. Items are rebuilt from a function of the
view's styles (so colours come from the theme's component classes) whenever the width, the
theme or the data changes; the cursor stays on the item with the same key.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.strip import Strip

from ...core.formats.media import Picture
from ...core.model import Artifact
from .cursor_view import CursorView, FittedRows, StyleOf
from ..pictures import Drawing, drop, pictures_of, show

PICTURE_ROWS = 14  # a picture on a page is at most this many rows tall (28 half-block pixels)
LEAST_PICTURE_ROWS = 6  # and at most half the pane, but never less than this
DRAWINGS_KEPT = 16


@dataclass(frozen=True)
class PageItem:
    """One item of a page: its text (wrapped), or a picture, and what enter on it opens.

    `link` None: text to read, skipped by j/k. `key` names the item across rebuilds (the cursor
    stays on it); `tint` is a component class that colours its rows' background."""

    text: Text
    key: str = ""
    link: object | None = None
    tint: str | None = None
    picture: Artifact | None = None  # drawn under the text, as wide as the pane allows
    indent: int = 0


ItemsOf = Callable[[StyleOf, int], Sequence[PageItem]]  # the styles, the width
PictureOf = Callable[[Artifact], Picture]


class PageRows(FittedRows):
    """The laid-out rows of a page: each a line of text with the index of its item."""

    def __init__(self) -> None:
        self.lines: list[Text] = []
        self.item_of: list[int] = []
        self.tints: list[str | None] = []

    def row_count(self) -> int:
        return len(self.lines)

    def render_row(self, index: int, width: int, style: StyleOf) -> Text:
        line = self.lines[index]
        # Text.render draws spans only: the line's own style becomes one.
        text = Text(line.plain, end="", no_wrap=True)
        if line.style:
            text.stylize(line.style)
        for span in line.spans:
            text.stylize(span.style, span.start, span.end)
        text.truncate(width, overflow="ellipsis")
        return text

    def row_background(self, index: int) -> str | None:
        return self.tints[index]


class PageView(CursorView):
    """A page of PageItems; enter on an item with a link posts `Chosen`."""

    COMPONENT_CLASSES: ClassVar[set[str]] = CursorView.COMPONENT_CLASSES | {
        "page--heading",
        "page--label",
        "page--muted",
        "page--error",
        "page--warning",
        "page--ok",
        "page--link",
        "page--failed-row",
    }

    DEFAULT_CSS = """
    PageView { overflow-x: hidden; }
    PageView > .page--heading { color: $accent; text-style: bold; }
    PageView > .page--label { color: $text-muted; }
    PageView > .page--muted { color: $text-muted; }
    PageView > .page--error { color: $error; text-style: bold; }
    PageView > .page--warning { color: $warning; }
    PageView > .page--ok { color: $success; }
    PageView > .page--link { color: $primary; }
    PageView > .page--failed-row { background: $error 15%; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", id="page.open"),
    ]

    EMPTY = "Reading the run…"

    class Chosen(Message):
        """enter on an item that leads somewhere."""

        def __init__(self, view: PageView, link: object) -> None:
            super().__init__()
            self.view = view
            self.link = link

        @property
        def control(self) -> PageView:
            return self.view

    def __init__(self, items: ItemsOf, picture_of: PictureOf | None = None, **kwargs) -> None:
        self.rows = PageRows()
        super().__init__(self.rows, cursor=True, **kwargs)
        self.items_of = items
        self.picture_of = picture_of
        self.items: list[PageItem] = []
        self.first_line: list[int] = []  # of each item
        self._laid_size = (0, 0)
        # Drawings by (artifact id, width, rows), and the last drawing of each item key: shown while
        # the next picture of the same item (a live run's newest screenshot) is drawn.
        self._drawings: OrderedDict[tuple[str, int, int], Drawing] = OrderedDict()
        self._last_drawing: dict[str, Drawing] = {}
        self._drawing: set[tuple[str, int, int]] = set()
        self._broken: dict[str, str] = {}  # artifact id -> why it cannot be drawn
        # Until the cursor is moved, it goes to the first item that leads somewhere as the page
        # fills (the failure block appears above the steps once the logs are read, say).
        self.moved = False
        self._could_open: bool | None = None  # what the footer was last told about enter

    # --- laying out --------------------------------------------------------------------------
    def set_items(self, items: ItemsOf) -> None:
        """Other data: lay the page out again, the cursor staying on its item."""
        self.items_of = items
        self.relayout()

    def relayout(self) -> None:
        width = self._text_width
        if not self.is_mounted or width <= 1:
            return
        key = self.cursor_key if self.moved else ""
        offset = self._cursor_offset() if self.moved else 0
        self.items = list(self.items_of(self.style_of, width))
        rows = self.rows
        rows.lines, rows.item_of, rows.tints, self.first_line = [], [], [], []
        console = self.app.console
        for number, item in enumerate(self.items):
            self.first_line.append(len(rows.lines))
            lines: list[Text] = []
            room = max(1, width - item.indent)
            if item.text.plain:
                for line in item.text.wrap(console, room, overflow="fold"):
                    line.rstrip()
                    lines.append(Text(" " * item.indent) + line if item.indent else line)
            elif not item.picture:
                lines.append(Text(""))
            if item.picture is not None:
                lines += [Text(" " * item.indent) + line if item.indent else line
                          for line in self._picture_lines(item, room)]
            rows.lines += lines
            rows.item_of += [number] * len(lines)
            rows.tints += [item.tint] * len(lines)
        self._laid_size = (width, self.size.height)
        self.rows_changed()
        target = self.line_of_key(key)
        if target is None:
            target = self._next_link(-1, 1)
        if target is not None and self.cursor_row is not None:
            self.cursor_row = min(target + offset, self._last_line_of(rows.item_of[target]))
            if self.moved:
                self.scroll_to_row(self.cursor_row)  # the rows above it may have grown
            self.refresh()
        elif self.cursor_row is not None and rows.lines:
            self.cursor_row = 0
        self._footer_follows()

    def _footer_follows(self) -> None:
        """Refresh the footer when enter starts or stops leading somewhere, only then: a refresh
        rebuilds every key of the footer (some 20 ms), and the page is laid out again at each
        part of the run model read (a key typed meanwhile waited behind those rebuilds)."""
        can_open = bool(self.check_action("open", ()))
        if can_open != self._could_open:
            self._could_open = can_open
            self.refresh_bindings()

    def _cursor_offset(self) -> int:
        item = self.cursor_item_index
        if item is None or self.cursor_row is None:
            return 0
        return self.cursor_row - self.first_line[item]

    def on_mount(self) -> None:
        super().on_mount()
        self.call_after_refresh(self.relayout)

    def on_resize(self) -> None:
        if (self._text_width, self.size.height) != self._laid_size:
            self.relayout()
        super().on_resize()

    def restyle(self) -> None:  # called by CursorView on a theme change
        if self.is_mounted:
            self.call_after_refresh(self.relayout)

    # --- pictures ----------------------------------------------------------------------------
    def _picture_lines(self, item: PageItem, width: int) -> list[Text]:
        artifact = item.picture
        assert artifact is not None
        if artifact.artifact_id in self._broken:
            return [Text(f"Cannot draw {artifact.artifact_type}: {self._broken[artifact.artifact_id]}",
                         style=self.style_of("page--error"))]
        rows = max(LEAST_PICTURE_ROWS, min(PICTURE_ROWS, self.size.height // 2))
        key = (artifact.artifact_id, width, rows)
        drawn = self._drawings.get(key)
        if drawn is not None:
            self._keep_last(item.key, drawn)
            return drawn.texts()
        if self.picture_of is not None and key not in self._drawing:
            self._drawing.add(key)
            self._draw(artifact, key, self.picture_of)
        previous = self._last_drawing.get(item.key)
        if previous is not None:
            return previous.texts()  # the newest screenshot stays drawn until the next one is
        return [Text(f"drawing {artifact.artifact_type}…", style=self.style_of("page--muted"))]

    @work(thread=True, group="page-picture", exit_on_error=False)
    def _draw(self, artifact: Artifact, key: tuple[str, int, int], picture_of: PictureOf) -> None:
        _, width, rows = key
        try:
            drawing = pictures_of(self).draw_fitted(picture_of(artifact), width, rows)
            drawing.texts()  # made here, not on the event loop
        except Exception as exc:  # a picture that cannot be drawn says so in its place
            self.app.call_from_thread(self._not_drawn, artifact, key, f"{type(exc).__name__}: {exc}")
            return
        self.app.call_from_thread(self._drawn, key, drawing)

    def _drawn(self, key: tuple[str, int, int], drawing: Drawing) -> None:
        self._drawing.discard(key)
        if not self.is_attached:
            return
        show(self, drawing)  # a kitty image is sent before its placeholders are drawn
        self._drawings[key] = drawing
        while len(self._drawings) > DRAWINGS_KEPT:
            _, old = self._drawings.popitem(last=False)
            self._drop_unused(old)
        self.relayout()

    def _keep_last(self, item_key: str, drawing: Drawing) -> None:
        old = self._last_drawing.get(item_key)
        self._last_drawing[item_key] = drawing
        if old is not None and old is not drawing:
            self._drop_unused(old)

    def _drop_unused(self, drawing: Drawing) -> None:
        kept = list(self._drawings.values()) + list(self._last_drawing.values())
        if not any(drawing is other for other in kept):
            drop(self, drawing)

    def on_unmount(self) -> None:
        for drawing in {id(d): d for d in [*self._drawings.values(), *self._last_drawing.values()]}.values():
            drop(self, drawing)
        self._drawings.clear()
        self._last_drawing.clear()

    def _not_drawn(self, artifact: Artifact, key: tuple[str, int, int], reason: str) -> None:
        self._drawing.discard(key)
        self._broken[artifact.artifact_id] = reason
        self.relayout()

    @property
    def drawn(self) -> set[str]:
        """Ids of the pictures drawn so far (at any width)."""
        return {key[0] for key in self._drawings}

    # --- the cursor ----------------------------------------------------------------------------
    @property
    def cursor_item_index(self) -> int | None:
        row = self.cursor_row
        if row is None or row >= len(self.rows.item_of):
            return None
        return self.rows.item_of[row]

    @property
    def cursor_item(self) -> PageItem | None:
        index = self.cursor_item_index
        return self.items[index] if index is not None else None

    @property
    def cursor_key(self) -> str:
        item = self.cursor_item
        return item.key if item is not None else ""

    def line_of_key(self, key: str) -> int | None:
        if not key:
            return None
        return next((self.first_line[n] for n, item in enumerate(self.items) if item.key == key), None)

    def _last_line_of(self, item: int) -> int:
        return (self.first_line[item + 1] if item + 1 < len(self.first_line) else len(self.rows.lines)) - 1

    def _next_link(self, item: int, direction: int) -> int | None:
        """The first line of the next (previous) item with a link after `item`."""
        index = item + direction
        while 0 <= index < len(self.items):
            if self.items[index].link is not None:
                return self.first_line[index]
            index += direction
        return None

    def select_key(self, key: str) -> bool:
        line = self.line_of_key(key)
        if line is None:
            return False
        self._move_to(line)
        return True

    def move_cursor(self, index: int) -> None:
        self.moved = True
        super().move_cursor(index)
        self._footer_follows()  # enter opens only an item that leads somewhere

    def _move_to(self, line: int) -> None:
        self.move_cursor(line)
        item = self.rows.item_of[line]
        self.scroll_to_row(self._last_line_of(item))  # all of the item, where it fits
        self.scroll_to_row(line)

    def action_down(self) -> None:
        item = self.cursor_item_index
        line = self._next_link(-1 if item is None else item, 1)
        if line is not None:
            self._move_to(line)
        else:
            self.scroll_to(y=self.scroll_y + 1, animate=False)  # the text after the last item

    def action_up(self) -> None:
        item = self.cursor_item_index
        line = self._next_link(len(self.items) if item is None else item, -1)
        if line is not None:
            self._move_to(line)
            if self._next_link(self.rows.item_of[line], -1) is None:
                self.scroll_to(y=0, animate=False)  # the text before the first item
        else:
            self.scroll_to(y=self.scroll_y - 1, animate=False)

    def action_page(self, direction: int) -> None:
        super().action_page(direction)
        self._snap(direction)

    def action_top(self) -> None:
        super().action_top()
        self._snap(1)

    def action_bottom(self) -> None:
        super().action_bottom()
        self._snap(-1)

    def _snap(self, direction: int) -> None:
        """Onto an item with a link, near where a page move left the cursor."""
        item = self.cursor_item_index
        if item is None or self.items[item].link is not None:
            return
        line = self._next_link(item, direction)
        if line is None:
            line = self._next_link(item, -direction)
        if line is not None:
            self.move_cursor(line)

    def action_open(self) -> None:
        item = self.cursor_item
        if item is not None and item.link is not None:
            self.post_message(self.Chosen(self, item.link))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open":
            item = self.cursor_item
            return item is not None and item.link is not None
        return super().check_action(action, parameters)

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        # Every row of the item under the cursor is lit, not only the cursor's row.
        row = int(self.scroll_y) + y
        item = self.cursor_item_index
        if item is not None and row != self.cursor_row and row < len(self.rows.item_of) and self.rows.item_of[row] == item \
                and self.items[item].link is not None:
            strip = strip.apply_style(self._cursor_style())
        return strip

    # --- what is shown, as plain text (tests, the report-like checks) --------------------------
    def plain_lines(self) -> list[str]:
        return [line.plain for line in self.rows.lines]

    def line_of(self, needle: str) -> int | None:
        return next((n for n, line in enumerate(self.rows.lines) if needle in line.plain), None)


def join(*parts: Text | str | tuple[str, Style | str] | None, sep: str = "  ") -> Text:
    """Texts and (text, style) pairs joined with `sep`, the empty ones left out."""
    out = Text()
    for part in parts:
        if part is None or part == "" or (isinstance(part, Text) and not part.plain):
            continue
        if out.plain:
            out.append(sep)
        if isinstance(part, Text):
            out.append_text(part)
        elif isinstance(part, tuple):
            out.append(part[0], style=part[1])
        else:
            out.append(part)
    return out


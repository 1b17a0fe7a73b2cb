"""Playwright trace viewer: actions (or console, or network) on the left, the screencast
frame of the selected action and its details on the right.

`a`, `o` and `n` switch the left list between actions, console messages (with page errors)
and network requests; `[` and `]` step through the screencast frames (the film strip).
Frames are decoded in a worker thread, one at a time, when they are shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import ContentSwitcher, Static

from ...core.formats.media import Picture, open_image, thumbnail
from ...core.formats.har import Entry
from ...core.formats.trace import Action, Console, Frame, Trace
from ...core.model import Artifact
from ..text import safe_text
from ..widgets.cursor_view import CursorView, FittedRows, StyleOf
from ..widgets.detail_scroll import DetailScroll
from ..pictures import Drawing, drop, pictures_of, show
from ..widgets.image_view import ImageView
from .base import Viewer
from .find import FIND_CSS, FindBar, find_count, find_input
from .targets import numbered
from .network import RequestTable, entry_detail
from ..failures import ReportsWorkerFailures

LEVEL_STYLE = {"error": "bold red", "pageerror": "bold red", "warning": "yellow", "log": "", "info": ""}


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f} ms" if value < 1000 else f"{value / 1000:.2f} s"


def _styled(value: str, style: Style) -> Text:
    text = safe_text(value)
    text.stylize(style)
    return text


def action_prompt(trace: Trace, action: Action, style: StyleOf) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{(action.start - trace.start) / 1000:6.2f}s ", style=style("trace-list--time"))
    text.append_text(_styled(action.title, style("trace-list--failed" if action.error else "trace-list--title")))
    if action.selector:
        text.append(" ")
        text.append_text(_styled(action.selector, style("trace-list--selector")))
    text.append(f" {_ms(action.duration)}", style=style("trace-list--time"))
    return text


LEVEL_CLASSES = {"error": "trace-list--error", "pageerror": "trace-list--error", "warning": "trace-list--warning"}


def console_prompt(trace: Trace, message: Console, style: StyleOf) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{(message.time - trace.start) / 1000:6.2f}s ", style=style("trace-list--time"))
    level = LEVEL_CLASSES.get(message.level)
    text.append(f"{message.level:<9} ", style=style(level) if level else "")
    text.append_text(safe_text(message.text.splitlines()[0] if message.text else ""))
    return text


class TraceRows(FittedRows):
    """Actions or console messages as rows, styled by the list's component classes."""

    def __init__(self, items: list[Any], make: Callable[[Any, StyleOf], Text]) -> None:
        self.items = items
        self.make = make

    def row_count(self) -> int:
        return len(self.items)

    def render_row(self, index: int, width: int, style: StyleOf) -> Text:
        text = self.make(self.items[index], style)
        text.truncate(width, overflow="ellipsis")
        return text


class TraceList(CursorView):
    """The trace's actions or console messages: a list like any other (j/k, /, n/N)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "trace-list--time", "trace-list--title", "trace-list--failed", "trace-list--selector",
        "trace-list--error", "trace-list--warning",
    }
    DEFAULT_CSS = """
    TraceList > .trace-list--time { color: $text-muted; }
    TraceList > .trace-list--title { text-style: bold; }
    TraceList > .trace-list--failed { color: $text-error; text-style: bold; }
    TraceList > .trace-list--selector { color: $text-accent; }
    TraceList > .trace-list--error { color: $text-error; text-style: bold; }
    TraceList > .trace-list--warning { color: $text-warning; }
    """

    def __init__(self, items: list[Any], make: Callable[[Any, StyleOf], Text], **kwargs) -> None:
        super().__init__(TraceRows(items, make), cursor=True, **kwargs)


def action_detail(trace: Trace, action: Action) -> Text:
    text = Text()
    text.append_text(safe_text(action.title, "bold"))
    text.append(f"  {_ms(action.duration)}  at +{(action.start - trace.start) / 1000:.2f}s\n", style="dim")
    if action.selector:
        text.append_text(safe_text(action.selector, "cyan"))
        text.append("\n")
    if action.error:
        text.append("Error: ", style="bold red")
        text.append_text(safe_text(action.error, "red"))
        text.append("\n")
    if action.end is None:
        text.append("did not finish before the trace ended\n", style="yellow")
    for line in action.logs:
        text.append_text(safe_text(line, "dim"))
        text.append("\n")
    return text


def console_detail(message: Console) -> Text:
    text = Text()
    text.append(message.level + "\n", style=LEVEL_STYLE.get(message.level, "bold"))
    text.append_text(safe_text(message.text))
    if message.location:
        text.append("\n")
        text.append_text(safe_text(message.location, "dim"))
    return text


STRIP = 5  # frames in the film strip: the one shown, two before, two after


class FilmStrip(ReportsWorkerFailures, Horizontal):
    """Small pictures of the frames around the one shown, so the page's changes read at a glance."""

    DEFAULT_CSS = """
    FilmStrip { height: 5; }
    FilmStrip Static { width: 1fr; height: 5; padding: 0 1 0 0; content-align: center middle;
                       text-wrap: nowrap; text-overflow: clip; }
    FilmStrip Static.-current { background: $accent 35%; }
    """

    def __init__(self, trace: Trace, **kwargs) -> None:
        super().__init__(**kwargs)
        self.trace = trace
        self._pictures: dict[tuple[int, int, int], Drawing] = {}  # (frame, width, height)
        self._shown: list[Drawing] = []

    def compose(self) -> ComposeResult:
        for _ in range(STRIP):
            yield Static(Text(""))

    def on_unmount(self) -> None:
        for drawing in self._shown:
            drop(self, drawing)
        self._shown = []

    def show(self, center: int) -> None:
        if not self.is_attached:
            return  # the drawings came back after the trace was closed
        thumbs = list(self.query(Static))
        width = max(4, (self.size.width // STRIP) - 1)
        height = self.size.height or 5
        first = max(0, min(center - STRIP // 2, len(self.trace.frames) - STRIP))
        indices = [i for i in range(first, first + STRIP) if i < len(self.trace.frames)]
        shown: list[Drawing] = []
        for slot, thumb in enumerate(thumbs):
            index = indices[slot] if slot < len(indices) else None
            thumb.set_class(index == center, "-current")
            picture = self._pictures.get((index, width, height)) if index is not None else None
            if picture is not None:
                show(self, picture)  # a kitty image is sent before its placeholders are drawn
                shown.append(picture)
            # One line per row (the CSS keeps rows from wrapping, which would break the picture apart).
            thumb.update(Text("\n").join(picture.texts()) if picture is not None else Text(""))
        for old in self._shown:
            if not any(old is now for now in shown):
                drop(self, old)
        self._shown = shown
        missing = [i for i in indices if (i, width, height) not in self._pictures]
        if missing:
            self._draw(missing, width, height, center)

    @work(thread=True, exclusive=True, group="film-strip", exit_on_error=False)
    def _draw(self, indices: list[int], width: int, height: int, center: int) -> None:
        for index in indices:
            try:
                pictures = pictures_of(self)
                small = thumbnail(self.trace.frame_bytes(self.trace.frames[index]), *pictures.pixels(width, height))
                drawing = pictures.draw_fitted(small, width, height)
                drawing.texts()  # made here, not on the event loop
                self._pictures[(index, width, height)] = drawing
            except Exception:
                continue  # the big frame view says what is wrong with a frame
        self.app.call_from_thread(self.show, center)


class TraceViewer(FindBar, Viewer[Trace]):
    HELP_TITLE = "Playwright trace"
    HELP_WIDGETS = (CursorView,)
    DEFAULT_CSS = """
    TraceViewer { layout: vertical; }
    TraceViewer .note { color: $text-muted; padding: 0 1; height: 1; }
    TraceViewer #trace-left { width: 3fr; }
    TraceViewer #trace-right { width: 2fr; padding-left: 1; }
    TraceViewer ContentSwitcher { height: 1fr; }
    TraceViewer ContentSwitcher > * { height: 1fr; }
    TraceViewer ImageView { height: 1fr; }
    TraceViewer .frame-note { color: $text-muted; height: 1; }
    TraceViewer #trace-detail { height: 1fr; border-top: solid $panel-lighten-2; }
    """ + FIND_CSS

    BINDINGS = [
        # Keys of their own: `o` is "open outside" and `n` "next match" everywhere else.
        Binding("a", "show('actions')", "Actions", id="trace.actions"),
        Binding("c", "show('console')", "Console and page errors", id="trace.console"),
        Binding("R", "show('network')", "Network requests", id="trace.requests"),
        Binding("left_square_bracket", "frame(-1)", "Previous frame", id="trace.previous"),
        Binding("right_square_bracket", "frame(1)", "Next frame", id="trace.next"),
    ]

    MODEL = Trace
    model: Trace

    def __init__(self, artifact: Artifact, model: Trace, **kwargs) -> None:
        super().__init__(artifact, model, **kwargs)
        self.frame_index: int | None = 0 if model.frames else None

    def compose(self) -> ComposeResult:
        trace = self.model
        yield Static(self._note(), classes="note")
        with Horizontal():
            with ContentSwitcher(initial="actions", id="trace-left"):
                yield TraceList(trace.actions, lambda a, style: action_prompt(trace, a, style), id="actions")
                yield TraceList(trace.console, lambda c, style: console_prompt(trace, c, style), id="console")
                yield RequestTable(list(trace.network), min((e.started for e in trace.network), default=0.0),
                                   max((e.started + e.duration for e in trace.network), default=1.0), id="network")
            with Vertical(id="trace-right"):
                yield Static(classes="frame-note")
                if trace.first_image is not None:
                    yield ImageView(trace.first_image)
                    yield FilmStrip(trace)
                with DetailScroll(id="trace-detail"):
                    yield Static(Text("Select an action.", style="dim"), id="trace-detail-text")
        yield find_count()
        yield find_input("Find")

    def _note(self) -> Text:
        trace = self.model
        errors = sum(1 for c in trace.console if c.level in ("error", "pageerror"))
        failed = sum(1 for a in trace.actions if a.error)
        text = safe_text(f"v{trace.version} · {len(trace.actions)} actions ({failed} failed) · "
                         f"{len(trace.console)} console ({errors} errors) · {len(trace.network)} requests · "
                         f"{len(trace.frames)} frames")
        text.append("  a c R [ ]", style="dim")
        return text

    def on_mount(self) -> None:
        self._frame_note()
        if self.frame_index is not None:
            self.call_after_refresh(lambda: self.query_one(FilmStrip).show(self.frame_index))

    @property
    def current_list(self) -> str:
        return self.query_one(ContentSwitcher).current or "actions"

    # --- what is selected ------------------------------------------------------------------------
    def _detail(self, text: Text) -> None:
        self.query_one("#trace-detail-text", Static).update(text)

    def on_cursor_view_highlighted(self, event: CursorView.Highlighted) -> None:
        event.stop()
        if event.view.id == self.current_list:  # the hidden lists say so too when mounted
            self._selected(event.view.id, event.row)

    def _selected(self, list_id: str | None, index: int | None) -> None:
        """The detail and the frame follow the highlighted action or console message."""
        if index is None:
            return
        if list_id == "actions":
            action = self.model.actions[index]
            self._detail(action_detail(self.model, action))
            frame = self.model.frame_for(action)
            if frame is not None:
                self.show_frame(self.model.frames.index(frame))
        elif list_id == "console":
            message = self.model.console[index]
            self._detail(console_detail(message))
            self._frame_near(message.time)

    def on_request_table_moved(self, event: RequestTable.Moved) -> None:
        event.stop()
        if self.current_list == "network":
            self._show_entry(event.entry)

    def _show_entry(self, entry: Entry | None) -> None:
        if entry is None:
            self._detail(Text("No request in this trace.", style="dim"))
            return
        self._detail(Text("Reading the request…", style="dim"))
        self._frame_near(entry.started)
        self._prepare_entry(entry)

    @work(thread=True, exclusive=True, group="trace-body", exit_on_error=False)
    def _prepare_entry(self, entry: Entry) -> None:
        """Read the body from the zip and build the detail (bounded) off the event loop."""
        if entry.body_text is None and entry.body_file:
            self.model.load_body(entry)
        self.app.call_from_thread(self._entry_prepared, entry, entry_detail(entry, image_below=False))

    def _entry_prepared(self, entry: Entry, detail: Text) -> None:
        if self.current_list == "network" and self.query_one("#network", RequestTable).current is entry:
            self._detail(detail)

    def _frame_near(self, moment: float) -> None:
        """Show the frame closest in time to a console message or a request."""
        if self.model.frames:
            gaps = [abs(f.time - moment) for f in self.model.frames]
            self.show_frame(gaps.index(min(gaps)))

    # --- frames --------------------------------------------------------------------------------------
    def _frame_note(self) -> None:
        trace = self.model
        if self.frame_index is None:
            text = Text("no screencast frames in this trace", style="dim")
        else:
            frame = trace.frames[self.frame_index]
            text = Text(f"frame {self.frame_index + 1}/{len(trace.frames)} at +{(frame.time - trace.start) / 1000:.2f}s "
                        f"{frame.width}x{frame.height}")
        self.query_one(".frame-note", Static).update(text)

    def show_frame(self, index: int) -> None:
        if not self.model.frames:
            return
        index = min(max(index, 0), len(self.model.frames) - 1)
        if index == self.frame_index:
            return
        self.frame_index = index
        self._frame_note()
        self._load_frame(self.model.frames[index], index)
        self.query_one(FilmStrip).show(index)

    @work(thread=True, exclusive=True, group="trace-frame", exit_on_error=False)
    def _load_frame(self, frame: Frame, index: int) -> None:
        try:
            image = open_image(self.model.frame_bytes(frame))
        except Exception as exc:  # a broken frame: say so, keep the viewer
            self.app.call_from_thread(self.notify, f"Frame {index + 1} unreadable: {exc}", severity="warning",
                                      markup=False)
            return
        self.app.call_from_thread(self._set_image, image, index)

    def _set_image(self, image: Picture, index: int) -> None:
        if index == self.frame_index:
            for view in self.query(ImageView):
                view.set_image(image)

    # --- actions ---------------------------------------------------------------------------------------
    def action_show(self, name: str) -> None:
        self.query_one(ContentSwitcher).current = name
        widget = self.query_one(f"#{name}", CursorView)
        widget.focus()
        if isinstance(widget, RequestTable):
            self._show_entry(widget.current)
        else:
            self._selected(name, widget.cursor_row if widget.row_count else None)

    def go_to(self, target: str) -> bool:
        """`action:N`, `message:N` or `entry:N` (from 0): that action, console message or
        request of the trace selected in its list, the frame of that moment shown."""
        for kind, name, items in (("action", "actions", self.model.actions), ("message", "console", self.model.console),
                                  ("entry", "network", self.model.network)):
            number = numbered(target, kind)
            if number is None:
                continue
            if number >= len(items):
                return False
            self.action_show(name)
            widget = self.query_one(f"#{name}", CursorView)
            widget.move_cursor(number)  # its Highlighted (or Moved) shows the detail and the frame
            widget.scroll_to(y=max(0, number - 3), animate=False)
            return True
        return False

    def action_frame(self, step: int) -> None:
        if self.frame_index is not None:
            self.show_frame(self.frame_index + step)

    def find_focus(self) -> CursorView:
        return self.query_one(f"#{self.current_list}", CursorView)

    def focus(self, scroll_visible: bool = True) -> TraceViewer:
        self.query_one(f"#{self.current_list}").focus(scroll_visible)
        return self

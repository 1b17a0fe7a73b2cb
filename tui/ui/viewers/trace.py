"""Playwright trace viewer: actions (or console, or network) on the left, the screencast
frame of the selected action and its details on the right.

`a`, `o` and `n` switch the left list between actions, console messages (with page errors)
and network requests; `[` and `]` step through the screencast frames (the film strip).
Frames are decoded in a worker thread, one at a time, when they are shown.
"""

from __future__ import annotations

from rich.text import Text
from rich_pixels import Pixels
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import ContentSwitcher, OptionList, Static
from textual.widgets.option_list import Option

from ...core.formats.media import downscale, open_image
from ...core.formats.har import Entry
from ...core.formats.trace import Action, Console, Frame, Trace, parse_trace
from ...core.model import Artifact
from ..text import safe_text
from ..widgets.detail_scroll import DetailScroll
from ..widgets.image_view import ImageView
from .base import Viewer, ViewerContext, register
from .network import RequestTable, entry_detail

LEVEL_STYLE = {"error": "bold red", "pageerror": "bold red", "warning": "yellow", "log": "", "info": ""}


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f} ms" if value < 1000 else f"{value / 1000:.2f} s"


def action_prompt(trace: Trace, action: Action) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{(action.start - trace.start) / 1000:6.2f}s ", style="dim")
    text.append_text(safe_text(action.title, "bold red" if action.error else "bold"))
    if action.selector:
        text.append(" ")
        text.append_text(safe_text(action.selector, "cyan"))
    text.append(f" {_ms(action.duration)}", style="dim")
    return text


def console_prompt(trace: Trace, message: Console) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{(message.time - trace.start) / 1000:6.2f}s ", style="dim")
    text.append(f"{message.level:<9} ", style=LEVEL_STYLE.get(message.level, ""))
    text.append_text(safe_text(message.text.splitlines()[0] if message.text else ""))
    return text


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


class FilmStrip(Horizontal):
    """Small pictures of the frames around the one shown, so the page's changes read at a glance."""

    DEFAULT_CSS = """
    FilmStrip { height: 5; }
    FilmStrip Static { width: 1fr; height: 5; padding: 0 1 0 0; content-align: center middle; }
    FilmStrip Static.-current { background: $accent 35%; }
    """

    def __init__(self, trace: Trace, **kwargs) -> None:
        super().__init__(**kwargs)
        self.trace = trace
        self._pictures: dict[tuple[int, int, int], Pixels] = {}  # (frame, width, height)

    def compose(self) -> ComposeResult:
        for _ in range(STRIP):
            yield Static(Text(""))

    def show(self, center: int) -> None:
        thumbs = list(self.query(Static))
        width = max(4, (self.size.width // STRIP) - 1)
        height = self.size.height or 5
        first = max(0, min(center - STRIP // 2, len(self.trace.frames) - STRIP))
        indices = [i for i in range(first, first + STRIP) if i < len(self.trace.frames)]
        for slot, thumb in enumerate(thumbs):
            index = indices[slot] if slot < len(indices) else None
            thumb.set_class(index == center, "-current")
            picture = self._pictures.get((index, width, height)) if index is not None else None
            thumb.update(picture if picture is not None else Text(""))
        missing = [i for i in indices if (i, width, height) not in self._pictures]
        if missing:
            self._draw(missing, width, height, center)

    @work(thread=True, exclusive=True, group="film-strip", exit_on_error=False)
    def _draw(self, indices: list[int], width: int, height: int, center: int) -> None:
        for index in indices:
            try:
                image = open_image(self.trace.frame_bytes(self.trace.frames[index]))
                self._pictures[(index, width, height)] = Pixels.from_image(downscale(image, width, height * 2))
            except Exception:
                continue  # the big frame view says what is wrong with a frame
        self.app.call_from_thread(self.show, center)


@register("trace")
class TraceViewer(Viewer):
    HELP_TITLE = "Playwright trace"
    DEFAULT_CSS = """
    TraceViewer { layout: vertical; }
    TraceViewer .note { color: $text-muted; padding: 0 1; height: 1; }
    TraceViewer #trace-left { width: 3fr; }
    TraceViewer #trace-right { width: 2fr; padding-left: 1; }
    TraceViewer ContentSwitcher { height: 1fr; }
    TraceViewer ContentSwitcher > * { height: 1fr; }
    TraceViewer OptionList, TraceViewer OptionList:focus {
        text-wrap: nowrap; text-overflow: ellipsis; border: none; padding: 0;
    }
    TraceViewer ImageView { height: 1fr; }
    TraceViewer .frame-note { color: $text-muted; height: 1; }
    TraceViewer #trace-detail { height: 1fr; border-top: solid $panel-lighten-2; }
    """

    BINDINGS = [
        # Keys of their own: `o` is "open outside" and `n` "next match" everywhere else.
        Binding("a", "show('actions')", "Actions", id="trace.actions"),
        Binding("c", "show('console')", "Console and page errors", id="trace.console"),
        Binding("R", "show('network')", "Network requests", id="trace.requests"),
        Binding("left_square_bracket", "frame(-1)", "Previous frame", id="trace.previous"),
        Binding("right_square_bracket", "frame(1)", "Next frame", id="trace.next"),
    ]

    model: Trace

    @classmethod
    def prepare(cls, artifact: Artifact, data: bytes | None, context: ViewerContext) -> Trace:
        trace = parse_trace(data or b"")
        # Decode the first frame here so the viewer opens with a picture and no wait.
        trace.first_image = open_image(trace.frame_bytes(trace.frames[0])) if trace.frames else None
        return trace

    def __init__(self, artifact: Artifact, model: Trace, **kwargs) -> None:
        super().__init__(artifact, model, **kwargs)
        self.frame_index: int | None = 0 if model.frames else None

    def compose(self) -> ComposeResult:
        trace = self.model
        yield Static(self._note(), classes="note")
        with Horizontal():
            with ContentSwitcher(initial="actions", id="trace-left"):
                yield OptionList(*[Option(action_prompt(trace, a)) for a in trace.actions], id="actions")
                yield OptionList(*[Option(console_prompt(trace, c)) for c in trace.console], id="console")
                yield RequestTable(list(trace.network), min((e.started for e in trace.network), default=0.0),
                                   max((e.started + e.duration for e in trace.network), default=1.0), id="network")
            with Vertical(id="trace-right"):
                yield Static(classes="frame-note")
                if trace.first_image is not None:
                    yield ImageView(trace.first_image)
                    yield FilmStrip(trace)
                with DetailScroll(id="trace-detail"):
                    yield Static(Text("Select an action.", style="dim"), id="trace-detail-text")

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
        if self.model.actions:
            self.query_one("#actions", OptionList).highlighted = 0
        self._frame_note()
        if self.frame_index is not None:
            self.call_after_refresh(lambda: self.query_one(FilmStrip).show(self.frame_index))

    @property
    def current_list(self) -> str:
        return self.query_one(ContentSwitcher).current or "actions"

    # --- what is selected ------------------------------------------------------------------------
    def _detail(self, text: Text) -> None:
        self.query_one("#trace-detail-text", Static).update(text)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._selected(event.option_list.id, event.option_index)

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
        self._detail(entry_detail(entry, image_below=False) if entry else Text("No request in this trace.", style="dim"))
        if entry is not None:
            self._frame_near(entry.started)
            if entry.body_text is None and entry.body_file:
                self._load_body(entry)

    @work(thread=True, exclusive=True, group="trace-body", exit_on_error=False)
    def _load_body(self, entry: Entry) -> None:
        """Read the body from the zip off the event loop, then redraw if still selected."""
        if self.model.load_body(entry):
            self.app.call_from_thread(self._body_loaded, entry)

    def _body_loaded(self, entry: Entry) -> None:
        if self.current_list == "network" and self.query_one("#network", RequestTable).current is entry:
            self._detail(entry_detail(entry, image_below=False))

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

    def _set_image(self, image, index: int) -> None:
        if index == self.frame_index:
            for view in self.query(ImageView):
                view.set_image(image)

    # --- actions ---------------------------------------------------------------------------------------
    def action_show(self, name: str) -> None:
        self.query_one(ContentSwitcher).current = name
        widget = self.query_one(f"#{name}")
        widget.focus()
        if name == "network":
            self._show_entry(widget.current)
        else:
            options = widget
            if options.option_count and options.highlighted is None:
                options.highlighted = 0
            else:
                self._selected(name, options.highlighted)

    def action_frame(self, step: int) -> None:
        if self.frame_index is not None:
            self.show_frame(self.frame_index + step)

    def start_find(self) -> bool:
        return False

    def focus(self, scroll_visible: bool = True) -> TraceViewer:
        self.query_one(f"#{self.current_list}").focus(scroll_visible)
        return self

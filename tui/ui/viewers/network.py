"""HAR viewer: a virtual request table (filter, sort, waterfall) over a detail pane.

The table is a line-API ScrollView: it renders only the rows on screen, so 20,000 requests
cost what 40 do (Textual's DataTable measures every cell up front). The trace viewer reuses
the table and the detail text for the requests of a trace.
"""

from __future__ import annotations

import json

from PIL import Image
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input, Static

from ...core.formats.har import SORT_COLUMNS, Entry, Har, compile_filter, parse_har, sort_entries, to_curl
from ...core.formats.media import open_image
from ...core.model import Artifact
from ...core.textsafe import visible_controls
from ..text import human_size, safe_text
from ..widgets.detail_scroll import DetailScroll
from ..widgets.image_view import ImageView
from .base import Viewer, ViewerContext, register

WATERFALL = 16  # cells of the waterfall column
MAX_BODY_SHOWN = 256 * 1024  # characters of a body drawn in the detail pane
CURSOR_FOCUSED = Style(bgcolor="#264f78", bold=True)
CURSOR_BLURRED = Style(bgcolor="#333333")
STATUS_STYLE = {0: "bold red", 2: "green", 3: "cyan", 4: "bold red", 5: "bold red"}


def _fit(text: str, width: int, right: bool = False) -> str:
    text = visible_controls(text)
    if len(text) > width:
        return text[: max(width - 1, 0)] + "…"
    return text.rjust(width) if right else text.ljust(width)


def _ms(value: float) -> str:
    return f"{value:.0f} ms" if value < 1000 else f"{value / 1000:.2f} s"


class RequestTable(ScrollView, can_focus=True):
    """Rows of requests; only the visible ones are drawn. The cursor row is highlighted."""

    DEFAULT_CSS = "RequestTable { height: 1fr; } RequestTable:focus { background-tint: $accent 5%; }"
    BINDINGS = [
        Binding("down,j", "move(1)", "Next request", show=False, id="requests.down"),
        Binding("up,k", "move(-1)", "Previous request", show=False, id="requests.up"),
        Binding("space,pagedown", "page(1)", "Page down", show=False, id="requests.page_down"),
        Binding("b,pageup", "page(-1)", "Page up", show=False, id="requests.page_up"),
        Binding("home,g", "jump(0)", "First request", show=False, id="requests.top"),
        Binding("end,G", "jump(-1)", "Last request", show=False, id="requests.bottom"),
    ]

    class Moved(Message):
        def __init__(self, table: RequestTable, entry: Entry | None) -> None:
            super().__init__()
            self.table = table
            self.entry = entry

    def __init__(self, rows: list[Entry], start: float, end: float, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows = rows
        self.cursor = 0
        self.start_ms = start
        self.span_ms = max(end - start, 1.0)

    # --- the rows ------------------------------------------------------------------------------
    def set_rows(self, rows: list[Entry], keep: Entry | None = None) -> None:
        """New rows (after a filter or sort); the cursor stays on `keep` when it is still shown."""
        self.rows = rows
        self.cursor = next((i for i, e in enumerate(rows) if e is keep), 0) if keep is not None else 0
        self.virtual_size = Size(self.size.width, len(rows))
        self.refresh()
        self._show_cursor()
        self.post_message(self.Moved(self, self.current))

    @property
    def current(self) -> Entry | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def on_mount(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.rows))
        self.post_message(self.Moved(self, self.current))

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.rows))

    # --- drawing -------------------------------------------------------------------------------
    def _bar(self, entry: Entry) -> str:
        first = int((entry.started - self.start_ms) / self.span_ms * WATERFALL)
        first = min(max(first, 0), WATERFALL - 1)
        length = max(1, round(entry.duration / self.span_ms * WATERFALL))
        length = min(length, WATERFALL - first)
        return " " * first + "█" * length + " " * (WATERFALL - first - length)

    def row_text(self, entry: Entry, width: int) -> Text:
        """One row. A narrow pane drops the waterfall, then the type, the host, the size."""
        status = str(entry.status) if entry.status else "—"
        show_bar, show_type, show_host, show_size = width >= 96, width >= 70, width >= 70, width >= 44
        fixed = 7 + 5 + 9 + (9 if show_size else 0) + (10 if show_type else 0) + (WATERFALL + 2 if show_bar else 0)
        url_width = max(width - fixed - 1, 6)
        text = Text(no_wrap=True)
        text.append(_fit(entry.method, 7))
        text.append(_fit(status, 4, right=True) + " ", style=STATUS_STYLE.get(entry.status // 100, ""))
        if show_type:
            text.append(" " + _fit(entry.type, 9), style="dim")
        text.append(" " + _fit(entry.host + entry.path if show_host else entry.path, url_width))
        if show_size:
            text.append(" " + _fit(human_size(entry.size) if entry.size else "—", 8, right=True))
        text.append(" " + _fit(_ms(entry.duration), 8, right=True))
        if show_bar:
            text.append("  ")
            text.append(self._bar(entry), style="red" if entry.failed else "cyan")
        return text

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        index = self.scroll_offset.y + y
        if index >= len(self.rows):
            if index == 0 and not self.rows:
                return Strip([Segment(_fit("No request matches.", width), Style(dim=True))])
            return Strip.blank(width, self.rich_style)
        text = self.row_text(self.rows[index], width)
        if index == self.cursor:
            # a background, not reverse: reversing the coloured status cell made it a green block
            text.stylize(CURSOR_FOCUSED if self.has_focus else CURSOR_BLURRED)
        segments = list(text.render(self.app.console))
        return Strip(segments).crop_extend(0, width, self.rich_style)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # --- moving ----------------------------------------------------------------------------------
    def _show_cursor(self) -> None:
        self.scroll_to_region(Region(0, self.cursor, 1, 1), animate=False, force=True)

    def move_to(self, index: int) -> None:
        if not self.rows:
            return
        index = min(max(index, 0), len(self.rows) - 1)
        if index != self.cursor:
            self.cursor = index
            self.refresh()
            self._show_cursor()
            self.post_message(self.Moved(self, self.current))

    def action_move(self, step: int) -> None:
        self.move_to(self.cursor + step)

    def action_page(self, direction: int) -> None:
        self.move_to(self.cursor + direction * max(self.size.height - 1, 1))

    def action_jump(self, where: int) -> None:
        self.move_to(0 if where == 0 else len(self.rows) - 1)

    def on_click(self, event: events.Click) -> None:
        self.move_to(self.scroll_offset.y + event.y)


# --- the detail of one request -------------------------------------------------------------------
def _section(text: Text, title: str) -> None:
    text.append(f"\n{title}\n", style="bold underline")


def _pairs(text: Text, pairs: list[tuple[str, str]]) -> None:
    if not pairs:
        text.append("  (none)\n", style="dim")
    for name, value in pairs:
        text.append("  ")
        text.append_text(safe_text(name, "bold"))
        text.append(": ")
        text.append_text(safe_text(value))
        text.append("\n")


def body_text(data: bytes, mime: str) -> str:
    """A body as text: JSON pretty-printed, else decoded UTF-8 (invalid bytes replaced)."""
    raw = data.decode("utf-8", "replace")
    if "json" in mime.lower() or raw[:1] in ("{", "["):
        try:
            return json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
        except ValueError:
            pass
    return raw


def entry_detail(entry: Entry, image_below: bool = True) -> Text:
    """Everything about one request, as safe text (the body image, if any, is drawn apart)."""
    text = Text()
    text.append_text(safe_text(f"{entry.method} {entry.url}", "bold"))
    status = f"{entry.status} {entry.status_text}".strip() if entry.status else "no response"
    text.append("\n")
    text.append_text(safe_text(status, STATUS_STYLE.get(entry.status // 100, "")))
    if entry.failure:
        text.append_text(safe_text(f"  {entry.failure}", "bold red"))
    text.append_text(safe_text(f"  {entry.type}  {entry.mime}  {human_size(entry.size)}  {_ms(entry.duration)}", "dim"))
    _section(text, "Timings")
    phases = [(k, v) for k, v in entry.timings.items() if v >= 0]
    _pairs(text, [(k, _ms(v)) for k, v in phases])
    _section(text, "Query")
    _pairs(text, entry.query)
    _section(text, "Request headers")
    _pairs(text, entry.request_headers)
    if entry.request_cookies:
        _section(text, "Request cookies")
        _pairs(text, entry.request_cookies)
    if entry.request_body is not None:
        _section(text, f"Request body {entry.request_mime}")
        text.append_text(safe_text(body_text(entry.request_body.encode(), entry.request_mime)[:MAX_BODY_SHOWN]))
        text.append("\n")
    _section(text, "Response headers")
    _pairs(text, entry.response_headers)
    if entry.response_cookies:
        _section(text, "Response cookies")
        _pairs(text, entry.response_cookies)
    _section(text, "Response body")
    data = entry.body()
    if data is None:
        text.append("  (not recorded)\n", style="dim")
    elif entry.type == "image" or entry.mime.startswith("image/"):
        below = " (drawn below)" if image_below else ""
        text.append(f"  image, {human_size(len(data))}{below}\n", style="dim")
    else:
        shown = body_text(data, entry.mime)
        text.append_text(safe_text(shown[:MAX_BODY_SHOWN]))
        if len(shown) > MAX_BODY_SHOWN:
            text.append(f"\n… {len(shown) - MAX_BODY_SHOWN} more characters", style="dim")
    return text


def entry_image(entry: Entry) -> Image.Image | None:
    """The response body as an image when it is one (and Pillow can read it)."""
    if not entry.mime.startswith("image/"):
        return None
    data = entry.body()
    if not data:
        return None
    try:
        return open_image(data)
    except Exception:  # a broken or bomb image: the detail text already says what it is
        return None


class EntryDetail(DetailScroll, can_focus=True):
    """The detail of the selected request; a body image is drawn under the text."""

    entry: Entry | None = None

    DEFAULT_CSS = """
    EntryDetail { height: 1fr; border-top: solid $panel-lighten-2; padding: 0 1; }
    EntryDetail ImageView { height: 12; width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static(Text("No request selected.", style="dim"), classes="detail-text")

    def show(self, entry: Entry | None) -> None:
        self.query_one(".detail-text", Static).update(entry_detail(entry) if entry else Text("No request.", style="dim"))
        for view in self.query("ImageView, .bad-image"):
            view.remove()
        self.scroll_home(animate=False)
        self.entry = entry
        if entry is not None and entry.mime.startswith("image/") and entry.has_body:
            self._decode(entry)

    @work(thread=True, exclusive=True, group="har-image", exit_on_error=False)
    def _decode(self, entry: Entry) -> None:
        image = entry_image(entry)  # Pillow off the event loop
        self.app.call_from_thread(self._mount_image, entry, image)

    def _mount_image(self, entry: Entry, image: Image.Image | None) -> None:
        if entry is not self.entry:  # another request was selected meanwhile
            return
        if image is None:
            self.mount(Static(Text("  (not a readable image)", style="dim"), classes="bad-image"))
        else:
            self.mount(ImageView(image))


@register("har")
class HarViewer(Viewer):
    HELP_TITLE = "Network (HAR)"
    HELP_WIDGETS = (RequestTable,)
    DEFAULT_CSS = """
    HarViewer { layout: vertical; }
    HarViewer .note { color: $text-muted; padding: 0 1; height: 1; }
    HarViewer Input { display: none; }
    HarViewer Input.shown { display: block; }
    HarViewer RequestTable { height: 1fr; }
    HarViewer EntryDetail { height: 1fr; }
    """

    BINDINGS = [
        # `/` reaches the filter too, through the run screen's find (start_find).
        Binding("f", "filter", "Filter requests", id="har.filter"),
        Binding("s", "sort", "Sort by the next column", id="har.sort"),
        Binding("S", "reverse", "Reverse the sort", id="har.reverse"),
        Binding("y", "copy_curl", "Copy as curl (secrets redacted)", id="har.copy"),
    ]

    model: Har

    @classmethod
    def prepare(cls, artifact: Artifact, data: bytes | None, context: ViewerContext) -> Har:
        return parse_har(data or b"")

    def __init__(self, artifact: Artifact, model: Har, **kwargs) -> None:
        super().__init__(artifact, model, **kwargs)
        self.query_text = ""
        self.sort_column = "start"
        self.sort_reverse = False

    def compose(self) -> ComposeResult:
        yield Static(classes="note")
        yield Input(placeholder="failed  xhr  status:4xx  method:post  domain:host  larger-than:10k  -text",
                    id="har-filter")
        yield RequestTable(list(self.model.entries), self.model.start, self.model.end)
        yield EntryDetail()

    def on_mount(self) -> None:
        self._update_note()

    @property
    def table(self) -> RequestTable:
        return self.query_one(RequestTable)

    def _update_note(self) -> None:
        shown, total = len(self.table.rows), len(self.model.entries)
        arrow = "↓" if self.sort_reverse else "↑"
        note = f"{shown}/{total} requests · sort {self.sort_column} {arrow}"
        if self.query_text:
            note += f" · filter: {self.query_text}"
        if self.model.entries and not any(e.has_body for e in self.model.entries):
            note += " · bodies omitted"
        text = safe_text(note)
        text.append("   f filter  s S sort  y curl", style="dim")
        self.query_one(".note", Static).update(text)

    def refilter(self) -> None:
        """Filter then sort, keeping the cursor on the same request when it is still shown."""
        try:
            match = compile_filter(self.query_text)
        except ValueError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        rows = sort_entries([e for e in self.model.entries if match(e)], self.sort_column, self.sort_reverse)
        self.table.set_rows(rows, keep=self.table.current)
        self._update_note()

    # --- actions -----------------------------------------------------------------------------
    def start_find(self) -> bool:
        self.action_filter()
        return True

    def action_filter(self) -> None:
        box = self.query_one(Input)
        box.add_class("shown")
        box.value = self.query_text
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_text = event.value.strip()
        self.refilter()
        if not self.query_text:
            event.input.remove_class("shown")
        self.table.focus()

    def on_key(self, event: events.Key) -> None:
        box = self.query_one(Input)
        if event.key == "escape" and box.has_focus:
            event.stop()
            if not self.query_text:
                box.remove_class("shown")
            self.table.focus()

    def action_sort(self) -> None:
        self.sort_column = SORT_COLUMNS[(SORT_COLUMNS.index(self.sort_column) + 1) % len(SORT_COLUMNS)]
        self.refilter()

    def action_reverse(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self.refilter()

    def action_copy_curl(self) -> None:
        entry = self.table.current
        if entry is None:
            self.notify("No request selected.", severity="warning")
            return
        self.app.copy_to_clipboard(to_curl(entry))
        self.notify("Copied the request as curl (credentials redacted).", timeout=3)

    def on_request_table_moved(self, event: RequestTable.Moved) -> None:
        event.stop()
        self.query_one(EntryDetail).show(event.entry)

    def focus(self, scroll_visible: bool = True) -> HarViewer:
        self.table.focus(scroll_visible)
        return self

"""HAR viewer: a virtual request table (filter, sort, waterfall) over a detail pane.

The table is a line-API ScrollView: it renders only the rows on screen, so 20,000 requests
cost what 40 do (Textual's DataTable measures every cell up front). A big HAR opens with its
first requests; a worker reads the others (formats.har.read_rest) and the table grows, as the
log viewer's index does. The trace viewer reuses the table and the detail text for the
requests of a trace.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from functools import partial
from typing import ClassVar

from rich.cells import chop_cells
from rich.segment import Segment
from rich.text import Text
from textual import events, work
from textual.worker import get_current_worker
from textual.app import ComposeResult
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input, Static

from ...core.formats.bodies import BodyPreview
from ...core.copying import CopyChoice
from ...core.formats.har import (
    SORT_COLUMNS, Entry, Har, compile_filter, entry_body, read_rest, request_body, sort_entries, to_curl,
)
from ...core.formats.media import Picture
from ...core.model import Artifact
from ...core.opening.network import entry_image
from ..text import human_size, safe_text
from ..widgets.cursor_view import CursorView, FittedRows, StyleOf
from ..widgets.detail_scroll import DetailScroll
from ..widgets.image_view import ImageView
from .base import Viewer
from .find import FIND_CSS, FindBar, find_count, find_input
from .targets import numbered
from ..failures import ReportsWorkerFailures

WATERFALL = 16  # cells of the waterfall column
READ_PAUSE = 0.001  # seconds the reading worker sleeps after each batch of entries
# A response body longer than this (characters) is drawn by BodyText, a line at a time: a
# Static lays out and draws all of its text on the event loop (256K characters: 0.2 s).
INLINE_BODY = 16_000
STATUS_STYLE = {0: "bold red", 2: "green", 3: "cyan", 4: "bold red", 5: "bold red"}


def _fit(text: str, width: int, right: bool = False) -> str:
    if len(text) > width:
        return text[: max(width - 1, 0)] + "…"
    return text.rjust(width) if right else text.ljust(width)


def _ms(value: float) -> str:
    return f"{value:.0f} ms" if value < 1000 else f"{value / 1000:.2f} s"


class RequestRows(FittedRows):
    """The requests as rows of a CursorView; the columns shown depend on the pane's width."""

    def __init__(self, table: RequestTable) -> None:
        self.table = table

    def row_count(self) -> int:
        return len(self.table.rows)

    def render_row(self, index: int, width: int, style: StyleOf) -> Text:
        return self.table.row_text(self.table.rows[index], width, style)


STATUS_CLASSES = {0: "request-table--failed", 2: "request-table--ok", 3: "request-table--redirect",
                  4: "request-table--failed", 5: "request-table--failed"}


class RequestTable(CursorView):
    """Rows of requests; only the visible ones are drawn. The cursor row is highlighted."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "request-table--ok", "request-table--redirect", "request-table--failed", "request-table--type",
        "request-table--bar", "request-table--bar-failed",
    }
    DEFAULT_CSS = """
    RequestTable { height: 1fr; }
    RequestTable > .request-table--ok { color: $text-success; }
    RequestTable > .request-table--redirect { color: $text-accent; }
    RequestTable > .request-table--failed { color: $text-error; text-style: bold; }
    RequestTable > .request-table--type { color: $text-muted; }
    RequestTable > .request-table--bar { color: $accent; }
    RequestTable > .request-table--bar-failed { color: $error; }
    """
    EMPTY = "No request matches."

    class Moved(Message):
        def __init__(self, table: RequestTable, entry: Entry | None) -> None:
            super().__init__()
            self.table = table
            self.entry = entry

        @property
        def control(self) -> RequestTable:
            return self.table

    def __init__(self, rows: list[Entry], start: float, end: float, **kwargs) -> None:
        self.rows = rows
        self.start_ms = start
        self.end_ms = end
        self.span_ms = max(end - start, 1.0)
        super().__init__(RequestRows(self), cursor=True, **kwargs)

    def widen(self, entries: list[Entry]) -> None:
        """Make the waterfall's time span cover these requests too (read after the first)."""
        if not entries:
            return
        if not self.rows and self.start_ms == self.end_ms == 0:
            self.start_ms, self.end_ms = entries[0].started, entries[0].started
        self.start_ms = min(self.start_ms, min(e.started for e in entries))
        self.end_ms = max(self.end_ms, max(e.started + max(e.duration, 0) for e in entries))
        self.span_ms = max(self.end_ms - self.start_ms, 1.0)

    def add_rows(self, rows: list[Entry]) -> None:
        """Rows after the last (more of the file was read); the cursor stays where it is."""
        self.widen(rows)
        self.rows.extend(rows)
        self.rows_changed()

    @property
    def cursor(self) -> int:
        return self.cursor_row or 0

    # --- the rows ------------------------------------------------------------------------------
    def set_rows(self, rows: list[Entry], keep: Entry | None = None) -> None:
        """New rows (after a filter or sort); the cursor stays on `keep` when it is still shown."""
        self.rows = rows
        self.cursor_row = next((i for i, e in enumerate(rows) if e is keep), 0) if keep is not None else 0
        self.current_match = None
        self.rows_changed()
        self.scroll_to_row(self.cursor)
        self.post_message(self.Moved(self, self.current))

    @property
    def current(self) -> Entry | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def on_cursor_view_highlighted(self, event: CursorView.Highlighted) -> None:
        # Said as a request, for the viewers (the HAR detail, the trace's network list).
        if event.view is self:
            event.stop()
            self.post_message(self.Moved(self, self.current))

    # --- drawing -------------------------------------------------------------------------------
    def _bar(self, entry: Entry) -> str:
        first = int((entry.started - self.start_ms) / self.span_ms * WATERFALL)
        first = min(max(first, 0), WATERFALL - 1)
        length = max(1, round(entry.duration / self.span_ms * WATERFALL))
        length = min(length, WATERFALL - first)
        return " " * first + "█" * length + " " * (WATERFALL - first - length)

    def row_text(self, entry: Entry, width: int, style: StyleOf | None = None) -> Text:
        """One row. A narrow pane drops the waterfall, then the type, the host, the size."""
        style = style or self.style_of
        status = str(entry.status) if entry.status else "—"
        show_bar, show_type, show_host, show_size = width >= 96, width >= 70, width >= 70, width >= 44
        fixed = 7 + 5 + 9 + (9 if show_size else 0) + (10 if show_type else 0) + (WATERFALL + 2 if show_bar else 0)
        url_width = max(width - fixed - 1, 6)
        text = Text(no_wrap=True)
        text.append(_fit(entry.method, 7))
        status_class = STATUS_CLASSES.get(entry.status // 100)
        text.append(_fit(status, 4, right=True) + " ", style=style(status_class) if status_class else "")
        if show_type:
            text.append(" " + _fit(entry.type, 9), style=style("request-table--type"))
        text.append(" " + _fit(entry.host + entry.path if show_host else entry.path, url_width))
        if show_size:
            text.append(" " + _fit(human_size(entry.size) if entry.size else "—", 8, right=True))
        text.append(" " + _fit(_ms(entry.duration), 8, right=True))
        if show_bar:
            text.append("  ")
            text.append(self._bar(entry), style=style("request-table--bar-failed" if entry.failed else "request-table--bar"))
        return text

    def action_jump(self, where: int) -> None:
        self.action_top() if where == 0 else self.action_bottom()

    def move_to(self, index: int) -> None:
        self.move_cursor(index)


# --- the detail of one request -------------------------------------------------------------------
def _section(text: Text, title: str) -> None:
    text.append(f"\n{title}\n", style="bold underline")


def _pairs(text: Text, pairs: Sequence[tuple[str, str]]) -> None:
    if not pairs:
        text.append("  (none)\n", style="dim")
    for name, value in pairs:
        text.append("  ")
        text.append_text(safe_text(name, "bold"))
        text.append(": ")
        text.append_text(safe_text(value))
        text.append("\n")


def _body(text: Text, body: BodyPreview) -> None:
    text.append_text(safe_text(body.text))
    if body.more:
        text.append(f"\n… {body.more:,} more {body.unit}", style="dim")
    if body.note:
        text.append(f"\n({body.note})", style="dim")


def entry_detail(entry: Entry, image_below: bool = True) -> Text:
    """Everything about one request, as safe text (the body image, if any, is drawn apart).
    Decodes and pretty-prints the bodies (bounded, in core): call it from a worker."""
    return entry_detail_parts(entry, image_below, inline=None)[0]


def entry_detail_parts(entry: Entry, image_below: bool = True, inline: int | None = INLINE_BODY) -> tuple[Text, str]:
    """entry_detail, with a response body longer than `inline` characters given apart (for
    BodyText; "" when none is): the text says what it is and how much is left out."""
    apart = ""
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
    sent = request_body(entry)
    if sent is not None:
        _section(text, f"Request body {entry.request_mime}")
        _body(text, sent)
        text.append("\n")
    _section(text, "Response headers")
    _pairs(text, entry.response_headers)
    if entry.response_cookies:
        _section(text, "Response cookies")
        _pairs(text, entry.response_cookies)
    _section(text, "Response body")
    if entry.body_text is None:
        text.append("  (not recorded)\n", style="dim")
    elif entry.type == "image" or entry.mime.startswith("image/"):
        below = " (drawn below)" if image_below else ""
        text.append(f"  image, {human_size(len(entry.body() or b''))}{below}\n", style="dim")
    else:
        received = entry_body(entry)
        if received is not None and inline is not None and len(received.text) > inline:
            apart = received.text
            more = f" · … {received.more:,} more {received.unit}" if received.more else ""
            note = f" · {received.note}" if received.note else ""
            text.append(f"  ({len(apart):,} characters below{more}{note})", style="dim")
        elif received is not None:
            _body(text, received)
    return text, apart


class BodyText(Widget):
    """A long body, folded to the pane's width; only the rows on screen are drawn (line API),
    so a quarter of a megabyte costs what a screenful does."""

    DEFAULT_CSS = "BodyText { height: auto; }"

    def __init__(self, text: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lines = text.expandtabs(4).split("\n")
        self._rows: list[str] = []
        self._folded_at = 0

    def rows(self, width: int) -> list[str]:
        """The lines cut to `width` cells (cut at the width, not at words: it is data)."""
        width = max(width, 1)
        if width != self._folded_at:
            rows: list[str] = []
            for line in self.lines:
                if len(line) <= width and line.isascii():
                    rows.append(line)
                elif line.isascii():
                    rows.extend(line[i:i + width] for i in range(0, len(line), width))
                else:
                    rows.extend(chop_cells(line, width) or [""])
            self._rows, self._folded_at = rows, width
        return self._rows

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.rows(width))

    def render_line(self, y: int) -> Strip:
        # As folded for the layout (get_content_height): the height the pane gave these rows.
        rows = self._rows if self._folded_at else self.rows(self.size.width)
        if 0 <= y < len(rows):
            return Strip([Segment(rows[y], self.rich_style)]).extend_cell_length(self.size.width, self.rich_style)
        return Strip.blank(self.size.width, self.rich_style)




class EntryDetail(ReportsWorkerFailures, DetailScroll, can_focus=True):
    """The detail of the selected request; a body image is drawn under the text."""

    entry: Entry | None = None

    DEFAULT_CSS = """
    EntryDetail { height: 1fr; border-top: solid $panel-lighten-2; padding: 0 1; }
    EntryDetail ImageView { height: 12; width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static(Text("No request selected.", style="dim"), classes="detail-text")

    def show(self, entry: Entry | None) -> None:
        """Show a request: its detail (bodies decoded, bounded) and image are made in a worker,
        so moving through requests with big bodies never stalls the screen."""
        for view in self.query("ImageView, .bad-image, BodyText"):
            view.remove()
        self.scroll_home(animate=False)
        self.entry = entry
        if entry is None:
            self.query_one(".detail-text", Static).update(Text("No request.", style="dim"))
            return
        self.query_one(".detail-text", Static).update(Text("Reading the request…", style="dim"))
        self._prepare(entry)

    @work(thread=True, exclusive=True, group="har-detail", exit_on_error=False, description="a request's detail")
    def _prepare(self, entry: Entry) -> None:
        detail, body = entry_detail_parts(entry)
        wants_image = entry.mime.startswith("image/") and entry.has_body
        image = entry_image(entry) if wants_image else None  # Pillow off the event loop
        self.app.call_from_thread(self._prepared, entry, detail, body, wants_image, image)

    def _prepared(self, entry: Entry, detail: Text, body: str, wants_image: bool, image: Picture | None) -> None:
        if entry is not self.entry:  # another request was selected meanwhile
            return
        self.query_one(".detail-text", Static).update(detail)
        if body:
            self.mount(BodyText(body))
        if not wants_image:
            return
        if image is None:
            self.mount(Static(Text("  (not a readable image)", style="dim"), classes="bad-image"))
        else:
            self.mount(ImageView(image))


class HarViewer(FindBar, Viewer[Har]):
    HELP_TITLE = "Network (HAR)"
    HELP_WIDGETS = (RequestTable,)
    DEFAULT_CSS = """
    HarViewer { layout: vertical; }
    HarViewer .note { color: $text-muted; padding: 0 1; height: 1; }
    HarViewer #har-filter { display: none; }
    HarViewer #har-filter.shown { display: block; }
    HarViewer RequestTable { height: 1fr; }
    HarViewer EntryDetail { height: 1fr; }
    """ + FIND_CSS

    BINDINGS = [
        # `/` reaches the filter too, through the run screen's find (start_find).
        Binding("f", "filter", "Filter requests", id="har.filter"),
        Binding("s", "sort", "Sort by the next column", id="har.sort"),
        Binding("S", "reverse", "Reverse the sort", id="har.reverse"),
        # The copy menu of every screen, with the request as curl first (y then c).
        Binding("y", "screen.copy", "Copy… (curl first)", id="har.copy"),
    ]

    MODEL = Har
    model: Har

    def __init__(self, artifact: Artifact, model: Har, **kwargs) -> None:
        super().__init__(artifact, model, **kwargs)
        self.query_text = ""
        self.sort_column = "start"
        self.sort_reverse = False
        self._reordered = False  # filtered or sorted: rows read later go through refilter
        self._shown = len(model.entries)  # entries of the model the table has had
        self._pending_entry: int | None = None  # go_to's entry, until it is read

    def compose(self) -> ComposeResult:
        yield Static(classes="note")
        yield Input(placeholder="failed  xhr  status:4xx  method:post  domain:host  larger-than:10k  -text",
                    id="har-filter")
        yield RequestTable(self.model.entries[: self._shown], self.model.start, self.model.end)
        yield EntryDetail()
        yield find_count()
        yield find_input("Find")

    def on_mount(self) -> None:
        self._update_note()
        if not self.model.complete:
            # Once the first rows are on screen: the reading worker competes for the GIL.
            self.call_after_refresh(self._read_rest)

    @work(thread=True, exclusive=True, group="har-read", exit_on_error=False)
    def _read_rest(self) -> None:
        """The entries after the first ones, a batch at a time; the table grows as they come."""
        worker = get_current_worker()
        last = [time.monotonic()]

        def progress(done: int, total: int) -> None:
            if time.monotonic() - last[0] > 0.2:
                last[0] = time.monotonic()
                self.app.call_from_thread(self._grown)
            # A batch is some 10 ms of Python: a pause after each lets the interface take the
            # GIL at once (else each of its waits for it can last the 5 ms switch interval).
            time.sleep(READ_PAUSE)

        try:
            read_rest(self.model, progress, lambda: worker.is_cancelled)
        finally:  # the rows read before a failure are shown; the failure is reported (ReportsWorkerFailures)
            if not worker.is_cancelled:
                self.app.call_from_thread(self._grown)

    def _grown(self) -> None:
        """More entries were read: the table gets them (filtered and sorted as it is)."""
        new = self.model.entries[self._shown:]
        self._shown += len(new)
        if self._reordered:
            self.table.widen(new)
            self.refilter()
        else:
            self.table.add_rows(new)
            self._update_note()
        if self._pending_entry is not None:
            self.go_to(f"entry:{self._pending_entry}")

    @property
    def table(self) -> RequestTable:
        return self.query_one(RequestTable)

    def _update_note(self) -> None:
        shown, total = len(self.table.rows), self._shown
        arrow = "↓" if self.sort_reverse else "↑"
        note = f"{shown}/{total} requests · sort {self.sort_column} {arrow}"
        if not self.model.complete:
            note += f" · reading {100 * self.model.read // max(1, self.model.size)}%…"
        if self.query_text:
            note += f" · filter: {self.query_text}"
        if self.model.complete and self.model.entries and not any(e.has_body for e in self.model.entries):
            note += " · bodies omitted"
        text = safe_text(note)
        text.append("   f filter  s S sort  y copy (curl)", style="dim")
        self.query_one(".note", Static).update(text)

    def refilter(self) -> None:
        """Filter then sort, keeping the cursor on the same request when it is still shown."""
        try:
            match = compile_filter(self.query_text)
        except ValueError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        self._reordered = True
        rows = sort_entries([e for e in self.model.entries[: self._shown] if match(e)], self.sort_column,
                            self.sort_reverse)
        self.table.set_rows(rows, keep=self.table.current)
        self._update_note()

    # --- actions -----------------------------------------------------------------------------
    def find_focus(self) -> RequestTable:
        return self.table

    def action_filter(self) -> None:
        box = self.query_one("#har-filter", Input)
        box.add_class("shown")
        box.value = self.query_text
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "har-filter":
            super().on_input_submitted(event)  # the find bar
            return
        event.stop()
        self.query_text = event.value.strip()
        self.refilter()
        if not self.query_text:
            event.input.remove_class("shown")
        self.table.focus()

    def on_key(self, event: events.Key) -> None:
        box = self.query_one("#har-filter", Input)
        if event.key == "escape" and box.has_focus:
            event.stop()
            if not self.query_text:
                box.remove_class("shown")
            self.table.focus()
            return
        super().on_key(event)

    def action_sort(self) -> None:
        self.sort_column = SORT_COLUMNS[(SORT_COLUMNS.index(self.sort_column) + 1) % len(SORT_COLUMNS)]
        self.refilter()

    def action_reverse(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self.refilter()

    def copy_choices(self) -> list[CopyChoice]:
        entry = self.table.current
        if entry is None:
            return []
        # Built in the copy worker: a request's body can be megabytes.
        return [CopyChoice("c", "The request as curl, credentials redacted", load=partial(to_curl, entry))]

    def on_request_table_moved(self, event: RequestTable.Moved) -> None:
        event.stop()
        self.query_one(EntryDetail).show(event.entry)

    def go_to(self, target: str) -> bool:
        """`entry:N` (from 0, in the file's `log.entries`): that request selected, its detail shown. A
        filter that hides it is cleared (and says so); the sort stays. An entry not read yet is
        gone to once it is."""
        number = numbered(target, "entry")
        if number is None:
            return False
        # N is the position in the file's entries, which a non-object entry (skipped) shifts.
        read = self.model.entries[: self._shown]
        entry = next((e for e in read if e.index == number), None)
        if entry is None:
            if self.model.complete and self._shown == len(self.model.entries):
                self._pending_entry = None
                return False
            self._pending_entry = number  # _grown comes back here
            return True
        self._pending_entry = None
        table = self.table
        if not any(shown is entry for shown in table.rows):
            self.query_text = ""
            self.query_one("#har-filter", Input).remove_class("shown")
            self.notify(f"Request {number + 1} was hidden by the filter: the filter is cleared.", timeout=4, markup=False)
            rows = sort_entries(list(read), self.sort_column, self.sort_reverse)
            table.set_rows(rows, keep=entry)  # its Moved message shows the detail
            self._update_note()
        else:
            row = next(i for i, shown in enumerate(table.rows) if shown is entry)
            table.move_cursor(row)
        table.scroll_to(y=max(0, table.cursor - 3), animate=False)
        table.focus()
        return True

    def focus(self, scroll_visible: bool = True) -> HarViewer:
        self.table.focus(scroll_visible)
        return self

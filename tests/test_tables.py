"""The column tables on the cursor view: the raw log and console record tables, the id and href
maps and the parsed actions, driven by keys: the list keys (j/k, space/b, g/G), find with every
match counted ("N of M") and n/N, the detail following the cursor, colours from component
classes, and the column helpers themselves."""

from __future__ import annotations

import json

from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import Input, Static

from apptools import SIZE, settle
from conftest import DEMO
from tui.core.formats.logs import browser_console_log, skyvern_log_raw
from tui.core.model import Artifact
from tui.core.opening import open_data
from tui.ui.viewers.base import Viewer
from tui.ui.viewers.logs import ConsoleLogViewer, RecordTable, SkyvernLogRawViewer
from tui.ui.viewers.tables import IdMapTable, IdMapViewer
from tui.ui.widgets.cursor_view import Column, ColumnRows, TableHeader, column_widths, fit_cell
from tui.ui.widgets.line_view import LineView

LEVELS = ("info", "debug", "warning", "error")


class OneViewer(App):
    def __init__(self, viewer: Viewer) -> None:
        super().__init__()
        self.viewer = viewer

    def compose(self) -> ComposeResult:
        yield self.viewer

    def on_mount(self) -> None:
        self.viewer.focus()


def raw_events(count: int) -> bytes:
    return json.dumps([
        {"timestamp": f"2026-11-28T16:02:{i % 60:02d}.000000Z", "level": LEVELS[i % 4],
         "event": f"event number {i}" + (" retry" if i % 10 == 3 else ""), "filename": "agent.py", "lineno": i,
         "step": i}
        for i in range(count)
    ]).encode()


def detail_of(viewer: Viewer) -> str:
    return viewer.query_one(".detail", Static).render().plain  # type: ignore[union-attr]


async def find(pilot, viewer: Viewer, query: str) -> None:
    await pilot.press("slash")
    viewer.query_one("Input.find", Input).value = query
    await pilot.press("enter")
    await settle(pilot)


def status(viewer: Viewer) -> str:
    return str(viewer.query_one("Static.find-count", Static).render())


# --- the column helpers ---------------------------------------------------------------------------
def test_column_widths_share_the_rest_and_keep_a_least_width():
    columns = [Column("a", 5), Column("b"), Column("c", 3), Column("d", least=8)]
    widths = column_widths(columns, 40)
    assert widths[0] == 5 and widths[2] == 3
    assert sum(widths) + len(columns) - 1 == 40  # the shared ones fill the pane exactly
    assert abs(widths[1] - widths[3]) <= 1
    assert column_widths(columns, 10) == [5, 6, 3, 8]  # too narrow: each at least its least


def test_a_cell_is_cut_padded_aligned_and_on_one_line():
    assert fit_cell(Text("abcdef"), 4).plain == "abc…"
    assert fit_cell(Text("ab"), 4).plain == "ab  "
    assert fit_cell(Text("ab"), 4, right=True).plain == "  ab"
    assert fit_cell(Text("one\ntwo"), 10).plain == "one two   "
    wide = fit_cell(Text("日本語の文"), 6)
    assert wide.cell_len == 6 and wide.plain.endswith("…")


def test_rows_are_cut_to_the_pane_unless_the_last_column_is_drawn_whole():
    items = [("key", "a value that is long")]

    def cells(item, style):
        return [Text(item[0], style=style("x")), Text(item[1])]

    fitted = ColumnRows([Column("k", 5), Column("v")], items, cells)
    assert fitted.row_plain(0, 14) == "key   a value…"
    assert fitted.header(14).plain.split() == ["k", "v"]
    assert fitted.width_dependent() and fitted.content_width() == 0
    whole = ColumnRows([Column("k", 5), Column("v")], items, cells, widest_last=len(items[0][1]))
    assert whole.row_plain(0, 14) == "key   a value that is long"
    assert whole.content_width() == 6 + len(items[0][1]) and not whole.width_dependent()
    red = Style(color="red")
    assert fitted.render_row(0, 14, lambda name: red if name == "x" else Style()).spans[0].style == red


# --- the raw log table ----------------------------------------------------------------------------
async def test_raw_log_table_moves_with_the_list_keys_and_the_detail_follows():
    model = skyvern_log_raw(raw_events(120))
    viewer = SkyvernLogRawViewer(Artifact("a_raw", "skyvern_log_raw"), model)
    async with OneViewer(viewer).run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = viewer.query_one(RecordTable)
        assert table.has_focus and table.row_count == 120
        assert "event number 0" in detail_of(viewer)  # the first screen shows the first record
        header = str(viewer.query_one(TableHeader).render()).split()
        assert header == ["Time", "Level", "Event", "File"]
        await pilot.press("j", "j")
        await pilot.pause()
        assert table.cursor_row == 2 and '"event number 2"' in detail_of(viewer)
        await pilot.press("k")
        await pilot.pause()
        assert table.cursor_row == 1 and '"event number 1"' in detail_of(viewer)
        await pilot.press("G")
        await pilot.pause()
        assert table.cursor_row == 119 and '"event number 119"' in detail_of(viewer)
        await pilot.press("g")
        await pilot.pause()
        assert table.cursor_row == 0
        await pilot.press("space")
        await pilot.pause()
        page = table.cursor_row
        assert page and page > 1
        await pilot.press("b")
        await pilot.pause()
        assert table.cursor_row == 0
        viewer.show_end()
        await pilot.pause()
        assert table.cursor_row == 119


async def test_raw_log_table_find_marks_every_match_and_n_goes_on():
    model = skyvern_log_raw(raw_events(120))
    viewer = SkyvernLogRawViewer(Artifact("a_raw", "skyvern_log_raw"), model)
    async with OneViewer(viewer).run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = viewer.query_one(RecordTable)
        await find(pilot, viewer, "retry")
        retries = [i for i, e in enumerate(model) if "retry" in e.event]
        assert [row for row, _ in table.matches] == retries
        assert table.cursor_row == retries[0] and table.has_focus
        assert status(viewer) == f"1 of {len(retries)}"
        assert f'"event number {retries[0]} retry"' in detail_of(viewer)  # the detail follows the match
        await pilot.press("n")
        await settle(pilot)
        assert table.cursor_row == retries[1] and status(viewer) == f"2 of {len(retries)}"
        await pilot.press("N", "N")
        await settle(pilot)
        assert table.cursor_row == retries[-1]  # wrapped round to the last
        # every match is marked, not only the current one: another row's "retry" has the match colour
        match = table.style_of("cursor-view--match")
        styles = [segment.style for segment in table._body(retries[1]) if segment.text == "retry"]
        assert styles and all(style is not None and style.bgcolor == match.bgcolor for style in styles)


async def test_raw_log_level_filter_keeps_the_detail_on_a_shown_record_and_colours_from_classes():
    model = skyvern_log_raw(raw_events(40))
    viewer = SkyvernLogRawViewer(Artifact("a_raw", "skyvern_log_raw"), model)
    async with OneViewer(viewer).run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = viewer.query_one(RecordTable)
        await pilot.press("G")
        await pilot.press("v", "v")  # errors only
        await settle(pilot)
        assert table.row_count == 10 and table.cursor_row == 0
        assert '"level": "error"' in detail_of(viewer)
        assert "10 of 40 shown" in str(viewer.query_one(".note", Static).render())
        row = table.source.render_row(0, 80, table.style_of)
        level = next(span for span in row.spans if row.plain[span.start:span.end] == "error")
        assert level.style == table.style_of("record-table--error")
        assert table.style_of("record-table--error") != table.style_of("record-table--info")


async def test_console_table_find_and_detail():
    data = next((DEMO / "files").glob("*browser_console_log*")).read_bytes()
    model = browser_console_log(data)
    viewer = ConsoleLogViewer(Artifact("a_c", "browser_console_log"), model)
    async with OneViewer(viewer).run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = viewer.query_one(RecordTable)
        errors = [i for i, m in enumerate(model) if m.type == "error"]
        await find(pilot, viewer, "error")
        assert table.cursor_row == errors[0]
        assert "404" in detail_of(viewer)
        assert status(viewer).startswith("1 of ")
        await pilot.press("n")
        await settle(pilot)
        assert table.cursor_row in errors[1:] and status(viewer).startswith("2 of ")


# --- id and href maps -----------------------------------------------------------------------------
async def test_href_map_scrolls_sideways_to_long_values_with_its_header():
    url = "https://example.com/" + "x" * 300
    rows = {"_" + "ab" * 32: url, "_" + "cd" * 32: "https://example.com/short"}
    artifact = Artifact("a_h", "hashed_href_map")
    viewer = IdMapViewer(artifact, open_data(artifact, json.dumps(rows).encode()).model)
    async with OneViewer(viewer).run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = viewer.query_one(IdMapTable)
        assert table.source.row_plain(0, 80).split() == ["_abababababa…ababab", url]  # whole, short key
        assert table.virtual_size.width > table.size.width
        header = viewer.query_one(TableHeader)
        assert str(header.render()).startswith("hash")
        await pilot.press("l", "l")
        await pilot.pause()
        assert table.scroll_x == 8
        assert str(header.render()).startswith(" " * 4) and "value" in str(header.render())
        await find(pilot, viewer, "short")
        assert table.cursor_row == 1 and status(viewer) == "1 of 1"
        await pilot.press("k")
        await pilot.pause()
        assert table.cursor_row == 0


# --- the parsed actions -----------------------------------------------------------------------------
async def test_actions_table_finds_with_n_and_the_detail_follows():
    from apptools import demo_app
    from test_viewers_ai import PARSED, open_ai
    from tui.ui.viewers.llm import ActionTable, LlmActionsViewer

    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await open_ai(pilot, PARSED)
        assert isinstance(viewer, LlmActionsViewer)
        table = viewer.query_one(ActionTable)
        await pilot.press("G")
        await pilot.pause()
        assert table.cursor_row == 2 and "action 3 of 3" in detail_of(viewer)
        await pilot.press("g")
        await find(pilot, viewer, "INPUT_TEXT")
        assert table.cursor_row == 0 and status(viewer) == "1 of 2"
        await pilot.press("n")
        await settle(pilot)
        assert table.cursor_row == 1 and status(viewer) == "2 of 2"
        assert "action 2 of 3" in detail_of(viewer) and "e: go to AAAG" in detail_of(viewer)
        await pilot.press("r")  # the raw JSON: find searches it instead
        await pilot.pause()
        await find(pilot, viewer, "AAAH")
        raw = viewer.query_one(LineView)
        assert raw.has_focus and raw.match_line is not None and "AAAH" in raw.lines[raw.match_line]


# --- the run picker -----------------------------------------------------------------------------------
async def test_picker_runs_table_moves_from_the_filter_line_and_a_click_opens_the_run():
    from apptools import demo_app
    from tui.ui.screens.picker import PickerScreen, RunTable
    from tui.ui.screens.run import RunScreen

    app = demo_app(open_run=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PickerScreen)
        table = screen.query_one(RunTable)
        assert table.row_count == 1 and screen.query_one("#filter", Input).has_focus
        header = str(screen.query_one(TableHeader).render()).split()
        assert header[:3] == ["Run", "Title", "Status"]
        row = table.source.render_row(0, 120, table.style_of)
        run = screen.shown[0][0]
        assert row.plain.startswith(run.run_id)
        status = next(span for span in row.spans if row.plain[span.start:span.end] == run.status)
        assert status.style == table.style_of("run-table--completed")
        # the muted source label is the theme's muted colour, blended, not the opaque foreground
        assert table.style_of("run-table--muted").color != table.rich_style.color
        await pilot.press("down", "up")  # one run: the cursor stays on it
        assert table.cursor_row == 0
        await pilot.click(RunTable, offset=(2, 0))
        await settle(pilot)
        assert isinstance(app.screen, RunScreen)

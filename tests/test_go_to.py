"""Viewers opened at a place: `Viewer.Navigate(artifact, target)` through the run screen, as the
overview and the step story open what they point at (line:N, entry:N, message:N, action:N)."""

from __future__ import annotations

import json
from pathlib import Path

from apptools import SIZE, demo_app, local_app, make_run, settle, until
from tui.ui.screens.run import RunScreen
from tui.ui.viewers.base import Viewer
from tui.ui.viewers.html import HtmlViewer
from tui.ui.viewers.llm import ActionTable, LlmActionsViewer, LlmPromptViewer
from tui.ui.viewers.logs import ConsoleLogViewer, RecordTable, SkyvernLogRawViewer, SkyvernLogViewer
from tui.ui.viewers.network import EntryDetail, HarViewer
from tui.ui.viewers.tables import IdMapViewer
from tui.ui.viewers.targets import numbered
from tui.ui.viewers.trace import TraceViewer
from tui.ui.widgets.cursor_view import CursorView
from tui.ui.widgets.line_view import LineView
from tui.ui.widgets.log_view import LogView

RUN_LOG = "a_602148146068894432"  # 126 lines, warnings at 51, 52, 54
STEP2_LOG = "a_602148236263207764"  # the failed step: two warnings (lines 3, 4)
RAW_LOG = "a_602148146068894430"
PROMPT = "a_602148167543730958"  # 92 lines
HTML = "a_602148167543730942"
PARSED = "a_602148274917913488"  # SELECT_OPTION AAAF, CLICK AAAG
CSS_MAP = "a_602148167543730944"
CONSOLE = "a_602148365112226886"  # 10 messages: log, warning, error, ...
HAR = "a_602148365112226888"  # 10 requests, the 7th a 404
TRACE = "a_602148407155076316"


def test_targets_are_kind_and_number():
    assert numbered("line:12", "line") == 12
    assert numbered(" entry: 3 ", "entry") == 3
    assert numbered("line:12", "entry") is None
    assert numbered("line:-1", "line") is None
    assert numbered("line:²", "line") is None  # a digit to str.isdigit, not to int()
    assert numbered("AAAH", "line") is None
    assert numbered("line:", "line") is None


async def navigate(pilot, artifact_id: str, target: str | None) -> Viewer:
    screen = pilot.app.screen
    assert isinstance(screen, RunScreen)
    artifact = next(a for a in screen.detail.artifacts if a.artifact_id == artifact_id)
    screen.viewer_pane.post_message(Viewer.Navigate(artifact, target=target))
    await settle(pilot)
    viewer = screen.viewer_pane.viewer
    assert viewer is not None and viewer.artifact is artifact
    return viewer


def on_screen(view: CursorView, row: int) -> bool:
    top = int(view.scroll_y)
    return top <= view.screen_row_of(row) < top + view.scrollable_content_region.height


async def test_a_log_opens_at_its_line_and_a_filter_that_hides_it_is_cleared():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await navigate(pilot, RUN_LOG, "line:100")
        assert isinstance(viewer, SkyvernLogViewer)
        view = viewer.query_one(LogView)
        assert view.current_line == 100 and on_screen(view, view.cursor) and view.has_focus
        assert int(view.scroll_y) > 0  # it had to scroll to get there
        # Only warnings and worse shown: line 51 (a warning) is shown, line 10 (info) is not.
        await pilot.press("v")
        await settle(pilot)
        assert 10 not in view.rows
        assert viewer.go_to("line:51")
        await settle(pilot)
        assert view.current_line == 51 and viewer.level_filter == 1  # shown: the filter stays
        assert viewer.go_to("line:10")
        await settle(pilot)
        assert viewer.level_filter == 0 and viewer.text_filter == ""
        assert len(view.rows) == 126 and view.current_line == 10 and on_screen(view, view.cursor)
        assert "showing all levels" in viewer._summary().plain
        # Past the end, or not a line: no, and the cursor stays.
        assert viewer.go_to("line:126") is False and viewer.go_to("entry:3") is False
        assert view.current_line == 10


async def test_a_target_the_viewer_does_not_hold_is_said_and_the_viewer_still_opens():
    app = demo_app()
    notes: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.notify = lambda message, **kwargs: notes.append(str(message))  # type: ignore[method-assign]
        viewer = await navigate(pilot, STEP2_LOG, "line:99")
        assert isinstance(viewer, SkyvernLogViewer)
        assert viewer.query_one(LogView).current_line == 0
        assert any("line:99 is not in this skyvern_log" in note for note in notes)


async def test_text_and_prompt_viewers_select_the_line():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await navigate(pilot, PROMPT, "line:80")
        assert isinstance(viewer, LlmPromptViewer)
        view = viewer.line_view
        # A prompt has no line cursor of its own: one appears on the line it was sent to.
        assert view.cursor_line == 80 and on_screen(view, 80) and int(view.scroll_y) > 0
        await pilot.press("j")
        assert view.cursor_line == 81
        assert viewer.go_to("line:92") is False and view.cursor_line == 81


async def test_html_goes_to_a_line_of_the_file_as_it_came():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await navigate(pilot, HTML, "line:20")
        assert isinstance(viewer, HtmlViewer)
        await settle(pilot)
        assert viewer.showing_original
        views = viewer.query(LineView)
        assert len(views) == 1
        view = views.first()
        assert view.lines is viewer.html.original.lines
        assert view.cursor_line == 20 and on_screen(view, 20)


async def test_raw_log_event_and_console_message():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await navigate(pilot, RAW_LOG, "line:90")
        assert isinstance(viewer, SkyvernLogRawViewer)
        table = viewer.query_one(RecordTable)
        assert table.cursor_row == 90 and on_screen(table, 90)
        assert viewer.model[90].event in viewer.query_one(".detail").content.plain

        viewer = await navigate(pilot, CONSOLE, "message:2")
        assert isinstance(viewer, ConsoleLogViewer)
        table = viewer.query_one(RecordTable)
        assert table.cursor_row == 2
        assert viewer.model[2].text.split("\n")[0] in viewer.query_one(".detail").content.plain
        # Filtered to warnings: message 5 (an error) is hidden, so the filter is cleared.
        while viewer.filters()[viewer.filter_index][0] != "type warning":
            await pilot.press("v")
        assert table.row_count == 1
        assert viewer.go_to("message:5")
        assert viewer.filter_index == 0 and table.row_count == 10 and table.cursor_row == 5
        assert viewer.model[5].text.split("\n")[0] in viewer.query_one(".detail").content.plain
        assert viewer.go_to("message:10") is False and viewer.go_to("line:1") is False


async def test_har_entry_is_selected_and_its_detail_follows():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await navigate(pilot, HAR, "entry:6")
        assert isinstance(viewer, HarViewer)
        assert viewer.table.current is viewer.model.entries[6]
        await settle(pilot)  # the detail is made in a worker
        detail = viewer.query_one(EntryDetail)
        assert detail.entry is viewer.model.entries[6]
        assert "/api/recommendations" in detail.query_one(".detail-text").content.plain
        # A filter that hides it is cleared; the sort is kept.
        await pilot.press("S")  # reversed: entry 0 is last
        viewer.query_text = "status:4xx"
        viewer.refilter()
        assert len(viewer.table.rows) == 1
        assert viewer.go_to("entry:0")
        await settle(pilot)
        assert viewer.query_text == "" and len(viewer.table.rows) == 10
        assert viewer.table.current is viewer.model.entries[0] and viewer.table.cursor == 9
        assert detail.entry is viewer.model.entries[0]
        assert viewer.go_to("entry:10") is False


async def test_parsed_actions_select_the_action():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await navigate(pilot, PARSED, "action:1")
        assert isinstance(viewer, LlmActionsViewer)
        assert viewer.query_one(ActionTable).cursor_row == 1
        assert viewer.selected is not None and viewer.selected.element_id == "AAAG"
        assert "action 2 of 2" in viewer.query_one(".detail").content.plain
        await pilot.press("r")  # the raw JSON: go_to comes back to the table
        assert viewer.go_to("action:0")
        assert not viewer.has_class("-raw") and viewer.selected.action_type == "SELECT_OPTION"
        assert viewer.go_to("action:2") is False


async def test_trace_goes_to_an_action_a_message_and_a_request():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await navigate(pilot, TRACE, "action:5")
        assert isinstance(viewer, TraceViewer)
        assert viewer.current_list == "actions" and viewer.query_one("#actions", CursorView).cursor_row == 5
        assert viewer.model.actions[5].title in viewer.query_one("#trace-detail-text").content.plain
        assert viewer.go_to("message:3")
        await settle(pilot)
        assert viewer.current_list == "console" and viewer.query_one("#console", CursorView).cursor_row == 3
        assert viewer.go_to("entry:2")
        await settle(pilot)
        assert viewer.current_list == "network"
        assert viewer.query_one("#network").current is viewer.model.network[2]
        assert viewer.go_to("entry:10") is False


async def test_id_map_goes_to_an_element_id():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await navigate(pilot, CSS_MAP, "AAAD")
        assert isinstance(viewer, IdMapViewer)
        assert viewer.table.cursor_row == 2 and viewer.model[2][0] == "AAAD"
        assert viewer.go_to("ZZZZ") is False and viewer.table.cursor_row == 2


async def test_har_entry_counts_the_files_entries_even_those_it_cannot_show(tmp_path: Path):
    """The run model names a request by its place in `log.entries`; a non-object entry there
    is skipped by the viewer, so the place is not the row number."""
    entries = [7, {"request": {"method": "GET", "url": "http://x/a"}, "response": {"status": 200}},
               {"request": {"method": "POST", "url": "http://x/b"}, "response": {"status": 500}}]
    har = json.dumps({"log": {"entries": entries}}).encode()
    app = local_app(make_run(tmp_path / "r", [("har", "x.har", har)]), "tsk_test")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await navigate(pilot, "a_1", "entry:2")
        assert isinstance(viewer, HarViewer)
        assert viewer.table.current is not None and viewer.table.current.url == "http://x/b"
        assert viewer.go_to("entry:0") is False  # the number 7: nothing to show


async def test_a_big_log_goes_to_a_line_past_its_head_once_indexed(tmp_path: Path, monkeypatch):
    """A big log opens with its first lines; a line further down is gone to once the rest is
    indexed, even through a filter that hides it."""
    import threading

    import tui.core.opening.openers as openers
    import tui.ui.viewers.logs as logs
    from tui.core.formats import logs as log_format

    line = b'2026-11-28T16:00:00.000000Z [info     ] Handling action      n=1\n'
    content = line * 20_000 + b'2026-11-28T16:00:09.000000Z [info     ] Far down           n=2\n' + line * 10
    monkeypatch.setattr(openers, "BIG_LOG", 64 << 10)
    monkeypatch.setattr(log_format, "HEAD", 16 << 10)
    indexed = threading.Event()
    real_rest = logs.read_rest_of_log

    def held_rest(*args, **kwargs):
        assert indexed.wait(30)  # the test lets the indexing go on once go_to has been asked
        real_rest(*args, **kwargs)

    monkeypatch.setattr(logs, "read_rest_of_log", held_rest)
    app = local_app(make_run(tmp_path / "r", [("skyvern_log", "x.log", content)]), "tsk_test")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.viewer_pane.post_message(Viewer.Navigate(screen.detail.artifacts[0], target="line:20000"))
        # No pause is long enough on a loaded machine: wait for each state in turn.
        await until(pilot, lambda: isinstance(screen.viewer_pane.viewer, SkyvernLogViewer), tries=3000)
        viewer = screen.viewer_pane.viewer
        assert isinstance(viewer, SkyvernLogViewer) and not viewer.model.complete
        await until(pilot, lambda: viewer._pending_line == 20000, tries=3000)  # not known yet: waiting for it
        viewer.level_filter = 2  # warnings and worse: the line will be hidden when it comes
        indexed.set()
        await settle(pilot)
        view = viewer.query_one(LogView)
        assert viewer.model.complete and viewer.level_filter == 0
        assert view.current_line == 20000 and "Far down" in viewer.model.lines[20000]
        # The scroll to it follows the relayout of the now unfiltered lines (later on a loaded machine).
        await until(pilot, lambda: on_screen(view, view.cursor), tries=3000)

"""Log parsers on the demo's real logs and on made-up edge cases; the log viewers driven by keys."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from apptools import SIZE, demo_app, first_category, local_app, make_run, settle
from conftest import DEMO
from tui.core.errors import ParseError
from tui.core.formats.logs import LEVELS, browser_console_log, parse_log_line, skyvern_log, skyvern_log_raw
from tui.core.sources.local import LocalSource
from tui.ui.screens.help import HelpScreen
from tui.ui.viewers.base import Viewer
from tui.ui.viewers.logs import ConsoleLogViewer, RecordTable, SkyvernLogRawViewer, SkyvernLogViewer
from tui.ui.widgets.log_view import LogView

FILES = DEMO / "files"


def test_skyvern_log_lines_of_the_demo():
    for path in FILES.glob("*_skyvern_log.log"):
        log = skyvern_log(path.read_bytes())
        parsed = [log.parsed(i) for i in range(len(log.lines))]
        assert parsed and all(line.level in LEVELS for line in parsed if line.timestamp)
        assert sum(log.counts.values()) == sum(1 for line in parsed if line.timestamp)
        assert [s - 1 for s in log.severities] == [line.severity if line.level else -1 for line in parsed]
    line = parse_log_line('2026-11-28T16:02:20.955363Z [warning  ] Step failed   step_id="stp_1" n=3 tags=["a b"] x=null')
    assert (line.timestamp, line.level) == ("2026-11-28T16:02:20.955363Z", "warning")
    assert line.text[slice(*line.event_span)].strip() == "Step failed"
    pairs = [(line.text[a:b], line.text[c:d]) for a, b, c, d in line.pairs]
    assert pairs == [("step_id", '"stp_1"'), ("n", "3"), ("tags", '["a b"]'), ("x", "null")]
    plain = parse_log_line("a line that is not an event")
    assert plain.level == "" and plain.pairs == () and plain.severity == 1


def test_skyvern_log_raw_of_the_demo_and_broken_input():
    for path in FILES.glob("*_skyvern_log_raw.json"):
        events = skyvern_log_raw(path.read_bytes())
        assert len(events) == len(json.loads(path.read_bytes()))
        assert all(e.event and e.timestamp for e in events)
    [event] = skyvern_log_raw(b'[{"msg": "old style", "level": "ERROR", "file": "[a.py   :12 ]"}]')
    assert (event.event, event.level, event.file, event.severity) == ("old style", "error", "a.py:12", 3)
    with pytest.raises(ParseError):
        skyvern_log_raw(b'{"not": "a list"}')
    with pytest.raises(ParseError):
        skyvern_log_raw(b"[{broken")


def test_browser_console_log_of_the_demo():
    [path] = FILES.glob("*_browser_console_log.log")
    messages = browser_console_log(path.read_bytes())
    assert [m.type for m in messages].count("error") == 3
    first = messages[0]
    assert first.text == "acme: page loaded index.html" and first.location == "http://127.0.0.1:8765/app.js:3:10"
    multi = browser_console_log(b"2026-01-01T00:00:00Z[error]Uncaught Error: x\n    at f (a.js:1)\n")
    assert len(multi) == 1 and multi[0].text == "Uncaught Error: x\n    at f (a.js:1)"


LOG = (
    b'2026-11-28T16:00:00.000000Z [info     ] Starting agent step  step_id="stp_1"\n'
    b'2026-11-28T16:00:01.000000Z [warning  ] Slow page           url="http://x"\n'
    b'2026-11-28T16:00:02.000000Z [error    ] Action failed        reason="disabled element"\n'
    b'2026-11-28T16:00:03.000000Z [info     ] Retrying step        step_id="stp_2"\n'
    b'2026-11-28T16:00:04.000000Z [error    ] Step failed          step_id="stp_2"\n'
)


def one_log_run(folder: Path, artifact_type: str, name: str, content: bytes) -> LocalSource:
    return make_run(folder, [(artifact_type, name, content)], run_id="tsk_log", status="failed")


async def test_skyvern_log_filters_by_level_and_text_and_jumps_between_problems(tmp_path: Path):
    app = local_app(one_log_run(tmp_path / "r", "skyvern_log", "x.log", LOG), "tsk_log")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await first_category(pilot)
        await pilot.press("enter")
        await settle(pilot)
        viewer = app.screen.viewer_pane.viewer
        assert isinstance(viewer, SkyvernLogViewer)
        view = viewer.query_one(LogView)
        assert list(view.rows) == [0, 1, 2, 3, 4] and view.has_focus
        # ] and [ go through the problems: the warning (1) as well as the errors (2, 4).
        await pilot.press("right_square_bracket")
        assert view.current_line == 1
        await pilot.press("right_square_bracket")
        assert view.current_line == 2
        await pilot.press("right_square_bracket")
        assert view.current_line == 4
        await pilot.press("left_square_bracket")
        assert view.current_line == 2
        await pilot.press("v")  # warning and worse
        await settle(pilot)  # filters run in a worker
        assert list(view.rows) == [1, 2, 4] and view.current_line == 2
        await pilot.press("v")  # errors
        await settle(pilot)
        assert list(view.rows) == [2, 4]
        await pilot.press("v", "f", *"step", "enter")  # all levels, containing "step"
        await settle(pilot)
        assert list(view.rows) == [0, 3, 4]
        await pilot.press("slash", *"stp_2", "enter")
        assert view.current_line == 3
        await pilot.press("n")
        assert view.current_line == 4
        await pilot.press("f", *["backspace"] * 4, "enter")  # an empty text filter shows everything again
        await settle(pilot)
        assert list(view.rows) == [0, 1, 2, 3, 4]
        view.scroll_to(x=0, animate=False)  # find scrolled sideways to the match, off screen
        await pilot.pause()
        rendered = "".join(s.text for s in view.render_line(0))
        assert "[info     ] Starting agent" in rendered and "\x1b" not in rendered


async def test_console_log_table_filters_by_type_and_shows_detail():
    source = LocalSource(DEMO)
    run_id = source.list_runs()[0].run_id
    app = local_app(source, run_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("4")
        await settle(pilot)
        while screen.artifact_list.artifact.artifact_type != "browser_console_log":
            await pilot.press("j")
        await pilot.press("enter")
        await settle(pilot)
        viewer = screen.viewer_pane.viewer
        assert isinstance(viewer, ConsoleLogViewer)
        table = viewer.query_one(RecordTable)
        total = table.row_count
        assert total == len(viewer.model) == 10
        while viewer.filters()[viewer.filter_index][0] != "type error":
            await pilot.press("v")
        assert table.row_count == 3
        detail = str(viewer.query_one(".detail").content)
        assert "404" in detail and "error" in detail


async def test_raw_log_table_and_detail():
    source = LocalSource(DEMO)
    app = local_app(source, source.list_runs()[0].run_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("4", "enter")  # the first log of the run is a raw log
        await settle(pilot)
        viewer = screen.viewer_pane.viewer
        assert isinstance(viewer, SkyvernLogRawViewer)
        table = viewer.query_one(RecordTable)
        assert table.row_count == len(viewer.model) > 5
        await pilot.press("j", "j")
        detail = viewer.query_one(".detail").content
        assert viewer.model[2].event in detail.plain


async def test_a_million_line_log_opens_parsing_only_what_is_on_screen(tmp_path: Path):
    line = b'2026-11-28T16:00:00.000000Z [info     ] Handling action      step_id="stp_1" n=1\n'
    content = line * 999_999 + b'2026-11-28T16:00:09.000000Z [error    ] The very last line  step_id="stp_9"\n'
    app = local_app(one_log_run(tmp_path / "big", "skyvern_log", "x.log", content), "tsk_log")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await first_category(pilot)
        await pilot.press("enter")
        await settle(pilot)
        viewer = app.screen.viewer_pane.viewer
        view = viewer.query_one(LogView)
        assert viewer.opened_early  # its first lines were shown before the rest was indexed
        assert viewer.model.complete and len(view.rows) == 1_000_000
        assert 0 < len(view._parsed) <= view.size.height  # only the lines on screen were parsed
        await pilot.press("right_square_bracket")  # the one error is a million lines down
        assert view.current_line == 999_999
        assert len(view._parsed) <= 2 * view.size.height


class GrowingLog:
    """A live run whose one log gains a line at every read (as a running Skyvern writes it)."""

    label = "live"

    def __init__(self, folder: Path) -> None:
        self.inner = one_log_run(folder, "skyvern_log", "x.log", LOG)
        self.detail = self.inner.load_run("tsk_log")
        self.reads = 0

    def list_runs_page(self, page=1, page_size=25, statuses=(), search=None):
        return [self.detail.run]

    def list_runs(self):
        return [self.detail.run]

    def load_run(self, run_id):
        from dataclasses import replace

        from tui.core.model import RunDetail

        return RunDetail(replace(self.detail.run, status="running"), self.detail.steps, self.detail.artifacts)

    def read_bytes(self, artifact):
        self.reads += 1
        extra = b"".join(b"2026-11-28T16:01:00.000000Z [info     ] More  n=%d\n" % i for i in range(self.reads))
        return LOG + extra


async def test_a_followed_log_of_a_live_run_shows_its_new_lines(tmp_path: Path):
    from tui.ui.app import SkyvernTUI

    source = GrowingLog(tmp_path / "r")
    app = SkyvernTUI([source], (source, "tsk_log"), poll_seconds=3600)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await first_category(pilot)
        screen = app.screen
        await pilot.press("enter", "F")
        await settle(pilot)
        before = len(screen.viewer_pane.viewer.model.lines)
        screen._poll()  # what the timer does
        await settle(pilot)
        viewer = screen.viewer_pane.viewer
        view = viewer.query_one(LogView)
        assert len(viewer.model.lines) > before
        assert view.current_line == len(viewer.model.lines) - 1  # the newest line in view


def test_a_big_log_read_head_first_then_indexed_is_the_same_as_read_at_once(tmp_path: Path, monkeypatch):
    from tui.core.formats import logs

    monkeypatch.setattr(logs, "HEAD", 100)
    monkeypatch.setattr(logs, "STEP", 1000)
    data = LOG * 400 + b"no newline at the end"
    path = tmp_path / "x.log"
    path.write_bytes(data)
    head = logs.skyvern_log_head(path, len(data))
    assert 0 < len(head.lines) < 10 and not head.complete
    seen = []
    logs.index_rest(head, path, lambda done, total: seen.append((done, total)))
    whole = skyvern_log(data)
    assert head.complete and head.lines == whole.lines and head.severities == whole.severities
    assert head.counts == whole.counts and len(seen) > 10 and seen[-1] == (len(data), len(data))


async def test_a_warning_is_a_problem_the_failed_steps_log_finds_it():
    """Skyvern logs a failed action as a warning: `]` in the failed step's log goes to it, and
    the help says what `]` and `[` find."""
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        log = next(a for a in screen.detail.artifacts
                   if a.artifact_type == "skyvern_log" and a.step_id == screen.detail.steps[1].step_id)
        screen.viewer_pane.post_message(Viewer.Navigate(log))
        await settle(pilot)
        viewer = screen.viewer_pane.viewer
        assert isinstance(viewer, SkyvernLogViewer) and viewer.model.counts.get("error", 0) == 0
        view = viewer.query_one(LogView)
        view.focus()
        await pilot.press("right_square_bracket")
        assert view.current_line == 3
        assert "Try to click on a disabled element" in viewer.model.lines[3]
        await pilot.press("right_square_bracket")
        assert "Action failed, marking step as failed" in viewer.model.lines[view.current_line]
        await pilot.press("left_square_bracket")
        assert view.current_line == 3
        assert "[ ] problems" in viewer._summary().plain
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=200, record=True, color_system=None, file=io.StringIO())
        for static in app.screen.query("Static"):
            console.print(static.content)
        help_text = console.export_text()
        assert "Next problem (warning or error)" in help_text
        assert "Previous problem (warning or error)" in help_text

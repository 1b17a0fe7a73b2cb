"""The run picker: what is typed opens what it names, server pages never race, and coming back
from a run finds a picker that works."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from apptools import SIZE, settle, until
from fake_skyvern import API_KEY, FakeServer, Handler
from tui.core.sources.api import ApiSettings, ApiSource
from tui.core.sources.demo import demo_source
from tui.ui.app import SkyvernTUI
from tui.ui.screens.picker import PickerScreen, RunTable
from tui.ui.screens.run import RunScreen

STATUSES = ["completed", "failed", "terminated", "timed_out", "canceled", "running", "completed"]


def server_runs(count: int) -> list[dict]:
    return [{"run_id": f"wr_{700 + n}", "task_run_type": "workflow_run", "status": STATUSES[n % len(STATUSES)],
             "title": f"server run {n}", "created_at": f"2026-11-28T16:{n:02d}:00"} for n in range(count)]


class PagedRuns:
    """/v1/runs paged as Skyvern pages it, each answer delayed (a slow link): pages can overlap."""

    def __init__(self, runs: list[dict], delay: float = 0.15) -> None:
        self.runs = runs
        self.delay = delay
        self.server = FakeServer(self.route)

    def route(self, h: Handler) -> None:
        if h.headers.get("x-api-key") != API_KEY:
            h.send_json({"detail": "Invalid credentials"}, 403)
            return
        if h.url_path != "/v1/runs":
            h.send_json({"detail": "Not Found"}, 404)
            return
        time.sleep(self.delay)
        page, size = int(h.query.get("page", ["1"])[0]), int(h.query.get("page_size", ["10"])[0])
        statuses = h.query.get("status", [])
        search = h.query.get("search_key", [""])[0]
        chosen = [r for r in self.runs if (not statuses or r["status"] in statuses) and search in r["run_id"] + r["title"]]
        h.send_json(chosen[(page - 1) * size: page * size])

    def source(self) -> ApiSource:
        return ApiSource(ApiSettings(base_url=self.server.origin, api_key=API_KEY, label="server", retries=0))

    def pages_asked(self) -> list[int]:
        return [int(s.query.get("page", ["1"])[0]) for s in self.server.requests_to("/v1/runs")]


@pytest.fixture
def paged():
    runs = PagedRuns(server_runs(5))
    yield runs
    runs.server.stop()


def _ids(screen: PickerScreen) -> list[str]:
    return [run.run_id for run, _ in screen.shown]


def _loaded(screen: PickerScreen) -> bool:
    return bool(screen.paging) and all(p.done for p in screen.paging.values()) and not any(
        w.is_running for w in screen.workers)


async def _launch(app: SkyvernTUI) -> tuple[list[str], str]:
    """The runs listed once every page has come, and the status line."""
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PickerScreen) and len(app.screen.shown) >= 2)
        # The last row reached while the first page is on its way (as the table's first
        # highlight can do at start): that page must not be asked, and listed, twice.
        await pilot.press("down")
        await until(pilot, lambda: _loaded(app.screen))
        await settle(pilot)
        return _ids(app.screen), str(app.screen.query_one(".status").render())


async def test_server_runs_are_listed_once_in_every_launch(tmp_path):
    from apptools import make_run

    local = make_run(tmp_path / "run", [("llm_prompt", "p.txt", b"a prompt")], run_id="tsk_local")
    paged = PagedRuns(server_runs(5), delay=0.3)
    try:
        for launch in range(10):
            ids, status = await _launch(SkyvernTUI([demo_source(), local, paged.source()]))
            assert len(ids) == 7 and not [i for i, n in Counter(ids).items() if n > 1], (launch, ids)
            assert "7 runs from 3 sources" in status
    finally:
        paged.server.stop()


async def test_the_next_page_is_asked_once_however_often_the_last_row_is_reached():
    paged = PagedRuns(server_runs(30), delay=0.3)
    try:
        app = SkyvernTUI([demo_source(), paged.source()])
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await until(pilot, lambda: isinstance(app.screen, PickerScreen) and len(app.screen.shown) == 26)
            screen = app.screen
            # To the last row, then off it and back, faster than the server answers.
            await pilot.press("pagedown", "pagedown", "pagedown", "up", "down", "up", "down")
            await until(pilot, lambda: _loaded(screen))
            await settle(pilot)
            ids = _ids(screen)
            assert len(ids) == 31 and len(set(ids)) == 31, Counter(ids).most_common(3)
            assert sorted(paged.pages_asked()) == [1, 2]
    finally:
        paged.server.stop()


# --- enter opens what was typed, however fast -------------------------------------------------


def _burst(app, text: str) -> None:
    """Keys as a terminal delivers a paste or a fast typist's: all queued before any is handled."""
    from textual import events

    for char in text:
        key = {"\r": "enter", " ": "space", ":": "colon", "_": "underscore"}.get(char, char)
        event = events.Key(key, char)
        event.set_sender(app)
        app.post_message(event)


def _recording_app(paged: PagedRuns, monkeypatch) -> tuple[SkyvernTUI, list[tuple[str, str | None]]]:
    """The picker over the demo and the server; opening is recorded, not done."""
    app = SkyvernTUI([demo_source(), paged.source()])
    opened: list[tuple[str, str | None]] = []
    monkeypatch.setattr(app, "open_run", lambda source, run_id: opened.append((run_id, source.label)))
    monkeypatch.setattr(app, "open_run_anywhere", lambda run_id: opened.append((run_id, None)))
    return app, opened


@pytest.mark.parametrize(("typed", "expected"), [
    ("wr_703\r", ("wr_703", "server")),  # an exact id: that run
    ("run 3\r", ("wr_703", "server")),  # words: the row they leave under the cursor
    ("wr_70\r", ("wr_700", "server")),  # a piece of an id that rows match: the row, not the text as an id
    ("wr_7031\r", ("wr_7031", None)),  # no row matches: the id, from whichever source has it
    ("https://app.skyvern.com/runs/wr_704/overview\r", ("wr_704", "server")),  # a URL of a listed run
])
@pytest.mark.parametrize("speed", ["burst", "pilot"])
async def test_enter_right_after_typing_opens_what_was_typed(paged, monkeypatch, typed, expected, speed):
    app, opened = _recording_app(paged, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PickerScreen) and _loaded(app.screen))
        await settle(pilot)
        if speed == "burst":
            _burst(app, typed)
        else:
            await pilot.press(*[{"\r": "enter"}.get(c, c) for c in typed])
        await until(pilot, lambda: bool(opened))
        await settle(pilot)
        assert opened == [expected]


async def test_enter_opens_the_row_moved_to(paged, monkeypatch):
    app, opened = _recording_app(paged, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PickerScreen) and _loaded(app.screen))
        await pilot.press(*"server run", "down", "down", "enter")
        await until(pilot, lambda: bool(opened))
        assert opened == [("wr_702", "server")]


@pytest.mark.parametrize("text", ["status:failed", "STATUS:Failed server"])
async def test_status_failed_finds_every_run_that_did_not_complete(paged, text):
    from tui.ui.screens import picker

    app = SkyvernTUI([demo_source(), paged.source()])
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PickerScreen) and _loaded(app.screen))
        screen = app.screen
        await pilot.press(*text)
        # At once, before the server is asked: its runs of the last answer, filtered here.
        assert {r.status for r, _ in screen.shown} == {"failed", "terminated", "timed_out", "canceled"}
        screen._search_timer.stop()
        screen._search_server()  # what the timer does after a pause in typing
        await until(pilot, lambda: _loaded(screen) and screen.paging[1].key == picker.Query.parse(text).server_key)
        await settle(pilot)
        assert sorted(r.run_id for r, _ in screen.shown) == ["wr_701", "wr_702", "wr_703", "wr_704"]
        asked = paged.server.requests_to("/v1/runs")[-1].query
        assert sorted(asked["status"]) == ["canceled", "failed", "terminated", "timed_out"]
        assert "status:failed" in screen.query_one("#filter").placeholder


# --- back from a run: a picker that works ----------------------------------------------------


async def test_back_from_a_run_the_picker_is_fresh_and_escape_clears_the_filter():
    from textual.widgets import Input

    source = demo_source()
    run_id = source.list_runs()[0].run_id
    app = SkyvernTUI([source])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        picker_screen = app.screen
        await pilot.press(*run_id, "enter")  # the id typed: it opens
        await until(pilot, lambda: isinstance(app.screen, RunScreen))
        await settle(pilot)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is picker_screen)
        await settle(pilot)
        status = str(picker_screen.query_one(".status").render())
        assert picker_screen.query_one("#filter", Input).value == ""
        assert picker_screen.query_one(RunTable).row_count == 1 and "Opening" not in status and "1 run" in status
        assert app.focused is picker_screen.query_one("#filter")
        await pilot.press(*"zzz")
        assert picker_screen.query_one(RunTable).row_count == 0
        await pilot.press("escape")  # clears the filter
        assert picker_screen.query_one("#filter", Input).value == ""
        assert picker_screen.query_one(RunTable).row_count == 1
        await pilot.press("enter")  # and the picker still opens runs
        await until(pilot, lambda: isinstance(app.screen, RunScreen))


async def test_a_run_that_cannot_be_opened_leaves_no_opening_line(paged):
    app = SkyvernTUI([demo_source(), paged.source()])
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PickerScreen) and _loaded(app.screen))
        screen = app.screen
        await pilot.press(*"wr_999", "enter")  # no row, and no server has it
        await until(pilot, lambda: any("Cannot open wr_999" in (n.title or "") for n in app._notifications))
        await settle(pilot)
        assert "Opening" not in str(screen.query_one(".status").render())


async def test_the_palette_or_the_help_over_the_picker_leave_its_filter_as_it_was():
    from textual.widgets import Input

    app = SkyvernTUI([demo_source()])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        picker_screen = app.screen
        await pilot.press(*"demo")
        app.action_help()
        await until(pilot, lambda: app.screen is not picker_screen)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is picker_screen)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: app.screen is not picker_screen)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is picker_screen)
        assert picker_screen.query_one("#filter", Input).value == "demo"
        assert app.focused is picker_screen.query_one("#filter")


def test_an_id_typed_and_entered_in_one_write_opens_that_run_in_a_real_terminal(tmp_path):
    """The installed command in a pseudo-terminal over a folder of two runs: the id and enter
    arrive in one read, as a paste or a fast typist's keys do."""
    from apptools import make_run
    from ptyterm import Terminal, terminal_env

    make_run(tmp_path / "runs" / "one", [("llm_prompt", "p.txt", b"first run")], run_id="tsk_111111")
    make_run(tmp_path / "runs" / "two", [("llm_prompt", "p.txt", b"second run")], run_id="tsk_222222")
    env = terminal_env(HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "state"))
    terminal = Terminal(["--local", str(tmp_path / "runs")], tmp_path, 120, 40, env=env)
    try:
        terminal.wait_for("tsk_111111")
        terminal.wait_for("tsk_222222")
        terminal.send("tsk_222222\r")
        screen = terminal.wait_for("Steps (")  # the run's overview
        assert "tsk_222222" in screen and "tsk_111111" not in screen
        terminal.send("\x1b")
        terminal.wait_for("Filter (words")
        terminal.pump(0.5)
        screen = terminal.text()
        assert "Opening" not in screen and "tsk_111111" in screen  # a fresh picker, every run listed
        terminal.send("\x11")  # ctrl+q
        assert terminal.wait_exit() == 0
    finally:
        terminal.close()

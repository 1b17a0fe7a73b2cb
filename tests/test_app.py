"""Pilot tests: the app driven by keys, checked by what it shows."""

from __future__ import annotations

import io
import json
import shutil
import threading
from pathlib import Path

from rich.console import Console
from textual.command import CommandList, CommandPalette
from textual.widgets import Footer, LoadingIndicator

from apptools import SIZE, demo_app, first_category, local_app, make_run, settle, until
from tui.core.catalog import CATEGORIES, Category
from tui.core.formats.text import text_document
from tui.core.sources.demo import demo_source
from tui.core.sources.local import LocalSource
from tui.ui.app import SkyvernTUI
from tui.ui.screens.help import HelpScreen
from tui.ui.screens.picker import PickerScreen, RunTable
from tui.ui.screens import run as run_screen_module
from tui.ui.screens.run import RunScreen
from tui.ui.viewers import viewer_for
from tui.ui.viewers.image import ImageViewer
from tui.ui.viewers.files import FileViewer, ScriptViewer
from tui.ui.viewers.llm import LlmPromptViewer
from tui.ui.viewers.text import TextViewer
from tui.ui.widgets.error_panel import ErrorPanel
from tui.ui.widgets.image_view import ImageView
from tui.ui.widgets.line_view import LineView
from tui.ui.widgets.run_header import RunHeader
from tui.ui.screens.viewer_pane import ViewerPane


def render_plain(renderable, width: int = 200) -> str:
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def plain(widget) -> str:
    """What a Static shows, as plain text."""
    return render_plain(widget.content)


async def test_demo_opens_with_header_and_category_counts(demo_run_json):
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RunScreen)
        header = plain(screen.query_one(RunHeader))
        assert demo_run_json["run_id"] in header
        assert demo_run_json["status"] in header
        assert f"{screen.detail.run.step_count} steps" in header
        if demo_run_json.get("failure_reason"):
            assert "failure:" in header
        counts = screen.detail.counts
        prompts = [render_plain(o.prompt, 20) for o in screen.sidebar.options]
        assert prompts.pop(0).startswith("0 Overview")  # the overview comes first, with no count
        for number, (category, prompt) in enumerate(zip(CATEGORIES, prompts, strict=True), start=1):
            assert prompt.startswith(f"{number} {category.label}")
            assert prompt.rstrip().endswith(f" {counts[category]}")


async def test_every_artifact_of_every_category_opens_in_its_viewer():
    app = demo_app()
    source = demo_source()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        seen = 0
        for number, category in enumerate(CATEGORIES, start=1):
            await pilot.press(str(number))
            await settle(pilot)
            assert screen.sidebar.category is category
            listed = screen.artifact_list.artifacts
            assert len(listed) == screen.detail.counts[category]
            assert screen.artifact_list.has_focus
            for index, artifact in enumerate(listed):
                if index:
                    await pilot.press("j")
                assert screen.artifact_list.artifact is artifact
                await pilot.press("enter")
                await settle(pilot)
                pane = screen.viewer_pane
                assert not pane.query(ErrorPanel), f"{artifact.artifact_type}: {plain(pane.query_one(ErrorPanel))}"
                viewer = pane.viewer
                assert type(viewer) is viewer_for(artifact.kind), artifact.artifact_type
                assert pane.has_focus_within  # enter moves into the viewer
                # The generic viewers' contents are checked here; each specialised viewer has
                # tests of its own (tests/test_viewers_*.py).
                if type(viewer) is TextViewer:
                    expected = text_document(source.read_bytes(artifact), artifact.kind.format).lines
                    assert viewer.model.lines == expected
                    assert viewer.query_one(LineView).lines is viewer.model.lines
                elif type(viewer) is ImageViewer:
                    assert viewer.model.size[0] > 100
                    view = viewer.query_one(ImageView)
                    assert (view.size.width, view.size.height) in view._rendered
                elif type(viewer) is ScriptViewer:
                    assert viewer.model.lines == text_document(source.read_bytes(artifact), artifact.kind.format).lines
                elif type(viewer) is FileViewer:
                    assert str(artifact.path) in plain(viewer.query("Static").first()).replace("\n", "")
                await pilot.press("escape")  # back to the list
                assert screen.artifact_list.has_focus
                seen += 1
        assert seen == len(screen.detail.artifacts)


async def test_escape_goes_back_to_the_picker_and_enter_reopens():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, RunScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, PickerScreen)
        table = app.screen.query_one(RunTable)
        assert table.row_count == 1
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RunScreen)


async def test_picker_filters_as_you_type():
    app = demo_app(open_run=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(RunTable)
        assert table.row_count == 1
        await pilot.press(*"zzzz-no-such-run")
        assert table.row_count == 0
        await pilot.press("enter")  # nothing to open: a warning, no crash
        assert isinstance(app.screen, PickerScreen)
        for _ in range(len("zzzz-no-such-run")):
            await pilot.press("backspace")
        await pilot.press(*"demo")
        assert table.row_count == 1


async def test_help_lists_the_keys_and_closes():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = plain(app.screen.query_one("Static"))
        for expected in ("Show Visual", "Show Files", "Find", "Quit", "Back", "Zoom viewer", "Next match", "Open the artifact"):
            assert expected in text, expected
        await pilot.press("escape")
        assert isinstance(app.screen, RunScreen)


async def test_find_in_a_prompt_moves_to_matching_lines():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("2")  # AI reasoning: its first artifact is a prompt
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        viewer = screen.viewer_pane.viewer
        assert isinstance(viewer, TextViewer)
        lines = viewer.model.lines
        word = "action"
        expected = [i for i, line in enumerate(lines) if word in line.lower()]
        assert len(expected) >= 2
        await pilot.press("slash", *word, "enter")
        await settle(pilot)
        view = viewer.query_one(LineView)
        assert view.match_line == expected[0]
        await pilot.press("n")
        await settle(pilot)
        assert view.match_line == expected[1]
        await pilot.press("N")
        await settle(pilot)
        assert view.match_line == expected[0]


async def test_a_broken_artifact_shows_an_error_and_the_run_stays_browsable(tmp_path: Path, demo_dir: Path):
    copy = tmp_path / "run"
    shutil.copytree(demo_dir, copy)
    entries = json.loads((copy / "artifacts.json").read_text())
    source = LocalSource(copy)
    detail = source.load_run(json.loads((copy / "run.json").read_text())["run_id"])
    shot = next(a for a in detail.artifacts if a.artifact_type == "screenshot_llm")
    shot.path.write_bytes(b"\x89PNG\r\n\x1a\n not really a png")
    app = local_app(source, detail.run.run_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("1")
        await settle(pilot)
        while screen.artifact_list.artifact.artifact_id != shot.artifact_id:
            await pilot.press("j")
        await pilot.press("enter")
        await settle(pilot)
        panel = screen.viewer_pane.query_one(ErrorPanel)
        assert "Not a readable image" in panel.reason
        assert shot.artifact_id in panel.title_text
        await pilot.press("2", "enter")
        await settle(pilot)
        assert isinstance(screen.viewer_pane.viewer, TextViewer)
    assert entries  # the copy was a real run


async def test_a_50_mb_file_loads_in_a_worker_while_keys_still_work(tmp_path: Path):
    line = b"2026-11-28T13:00:00.000000Z [info     ] Something happened  key=\"value\" n=1\n"
    content = line * (50 * 1024 * 1024 // len(line))
    app = local_app(make_run(tmp_path / "big", [("llm_prompt", "x_llm_prompt.txt", content)]), "tsk_test")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, RunScreen) and bool(app.screen.query(ViewerPane)))
        screen = app.screen
        # AI reasoning (as its key does, without waiting for idle): the 50 MB prompt starts loading.
        screen.action_category(Category.AI.value)
        # Still loading in its worker, and the interface answers keys meanwhile.
        await until(pilot, lambda: bool(screen.viewer_pane.query(LoadingIndicator)))
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await settle(pilot)
        viewer = screen.viewer_pane.viewer
        assert isinstance(viewer, TextViewer)
        assert len(viewer.model.lines) == content.count(b"\n")


async def test_an_unknown_artifact_type_lands_in_files_and_opens(tmp_path: Path):
    app = local_app(make_run(tmp_path / "odd", [("hologram", "x_hologram.txt", b"beam me up\n")]), "tsk_test")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await first_category(pilot)
        screen = app.screen
        assert screen.sidebar.category is Category.FILES  # the first category with something in it
        viewer = screen.viewer_pane.viewer
        assert isinstance(viewer, TextViewer) and viewer.model.lines == ["beam me up"]


async def test_control_sequences_in_artifacts_are_shown_not_obeyed(tmp_path: Path):
    evil = b"hi \x1b]52;c;ZXZpbA==\x07 \x1b[2J there\n"
    app = local_app(make_run(tmp_path / "evil", [("llm_prompt", "x.txt", evil)]), "tsk_test")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await first_category(pilot)
        view = app.screen.viewer_pane.viewer.query_one(LineView)
        rendered = "".join(seg.text for seg in view.render_line(0))
        assert "\x1b" not in rendered and "\x07" not in rendered
        assert "␛]52;c;ZXZpbA==␇" in rendered and "␛[2J" in rendered


async def test_zoom_fills_the_screen_with_the_viewer_and_escape_restores():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await first_category(pilot)
        screen = app.screen
        await pilot.press("z")
        assert screen.maximized is screen.viewer_pane
        await pilot.press("escape")
        assert screen.maximized is None
        assert isinstance(app.screen, RunScreen)


async def test_command_palette_opens_any_artifact():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("ctrl+p")
        await pilot.press(*"open llm_response_parsed")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette) and app.screen.query_one(CommandList).option_count > 0)
        await pilot.pause(0.3)  # let the palette finish ranking the hits
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert screen.sidebar.category is Category.AI
        assert screen.viewer_pane.artifact.artifact_type == "llm_response_parsed"
        assert screen.artifact_list.artifact is screen.viewer_pane.artifact


class GrowingRun:
    """A source whose run is still going: each load_run shows one more artifact, then it ends.

    It stands in for a server (list_runs_page marks it as one) because a real live run cannot be
    paused at chosen points; the real server tests cover the HTTP side.
    """

    label = "live"

    def __init__(self, folder: Path) -> None:
        self.inner = LocalSource(folder)
        self.detail = self.inner.load_run(self.inner.list_runs()[0].run_id)
        self.visible = len(self.detail.artifacts) - 2
        self.loads = 0

    def list_runs(self):
        return [self.detail.run]

    def list_runs_page(self, page=1, page_size=25, statuses=(), search=None):
        return self.list_runs() if page == 1 else []

    def _state(self):
        from dataclasses import replace

        from tui.core.model import RunDetail

        done = self.visible >= len(self.detail.artifacts)
        run = replace(self.detail.run, status="completed" if done else "running")
        return RunDetail(run, self.detail.steps, self.detail.artifacts[: self.visible])

    def load_run(self, run_id):
        self.loads += 1
        state = self._state()
        self.visible += 1
        return state

    def read_bytes(self, artifact):
        return self.inner.read_bytes(artifact)


async def test_a_live_run_is_polled_new_artifacts_marked_and_followed_until_it_ends(tmp_path: Path, demo_dir: Path):
    # A run whose last two artifacts are logs (sorted by time), so they land in one category.
    folder = tmp_path / "run"
    shutil.copytree(demo_dir, folder)
    entries = json.loads((folder / "artifacts.json").read_text())
    logs = [e for e in entries if e["artifact_type"] in ("skyvern_log", "browser_console_log")]
    rest = [e for e in entries if e not in logs]
    (folder / "artifacts.json").write_text(json.dumps(rest + logs[-2:]))
    source = GrowingRun(folder)
    # The interval is long: the test itself says when a poll happens, so it is not timing-bound.
    app = SkyvernTUI([source], (source, source.detail.run.run_id), poll_seconds=3600)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.detail.run.status == "running" and screen._poller is not None
        await pilot.press("4", "F")  # logs, and follow the newest
        before = screen.detail.counts[Category.LOGS]
        for _ in range(2):
            screen._poll()
            await settle(pilot)
        assert screen.detail.run.status == "completed"
        assert screen._poller is None  # polling stops when the run ends
        assert screen.detail.counts[Category.LOGS] == before + 2
        assert len(screen.new_ids) == 2
        newest = max(screen.artifact_list.artifacts, key=lambda a: a.created_at)
        assert screen.viewer_pane.artifact is newest  # followed
        assert "•" in str(screen.artifact_list.get_option_at_index(screen.artifact_list.highlighted).prompt)
        prompt = render_plain(screen.sidebar.get_option_at_index(4).prompt, 20)  # 0 Overview, ..., 4 Logs
        assert prompt.rstrip().endswith(str(before + 2))


class PagedServer:
    """A server-like source with many runs, to test paging and search in the picker."""

    label = "server"

    def __init__(self, count: int) -> None:
        from tui.core.model import Run

        self.runs = [Run(f"wr_{i:03d}", status="failed" if i % 3 == 0 else "completed", title=f"Run number {i}", source="server") for i in range(count)]
        self.calls: list[tuple] = []

    def list_runs_page(self, page=1, page_size=25, statuses=(), search=None):
        self.calls.append((page, tuple(statuses), search))
        chosen = [r for r in self.runs if (not statuses or r.status in statuses) and (not search or search in (r.title or "").lower())]
        return chosen[(page - 1) * page_size : page * page_size]

    def list_runs(self):
        return self.list_runs_page()


async def test_picker_pages_server_runs_as_the_cursor_reaches_the_end_and_searches_the_server(monkeypatch):
    from tui.ui.screens import picker
    from tui.ui.screens.picker import PAGE_SIZE

    # The server search waits for a pause in typing; the test ends the pause itself.
    monkeypatch.setattr(picker, "SEARCH_DELAY", 3600)

    server = PagedServer(60)
    app = SkyvernTUI([demo_source(), server])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(RunTable)
        assert table.row_count == PAGE_SIZE + 1  # the first page and the demo
        await pilot.press("pagedown", "pagedown", "pagedown")
        await settle(pilot)
        assert table.row_count == 2 * PAGE_SIZE + 1
        for _ in range(5):
            await pilot.press("pagedown")
            await settle(pilot)
        assert table.row_count == 60 + 1 and server.calls[-1][0] == 3
        calls = len(server.calls)
        await pilot.press(*"status:failed number 4")
        await settle(pilot)
        assert len(server.calls) == calls  # nothing asked while typing
        app.screen._search_timer.stop()
        app.screen._search_server()  # what the timer does after the pause
        await settle(pilot)
        # status:failed: every run that did not complete
        assert server.calls[calls:] == [(1, ("failed", "terminated", "timed_out", "canceled"), "number 4")]
        shown = [run.run_id for run, _ in app.screen.shown]
        assert shown == ["wr_042", "wr_045", "wr_048"]


# --- one way to move: the viewer follows the cursor, enter goes in, escape comes back ---------



def _footer_keys(app) -> set[str]:
    return {item.key for item in app.screen.query_one(Footer).query("FooterKey")}


async def test_the_viewer_follows_the_list_cursor_and_enter_goes_into_it(monkeypatch):
    app = demo_app()
    opened: list[str] = []
    original = ViewerPane.open
    monkeypatch.setattr(ViewerPane, "open", lambda pane, a: (opened.append(a.artifact_id), original(pane, a))[1])
    # A rest longer than a loaded machine's gap between two keys: the test is about the
    # cancelling, not about the 0.15 s (a gap over it between Pilot's keys opened the middle one).
    monkeypatch.setattr(run_screen_module, "FOLLOW_CURSOR_DELAY", 1.0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await first_category(pilot)
        screen = app.screen
        assert screen.artifact_list.has_focus
        artifacts = screen.artifact_list.artifacts
        assert len(artifacts) > 3
        opened.clear()
        await pilot.press("j", "j", "j")  # no pause: each move cancels the open of the one before
        assert opened == []  # nothing opens before the cursor rests
        await pilot.pause(1.2)
        await settle(pilot)
        assert opened == [artifacts[3].artifact_id]
        assert screen.viewer_pane.artifact is artifacts[3] and screen.viewer_pane.viewer is not None
        assert screen.artifact_list.has_focus  # following does not take the focus
        await pilot.press("enter")
        await settle(pilot)
        assert screen.viewer_pane.has_focus_within and opened == [artifacts[3].artifact_id]  # not read again


async def test_zoom_from_the_list_takes_the_viewer_keys_along_and_escape_steps_back():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await first_category(pilot)
        screen = app.screen
        viewer = screen.viewer_pane.viewer
        assert isinstance(viewer, ImageViewer) and screen.artifact_list.has_focus
        await pilot.press("z")
        assert screen.maximized is screen.viewer_pane and screen.viewer_pane.has_focus_within
        view = viewer.query_one(ImageView)
        await pilot.press("plus")  # the zoom key of the viewer works: it has the focus
        await settle(pilot)
        assert view.port.zoomed
        assert {"plus", "left_square_bracket"} <= _footer_keys(app)
        await pilot.press("escape")  # out of the zoom, still in the viewer
        assert screen.maximized is None and screen.viewer_pane.has_focus_within
        await pilot.press("z", "z")  # z again restores too
        assert screen.maximized is None
        await pilot.press("escape")
        assert screen.artifact_list.has_focus and isinstance(app.screen, RunScreen)


async def test_escape_steps_back_from_an_error_panel(tmp_path: Path):
    source = make_run(tmp_path / "run", [("screenshot_llm", "shot.png", b"not a png"), ("screenshot_llm", "b.png", b"nor this")])
    app = local_app(source, "tsk_test")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await first_category(pilot)
        screen = app.screen
        assert screen.viewer_pane.failed
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.focused, ErrorPanel) and screen.viewer_pane.has_focus_within
        await pilot.press("escape")
        assert screen.artifact_list.has_focus and isinstance(app.screen, RunScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, PickerScreen)


async def test_the_footer_shows_the_keys_of_the_prompt_viewer():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen.viewer_pane.viewer, LlmPromptViewer)
        assert {"w", "p", "e"} <= _footer_keys(app)


async def test_a_detail_pane_scrolls_with_the_keys_of_any_text():
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    from tui.ui.widgets.detail_scroll import DetailScroll

    class Detail(App):
        def compose(self) -> ComposeResult:
            with DetailScroll():
                yield Static("\n".join(f"line {n}" for n in range(200)))

    app = Detail()
    async with app.run_test(size=(40, 10)) as pilot:
        pane = app.query_one(DetailScroll)
        pane.focus()
        await pilot.press("G")
        await pilot.pause()
        assert pane.scroll_y == pane.max_scroll_y > 0
        await pilot.press("g", "j", "j")
        await pilot.pause()
        assert pane.scroll_y == 2
        await pilot.press("space")
        await pilot.pause()
        assert pane.scroll_y > 5
        await pilot.press("b")
        await pilot.pause()
        assert pane.scroll_y == 2


async def test_zoom_right_after_a_move_zooms_the_artifact_under_the_cursor_with_the_focus():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await first_category(pilot)
        screen = app.screen
        await pilot.press("j", "j", "z")  # before the viewer caught up with the cursor
        await settle(pilot)
        assert screen.maximized is screen.viewer_pane
        assert screen.viewer_pane.artifact is screen.artifact_list.artifacts[2]
        assert screen.viewer_pane.has_focus_within


class GatedSource(LocalSource):
    """Reads wait for the gate: the test decides when a viewer has finished loading."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder, label="test run")
        self.gate = threading.Event()
        self.gate.set()

    def read_bytes(self, artifact):
        assert self.gate.wait(20)
        return super().read_bytes(artifact)


async def test_keys_typed_after_enter_while_the_viewer_loads_go_to_the_viewer(tmp_path: Path):
    text = "\n".join(f"line {n}" for n in range(300)).encode()
    make_run(tmp_path / "run", [("llm_prompt", "a.txt", text), ("llm_prompt", "b.txt", text), ("llm_prompt", "c.txt", text)])
    source = GatedSource(tmp_path / "run")
    app = local_app(source, "tsk_test")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await first_category(pilot)
        screen = app.screen
        artifacts = screen.artifact_list.artifacts
        source.gate.clear()
        await pilot.press("j", "enter", "G")  # G typed before the viewer is there
        assert screen.artifact_list.artifact is artifacts[1]
        source.gate.set()
        await settle(pilot)
        assert screen.artifact_list.artifact is artifacts[1]  # the list did not take them
        viewer = screen.viewer_pane.viewer
        assert viewer.artifact is artifacts[1] and viewer.has_focus_within
        view = viewer.query_one(LineView)
        assert view.max_scroll_y > 100 and view.scroll_y == view.max_scroll_y  # G went to the viewer
        source.gate.clear()
        await pilot.press("escape", "j", "enter", "escape", "k")  # escape while loading: back in the list
        source.gate.set()
        await settle(pilot)
        assert screen.artifact_list.has_focus and screen.artifact_list.artifact is artifacts[1]


def _burst(app, *keys: str) -> None:
    """Keys as a terminal delivers a fast typist's (or a paste's): all queued before any is handled."""
    from textual import events

    for key in keys:
        event = events.Key(key, {"enter": "\r", "plus": "+"}.get(key, key if len(key) == 1 else None))
        event.set_sender(app)
        app.post_message(event)


async def test_a_burst_of_keys_after_enter_or_zoom_reaches_the_viewer():
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await first_category(pilot)
        screen = app.screen
        _burst(app, "j", "j", "z", "plus", "plus")
        await until(pilot, lambda: screen.maximized is not None and not screen._typing_ahead)
        await settle(pilot)
        view = screen.viewer_pane.viewer.query_one(ImageView)
        assert screen.viewer_pane.artifact is screen.artifact_list.artifacts[2] and view.port.zoomed
        await pilot.press("escape", "escape")
        assert screen.artifact_list.has_focus
        _burst(app, "5", "enter", "f", "x", "h", "r", "enter")
        await until(pilot, lambda: getattr(screen.viewer_pane.viewer, "query_text", None) == "xhr")
        await until(pilot, lambda: not screen._typing_ahead)  # the last keys given, typing is direct again
        await pilot.press("escape")
        assert screen.artifact_list.has_focus


async def test_a_query_typed_after_slash_on_a_pane_with_nothing_to_find_runs_no_command(tmp_path, monkeypatch):
    """`/` then letters, typed at speed, on a screenshot: `d` must not download, `q` not quit."""
    monkeypatch.chdir(tmp_path)  # were it to fail, the download dialog would save the run here
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await first_category(pilot)
        screen = app.screen
        assert isinstance(screen.viewer_pane.viewer, ImageViewer)
        await pilot.press("enter", "slash", *"download q", "enter")
        await settle(pilot)
        assert app.is_running and app.screen is screen  # no download dialog, no quit
        assert not screen.workers or all(w.group != "download" for w in app.workers)
        await pilot.press("slash")
        await settle(pilot)
        bar = app.screen
        assert type(bar).__name__ == "NothingToFind"
        assert "Nothing to find in this screenshot_llm" in str(bar.query_one("Input").placeholder)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and screen.viewer_pane.has_focus_within  # back where it was


def _notes(app) -> str:
    return " | ".join(str(n.message) for n in app._notifications)


async def test_the_palettes_screenshot_goes_to_the_current_folder_without_a_downloads_folder(tmp_path, monkeypatch):
    import tui.ui.app as app_module

    monkeypatch.setattr(app_module, "user_downloads_path", lambda: tmp_path / "no-Downloads")
    monkeypatch.chdir(tmp_path)
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"screenshot")
        await until(pilot, lambda: "Screenshot" in str(app.screen.query_one(CommandList).get_option_at_index(0).prompt))
        await pilot.press("enter")
        await until(pilot, lambda: "Saved a screenshot" in _notes(app))
        saved = list(tmp_path.glob("*.svg"))
        assert len(saved) == 1 and saved[0].read_text(encoding="utf-8").startswith("<svg")
        assert str(saved[0]) in _notes(app)


async def test_a_screenshot_that_cannot_be_saved_says_where_and_why(tmp_path):
    (tmp_path / "a-file").write_text("")
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.deliver_screenshot("shot.svg", str(tmp_path / "a-file" / "sub"))
        await until(pilot, lambda: "screenshot" in _notes(app))
        notes = _notes(app)
        assert f"Could not save the screenshot to {tmp_path / 'a-file' / 'sub' / 'shot.svg'}: Not a directory." in notes
        assert "Failed to save screenshot" not in notes


def test_no_message_claims_a_copy_arrived():
    """OSC 52 gets no answer: no module may say "copied"; each copy says it was sent."""
    import re

    root = Path(__file__).resolve().parent.parent / "tui"
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"[\"'][^\"'\n]*\bcopied\b", text, re.IGNORECASE), path
        if "copy_to_clipboard(" in text:
            assert "sent_to_clipboard(" in text, path

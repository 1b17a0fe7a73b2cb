"""Pilot tests of the network viewers: the demo's real HAR and trace, and the recorded HAR with bodies."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from textual.app import App, ComposeResult
from textual.widgets import ContentSwitcher, Input, Static

from apptools import SIZE, demo_app, settle
from tui.core.formats.har import parse_har
from tui.core.model import Artifact
from tui.core.opening import open_data
from tui.ui.screens.run import RunScreen
from tui.ui.viewers.network import EntryDetail, HarViewer, RequestTable
from tui.ui.widgets.cursor_view import CursorView
from tui.ui.viewers.trace import TraceViewer
from tui.ui.widgets.image_view import ImageView

DATA = Path(__file__).parent / "data" / "network"


def plain(renderable, width: int = 200) -> str:
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def viewer(app, kind):
    return app.screen.query_one(kind)


def detail_text(app) -> str:
    return plain(app.screen.query_one(EntryDetail).query_one(".detail-text", Static).content)


def rows(app) -> list[str]:
    table = app.screen.query_one(RequestTable)
    return [e.path for e in table.rows]


async def open_network(pilot, down: int = 0) -> None:
    await settle(pilot)
    await pilot.press("5")
    await settle(pilot)
    for _ in range(down):
        await pilot.press("down")
    await pilot.press("enter")
    await settle(pilot)


async def test_demo_har_table_detail_and_focus():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_network(pilot)
        har = viewer(app, HarViewer)
        table = har.query_one(RequestTable)
        assert app.focused is table
        assert len(table.rows) == 10 and rows(app)[0] == "/"
        assert "10/10 requests" in plain(har.query_one(".note", Static).content)
        assert "bodies omitted" in plain(har.query_one(".note", Static).content)
        text = detail_text(app)
        assert "GET http://127.0.0.1:8765/" in text and "200 OK" in text
        assert "not recorded" in text  # Skyvern's HAR has no bodies
        await pilot.press("down", "down")
        await settle(pilot)
        assert table.cursor == 2
        assert "GET http://127.0.0.1:8765/app.js" in detail_text(app)
        # the row on screen shows method, status, path, size and duration
        line = "".join(s.text for s in table.render_line(2))
        assert "GET" in line and "200" in line and "/app.js" in line and "ms" in line


async def test_demo_har_filter_with_f_and_escape():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_network(pilot)
        await pilot.press("f")  # the filter's key (`/` finds, as everywhere)
        box = app.screen.query_one("#har-filter", Input)
        assert app.focused is box and box.display
        await pilot.press(*"failed", "enter")
        await settle(pilot)
        assert rows(app) == ["/api/recommendations?user=demo"]
        assert "1/10 requests" in plain(viewer(app, HarViewer).query_one(".note", Static).content)
        assert "404" in detail_text(app)
        assert isinstance(app.focused, RequestTable)
        await pilot.press("f")
        box.value = "-css -script"
        await pilot.press("enter")
        await settle(pilot)
        assert "/style.css" not in rows(app) and "/app.js" not in rows(app) and len(rows(app)) == 4
        await pilot.press("f", *"status:zzz", "enter")  # a bad term: warned, filter unchanged
        await settle(pilot)
        assert len(rows(app)) == 4
        await pilot.press("escape")  # leaves the box, stays in the run screen
        assert isinstance(app.screen, RunScreen)


async def test_demo_har_sort_cycles_and_reverses():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_network(pilot)
        har = viewer(app, HarViewer)
        await pilot.press("s")  # start -> method
        await pilot.press("s")  # -> status
        await settle(pilot)
        assert har.sort_column == "status"
        assert rows(app)[-1] == "/api/recommendations?user=demo"
        await pilot.press("S")
        await settle(pilot)
        assert rows(app)[0] == "/api/recommendations?user=demo"
        assert "sort status ↓" in plain(har.query_one(".note", Static).content)
        for _ in range(3):  # -> type, url, size
            await pilot.press("s")
        await settle(pilot)
        assert har.sort_column == "size"
        table = har.query_one(RequestTable)
        sizes = [e.size for e in table.rows]
        assert sizes == sorted(sizes, reverse=True)


async def test_copy_as_curl_is_redacted():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_network(pilot)
        await pilot.press("y", "c")  # the copy menu, the request as curl first
        await settle(pilot)
        assert app.clipboard.startswith("curl http://127.0.0.1:8765/ -H")
        said = " ".join(str(n.message) for n in app._notifications)
        # OSC 52 never answers: the message says where it went, not that it arrived.
        assert f"The request as curl, credentials redacted ({len(app.clipboard):,} bytes) sent to the terminal's clipboard" in said
        assert "set -g set-clipboard on" in said and "Copied" not in said


class HarApp(App):
    """The HAR viewer alone, on a HAR with bodies (the demo's has none)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.har = parse_har((DATA / name).read_bytes())

    def compose(self) -> ComposeResult:
        yield HarViewer(Artifact("a_test", "har"), self.har)

    def on_mount(self) -> None:
        self.query_one(HarViewer).focus()


async def test_bodies_json_image_and_secrets():
    app = HarApp("bodies.har")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "<!doctype html>" in detail_text(app)
        await pilot.press("f", *"method:post", "enter")
        await pilot.pause()
        text = detail_text(app)
        assert '"part": "spur-gear"' in text  # the request body, pretty-printed
        assert '"ok": true' in text  # the response body, pretty-printed
        await pilot.press("f")
        app.query_one(Input).value = ""
        await pilot.press(*"img", "enter")
        await settle(pilot)
        assert "image, 81 B" in detail_text(app)
        assert app.query_one(EntryDetail).query(ImageView)  # the PNG body drawn
        await pilot.press("f")
        app.query_one(Input).value = ""
        await pilot.press(*"token", "enter")
        await pilot.pause()
        # What y's copy menu offers first (the app around a viewer alone has no menu).
        curl = app.query_one(HarViewer).copy_choices()[0]
        assert curl.key == "c" and curl.load is not None
        copied = curl.load()
        assert "token=REDACTED" in copied and "sk-live-123" not in copied
        assert "Authorization: REDACTED" in copied


async def test_demo_trace_actions_frames_console_network():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_network(pilot, down=1)
        trace = viewer(app, TraceViewer)
        actions = trace.query_one("#actions", CursorView)
        assert app.focused is actions
        assert actions.row_count == 12
        note = plain(trace.query_one(".note", Static).content)
        assert "v10 · " in note and "12 actions" in note and "11 frames" in note
        assert trace.query_one(ImageView)
        await pilot.press("down")
        await settle(pilot)
        detail = plain(trace.query_one("#trace-detail-text", Static).content)
        assert "Frame.goto" in detail and "http://127.0.0.1:8765/" in detail
        assert trace.frame_index == trace.model.frames.index(trace.model.frame_for(trace.model.actions[1]))
        before = trace.frame_index
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert trace.frame_index == before + 1
        assert f"frame {before + 2}/11" in plain(trace.query_one(".frame-note", Static).content)
        await pilot.press("c")
        await settle(pilot)
        assert trace.query_one(ContentSwitcher).current == "console"
        console = trace.query_one("#console", CursorView)
        assert app.focused is console and console.row_count == 10
        await pilot.press("down", "down")
        await settle(pilot)
        detail = plain(trace.query_one("#trace-detail-text", Static).content)
        assert "error" in detail and "404" in detail
        await pilot.press("R")
        await settle(pilot)
        table = trace.query_one("#network", RequestTable)
        assert app.focused is table and len(table.rows) == 10
        await pilot.press("down")
        await settle(pilot)
        detail = plain(trace.query_one("#trace-detail-text", Static).content)
        assert "style.css" in detail
        assert "font-family" in detail  # the body, read from the trace's resources/
        await pilot.press("a")
        await settle(pilot)
        assert "Frame.goto" in plain(trace.query_one("#trace-detail-text", Static).content)


class TraceApp(App):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.trace = open_data(Artifact("a_t", "trace"), (DATA / name).read_bytes()).model

    def compose(self) -> ComposeResult:
        yield TraceViewer(Artifact("a_t", "trace"), self.trace)


async def test_v7_trace_shows_the_failed_action_and_page_error():
    app = TraceApp("trace_v7.zip")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        trace = app.query_one(TraceViewer)
        assert "v7 · " in plain(trace.query_one(".note", Static).content)
        await pilot.press("a", "end")
        await settle(pilot)
        detail = plain(trace.query_one("#trace-detail-text", Static).content)
        assert "#no-such-button" in detail and "Timeout 300ms exceeded" in detail
        await pilot.press("c")
        console = trace.query_one("#console", CursorView)
        levels = [c.level for c in trace.model.console]
        console.move_cursor(levels.index("pageerror"))
        await pilot.pause()
        assert "boom from setTimeout" in plain(trace.query_one("#trace-detail-text", Static).content)


class BigHarApp(App):
    def __init__(self, data: bytes) -> None:
        super().__init__()
        self.har = open_data(Artifact("a_big", "har"), data).model

    def compose(self) -> ComposeResult:
        yield HarViewer(Artifact("a_big", "har"), self.har)

    def on_mount(self) -> None:
        self.query_one(HarViewer).focus()


async def test_20000_requests_virtual_table():
    from test_har_format import big_har

    app = BigHarApp(big_har(20_000))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)  # the requests after the first ones are read in a worker
        table = app.query_one(RequestTable)
        assert len(table.rows) == 20_000
        await pilot.press("end")
        await settle(pilot)  # the detail is made in a worker
        assert table.cursor == 19_999 and table.scroll_offset.y > 19_000
        assert "/p/19999" in "".join(s.text for s in table.render_line(table.cursor - table.scroll_offset.y))
        assert "/p/19999?token=t19999" in detail_text(app)
        await pilot.press("f", *"failed", "enter")
        await pilot.pause()
        assert len(table.rows) == 200
        # the cursor's request (19999, not failed) is gone: the cursor goes to the first row
        assert table.cursor == 0 and table.current.status == 500
        await pilot.press("pagedown")
        assert table.cursor > 10


async def test_trace_film_strip_follows_the_frame_shown():
    from tui.ui.viewers.trace import STRIP, FilmStrip

    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_network(pilot, down=1)  # the trace
        viewer = app.screen.viewer_pane.viewer
        strip = viewer.query_one(FilmStrip)
        await settle(pilot)

        def current() -> int:
            thumbs = list(strip.query("Static"))
            return thumbs.index(next(t for t in thumbs if t.has_class("-current")))

        frames = len(viewer.model.frames)
        assert frames > STRIP and len(strip.query("Static")) == STRIP

        def expected_slot(index: int) -> int:  # centred, but the strip stays inside the frames
            return index - max(0, min(index - STRIP // 2, frames - STRIP))

        assert current() == expected_slot(viewer.frame_index)
        drawn = [t for t in strip.query("Static") if "▄" in str(t.content)]
        assert len(drawn) == STRIP  # small pictures (half blocks), not blanks
        start = viewer.frame_index
        for _ in range(3):
            await pilot.press("right_square_bracket")
        await settle(pilot)
        assert viewer.frame_index == start + 3 and current() == expected_slot(start + 3)
        await pilot.press(*["right_square_bracket"] * frames)  # past the end: the last frame
        await settle(pilot)
        assert viewer.frame_index == frames - 1 and current() == STRIP - 1


async def test_a_huge_body_is_prepared_in_a_worker_and_cut():
    import base64
    import json

    raw = json.dumps([{"n": i, "pad": "x" * 40} for i in range(150_000)]).encode()  # about 8 MB
    entries = [
        {"startedDateTime": f"2026-01-01T00:00:0{i}Z", "time": 1, "request": {"method": "GET", "url": f"https://x/{i}"},
         "response": {"status": 200, "content": {"mimeType": "application/json", "encoding": "base64",
                                                   "text": base64.b64encode(raw).decode()}}}
        for i in range(2)
    ]
    app = BigHarApp(json.dumps({"log": {"entries": entries}}).encode())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "more bytes" in detail_text(app) and "not pretty-printed" in detail_text(app)
        # Showing a request returns at once: the body is read in a worker, the pane says so meanwhile.
        detail = app.query_one(EntryDetail)
        detail.show(app.query_one(HarViewer).model.entries[1])
        assert detail_text(app).strip() == "Reading the request…"
        await settle(pilot)
        assert "https://x/1" in detail_text(app) and "more bytes" in detail_text(app)


class GatedRead:
    """read_rest held until `open` is set: the viewer's state while the rest is being read."""

    def __init__(self, monkeypatch) -> None:
        import threading

        from tui.ui.viewers import network

        self.open = threading.Event()
        real = network.read_rest

        def gated(*args, **kwargs):
            assert self.open.wait(20), "the test never let the read go on"
            real(*args, **kwargs)

        monkeypatch.setattr(network, "read_rest", gated)


def note_text(app) -> str:
    return plain(app.query_one(HarViewer).query_one(".note", Static).content)


async def test_a_big_har_shows_its_first_requests_while_the_rest_is_read(monkeypatch):
    from test_har_format import big_har
    from tui.core.formats.har import FIRST_ENTRIES

    gate = GatedRead(monkeypatch)
    app = BigHarApp(big_har(2_000))
    assert len(app.har.entries) == FIRST_ENTRIES and not app.har.complete  # the opener read the first ones
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.query_one(RequestTable)
        viewer = app.query_one(HarViewer)
        assert len(table.rows) == FIRST_ENTRIES and "reading" in note_text(app)
        assert "/p/0?" in "".join(s.text for s in table.render_line(0))
        # An entry not read yet is gone to once it is (as the overview's links do).
        assert viewer.go_to("entry:1500") and table.current is not None and table.current.index != 1500
        await pilot.press("end")  # the end of what is read so far
        assert table.cursor == FIRST_ENTRIES - 1
        gate.open.set()
        await settle(pilot)
        assert len(table.rows) == 2_000 and "reading" not in note_text(app)
        assert table.current is not None and table.current.index == 1500
        assert "/p/1500?token=t1500" in detail_text(app)
        assert not viewer.go_to("entry:2000")  # past the end, now that every entry is read


async def test_a_filter_set_while_reading_applies_to_the_requests_read_later(monkeypatch):
    from test_har_format import big_har

    gate = GatedRead(monkeypatch)
    app = BigHarApp(big_har(2_000))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f", *"failed", "enter")
        await pilot.pause()
        table = app.query_one(RequestTable)
        assert [e.index for e in table.rows] == [0, 100]  # the failed ones among the first 200
        gate.open.set()
        await settle(pilot)
        assert [e.index for e in table.rows] == list(range(0, 2_000, 100))
        assert "20/2000 requests" in note_text(app)


async def test_a_long_body_is_drawn_a_row_at_a_time_and_made_safe():
    import json

    from tui.ui.viewers.network import INLINE_BODY, BodyText

    long_body = "\x1b[2J" + "x" * 3 * INLINE_BODY + "\nlast line"
    entries = [
        {"startedDateTime": "2026-01-01T00:00:00Z", "time": 1, "request": {"method": "GET", "url": f"https://x/{i}"},
         "response": {"status": 200, "content": {"mimeType": "text/plain", "text": text}}}
        for i, text in enumerate((long_body, "short"))
    ]
    app = BigHarApp(json.dumps({"log": {"entries": entries}}).encode())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        body = app.query_one(BodyText)
        assert len(detail_text(app)) < INLINE_BODY  # the text pane holds the headers, not the body
        assert f"{len(long_body):,} characters below" in detail_text(app)
        rows = body.rows(body.size.width)
        assert "".join(rows[:-1]) == "␛[2J" + "x" * 3 * INLINE_BODY and rows[-1] == "last line"
        assert body.size.height == len(rows)  # every row has its place in the pane's scroll
        assert body.render_line(0).text.startswith("␛[2J")
        app.query_one(RequestTable).move_cursor(1)
        await settle(pilot)
        assert not app.query(BodyText) and "short" in detail_text(app)

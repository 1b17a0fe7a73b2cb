"""The one cursor view: the same keys on the text, log, HAR and trace uses; find that marks
every match and says "N of M"; sideways scroll to a match; word wrap; colours from CSS."""

from __future__ import annotations

from pathlib import Path

from apptools import settle, until
from rich.color import Color
from rich.text import Text
from test_har_format import big_har
from textual.app import App, ComposeResult
from textual.widgets import ContentSwitcher, Input, Static

from tui.core.formats.logs import skyvern_log
from tui.core.formats.text import TextDocument
from tui.core.model import Artifact
from tui.core.opening import open_data
from tui.core.search import find_all
from tui.ui.viewers.network import HarViewer, RequestTable
from tui.ui.viewers.text import TextViewer
from tui.ui.viewers.trace import TraceViewer
from tui.ui.widgets.cursor_view import CursorView, ListRows, word_starts
from tui.ui.widgets.log_view import LogView

DATA = Path(__file__).parent / "data"
SIZE = (100, 30)


# --- pure parts ----------------------------------------------------------------------------------
def pieces(line: str, width: int) -> list[str]:
    starts = word_starts(line, width)
    return [line[a:b] for a, b in zip(starts, [*starts[1:], len(line)], strict=True)]


def test_word_wrap_breaks_at_spaces_and_only_cuts_words_longer_than_the_width():
    assert pieces("the quick brown fox", 10) == ["the quick ", "brown fox"]
    assert pieces("short", 10) == ["short"]
    assert pieces("aaaa bbbb", 4) == ["aaaa ", "bbbb"]  # the space that overflows ends the row
    assert pieces("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]  # one long word: cut
    assert pieces("go " + "y" * 12 + " end", 10) == ["go ", "y" * 10, "yy end"]
    assert pieces("漢字 漢字漢字", 6) == ["漢字 ", "漢字漢字"[:3], "漢字漢字"[3:]]  # cells, not characters
    assert word_starts("", 10) == [0] and word_starts("abc", 0) == [0, 1, 2]


def test_find_all_is_smart_case_and_does_not_overlap():
    assert find_all("Sign in, sign IN", "sign in") == [0, 9]
    assert find_all("Sign in, sign IN", "Sign") == [0]
    assert find_all("aaaa", "aa") == [0, 2]
    assert find_all("İx x", "x") == [1, 3]  # a letter that lowers to two keeps the offsets
    assert find_all("anything", "") == []


# --- a bare view ----------------------------------------------------------------------------------
class ListApp(App):
    CSS = """
    CursorView > .cursor-view--current-match { background: #ff0000; }
    CursorView > .cursor-view--match { background: #00ff00; }
    CursorView > .cursor-view--cursor { background: #0000ff; }
    """

    def __init__(self, rows: list[str]) -> None:
        super().__init__()
        self.rows = rows
        self.statuses: list[str] = []

    def compose(self) -> ComposeResult:
        yield CursorView(ListRows([Text(row) for row in self.rows]), cursor=True)

    def on_cursor_view_find_changed(self, event: CursorView.FindChanged) -> None:
        self.statuses.append(event.status)


def backgrounds(view: CursorView, y: int) -> list[tuple[str, Color | None]]:
    return [(s.text, s.style.bgcolor if s.style else None) for s in view.render_line(y)]


async def test_list_keys_move_page_and_go_to_the_ends():
    app = ListApp([f"row {i}" for i in range(200)])
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(CursorView)
        view.focus()
        await pilot.press("j", "j", "down")
        assert view.cursor_row == 3
        await pilot.press("k", "up")
        assert view.cursor_row == 1
        await pilot.press("space")
        page = view.cursor_row - 1
        assert page >= 20
        await pilot.press("b")
        assert view.cursor_row == 1
        await pilot.press("G")
        assert view.cursor_row == 199 and view.scroll_y == view.max_scroll_y > 0
        await pilot.press("g")
        assert view.cursor_row == 0 and view.scroll_y == 0
        # the cursor row takes its colour from the CSS (a theme), not from Python
        assert any(bg == Color.parse("#0000ff") for _, bg in backgrounds(view, 0))
        # nothing here opens a find bar: `/` is left to the screen (which says so), n/N too
        assert not view.check_action("find", ()) and not view.check_action("find_next", (1,))


async def test_rows_that_grow_from_none_scroll_to_a_row_in_the_same_call():
    """A view laid out empty (no scrollbar yet) that gets its rows and a cursor move in one
    callback scrolls to the cursor, before any layout has shown a scrollbar (a filter that hid
    every line, cleared by a go-to: it failed so under load)."""
    app = ListApp([])
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(CursorView)
        await pilot.pause()
        assert not view.show_vertical_scrollbar
        view.source = ListRows([Text(f"row {i}") for i in range(500)])
        view.rows_changed()
        view.move_cursor(400)
        assert view.cursor_row == 400
        top = int(view.scroll_y)
        assert top <= 400 < top + view.scrollable_content_region.height


async def test_find_marks_every_match_on_screen_and_counts_them():
    rows = ["alpha beta alpha", "gamma", "beta alpha", "delta"] + [f"filler {i}" for i in range(50)]
    app = ListApp(rows)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(CursorView)
        view.find("alpha")
        await until(pilot, lambda: view.counted)
        await pilot.pause()
        assert view.matches == [(0, 0), (0, 11), (2, 5)]
        assert view.current_match == (0, 0) and app.statuses[-1] == "1 of 3"
        red, green = Color.parse("#ff0000"), Color.parse("#00ff00")
        first = backgrounds(view, 0)
        # both matches of the first row are marked, the current one apart from the other
        assert [text for text, bg in first if bg == red] == ["alpha"]
        assert [text for text, bg in first if bg == green] == ["alpha"]
        assert [text for text, bg in backgrounds(view, 2) if bg == green] == ["alpha"]
        view.focus()
        await pilot.press("n")
        assert view.current_match == (0, 11) and app.statuses[-1] == "2 of 3"
        await pilot.press("n", "n")  # wraps around
        assert view.current_match == (0, 0) and app.statuses[-1] == "1 of 3"
        await pilot.press("N")
        assert view.current_match == (2, 5) and view.cursor_row == 2 and app.statuses[-1] == "3 of 3"
        view.find("nowhere")
        await until(pilot, lambda: view.counted)
        await pilot.pause()
        assert view.current_match is None and app.statuses[-1] == "no match"


async def test_a_huge_count_runs_in_a_worker_and_says_so_meanwhile():
    rows = [f"line {i}" for i in range(300_000)] + ["the needle"]
    app = ListApp(rows)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(CursorView)
        view.find("needle")
        assert not view.counted  # find returned at once: the count is still going
        await until(pilot, lambda: view.counted, tries=3000)
        await pilot.pause()
        assert view.current_match == (300_000, 4) and view.cursor_row == 300_000
        # meanwhile the status said it was counting, then where the match is
        assert app.statuses[0] == "counting…" and app.statuses[-1] == "1 of 1"
        view.find("line")
        await until(pilot, lambda: view.counted, tries=3000)
        await pilot.pause()
        assert len(view.matches) == 100_000 and view.capped  # kept for n/N up to a cap
        assert app.statuses[-1].endswith(" of 100,000+")


# --- the text view -------------------------------------------------------------------------------
class TextApp(App):
    def __init__(self, lines: list[str]) -> None:
        super().__init__()
        self.document = TextDocument(lines, "text", width=max(map(len, lines)))

    def compose(self) -> ComposeResult:
        yield TextViewer(Artifact("a_t", "llm_prompt"), self.document)


async def test_text_find_scrolls_sideways_to_a_match_off_screen_and_shows_n_of_m():
    lines = ["short line"] * 5 + ["x" * 300 + " target here"] + ["more"] * 5 + ["a target too"]
    app = TextApp(lines)
    async with app.run_test(size=SIZE) as pilot:
        viewer = app.query_one(TextViewer)
        view = viewer.line_view
        view.focus()
        await pilot.press("l")  # h/l (and the arrows) scroll text sideways
        assert view.scroll_x > 0
        await pilot.press("h")
        assert view.scroll_x == 0
        await pilot.press("slash", *"target", "enter")
        await until(pilot, lambda: view.counted)
        await pilot.pause()
        assert view.match_line == 5
        assert view.scroll_x > 200  # the match is on screen, far to the right
        y = view.row_of(5) - int(view.scroll_y)
        shown = "".join(s.text for s in view.render_line(y))
        assert "target" in shown
        count = viewer.query_one(".find-count", Static)
        assert count.display and str(count.content) == "1 of 2"
        await pilot.press("n")
        assert view.match_line == 11 and view.scroll_x == 0 and str(count.content) == "2 of 2"
        await pilot.press("j", "k", "G", "g", "space", "b")  # a text without a cursor scrolls
        assert view.cursor_line is None


async def test_text_wraps_at_word_boundaries():
    words = " ".join(f"word{i:02d}" for i in range(60))
    app = TextApp([words])
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(TextViewer).line_view
        view.set_wrap(True)
        await pilot.pause()
        rows = ["".join(s.text for s in view.render_line(y))[view._gutter:].rstrip() for y in range(view.virtual_size.height)]
        assert len(rows) > 1
        # every row holds whole words: none is cut in two
        assert all(part.startswith("word") and len(part) == 6 for row in rows for part in row.split(" "))
        assert " ".join(rows) == words


# --- the log view --------------------------------------------------------------------------------
class LogApp(App):
    def __init__(self, count: int) -> None:
        super().__init__()
        lines = "".join(f"2026-11-28T16:02:20.955363Z [info     ] event {i} key=value\n" for i in range(count))
        self.log_model = skyvern_log(lines.encode())

    def compose(self) -> ComposeResult:
        yield LogView(self.log_model)


async def test_log_keys_are_the_list_keys():
    app = LogApp(500)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(LogView)
        view.focus()
        await pilot.press("j", "j", "k")
        assert view.current_line == 1
        await pilot.press("space")
        assert view.current_line > 20
        await pilot.press("G")
        assert view.current_line == 499
        await pilot.press("g")
        assert view.current_line == 0
        view.find("event 42 ")
        await until(pilot, lambda: view.counted)
        await pilot.pause()
        assert view.current_line == 42 and view.matches == [(42, 40)]


# --- the HAR table -------------------------------------------------------------------------------
class HarApp(App):
    def __init__(self) -> None:
        super().__init__()
        self.har = open_data(Artifact("a_h", "har"), big_har(300)).model

    def compose(self) -> ComposeResult:
        yield HarViewer(Artifact("a_h", "har"), self.har)


async def test_har_table_keys_and_find():
    app = HarApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(RequestTable)
        table.focus()
        await pilot.press("j", "down", "k")
        assert table.cursor == 1
        await pilot.press("space")
        assert table.cursor > 10
        await pilot.press("b")
        assert table.cursor == 1
        await pilot.press("G")
        assert table.cursor == 299
        await pilot.press("g")
        assert table.cursor == 0
        await pilot.press("slash")
        bar = app.query_one("Input.find", Input)
        assert bar.has_focus
        await pilot.press(*"/p/250", "enter")
        await until(pilot, lambda: table.counted)
        await pilot.pause()
        assert table.cursor == 250 and table.has_focus
        assert "/p/250" in table.current.path


# --- the trace viewer ----------------------------------------------------------------------------
class TraceApp(App):
    def __init__(self) -> None:
        super().__init__()
        self.trace = open_data(Artifact("a_t", "trace"), (DATA / "network" / "trace_v7.zip").read_bytes()).model

    def compose(self) -> ComposeResult:
        yield TraceViewer(Artifact("a_t", "trace"), self.trace)


def detail(app: App) -> str:
    return str(app.query_one("#trace-detail-text", Static).content)


async def test_trace_opens_on_the_selected_action_and_moves_with_j_k():
    app = TraceApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        trace = app.query_one(TraceViewer)
        actions = trace.query_one("#actions", CursorView)
        assert app.focused is actions or trace.focus()
        assert trace.model.actions[0].title in detail(app)  # the first screen shows row 0
        assert actions.check_action("find", ())  # the viewer opens its find bar for the list
        await pilot.press("j")
        assert actions.cursor_row == 1 and trace.model.actions[1].title in detail(app)
        await pilot.press("G")
        assert actions.cursor_row == len(trace.model.actions) - 1
        await pilot.press("k")
        assert actions.cursor_row == len(trace.model.actions) - 2


async def test_trace_letters_typed_after_slash_are_the_query_not_commands():
    app = TraceApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        trace = app.query_one(TraceViewer)
        trace.focus()
        frame = trace.frame_index
        await pilot.press("slash", *"click", "q", "n", "o", "a")
        bar = trace.query_one("Input.find", Input)
        assert bar.value == "clickqnoa"
        # no command ran: the list is still the actions, the frame is the same, the app runs
        assert trace.query_one(ContentSwitcher).current == "actions"
        assert trace.frame_index == frame and app.is_running
        await pilot.press(*["backspace"] * 4, "enter")
        await settle(pilot)
        actions = trace.query_one("#actions", CursorView)
        clicks = [i for i, a in enumerate(trace.model.actions) if a.title == "Page.click"]
        assert len(clicks) == 2
        assert actions.cursor_row == clicks[0] and actions.has_focus
        assert str(trace.query_one(".find-count", Static).content) == "1 of 2"
        await pilot.press("n")  # once something was searched, n is the next match
        assert actions.cursor_row == clicks[1] and trace.model.actions[clicks[1]].title in detail(app)


async def test_trace_list_colours_come_from_its_component_classes():
    class RedTraceApp(TraceApp):
        CSS = "TraceList > .trace-list--failed { color: #ff0000; }"

    app = RedTraceApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        trace = app.query_one(TraceViewer)
        actions = trace.query_one("#actions", CursorView)
        failed = next(i for i, a in enumerate(trace.model.actions) if a.error)
        actions.move_cursor(failed)
        await pilot.pause()
        y = failed - int(actions.scroll_y)
        red = [s.text for s in actions.render_line(y) if s.style and s.style.color == Color.parse("#ff0000")]
        assert red == [trace.model.actions[failed].title]


async def test_a_count_whose_rows_shrink_under_it_stops_quietly_and_the_new_one_counts():
    app = ListApp([f"row {i} x" for i in range(200_000)])
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(CursorView)
        view.find("x")
        source = view.source
        assert isinstance(source, ListRows)
        source.rows = source.rows[:10]  # a filter took most rows away while counting
        view.rows_changed()
        await until(pilot, lambda: view.counted, tries=2000)
        await pilot.pause()
        assert view.matches == [(i, len(f"row {i} ")) for i in range(10)]
        assert all(w.state.name != "ERROR" for w in app.workers)

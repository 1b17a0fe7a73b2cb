"""Run-wide search in the app (ctrl+f): results grouped in step order as they come, smart case,
re:, a bad regex, enter at the match with n going on, escape back at the same result, escape
cancelling a running search on a big log, hostile lines shown as data, the last results kept."""

from __future__ import annotations

import threading
from pathlib import Path

from textual import events

from apptools import SIZE, demo_app, local_app, make_run, settle, until
from bundled_runs import BUNDLED, RECORDED, run_id
from test_log_index import log_bytes
from tui.core.sources.local import LocalSource
from tui.ui.screens.artifact import ArtifactScreen
from tui.ui.screens.run import RunScreen
from tui.ui.screens.search import FoundScreen, SearchScreen
from tui.ui.screens.story import StoryScreen
from tui.ui.widgets.cursor_view import CursorView


async def search(pilot, query: str) -> SearchScreen:
    if not isinstance(pilot.app.screen, SearchScreen):
        await pilot.press("ctrl+f")
        await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SearchScreen)
    screen.query_input.focus()
    screen.query_input.value = ""
    await pilot.press(*query, "enter")
    await settle(pilot)
    return screen


def headers(screen: SearchScreen) -> list:
    return [row for row in screen.rows if row.hit is None]


def step_order(screen: SearchScreen) -> list[str]:
    order = [a.artifact_id for g in screen.detail.groups() for a in g.artifacts]
    return [row.artifact.artifact_id for row in headers(screen)], order


def assert_in_step_order(screen: SearchScreen) -> None:
    found, order = step_order(screen)
    positions = [order.index(a) for a in found]
    assert positions == sorted(positions) and len(set(found)) == len(found)


async def test_demo_finds_a_string_everywhere_grouped_in_step_order() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await search(pilot, "html")
        types = {row.artifact.artifact_type for row in headers(screen)}
        assert {"skyvern_log", "llm_prompt", "har", "visible_elements_tree", "trace"} <= types
        assert_in_step_order(screen)
        # Every match row is under its artifact's header.
        current = None
        for row in screen.rows:
            if row.hit is None:
                current = row.artifact
            else:
                assert row.artifact is current
        status = str(screen.query_one("Static.progress").render())
        assert "matches in" in status and "searched" in status
        assert screen.results.has_focus


async def test_recorded_run_finds_log_prompt_har_and_tree(tmp_path: Path) -> None:
    assert "task_completed" in RECORDED
    app = local_app(LocalSource(BUNDLED / "task_completed" / "storage"), run_id("task_completed"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, RunScreen)
        screen = await search(pilot, "html")
        types = {row.artifact.artifact_type for row in headers(screen)}
        assert {"skyvern_log", "llm_prompt", "har", "visible_elements_tree"} <= types
        assert_in_step_order(screen)


async def test_a_query_typed_in_one_burst_after_ctrl_f_is_the_query() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        run = app.screen
        # Posted together, as a terminal sends them: no key may reach the run screen as a command.
        for key, character in [("ctrl+f", None), ("d", "d"), ("q", "q"), ("enter", "\r")]:
            app.post_message(events.Key(key, character))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SearchScreen) and app.screen_stack[-2] is run
        assert screen.query_input.value == "dq" and screen.state.query == "dq"
        assert app.return_code is None
        # And the keys typed right after enter are the results', not more of the query.
        screen.set_focus(screen.query_input)
        await pilot.pause()
        screen.query_input.value = ""
        for key, character in [("A", "A"), ("c", "c"), ("m", "m"), ("e", "e"), ("enter", "\r"), ("j", "j"), ("k", "k")]:
            app.post_message(events.Key(key, character))
        await settle(pilot)
        assert screen.query_input.value == "Acme" and screen.state.query == "Acme" and screen.rows
        assert app.return_code is None and app.screen is screen


async def test_smart_case_regex_and_a_bad_regex() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await search(pilot, "sign in")
        lower = [row.hit for row in screen.rows if row.hit is not None]
        screen = await search(pilot, "Sign in")
        upper = [row.hit for row in screen.rows if row.hit is not None]
        assert upper and len(lower) > len(upper)
        assert all(hit.text[s:e] == "Sign in" for hit in upper for s, e in hit.spans)
        assert any(hit.text[s:e] != "Sign in" for hit in lower for s, e in hit.spans)
        screen = await search(pilot, "re:spur\\s+gear")
        hits = [row.hit for row in screen.rows if row.hit is not None]
        assert hits and all(hit.text[s:e].lower().startswith("spur") for hit in hits for s, e in hit.spans)
        screen = await search(pilot, "re:(unclosed")
        assert "Not a regular expression" in str(screen.query_one("Static.progress").render())
        assert isinstance(app.screen, SearchScreen) and app.return_code is None


async def test_enter_opens_at_the_match_n_goes_on_escape_comes_back() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await search(pilot, "step_id")
        rows = screen.rows
        index = next(i for i, row in enumerate(rows) if row.hit is not None and row.artifact.artifact_type == "skyvern_log")
        screen.results.move_cursor(index)
        line = int(rows[index].hit.target.split(":")[1])
        await pilot.press("enter")
        await settle(pilot)
        found = app.screen
        assert isinstance(found, FoundScreen)
        viewer = found.pane.viewer
        assert viewer is not None and viewer.find_bar.value == "step_id" and viewer.find_bar.has_class("-open")
        assert not viewer.find_bar.has_focus
        view = viewer.find_focus()
        assert view.has_focus and view.current_line == line and view.match_query == "step_id"
        await pilot.press("n")
        await settle(pilot)
        assert view.current_line is not None and view.current_line > line
        assert "step_id" in viewer.model.line(view.current_line)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and screen.results.cursor_row == index and screen.results.has_focus


async def test_enter_on_a_tree_and_a_har_opens_there() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await search(pilot, "AAAH")
        index = next(i for i, row in enumerate(screen.rows)
                     if row.hit is not None and row.artifact.artifact_type == "visible_elements_tree")
        screen.results.move_cursor(index)
        await pilot.press("enter")
        await settle(pilot)
        viewer = app.screen.pane.viewer
        assert viewer.selected is not None and viewer.selected.element_id == "AAAH"
        assert viewer.find_bar.value == "AAAH"
        await pilot.press("escape")
        await settle(pilot)
        screen = await search(pilot, "html")
        index = next(i for i, row in enumerate(screen.rows) if row.hit is not None and row.artifact.artifact_type == "har")
        screen.results.move_cursor(index)
        entry = int(screen.rows[index].hit.target.split(":")[1])
        await pilot.press("enter")
        await settle(pilot)
        viewer = app.screen.pane.viewer
        assert viewer.table.current is not None and viewer.table.current.index == entry


async def test_escape_cancels_a_running_search_then_goes_back_a_level(tmp_path: Path, monkeypatch) -> None:
    big = log_bytes(400_000)  # some 40 MB
    while len(big) < 50 << 20:
        big += big[: (50 << 20) - len(big)]
    source = make_run(tmp_path / "run", [("skyvern_log", "skyvern.log", big)])
    # The search's read waits at a gate until escape has been pressed: however fast this
    # machine searches 50 MB, escape comes while the search runs.
    from tui.core.run_search import search as run_search

    gate = threading.Event()
    opener = run_search.open_artifact

    def gated(*args, **kwargs):
        gate.wait(30)
        return opener(*args, **kwargs)

    app = local_app(source, "tsk_test")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        monkeypatch.setattr(run_search, "open_artifact", gated)
        await pilot.press(*"not in the log", "enter")
        await until(pilot, lambda: screen.running)
        await pilot.press("escape")
        gate.set()
        await until(pilot, lambda: not screen.running)
        assert "Cancelled" in str(screen.query_one("Static.progress").render())
        assert app.screen is screen
        await pilot.press("escape")  # from the results to the query
        assert screen.query_input.has_focus and app.screen is screen
        await pilot.press("escape")  # and out
        await settle(pilot)
        assert isinstance(app.screen, RunScreen)


async def test_hostile_lines_are_shown_as_data(tmp_path: Path) -> None:
    hostile = b"2026-11-28T16:00:00Z [info     ] [bold]needle[/bold] \x1b]0;owned\x07 \x1b[2J [link=file:///etc/passwd]x\n"
    source = make_run(tmp_path / "run", [("skyvern_log", "skyvern.log", hostile)])
    app = local_app(source, "tsk_test")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await search(pilot, "needle")
        view: CursorView = screen.results
        plain = [view.source.row_plain(i, 200) for i in range(view.row_count)]
        assert any("[bold]needle[/bold]" in line and "␛" in line and "[link=file:///etc/passwd]" in line for line in plain)
        assert not any("\x1b" in line or "\x07" in line for line in plain)


async def test_ctrl_f_again_shows_the_last_results_from_every_screen() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await search(pilot, "Acme")
        count = len(screen.rows)
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, RunScreen)
        await pilot.press("ctrl+f")
        await settle(pilot)
        again = app.screen
        assert isinstance(again, SearchScreen) and again is not screen
        assert again.query_input.value == "Acme" and len(again.rows) == count
        # From a result's artifact, ctrl+f is back at the results.
        again.results.move_cursor(1)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ArtifactScreen)
        await pilot.press("ctrl+f")
        await settle(pilot)
        assert app.screen is again
        await pilot.press("escape", "escape")
        await settle(pilot)
        # From a step's story.
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, StoryScreen)
        await pilot.press("ctrl+f")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen) and len(app.screen.rows) == count

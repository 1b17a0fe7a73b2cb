"""Keys typed in one burst (tmux hands a fast typist's keys over in one read) act as if typed
slowly: each key goes where the keys before it left the focus."""

from __future__ import annotations

from textual import events

from apptools import demo_app, settle
from tui.core.catalog import Category
from tui.ui.screens.run import RunScreen

SIZE = (120, 40)
CHARACTERS = {"enter": "\r", "escape": "\x1b"}


def burst(app, *keys: str) -> None:
    """Post every key at once, as a terminal's read delivers them (Pilot's press waits between keys)."""
    for key in keys:
        app.post_message(events.Key(key, CHARACTERS.get(key, key if len(key) == 1 else None)))


async def test_into_a_log_back_out_and_into_the_overview_in_one_burst():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RunScreen)
        burst(app, "4", "enter", "escape", "0", "enter")
        await settle(pilot)
        # The last enter was the overview's: its item opened over the run screen.
        assert app.screen is not screen
        assert screen.showing_overview


async def test_a_category_key_after_escape_from_a_loading_viewer_is_not_lost():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RunScreen)
        burst(app, "3", "enter", "j", "j", "escape", "4")
        await settle(pilot)
        assert app.screen is screen
        assert screen.shown_category is Category.LOGS
        assert screen.artifact_list.has_focus


async def test_escape_typed_right_after_enter_in_the_list_comes_back_to_the_list():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("1")
        await settle(pilot)
        first = screen.artifact_list.artifact
        burst(app, "enter", "escape", "j")
        await settle(pilot)
        assert app.screen is screen and screen.shown_category is Category.VISUAL
        assert screen.artifact_list.has_focus  # the escape came back from the viewer; j moved in the list
        second = screen.artifact_list.artifact
        assert first is not None and second is not None and second is not first
        assert screen.artifact_list.artifacts.index(second) == screen.artifact_list.artifacts.index(first) + 1


def _keys(data: str) -> list[tuple[str, str | None]]:
    from tui.ui.key_order import EscapeThenKey

    return [(e.key, e.character) for e in EscapeThenKey().feed(data) if isinstance(e, events.Key)]


def test_escape_glued_to_the_next_key_is_escape_then_that_key():
    # What tmux writes for `send-keys Escape 4` (and for escape then 4 typed within its escape-time).
    assert _keys("\x1b4") == [("escape", "\x1b"), ("4", "4")]
    assert _keys("\x1b0") == [("escape", "\x1b"), ("0", "0")]
    assert _keys("\x1bj") == [("escape", "\x1b"), ("j", "j")]
    assert _keys("\x1b\r") == [("escape", "\x1b"), ("enter", "\r")]
    assert _keys("\x1b/") == [("escape", "\x1b"), ("slash", "/")]


def test_escape_sequences_are_read_as_before():
    from textual._xterm_parser import XTermParser

    for data in ("\x1b[A", "\x1b[1;3D", "\x1b[1;3C", "\x1bOP", "\x1b[200~pasted\x1b[201~", "\x1b\x1b", "ab"):
        textual = [(e.key, e.character) for e in XTermParser().feed(data) if isinstance(e, events.Key)]
        assert _keys(data) == textual, data
    assert _keys("\x1b[1;3D") == [("alt+left", None)]


def test_the_app_reads_its_terminal_with_that_parser():
    from textual.drivers import linux_driver

    from tui.ui.key_order import EscapeThenKey

    demo_app()
    assert linux_driver.XTermParser is EscapeThenKey


async def test_keys_after_one_that_closes_a_screen_are_not_held_back():
    from tui.ui.screens.help import HelpScreen

    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        burst(app, "question_mark", "escape", "4")
        await settle(pilot)
        assert not isinstance(app.screen, HelpScreen)
        assert app.screen is screen and screen.shown_category is Category.LOGS


async def test_keys_typed_ahead_and_dropped_by_an_escape_while_the_replay_waits_are_not_an_error(monkeypatch):
    """The replay waits for the app to be idle before each key; an escape meanwhile forgets the
    keys typed ahead. It popped from the emptied list (an IndexError, seen under load in CI)."""
    from tui.ui.screens import run as run_module

    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RunScreen)
        screen._typed_ahead = [events.Key("j", "j")]
        screen._typing_ahead = True

        async def escape_meanwhile(*args) -> None:
            screen._typed_ahead = []  # what an escape does while the viewer loads

        monkeypatch.setattr(run_module, "wait_for_idle", escape_meanwhile)
        await screen._give_typed()
        assert screen._replaying is None and not screen._typing_ahead

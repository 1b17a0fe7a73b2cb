"""The find bar and its count, as drawn: one line each, the count above the bar, both visible."""

from __future__ import annotations

from textual import events
from textual.widgets import Input, Static

from apptools import demo_app, settle, until


def _burst(app, *keys: str) -> None:
    """Keys as a terminal delivers a fast typist's: all queued before any is handled."""
    for key in keys:
        event = events.Key(key, {"enter": "\r", "slash": "/"}.get(key, key if len(key) == 1 else None))
        event.set_sender(app)
        app.post_message(event)


def _on_top(app, widget) -> bool:
    region = widget.region
    return region.height > 0 and app.screen.get_widget_at(region.x + 1, region.y)[0] is widget


async def test_the_count_shows_above_the_open_find_bar():
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key in ["3", "enter", "slash", *"head", "enter"]:  # an HTML page's text viewer
            await pilot.press(key)
            await settle(pilot)
        bar = app.screen.query(Input).filter(".find.-open").only_one()
        assert bar.value == "head"
        count = next(c for c in app.screen.query(Static).filter(".find-count") if c.display)
        assert str(count.render()) == "1 of 4"
        assert bar.region.height == 1 and count.region.y == bar.region.y - 1
        assert _on_top(app, bar) and _on_top(app, count)  # docked widgets do not stack by themselves
        await pilot.press("slash", "escape")  # back into the bar, which closes; the count stays, on the bottom line
        await settle(pilot)
        assert not bar.display and _on_top(app, count)


async def test_a_find_typed_at_once_after_enter_is_one_line_with_the_query_in_it():
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        _burst(app, "enter", "slash", "E", "N", "D")
        await until(pilot, lambda: isinstance(app.focused, Input) and app.focused.value == "END")
        await settle(pilot)
        bar = app.focused
        # A focused (or validated) Input is three lines tall unless compact: its text was hidden.
        assert bar.region.height == 1 and _on_top(app, bar)

"""The category strip: at 80x24 the six categories and their counts stay on the run screen."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from apptools import demo_app, settle, until
from tui.core.catalog import CATEGORIES, Category
from tui.ui.widgets.category_strip import CategoryStrip, fitting_entries, strip_width
from tui.ui.widgets.sidebar import OVERVIEW, CategorySidebar


def _line(app) -> str:
    """The strip's line as drawn on screen."""
    strip = app.screen.query_one(CategoryStrip)
    return "".join(segment.text for segment in strip.render_line(0)).rstrip()


async def test_at_80x24_the_strip_shows_every_category_with_its_count_and_marks_the_one_on_show():
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        strip = screen.query_one(CategoryStrip)
        assert strip.display and strip.region.height == 1 and strip.region.width == 80
        assert not screen.query_one(CategorySidebar).display  # no room for the sidebar
        counts = screen.detail.counts
        line = _line(app)
        assert line.startswith("[0 Overview]")
        for number, category in enumerate(CATEGORIES, start=1):
            assert f"{number} " in line and f" {counts[category]}" in line
        assert len(line) <= 80
        for number, category in enumerate(CATEGORIES, start=1):
            await pilot.press(str(number))
            await settle(pilot)
            assert strip.current == category.value
            assert f"[{number} " in _line(app) and _line(app).count("[") == 1
            assert screen.artifact_list.border_title.startswith(category.label)
        await pilot.press("0")
        await settle(pilot)
        assert strip.current == OVERVIEW and _line(app).startswith("[0 Overview]")


async def test_a_click_on_the_strip_chooses_that_category():
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        strip = app.screen.query_one(CategoryStrip)
        line = _line(app)
        await pilot.click(CategoryStrip, offset=(line.index("4 Logs"), 0))
        await settle(pilot)
        assert app.screen.shown_category is Category.LOGS and strip.current == Category.LOGS.value
        await pilot.click(CategoryStrip, offset=(1, 0))
        await settle(pilot)
        assert app.screen.showing_overview and strip.current == OVERVIEW


async def test_wide_screens_show_the_sidebar_and_a_resize_swaps_them():
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        strip, sidebar = screen.query_one(CategoryStrip), screen.query_one(CategorySidebar)
        assert sidebar.display and not strip.display
        await pilot.press("2")
        await settle(pilot)
        await pilot.resize_terminal(80, 24)
        await until(pilot, lambda: strip.display and not sidebar.display)
        await settle(pilot)
        assert strip.current == Category.AI.value and "[2 AI " in _line(app)  # the strip knows what is on show
        await pilot.press("5")
        await settle(pilot)
        await pilot.resize_terminal(120, 40)
        await until(pilot, lambda: sidebar.display and not strip.display)
        assert sidebar.category is Category.NETWORK


@given(st.lists(st.integers(0, 10**9), min_size=len(CATEGORIES), max_size=len(CATEGORIES)), st.integers(20, 300))
def test_the_fitted_labels_are_the_longest_that_fit(numbers: list[int], width: int):
    counts = dict(zip(CATEGORIES, numbers, strict=True))
    entries = fitting_entries(counts, width)
    assert len(entries) == 1 + len(CATEGORIES)
    assert [count for _, _, count in entries[1:]] == numbers  # every count, in order
    full = strip_width(fitting_entries(counts, 10**6))
    assert (strip_width(entries) <= width) or entries[1][1] == "1"  # fits, or is already the shortest
    if full <= width:
        assert entries[1][1] == "1 Visual"

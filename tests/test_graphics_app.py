"""Pictures in real pixels, in the app (headless, a mode forced): what the terminal would be sent.

A headless app writes nothing, so `graphics_written` keeps what `send_graphics` would have
written: kitty transmissions and deletions, and the sixel rows drawn after each frame.
"""

from __future__ import annotations

import re

from PIL import Image

from apptools import demo_app, settle, until
from graphics_decode import decode_sixel, kitty_transmissions
from picture_checks import difference, fitted
from tui.core.graphics import kitty
from tui.core.graphics.modes import CellSize, Graphics, Mode
from tui.ui.graphics_output import BOTTOM_MARGIN, marked_cells
from tui.ui.screens.help import HelpScreen
from tui.ui.widgets.image_view import ImageView

CELL = CellSize(8, 16)
SIXEL = Graphics(Mode.SIXEL, CELL, False, "sixel: forced by the test", "cell 8x16 px (the test's)")
KITTY = Graphics(Mode.KITTY, CELL, False, "kitty graphics: forced by the test", "cell 8x16 px (the test's)")
SIZE = (160, 48)
# A sixel row drawn after a frame: cursor saved, moved to (row, column), the image, restored.
DRAWN_ROW = re.compile(r"\x1b7\x1b\[(\d+);(\d+)H(\x1bP.*?\x1b\\)\x1b8", re.S)


async def screenshot_view(pilot) -> ImageView:
    """The visual category's first screenshot, drawn."""
    await settle(pilot)
    await pilot.press("1")
    await settle(pilot)
    view = pilot.app.screen.query_one(ImageView)
    await until(pilot, lambda: view.drawing is not None and view.drawing.sent, tries=3000)
    await settle(pilot)
    return view


def expected(view: ImageView) -> Image.Image:
    """The screenshot as Pillow scales it into the pane's pixels, centred on transparency."""
    return fitted(view.image, view.size.width * CELL.width, view.size.height * CELL.height)


def drawn_rows(written: list[str]) -> list[tuple[int, int, str]]:
    """(row, column, sixel) of each sixel row written, 1-based as the terminal counts."""
    return [(int(m[1]), int(m[2]), m[3]) for m in DRAWN_ROW.finditer("".join(written))]


async def test_sixel_a_screenshot_fills_its_pane_in_real_pixels_and_is_the_screenshot():
    app = demo_app(graphics=SIXEL)
    app.graphics_written = []
    async with app.run_test(size=SIZE) as pilot:
        view = await screenshot_view(pilot)
        drawing = view.drawing
        assert drawing is not None and drawing.sixel_key is not None
        assert len(drawing.sixel_rows) == view.size.height and drawing.width == view.size.width
        # Each row is one cell tall and the pane wide, in pixels; together they are the screenshot.
        canvas = Image.new("RGBA", (view.size.width * CELL.width, view.size.height * CELL.height))
        for row, data in enumerate(drawing.sixel_rows):
            image = decode_sixel(data)
            assert image.width == view.size.width * CELL.width and image.height >= CELL.height
            canvas.alpha_composite(image.crop((0, 0, image.width, CELL.height)), (0, row * CELL.height))
        assert difference(canvas, expected(view)) < 2
        # The frames drew every row where the pane is, once the rows were on screen.
        region = view.region
        rows = {(y, x) for y, x, _ in drawn_rows(app.graphics_written)}
        wanted = {(region.y + r + 1, region.x + 1) for r in range(view.size.height)
                  if region.y + r < SIZE[1] - BOTTOM_MARGIN}
        assert wanted <= rows


async def test_sixel_rows_are_not_drawn_under_a_dialog_and_come_back_when_it_closes():
    app = demo_app(graphics=SIXEL)
    app.graphics_written = []
    async with app.run_test(size=SIZE) as pilot:
        view = await screenshot_view(pilot)
        region = view.region
        app.graphics_written.clear()
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert drawn_rows(app.graphics_written) == []  # the help covers the pane: nothing drawn over it
        await pilot.press("escape")
        await settle(pilot)
        rows = {(y, x) for y, x, _ in drawn_rows(app.graphics_written)}
        assert (region.y + 1, region.x + 1) in rows  # drawn again where the help was


async def test_sixel_a_pane_that_is_gone_leaves_no_rows_to_draw():
    app = demo_app(graphics=SIXEL)
    app.graphics_written = []
    async with app.run_test(size=SIZE) as pilot:
        view = await screenshot_view(pilot)
        key = view.drawing.sixel_key
        assert key in app.pictures.sixel_rows
        await pilot.press("3")  # page structure: the screenshot's viewer goes
        await settle(pilot)
        assert key not in app.pictures.sixel_rows
        app.graphics_written.clear()
        await pilot.press("1")
        await settle(pilot)
        marks = "".join(app.graphics_written)
        assert key not in marks  # the old drawing's rows are never drawn again


async def test_kitty_the_image_is_sent_once_at_the_panes_pixel_size_and_deleted_with_its_pane():
    app = demo_app(graphics=KITTY)
    app.graphics_written = []
    async with app.run_test(size=SIZE) as pilot:
        view = await screenshot_view(pilot)
        drawing = view.drawing
        assert drawing is not None and drawing.image_id is not None
        sent = kitty_transmissions("".join(app.graphics_written))
        png, keys = sent[drawing.image_id]
        assert keys["U"] == "1" and keys["c"] == str(view.size.width) and keys["r"] == str(view.size.height)
        from io import BytesIO

        image = Image.open(BytesIO(png))
        assert image.size == (view.size.width * CELL.width, view.size.height * CELL.height)
        assert difference(image.convert("RGBA"), expected(view)) < 1
        # The pane's cells are the placeholders of that image, row by row.
        strip = view.render_line(0)
        assert strip.text == kitty.placeholder_line(0, view.size.width)
        assert view.render_line(5).text == kitty.placeholder_line(5, view.size.width)
        assert "".join(app.graphics_written).count(drawing.transmission) == 1
        await pilot.press("3")
        await settle(pilot)
        assert kitty.delete(drawing.image_id) in "".join(app.graphics_written)


async def test_kitty_the_overviews_newest_screenshot_is_a_kitty_image_too():
    app = demo_app(graphics=KITTY)
    app.graphics_written = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await until(pilot, lambda: bool(app.graphics_written), tries=3000)
        sent = kitty_transmissions("".join(app.graphics_written))
        assert sent, "the overview's picture was not sent"
        _, keys = next(iter(sent.values()))
        assert int(keys["c"]) <= SIZE[0] and int(keys["r"]) >= 1


async def test_half_blocks_send_nothing():
    app = demo_app()
    app.graphics_written = []
    async with app.run_test(size=SIZE) as pilot:
        view = await screenshot_view(pilot)
        assert view.drawing is not None and view.drawing.image_id is None and view.drawing.sixel_key is None
        assert app.graphics_written == []


def test_marked_cells_reads_what_a_frame_wrote():
    from rich.segment import Segment
    from rich.style import Style
    from textual._compositor import ChopsUpdate, LayoutUpdate
    from textual.geometry import Region
    from textual.strip import Strip

    from tui.ui.pictures import SIXEL_META

    mark = Style.from_meta({SIXEL_META: "s1:0"})
    line = Strip([Segment("ab"), Segment("    ", mark), Segment("c")])
    assert list(marked_cells(LayoutUpdate([[line]], Region(3, 7, 7, 1)))) == [("s1:0", 5, 7, 4)]
    # A chops update writes only its spans: a span that misses the marked cells finds nothing.
    chops = [{0: line}]
    assert list(marked_cells(ChopsUpdate(chops, [(0, 0, 2)], [[7]]))) == []
    assert list(marked_cells(ChopsUpdate(chops, [(0, 3, 7)], [[7]]))) == [("s1:0", 2, 0, 4)]


async def test_sixel_rows_under_a_notification_wait_for_it_to_go_and_are_drawn_again():
    from textual.widgets._toast import Toast

    app = demo_app(graphics=SIXEL)
    app.graphics_written = []
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        view = await screenshot_view(pilot)
        region = view.region
        app.graphics_written.clear()
        app.notify("a note over the screenshot", timeout=1.0)
        await until(pilot, lambda: bool(app.screen.query(Toast)))
        await settle(pilot)
        toast = app.screen.query_one(Toast).region
        assert toast.overlaps(region)  # bottom right, over the pane
        under = {y for y in range(toast.y, toast.bottom)}
        view.refresh()  # the whole pane written again while the note covers part of it
        await settle(pilot)
        drawn = {y - 1 for y, _, _ in drawn_rows(app.graphics_written)}
        assert drawn and not drawn & under  # the rows it cuts are not drawn (over the note)
        app.graphics_written.clear()
        await until(pilot, lambda: not app.screen.query(Toast), tries=3000)
        await settle(pilot)
        redrawn = {y - 1 for y, x, _ in drawn_rows(app.graphics_written) if x == region.x + 1}
        assert under & set(range(region.y, region.bottom)) <= redrawn


async def _kitty_drawn(pilot, view: ImageView) -> None:
    await until(pilot, lambda: view.drawing is not None and view.drawing.sent, tries=3000)
    assert view.drawing.image_id is not None  # a kitty image, not half blocks


async def test_kitty_draws_every_kind_of_picture_with_the_same_renderer():
    """The trace's frame and film strip, the recording's frames and an LLM request's image."""
    from test_viewers_visual import open_visual

    from tui.ui.screens.image import ImageScreen
    from tui.ui.viewers.trace import FilmStrip, TraceViewer
    from tui.ui.viewers.video import VideoViewer

    app = demo_app(graphics=KITTY)
    app.graphics_written = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("5", "down", "enter")  # the trace
        await settle(pilot)
        trace = app.screen.query_one(TraceViewer)
        await _kitty_drawn(pilot, trace.query_one(ImageView))
        strip = trace.query_one(FilmStrip)
        await until(pilot, lambda: len(strip._shown) >= 3, tries=3000)
        assert all(d.image_id is not None and d.sent for d in strip._shown)
        await open_visual(pilot, "recording")
        video = app.screen.query_one(VideoViewer)
        await _kitty_drawn(pilot, video.query_one(ImageView))
        await pilot.press("2", "down", "enter")  # the first llm_request
        await settle(pilot)
        await pilot.press("enter")  # its image
        await until(pilot, lambda: isinstance(app.screen, ImageScreen), tries=3000)
        await _kitty_drawn(pilot, app.screen.query_one(ImageView))
        sent = kitty_transmissions("".join(app.graphics_written))
        assert len(sent) >= 6


async def test_kitty_draws_a_png_body_of_a_har_entry():
    from test_viewers_network import HarApp
    from textual.widgets import Input

    from tui.ui.pictures import Pictures
    from tui.ui.viewers.network import EntryDetail

    app = HarApp("bodies.har")
    app.pictures = Pictures(KITTY)  # type: ignore[attr-defined]  # a viewer alone: the app's renderer
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f")
        app.query_one(Input).value = ""
        await pilot.press(*"img", "enter")
        await settle(pilot)
        view = app.query_one(EntryDetail).query_one(ImageView)
        await until(pilot, lambda: view.drawing is not None, tries=3000)
        assert view.drawing.image_id is not None and view.drawing.transmission

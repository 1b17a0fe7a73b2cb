"""Pictures: decoded once for the overview and the viewer, drawn in workers as ready lines of
half blocks, and a page's text on screen before its picture (issue 12)."""

from __future__ import annotations

import io
import os
import threading

import pytest
from PIL import Image
from rich.console import Console
from rich.text import Text
from rich_pixels import Pixels
from textual.app import App, ComposeResult

from apptools import settle, until
from tui.core.errors import ParseError
from tui.core.formats import media
from tui.core.model import Artifact
from tui.ui.widgets.half_blocks import half_block_rows
from tui.ui.widgets.image_view import ImageView
from tui.ui.widgets.page_view import PageItem, PageView


def png(width: int, height: int, noise: bool = True) -> bytes:
    image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)) if noise \
        else Image.new("RGB", (width, height), (200, 10, 10))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The bytes each real decode was given, with an empty cache to start from."""
    monkeypatch.setattr(media, "_decoded", type(media._decoded)())
    seen: list[bytes] = []
    real = media._decode

    def counted(data: bytes, target, max_pixels):
        seen.append(data)
        return real(data, target, max_pixels)

    monkeypatch.setattr(media, "_decode", counted)
    return seen


def test_the_same_bytes_are_decoded_once(decodes: list[bytes]):
    data = png(64, 48)
    first = media.open_image(data)
    again = media.open_image(bytes(data))  # read again: other bytes objects, same content
    assert again is first and len(decodes) == 1
    assert media.open_image(data, (8, 6)).size == (8, 6)  # another target is another decode
    assert len(decodes) == 2
    other = png(64, 48)
    assert media.open_image(other) is not first and len(decodes) == 3


def test_two_threads_asking_at_once_decode_once(monkeypatch: pytest.MonkeyPatch, decodes: list[bytes]):
    started, release = threading.Event(), threading.Event()
    counted = media._decode

    def slow(data: bytes, target, max_pixels):
        started.set()
        release.wait(10)
        return counted(data, target, max_pixels)

    monkeypatch.setattr(media, "_decode", slow)
    data = png(32, 32)
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(media.open_image(data))) for _ in range(2)]
    threads[0].start()
    assert started.wait(10)
    threads[1].start()  # asks while the first decode is under way
    release.set()
    for thread in threads:
        thread.join(10)
    assert len(decodes) == 1 and len(got) == 2 and got[0] is got[1]


def test_bad_bytes_fail_each_time_and_leave_nothing_pending(decodes: list[bytes]):
    for _ in range(2):
        with pytest.raises(ParseError):
            media.open_image(b"not an image at all")
    assert len(decodes) == 2 and not media._decoding and not media._decoded


def cells(lines) -> list[list[tuple[str, object, object]]]:
    return [[(ch, seg.style.color.triplet, seg.style.bgcolor.triplet) for seg in line for ch in seg.text]
            for line in lines]


@pytest.mark.parametrize("size", [(7, 5), (12, 8)])
def test_half_blocks_look_as_rich_pixels_drew_them(size: tuple[int, int]):
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    console = Console(width=100, color_system="truecolor", file=io.StringIO())
    theirs = console.render_lines(Pixels.from_image(image), console.options.update_width(size[0]), pad=False)
    assert cells(half_block_rows(image)) == cells(theirs)  # an odd height stretched the same way


def test_a_run_of_equal_cells_is_one_segment():
    rows = half_block_rows(Image.new("RGB", (40, 6), (1, 2, 3)))
    assert [len(row) for row in rows] == [1, 1, 1] and rows[0][0].text == "▄" * 40


class ViewApp(App):
    CSS = "ImageView { width: 20; height: 6; }"

    def __init__(self, image: media.Picture) -> None:
        super().__init__()
        self.image = image

    def compose(self) -> ComposeResult:
        yield ImageView(self.image)


async def test_the_view_centres_its_ready_lines():
    image = media.open_image(png(10, 4, noise=False))
    app = ViewApp(image)
    async with app.run_test(size=(40, 10)) as pilot:
        view = app.query_one(ImageView)
        await until(pilot, lambda: (20, 6) in view._rendered)
        drawn = view._rendered[(20, 6)]
        assert drawn is view.drawing and drawn.height == 2  # 4 pixel rows, two to a line, not enlarged
        shown = [view.render_line(y).text for y in range(6)]
        assert shown == [" " * 20] * 2 + [" " * 5 + "▄" * 10 + " " * 5] * 2 + [" " * 20] * 2


class PageApp(App):
    def __init__(self, release: threading.Event) -> None:
        super().__init__()
        self.release = release
        self.shot = Artifact("a_1", "screenshot_final")
        self.image = media.open_image(png(30, 20))

    def items(self, style, width: int) -> list[PageItem]:
        return [PageItem(Text("Steps (3)")), PageItem(Text("Newest screenshot"), key="shot", picture=self.shot)]

    def picture_of(self, artifact: Artifact) -> media.Picture:
        self.release.wait(10)  # a big screenshot still decoding
        return self.image

    def compose(self) -> ComposeResult:
        yield PageView(self.items, self.picture_of)


async def test_a_page_shows_its_text_before_its_picture():
    release = threading.Event()
    app = PageApp(release)
    async with app.run_test(size=(60, 30)) as pilot:
        view = app.query_one(PageView)
        try:
            await until(pilot, lambda: view.line_of("Steps (3)") is not None)
            assert view.line_of("drawing screenshot_final") is not None and not view.drawn
        finally:
            release.set()
        await until(pilot, lambda: view.drawn == {"a_1"})
        await settle(pilot)
        assert view.line_of("drawing") is None and any("▄" in line for line in view.plain_lines())


class LinksApp(App):
    def items(self, style, width: int) -> list[PageItem]:
        return [PageItem(Text("Step 1"), key="s1", link="step 1"), PageItem(Text("a note")),
                PageItem(Text("Step 2"), key="s2", link="step 2")]

    def compose(self) -> ComposeResult:
        yield PageView(self.items)


async def test_the_footer_is_refreshed_only_when_enter_changes_meaning(monkeypatch: pytest.MonkeyPatch):
    """Each part of the run model read lays the overview out again; the footer (rebuilt at
    every refresh of the bindings) follows only when enter starts or stops opening something."""
    app = LinksApp()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(PageView)
        await until(pilot, lambda: view.cursor_key == "s1")
        refreshed: list[bool] = []
        monkeypatch.setattr(view, "refresh_bindings", lambda: refreshed.append(True))
        for _ in range(5):
            view.relayout()
        assert refreshed == []  # the cursor is still on a link: enter still opens
        view.move_cursor(view.line_of("a note"))
        assert refreshed == [True] and not view.check_action("open", ())
        view.move_cursor(view.line_of("Step 2"))
        assert refreshed == [True, True] and view.check_action("open", ())

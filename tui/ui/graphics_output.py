"""What the app writes to the terminal beside Textual's frames: kitty images and sixel rows.

Textual knows nothing of terminal graphics. Kitty images need only be sent before their
placeholders are drawn (`send_graphics`). Sixel pixels are erased by any text written over
them, so after each frame the app looks at the cells that frame wrote: a sixel drawing's cells
carry its key (`pictures.SIXEL_META`), and each of its rows the frame rewrote whole is drawn
again there, in its own sixel image. A row the frame cut (a dialog, a notification over it) is
left blank; it is drawn again in the frame that shows it whole.

This reads Textual's private compositor updates (`LayoutUpdate`, `ChopsUpdate`) and hooks the
private `App._display`/`_end_update`: tests/test_graphics_app.py fails if their shape changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rich.cells import cell_len
from textual._compositor import ChopsUpdate, LayoutUpdate
from textual.app import App
from textual.screen import Screen
from textual.strip import Strip

from .pictures import SIXEL_META, Pictures

SAVE_CURSOR, RESTORE_CURSOR = "\x1b7", "\x1b8"
# A sixel image moves the cursor below itself, and an image that ends on the last line scrolls
# the whole screen: rows this close to the bottom are not drawn (the footer is there anyway).
BOTTOM_MARGIN = 2


def _marks(strips: Iterable[Strip], x: int, y: int, x1: int, x2: int) -> Iterator[tuple[str, int, int, int]]:
    for strip in strips:
        for segment in strip:
            text, style = segment.text, segment.style
            width = cell_len(text) if not text.isascii() else len(text)
            if style is not None and style._meta is not None and x < x2 and x + width > x1:
                mark = style.meta.get(SIXEL_META)
                if mark is not None:
                    yield mark, x, y, width
            x += width


def marked_cells(update: object) -> Iterator[tuple[str, int, int, int]]:
    """(mark, x, y, width) of every run of marked cells a compositor update writes."""
    if isinstance(update, LayoutUpdate):
        region = update.region
        for y, line in enumerate(update.strips, region.y):
            yield from _marks(line, region.x, y, region.x, region.right)
    elif isinstance(update, ChopsUpdate):
        for y, x1, x2 in update.spans:
            for end, (x, strip) in zip(update.chop_ends[y], update.chops[y].items(), strict=True):
                if strip is not None and x < x2 and end > x1:
                    yield from _marks([strip], x, y, x1, x2)


def sixel_frame(update: object, pictures: Pictures, screen: Screen, height: int) -> str:
    """The sixel rows to draw after a frame (empty when it rewrote none)."""
    if not pictures.sixel_rows:
        return ""
    out: list[str] = []
    seen: set[str] = set()
    for mark, x, y, width in marked_cells(update):
        if mark in seen or y >= height - BOTTOM_MARGIN:
            continue
        key, _, row = mark.rpartition(":")
        shown = pictures.sixel_rows.get(key)
        if shown is None or shown.screen is not screen or width != shown.width or not row.isdigit():
            continue
        seen.add(mark)
        if int(row) < len(shown.rows):
            out.append(f"{SAVE_CURSOR}\x1b[{y + 1};{x + 1}H{shown.rows[int(row)]}{RESTORE_CURSOR}")
    return "".join(out)


class GraphicsOutput(App):
    """The app's side of terminal graphics (mixed into SkyvernTUI)."""

    pictures: Pictures
    # Tests set a list here to see what would be written (a headless app writes nothing).
    graphics_written: list[str] | None = None
    _sixel_pending = ""  # the rows of the frame being written

    def send_graphics(self, data: str) -> None:
        if not data:
            return
        if self.graphics_written is not None:
            self.graphics_written.append(data)
        driver = self._driver
        if driver is not None and not self.is_headless:
            driver.write(data)

    def _display(self, screen: Screen, renderable) -> None:
        # The rows are found before the frame is written and written at its end, inside the
        # same synchronized update (_end_update), so the terminal never shows them blank.
        self._sixel_pending = ""
        if renderable is not None and not self._batch_count and self.pictures.sixel_rows:
            self._sixel_pending = sixel_frame(renderable, self.pictures, screen, self.size.height)
        super()._display(screen, renderable)
        if self._sixel_pending:  # not written by _end_update: a headless app (tests)
            self.send_graphics(self._sixel_pending)
            self._sixel_pending = ""

    def _end_update(self) -> None:
        if self._sixel_pending:
            self.send_graphics(self._sixel_pending)
            self._sixel_pending = ""
        super()._end_update()

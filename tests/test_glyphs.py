"""Glyphs for the terminal: ASCII in a locale that is not UTF-8, the Linux console's set on TERM=linux."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from tui.ui.glyphs import ASCII, CONSOLE, UNICODE, glyph_driver, glyph_set, to_ascii, to_console


@given(st.text())
def test_ascii_keeps_every_cell_where_it_was(text: str):
    plain = to_ascii(text)
    assert plain.isascii()
    assert cell_len(plain) == cell_len(text)  # the layout Textual computed stays as it is


def test_ascii_look_alikes():
    assert to_ascii("╭─ Logs ─╮") == "+- Logs -+"
    assert to_ascii("│ é … — ✓ ⏎") == "| e . - v <"
    assert to_ascii("日本") == "????"  # two cells each
    assert to_ascii("\x1b[1mbold\x1b[0m") == "\x1b[1mbold\x1b[0m"  # escape sequences untouched


def test_console_has_square_corners_and_half_blocks():
    assert to_console("╭─╮▁▅▏▊") == "┌─┐ ▄ ▌"


def test_which_glyphs():
    assert glyph_set({"LANG": "C.UTF-8", "TERM": "xterm-256color"}) == UNICODE
    assert glyph_set({"LANG": "en_US.utf8", "TERM": "linux"}) == CONSOLE
    assert glyph_set({"LANG": "en_US.UTF-8", "LC_ALL": "C", "TERM": "xterm"}) == ASCII  # LC_ALL wins
    assert glyph_set({"LC_CTYPE": "de_DE.ISO-8859-1", "LANG": "de_DE.UTF-8"}) == ASCII
    assert glyph_set({"TERM": "xterm"}) == UNICODE  # no locale at all says nothing: Python writes UTF-8
    assert glyph_set({"LANG": "C", "TERM": "xterm"}) == ASCII
    assert glyph_set({"LANG": "C", "SKYVERN_TUI_GLYPHS": "unicode"}) == UNICODE


def test_the_driver_writes_only_what_the_terminal_draws(monkeypatch):
    from textual.drivers.linux_driver import LinuxDriver

    assert glyph_driver({"LANG": "C.UTF-8", "TERM": "xterm"}) is None  # Textual's own driver
    driver = glyph_driver({"LANG": "C"})
    assert driver is not None and issubclass(driver, LinuxDriver)
    written: list[str] = []
    monkeypatch.setattr(LinuxDriver, "write", lambda self, data: written.append(data))
    driver.write(object.__new__(driver), "╭─╮ naïve")
    assert written == ["+-+ naive"]

"""What the terminal can draw: every glyph the app writes, made fit for it at the one place
where the app writes (the driver).

- A locale that is not UTF-8 (LANG=C, LC_ALL=C): ASCII only. Each other character becomes an
  ASCII look-alike of the same width in cells (box lines `+-|`, a wide character `??`), so the
  layout Textual computed stays as it is; a non-UTF-8 terminal would otherwise show several
  characters for each byte of a UTF-8 one, and tmux shows `_` for each.
- The Linux console (TERM=linux), whose fonts hold the square box lines and the half blocks of
  CP437 but not rounded corners nor the eighth blocks of scrollbars: those become the nearest
  it holds.

`SKYVERN_TUI_GLYPHS=unicode|console|ascii` overrides the guess.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable, Mapping
from functools import lru_cache

from rich.cells import cell_len
from textual.driver import Driver

UNICODE, CONSOLE, ASCII = "unicode", "console", "ascii"

# Look-alikes that unicodedata's decomposition does not give.
_ASCII_LIKE = {
    "…": ".", "·": ".", "•": "*", "—": "-", "–": "-", "−": "-", "‘": "'", "’": "'", "“": '"', "”": '"',
    "→": ">", "←": "<", "↑": "^", "↓": "v", "⏎": "<", "↵": "<", "▸": ">", "▶": ">", "►": ">", "◀": "<",
    "▲": "^", "▼": "v", "●": "*", "○": "o", "✓": "v", "✔": "v", "✗": "x", "✘": "x", "×": "x", "¦": "|",
    "█": "#", "▓": "#", "▒": "#", "░": ":", "\u00a0": " ",
}

# The Linux console: rounded corners to square ones, heavy lines to light ones, eighth blocks to
# the half block (or nothing) they are nearest to.
_CONSOLE = str.maketrans({
    "╭": "┌", "╮": "┐", "╰": "└", "╯": "┘",
    "━": "─", "┃": "│", "┏": "┌", "┓": "┐", "┗": "└", "┛": "┘",
    "▁": " ", "▂": " ", "▃": " ", "▅": "▄", "▆": "▄", "▇": "▄", "▔": "▀",
    "▏": " ", "▎": " ", "▍": " ", "▋": "▌", "▊": "▌", "▉": "▌",
})


def _box(name: str) -> str:
    if "DIAGONAL" in name:
        return "\\" if "UPPER LEFT TO LOWER RIGHT" in name else "/"
    horizontal, vertical = "HORIZONTAL" in name, "VERTICAL" in name
    if horizontal and not vertical:
        return "-"
    if vertical and not horizontal:
        return "|"
    return "+"  # corners, tees, crosses


@lru_cache(maxsize=4096)
def ascii_like(char: str) -> str:
    """One character as ASCII of the same width in cells ('' for one of no width)."""
    width = cell_len(char)
    if char in _ASCII_LIKE:
        return _ASCII_LIKE[char]
    name = unicodedata.name(char, "")
    if name.startswith("BOX DRAWINGS"):
        return _box(name)
    if "\u2580" <= char <= "\u259f":  # block elements: partial blocks are drawn by their colour
        return " "
    plain = "".join(c for c in unicodedata.normalize("NFKD", char) if c.isascii() and c.isprintable())
    if width == 0:
        return ""
    if len(plain) == width:
        return plain  # é -> e (only where the widths agree)
    return "?" * width


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def to_ascii(text: str) -> str:
    """The text with every other character replaced by its ASCII look-alike, cell for cell."""
    if text.isascii():
        return text
    return _NON_ASCII.sub(lambda found: "".join(map(ascii_like, found.group())), text)


def to_console(text: str) -> str:
    return text if text.isascii() else text.translate(_CONSOLE)


def glyph_set(env: Mapping[str, str]) -> str:
    """ascii for a locale that is not UTF-8, console for the Linux console, else unicode."""
    chosen = env.get("SKYVERN_TUI_GLYPHS", "").strip().lower()
    if chosen in (UNICODE, CONSOLE, ASCII):
        return chosen
    # The locale's character set, as the C library picks it: the first of these that is set.
    # None set at all says nothing of the terminal (a bare container, an ssh without SendEnv):
    # Python writes UTF-8 then, and most terminals draw it.
    locale = next((env[name] for name in ("LC_ALL", "LC_CTYPE", "LANG") if env.get(name)), None)
    if locale is not None and not re.search(r"utf-?8", locale, re.IGNORECASE):
        return ASCII
    if env.get("TERM", "").startswith("linux"):
        return CONSOLE
    return UNICODE


TRANSLATIONS: dict[str, Callable[[str], str]] = {ASCII: to_ascii, CONSOLE: to_console}


def glyph_driver(env: Mapping[str, str]) -> type[Driver] | None:
    """The driver to run the app with: None (Textual's own) where every glyph can be drawn, else
    the platform's driver writing only what the terminal can draw."""
    glyphs = glyph_set(env)
    found = TRANSLATIONS.get(glyphs)
    if found is None:
        return None
    translate: Callable[[str], str] = found
    base: type[Driver]
    if sys.platform == "win32":
        from textual.drivers.windows_driver import WindowsDriver as base
    else:
        from textual.drivers.linux_driver import LinuxDriver as base

    class GlyphDriver(base):  # type: ignore[valid-type, misc]
        def write(self, data: str) -> None:
            super().write(translate(data))

    GlyphDriver.__name__ = f"{glyphs.title()}{base.__name__}"
    return GlyphDriver

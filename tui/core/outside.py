"""Which program opens an artifact outside the app (`o`): text in `$PAGER` (default `less`),
pictures, HTML, video and PDF in `$BROWSER` or the desktop's opener. Without a display (over
SSH) and without `$BROWSER`, there is nowhere to show a picture: that is said, not tried."""

from __future__ import annotations

import atexit
import shlex
import shutil
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .catalog import Format

PAGER_FORMATS = frozenset({Format.TEXT, Format.JSON, Format.PYTHON})
BROWSER_FORMATS = frozenset({Format.IMAGE, Format.VIDEO, Format.HTML, Format.PDF})


@dataclass(frozen=True)
class Program:
    argv: tuple[str, ...]  # the file's path goes last, or where `%s` is
    why: str  # "$PAGER", "$BROWSER", "xdg-open"

    def command(self, path: Path) -> list[str]:
        if any("%s" in arg for arg in self.argv):
            return [arg.replace("%s", str(path)) for arg in self.argv]
        return [*self.argv, str(path)]

    @property
    def name(self) -> str:
        return self.argv[0]


class NoProgram(Exception):
    """Nothing can open this here: the message says why, in one line."""


def _split(value: str, variable: str) -> tuple[str, ...]:
    try:
        argv = tuple(shlex.split(value))
    except ValueError as exc:
        raise NoProgram(f"${variable} cannot be read as a command ({exc})") from exc
    if not argv:
        raise NoProgram(f"${variable} is empty")
    return argv


def choose_program(fmt: Format, env: Mapping[str, str], platform: str = sys.platform) -> Program:
    """The program for an artifact of format `fmt`, from the environment; NoProgram otherwise."""
    if fmt in PAGER_FORMATS:
        pager = env.get("PAGER", "").strip()
        return Program(_split(pager, "PAGER"), "$PAGER") if pager else Program(("less",), "less")
    if fmt not in BROWSER_FORMATS:
        raise NoProgram(f"no program opens {fmt.value} content: save it with ctrl+s")
    browser = env.get("BROWSER", "").strip()
    if browser:
        # The convention: a list of commands separated by ':'; the first one is used.
        return Program(_split(browser.split(":", 1)[0], "BROWSER"), "$BROWSER")
    if platform == "darwin":
        return Program(("open",), "open")
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        raise NoProgram("no display here (over SSH?) and no $BROWSER: save it with ctrl+s, or set $BROWSER")
    return Program(("xdg-open",), "xdg-open")


def missing(program: Program, env: Mapping[str, str]) -> str | None:
    """Why the program cannot run (not on $PATH), or None."""
    if shutil.which(program.name, path=env.get("PATH")) is None:
        return f"{program.name} ({program.why}) is not installed or not on $PATH"
    return None


_folder: Path | None = None


def temp_folder() -> Path:
    """One private folder for the files handed to other programs, removed when the app exits
    (a browser opened by xdg-open reads its file after xdg-open has returned)."""
    global _folder
    if _folder is None:
        _folder = Path(tempfile.mkdtemp(prefix="skyvern-tui-open-"))
        atexit.register(shutil.rmtree, _folder, True)
    return _folder

"""The graphics setting: which way pictures are drawn, and how that was decided.

`--graphics` > $SKYVERN_TUI_GRAPHICS > the config file's `graphics = "..."` > auto. Auto asks the
terminal before the app starts (detect.resolve); the result is a Graphics the UI draws with.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import TuiError

ENV_VAR = "SKYVERN_TUI_GRAPHICS"


class GraphicsError(TuiError):
    """A graphics setting that names no mode."""


class Mode(str, enum.Enum):
    AUTO = "auto"
    KITTY = "kitty"
    SIXEL = "sixel"
    HALFBLOCK = "halfblock"


_ALIASES = {"half-block": Mode.HALFBLOCK, "halfblocks": Mode.HALFBLOCK, "half-blocks": Mode.HALFBLOCK}
CHOICES = ", ".join(mode.value for mode in Mode)


def parse_mode(text: str) -> Mode:
    """The mode a flag, variable or config value names (case and surrounding space ignored)."""
    word = str(text).strip().lower()
    if word in _ALIASES:
        return _ALIASES[word]
    try:
        return Mode(word)
    except ValueError:
        raise GraphicsError(f"unknown graphics mode {text!r}: choose one of {CHOICES}") from None


@dataclass(frozen=True)
class CellSize:
    """Pixels of one terminal cell."""

    width: int
    height: int


# What most terminals' default fonts come close to; used when the terminal does not say.
DEFAULT_CELL = CellSize(10, 20)


@dataclass(frozen=True)
class Graphics:
    """What the app draws pictures with (mode is never AUTO) and why, for the help screen."""

    mode: Mode
    cell: CellSize
    tmux: bool  # kitty transmissions must be wrapped in tmux passthrough (tmux.passthrough)
    reason: str  # one line: how the mode was chosen
    cell_reason: str  # one line: where the cell size came from
    # Bytes the terminal sent during detection that were none of our answers (keys typed in
    # those 0.2 s, for instance): they cannot be pushed back into the input, so they are kept here.
    stray: bytes = b""
    # The widest sixel image the terminal draws, in pixels (XTSMGRAPHICS; xterm's maxGraphicSize
    # is 1000x1000 unless set, and it draws nothing of a wider one). None: it did not say.
    sixel_width: int | None = None


HALFBLOCK = Graphics(
    Mode.HALFBLOCK,
    DEFAULT_CELL,
    False,
    "half-blocks: the default",
    "cell 10x20 px (assumed: no pixels are drawn)",
)


def requested_mode(flag: str | None, env: Mapping[str, str], config_value: str | None) -> tuple[Mode, str]:
    """The mode asked for, and which setting asked: a flag beats the environment, which beats the
    config file. An empty value counts as not given. A bad value raises GraphicsError naming it."""
    for value, how in ((flag, "--graphics"), (env.get(ENV_VAR), ENV_VAR), (config_value, "the config file")):
        if value is not None and str(value).strip():
            try:
                return parse_mode(value), how
            except GraphicsError as exc:
                raise GraphicsError(f"{how}: {exc}") from None
    return Mode.AUTO, "default"

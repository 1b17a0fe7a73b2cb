"""tmux: passthrough of sequences tmux would otherwise swallow (kitty graphics).

tmux 3.3+ passes `DCS tmux; ... ST` to the outer terminal only with `set -g allow-passthrough on`
(or `all`); older versions always did. Every ESC inside is doubled so that tmux's own parser does
not end the DCS early.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping

START = "\x1bPtmux;"
END = "\x1b\\"


def inside_tmux(env: Mapping[str, str]) -> bool:
    return bool(env.get("TMUX"))


def passthrough(sequence: str) -> str:
    return START + sequence.replace("\x1b", "\x1b\x1b") + END


def show_command() -> list[str]:
    # -A: the value in effect for this pane (its own, its window's or the global one).
    return ["tmux", "show", "-Apv", "allow-passthrough"]


def passthrough_answer(returncode: int, out: str, err: str) -> bool:
    """Whether `tmux show -Apv allow-passthrough` said passthrough is on."""
    if returncode == 0:
        return out.strip().lower() in {"on", "all"}
    # tmux before 3.3 has no such option, and passed every passthrough through.
    return "invalid option" in err or "unknown option" in err


def passthrough_allowed(timeout: float = 0.2) -> bool:
    """Ask the tmux we run in whether it passes `DCS tmux;` through; False when it cannot say in
    time (a stuck server must not hold up the start)."""
    try:
        done = subprocess.run(show_command(), capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return passthrough_answer(done.returncode, done.stdout, done.stderr)

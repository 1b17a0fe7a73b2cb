"""What to say after a copy: it goes to the terminal by OSC 52, which never answers, so whether
the clipboard took it cannot be known; tmux passes it on only when told to."""

from __future__ import annotations

TMUX_HINT = "in tmux: set -g set-clipboard on"


def sent_to_clipboard(what: str) -> str:
    """'The request as curl sent to the terminal's clipboard (...)'."""
    return f"{what} sent to the terminal's clipboard (if nothing pastes, the terminal refused it; {TMUX_HINT})."

"""What `y` can copy, and how much: the terminal's clipboard is written by OSC 52, a base64
escape sequence that terminals cap (and drop whole, silently, beyond their cap)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .catalog import Format
from .model import Artifact

# Bytes of text at most: base64 makes 100 kB about 133 kB of escape sequence, under the
# limits terminals put on one sequence (tmux: about 1 MB; several terminals far less). A
# bigger text is refused with a pointer to ctrl+s rather than sent to be dropped unseen.
MAX_CLIPBOARD_BYTES = 100_000
TEXT_FORMATS = frozenset({Format.TEXT, Format.JSON, Format.HTML, Format.PYTHON})


@dataclass(frozen=True)
class CopyChoice:
    """One thing the copy menu offers: `text`, or `load` to call in a worker for it (an
    artifact's bytes); `what` names it in the notification."""

    key: str
    what: str
    text: str | None = None
    load: Callable[[], str] | None = None


def has_text(artifact: Artifact) -> bool:
    """Whether the artifact is text to copy (an image, video or archive is not offered)."""
    return artifact.kind.format in TEXT_FORMATS


def decode_text(data: bytes) -> str:
    """The bytes as text; ValueError for bytes that are not UTF-8 text (binary)."""
    if b"\x00" in data[:8192]:
        raise ValueError("binary content, not text")
    return data.decode("utf-8")


def too_big(text: str) -> str | None:
    """Why `text` is not sent to the clipboard, or None when it fits."""
    size = len(text.encode("utf-8"))
    if size <= MAX_CLIPBOARD_BYTES:
        return None
    return (f"{size:,} bytes is more than a terminal's clipboard takes ({MAX_CLIPBOARD_BYTES:,}): "
            "save it with ctrl+s instead")

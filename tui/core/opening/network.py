"""What the network viewers prepare per request, in their workers: a body image."""

from __future__ import annotations

from ..formats.har import Entry
from ..formats.media import Picture, open_image


def entry_image(entry: Entry) -> Picture | None:
    """The response body as an image when it is one (and Pillow can read it). Blocks."""
    if not entry.mime.startswith("image/"):
        return None
    data = entry.body()
    if not data:
        return None
    try:
        return open_image(data)
    except Exception:  # a broken or bomb image: the detail text already says what it is
        return None

"""Screenshots, drawn inline."""

from __future__ import annotations

from PIL import Image
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from ...core.formats.media import open_image
from ...core.model import Artifact
from ..text import human_time
from ..widgets.image_view import ImageView
from .base import Viewer, ViewerContext, register


@register("image")
class ImageViewer(Viewer, can_focus=True):
    DEFAULT_CSS = "ImageViewer { layout: vertical; } ImageViewer .note { color: $text-muted; padding: 0 1; }"

    model: Image.Image

    @classmethod
    def prepare(cls, artifact: Artifact, data: bytes | None, context: ViewerContext) -> Image.Image:
        return open_image(data or b"")

    def compose(self) -> ComposeResult:
        note = f"{self.artifact.artifact_type} · {self.model.width}x{self.model.height} · {human_time(self.artifact.created_at)}"
        yield Static(Text(note), classes="note")
        yield ImageView(self.model)

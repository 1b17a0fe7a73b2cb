"""An image on its own, over the current screen (an image inside another artifact, e.g. an LLM request)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen

from ...core.formats.media import Picture
from ..widgets.image_view import ImageView


class ImageScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    ImageScreen { align: center middle; }
    ImageScreen Vertical { width: 95%; height: 95%; border: round $accent; background: $surface; }
    """

    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="image_screen.back"),
        # A modal screen hides the app's keys: quit again here (moved with app.quit by the keymap).
        Binding("q", "app.quit", "Quit", show=False, id="image_screen.quit"),
    ]

    def __init__(self, image: Picture, title: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.image = image
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = Text(self.title_text)
            box.border_subtitle = "esc closes"
            yield ImageView(self.image)

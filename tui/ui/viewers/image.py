"""Screenshots, drawn inline: zoom and pan, and flip through every screenshot of the run."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static
from textual.widget import Widget

from ...core.opening import Screenshot
from ..text import human_clock, safe_text
from ..widgets.image_view import ImageView
from .base import Viewer

# Zoom and pan, shared by the viewers that show an ImageView (screenshots, video frames).
ZOOM_BINDINGS = [
    Binding("plus", "zoom_in", "Zoom in", id="image.zoom_in"),
    Binding("minus", "zoom_out", "Zoom out", id="image.zoom_out"),
    # `=` rather than `0`: the digits pick categories (0 is kept for the run overview).
    Binding("equals_sign", "fit", "Fit to the pane", id="image.fit"),
]
PAN_BINDINGS = [
    Binding("h,left", "pan(-1, 0)", "Pan left (zoomed)", show=False, id="image.left"),
    Binding("l,right", "pan(1, 0)", "Pan right (zoomed)", show=False, id="image.right"),
    Binding("k,up", "pan(0, -1)", "Pan up (zoomed)", show=False, id="image.up"),
    Binding("j,down", "pan(0, 1)", "Pan down (zoomed)", show=False, id="image.down"),
]
PAN_STEP = 0.25  # of the view


class ZoomActions:
    """Actions of ZOOM_BINDINGS and PAN_BINDINGS for a widget holding an ImageView (or not yet)."""

    def _image_view(self) -> ImageView | None:
        assert isinstance(self, Widget), "a mixin of widgets"
        found = self.query(ImageView)
        return found.first() if found else None

    def action_zoom_in(self) -> None:
        if view := self._image_view():
            view.zoom_in()

    def action_zoom_out(self) -> None:
        if view := self._image_view():
            view.zoom_out()

    def action_fit(self) -> None:
        if view := self._image_view():
            view.fit()

    def action_pan(self, dx: int, dy: int) -> None:
        if view := self._image_view():
            view.pan(dx * PAN_STEP, dy * PAN_STEP)


def zoom_label(view: ImageView) -> str:
    return f"zoom {view.scale * 100:.0f}%" if view.port.zoomed else f"fit {view.scale * 100:.0f}%"


# The zoom handed from a screenshot to the one flipped to (a new viewer is built for it):
# artifact id -> (image size, (level, cx, cy)). At most one entry.
_CARRIED_ZOOM: dict[str, tuple[tuple[int, int], tuple[int, float, float]]] = {}


class ImageViewer(ZoomActions, Viewer[Screenshot], can_focus=True):
    DEFAULT_CSS = "ImageViewer { layout: vertical; } ImageViewer .note { color: $text-muted; padding: 0 1; }"
    HELP_TITLE = "Screenshot"

    BINDINGS = [
        Binding("left_square_bracket", "flip(-1)", "Previous screenshot", id="screenshot.previous"),
        Binding("right_square_bracket", "flip(1)", "Next screenshot", id="screenshot.next"),
        *ZOOM_BINDINGS,
        *PAN_BINDINGS,
    ]

    MODEL = Screenshot
    model: Screenshot

    def compose(self) -> ComposeResult:
        yield Static(self.caption(), classes="note")
        view = ImageView(self.model.image)
        # Flipped to from a zoomed screenshot of the same size: look at the same place.
        carried = _CARRIED_ZOOM.pop(self.artifact.artifact_id, None)
        if carried is not None and carried[0] == self.model.image.size:
            view.port.level, view.port.cx, view.port.cy = carried[1]
        yield view

    def caption(self) -> Text:
        """Type, step, time, place among the run's screenshots, size and zoom."""
        model = self.model
        parts = [self.artifact.artifact_type]
        if model.index is not None:
            parts += [model.shots[model.index].step]
        parts.append(human_clock(self.artifact.captured_at))
        if model.index is not None:
            parts.append(f"{model.index + 1}/{len(model.shots)}")
        parts.append(f"{model.image.width}x{model.image.height}")
        views = self.query(ImageView)
        if views:
            parts.append(zoom_label(views.first()))
        # One line even in a narrow pane: the keys are in the footer and the help screen.
        return safe_text(" · ".join(parts))

    def on_image_view_changed(self) -> None:
        # Also called after a refresh (on_resize), by when a category switch may have removed
        # this viewer and its children.
        for note in self.query(".note").results(Static):
            note.update(self.caption())

    def on_resize(self) -> None:
        self.call_after_refresh(self.on_image_view_changed)

    def action_flip(self, step: int) -> None:
        """Open the previous/next screenshot of the run: the list follows (Navigate)."""
        model = self.model
        if model.index is None:
            return
        target = model.index + step
        if 0 <= target < len(model.shots):
            other = model.shots[target].artifact
            port = self.query_one(ImageView).port
            _CARRIED_ZOOM.clear()
            if port.zoomed:
                _CARRIED_ZOOM[other.artifact_id] = (model.image.size, (port.level, port.cx, port.cy))
            self.post_message(self.Navigate(other))
        else:
            self.notify("No more screenshots this way.", severity="information", timeout=2)

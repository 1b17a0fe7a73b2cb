"""Recordings: what the container says, and with PyAV a frame scrubber.

The container's facts come from tui.core.formats.video without any video library. Frames
need PyAV (the optional `video` extra): each is decoded in a worker thread, one at a time,
and drawn by the same ImageView as screenshots (zoom and pan included).
"""

from __future__ import annotations

import threading

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static
from textual.worker import get_current_worker

from ...core.formats.media import Picture
from ...core.formats.video import VideoInfo
from ...core.model import Artifact
from ...core.opening import Recording
from ..text import safe_text
from ..widgets.image_view import ImageView
from .base import Viewer
from .image import PAN_BINDINGS, ZOOM_BINDINGS, ZoomActions, zoom_label
from .metadata import metadata_table


def info_line(info: VideoInfo) -> str:
    """One line of facts (the size is in the pane's title)."""
    parts = [info.container]
    if info.duration is not None:
        parts.append(f"{info.duration:.2f} s" + (" (from the last frame)" if info.duration_estimated else ""))
    if info.width and info.height:
        parts.append(f"{info.width}x{info.height}")
    if info.fps:
        parts.append(f"{info.fps:g} fps")
    if info.codec:
        parts.append(info.codec)
    if info.frames:
        parts.append(f"{info.frames} frames")
    return " · ".join(parts)


def clock(seconds: float) -> str:
    minutes, secs = divmod(max(0.0, seconds), 60)
    return f"{int(minutes):02d}:{secs:05.2f}"


FRAME_ACTIONS = frozenset({"step", "jump", "seek", "zoom_in", "zoom_out", "fit", "pan"})


class VideoViewer(ZoomActions, Viewer[Recording], can_focus=True):
    DEFAULT_CSS = """
    VideoViewer { layout: vertical; }
    VideoViewer .note { color: $text-muted; padding: 0 1; }
    VideoViewer .hint { padding: 1 2; }
    """

    HELP_TITLE = "Recording (frames need PyAV)"

    BINDINGS = [
        Binding("left_square_bracket", "step(-1)", "Previous frame", id="video.previous"),
        Binding("right_square_bracket", "step(1)", "Next frame", id="video.next"),
        # Arrows pan a zoomed frame as in a screenshot; time moves on keys of its own.
        Binding("comma", "jump(-1)", "Back 1 s", id="video.back_1s"),
        Binding("full_stop", "jump(1)", "Forward 1 s", id="video.forward_1s"),
        Binding("less_than_sign", "jump(-10)", "Back 10 s", id="video.back_10s"),
        Binding("greater_than_sign", "jump(10)", "Forward 10 s", id="video.forward_10s"),
        Binding("g,home", "seek(0)", "First frame", show=False, id="video.top"),
        Binding("G,end", "seek(-1)", "Last frame", show=False, id="video.bottom"),
        *ZOOM_BINDINGS,
        *PAN_BINDINGS,
    ]

    MODEL = Recording
    model: Recording

    def __init__(self, artifact: Artifact, model: Recording, **kwargs) -> None:
        super().__init__(artifact, model, **kwargs)
        self.position = model.first[0] if model.first else 0.0  # seconds, of the frame shown
        self._wanted = self.position

    def compose(self) -> ComposeResult:
        model = self.model
        yield Static(safe_text(info_line(model.info)), classes="note")
        if model.first is None:
            yield Static(safe_text(model.why_no_frames or "No frames to show."), classes="hint")
            yield Static(metadata_table(self.artifact, self.model.size), classes="hint")
            return
        yield Static(self.position_text(), classes="note time")
        yield ImageView(model.first[1])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Without frames the frame and zoom keys do nothing: keep them out of the footer.
        if self.model.decoder is None and action in FRAME_ACTIONS:
            return False
        return True

    # --- time ---------------------------------------------------------------------------------
    @property
    def frame_time(self) -> float:
        return 1.0 / self.model.info.fps if self.model.info.fps else 0.04

    @property
    def last_time(self) -> float:
        duration = self.model.info.duration or 0.0
        return max(0.0, duration - self.frame_time)

    def position_text(self) -> Text:
        info = self.model.info
        parts = [f"{clock(self.position)} / {clock(info.duration or 0.0)}"]
        if info.fps:
            parts.append(f"frame {round(self.position * info.fps) + 1}" + (f"/{info.frames}" if info.frames else ""))
        views = self.query(ImageView)
        if views:
            parts.append(zoom_label(views.first()))
        return Text(" · ".join(parts))  # the keys are in the footer and the help screen

    def _show_position(self) -> None:
        found = self.query(".time")
        if found:
            found.first(Static).update(self.position_text())

    def on_image_view_changed(self) -> None:
        self._show_position()

    def action_step(self, frames: int) -> None:
        self.seek(self.position + frames * self.frame_time)

    def action_jump(self, seconds: float) -> None:
        self.seek(self.position + seconds)

    def action_seek(self, seconds: float) -> None:
        self.seek(self.last_time if seconds < 0 else seconds)

    def seek(self, seconds: float) -> None:
        """Show the frame at `seconds` (clamped to the recording), decoded in a worker."""
        if self.model.decoder is None:
            return
        # A hair past the frame's start so float error never lands on the one before.
        target = min(max(0.0, seconds), self.last_time) + 1e-4
        self._wanted = target
        self._decode(target)

    @work(thread=True, exclusive=True, group="video-frame", exit_on_error=False)
    def _decode(self, seconds: float) -> None:
        decoder = self.model.decoder
        if get_current_worker().is_cancelled or decoder is None:
            return  # a newer key press is on its way, or no PyAV to decode with
        try:
            frame = decoder.frame_at(seconds)
        except Exception as exc:  # a damaged frame: say so, keep the last good one
            self.app.call_from_thread(self.notify, f"Cannot decode the frame at {clock(seconds)}: {exc}",
                                      severity="warning", markup=False)
            return
        if frame is not None:
            self.app.call_from_thread(self._decoded, seconds, frame)

    def _decoded(self, wanted: float, frame: tuple[float, Picture]) -> None:
        if wanted != self._wanted:
            return  # a later request will land
        self.position = frame[0]
        self.query_one(ImageView).set_image(frame[1])
        self._show_position()

    def on_unmount(self) -> None:
        if self.model.decoder is not None:
            # Closing waits for a frame being decoded: off the event loop.
            threading.Thread(target=self.model.decoder.close, daemon=True).start()

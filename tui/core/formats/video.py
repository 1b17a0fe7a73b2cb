"""Recordings (mp4, webm): what is in the container, read without a video library.

Skyvern records with Playwright (webm, vp8) and transcodes to mp4 (h264) with ffmpeg. The
facts a debugger wants (how long, how big, how many frames) sit in a few boxes (mp4) or
EBML elements (webm), so a small reader gives them without PyAV. Playwright writes its webm
while recording and never goes back to fill in the duration: then the duration is taken from
the timecode of the last block.

Decoding frames needs PyAV (the optional `video` extra); `open_decoder` imports it lazily.
"""

from __future__ import annotations

import io
import struct
import threading
from collections.abc import Iterator
from typing import Any
from dataclasses import dataclass

from ..errors import ParseError
from ..textsafe import safe_fields


@dataclass(frozen=True)
class VideoInfo:
    container: str  # "mp4" or "webm"
    duration: float | None  # seconds
    width: int | None
    height: int | None
    fps: float | None
    codec: str | None
    frames: int | None = None
    duration_estimated: bool = False  # taken from the last frame, not written in the header

    def __post_init__(self) -> None:
        safe_fields(self)


def probe_video(data: bytes) -> VideoInfo:
    """The container's facts. Raises ParseError for bytes that are neither mp4 nor webm."""
    try:
        if data[:4] == b"\x1a\x45\xdf\xa3":
            return _probe_webm(data)
        if data[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip"):
            return _probe_mp4(data)
    except (struct.error, IndexError, ValueError, OverflowError) as exc:
        # A box or element that claims more bytes than there are: a cut or damaged file.
        raise ParseError(f"Broken recording: cut short or damaged ({exc or type(exc).__name__}).") from None
    raise ParseError("Not a recording this viewer can read: neither mp4 nor webm (Matroska).")


# --- mp4 ---------------------------------------------------------------------------------
_MP4_CODECS = {"avc1": "h264", "avc3": "h264", "hvc1": "h265", "hev1": "h265", "vp09": "vp9", "av01": "av1"}


def _boxes(data: bytes, start: int, end: int):
    """(type, payload start, payload end) of the boxes between start and end."""
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1:
            if pos + 16 > end:
                return
            size = struct.unpack_from(">Q", data, pos + 8)[0]
            header = 16
        elif size == 0:
            size = end - pos  # to the end of the file
        if size < header:
            name = kind.decode("latin-1")
            raise ParseError(f"Broken mp4: a box '{name}' of {size} bytes at offset {pos} (too small to hold itself).")
        yield kind, pos + header, min(pos + size, end)
        pos += size


def _find(data: bytes, start: int, end: int, kind: bytes) -> tuple[int, int] | None:
    for found, s, e in _boxes(data, start, end):
        if found == kind:
            return s, e
    return None


def _probe_mp4(data: bytes) -> VideoInfo:
    moov = _find(data, 0, len(data), b"moov")
    if moov is None:
        raise ParseError("Broken mp4: no moov box (the recording was cut short or is still being written).")
    duration = None
    mvhd = _find(data, *moov, b"mvhd")
    if mvhd is not None:
        duration = _header_duration(data, mvhd[0])
    for kind, s, e in _boxes(data, *moov):
        if kind != b"trak":
            continue
        track = _mp4_track(data, s, e)
        if track is not None:
            width, height, codec, frames, track_duration = track
            duration = track_duration if track_duration else duration
            fps = frames / duration if frames and duration else None
            return VideoInfo("mp4", duration, width, height, fps, codec, frames)
    return VideoInfo("mp4", duration, None, None, None, None)


def _header_duration(data: bytes, pos: int) -> float | None:
    """Seconds from an mvhd or mdhd payload (version 0: 32-bit fields, 1: 64-bit)."""
    version = data[pos]
    if version == 1:
        timescale, duration = struct.unpack_from(">IQ", data, pos + 20)
    else:
        timescale, duration = struct.unpack_from(">II", data, pos + 12)
    return duration / timescale if timescale else None


def _mp4_track(data: bytes, s: int, e: int):
    """(width, height, codec, frames, seconds) of a video track, None for other tracks."""
    mdia = _find(data, s, e, b"mdia")
    if mdia is None:
        return None
    hdlr = _find(data, *mdia, b"hdlr")
    if hdlr is None or data[hdlr[0] + 8:hdlr[0] + 12] != b"vide":
        return None
    width = height = None
    tkhd = _find(data, s, e, b"tkhd")
    if tkhd is not None and tkhd[1] - tkhd[0] >= 84:
        # The last 8 bytes are width and height, 16.16 fixed point.
        w, h = struct.unpack_from(">II", data, tkhd[1] - 8)
        width, height = w >> 16, h >> 16
    mdhd = _find(data, *mdia, b"mdhd")
    seconds = _header_duration(data, mdhd[0]) if mdhd else None
    codec = frames = None
    minf = _find(data, *mdia, b"minf")
    stbl = _find(data, *minf, b"stbl") if minf else None
    if stbl is not None:
        stsd = _find(data, *stbl, b"stsd")
        if stsd is not None and stsd[1] - stsd[0] >= 16:
            fourcc = data[stsd[0] + 12:stsd[0] + 16].decode("latin-1").strip()
            codec = _MP4_CODECS.get(fourcc, fourcc)
        stts = _find(data, *stbl, b"stts")
        if stts is not None:
            count = struct.unpack_from(">I", data, stts[0] + 4)[0]
            entries = min(count, (stts[1] - stts[0] - 8) // 8)
            frames = sum(struct.unpack_from(">I", data, stts[0] + 8 + 8 * i)[0] for i in range(entries))
    return width, height, codec, frames, seconds


# --- webm (EBML) ----------------------------------------------------------------------------
_SEGMENT, _INFO, _TRACKS, _CLUSTER = 0x18538067, 0x1549A966, 0x1654AE6B, 0x1F43B675
_LEVEL1 = {_INFO, _TRACKS, _CLUSTER, 0x1C53BB6B, 0x1254C367, 0x114D9B74, 0x1941A469, 0xEC, 0xBF}
_CODECS = {"V_VP8": "vp8", "V_VP9": "vp9", "V_AV1": "av1", "V_MPEG4/ISO/AVC": "h264"}


def _vint(data: bytes, pos: int, keep_marker: bool) -> tuple[int, int, bool]:
    """(value, length, unknown size) of the EBML variable-length integer at pos."""
    if pos >= len(data):
        raise IndexError
    first = data[pos]
    length = 1
    while length <= 8 and not first & (0x80 >> (length - 1)):
        length += 1
    if length > 8 or pos + length > len(data):
        raise ParseError(f"Broken webm: a bad number at offset {pos}.")
    value = first if keep_marker else first & (0xFF >> length)
    for byte in data[pos + 1:pos + length]:
        value = (value << 8) | byte
    unknown = not keep_marker and value == (1 << (7 * length)) - 1
    return value, length, unknown


def _elements(data: bytes, start: int, end: int, stop_at: frozenset[int] | set[int] = frozenset()):
    """(id, payload start, payload end) of the EBML elements between start and end.

    An element of unknown size (a live recording's Segment and Clusters) runs to `end`; the
    caller's `stop_at` ids end a Cluster of unknown size where the next one begins.
    """
    pos = start
    while pos < end:
        try:
            ident, id_len, _ = _vint(data, pos, keep_marker=True)
            size, size_len, unknown = _vint(data, pos + id_len, keep_marker=False)
        except IndexError:
            return  # cut off mid-header: a recording copied while written
        if ident in stop_at:
            return
        payload = pos + id_len + size_len
        payload_end = end if unknown else min(payload + size, end)
        yield ident, payload, payload_end, unknown
        if unknown and ident != _CLUSTER:
            return
        pos = payload_end


def _uint(data: bytes, s: int, e: int) -> int:
    return int.from_bytes(data[s:e], "big") if e > s else 0


def _float(data: bytes, s: int, e: int) -> float | None:
    if e - s == 4:
        return struct.unpack(">f", data[s:e])[0]
    if e - s == 8:
        return struct.unpack(">d", data[s:e])[0]
    return None


def _probe_webm(data: bytes) -> VideoInfo:
    end = len(data)
    segment = None
    for ident, s, e, _ in _elements(data, 0, end):
        if ident == _SEGMENT:
            segment = (s, e)
            break
    if segment is None:
        raise ParseError("Broken webm: no Segment element.")
    scale = 1_000_000  # ns per timecode tick unless Info says otherwise
    duration_ticks: float | None = None
    width = height = None
    codec = None
    video_track: int | None = None
    frame_ns: int | None = None
    frames = 0
    last_ticks: int | None = None
    pos = segment[0]
    while pos < segment[1]:
        found = next(_elements(data, pos, segment[1]), None)
        if found is None:
            break
        ident, s, e, unknown = found
        if ident == _INFO:
            for child, cs, ce, _ in _elements(data, s, e):
                if child == 0x2AD7B1:
                    scale = _uint(data, cs, ce) or scale
                elif child == 0x4489:
                    duration_ticks = _float(data, cs, ce)
        elif ident == _TRACKS:
            for child, cs, ce, _ in _elements(data, s, e):
                if child == 0xAE and video_track is None:
                    track = _webm_track(data, cs, ce)
                    if track is not None:
                        video_track, codec, width, height, frame_ns = track
        elif ident == _CLUSTER:
            # Info and Tracks come first; from the first cluster on, frames follow.
            frames, last_ticks = _scan_clusters(data, pos, segment[1], video_track)
            break
        if unknown or e <= pos:
            break
        pos = e
    estimated = False
    duration = duration_ticks * scale / 1e9 if duration_ticks else None
    if duration is None and last_ticks is not None:
        # The end of the last frame: its start plus one frame.
        step = frame_ns / 1e9 if frame_ns else 0.0
        duration = last_ticks * scale / 1e9 + step
        estimated = True
    fps = 1e9 / frame_ns if frame_ns else (frames / duration if frames and duration else None)
    return VideoInfo("webm", duration, width, height, fps, codec, frames or None, estimated)


def _scan_clusters(data: bytes, pos: int, end: int, video_track: int | None) -> tuple[int, int | None]:
    """Frames of the video track and the timecode of the last one, from `pos` to `end`."""
    frames = 0
    last: int | None = None
    while pos < end:
        found = next(_elements(data, pos, end), None)
        if found is None:
            break
        ident, s, e, _ = found
        if ident != _CLUSTER:
            pos = e
            continue
        cluster_time = 0
        cluster_end = s
        for child, cs, ce, _ in _elements(data, s, e, stop_at=_LEVEL1):
            cluster_end = ce
            if child == 0xE7:
                cluster_time = _uint(data, cs, ce)
            elif child in (0xA3, 0xA0):  # SimpleBlock, or a BlockGroup holding a Block
                if child == 0xA0:
                    block = next((b for b in _elements(data, cs, ce) if b[0] == 0xA1), None)
                    if block is None:
                        continue
                    cs, ce = block[1], block[2]
                # A block starts with its track number and an int16 time relative to the cluster.
                try:
                    track, tlen, _ = _vint(data, cs, keep_marker=False)
                except (IndexError, ParseError):
                    continue
                if cs + tlen + 2 <= ce and (video_track is None or track == video_track):
                    frames += 1
                    rel = struct.unpack_from(">h", data, cs + tlen)[0]
                    last = max(last or 0, cluster_time + rel)
        if cluster_end <= pos:
            break
        pos = cluster_end
    return frames, last


def _webm_track(data: bytes, s: int, e: int):
    """(number, codec, width, height, ns per frame) of a video TrackEntry, else None."""
    number = kind = None
    codec = None
    width = height = None
    frame_ns = None
    for child, cs, ce, _ in _elements(data, s, e):
        if child == 0xD7:
            number = _uint(data, cs, ce)
        elif child == 0x83:
            kind = _uint(data, cs, ce)
        elif child == 0x86:
            raw = data[cs:ce].decode("ascii", "replace").rstrip("\x00")
            codec = _CODECS.get(raw, raw)
        elif child == 0x23E383:
            frame_ns = _uint(data, cs, ce) or None
        elif child == 0xE0:
            for v, vs, ve, _ in _elements(data, cs, ce):
                if v == 0xB0:
                    width = _uint(data, vs, ve)
                elif v == 0xBA:
                    height = _uint(data, vs, ve)
    if kind != 1:
        return None
    return number, codec, width, height, frame_ns


# --- decoding (PyAV, optional) ----------------------------------------------------------------
INSTALL_HINT = "pip install 'skyvern-tui[video]'"


def have_decoder() -> bool:
    """PyAV is importable (the `video` extra)."""
    try:
        import av  # noqa: F401
    except ImportError:
        return False
    return True


class FrameDecoder:
    """Frames of a recording by time, with PyAV. Thread-safe: one frame at a time.

    Stepping forward a little goes on decoding from where the last frame was; anything else
    seeks to the keyframe before the time asked for and decodes from there.
    """

    FORWARD_WITHOUT_SEEK = 2.0  # seconds: decoding on is cheaper than a seek up to about here

    def __init__(self, data: bytes) -> None:
        import av  # optional dependency: imported only when a recording is opened

        try:
            self._container = av.open(io.BytesIO(data), mode="r")
            self._stream = self._container.streams.video[0]
        except (av.FFmpegError, IndexError) as exc:
            raise ParseError(f"PyAV cannot read this recording: {exc}") from exc
        self._stream.thread_type = "AUTO"
        self._lock = threading.Lock()
        self._frames: Iterator[Any] | None = None  # the decode iterator (av.VideoFrame)
        self._ahead: Any = None  # a frame decoded past the one asked for, not shown yet
        self._last: tuple[float, Any] | None = None  # (time, av.VideoFrame) of the last frame decoded

    def frame_at(self, seconds: float):
        """(actual time, PIL RGB image) of the frame shown at `seconds`; None when there is none."""
        with self._lock:
            last = self._last
            if last is None or self._frames is None or not (last[0] <= seconds < last[0] + self.FORWARD_WITHOUT_SEEK):
                self._seek(seconds)
                last = None
            chosen = last
            while True:
                frame = self._next_frame()
                if frame is None:
                    break
                if frame.time > seconds + 1e-6 and chosen is not None:
                    self._ahead = frame  # one too far: the next step forward starts from it
                    break
                chosen = (frame.time, frame)
            if chosen is None:
                return None
            self._last = chosen
            return chosen[0], chosen[1].to_image()

    def _next_frame(self):
        if self._ahead is not None:
            frame, self._ahead = self._ahead, None
            return frame
        while self._frames is not None:
            try:
                frame = next(self._frames)
            except StopIteration:
                self._frames = None
                return None
            if frame.time is not None:
                return frame
        return None

    def _seek(self, seconds: float) -> None:
        offset = int(max(0.0, seconds) / self._stream.time_base) if self._stream.time_base else 0
        self._container.seek(offset, stream=self._stream, backward=True, any_frame=False)
        self._frames = self._container.decode(self._stream)
        self._ahead = None

    def close(self) -> None:
        with self._lock:
            self._container.close()

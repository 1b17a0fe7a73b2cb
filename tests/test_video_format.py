"""tui.core.formats.video (container facts without PyAV, frames with it) and media.ViewPort."""

from __future__ import annotations

import random
import struct
from pathlib import Path

import pytest

from tui.core.errors import ParseError
from tui.core.formats.media import MAX_SCALE, ViewPort
from tui.core.formats.video import FrameDecoder, VideoInfo, probe_video

ROOT = Path(__file__).resolve().parent.parent
DEMO_MP4 = ROOT / "assets/demo/files/a_602148163248763640_recording.mp4"
SELFHOSTED = Path(__file__).resolve().parent / "data" / "selfhosted"
WEBMS = sorted(SELFHOSTED.glob("o_777/*/*/*_recording.webm"))
MP4S = sorted(SELFHOSTED.glob("o_777/*/*/*_recording.mp4"))


# --- real files (facts checked against ffprobe) ---------------------------------------------
def test_demo_mp4():
    info = probe_video(DEMO_MP4.read_bytes())
    assert info == VideoInfo("mp4", 47.04, 800, 600, 25.0, "h264", 1176)


def test_selfhosted_mp4s():
    assert len(MP4S) == 2
    durations = sorted(probe_video(p.read_bytes()).duration for p in MP4S)
    assert durations == [45.44, 47.04]


def test_playwright_webm_without_duration_gets_it_from_the_last_frame():
    # Playwright writes the webm live (unknown sizes, no Duration); ffprobe reads 647 whole
    # frames, the last at 25.84 s; the file ends inside a 648th.
    assert len(WEBMS) == 2
    info = probe_video(WEBMS[0].read_bytes())
    assert (info.container, info.width, info.height, info.fps, info.codec) == ("webm", 800, 600, 25.0, "vp8")
    assert info.duration_estimated
    assert info.duration == pytest.approx(25.84 + 0.04, abs=0.05)
    assert 647 <= info.frames <= 648


# --- generated edge cases ---------------------------------------------------------------------
def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def full_box(kind: bytes, version: int, body: bytes) -> bytes:
    return box(kind, bytes([version, 0, 0, 0]) + body)


def tiny_mp4(version: int = 0, moov_last: bool = False) -> bytes:
    """A video track of 3 s: 90 frames at 30 fps, 320x240, as boxes only (no samples)."""
    if version == 1:
        header = struct.pack(">QQIQ", 0, 0, 600, 1800)  # times, timescale, duration
    else:
        header = struct.pack(">IIII", 0, 0, 600, 1800)
    mvhd = full_box(b"mvhd", version, header + bytes(80))
    tkhd = full_box(b"tkhd", 0, bytes(72) + struct.pack(">II", 320 << 16, 240 << 16))
    mdhd = full_box(b"mdhd", version, header + bytes(4))
    hdlr = full_box(b"hdlr", 0, bytes(4) + b"vide" + bytes(12) + b"\0")
    stsd = full_box(b"stsd", 0, struct.pack(">I", 1) + box(b"vp09", bytes(70)))
    stts = full_box(b"stts", 0, struct.pack(">III", 1, 90, 20))
    stbl = box(b"stbl", stsd + stts)
    trak = box(b"trak", tkhd + box(b"mdia", mdhd + hdlr + box(b"minf", stbl)))
    moov = box(b"moov", mvhd + trak)
    ftyp = box(b"ftyp", b"isom" + bytes(4))
    mdat = box(b"mdat", bytes(100))
    return ftyp + mdat + moov if moov_last else ftyp + moov + mdat


@pytest.mark.parametrize("version", [0, 1])
@pytest.mark.parametrize("moov_last", [False, True])
def test_generated_mp4(version, moov_last):
    info = probe_video(tiny_mp4(version, moov_last))
    assert info == VideoInfo("mp4", 3.0, 320, 240, 30.0, "vp9", 90)


def test_mp4_without_moov_says_it_was_cut():
    data = tiny_mp4(moov_last=True)
    with pytest.raises(ParseError, match="moov"):
        probe_video(data[: data.index(b"moov") - 4])


def ebml(ident: int, payload: bytes) -> bytes:
    size = len(payload)
    return ident.to_bytes((ident.bit_length() + 7) // 8, "big") + bytes([0x80 | size]) + payload if size < 127 \
        else ident.to_bytes((ident.bit_length() + 7) // 8, "big") + (0x4000 | size).to_bytes(2, "big") + payload


def tiny_webm(with_duration: bool) -> bytes:
    info = ebml(0x2AD7B1, (1_000_000).to_bytes(3, "big"))
    if with_duration:
        info += ebml(0x4489, struct.pack(">d", 2500.0))  # ms
    video = ebml(0xB0, (640).to_bytes(2, "big")) + ebml(0xBA, (360).to_bytes(2, "big"))
    track = ebml(0xD7, b"\x01") + ebml(0x83, b"\x01") + ebml(0x86, b"V_VP9") + ebml(0xE0, video)
    tracks = ebml(0x1654AE6B, ebml(0xAE, track))
    blocks = b"".join(ebml(0xA3, b"\x81" + struct.pack(">h", t) + b"\x80" + bytes(5)) for t in (0, 500, 1000))
    clusters = ebml(0x1F43B675, ebml(0xE7, b"\x00") + blocks)
    clusters += ebml(0x1F43B675, ebml(0xE7, (1500).to_bytes(2, "big")) + blocks[: len(blocks) // 3 * 2])
    header = ebml(0x1A45DFA3, ebml(0x4282, b"webm"))
    # The segment of unknown size, as a live recording writes it.
    return header + bytes.fromhex("18538067") + b"\x01\xff\xff\xff\xff\xff\xff\xff" + ebml(0x1549A966, info) + tracks + clusters


def test_generated_webm_with_duration():
    info = probe_video(tiny_webm(True))
    assert (info.duration, info.width, info.height, info.codec, info.frames) == (2.5, 640, 360, "vp9", 5)
    assert not info.duration_estimated
    assert info.fps == pytest.approx(2.0)


def test_generated_webm_with_block_groups():
    data = tiny_webm(True)
    # Wrap every SimpleBlock (A3) in a BlockGroup (A0) as a Block (A1), as some muxers write.
    marker = b"\xa3\x89\x81"
    assert data.count(marker) == 5
    grouped = data.replace(marker, b"\xa0\x8b\xa1\x89\x81")
    # Each block grows by 2 bytes: the clusters (3 and 2 blocks) by 6 and 4.
    grouped = grouped.replace(b"\x1f\x43\xb6\x75\xa4", b"\x1f\x43\xb6\x75\xaa")
    grouped = grouped.replace(b"\x1f\x43\xb6\x75\x9a", b"\x1f\x43\xb6\x75\x9e")
    info = probe_video(grouped)
    assert info.frames == 5 and info.duration == 2.5
    assert probe_video(tiny_webm(False).replace(marker, b"\xa0\x8b\xa1\x89\x81")
                       .replace(b"\x1f\x43\xb6\x75\xa4", b"\x1f\x43\xb6\x75\xaa")
                       .replace(b"\x1f\x43\xb6\x75\x9a", b"\x1f\x43\xb6\x75\x9e")).duration == pytest.approx(2.0)


def test_generated_webm_without_duration_uses_the_last_block():
    info = probe_video(tiny_webm(False))
    assert info.duration_estimated
    assert info.duration == pytest.approx(2.0)  # the block at 1500 + 500 ms
    assert info.frames == 5


# --- broken input -----------------------------------------------------------------------------
@pytest.mark.parametrize("data", [b"", b"hello", b"\x89PNG\r\n\x1a\n" + bytes(50), bytes(64)])
def test_not_a_recording(data):
    with pytest.raises(ParseError):
        probe_video(data)


@pytest.mark.parametrize("path", [DEMO_MP4, *WEBMS[:1]], ids=["mp4", "webm"])
def test_cut_and_damaged_files_give_a_parse_error_or_facts_never_a_crash(path):
    data = path.read_bytes()
    rng = random.Random(7)
    for cut in [*range(0, 64), *rng.sample(range(len(data)), 200)]:
        try:
            probe_video(data[:cut])
        except ParseError:
            pass
    for _ in range(200):
        damaged = bytearray(data[:4096] if path.suffix == ".webm" else data)
        for _ in range(8):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        try:
            probe_video(bytes(damaged))
        except ParseError:
            pass


# --- frames (PyAV) ----------------------------------------------------------------------------
def test_decoder_gives_frames_by_time_forward_and_back():
    decoder = FrameDecoder(DEMO_MP4.read_bytes())
    try:
        first = decoder.frame_at(0.0)
        assert first[0] == 0.0 and first[1].size == (800, 600)
        later = decoder.frame_at(10.0001)
        assert later[0] == pytest.approx(10.0)
        step = decoder.frame_at(10.0401)
        assert step[0] == pytest.approx(10.04)
        back = decoder.frame_at(2.0001)
        assert back[0] == pytest.approx(2.0)
        assert decoder.frame_at(1000.0)[0] == pytest.approx(47.0)  # the last frame
    finally:
        decoder.close()


def test_decoder_refuses_non_video():
    with pytest.raises(ParseError):
        FrameDecoder(b"not a video at all" * 10)


# --- ViewPort: what part of an image a pane shows --------------------------------------------
def test_viewport_fit_then_zoom_to_the_cap_and_back():
    port = ViewPort(800, 600)
    pane = (80, 60)  # pixels
    assert port.scale(*pane) == pytest.approx(0.1)
    assert port.crop(*pane) == ((0.0, 0.0, 800.0, 600.0), (80, 60))
    steps = 0
    while port.zoom_in(*pane):
        steps += 1
    assert port.scale(*pane) == MAX_SCALE
    assert steps == 8  # 0.1 * 1.5**8 = 2.56: capped at 2
    box, size = port.crop(*pane)
    assert size == pane
    assert (box[2] - box[0], box[3] - box[1]) == (40, 30)  # 80x60 screen pixels of a 2x zoom
    assert port.zoom_out(*pane)
    assert port.scale(*pane) == pytest.approx(0.1 * 1.5**7)
    assert port.fit() and not port.fit()
    assert not port.zoom_out(*pane)


def test_viewport_pan_stays_inside_the_image():
    port = ViewPort(800, 600)
    pane = (80, 60)
    assert not port.pan(1, 0, *pane)  # nothing to pan at fit
    for _ in range(8):
        port.zoom_in(*pane)
    for _ in range(100):
        port.pan(1, 1, *pane)
    box, _ = port.crop(*pane)
    assert box[2] == pytest.approx(800) and box[3] == pytest.approx(600)
    assert not port.pan(1, 0, *pane)  # at the edge
    for _ in range(100):
        port.pan(-1, -1, *pane)
    box, _ = port.crop(*pane)
    assert box[:2] == (0, 0)


def test_viewport_small_image_is_not_enlarged_at_fit():
    port = ViewPort(20, 10)
    assert port.crop(100, 100) == ((0.0, 0.0, 20.0, 10.0), (20, 10))
    assert port.zoom_in(100, 100)
    assert port.crop(100, 100)[1] == (30, 15)


def test_decoder_reads_a_live_written_webm_without_index():
    decoder = FrameDecoder(WEBMS[0].read_bytes())
    try:
        assert decoder.frame_at(5.0001)[0] == pytest.approx(5.0)
        assert decoder.frame_at(2.0001)[0] == pytest.approx(2.0)  # back: seek without Cues
        assert decoder.frame_at(100.0)[0] == pytest.approx(25.84)  # the last whole frame
    finally:
        decoder.close()


def test_decoder_steps_through_every_frame_of_a_recording():
    # Frame by frame to the end: each step forward decodes on without seeking.
    decoder = FrameDecoder(WEBMS[0].read_bytes())
    try:
        times = []
        for index in range(647):
            times.append(decoder.frame_at(index * 0.04 + 1e-4)[0])
        assert times == pytest.approx([i * 0.04 for i in range(647)])
    finally:
        decoder.close()

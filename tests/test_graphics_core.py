"""tui.core.graphics: the sixel and kitty encoders (decoded back by tests/graphics_decode.py),
tmux passthrough, the terminal's answers, detection on a pseudo-terminal, the mode setting."""

from __future__ import annotations

import base64
import io
import os
import shutil
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from graphics_decode import (
    DecodeError,
    decode_sixel,
    kitty_chunks,
    kitty_transmissions,
    placeholder_cells,
    unwrap_tmux,
)
from tui.config import load_ui_settings, save_profile
from tui.core.errors import TuiError
from tui.core.graphics import detect, kitty, sixel, tmux
from tui.core.graphics.detect import parse_answers, resolve
from tui.core.graphics.modes import (
    DEFAULT_CELL,
    HALFBLOCK,
    CellSize,
    GraphicsError,
    Mode,
    parse_mode,
    requested_mode,
)

# ---------------------------------------------------------------- sixel


def _random_image(data: st.DataObject, max_w: int = 300, max_h: int = 40) -> Image.Image:
    width = data.draw(st.integers(1, max_w), "width")
    height = data.draw(st.integers(1, max_h), "height")
    count = data.draw(st.integers(1, 300), "colours")
    seed = data.draw(st.integers(0, 2**32 - 1), "seed")
    transparent = data.draw(st.floats(0, 0.5), "transparent share")
    import random

    rnd = random.Random(seed)
    colours = [(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)) for _ in range(count)]
    pixels = bytearray()
    for _ in range(width * height):
        r, g, b = rnd.choice(colours)
        alpha = rnd.randrange(128) if rnd.random() < transparent else rnd.randrange(128, 256)
        pixels += bytes((r, g, b, alpha))
    return Image.frombytes("RGBA", (width, height), bytes(pixels))


def _check_round_trip(image: Image.Image, decoded: Image.Image, exact: bool) -> None:
    width, height = image.size
    assert decoded.width == width
    assert height <= decoded.height < height + 6
    # Rows beyond the image (its last band rounded up to 6) may only be transparent.
    if decoded.height > height:
        assert decoded.crop((0, height, width, decoded.height)).getchannel("A").getextrema() == (0, 0)
    source = image.tobytes()
    got = decoded.crop((0, 0, width, height)).tobytes()
    worst = 0
    for i in range(0, len(source), 4):
        if source[i + 3] < 128:
            assert got[i + 3] == 0, f"pixel {i // 4} should be transparent"
            continue
        assert got[i + 3] == 255, f"pixel {i // 4} should be drawn"
        worst = max(worst, *(abs(source[i + c] - got[i + c]) for c in range(3)))
    # Exact colours lose only the sixel palette's percent steps (255/100/2 rounded up).
    assert worst <= (2 if exact else 96)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_sixel_round_trip_of_random_images(data):
    image = _random_image(data)
    opaque = {(r, g, b) for r, g, b, a in image.get_flattened_data() if a >= 128}
    decoded = decode_sixel(sixel.encode(image))
    _check_round_trip(image, decoded, exact=len(opaque) <= 255)


def test_sixel_of_many_colours_stays_close():
    # A smooth gradient of 300x40 = far more than 255 colours: quantized, but near each pixel.
    image = Image.linear_gradient("L").resize((300, 40)).convert("RGB")
    image = Image.merge("RGB", (image.getchannel(0), image.getchannel(0).transpose(Image.Transpose.FLIP_LEFT_RIGHT),
                                Image.new("L", (300, 40), 90))).convert("RGBA")
    decoded = decode_sixel(sixel.encode(image))
    pairs = zip(image.get_flattened_data(), decoded.get_flattened_data(), strict=True)
    diffs = [abs(a - b) for p, q in pairs for a, b in zip(p[:3], q[:3], strict=True)]
    assert sum(diffs) / len(diffs) < 8 and max(diffs) < 40


def test_sixel_header_runs_and_transparency():
    image = Image.new("RGBA", (40, 7), (255, 0, 0, 255))
    image.putpixel((3, 2), (0, 0, 255, 0))
    encoded = sixel.encode(image)
    assert encoded.startswith('\x1bP0;1;0q"1;1;40;7') and encoded.endswith("\x1b\\")
    assert "#0;2;100;0;0" in encoded
    assert "!40~" not in encoded and "!36~" in encoded  # run-length, broken by the hole
    decoded = decode_sixel(encoded)
    assert decoded.getpixel((3, 2))[3] == 0 and decoded.getpixel((4, 2)) == (255, 0, 0, 255)
    # Fully transparent: no colour, no pixel, still its size.
    empty = decode_sixel(sixel.encode(Image.new("RGBA", (5, 3), (9, 9, 9, 0))))
    assert empty.size == (5, 3) and empty.getchannel("A").getextrema() == (0, 0)


def test_sixel_decoder_refuses_bad_data():
    for bad in ["hello", '\x1bP0;1;0q"1;1;2;2#0;2;100;0;0!3~\x1b\\', '\x1bP0;1;0q"1;1;2;2~\x1b\\',
                '\x1bP0;1;0q"1;1;2;2#0;2;200;0;0~\x1b\\', '\x1bP0;1;0q"1;1;2;2#0;2;1;0;0~%\x1b\\']:
        with pytest.raises(DecodeError):
            decode_sixel(bad)


@pytest.mark.parametrize("cell_height", [1, 6, 17, 18, 20])
def test_sixel_rows_are_cell_rows(cell_height):
    image = Image.effect_mandelbrot((64, 47), (-2, -1.2, 1, 1.2), 40).convert("RGBA")
    parts = sixel.rows(image, cell_height)
    assert len(parts) == -(-47 // cell_height)
    for index, part in enumerate(parts):
        decoded = decode_sixel(part)
        assert decoded.width == 64 and cell_height <= decoded.height < cell_height + 6
        want = Image.new("RGBA", (64, cell_height), (0, 0, 0, 0))
        want.paste(image.crop((0, index * cell_height, 64, min(47, (index + 1) * cell_height))), (0, 0))
        _check_round_trip(want, decoded, exact=True)


# ---------------------------------------------------------------- kitty


def test_diacritics_are_kittys_table():
    assert len(kitty.DIACRITICS) == kitty.MAX_CELLS == 297 == len(set(kitty.DIACRITICS))
    assert kitty.DIACRITICS[:5] == ("\u0305", "\u030d", "\u030e", "\u0310", "\u0312")
    assert kitty.DIACRITICS[-1] == "\U0001d244"
    import unicodedata

    assert all(unicodedata.combining(mark) == 230 and not unicodedata.decomposition(mark) for mark in kitty.DIACRITICS)
    points = [ord(mark) for mark in kitty.DIACRITICS]
    assert points == sorted(points)


@pytest.mark.parametrize("size", [0, 100, 3072, 3073, 20000])
@pytest.mark.parametrize("wrapped", [False, True])
def test_kitty_transmit_round_trip(size, wrapped):
    png = os.urandom(size)
    stream = "text before" + kitty.transmit(7, png, 12, 3, tmux=wrapped) + "after"
    found = kitty_transmissions(stream)
    assert set(found) == {7}
    data, keys = found[7]
    assert data == png
    assert keys == {"a": "T", "U": "1", "f": "100", "i": "7", "c": "12", "r": "3", "q": "2", "m": keys["m"]}
    chunks = kitty_chunks(stream)
    assert all(len(chunk) <= 4096 for chunk in chunks)
    assert len(chunks) == max(1, -(-len(base64.b64encode(png)) // 4096))
    if wrapped:
        assert stream.count("\x1bPtmux;") == len(chunks)


def test_kitty_transmit_of_a_real_png_and_delete():
    image = Image.new("RGBA", (30, 20), (10, 200, 30, 128))
    png = kitty.encode_png(image)
    assert Image.open(io.BytesIO(png)).mode == "RGBA"
    both = kitty.transmit(1, png, 3, 1) + kitty.transmit(2, kitty.encode_png(image.convert("P")), 3, 1)
    found = kitty_transmissions(both)
    assert set(found) == {1, 2}
    assert Image.open(io.BytesIO(found[1][0])).tobytes() == image.tobytes()
    assert kitty.delete(5) == "\x1b_Ga=d,d=I,i=5,q=2\x1b\\"
    assert kitty_transmissions(kitty.delete(5)) == {}
    with pytest.raises(ValueError):
        kitty.transmit(1, png, 0, 1)
    with pytest.raises(ValueError):
        kitty.transmit(1, png, 1, 298)


def test_kitty_decoder_refuses_a_broken_chunk_sequence():
    whole = kitty.transmit(3, os.urandom(9000), 2, 2)
    with pytest.raises(DecodeError):
        kitty_transmissions(whole[: whole.rindex("\x1b_G")])


@given(st.integers(0, 296), st.integers(0, 297))
def test_placeholder_line_round_trip(row, cols):
    line = kitty.placeholder_line(row, cols)
    assert placeholder_cells("ab" + line + "cd") == [(row, col) for col in range(cols)]


def test_placeholder_line_limits():
    with pytest.raises(ValueError):
        kitty.placeholder_line(297, 1)
    with pytest.raises(DecodeError):
        placeholder_cells(kitty.PLACEHOLDER + "x")


def test_image_ids_in_truecolor():
    seen = set()
    for number in [*range(1, 2000), 0xFFFFFF, 0xFFFFFF + 1]:
        ident, (r, g, b) = kitty.image_id(number, truecolor=True)
        assert ident == r << 16 | g << 8 | b and 0 < ident <= 0xFFFFFF
        seen.add(ident)
    assert len(seen) == 2000 and kitty.image_id(0xFFFFFF + 1, truecolor=True)[0] == 1  # ids wrap
    with pytest.raises(ValueError):
        kitty.image_id(0, truecolor=True)


def test_image_ids_in_256_colours_survive_richs_downgrade():
    from rich.color import Color, ColorSystem

    ids = {}
    for number in range(1, len(kitty.CUBE_IDS) + 1):
        ident, rgb = kitty.image_id(number, truecolor=False)
        assert 16 <= ident <= 231
        # What Textual's console writes for this colour in 256 colours: 38;5;N with N the id.
        assert Color.from_rgb(*rgb).downgrade(ColorSystem.EIGHT_BIT).number == ident
        ids[number] = ident
    assert len(set(ids.values())) == len(kitty.CUBE_IDS) == 212
    assert kitty.image_id(len(kitty.CUBE_IDS) + 1, truecolor=False)[0] == ids[1]


# ---------------------------------------------------------------- tmux


@given(st.text())
def test_passthrough_unwraps_to_what_was_wrapped(text):
    wrapped = tmux.passthrough(text)
    assert wrapped.startswith("\x1bPtmux;") and wrapped.endswith("\x1b\\")
    assert wrapped[len("\x1bPtmux;"):-2].count("\x1b") == 2 * text.count("\x1b")
    assert unwrap_tmux("a" + wrapped + "b") == "a" + text + "b"


def test_inside_tmux_and_the_answer_of_tmux_show():
    assert tmux.inside_tmux({"TMUX": "/tmp/tmux-0/default,1,0"}) and not tmux.inside_tmux({})
    assert tmux.passthrough_answer(0, "on\n", "") and tmux.passthrough_answer(0, "all\n", "")
    assert not tmux.passthrough_answer(0, "off\n", "")
    assert tmux.passthrough_answer(1, "", "invalid option: allow-passthrough")  # tmux < 3.3
    assert not tmux.passthrough_answer(1, "", "no server running on /tmp/tmux-0/default")


# ---------------------------------------------------------------- the terminal's answers

KITTY_OK = b"\x1b_Gi=31;OK\x1b\\"
KITTY_VERSION = b"\x1bP>|kitty(0.35.2)\x1b\\"
XTERM_VT340_DA1 = b"\x1b[?63;1;2;4;6;9;15;16;22;28c"
XTERM_DA1 = b"\x1b[?65;1;2;6;9;15;16;17;18;21;22;28;29c"
XTERM_VERSION = b"\x1bP>|XTerm(390)\x1b\\"
TMUX_DA1 = b"\x1b[?1;2c"
TMUX_SIXEL_DA1 = b"\x1b[?1;2;4c"
TMUX_VERSION = b"\x1bP>|tmux 3.3a\x1b\\"
WEZTERM_VERSION = b"\x1bP>|WezTerm 20240203-110809-5046fc22\x1b\\"
WEZTERM_DA1 = b"\x1b[?65;4;6;18;22c"
CELL_8x17 = b"\x1b[6;17;8t"


@given(st.binary(max_size=600))
def test_parse_answers_never_raises(data):
    answers = parse_answers(data)
    assert answers.da1 is None or all(isinstance(n, int) for n in answers.da1)
    assert answers.version is None or "\x1b" not in answers.version


@given(st.binary(max_size=100), st.binary(max_size=100))
def test_parse_answers_finds_answers_among_other_bytes(before, after):
    answers = parse_answers(before.replace(b"\x1b", b"") + KITTY_OK + CELL_8x17 + XTERM_VT340_DA1
                            + after.replace(b"\x1b", b""))
    assert answers.kitty is True and answers.sixel and answers.cell == CellSize(8, 17)


def test_parse_answers_of_real_terminals():
    kitty_term = parse_answers(KITTY_OK + KITTY_VERSION + CELL_8x17 + b"\x1b[?62;c")
    assert kitty_term.kitty is True and kitty_term.version == "kitty(0.35.2)"
    assert kitty_term.cell == CellSize(8, 17) and not kitty_term.sixel and kitty_term.stray == b""
    vt340 = parse_answers(XTERM_VERSION + XTERM_VT340_DA1)
    assert vt340.kitty is None and vt340.sixel and vt340.da1 == (1, 2, 4, 6, 9, 15, 16, 22, 28)
    assert vt340.cell is None and vt340.version == "XTerm(390)"
    assert not parse_answers(XTERM_DA1).sixel
    assert not parse_answers(TMUX_VERSION + TMUX_DA1).sixel and parse_answers(TMUX_SIXEL_DA1).sixel
    assert parse_answers(WEZTERM_VERSION).version == "WezTerm 20240203-110809-5046fc22"
    error = parse_answers(b"\x1b_Gi=31;ENOTSUPPORTED:no\x1b\\" + TMUX_DA1)
    assert error.kitty is False and error.kitty_message == "ENOTSUPPORTED:no"
    assert parse_answers(b"\x1b_Gi=5;OK\x1b\\").kitty is None  # not our query
    assert parse_answers(b"\x1b[6;0;8t\x1b[6;99999;8t").cell is None
    assert parse_answers(b"j" + TMUX_DA1).stray == b"j"
    assert "\x1b" not in (parse_answers(b"\x1bP>|evil\x07\x9b\x1b\\").version or "")


# ---------------------------------------------------------------- resolve() on a pseudo-terminal


class PlayedTerminal:
    """A pseudo-terminal whose far end is a thread answering what a given terminal answers."""

    def __init__(self, answers: dict[bytes, bytes], delay: float = 0.0, pixels: tuple[int, int] = (0, 0)) -> None:
        import fcntl
        import struct

        self.master, self.slave = os.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, *pixels))
        self.answers = answers
        self.delay = delay
        self.asked = b""
        self.stop = False
        self.thread = threading.Thread(target=self._play, daemon=True)
        self.thread.start()

    def _play(self) -> None:
        import select

        while not self.stop:
            ready, _, _ = select.select([self.master], [], [], 0.02)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 4096)
            except OSError:
                return
            self.asked += chunk
            time.sleep(self.delay)
            for question, answer in self.answers.items():
                if question in chunk:
                    os.write(self.master, answer)

    def close(self) -> None:
        self.stop = True
        self.thread.join()
        os.close(self.master)
        os.close(self.slave)


KITTY_TERMINAL = {detect.KITTY_QUERY.encode(): KITTY_OK, b"\x1b[>0q": KITTY_VERSION,
                  b"\x1b[16t": CELL_8x17, b"\x1b[c": b"\x1b[?62;c"}
OLD_KITTY = {**KITTY_TERMINAL, b"\x1b[>0q": b"\x1bP>|kitty(0.26.5)\x1b\\"}
VT340 = {b"\x1b[>0q": XTERM_VERSION, b"\x1b[c": XTERM_VT340_DA1}
XTERM = {b"\x1b[>0q": XTERM_VERSION, b"\x1b[c": XTERM_DA1}
WEZTERM = {detect.KITTY_QUERY.encode(): KITTY_OK, b"\x1b[>0q": WEZTERM_VERSION, b"\x1b[16t": CELL_8x17,
           b"\x1b[c": WEZTERM_DA1}


@pytest.fixture
def terminal():
    made: list[PlayedTerminal] = []

    def make(answers: dict[bytes, bytes], **kwargs) -> PlayedTerminal:
        made.append(PlayedTerminal(answers, **kwargs))
        return made[-1]

    yield make
    for one in made:
        one.close()


def _resolve(term: PlayedTerminal, mode: Mode = Mode.AUTO, env: dict[str, str] | None = None, how: str = "default"):
    before = termios.tcgetattr(term.slave)
    graphics = resolve(mode, how, term.slave, term.slave, env or {})
    assert termios.tcgetattr(term.slave) == before  # the tty's mode is restored
    return graphics


@pytest.mark.parametrize(("answers", "mode", "cell", "words"), [
    (KITTY_TERMINAL, Mode.KITTY, CellSize(8, 17), "kitty graphics: the terminal answered the kitty query (kitty(0.35.2))"),
    (OLD_KITTY, Mode.HALFBLOCK, CellSize(8, 17), "older than 0.28"),
    (VT340, Mode.SIXEL, DEFAULT_CELL, "sixel: the terminal lists sixel"),
    (WEZTERM, Mode.SIXEL, CellSize(8, 17), "WezTerm draws no kitty Unicode placeholders"),
    (XTERM, Mode.HALFBLOCK, DEFAULT_CELL, "neither kitty graphics nor sixel (XTerm(390))"),
])
def test_auto_picks_what_the_terminal_answers(terminal, answers, mode, cell, words):
    graphics = _resolve(terminal(answers))
    assert graphics.mode is mode and graphics.cell == cell and not graphics.tmux
    assert words in graphics.reason


def test_konsole_is_drawn_with_sixel(terminal):
    konsole = {detect.KITTY_QUERY.encode(): KITTY_OK, b"\x1b[c": b"\x1b[?62;1;4c"}
    graphics = _resolve(terminal(konsole), env={"KONSOLE_VERSION": "230805"})
    assert graphics.mode is Mode.SIXEL and "Konsole" in graphics.reason


def test_the_cell_size_comes_from_csi_16t_then_the_ioctl(terminal):
    assert _resolve(terminal(VT340, pixels=(720, 432))).cell == CellSize(9, 18)
    assert "(ioctl)" in _resolve(terminal(VT340, pixels=(720, 432))).cell_reason
    with_answer = _resolve(terminal(KITTY_TERMINAL, pixels=(720, 432)))
    assert with_answer.cell == CellSize(8, 17) and with_answer.cell_reason == "cell 8x17 px (CSI 16t)"
    assert "assumed" in _resolve(terminal(VT340)).cell_reason


def test_a_silent_terminal_costs_at_most_the_timeout(terminal):
    term = terminal({})
    start = time.monotonic()
    graphics = _resolve(term)
    assert time.monotonic() - start < 0.3
    assert graphics.mode is Mode.HALFBLOCK and graphics.reason == "half-blocks: no graphics answer from the terminal in 0.2 s"
    assert term.asked.startswith(detect.KITTY_QUERY.encode()) and term.asked.endswith(b"\x1b[c")


def test_a_slow_terminal_is_waited_for_until_da1(terminal):
    assert _resolve(terminal(VT340, delay=0.1)).mode is Mode.SIXEL


def test_bytes_after_da1_stay_in_the_input(terminal):
    term = terminal({b"\x1b[c": XTERM_VT340_DA1 + b"typed"})
    assert _resolve(term).mode is Mode.SIXEL
    time.sleep(0.05)
    os.set_blocking(term.slave, False)
    assert os.read(term.slave, 100) == b"typed"


def test_stray_bytes_before_da1_are_kept(terminal):
    graphics = _resolve(terminal({b"\x1b[c": b"q" + XTERM_VT340_DA1}))
    assert graphics.stray == b"q"


@pytest.mark.parametrize("mode", [Mode.KITTY, Mode.SIXEL, Mode.HALFBLOCK])
def test_forced_modes_are_honoured(terminal, mode):
    graphics = _resolve(terminal(XTERM, pixels=(800, 480)), mode=mode, how="--graphics")
    assert graphics.mode is mode and graphics.reason.endswith("forced by --graphics")
    assert graphics.cell == CellSize(10, 20) and graphics.cell_reason == "cell 10x20 px (ioctl)"


def test_forced_mode_asks_the_cell_size_when_the_ioctl_has_none(terminal):
    term = terminal({b"\x1b[16t": b"\x1b[6;18;9t", b"\x1b[c": XTERM_DA1})
    graphics = _resolve(term, mode=Mode.SIXEL, how="SKYVERN_TUI_GRAPHICS")
    assert graphics == type(graphics)(Mode.SIXEL, CellSize(9, 18), False, "sixel: forced by SKYVERN_TUI_GRAPHICS",
                                      "cell 9x18 px (CSI 16t)")
    assert detect.KITTY_QUERY.encode() not in term.asked


def test_a_terminal_gone_mid_question_gives_half_blocks():
    master, slave = os.openpty()

    def hang_up() -> None:
        os.read(master, 100)  # the questions came: the terminal goes away
        os.close(master)

    thread = threading.Thread(target=hang_up)
    thread.start()
    try:
        graphics = resolve(Mode.AUTO, "default", slave, slave, {})
        assert graphics.mode is Mode.HALFBLOCK and "no graphics answer" in graphics.reason
    finally:
        thread.join()
        os.close(slave)


def test_the_linux_console_is_not_asked(terminal):
    term = terminal(VT340)
    graphics = _resolve(term, env={"TERM": "linux"})
    assert graphics.mode is Mode.HALFBLOCK and "TERM=linux" in graphics.reason and term.asked == b""


def test_not_a_terminal(tmp_path):
    with open(tmp_path / "out", "w") as out:
        auto = resolve(Mode.AUTO, "default", out.fileno(), out.fileno(), {})
        assert auto.mode is Mode.HALFBLOCK and "not a terminal" in auto.reason
        forced = resolve(Mode.SIXEL, "--graphics", out.fileno(), out.fileno(), {})
        assert forced.mode is Mode.SIXEL and forced.cell == DEFAULT_CELL and "assumed" in forced.cell_reason
    assert (tmp_path / "out").read_text() == ""


# ---------------------------------------------------------------- inside tmux (a fake tmux command)


@pytest.fixture
def fake_tmux(tmp_path, monkeypatch):
    """A `tmux` on PATH that answers `show` and `display` as told (a real tmux could be misset
    or stuck; the real one is tested below)."""

    def make(passthrough: str, termtype: str, sleep: float = 0.0) -> None:
        script = tmp_path / "tmux"
        script.write_text(f"""#!/bin/sh
sleep {sleep}
case "$1" in
  show) echo '{passthrough}';;
  display) printf '%s\\n' '{termtype}';;
esac
""")
        script.chmod(0o755)
        monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")

    return make


TMUX_ENV = {"TMUX": "/tmp/tmux-0/default,1,0", "TERM": "tmux-256color"}
TMUX_ANSWERS = {b"\x1b[>0q": TMUX_VERSION, b"\x1b[c": TMUX_DA1}


def test_tmux_with_passthrough_and_kitty_outside_draws_kitty(terminal, fake_tmux):
    fake_tmux("on", "kitty(0.35.2)\txterm-kitty")
    term = terminal(TMUX_ANSWERS)
    graphics = _resolve(term, env=TMUX_ENV)
    assert graphics.mode is Mode.KITTY and graphics.tmux and "kitty(0.35.2)" in graphics.reason
    assert detect.KITTY_QUERY.encode() not in term.asked  # tmux would swallow it


def test_tmux_without_passthrough_falls_back_to_half_blocks(terminal, fake_tmux):
    fake_tmux("off", "kitty(0.35.2)\txterm-kitty")
    graphics = _resolve(terminal(TMUX_ANSWERS), env=TMUX_ENV)
    assert graphics.mode is Mode.HALFBLOCK and not graphics.tmux
    assert graphics.reason == "half-blocks: inside tmux without allow-passthrough (set -g allow-passthrough on)"
    forced = _resolve(terminal(TMUX_ANSWERS, pixels=(800, 480)), mode=Mode.KITTY, env=TMUX_ENV, how="--graphics")
    assert forced.mode is Mode.HALFBLOCK and "allow-passthrough" in forced.reason


def test_tmux_with_sixel_draws_sixel_itself(terminal, fake_tmux):
    fake_tmux("on", "XTerm(390)\txterm")
    graphics = _resolve(terminal({b"\x1b[c": TMUX_SIXEL_DA1}), env=TMUX_ENV)
    assert graphics.mode is Mode.SIXEL and not graphics.tmux


def test_tmux_over_a_terminal_without_kitty_graphics(terminal, fake_tmux):
    fake_tmux("on", "XTerm(390)\txterm-256color")
    graphics = _resolve(terminal(TMUX_ANSWERS), env=TMUX_ENV)
    assert graphics.mode is Mode.HALFBLOCK and "(XTerm(390)) draws no kitty graphics" in graphics.reason


def test_tmux_that_hangs_costs_at_most_the_timeout(terminal, fake_tmux):
    fake_tmux("on", "kitty(0.35.2)\txterm-kitty", sleep=5)
    start = time.monotonic()
    graphics = _resolve(terminal(TMUX_ANSWERS), env=TMUX_ENV)
    assert time.monotonic() - start < 0.5
    assert graphics.mode is Mode.HALFBLOCK


def test_forced_kitty_inside_tmux_with_passthrough(terminal, fake_tmux):
    fake_tmux("all", "")
    graphics = _resolve(terminal(TMUX_ANSWERS, pixels=(800, 480)), mode=Mode.KITTY, env=TMUX_ENV, how="--graphics")
    assert graphics.mode is Mode.KITTY and graphics.tmux


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
@pytest.mark.parametrize("setting", ["off", "on"])
def test_passthrough_allowed_asks_a_real_tmux(tmp_path, setting):
    socket = f"graphics-core-{os.getpid()}-{setting}"
    out = tmp_path / "answer"
    code = f"from tui.core.graphics.tmux import passthrough_allowed; open({str(out)!r}, 'w').write(str(passthrough_allowed(2.0)))"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    try:
        subprocess.run(["tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-x", "80", "-y", "24"],
                       check=True, env=env, timeout=10)
        subprocess.run(["tmux", "-L", socket, "set", "-g", "allow-passthrough", setting], check=True, timeout=10)
        subprocess.run(["tmux", "-L", socket, "new-window", "-e", f"PYTHONPATH={env['PYTHONPATH']}",
                        f"{sys.executable} -c \"{code}\""], check=True, timeout=10)
        deadline = time.monotonic() + 15
        while not out.exists() or not out.read_text():
            assert time.monotonic() < deadline, "the python inside tmux did not answer"
            time.sleep(0.05)
        assert out.read_text() == str(setting == "on")
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], check=False, timeout=10, capture_output=True)


# ---------------------------------------------------------------- the setting


def test_parse_mode():
    assert parse_mode(" Kitty ") is Mode.KITTY and parse_mode("SIXEL") is Mode.SIXEL
    assert parse_mode("half-block") is parse_mode("halfblocks") is parse_mode("halfblock") is Mode.HALFBLOCK
    with pytest.raises(GraphicsError) as caught:
        parse_mode("iterm2")
    assert isinstance(caught.value, TuiError)
    assert all(word in str(caught.value) for word in ("iterm2", "auto", "kitty", "sixel", "halfblock"))
    assert "\x1b" not in str(pytest.raises(GraphicsError, parse_mode, "\x1b[2J").value)


def test_requested_mode_precedence():
    env = {"SKYVERN_TUI_GRAPHICS": "sixel"}
    assert requested_mode("kitty", env, "halfblock") == (Mode.KITTY, "--graphics")
    assert requested_mode(None, env, "halfblock") == (Mode.SIXEL, "SKYVERN_TUI_GRAPHICS")
    assert requested_mode(None, {"SKYVERN_TUI_GRAPHICS": ""}, "halfblock") == (Mode.HALFBLOCK, "the config file")
    assert requested_mode(None, {}, None) == (Mode.AUTO, "default")
    with pytest.raises(GraphicsError, match="SKYVERN_TUI_GRAPHICS"):
        requested_mode(None, {"SKYVERN_TUI_GRAPHICS": "pixels"}, None)
    assert HALFBLOCK.mode is Mode.HALFBLOCK and not HALFBLOCK.tmux


def test_the_config_file_names_the_graphics(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('graphics = "sixel"\ntheme = "nord"\n')
    assert load_ui_settings(path).graphics == "sixel"
    save_profile("local", "http://localhost:8000", "k", path=path)  # rewrites the file
    assert load_ui_settings(path).graphics == "sixel"
    path.write_text("graphics = 3\n")
    with pytest.raises(TuiError, match="graphics"):
        load_ui_settings(path)
    path.write_text("")
    assert load_ui_settings(path).graphics is None

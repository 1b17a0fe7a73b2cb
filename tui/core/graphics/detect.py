"""Which graphics the terminal draws, asked once before the app starts.

One write holds every question, DA1 last: the kitty graphics query (a 1x1 image with a=q, id 31:
a kitty-capable terminal answers OK or an error, others ignore it), XTVERSION (CSI > 0 q: the
terminal's name and version), CSI 16 t (the cell size in pixels) and DA1 (CSI c). Every terminal
answers DA1, and answers in order, so its answer ends the wait; a terminal that answers nothing
costs `timeout` (0.2 s). Bytes are read one at a time and only until the DA1 answer, so keys
typed after it stay in the input for the app. A terminal slower than the timeout may answer
after the app has started: Textual then reads those bytes as input (an unknown escape
sequence, which it ignores).

Inside tmux the questions go to tmux itself (it answers DA1 and XTVERSION for itself, and
lists sixel in DA1 when built with it); the outer terminal is known from tmux's
`#{client_termtype}` (its XTVERSION, tmux 3.3+) and `#{client_termname}` (its TERM), and kitty
graphics need `allow-passthrough`.
"""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass

from ..textsafe import visible_controls
from . import tmux as tmux_mod
from .modes import DEFAULT_CELL, CellSize, Graphics, Mode

KITTY_QUERY_ID = 31
KITTY_QUERY = f"\x1b_Gi={KITTY_QUERY_ID},s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\"
XTVERSION_QUERY = "\x1b[>0q"
CELL_QUERY = "\x1b[16t"
DA1_QUERY = "\x1b[c"
# XTSMGRAPHICS: the sixel geometry the terminal allows now (1) and at most (4), in pixels.
SIXEL_SIZE_QUERY = "\x1b[?2;1;0S\x1b[?2;4;0S"
SIXEL_ATTRIBUTE = 4
KITTY_PLACEHOLDERS_SINCE = (0, 28)  # kitty's first version with Unicode placeholders
_NO_QUESTIONS = {"dumb", "linux"}  # TERM values not asked anything
MAX_ANSWER = 4096  # a terminal that keeps talking is not waited for past this

_KITTY = re.compile(rb"\x1b_G([^\x1b]{0,512})\x1b\\")
_DA1 = re.compile(rb"\x1b\[\?([0-9;]{0,128})c")
_XTVERSION = re.compile(rb"\x1bP>\|([^\x1b]{0,256})\x1b\\")
_CELL = re.compile(rb"\x1b\[6;([0-9]{1,5});([0-9]{1,5})t")
_SIXEL_SIZE = re.compile(rb"\x1b\[\?2;0;([0-9]{1,5});([0-9]{1,5})S")
_DA1_END = re.compile(rb"\x1b\[\?[0-9;]{0,128}c$")


@dataclass(frozen=True)
class Answers:
    """What a terminal said to the questions (None: it did not say)."""

    kitty: bool | None = None  # the kitty query answered OK (True) or with an error (False)
    kitty_message: str = ""
    da1: tuple[int, ...] | None = None  # DA1 attributes (after the conformance level)
    version: str | None = None  # XTVERSION text, control characters made visible
    cell: CellSize | None = None
    sixel_width: int | None = None  # the narrowest of the sixel widths the terminal allows
    stray: bytes = b""  # bytes that were none of these answers

    @property
    def sixel(self) -> bool:
        return self.da1 is not None and SIXEL_ATTRIBUTE in self.da1


def parse_answers(data: bytes) -> Answers:
    """The answers found in what the terminal sent; never raises (the bytes are the terminal's)."""
    kitty: bool | None = None
    message = ""
    for match in _KITTY.finditer(data):
        keys, _, text = match.group(1).partition(b";")
        if f"i={KITTY_QUERY_ID}".encode() in keys.split(b","):
            message = visible_controls(text.decode("utf-8", "replace"))
            kitty = text == b"OK"
    da1: tuple[int, ...] | None = None
    for match in _DA1.finditer(data):
        numbers = [int(part) for part in match.group(1).split(b";") if part.isdigit() and len(part) <= 5]
        da1 = tuple(numbers[1:])
    version: str | None = None
    for match in _XTVERSION.finditer(data):
        version = visible_controls(match.group(1).decode("utf-8", "replace")).strip()
    cell: CellSize | None = None
    for match in _CELL.finditer(data):
        height, width = int(match.group(1)), int(match.group(2))
        if 0 < width <= 1000 and 0 < height <= 1000:
            cell = CellSize(width, height)
    widths = [int(match.group(1)) for match in _SIXEL_SIZE.finditer(data) if int(match.group(1)) > 0]
    sixel_width = min(widths) if widths else None
    stray = data
    for pattern in (_KITTY, _DA1, _XTVERSION, _CELL, _SIXEL_SIZE):
        stray = pattern.sub(b"", stray)
    return Answers(kitty, message, da1, version, cell, sixel_width, stray)


def ask(fd_in: int, fd_out: int, questions: str, timeout: float) -> bytes:
    """Write the questions (DA1 last) and read the answers until DA1's or `timeout`, with the tty
    in non-canonical, no-echo mode; its mode is restored whatever happens."""
    import termios

    data = bytearray()
    try:
        saved = termios.tcgetattr(fd_in)
    except termios.error:
        return b""
    try:
        quiet = termios.tcgetattr(fd_in)
        quiet[3] &= ~(termios.ICANON | termios.ECHO)
        quiet[6][termios.VMIN] = 0
        quiet[6][termios.VTIME] = 0
        termios.tcsetattr(fd_in, termios.TCSANOW, quiet)
        os.write(fd_out, questions.encode("ascii"))
        deadline = time.monotonic() + timeout
        while len(data) < MAX_ANSWER:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select([fd_in], [], [], left)
            if not ready:
                break
            byte = os.read(fd_in, 1)  # one at a time: not one byte past DA1's answer is taken
            if not byte:
                break
            data += byte
            if byte == b"c" and _DA1_END.search(data):
                break
    except (OSError, termios.error):
        pass  # a terminal gone mid-question: what came is all there is (half-blocks, likely)
    finally:
        try:
            termios.tcsetattr(fd_in, termios.TCSANOW, saved)
        except termios.error:
            pass
    return bytes(data)


def ioctl_cell(fd: int) -> CellSize | None:
    """The cell size from the tty's window size in pixels, when the terminal fills it in."""
    import fcntl
    import struct
    import termios

    try:
        packed = fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8)
    except (OSError, ValueError):  # not a tty; ValueError: no file at all (fd -1)
        return None
    rows, cols, xpixel, ypixel = struct.unpack("HHHH", packed)
    if rows and cols and xpixel and ypixel and xpixel // cols and ypixel // rows:
        return CellSize(xpixel // cols, ypixel // rows)
    return None


def _version_number(text: str) -> tuple[int, ...]:
    found = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", text)
    return tuple(int(part) for part in found.groups() if part) if found else ()


def _no_placeholders(version: str, env: Mapping[str, str]) -> str:
    """Why a terminal with kitty graphics cannot draw its Unicode placeholders ('' if it can)."""
    lowered = version.lower()
    if lowered.startswith("wezterm") or (env.get("TERM_PROGRAM") == "WezTerm" and not lowered.startswith("kitty")):
        return "WezTerm draws no kitty Unicode placeholders"
    if env.get("KONSOLE_VERSION") or lowered.startswith("konsole"):
        return "Konsole draws no kitty Unicode placeholders"
    if lowered.startswith("kitty"):
        number = _version_number(version)
        if number and number[:2] < KITTY_PLACEHOLDERS_SINCE:
            return f"kitty {'.'.join(map(str, number))} is older than 0.28 (no Unicode placeholders)"
    return ""


def _outer_kitty(termtype: str, termname: str) -> bool:
    """Whether tmux's outer terminal (its XTVERSION or TERM) draws kitty placeholders."""
    text = f"{termtype} {termname}".lower()
    if "ghostty" in text:
        return True
    if "kitty" in text:
        number = _version_number(termtype)
        return not number or number[:2] >= KITTY_PLACEHOLDERS_SINCE
    return False


def _cell(answers: Answers | None, fd: int) -> tuple[CellSize, str]:
    if answers is not None and answers.cell is not None:
        cell = answers.cell
        return cell, f"cell {cell.width}x{cell.height} px (CSI 16t)"
    cell_from_ioctl = ioctl_cell(fd)
    if cell_from_ioctl is not None:
        return cell_from_ioctl, f"cell {cell_from_ioctl.width}x{cell_from_ioctl.height} px (ioctl)"
    return DEFAULT_CELL, f"cell {DEFAULT_CELL.width}x{DEFAULT_CELL.height} px (assumed: the terminal did not say)"


def _start(command: list[str]) -> subprocess.Popen[str] | None:
    try:
        # Its own session, so a late one is killed with anything it started.
        return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)
    except OSError:
        return None


def _finish(process: subprocess.Popen[str] | None, deadline: float) -> tuple[int, str, str]:
    """A started tmux command's exit status and output, or (-1, '', '') when it is late."""
    if process is None:
        return -1, "", ""
    try:
        out, err = process.communicate(timeout=max(0.01, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            pass
        process.communicate()
        return -1, "", ""
    return process.returncode, out, err


def _label(mode: Mode) -> str:
    return {Mode.KITTY: "kitty graphics", Mode.SIXEL: "sixel", Mode.HALFBLOCK: "half-blocks"}[mode]


def resolve(requested: Mode, how: str, fd_in: int, fd_out: int, env: Mapping[str, str],
            timeout: float = 0.2) -> Graphics:
    """The graphics to draw with: a forced mode as asked (kitty inside tmux only with
    passthrough), auto as the terminal answers; half-blocks when it answers nothing useful.
    `how` names the setting that asked (modes.requested_mode)."""
    in_tmux = tmux_mod.inside_tmux(env)
    is_tty = os.isatty(fd_in) and os.isatty(fd_out)
    if requested is Mode.AUTO and not is_tty:
        cell, cell_reason = _cell(None, fd_out)
        return Graphics(Mode.HALFBLOCK, cell, False, "half-blocks: not a terminal, so nothing was asked", cell_reason)
    if requested is Mode.AUTO and env.get("TERM") in _NO_QUESTIONS:
        # The Linux console draws no graphics and would print the kitty query as text.
        cell, cell_reason = _cell(None, fd_out)
        return Graphics(Mode.HALFBLOCK, cell, False, f"half-blocks: TERM={env['TERM']} draws no graphics, "
                        "so nothing was asked", cell_reason)
    if requested is not Mode.AUTO:
        return _forced(requested, how, fd_in, fd_out, is_tty, in_tmux, timeout)
    deadline = time.monotonic() + timeout
    show = termtype = None
    questions = XTVERSION_QUERY + CELL_QUERY + SIXEL_SIZE_QUERY + DA1_QUERY
    if in_tmux:
        show = _start(tmux_mod.show_command())
        termtype = _start(["tmux", "display", "-p", "#{client_termtype}\t#{client_termname}"])
    else:
        questions = KITTY_QUERY + questions
    answers = parse_answers(ask(fd_in, fd_out, questions, timeout))
    cell, cell_reason = _cell(answers, fd_out)
    if in_tmux:
        code, out, err = _finish(show, deadline)
        allowed = tmux_mod.passthrough_answer(code, out, err) if code != -1 else False
        _, outer, _ = _finish(termtype, deadline)
        outer_type, _, outer_name = outer.strip("\n").partition("\t")
        outer_label = visible_controls(outer_type or outer_name).strip() or "unknown"
        mode, reason = _tmux_choice(answers, allowed, _outer_kitty(outer_type, outer_name), outer_label)
        return Graphics(mode, cell, mode is Mode.KITTY, reason, cell_reason, answers.stray, answers.sixel_width)
    mode, reason = _choice(answers, env, timeout)
    return Graphics(mode, cell, False, reason, cell_reason, answers.stray, answers.sixel_width)


def _choice(answers: Answers, env: Mapping[str, str], timeout: float) -> tuple[Mode, str]:
    name = f" ({answers.version})" if answers.version else ""
    missing = _no_placeholders(answers.version or "", env) if answers.kitty else ""
    if answers.kitty and not missing:
        return Mode.KITTY, f"kitty graphics: the terminal answered the kitty query{name}"
    if answers.sixel:
        why = f" ({missing})" if missing else name
        return Mode.SIXEL, f"sixel: the terminal lists sixel in its DA1 answer{why}"
    if missing:
        return Mode.HALFBLOCK, f"half-blocks: {missing}, and the terminal lists no sixel"
    if answers.da1 is None:
        return Mode.HALFBLOCK, f"half-blocks: no graphics answer from the terminal in {timeout:g} s"
    return Mode.HALFBLOCK, f"half-blocks: the terminal offers neither kitty graphics nor sixel{name}"


def _tmux_choice(answers: Answers, allowed: bool, outer_kitty: bool, outer: str) -> tuple[Mode, str]:
    if outer_kitty and allowed:
        return Mode.KITTY, f"kitty graphics: inside tmux with allow-passthrough, outer terminal {outer}"
    if answers.sixel:
        return Mode.SIXEL, "sixel: tmux lists sixel in its DA1 answer (tmux 3.4+ built with sixel draws it)"
    if outer_kitty:
        return Mode.HALFBLOCK, "half-blocks: inside tmux without allow-passthrough (set -g allow-passthrough on)"
    return Mode.HALFBLOCK, (f"half-blocks: inside tmux, whose outer terminal ({outer}) draws no kitty graphics "
                            "and which lists no sixel")


def _forced(requested: Mode, how: str, fd_in: int, fd_out: int, is_tty: bool, in_tmux: bool,
            timeout: float) -> Graphics:
    label = _label(requested)
    cell_from_ioctl = ioctl_cell(fd_out)
    sixel_width = None
    if (cell_from_ioctl is not None and requested is not Mode.SIXEL) or requested is Mode.HALFBLOCK or not is_tty:
        cell, cell_reason = _cell(None, fd_out)
        stray = b""
    else:
        # The terminal did not fill in its pixel size, or sixel's widest image is wanted: ask it
        # (DA1 ends the wait).
        questions = CELL_QUERY + (SIXEL_SIZE_QUERY if requested is Mode.SIXEL else "") + DA1_QUERY
        answers = parse_answers(ask(fd_in, fd_out, questions, timeout))
        cell, cell_reason = _cell(answers, fd_out)
        stray, sixel_width = answers.stray, answers.sixel_width
    if requested is Mode.KITTY and in_tmux:
        if not tmux_mod.passthrough_allowed(timeout):
            return Graphics(Mode.HALFBLOCK, cell, False,
                            f"half-blocks: kitty graphics forced by {how}, but inside tmux without "
                            "allow-passthrough (set -g allow-passthrough on)", cell_reason, stray)
        return Graphics(Mode.KITTY, cell, True, f"kitty graphics: forced by {how} (inside tmux: passthrough)",
                        cell_reason, stray)
    return Graphics(requested, cell, False, f"{label}: forced by {how}", cell_reason, stray, sixel_width)

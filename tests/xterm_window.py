"""A real xterm (`-ti vt340`: sixel on) under Xvfb: a command runs inside, keys go in, the window's
pixels come out as a Pillow image. For tests and for looking at the app by hand:

    with XtermWindow(["skyvern-tui", "--demo"], cols=160, rows=48) as term:
        term.wait_for(lambda shot: ..., timeout=30)
        term.send("2"); term.key("Return")
        term.shot().save("/tmp/app.png")

    python tests/xterm_window.py --cols 160 --rows 48 --out /tmp/app.png -- skyvern-tui --demo

Nothing starts at import: Xvfb and xterm start in `__enter__` and are killed in `__exit__`, also
when the body failed. Debian packages: xvfb, xterm, xdotool, xfonts-base (.ci/run installs them).
No screenshot tool is needed: Xvfb keeps its framebuffer in an XWD file (`-fbdir`), read here.
"""

from __future__ import annotations

import argparse
import mmap
import os
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType

from PIL import Image

PACKAGES = {"Xvfb": "xvfb", "xterm": "xterm", "xdotool": "xdotool"}
# misc-fixed 10x20 from xfonts-base, the ISO 10646 version (box drawing, blocks, braille): a bitmap
# font, so its cell is exactly 10x20 pixels wherever it is installed. 160x48 cells is 1600x960.
FONT_10X20 = "-misc-fixed-medium-r-normal--20-200-75-75-c-100-iso10646-1"
FONT_6X13 = "-misc-fixed-medium-r-semicondensed--13-120-75-75-c-60-iso10646-1"
BORDER = 2  # xterm's own default internalBorder: kept, so the app meets what users have
# xterm's default disallowedWindowOps less 14 (window size in pixels) and 19: in xterm 379 the
# answer to CSI 16t (cell size in pixels) is gated by 19, not by a number of its own (measured).
# A stock xterm answers neither: the app must fall back to the ioctl, which counts the borders.
REPORTS_ALLOWED = "1,2,3,4,5,6,7,8,9,11,13,18,20,21,GetSelection,SetSelection,SetWinLines,SetXprop"
SCREEN = (3840, 2400)  # Xvfb's screen: room for 160x48 cells of up to 24x50 pixels


class XtermUnavailable(RuntimeError):
    """A program the harness needs is not installed, or would not start."""


def missing_programs() -> list[str]:
    """The Debian packages to install before an XtermWindow can start (none: ready)."""
    return sorted({package for program, package in PACKAGES.items() if shutil.which(program) is None})


def xterm_env(**extra: str) -> dict[str, str]:
    """The caller's environment less Textual's settings, in a UTF-8 locale and UTC, true colour
    (xterm 379 draws SGR 38;2 colours exactly, measured; it sets no COLORTERM itself)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    env.pop("TMUX", None)
    env.update(LANG="C.UTF-8", LC_ALL="C.UTF-8", TZ="UTC", COLORTERM="truecolor", **extra)
    return env


class XtermWindow:
    """`command` in a real `xterm -ti vt340` of `cols` x `rows` cells on a display of its own.

    `font` is an X core font name (a bitmap font: known cell size); `truetype=("DejaVu Sans Mono",
    12)` uses Xft instead. `window_reports=False` leaves xterm's default (CSI 14t/16t unanswered).
    `hold` keeps the window after the command exits (xterm -hold). Sixel: `max_graphic_size` is
    raised from xterm's 1000x1000, beyond which an image is not drawn at all (not even clipped);
    `color_registers` is 256, not xterm 379's 1024. None leaves xterm's default.
    """

    window_class = "XTerm"  # for xdotool search: the only client on its display
    border = BORDER  # pixels between the window's edge and the first cell
    log_name = "xterm"

    def __init__(self, command: Sequence[str], cols: int = 80, rows: int = 24, *,
                 env: dict[str, str] | None = None, font: str = FONT_10X20,
                 truetype: tuple[str, float] | None = None, term: str = "xterm-256color",
                 window_reports: bool = True, hold: bool = False, cwd: str | Path | None = None,
                 color_registers: int | None = 256, max_graphic_size: str | None = f"{SCREEN[0]}x{SCREEN[1]}",
                 resources: Sequence[str] = (), start_timeout: float = 30.0) -> None:
        self.command = list(command)
        self.cols, self.rows = cols, rows
        self.env = env if env is not None else xterm_env()
        self.font, self.truetype, self.term = font, truetype, term
        self.window_reports, self.hold, self.cwd = window_reports, hold, cwd
        self.color_registers, self.max_graphic_size = color_registers, max_graphic_size
        self.resources = list(resources)
        self.start_timeout = start_timeout
        self.display = ""
        self.window = ""  # xterm's top-level window id, for xdotool
        self.geometry = (0, 0, 0, 0)  # x, y, width, height of that window on the screen
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._xvfb: subprocess.Popen[bytes] | None = None
        self._xterm: subprocess.Popen[bytes] | None = None
        self._fb: mmap.mmap | None = None
        self._layout: tuple[int, int, int, str] = (0, 0, 0, "")  # pixel offset, stride, width, rawmode

    # -- life cycle -------------------------------------------------------------------------------
    def __enter__(self) -> XtermWindow:
        missing = missing_programs()
        if missing:
            raise XtermUnavailable(f"the xterm harness needs Debian packages: apt-get install {' '.join(missing)}"
                                   " xfonts-base")
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def _start(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="xterm-window-")
        tmp = Path(self._tmp.name)
        read_end, write_end = os.pipe()
        try:
            # -displayfd: Xvfb picks a free display and writes its number once it accepts clients.
            with open(tmp / "xvfb.log", "wb") as log:
                self._xvfb = subprocess.Popen(
                    ["Xvfb", "-displayfd", str(write_end), "-screen", "0", f"{SCREEN[0]}x{SCREEN[1]}x24",
                     "-fbdir", str(tmp), "-nolisten", "tcp", "-noreset"],
                    pass_fds=(write_end,), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
                    start_new_session=True)
            os.close(write_end)
            write_end = -1
            self.display = ":" + self._read_display(read_end)
        finally:
            os.close(read_end)
            if write_end >= 0:
                os.close(write_end)
        self._map_framebuffer(tmp / "Xvfb_screen0")
        args = self._terminal_args()
        env = {**self.env, "DISPLAY": self.display}
        with open(tmp / f"{self.log_name}.log", "wb") as log:
            self._xterm = subprocess.Popen(args, env=env, cwd=self.cwd, stdin=subprocess.DEVNULL, stdout=log,
                                           stderr=subprocess.STDOUT, start_new_session=True)
        self._find_window()

    def _read_display(self, fd: int) -> str:
        data = b""
        end = time.monotonic() + self.start_timeout
        while not data.endswith(b"\n"):
            left = end - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise XtermUnavailable(f"Xvfb did not start in {self.start_timeout:.0f} s{self._log('xvfb')}")
            chunk = os.read(fd, 64)
            if not chunk:
                raise XtermUnavailable(f"Xvfb exited at start{self._log('xvfb')}")
            data += chunk
        return data.decode().strip()

    def _terminal_args(self) -> list[str]:
        args = ["xterm", "-ti", "vt340", "-tn", self.term, "-u8", "-geometry", f"{self.cols}x{self.rows}+0+0",
                "-bw", "0", "+sb", "-title", "xterm-window"]
        args += ["-fa", self.truetype[0], "-fs", str(self.truetype[1])] if self.truetype else ["-fn", self.font]
        resources = [
            "XTerm*decTerminalID: vt340",  # DA1 answers with 4: sixel
            *([f"XTerm*numColorRegisters: {self.color_registers}"] if self.color_registers else []),
            *([f"XTerm*maxGraphicSize: {self.max_graphic_size}"] if self.max_graphic_size else []),
            "XTerm*sixelScrolling: true",
            f"XTerm*internalBorder: {BORDER}",
            "XTerm*allowWindowOps: false",
            *([f"XTerm*disallowedWindowOps: {REPORTS_ALLOWED}"] if self.window_reports else []),
            *self.resources,
        ]
        for resource in resources:
            args += ["-xrm", resource]
        if self.hold:
            args.append("-hold")
        return [*args, "-e", *self.command]

    def _find_window(self) -> None:
        end = time.monotonic() + self.start_timeout
        while time.monotonic() < end:
            assert self._xterm is not None
            if self._xterm.poll() is not None:
                raise XtermUnavailable(f"{self.log_name} exited with status {self._xterm.returncode}"
                                       f"{self._log(self.log_name)}")
            found = self._xdotool("search", "--onlyvisible", "--maxdepth", "1", "--class", self.window_class,
                                  check=False)
            if found:
                self.window = found.split()[0]
                break
            time.sleep(0.05)
        else:
            raise XtermUnavailable(f"{self.log_name}'s window did not appear in {self.start_timeout:.0f} s"
                                   f"{self._log(self.log_name)}")
        self._read_geometry()
        log = self._log(self.log_name)
        if "cannot load font" in log or "unable to open font" in log.lower():
            raise XtermUnavailable(f"xterm could not load its font (install xfonts-base){log}")
        width, height = self.geometry[2:]
        if width > self._layout[2] or self.geometry[1] + height > SCREEN[1]:
            raise XtermUnavailable(f"the window {width}x{height} does not fit Xvfb's screen {SCREEN}")

    def _read_geometry(self) -> None:
        shell = dict(line.split("=", 1) for line in self._xdotool("getwindowgeometry", "--shell", self.window).split())
        self.geometry = (int(shell["X"]), int(shell["Y"]), int(shell["WIDTH"]), int(shell["HEIGHT"]))

    def _map_framebuffer(self, path: Path) -> None:
        """The XWD file Xvfb keeps its screen in: header (big-endian), colour map, then pixels."""
        with open(path, "rb") as file:
            self._fb = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        fields = struct.unpack(">25I", self._fb[:100])
        header_size, depth, width, byte_order = fields[0], fields[3], fields[4], fields[7]
        bits_per_pixel, stride, masks, ncolors = fields[11], fields[12], fields[14:17], fields[19]
        if bits_per_pixel != 32 or depth != 24 or masks != (0xFF0000, 0xFF00, 0xFF):
            raise XtermUnavailable(f"unexpected Xvfb framebuffer: {depth} bits in {bits_per_pixel}, masks {masks}")
        self._layout = (header_size + 12 * ncolors, stride, width, "BGRX" if byte_order == 0 else "XRGB")

    def close(self) -> None:
        """Everything down: the command's processes, xterm, Xvfb, the framebuffer file."""
        if self._xterm is not None:
            children = _children(self._xterm.pid)
            _stop(self._xterm)
            for pid in children:  # the command in its own session on xterm's pty: it may ignore SIGHUP
                _kill_group(pid)
            self._xterm = None
        if self._fb is not None:
            self._fb.close()
            self._fb = None
        if self._xvfb is not None:
            _stop(self._xvfb)
            self._xvfb = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    # -- looking ----------------------------------------------------------------------------------
    def shot(self) -> Image.Image:
        """The window's pixels now (RGB, window size: xterm's 2-pixel inner border included)."""
        if self._fb is None:
            raise RuntimeError("the xterm window is not running")
        offset, stride, width, rawmode = self._layout
        x, y, w, h = self.geometry
        rows = self._fb[offset + y * stride: offset + (y + h) * stride]
        return Image.frombuffer("RGB", (width, h), rows, "raw", rawmode, stride, 1).crop((x, 0, x + w, h))

    def cell_size(self) -> tuple[int, int]:
        """A cell's size in pixels, measured from the window: (width less borders) / columns."""
        width, height = self.geometry[2] - 2 * self.border, self.geometry[3] - 2 * self.border
        return width // self.cols, height // self.rows  # kitty's window may be a pixel wider

    def cell_box(self, col: int, row: int, cols: int = 1, rows: int = 1) -> tuple[int, int, int, int]:
        """The pixel box (left, top, right, bottom) of cells from (col, row), 0-based, in a shot."""
        w, h = self.cell_size()
        b = self.border
        return b + col * w, b + row * h, b + (col + cols) * w, b + (row + rows) * h

    def wait_for(self, predicate: Callable[[Image.Image], bool], timeout: float = 30.0,
                 interval: float = 0.1) -> Image.Image:
        """The first shot `predicate` accepts; on timeout an error naming a PNG of the last one."""
        end = time.monotonic() + timeout
        while True:
            image = self.shot()
            if predicate(image):
                return image
            if time.monotonic() >= end:
                saved = Path(tempfile.mkstemp(prefix="xterm-window-timeout-", suffix=".png")[1])
                image.save(saved)
                alive = "running" if self.running() else "exited"
                raise AssertionError(f"the {self.log_name} window never matched in {timeout:.0f} s (command {alive}); "
                                     f"last shot: {saved}")
            time.sleep(interval)

    def running(self) -> bool:
        return self._xterm is not None and self._xterm.poll() is None

    def resize(self, cols: int, rows: int, timeout: float = 10.0) -> None:
        """Resize the window to `cols` x `rows` cells, as a window manager would (the command gets
        SIGWINCH); returns once the window has its new size."""
        width, height = self.cell_size()
        pixels = (cols * width + 2 * self.border, rows * height + 2 * self.border)
        self._xdotool("windowsize", self.window, str(pixels[0]), str(pixels[1]))
        end = time.monotonic() + timeout
        while True:
            self._read_geometry()
            if self.geometry[2:] == pixels:
                break
            if time.monotonic() > end:
                raise AssertionError(f"the window is {self.geometry[2:]}, not {pixels}, {timeout:.0f} s after resizing")
            time.sleep(0.05)
        self.cols, self.rows = cols, rows

    # -- typing -----------------------------------------------------------------------------------
    def send(self, text: str, delay_ms: int = 20) -> None:
        """Type `text` literally, as a person would (XTEST key events into the focused window)."""
        self._focus()
        self._xdotool("type", "--delay", str(delay_ms), "--", text)

    def key(self, *names: str) -> None:
        """Press keys by X keysym name, chords with +: key("Escape"), key("ctrl+p"), key("Return")."""
        self._focus()
        self._xdotool("key", "--delay", "20", "--", *names)

    def _focus(self) -> None:
        # No window manager: focus the window ourselves (xterm ignores synthetic XSendEvent keys).
        self._xdotool("windowfocus", "--sync", self.window)

    def _xdotool(self, *args: str, check: bool = True) -> str:
        result = subprocess.run(["xdotool", *args], env={**os.environ, "DISPLAY": self.display},
                                capture_output=True, text=True, timeout=30)
        if check and result.returncode:
            raise RuntimeError(f"xdotool {args[0]}: {result.stderr.strip() or result.returncode}")
        return result.stdout.strip()

    def _log(self, name: str) -> str:
        if self._tmp is None:
            return ""
        path = Path(self._tmp.name) / f"{name}.log"
        text = path.read_text(errors="replace").strip() if path.exists() else ""
        return f": {text[-2000:]}" if text else ""


class KittyWindow(XtermWindow):
    """The same harness around Debian's kitty (0.26.5): OpenGL 3.3 through Mesa's llvmpipe.

    It draws kitty graphics placed at the cursor, but it predates Unicode placeholders (0.28): a
    transmission with U=1 is refused as a parse error (measured), so placeholders show as tofu.
    `font` and `truetype` are ignored: kitty's default monospace at `font_size` points.
    """

    window_class = "kitty"
    border = 0
    log_name = "kitty"
    font_size = 12.0

    def __enter__(self) -> KittyWindow:
        if shutil.which("kitty") is None:
            raise XtermUnavailable("the kitty harness needs the Debian package: apt-get install kitty")
        super().__enter__()
        return self

    def _terminal_args(self) -> list[str]:
        assert self._tmp is not None
        self.env = {**self.env, "LIBGL_ALWAYS_SOFTWARE": "1", "KITTY_CONFIG_DIRECTORY": self._tmp.name}
        options = {"font_size": str(self.font_size), "remember_window_size": "no",
                   "initial_window_width": f"{self.cols}c", "initial_window_height": f"{self.rows}c",
                   "placement_strategy": "top-left", "window_padding_width": "0", "cursor_blink_interval": "0",
                   "enable_audio_bell": "no", "update_check_interval": "0", "linux_display_server": "x11"}
        args = ["kitty", "--config", "NONE", "--class", self.window_class]
        for name, value in options.items():
            args += ["-o", f"{name}={value}"]
        if self.hold:
            args.append("--hold")
        return [*args, *self.command]


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _kill_group(pid: int) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            if not _alive(pid):
                return
            time.sleep(0.05)


def _alive(pid: int) -> bool:
    """Running: not gone, and not a zombie waiting for an init that reaps late."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return status.rsplit(")", 1)[1].split()[0] != "Z"


def main(argv: list[str] | None = None) -> int:
    """By hand: run a command in the xterm, optionally type keys, save a PNG of the window."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--cols", type=int, default=160)
    parser.add_argument("--rows", type=int, default=48)
    parser.add_argument("--wait", type=float, default=5.0, help="seconds before the shot (and after each key)")
    parser.add_argument("--keys", action="append", default=[], help="xdotool key names, e.g. --keys 2 --keys Return")
    parser.add_argument("--out", default="xterm-window.png")
    parser.add_argument("--kitty", action="store_true", help="in kitty instead of xterm")
    parser.add_argument("command", nargs="+")
    args = parser.parse_args(argv)
    kind = KittyWindow if args.kitty else XtermWindow
    with kind(args.command, args.cols, args.rows) as window:
        time.sleep(args.wait)
        for key in args.keys:
            window.key(key)
            time.sleep(args.wait)
        window.shot().save(args.out)
        print(f"{args.out}: {window.geometry[2]}x{window.geometry[3]} px, cell {window.cell_size()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

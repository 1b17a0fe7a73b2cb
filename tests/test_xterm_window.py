"""The real-terminal harness (tests/xterm_window.py) proved on a real xterm: a sixel image printed at
a known cell shows its colours there in the window's pixels, the cell size xterm reports (CSI 16t)
is the one measured from the window, typed keys reach the command, and nothing outlives it.

Also pinned here, for the sixel renderer: facts of xterm 379 measured with this harness.
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from xterm_window import BORDER, KittyWindow, XtermUnavailable, XtermWindow, missing_programs

# Skipped only off CI: .ci/run installs the packages, so in CI a missing one fails these tests.
pytestmark = pytest.mark.skipif(bool(missing_programs()) and not os.environ.get("CI"),
                                reason=f"needs Debian packages {missing_programs()} (.ci/run installs them)")

WHITE, BLACK = (255, 255, 255), (0, 0, 0)
RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)
YELLOW, CYAN, MAGENTA = (255, 255, 0), (0, 255, 255), (255, 0, 255)
TIMEOUT = 30.0  # for any one state to show: generous, the machine is shared


def sixel(blocks: list[list[tuple[int, int, int]]], block_w: int, block_h: int) -> str:
    """A sixel image of solid blocks (rows of colours), transparent elsewhere (P2=1).

    Colours are given in 8 bits and sent in percent, so 0 and 255 only survive exactly.
    No graphics newline after the last band: one there moves the sixel cursor below the image.
    """
    width, height = block_w * len(blocks[0]), block_h * len(blocks)
    palette = sorted({colour for row in blocks for colour in row})
    out = ["\x1bP0;1;0q", f'"1;1;{width};{height}']
    out += [f"#{i};2;{r * 100 // 255};{g * 100 // 255};{b * 100 // 255}" for i, (r, g, b) in enumerate(palette)]
    for top in range(0, height, 6):
        for index, colour in enumerate(palette):
            line = []
            for x in range(width):
                bits = sum(1 << dy for dy in range(6)
                           if top + dy < height and blocks[(top + dy) // block_h][x // block_w] == colour)
                line.append(chr(63 + bits))
            out.append(f"#{index}{''.join(line)}$")
        if top + 6 < height:
            out.append("-")
    return "".join(out) + "\x1b\\"


def script(tmp_path: Path, name: str, body: str) -> list[str]:
    path = tmp_path / f"{name}.py"
    path.write_text(body)
    return [sys.executable, str(path)]


def wait_file(path: Path, window: XtermWindow, timeout: float = TIMEOUT) -> str:
    end = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > end or not window.running():
            raise AssertionError(f"{path.name} never written (command {'running' if window.running() else 'exited'})")
        time.sleep(0.05)
    time.sleep(0.05)  # written in one write() before close, but let the writer finish
    return path.read_text()


def cell_colours(shot: Image.Image, window: XtermWindow, col: int, row: int) -> set[tuple[int, int, int]]:
    """Every colour inside one cell of the shot."""
    colours = shot.crop(window.cell_box(col, row)).getcolors(maxcolors=1 << 16) or []
    return {(colour[0], colour[1], colour[2]) for _, colour in colours if isinstance(colour, tuple)}


def has_ink(window: XtermWindow, col: int, row: int, cols: int) -> Callable[[Image.Image], bool]:
    return lambda shot: any(BLACK in cell_colours(shot, window, c, row) for c in range(col, col + cols))


def test_sixel_blocks_show_their_colours_at_their_cells(tmp_path: Path) -> None:
    blocks = [[RED, GREEN, BLUE], [YELLOW, CYAN, MAGENTA]]
    col, row = 20, 6  # 0-based cell of the image's top left
    command = script(tmp_path, "draw", f"""
import os, sys, time
out = sys.stdout
out.write("\\x1b[2J\\x1b[?25l\\x1b[{row + 3};{col + 1}HREADY")  # text below the image; no cursor, as in the app
out.flush()
open("ready", "w").close()
while not os.path.exists("go"):
    time.sleep(0.02)
out.write("\\x1b[{row + 1};{col + 1}H" + {sixel(blocks, 10, 20)!r})
out.flush()
time.sleep(300)
""")
    with XtermWindow(command, 80, 24, cwd=tmp_path) as window:
        assert window.cell_size() == (10, 20)
        wait_file(tmp_path / "ready", window)
        before = window.wait_for(has_ink(window, col, row + 2, 5), TIMEOUT)
        for dy in range(2):
            for dx in range(3):
                assert cell_colours(before, window, col + dx, row + dy) == {WHITE}, "drawn before it was sent"
        (tmp_path / "go").touch()
        after = window.wait_for(lambda shot: cell_colours(shot, window, col + 2, row + 1) == {MAGENTA}, TIMEOUT)
        for dy, line in enumerate(blocks):
            for dx, colour in enumerate(line):
                assert cell_colours(after, window, col + dx, row + dy) == {colour}, (dx, dy)
        # Nothing around it: the cells left, right and above are background (the text is below).
        for c, r in [(col - 1, row), (col + 3, row + 1), (col, row - 1), (col + 2, row - 1)]:
            assert cell_colours(after, window, c, r) == {WHITE}, (c, r)
        # The text under it is untouched, pixel for pixel.
        text_box = window.cell_box(col, row + 2, 5)
        assert after.crop(text_box).tobytes() == before.crop(text_box).tobytes()


PROBE = """
import fcntl, json, os, select, struct, sys, termios, tty
fd = sys.stdin.fileno()
saved = termios.tcgetattr(fd)
tty.setraw(fd)
def ask(query, end):
    os.write(1, query)
    answer = b""
    while not answer.endswith(end):
        if not select.select([fd], [], [], 1.0)[0]:
            break
        answer += os.read(fd, 64)
    return answer.decode()
answers = {"16t": ask(b"\\x1b[16t", b"t"), "14t": ask(b"\\x1b[14t", b"t"), "da1": ask(b"\\x1b[c", b"c"),
           "ioctl": struct.unpack("HHHH", fcntl.ioctl(fd, termios.TIOCGWINSZ, bytes(8))),
           "term": os.environ.get("TERM")}
termios.tcsetattr(fd, termios.TCSADRAIN, saved)
with open("answers.tmp", "w") as file:
    json.dump(answers, file)
os.rename("answers.tmp", "answers.json")
"""


@pytest.mark.parametrize("cols, rows", [(80, 24), (160, 48)])
def test_reported_cell_size_is_the_measured_one(tmp_path: Path, cols: int, rows: int) -> None:
    with XtermWindow(script(tmp_path, "probe", PROBE), cols, rows, cwd=tmp_path, hold=True) as window:
        answers = json.loads(wait_file(tmp_path / "answers.json", window))
        width, height = window.cell_size()
        assert (width, height) == (10, 20)  # misc-fixed 10x20
        assert answers["16t"] == f"\x1b[6;{height};{width}t"
        assert answers["14t"] == f"\x1b[4;{rows * height};{cols * width}t"  # the text area, no borders
        assert "4" in answers["da1"].removeprefix("\x1b[?").removesuffix("c").split(";")  # sixel
        # The ioctl's pixels count xterm's inner border on both sides: cell = pixels // cells.
        assert answers["ioctl"] == [rows, cols, cols * width + 2 * BORDER, rows * height + 2 * BORDER]
        assert answers["term"] == "xterm-256color"
        assert window.shot().size == (cols * width + 2 * BORDER, rows * height + 2 * BORDER)


def test_stock_xterm_does_not_answer_16t(tmp_path: Path) -> None:
    """xterm's default disallowedWindowOps: the app must fall back to the ioctl (and its timeout)."""
    with XtermWindow(script(tmp_path, "probe", PROBE), 80, 24, cwd=tmp_path, hold=True,
                     window_reports=False) as window:
        answers = json.loads(wait_file(tmp_path / "answers.json", window))
        assert answers["16t"] == answers["14t"] == ""
        assert answers["ioctl"] == [24, 80, 804, 484]
        assert "4" in answers["da1"].removeprefix("\x1b[?").removesuffix("c").split(";")


def test_typed_keys_reach_the_command(tmp_path: Path) -> None:
    command = script(tmp_path, "keys", """
import os, sys, tty
tty.setraw(0)
got = b""
while not got.endswith(b"q"):
    got += os.read(0, 64)
with open("keys.tmp", "wb") as file:
    file.write(got)
os.rename("keys.tmp", "keys.bin")
""")
    with XtermWindow(command, 80, 24, cwd=tmp_path, hold=True) as window:
        window.send("ab C")
        window.key("Escape", "ctrl+p", "Return")
        window.send("q")
        wait_file(tmp_path / "keys.bin", window)
    assert (tmp_path / "keys.bin").read_bytes() == b"ab C\x1b\x10\rq"


def test_resize_reaches_the_command(tmp_path: Path) -> None:
    command = script(tmp_path, "winch", """
import fcntl, os, signal, struct, termios, time
def record(*_):
    rows, cols, width, height = struct.unpack("HHHH", fcntl.ioctl(0, termios.TIOCGWINSZ, bytes(8)))
    with open("size.tmp", "w") as file:
        file.write(f"{cols}x{rows} {width}x{height}")
    os.rename("size.tmp", f"size-{cols}x{rows}")
signal.signal(signal.SIGWINCH, record)
record()
time.sleep(300)
""")
    with XtermWindow(command, 80, 24, cwd=tmp_path) as window:
        assert wait_file(tmp_path / "size-80x24", window) == "80x24 804x484"
        window.resize(100, 30)
        assert wait_file(tmp_path / "size-100x30", window) == "100x30 1004x604"
        assert window.shot().size == (1004, 604) and window.cell_size() == (10, 20)
        assert window.cell_box(99, 29) == (992, 582, 1002, 602)


def test_everything_is_stopped_even_when_the_body_fails(tmp_path: Path) -> None:
    # The command ignores SIGHUP (xterm's hang-up when it closes): it must be killed all the same.
    command = script(tmp_path, "stubborn", """
import os, signal, time
signal.signal(signal.SIGHUP, signal.SIG_IGN)
open("pid.tmp", "w").write(str(os.getpid()))
os.rename("pid.tmp", "pid")
time.sleep(300)
""")
    window = XtermWindow(command, 80, 24, cwd=tmp_path)
    with pytest.raises(RuntimeError, match="the body failed"), window:
        pids = [int(wait_file(tmp_path / "pid", window))]
        assert window._xterm is not None and window._xvfb is not None
        pids += [window._xterm.pid, window._xvfb.pid]
        framebuffer = Path(window._tmp.name) if window._tmp else None
        raise RuntimeError("the body failed")
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text(), pid
    assert framebuffer is not None and not framebuffer.exists()
    with pytest.raises(RuntimeError, match="not running"):
        window.shot()


def test_sixel_in_the_last_row_scrolls_xterm(tmp_path: Path) -> None:
    """xterm 379 scrolls the whole screen up one line when a sixel image touches the last row, even
    one of 12 pixels with the cursor kept right of it (DECSET 8452); one row higher it does not.
    A renderer must not draw sixel rows in the terminal's last line."""
    image = sixel([[RED]], 10, 12)
    command = script(tmp_path, "bottom", f"""
import sys, time
out = sys.stdout
out.write("\\x1b[2J\\x1b[?8452h\\x1b[1;1HTOP")
out.write("\\x1b[23;1H" + {image!r})
out.flush()
time.sleep(0.3)
open("one", "w").close()
while True:
    try:
        open("two").close()
        break
    except OSError:
        time.sleep(0.02)
out.write("\\x1b[24;1H" + {image!r})
out.flush()
time.sleep(300)
""")
    with XtermWindow(command, 80, 24, cwd=tmp_path) as window:
        wait_file(tmp_path / "one", window)
        shot = window.wait_for(lambda s: RED in cell_colours(s, window, 0, 22), TIMEOUT)
        assert BLACK in cell_colours(shot, window, 0, 0), "TOP is in the first row: no scroll yet"
        (tmp_path / "two").touch()
        # The second image moves up with the screen: red shows in rows 21 and 22, TOP is gone.
        shot = window.wait_for(lambda s: RED in cell_colours(s, window, 0, 21), TIMEOUT)
        assert cell_colours(shot, window, 0, 0) == {WHITE}
        assert RED in cell_colours(shot, window, 0, 22)
        assert cell_colours(shot, window, 0, 23) == {WHITE}


def test_sixel_stays_until_text_is_written_over_it(tmp_path: Path) -> None:
    """What the renderer must clean up itself: a smaller image drawn over a bigger one leaves the
    bigger one's pixels beside it; a character written into a cell (a space too) erases the
    image in that cell only."""
    command = script(tmp_path, "layers", f"""
import os, sys, time
out = sys.stdout
out.write("\\x1b[2J\\x1b[?25l\\x1b[3;1H" + {sixel([[RED]], 40, 20)!r} + "\\x1b[3;1H" + {sixel([[BLUE]], 10, 20)!r})
out.write("\\x1b[6;1H" + {sixel([[GREEN]], 40, 20)!r} + "\\x1b[6;2H \\x1b[6;4HZ")
out.flush()
open("drawn", "w").close()
time.sleep(300)
""")
    with XtermWindow(command, 80, 24, cwd=tmp_path) as window:
        wait_file(tmp_path / "drawn", window)
        shot = window.wait_for(lambda s: GREEN in cell_colours(s, window, 2, 5), TIMEOUT)
        assert [cell_colours(shot, window, c, 2) for c in range(5)] == [{BLUE}, {RED}, {RED}, {RED}, {WHITE}]
        assert cell_colours(shot, window, 0, 5) == cell_colours(shot, window, 2, 5) == {GREEN}
        assert cell_colours(shot, window, 1, 5) == {WHITE}  # the space
        assert GREEN not in cell_colours(shot, window, 3, 5) and BLACK in cell_colours(shot, window, 3, 5)  # Z


LIMITS = """
import json, os, select, sys, termios, time, tty
fd = sys.stdin.fileno()
saved = termios.tcgetattr(fd)
tty.setraw(fd)
def ask(query):
    os.write(1, query)
    answer = b""
    while not answer.endswith(b"S") and select.select([fd], [], [], 1.0)[0]:
        answer += os.read(fd, 64)
    return answer.decode()
# XTSMGRAPHICS: xterm 379 answers only with all three parameters (the value too, though ignored).
answers = {"colours": ask(b"\\x1b[?1;1;0S"), "geometry": ask(b"\\x1b[?2;1;0S")}
termios.tcsetattr(fd, termios.TCSADRAIN, saved)
sys.stdout.write("\\x1b[?25l\\x1b[3;1H" + sys.argv[1] + "\\x1b[5;1H" + sys.argv[2])
sys.stdout.flush()
with open("answers.tmp", "w") as file:
    json.dump(answers, file)
os.rename("answers.tmp", "answers.json")
time.sleep(300)
"""


@pytest.mark.parametrize("stock", [True, False], ids=["stock", "harness"])
def test_sixel_limits_are_reported_and_enforced(tmp_path: Path, stock: bool) -> None:
    """A stock `xterm -ti vt340` draws no sixel image wider than 1000 pixels, not even clipped; it
    has 1024 colour registers. XTSMGRAPHICS tells both (the geometry also capped by the window).
    The harness raises the size to its screen's and sets 256 registers, the palette size the
    renderer is meant to stay within."""
    limits: dict[str, object] = {"color_registers": None, "max_graphic_size": None} if stock else {}
    fits, too_wide = sixel([[RED]], 1000, 20), sixel([[BLUE]], 1001, 20)
    command = [*script(tmp_path, "limits", LIMITS), fits, too_wide]
    with XtermWindow(command, 160, 48, cwd=tmp_path, **limits) as window:  # type: ignore[arg-type]
        answers = json.loads(wait_file(tmp_path / "answers.json", window))
        assert answers == ({"colours": "\x1b[?1;0;1024S", "geometry": "\x1b[?2;0;1000;960S"} if stock else
                           {"colours": "\x1b[?1;0;256S", "geometry": "\x1b[?2;0;1600;960S"})
        shot = window.wait_for(lambda s: RED in cell_colours(s, window, 99, 2), TIMEOUT)
        time.sleep(0.5)  # the second image was sent with the first
        shot = window.shot()
        assert cell_colours(shot, window, 0, 2) == cell_colours(shot, window, 99, 2) == {RED}
        if stock:
            assert all(cell_colours(shot, window, c, 4) == {WHITE} for c in (0, 99, 100))
        else:
            assert cell_colours(shot, window, 0, 4) == cell_colours(shot, window, 99, 4) == {BLUE}
            assert BLUE in cell_colours(shot, window, 100, 4)  # its 1001st pixel column


def test_a_missing_package_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda program: None if program == "xdotool" else f"/usr/bin/{program}")
    with pytest.raises(XtermUnavailable, match="apt-get install xdotool"):
        with XtermWindow(["true"], 80, 24):
            pass


KITTY_PROBE = """
import json, os, select, sys, termios, tty
fd = sys.stdin.fileno()
saved = termios.tcgetattr(fd)
tty.setraw(fd)
def ask(query):
    os.write(1, query)
    answer = b""
    while not answer.endswith((b"\\x1b\\\\", b"t")) and select.select([fd], [], [], 1.0)[0]:
        answer += os.read(fd, 256)
    return answer.decode()
answers = {"query": ask(b"\\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\\x1b\\\\"),
           "query_placeholder": ask(b"\\x1b_Gi=32,s=1,v=1,a=q,U=1,t=d,f=24;AAAA\\x1b\\\\"),
           "version": ask(b"\\x1b[>0q"), "16t": ask(b"\\x1b[16t")}
termios.tcsetattr(fd, termios.TCSADRAIN, saved)
with open("answers.tmp", "w") as file:
    json.dump(answers, file)
os.rename("answers.tmp", "answers.json")
"""

needs_kitty = pytest.mark.skipif(shutil.which("kitty") is None and not os.environ.get("CI"),
                                 reason="needs Debian's kitty (.ci/run installs it)")


@needs_kitty
def test_kitty_draws_a_placed_image_at_its_cells(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 38), RED).save(buffer, "PNG")
    payload = base64.b64encode(buffer.getvalue()).decode()
    command = script(tmp_path, "kitty_draw", f"""
import os, sys, time
out = sys.stdout
out.write("\\x1b[2J\\x1b[?25l\\x1b[1;1HTOP")
out.flush()
open("ready", "w").close()
while not os.path.exists("go"):
    time.sleep(0.02)
out.write("\\x1b[3;4H\\x1b_Ga=T,f=100,q=2,c=4,r=2;{payload}\\x1b\\\\")
out.flush()
time.sleep(300)
""")
    with KittyWindow(command, 80, 24, cwd=tmp_path) as window:
        assert window.cell_size() == (10, 19)  # DejaVu Sans Mono at 12 pt
        wait_file(tmp_path / "ready", window)
        before = window.wait_for(lambda s: len(cell_colours(s, window, 0, 0)) > 1, TIMEOUT)  # TOP drawn
        assert all(cell_colours(before, window, c, r) == {BLACK} for c in range(3, 7) for r in (2, 3))
        (tmp_path / "go").touch()
        after = window.wait_for(lambda s: cell_colours(s, window, 6, 3) == {RED}, TIMEOUT)
        assert all(cell_colours(after, window, c, r) == {RED} for c in range(3, 7) for r in (2, 3))
        assert cell_colours(after, window, 7, 2) == cell_colours(after, window, 3, 4) == {BLACK}


@needs_kitty
def test_debians_kitty_predates_unicode_placeholders(tmp_path: Path) -> None:
    """kitty 0.26.5 answers the graphics query, but not one with U=1 (a parse error, logged): a
    terminal that says OK to a plain query may still draw no placeholders."""
    with KittyWindow(script(tmp_path, "kitty_probe", KITTY_PROBE), 80, 24, cwd=tmp_path, hold=True) as window:
        answers = json.loads(wait_file(tmp_path / "answers.json", window))
        assert answers["query"] == "\x1b_Gi=31;OK\x1b\\"
        assert answers["query_placeholder"] == ""
        assert answers["version"] == "\x1bP>|kitty(0.26.5)\x1b\\"
        width, height = window.cell_size()
        assert answers["16t"] == f"\x1b[6;{height};{width}t"

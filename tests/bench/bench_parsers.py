"""Benchmark of the parsers' hostile-input paths against the code they replaced, in one run.

    python tests/bench/bench_parsers.py

- one 40 KB skyvern_log line through the key=value highlighting (the old single regex was
  quadratic on "a.a.a..." and "a-a-a...");
- a 2.9 MB browser console log of one message over many lines (the old parser grew the
  message by concatenation, and its line pattern backtracked over runs of spaces);
- a 12000 x 12000 PNG screenshot decoded for the viewer: peak RSS of a fresh process.

The "before" code is kept here, word for word, as the baseline. Prints figures and ratios;
asserts nothing (timings belong here, not in tests).
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tui.core.formats import logs  # noqa: E402
from tui.core.formats.text import split_lines  # noqa: E402

# --- the code before ------------------------------------------------------------------------------
_OLD_KEY_VALUE = re.compile(r'(?<![\w"])(?P<key>[A-Za-z_][\w.\-]*)=(?P<value>"(?:[^"\\]|\\.)*"|\[[^\]]*\]|\{[^}]*\}|\S+)')
_OLD_CONSOLE = re.compile(
    r"^(?P<ts>\S+?Z?)\[(?P<type>[a-zA-Z]+)\](?P<text>.*?)"
    r"(?:\s+url=(?P<url>\S*)\s+lineNumber=(?P<line>-?\d+)\s+columnNumber=(?P<col>-?\d+))?\s*$"
)


def old_pairs(text: str) -> list[tuple[int, int, int, int]]:
    return [(m.start("key"), m.end("key"), m.start("value"), m.end("value")) for m in _OLD_KEY_VALUE.finditer(text)]


def old_console(data: bytes) -> list[tuple[str, str, str, str]]:
    messages: list[tuple[str, str, str, str]] = []
    for line in split_lines(data):
        if not line.strip():
            continue
        match = _OLD_CONSOLE.match(line)
        if not match:
            if messages:
                ts, kind, text, where = messages[-1]
                messages[-1] = (ts, kind, f"{text}\n{line}", where)  # a new string per line
            else:
                messages.append(("", "log", line, ""))
            continue
        messages.append((match.group("ts"), match.group("type"), match.group("text"), ""))
    return messages


_OLD_DECODE = """
import io, sys
from PIL import Image
image = Image.open(io.BytesIO(open(sys.argv[1], "rb").read()))
image.load()
image = image.convert("RGB")
print(image.size)
"""
_NEW_DECODE = """
import sys
sys.path.insert(0, sys.argv[2])
from tui.core.formats.media import open_image
print(open_image(open(sys.argv[1], "rb").read()).size)
"""
# VmHWM is this process's own peak (ru_maxrss would carry over the parent's, across exec).
_PEAK = "\nprint([int(l.split()[1]) // 1024 for l in open('/proc/self/status') if l.startswith('VmHWM')][0])\n"
_BASELINE = "import io, sys\nfrom PIL import Image\nsys.path.insert(0, sys.argv[2])\nimport tui.core.formats.media\n" \
            "data = open(sys.argv[1], 'rb').read()\nprint(len(data))\n"


# --- measuring ----------------------------------------------------------------------------------------
def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def line_figures() -> None:
    head = "2026-11-28T16:02:20.955363Z [info     ] Event  "
    for name, unit in (("a.a.a...", "a."), ("a-a-a...", "a-"), ('k=[ k=[ ...', "k=[ "), ("plain key=value", "key=v ")):
        line = (head + unit * 40_000)[:40_000]
        rest = line[len(head) - 1 :]
        before = timed(lambda rest=rest: old_pairs(rest))
        after = timed(lambda line=line: logs.parse_log_line(line))
        whole = timed(lambda line=line: logs.parse_log_line(line, limit=None))
        print(f"40 KB log line, {name:16} before {before:8.3f} s   after {after:8.5f} s (styled part)   "
              f"whole line {whole:8.5f} s   x{before / max(after, 1e-9):,.0f}")


def row_figures() -> None:
    """One row of the log view drawn: parse, style and render to segments, as render_line does."""
    from rich.console import Console
    from rich.style import Style

    from tui.ui.widgets import log_view

    console = Console(width=200, file=io.StringIO())
    head = "2026-11-28T16:02:20.955363Z [info     ] Event  "
    line = (head + "k=v " * 10_000)[:40_000]

    def draw(parse, pairs: int) -> None:
        log_view.STYLED_PAIRS = pairs
        list(log_view.styled(parse(line), lambda name: Style(bold=True)).render(console))

    def old_parse(text: str) -> logs.LogLine:
        parsed = logs.parse_log_line(text, limit=0)
        rest = len(head) - 1
        pairs = tuple((a + rest, b + rest, c + rest, d + rest) for a, b, c, d in old_pairs(text[rest:]))
        return logs.LogLine(text, parsed.timestamp, parsed.level, parsed.event_span, pairs)

    kept = log_view.STYLED_PAIRS
    before = timed(lambda: draw(old_parse, 10**9))
    after = timed(lambda: draw(logs.parse_log_line, kept))
    log_view.STYLED_PAIRS = kept
    print(f"log view row of a 40 KB line of 10,000 pairs: before {before * 1000:8.1f} ms   after {after * 1000:8.2f} ms")


def console_figures() -> None:
    data = b"2026-11-28T16:02:22.596420Z[error]Uncaught TypeError: x\n" + \
        b"    at someFunction (https://example.test/app.js:1:2)\n" * 57_000
    before = timed(lambda: old_console(data))
    after = timed(lambda: logs.browser_console_log(data))
    print(f"{len(data) / 1e6:.1f} MB console log, one message:   before {before:8.3f} s   after {after:8.3f} s   "
          f"x{before / max(after, 1e-9):,.0f}")
    spaces = b"2026-11-28T16:02:22Z[log]" + b" " * 40_000 + b"y\n"
    before = timed(lambda: old_console(spaces))
    after = timed(lambda: logs.browser_console_log(spaces))
    print(f"console line of 40,000 spaces:       before {before:8.3f} s   after {after:8.5f} s")


def peak_mb(script: str, path: Path) -> str:
    result = subprocess.run([sys.executable, "-c", script + _PEAK, str(path), str(ROOT)], capture_output=True,
                            text=True, timeout=600)
    if result.returncode != 0:
        return f"failed: {result.stderr.strip().splitlines()[-1]}"
    size, peak = result.stdout.split("\n")[-3:-1]
    return f"{peak} MB peak RSS ({size})"


def image_figures() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for fmt in ("PNG", "JPEG"):
            path = Path(folder) / f"big.{fmt.lower()}"
            make = "import sys\nfrom PIL import Image\nImage.new('RGB', (12000, 12000), (200, 30, 30)).save(sys.argv[1])"
            subprocess.run([sys.executable, "-c", make, str(path)], check=True, timeout=600)
            print(f"12000x12000 {fmt} ({path.stat().st_size / 1e6:.1f} MB file), each in a fresh process:")
            print(f"  baseline (Python, Pillow, the file read, nothing decoded): {peak_mb(_BASELINE, path)}")
            print(f"  before (Image.open, load, convert):                      {peak_mb(_OLD_DECODE, path)}")
            print(f"  after  (open_image: PNG/JPEG/WebP/GIF, reduced):         {peak_mb(_NEW_DECODE, path)}")


if __name__ == "__main__":
    line_figures()
    row_figures()
    console_figures()
    image_figures()

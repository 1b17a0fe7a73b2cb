"""Benchmark of the viewers' heavy paths, each against a baseline measured in the same run.

    python tests/bench/bench_viewers.py

Prints figures and ratios; asserts nothing (machines are noisy: timings belong here, not in
tests).
"""

from __future__ import annotations

import io
import json
import statistics
import sys
import time
from pathlib import Path

from PIL import Image, ImageDraw
from rich.syntax import Syntax
from rich_pixels import Pixels

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tui.core.catalog import Format  # noqa: E402
from tui.core.formats.media import downscale, open_image  # noqa: E402
from tui.core.formats.text import text_document  # noqa: E402
from tui.core.textsafe import visible_controls  # noqa: E402
from stall import timed_with_stall  # noqa: E402


def timed(fn, repeat: int = 3) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def screenshot_bytes() -> bytes:
    """A 1920x1080 page-like picture (text-like stripes), as Skyvern's screenshots are."""
    image = Image.new("RGB", (1920, 1080), "white")
    draw = ImageDraw.Draw(image)
    for y in range(0, 1080, 18):
        draw.text((20, y), "Skyvern screenshot line " * 12, fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def longest_stall(fn) -> float:
    """The longest time another thread (the interface) waited for the GIL while fn ran."""
    return timed_with_stall(fn)[1]


def report(name: str, baseline: float, ours: float) -> None:
    print(f"{name:<46} baseline {baseline * 1000:9.1f} ms   ours {ours * 1000:9.1f} ms   x{baseline / ours:7.1f}")


def cursor_view_figures(log) -> tuple[float, float, float]:
    """Seconds to draw the first screen of a LogView, to make 100 cursor moves drawing the
    screen after each, and to count every match of a query (in its worker)."""
    import asyncio

    from textual.app import App

    from tui.ui.widgets.log_view import LogView

    class LogApp(App):
        def compose(self):
            yield LogView(log)

    figures: list[float] = []

    async def run() -> None:
        app = LogApp()
        async with app.run_test(size=(120, 40)) as pilot:
            view = app.query_one(LogView)
            await pilot.pause()

            def draw() -> None:
                for y in range(view.size.height):
                    view.render_line(y)

            view._strips.clear()
            view._parsed.clear()
            start = time.perf_counter()
            draw()
            figures.append(time.perf_counter() - start)
            start = time.perf_counter()
            for _ in range(100):
                view.action_down()
                draw()
            figures.append(time.perf_counter() - start)
            start = time.perf_counter()
            view.find("no such text")  # a full pass: nothing stops it early
            while not view.counted:
                await asyncio.sleep(0.01)
            figures.append(time.perf_counter() - start)

    asyncio.run(run())
    return figures[0], figures[1], figures[2]


def main() -> None:
    data = screenshot_bytes()
    image = open_image(data)
    cols, rows = 90, 36  # a viewer pane at 120x40
    report(
        "screenshot 1920x1080 -> half-blocks",
        timed(lambda: Pixels.from_image(image), repeat=1),
        timed(lambda: Pixels.from_image(downscale(image, cols, rows * 2))),
    )

    line = '  {"event": "Something happened", "level": "info", "step_id": "stp_1", "n": 12345},'
    code = "\n".join([line] * 20_000)
    report(
        "first screen of a 20,000-line JSON",
        timed(lambda: Syntax(code, "json").highlight(code), repeat=1),
        timed(lambda: Syntax(first := "\n".join(code.split("\n", 128)[:128]), "json").highlight(first)),
    )

    log = b'2026-11-28T13:00:00.000000Z [info     ] Something happened  key="value" n=1\n' * 700_000
    report(
        f"prepare a {len(log) / 1e6:.0f} MB log (decode, split, make safe)",
        timed(lambda: log.decode("utf-8").split("\n")),
        timed(lambda: text_document(log, Format.TEXT)),
    )
    report(
        "  longest interface stall while preparing it",
        longest_stall(lambda: visible_controls(log.decode("utf-8")).split("\n")),
        longest_stall(lambda: text_document(log, Format.TEXT)),
    )
    from tui.core.formats.logs import parse_log_line, skyvern_log

    event = b'2026-11-28T16:00:00.000000Z [info     ] Handling action   step_id="stp_1" task_id="tsk_1" n=1\n'
    million = event * 1_000_000
    report(
        "open a 1,000,000-line skyvern_log",
        timed(lambda: [parse_log_line(line) for line in million.decode().split("\n")], repeat=1),
        timed(lambda: skyvern_log(million), repeat=1),
    )
    big_json = json.dumps([{"i": i, "event": "x" * 60} for i in range(600_000)]).encode()
    report(
        f"  stall while pretty-printing {len(big_json) / 1e6:.0f} MB of JSON",
        longest_stall(lambda: json.dumps(json.loads(big_json), indent=2)),
        longest_stall(lambda: text_document(big_json, Format.JSON)),
    )
    import base64

    from tui.core.formats.har import entry_body, parse_har

    body = json.dumps([{"n": i, "pad": "x" * 40} for i in range(140_000)]).encode()  # about 7.6 MB
    har = {"log": {"entries": [{"startedDateTime": "2026-01-01T00:00:00Z", "time": 1,
                                "request": {"method": "GET", "url": "https://x/"},
                                "response": {"status": 200, "content": {"mimeType": "application/json",
                                             "encoding": "base64", "text": base64.b64encode(body).decode()}}}]}}
    entry = parse_har(json.dumps(har).encode()).entries[0]
    report(
        f"HAR detail of a {len(body) / 1e6:.1f} MB base64 JSON body",
        timed(lambda: json.dumps(json.loads(entry.body() or b""), indent=2)[: 256 * 1024], repeat=1),
        timed(lambda: entry_body(entry)),
    )
    small, huge = cursor_view_figures(skyvern_log(event * 1_000)), cursor_view_figures(skyvern_log(million))
    report("first screen of the log view: 1,000,000 lines vs 1,000", small[0], huge[0])
    report("100 cursor moves + redraw: 1,000,000 lines vs 1,000", small[1], huge[1])
    print(f"find, counted in a worker over 1,000,000 lines: {huge[2] * 1000:.0f} ms (1,000: {small[2] * 1000:.1f} ms)")
    print("(a ratio above 1 means ours is faster or stalls less; the 'prepare' line is the cost of")
    print(" safety and chunking, expected below 1)")


if __name__ == "__main__":
    main()

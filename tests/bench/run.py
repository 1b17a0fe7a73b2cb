"""The benchmark of issue 12: big realistic inputs, the app measured against baselines taken in
the same run, one table.

    python tests/bench/run.py            # the full inputs (a few minutes, ~1 GB of disk)
    python tests/bench/run.py --quick    # inputs 10x smaller: a smoke run
    python tests/bench/run.py --only start,open,index,cursor,memory,run,prefetch,picker

Figures about the screen go through the installed command (`skyvern-tui` next to
sys.executable) in a real pseudo-terminal at 160x48, polled until a state shows; figures about
a function are taken headless. Benchmark-only tools (orjson, toolong 1.5) live in their own
venv under ~/.cache/skyvern-tui/bench, installed on first use, never in the project's.
Asserts nothing: machines are noisy; timings belong here, not in tests.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import math
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(HERE)]

import inputs  # noqa: E402
from latency_server import API_KEY, RUN_ID, LatencyServer  # noqa: E402
from pty_timing import COLUMNS, LINES, PtyProgram, Timeout, terminal_env  # noqa: E402
from stall import timed_with_stall as timed  # noqa: E402

COMMAND = Path(sys.executable).parent / "skyvern-tui"
BENCH_VENV = Path.home() / ".cache" / "skyvern-tui" / "bench" / "venv"
NAMES = ("start", "open", "index", "cursor", "memory", "run", "prefetch", "picker")
# The small artifact of each kind, the same generator's: 1,000 lines, 10 entries, 100 nodes, 40 KB.
SMALL = {"skyvern_log": 1_000, "har": 10, "visible_elements_tree": 100, "llm_request": 40_000}
SMALL_SHOT = (640, 360)
# The category key (1..6, the sidebar's order) that lists each type.
KEYS = {"skyvern_log": "4", "har": "5", "visible_elements_tree": "3", "llm_request": "2", "screenshot_final": "1"}
HALF_BLOCKS = set("▀▄█")
END_TIMEOUT = 120.0  # for G to show a big log's last line


@dataclass
class Sizes:
    log_lines: int
    har_entries: int
    har_body: int
    tree_nodes: int
    shot: tuple[int, int]
    llm: int
    artifacts: int
    runs: int
    prefetch: int
    repeat: int


FULL = Sizes(1_000_000, 20_000, 10_000_000, 200_000, (3840, 2160), 5_000_000, 5_000, 10_000, 400, 5)
QUICK = Sizes(100_000, 2_000, 1_000_000, 20_000, (1280, 720), 500_000, 500, 1_000, 40, 2)


@dataclass
class Row:
    figure: str
    value: float | None
    unit: str  # "s", "MB", "x"
    baseline_name: str = ""
    baseline: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""


ROWS: list[Row] = []


def add(row: Row) -> None:
    ROWS.append(row)
    print(f"  {row.figure}: {fmt(row.value, row.unit)}" + (f" ({row.note})" if row.note else ""), flush=True)


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.1f} s"
    if unit == "MB":
        return f"{value / 1e6:.0f} MB"
    return f"{value:.2f}{unit}"


# -- tools -------------------------------------------------------------------------------------
def bench_python() -> tuple[Path | None, Path | None, str]:
    """The bench venv's python (with orjson) and toolong's `tl`, installed on first use."""
    python, tl = BENCH_VENV / "bin" / "python", BENCH_VENV / "bin" / "tl"
    notes = []
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
    for package, present in (("orjson", "orjson"), ("toolong==1.5.0", "tl")):
        probe = [str(python), "-c", "import orjson"] if present == "orjson" else None
        there = subprocess.run(probe, capture_output=True).returncode == 0 if probe else tl.exists()
        if not there:
            result = subprocess.run([str(python), "-m", "pip", "install", "-q", package], capture_output=True, text=True)
            if result.returncode:
                notes.append(f"{package}: not installable ({result.stderr.strip().splitlines()[-1:]})")
    has_orjson = subprocess.run([str(python), "-c", "import orjson"], capture_output=True).returncode == 0
    return (python if has_orjson else None), (tl if tl.exists() else None), "; ".join(notes)


def orjson_seconds(python: Path | None, path: Path) -> float | None:
    if python is None:
        return None
    script = ("import orjson,sys,time; d=open(sys.argv[1],'rb').read(); t=time.perf_counter(); "
              "orjson.loads(d); print(time.perf_counter()-t)")
    result = subprocess.run([str(python), "-c", script, str(path)], capture_output=True, text=True, check=True)
    return float(result.stdout)


def app_env(home: Path) -> dict[str, str]:
    """No profile, key or cache of the person running it: a first start, every time."""
    env = terminal_env(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_CACHE_HOME=str(home / ".cache"))
    for key in ("SKYVERN_API_KEY", "SKYVERN_BASE_URL", "ARTIFACT_STORAGE_PATH"):
        env.pop(key, None)
    return env


def launch(argv: list[str], cwd: Path) -> PtyProgram:
    return PtyProgram(argv, cwd, app_env(cwd / "home"))


# -- inputs ------------------------------------------------------------------------------------
@dataclass
class Inputs:
    big: dict[str, Path]
    small: dict[str, Path]
    many: Path
    demo: Path
    compact_har: Path  # the big HAR on one line, not indented, as some recorders write it


def make_inputs(folder: Path, sizes: Sizes) -> Inputs:
    start = time.perf_counter()
    raw = folder / "raw"
    raw.mkdir()
    big = {
        "skyvern_log": raw / "big.log", "har": raw / "big.har", "visible_elements_tree": raw / "big_tree.json",
        "llm_request": raw / "big_request.json", "screenshot_final": raw / "big.png",
    }
    small = {k: raw / ("small_" + p.name) for k, p in big.items()}
    made = {
        "log": inputs.skyvern_log(big["skyvern_log"], sizes.log_lines),
        "har": inputs.har(big["har"], sizes.har_entries, sizes.har_body),
        "har compact": inputs.har(raw / "big_compact.har", sizes.har_entries, sizes.har_body, compact=True),
        "tree": inputs.element_tree(big["visible_elements_tree"], sizes.tree_nodes),
        "llm_request": inputs.llm_request(big["llm_request"], sizes.llm),
        "screenshot": inputs.screenshot(big["screenshot_final"], *sizes.shot),
    }
    inputs.skyvern_log(small["skyvern_log"], SMALL["skyvern_log"])
    inputs.har(small["har"], SMALL["har"], 0)
    inputs.element_tree(small["visible_elements_tree"], SMALL["visible_elements_tree"])
    inputs.llm_request(small["llm_request"], SMALL["llm_request"])
    inputs.screenshot(small["screenshot_final"], *SMALL_SHOT)
    runs = folder / "runs"
    for kind in big:
        inputs.only(runs / f"big_{kind}", kind, big[kind])
        inputs.only(runs / f"small_{kind}", kind, small[kind])
    many = inputs.many_artifacts(runs / "many", sizes.artifacts)
    demo = inputs.demo_copy(runs / "demo")
    print(f"inputs made in {time.perf_counter() - start:.0f} s: "
          + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in made.items()), flush=True)
    return Inputs(big, small, many, demo, raw / "big_compact.har")


# -- measurements ------------------------------------------------------------------------------
BARE_APP = textwrap.dedent("""\
    from textual.app import App
    from textual.widgets import Footer, Header, Static

    class Bare(App):
        def compose(self):
            yield Header()
            yield Static("bare app ready")
            yield Footer()

    Bare().run()
""")


def start(folder: Path, sizes: Sizes) -> None:
    """Launch to the demo's run screen, against a bare Textual app's first screen, alternated."""
    bare = folder / "bare.py"
    bare.write_text(BARE_APP)
    ours: list[float] = []
    base: list[float] = []
    for _ in range(sizes.repeat):
        for argv, needle, into in (([str(COMMAND), "--demo"], "Steps (", ours),
                                   ([sys.executable, str(bare)], "bare app ready", base)):
            program = launch(argv, folder)
            try:
                into.append(program.wait_for(needle, 60))
            finally:
                program.close()
    value, baseline = statistics.median(ours), statistics.median(base)
    add(Row("start to the demo's run screen (pty)", value, "s", "bare Textual app", baseline,
            "<= 1.3x", value / baseline <= 1.3, f"median of {sizes.repeat}"))


def shown(kind: str) -> Callable[[str], bool]:
    if kind == "screenshot_final":
        return lambda text: sum(ch in HALF_BLOCKS for ch in text) > 400
    return lambda text: inputs.MARKER in text


def open_artifact(folder: Path, run: Path, kind: str, then_end: bool = False) -> dict[str, Any]:
    """In the pty: launch on the run, wait for its run screen, press the category's key and
    wait for the artifact's own content; optionally go into the pane and to its end."""
    program = launch([str(COMMAND), "--local", str(run)], folder)
    try:
        screen = program.wait_for("Steps (", 120)
        pressed = program.send(KEYS[kind])
        content = program.until(shown(kind), f"{kind}'s content", 300)
        figures: dict[str, Any] = {"screen": screen, "enter": content - pressed, "launch": content,
                                   "rss": program.peak_rss()}
        if then_end:
            program.send("\r")
            program.pump(0.3)
            ended = program.send("G")
            try:
                figures["end"] = again_until_end(program, "G") - ended
            except Timeout:
                figures["end"] = None  # the peak so far still counts: it is at least that
            figures["rss"] = program.peak_rss()
        return figures
    finally:
        program.close()


def again_until_end(program: PtyProgram, key: str) -> float:
    """The key pressed each second until the log's last line shows (an end key pressed while the
    file is still being read goes to the end read so far), as a person would."""
    end = time.perf_counter() + END_TIMEOUT
    while time.perf_counter() < end:
        try:
            return program.wait_for(inputs.LAST, 1.0)
        except Timeout:
            program.send(key)
    raise Timeout(f"{inputs.LAST!r} never showed within {END_TIMEOUT:.0f} s:\n{program.text()}")


def open_all(folder: Path, data: Inputs, sizes: Sizes) -> None:
    for kind in data.big:
        try:
            small = open_artifact(folder, folder / "runs" / f"small_{kind}", kind)
            big = open_artifact(folder, folder / "runs" / f"big_{kind}", kind)
        except Timeout as error:
            add(Row(f"{kind}: enter to first content (pty)", None, "s", note=str(error).splitlines()[0]))
            continue
        size = data.big[kind].stat().st_size / 1e6
        add(Row(f"{kind} {size:.0f} MB: key to first content (pty)", big["enter"], "s",
                "same kind, small", small["enter"], "<= 0.5 s", big["enter"] <= 0.5))
        extra = big["launch"] - small["launch"]
        add(Row(f"{kind} {size:.0f} MB: launch to first content (pty)", big["launch"], "s",
                "same kind, small", small["launch"], "<= +0.5 s and <= 1.5x",
                extra <= 0.5 and big["launch"] / small["launch"] <= 1.5, f"+{extra:.2f} s"))
        add(Row(f"{kind} {size:.0f} MB: peak memory at first content", big["rss"], "MB",
                "same kind, small", small["rss"]))


def index(folder: Path, data: Inputs, sizes: Sizes, orjson_python: Path | None) -> None:
    """Headless: the functions that index or parse each big artifact, in a thread, against
    orjson (or json) parsing the same bytes, or a newline count; and the GIL stall meanwhile."""
    from PIL import Image

    from tui.core.formats.elements import parse_tree
    from tui.core.formats.har import parse_har
    from tui.core.formats.llm import request_document
    from tui.core.formats.logs import skyvern_log
    from tui.core.formats.media import downscale, open_image

    jobs: list[tuple[str, Callable[[bytes], Any]]] = [
        ("skyvern_log", skyvern_log), ("har", parse_har), ("visible_elements_tree", parse_tree),
        ("llm_request", lambda b: request_document(b, {})),
    ]
    paths = [(kind, data.big[kind]) for kind, _ in jobs]
    paths.insert(2, ("har (compact copy)", data.compact_har))
    for kind, path in paths:
        fn = dict(jobs)[kind.split(" ")[0]]
        raw = path.read_bytes()
        seconds, stall = timed(partial(fn, raw))
        json_time: float | None = None
        if kind == "skyvern_log":
            base, name = timed(partial(raw.count, b"\n"))[0], "newline count"
        else:
            orjson_time = orjson_seconds(orjson_python, path)
            json_time = timed(partial(json.loads, raw))[0]
            base, name = (orjson_time, "orjson.loads") if orjson_time else (json_time, "json.loads")
        add(Row(f"{kind} {len(raw) / 1e6:.0f} MB: full index/parse (headless)", seconds, "s", name, base,
                "<= 2x", seconds / base <= 2))
        if json_time is not None:
            add(Row("  json.loads of the same bytes (for reference)", json_time, "s"))
        add(Row(f"{kind}: longest GIL stall while it parses", stall, "s", target="<= 50 ms", met=stall <= 0.05))
        del raw
    raw = data.big["screenshot_final"].read_bytes()
    cols, rows = COLUMNS - 40, (LINES - 6) * 2  # about the viewer pane, in half-block pixels

    def ours() -> None:
        image = open_image(raw, (cols, rows))
        downscale(image, cols, rows)

    def pillow() -> None:
        image = Image.open(io.BytesIO(raw))
        image.load()
        image.convert("RGB").resize((cols, int(cols * image.height / image.width)))

    seconds, stall = timed(ours)
    base = timed(pillow)[0]
    w, h = sizes.shot
    add(Row(f"screenshot {w}x{h}: decode + scale to the pane (headless)", seconds, "s",
            "Pillow decode+resize", base, "<= 2x", seconds / base <= 2))
    add(Row("screenshot: longest GIL stall meanwhile", stall, "s", target="<= 50 ms", met=stall <= 0.05))


def cursor(folder: Path, data: Inputs) -> None:
    """Headless Pilot on the whole app: 100 cursor moves in the big log, HAR table and element
    tree, and the longest the event loop went without running a 5 ms ticker meanwhile."""
    from apptools import settle
    from textual import events

    from tui.core.sources.local import LocalSource
    from tui.ui.app import SkyvernTUI

    async def moves(run: Path, kind: str) -> tuple[float, float]:
        source = LocalSource(run)
        app = SkyvernTUI([source], (source, source.list_runs()[0].run_id))
        async with app.run_test(size=(COLUMNS, LINES)) as pilot:
            await settle(pilot)
            await pilot.press(KEYS[kind])
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            gaps = [0.0]
            running = True

            async def ticker() -> None:
                last = time.perf_counter()
                while running:
                    await asyncio.sleep(0.005)
                    now = time.perf_counter()
                    gaps.append(now - last - 0.005)
                    last = now

            tick = asyncio.create_task(ticker())
            begun = time.perf_counter()
            for _ in range(100):  # as a held key: events arrive faster than they are handled
                app.post_message(events.Key("down", None))
            await pilot.pause()  # until every one is handled and the screen refreshed
            seconds = time.perf_counter() - begun
            running = False
            await tick
            return seconds, max(gaps)

    for kind in ("skyvern_log", "har", "visible_elements_tree"):
        small, small_stall = asyncio.run(moves(folder / "runs" / f"small_{kind}", kind))
        seconds, stall = asyncio.run(moves(folder / "runs" / f"big_{kind}", kind))
        add(Row(f"{kind}: 100 cursor moves in the big one (Pilot)", seconds, "s", "the small one", small,
                "< 1 s", seconds < 1))
        add(Row(f"{kind}: longest event-loop stall in them", stall, "s", "the small one", small_stall,
                "<= 50 ms", stall <= 0.05))


def memory(folder: Path, data: Inputs, tl: Path | None, note: str) -> None:
    """The big log opened and sent to its end, in the pty: first screen and peak memory, ours
    against toolong 1.5 on the same file, each in its own terminal, one after the other."""
    ours = open_artifact(folder, folder / "runs" / "big_skyvern_log", "skyvern_log", then_end=True)
    theirs: dict[str, float] | None = None
    if tl is not None:
        program = launch([str(tl), str(data.big["skyvern_log"])], folder)
        try:
            # toolong opens a file at its end: its first screen holds either end's line.
            first = program.until(lambda text: inputs.MARKER in text or inputs.LAST in text, "the log", 300)
            program.pump(0.3)
            ended = program.send("G")
            program.send("\x1b[F")  # End too: whichever toolong binds
            last = again_until_end(program, "G") - ended
            theirs = {"launch": first, "end": last, "rss": program.peak_rss()}
        except Timeout as error:
            note = str(error).splitlines()[0]
        finally:
            program.close()
    size = data.big["skyvern_log"].stat().st_size / 1e6
    base = theirs or {}
    missing = "" if theirs else (note or "toolong not available")
    add(Row(f"log {size:.0f} MB: launch to first screen (pty)", ours["launch"], "s", "toolong 1.5",
            base.get("launch"), "<= toolong", ours["launch"] <= base["launch"] if base else None, missing))
    add(Row(f"log {size:.0f} MB: G to its last line (pty)", ours["end"], "s", "toolong 1.5", base.get("end"),
            note="" if ours["end"] is not None else f"last line not on screen after {END_TIMEOUT:.0f} s"))
    add(Row(f"log {size:.0f} MB: peak memory, opened and at its end", ours["rss"], "MB", "toolong 1.5",
            base.get("rss"), "<= toolong", ours["rss"] <= base["rss"] if base else None, missing))


def run_of_many(folder: Path, data: Inputs, sizes: Sizes) -> None:
    from tui.core.sources.local import LocalSource

    source = LocalSource(data.many)
    begun = time.perf_counter()
    detail = source.load_run(source.list_runs()[0].run_id)
    listed = time.perf_counter() - begun
    add(Row(f"run of {len(detail.artifacts)} artifacts: list + load (headless)", listed, "s", target="<= 1 s",
            met=listed <= 1))
    figures = []
    for run in (data.demo, data.many):
        program = launch([str(COMMAND), "--local", str(run)], folder)
        try:
            screen = program.wait_for("Steps (", 120)
            pressed = program.send("2")
            listed_at = program.wait_for("AI reasoning (", 120)
            program.pump(0.2)
            moved = program.send("G")
            before = program.text()
            moved_at = program.until(partial(str.__ne__, before), "the list's end", 60)
            figures.append((screen, listed_at - pressed, moved_at - moved))
        finally:
            program.close()
    (demo_screen, demo_list, demo_end), (screen, listed_at, end) = figures
    add(Row(f"run of {sizes.artifacts} artifacts: launch to run screen (pty)", screen, "s",
            "the demo (140)", demo_screen, "<= +1 s", screen - demo_screen <= 1))
    add(Row("  its biggest category listed, after its key (pty)", listed_at, "s", "the demo", demo_list,
            "<= 1 s", listed_at <= 1))
    add(Row("  G to that list's end (pty)", end, "s", "the demo", demo_end, "< 1 s", end < 1))


def prefetch(folder: Path, sizes: Sizes) -> None:
    """Through the latency server: listing the run's artifacts, and fetching `prefetch` of them
    as the run screen's prefetch does (PREFETCH_WORKERS at once), against one after another."""
    from tui.core.sources.api import ApiSettings, ApiSource
    from tui.ui.screens.run import PREFETCH_WORKERS

    body = json.dumps({"action": "click", "element": "AAAB", "reasoning": "x" * 400}).encode()
    server = LatencyServer(0, sizes.artifacts, body)
    try:
        source = ApiSource(ApiSettings(base_url=server.origin, api_key=API_KEY, local_files=False), None)
        begun = time.perf_counter()
        detail = source.load_run(RUN_ID)
        listed = time.perf_counter() - begun
        begun = time.perf_counter()
        with urllib.request.urlopen(f"{server.origin}/v1/runs/{RUN_ID}/artifacts") as answer:
            answer.read()
        bare = time.perf_counter() - begun
        requests = server.requests
        add(Row(f"API run of {len(detail.artifacts)} artifacts: load (headless, 50 ms/request)", listed, "s",
                "one bare GET of its list", bare, "<= 1 s", listed <= 1,
                f"{requests - 1} requests"))
        count = sizes.prefetch
        first, second = detail.artifacts[:count], detail.artifacts[count: 2 * count]
        begun = time.perf_counter()
        for artifact in first:
            source.read_bytes(artifact)
        serial = time.perf_counter() - begun
        begun = time.perf_counter()
        with ThreadPoolExecutor(max_workers=PREFETCH_WORKERS) as pool:
            list(pool.map(source.read_bytes, second))
        parallel = time.perf_counter() - begun
        ideal = math.ceil(count / PREFETCH_WORKERS) * (serial / count)
        add(Row(f"prefetch of {count} artifacts, {PREFETCH_WORKERS} at once", parallel, "s", "one after another",
                serial, ">= 5x faster", serial / parallel >= 5, f"{serial / parallel:.1f}x faster"))
        add(Row("  against the ideal for that bound", parallel, "s", "ideal", ideal, "<= 1.3x",
                parallel / ideal <= 1.3))
        source.close()
    finally:
        server.stop()


def picker(folder: Path, sizes: Sizes) -> None:
    from tui.core.sources.api import ApiSettings, ApiSource
    from tui.ui.screens.picker import PAGE_SIZE

    server = LatencyServer(sizes.runs, 0, b"")
    try:
        source = ApiSource(ApiSettings(base_url=server.origin, api_key=API_KEY, local_files=False), None)
        begun = time.perf_counter()
        runs = source.list_runs_page(1, PAGE_SIZE)
        page = time.perf_counter() - begun
        begun = time.perf_counter()
        with urllib.request.urlopen(f"{server.origin}/v1/runs?page=1&page_size={PAGE_SIZE}") as answer:
            answer.read()
        bare = time.perf_counter() - begun
        source.close()
        add(Row(f"picker's first page ({len(runs)} of {sizes.runs} runs), headless", page, "s",
                "one bare GET", bare, "<= 0.5 s", page <= 0.5))
        program = launch([str(COMMAND), "--base-url", server.origin, "--api-key", API_KEY], folder)
        try:
            shown_at = program.wait_for("benchrun 00000", 120)
            add(Row("  launch to its first page on screen (pty)", shown_at, "s"))
            moved = program.send("\x1b[B" * (PAGE_SIZE + 2))
            more = program.wait_for(f"benchrun {PAGE_SIZE + 1:05d}", 60) - moved
            add(Row("  cursor past the page: next page on screen (pty)", more, "s", target="loads more",
                    met=True))
        except Timeout as error:
            add(Row("  picker in the pty", None, "s", note=str(error).splitlines()[0]))
        finally:
            program.close()
    finally:
        server.stop()


# -- the table ---------------------------------------------------------------------------------
def table() -> str:
    head = ("figure", "value", "baseline", "ratio", "target", "met")
    lines = []
    for row in ROWS:
        base = f"{fmt(row.baseline, row.unit)} {row.baseline_name}".strip() if row.baseline_name else ""
        if row.baseline_name and row.baseline is None:
            base = f"- {row.baseline_name}"
        ratio = f"{row.value / row.baseline:.2f}x" if row.value and row.baseline else ""
        met = {True: "yes", False: "NO", None: ""}[row.met]
        value = fmt(row.value, row.unit) + (f" ({row.note})" if row.note else "")
        lines.append((row.figure, value, base, ratio, row.target, met))
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(cells) + " |" for cells in lines]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="inputs 10x smaller, for a smoke run")
    parser.add_argument("--only", default=",".join(NAMES), help=f"comma-separated, of: {', '.join(NAMES)}")
    options = parser.parse_args()
    wanted = {n.strip() for n in options.only.split(",") if n.strip()}
    unknown = wanted - set(NAMES)
    if unknown:
        parser.error(f"unknown: {', '.join(sorted(unknown))}")
    if not COMMAND.exists():
        parser.error(f"no installed command at {COMMAND}: pip install . into this venv first")
    sizes = QUICK if options.quick else FULL
    begun = time.perf_counter()
    orjson_python, tl, tool_note = bench_python() if wanted & {"index", "memory"} else (None, None, "")
    if tool_note:
        print(tool_note)
    with tempfile.TemporaryDirectory(prefix="skyvern-tui-bench-") as name:
        folder = Path(name)
        (folder / "home").mkdir()
        made: list[Inputs] = []

        def data() -> Inputs:  # made once, by the first measurement that needs them
            if not made:
                made.append(make_inputs(folder, sizes))
            return made[0]

        steps: list[tuple[str, Callable[[], None]]] = [
            ("start", lambda: start(folder, sizes)),
            ("open", lambda: open_all(folder, data(), sizes)),
            ("index", lambda: index(folder, data(), sizes, orjson_python)),
            ("cursor", lambda: cursor(folder, data())),
            ("memory", lambda: memory(folder, data(), tl, tool_note)),
            ("run", lambda: run_of_many(folder, data(), sizes)),
            ("prefetch", lambda: prefetch(folder, sizes)),
            ("picker", lambda: picker(folder, sizes)),
        ]
        for step, fn in steps:
            if step in wanted:
                print(f"[{step}]", flush=True)
                try:
                    fn()
                except Exception as error:  # one broken figure must not lose the others
                    add(Row(f"{step}: not measured", None, "s", note=f"{type(error).__name__}: {error}"[:160]))
    print()
    print(f"skyvern-tui benchmark{' (--quick)' if options.quick else ''}, {COLUMNS}x{LINES} pty, "
          f"{time.perf_counter() - begun:.0f} s in all")
    print(table())


if __name__ == "__main__":
    main()

"""Benchmark: listing a storage tree of 200 runs, with and without reading what each run recorded
(its log's end for the status and failure reason, its first prompt for the goal).

    python tests/bench/bench_local_facts.py

The tree is 200 copies of the real bundled runs (tests/data/bundled/*/storage), ids renamed, one
in four given a log of 5 MB (its end is still where the status is). Prints figures and the
ratio; asserts nothing.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tui.core.sources import local  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "data" / "bundled"
RUNS = 200


def build_tree(root: Path) -> None:
    sources = [DATA / name / "storage" for name in ("task_completed", "task_terminated", "task_completed_unbundled")]
    for number in range(RUNS):
        source = sources[number % len(sources)]
        task_dir = next((source / "o_777").iterdir())
        suffix = f"{number:04d}"
        task_id = task_dir.name + suffix
        target = root / "o_777" / task_id
        target.mkdir(parents=True)
        for step_dir in task_dir.iterdir():
            new_step = root / "o_777" / task_id / (step_dir.name + suffix)
            shutil.copytree(step_dir, new_step)
            step_id = step_dir.name.split("_", 2)[2]
            logs = source / "logs" / "step" / step_id
            if logs.is_dir():
                new_logs = root / "logs" / "step" / (step_id + suffix)
                shutil.copytree(logs, new_logs)
                if number % 4 == 0:
                    for log in new_logs.glob("*_skyvern_log.log"):
                        text = log.read_bytes()
                        filler = b"2026-12-01T11:35:15.000000Z [info     ] filler line key=\"value\"\n" * 80_000
                        log.write_bytes(filler + text)


def timed(fn, repeat: int = 3) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        build_tree(root)
        source = local.LocalSource(root)
        runs = source.list_runs()
        known = sum(1 for r in runs if r.status)
        with_facts = timed(source.list_runs)
        real = local.recorded_facts
        local.recorded_facts = lambda tree_run: local.RecordedFacts()  # type: ignore[assignment]
        try:
            without = timed(source.list_runs)
        finally:
            local.recorded_facts = real
        print(f"{len(runs)} runs listed, {known} with a status from their log")
        print(f"list_runs, files only:          {without * 1000:8.1f} ms")
        print(f"list_runs, with recorded facts: {with_facts * 1000:8.1f} ms  ({with_facts / without:.2f}x)")
        print(f"per run, the facts alone:       {(with_facts - without) / len(runs) * 1000:8.2f} ms")


if __name__ == "__main__":
    main()

"""Benchmark of the run model's builder: the demo, and a big synthetic run made from the demo's
own artifacts repeated (200 steps, a 200,000-line log, a 20,000-entry HAR, a 10,000-line
console log).

    python tests/bench/bench_run_model.py

Prints figures; asserts nothing (machines are noisy: timings belong here, not in tests).
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tui.core.model import Artifact, RunDetail, Step  # noqa: E402
from tui.core.run_model.build import PARTS, RunModelBuilder  # noqa: E402
from tui.core.sources.demo import demo_source  # noqa: E402

STEPS = 200
LOG_LINES = 200_000
HAR_ENTRIES = 20_000
CONSOLE_LINES = 10_000
BASELINE_TYPES = frozenset({"skyvern_log", "llm_response_parsed", "llm_prompt", "visible_elements_tree",
                            "visible_elements_id_css_map", "browser_console_log", "har"})


class Synthetic:
    """The demo's source, serving the big run's made-up artifacts from memory."""

    label = "synthetic"

    def __init__(self, inner, extra: dict[str, bytes]) -> None:
        self.inner, self.extra = inner, extra

    def list_runs(self):
        return []

    def load_run(self, run_id: str) -> RunDetail:
        raise NotImplementedError

    def read_bytes(self, artifact: Artifact) -> bytes:
        if artifact.artifact_id in self.extra:
            return self.extra[artifact.artifact_id]
        return self.inner.read_bytes(artifact.raw["_of"]) if "_of" in artifact.raw else self.inner.read_bytes(artifact)


def big_run() -> tuple[Synthetic, RunDetail]:
    source = demo_source()
    detail = source.load_run(source.list_runs()[0].run_id)
    template = detail.steps[1]  # the failed step: its output, actions and artifacts
    members = [a for a in detail.artifacts if a.step_id == template.step_id and a.artifact_type != "skyvern_log"]
    steps, artifacts = [], []
    for n in range(STEPS):
        step_id = f"stp_9{n:05d}"
        shift = timedelta(seconds=10 * n)
        steps.append(replace(template, step_id=step_id, order=n, retry_index=0, created_at=template.created_at + shift,
                             modified_at=template.modified_at + shift))
        for m, member in enumerate(members):
            artifacts.append(replace(member, artifact_id=f"a_9{n:05d}{m:03d}", step_id=step_id,
                                     created_at=(member.created_at or template.created_at) + shift,
                                     raw={"_of": member}))
    base = template.created_at
    log = "\n".join(
        f"{(base + timedelta(milliseconds=10 * i)).isoformat().replace('+00:00', 'Z')} "
        f"[{'warning' if i % 100 == 0 else 'info'}     ] Line {i} step_id=\"stp_9{(i // 10000):05d}\" n={i}"
        for i in range(LOG_LINES)).encode()
    entries = [{"startedDateTime": (base + timedelta(milliseconds=100 * i)).isoformat(), "time": 5,
                "request": {"method": "GET", "url": f"http://site/{i}", "headers": [{"name": "a", "value": "b"}] * 10},
                "response": {"status": 404 if i % 50 == 0 else 200, "headers": [{"name": "c", "value": "d"}] * 10,
                             "content": {"mimeType": "text/html", "size": 100}}} for i in range(HAR_ENTRIES)]
    har = json.dumps({"log": {"entries": entries}}).encode()
    console = "\n".join(f"{(base + timedelta(milliseconds=100 * i)).isoformat().replace('+00:00', 'Z')}"
                        f"[{'error' if i % 20 == 0 else 'log'}]message {i} url=http://site/app.js lineNumber=1 columnNumber=2"
                        for i in range(CONSOLE_LINES)).encode()
    extra = {"a_log": log, "a_har": har, "a_console": console}
    artifacts += [Artifact("a_log", "skyvern_log", created_at=base, task_id=template.task_id, step_id=None),
                  Artifact("a_har", "har", created_at=base), Artifact("a_console", "browser_console_log", created_at=base)]
    sized = [replace(a, file_size=len(extra[a.artifact_id])) if a.artifact_id in extra else a for a in artifacts]
    steps_t: tuple[Step, ...] = tuple(steps)
    return Synthetic(source, extra), RunDetail(detail.run, steps_t, tuple(sized))


def measure(name: str, source, detail: RunDetail) -> None:
    builder = RunModelBuilder(source)
    t0 = time.perf_counter()
    model = builder.first_pass(detail)
    t1 = time.perf_counter()
    times = {}
    for part in PARTS:
        start = time.perf_counter()
        model = builder.read(model, detail, part)
        times[part.value] = time.perf_counter() - start
    t2 = time.perf_counter()
    builder.build(detail)
    t3 = time.perf_counter()
    # The baseline, in the same run: only reading the bytes the parts read, and json.loads of the HAR.
    read = [a for a in detail.artifacts if a.artifact_type in BASELINE_TYPES]
    t4 = time.perf_counter()
    for artifact in read:
        data = source.read_bytes(artifact)
        if artifact.artifact_type == "har":
            json.loads(data)
    baseline = time.perf_counter() - t4
    parts = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in times.items())
    print(f"{name}: {len(detail.artifacts)} artifacts, {len(model.steps)} steps, {len(model.problems)} problems")
    print(f"  first_pass {1000 * (t1 - t0):.1f} ms; parts {parts}; whole build {1000 * (t2 - t0):.0f} ms; "
          f"again (cached) {1000 * (t3 - t2):.0f} ms")
    print(f"  baseline (read {len(read)} artifacts, parse the HAR's JSON) {1000 * baseline:.0f} ms; "
          f"build / baseline {(t2 - t0) / max(baseline, 1e-9):.1f}x; cached / baseline {(t3 - t2) / max(baseline, 1e-9):.2f}x")


def main() -> None:
    source = demo_source()
    measure("demo", source, source.load_run(source.list_runs()[0].run_id))
    measure("synthetic", *big_run())


if __name__ == "__main__":
    main()

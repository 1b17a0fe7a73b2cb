"""Benchmark of a run's outline and of listing its artifacts by step and thought: the recorded
workflow_loop and task_v2 runs, and a big run made from them (a loop of 2,500 iterations, each a
block with its task and step and four artifacts, and 1,000 observer thoughts of five calls each).

    python tests/bench/bench_outline.py

The baseline, measured in the same run, is `json.loads` of the same timeline and artifact list:
what reading them costs before the app does anything with them. Prints figures and ratios;
asserts nothing (machines are noisy: timings belong here, not in tests).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from rich.style import Style

sys.path[:0] = [str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parents[1])]

from shapes_truth import shape  # noqa: E402
from tui.core.catalog import Category  # noqa: E402
from tui.core.model import Artifact, Run, RunDetail, Step  # noqa: E402
from tui.core.outline import outline_of  # noqa: E402
from tui.core.run_model.build import RunModelBuilder  # noqa: E402
from tui.core.sources.demo import demo_source  # noqa: E402
from tui.ui.screens.overview_items import overview_items  # noqa: E402

ITERATIONS = 2_500
THOUGHTS = 1_000


def big_run() -> tuple[str, str, list[dict]]:
    """(timeline JSON, artifacts JSON, steps) of the big run."""
    children, artifacts, steps = [], [], []
    for i in range(ITERATIONS):
        task, step, at = f"tsk_{i:06d}", f"stp_{i:06d}", f"2026-12-02T03:{i // 60 % 60:02d}:{i % 60:02d}.000001"
        children.append({"type": "block", "block": {
            "workflow_run_block_id": f"wrb_{i:06d}", "parent_workflow_run_block_id": "wrb_loop", "label": "read_page",
            "block_type": "extraction", "status": "completed", "task_id": task, "current_index": i,
            "current_value": f"https://example.com/page/{i}", "created_at": at, "modified_at": at}})
        steps.append({"step_id": step, "task_id": task, "order": 0, "retry_index": 0, "status": "completed", "created_at": at})
        for kind in ("llm_prompt", "llm_response", "screenshot_llm", "skyvern_log"):
            artifacts.append({"artifact_id": f"a_{i:06d}_{kind}", "artifact_type": kind, "task_id": task,
                              "step_id": step, "created_at": at, "uri": f"file:///x/{i}_{kind}"})
    timeline: list[dict] = [{"type": "block", "block": {"workflow_run_block_id": "wrb_loop", "label": "read_pages",
                                                        "block_type": "for_loop", "status": "completed"},
                             "children": children[::-1]}]
    for t in range(THOUGHTS):
        at = f"2026-12-02T04:{t // 60 % 60:02d}:{t % 60:02d}.000002"
        timeline.append({"type": "thought", "thought": {"thought_id": f"ot_{t:06d}", "thought_type": "plan",
                                                        "thought": "Plan the next block.", "created_at": at}})
        for kind in ("llm_prompt", "llm_request", "llm_response", "llm_response_parsed", "screenshot_llm"):
            artifacts.append({"artifact_id": f"a_ot{t:06d}_{kind}", "artifact_type": kind, "observer_thought_id": f"ot_{t:06d}",
                              "observer_cruise_id": "tsk_v2_1", "created_at": at, "uri": f"file:///x/ot{t}_{kind}"})
    return json.dumps(timeline[::-1]), json.dumps(artifacts), steps


def best(function: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(name: str, timeline_json: str, artifacts_json: str, steps: list[dict]) -> None:
    baseline = best(lambda: (json.loads(timeline_json), json.loads(artifacts_json)))
    timeline, rows = json.loads(timeline_json), json.loads(artifacts_json)
    artifacts = tuple(Artifact.from_api(a) for a in rows)
    step_models = tuple(Step.from_api(s) for s in steps)

    def detail() -> RunDetail:
        return RunDetail(Run("r"), step_models, artifacts, timeline=tuple(timeline))

    outline = best(lambda: outline_of(timeline))
    groups = best(lambda: detail().groups())
    category = best(lambda: detail().groups(Category.AI))
    # The overview's page, from a model built at once (no artifact read): what a redraw costs.
    model = RunModelBuilder(demo_source()).first_pass(detail().prepared())
    page = best(lambda: overview_items(model, lambda _: Style(), 160))
    print(f"{name:<16} {len(rows):>7} artifacts  baseline {baseline * 1000:8.1f} ms   "
          f"outline {outline * 1000:8.1f} ms ({outline / baseline:4.1f}x)   "
          f"groups {groups * 1000:8.1f} ms ({groups / baseline:4.1f}x)   "
          f"one category {category * 1000:8.1f} ms ({category / baseline:4.1f}x)   "
          f"overview page {page * 1000:8.1f} ms ({page / baseline:4.1f}x)")


def main() -> None:
    for name in ("workflow_loop", "task_v2"):
        truth = shape(name)
        measure(name, json.dumps(truth.timeline), json.dumps(truth.every_artifact), truth.steps)
    measure("big (synthetic)", *big_run())


if __name__ == "__main__":
    main()

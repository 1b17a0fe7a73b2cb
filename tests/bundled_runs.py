"""The real runs recorded in tests/data/bundled, as the tests open them.

A bundled run opens two ways: as its storage tree with `--local` (no database: what the files
say), and as the API served it (run.json, steps.json, actions.json, timeline.json and
artifacts.json as recorded), its bytes read from the same storage tree.
"""

from __future__ import annotations

import json
from pathlib import Path

from tui.core.model import Artifact, Run, RunDetail, Step
from tui.core.sources.local import LocalSource

BUNDLED = Path(__file__).parent / "data" / "bundled"
RECORDED = ("task_terminated", "task_completed", "workflow_run", "workflow_failed")
# The calls of the demo's order script, step by step, as Skyvern's log names them (and as the
# prompts read: "Identify actions…", "…take an INPUT or SELECT action…", "…selection action…",
# "…determine if the user has completed their goal…").
ORDER_CALLS = [
    ["extract-actions", "parse-input-or-select-context", "parse-input-or-select-context", "check-user-goal"],
    ["extract-actions"],
    ["extract-actions", "parse-input-or-select-context", "normal-select", "check-user-goal"],
    ["extract-actions", "check-user-goal"],
    ["extract-actions"],
]


def run_id(run: str) -> str:
    return json.loads((BUNDLED / run / "run.json").read_text())["run_id"]


def served_detail(run: str, label: str = "") -> RunDetail:
    """A bundled run as the API serves it: the run, its steps, its actions, its timeline (a
    workflow run's), its artifact rows (their bytes in its storage tree)."""
    folder = BUNDLED / run
    storage = folder / "storage"
    timeline = folder / "timeline.json"
    return RunDetail(
        Run.from_api(json.loads((folder / "run.json").read_text()), source=label),
        tuple(Step.from_api(s) for s in json.loads((folder / "steps.json").read_text())),
        tuple(Artifact.from_api(r, storage / r["uri"]) for r in json.loads((folder / "artifacts.json").read_text())),
        tuple(json.loads((folder / "actions.json").read_text())),
        timeline=tuple(json.loads(timeline.read_text())) if timeline.exists() else (),
    )


def api_detail(run: str) -> tuple[LocalSource, RunDetail]:
    """The served run, with a source that reads its bytes from its storage tree."""
    return LocalSource(BUNDLED / run / "storage"), served_detail(run)

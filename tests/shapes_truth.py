"""What the recordings of tests/data/shapes say, read straight from the server's JSON (not through
the app's code): where each artifact belongs, and the outline of each run. The tests of every
source (the real server, the folder on disk, a download) check the app against these."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SHAPES = Path(__file__).resolve().parent / "data" / "shapes"
NAMES = tuple(sorted(p.name for p in SHAPES.iterdir() if (p / "run.json").is_file()))
# Kinds the app lists with the run as a whole, whatever step the row names (catalog.py: run_level).
RUN_LEVEL = frozenset({"recording", "har", "browser_console_log", "trace", "script_file"})


def load(name: str, file: str) -> Any:
    path = SHAPES / name / file
    return json.loads(path.read_text()) if path.is_file() else None


@dataclass(frozen=True)
class Shape:
    name: str
    run: dict
    artifacts: list[dict]  # the run's listing (task v2: its workflow run's)
    downloads: list[dict]  # GET /v1/artifacts/{id} of each downloaded file: not in the listing
    steps: list[dict]
    timeline: list[dict]

    @property
    def run_id(self) -> str:
        return self.run["run_id"]

    @property
    def every_artifact(self) -> list[dict]:
        return self.artifacts + self.downloads

    def task_paths(self) -> dict[str, str]:
        """task id -> `loop i/n › block`, walking the timeline as the server gave it."""
        found: dict[str, str] = {}

        def walk(items: list[dict], prefix: str) -> None:
            for item in items:
                block = item.get("block") if item.get("type") == "block" else None
                if not block:
                    continue
                here = f"{prefix}{block['label']}"
                if block.get("task_id"):
                    found[block["task_id"]] = here
                children = item.get("children") or []
                indexes = sorted({c["block"]["current_index"] for c in children
                                  if c.get("block") and c["block"].get("current_index") is not None})
                for index in indexes:
                    walk([c for c in children if c.get("block") and c["block"].get("current_index") == index],
                         f"{here} {index + 1}/{len(indexes)} › ")
                walk([c for c in children if not (c.get("block") and c["block"].get("current_index") is not None)],
                     f"{here} › ")

        walk(self.timeline, "")
        return found

    def entries(self) -> list[tuple[str, str]]:
        """(kind, label or thought id) of the timeline in the order things ran (oldest first,
        by start), a loop's iterations between it and its inner blocks."""
        return [(kind, name) for kind, name, _ in self._walk()]

    def block_statuses(self) -> list[tuple[str, str | None]]:
        """(label, status) of each block, in the order of `entries`."""
        return [(name, status) for kind, name, status in self._walk() if kind == "block"]

    def _walk(self) -> list[tuple[str, str, str | None]]:
        out: list[tuple[str, str, str | None]] = []

        def start(item: dict) -> str:
            inner = item.get("block") or item.get("thought") or {}
            return inner.get("created_at") or item.get("created_at") or ""

        def walk(items: list[dict]) -> None:
            for item in sorted(reversed(items), key=start):
                if item.get("type") == "thought":
                    out.append(("thought", item["thought"]["thought_id"], None))
                    continue
                block = item["block"]
                out.append(("block", block["label"], block.get("status")))
                children = item.get("children") or []
                indexes = sorted({c["block"].get("current_index") for c in children
                                  if c.get("block") and c["block"].get("current_index") is not None})
                for index in indexes:
                    out.append(("iteration", f"{index + 1}/{len(indexes)}", None))
                    walk([c for c in children if c.get("block") and c["block"].get("current_index") == index])

        walk(self.timeline)
        return out

    def group_of(self, artifact: dict) -> str:
        """The key of the group the app must list the artifact in: its step, its thought, or the run."""
        if artifact["artifact_type"] in RUN_LEVEL:
            return "run"
        if artifact.get("step_id"):
            return artifact["step_id"]
        if artifact.get("observer_thought_id"):
            return artifact["observer_thought_id"]
        return "run"


def shape(name: str) -> Shape:
    return Shape(name, load(name, "run.json"), load(name, "artifacts.json"), load(name, "downloads.json") or [],
                 load(name, "steps.json") or [], load(name, "timeline.json") or [])

"""The runs a person opened lately, kept in a small JSON file in the user state directory."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from .textsafe import safe_fields

LIMIT = 30


@dataclass(frozen=True)
class RecentRun:
    run_id: str
    source: str
    title: str = ""
    opened_at: str = ""

    def __post_init__(self) -> None:
        safe_fields(self)  # read back from a file; matched against runs whose ids are safe too


class RecentRuns:
    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> list[RecentRun]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []  # none yet, or unreadable: start afresh rather than fail
        if not isinstance(data, list):
            return []
        fields = set(RecentRun.__dataclass_fields__)
        return [RecentRun(**{k: str(v) for k, v in d.items() if k in fields}) for d in data if isinstance(d, dict) and d.get("run_id")]

    def add(self, run_id: str, source: str, title: str = "") -> None:
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        runs = [r for r in self.load() if (r.run_id, r.source) != (run_id, source)]
        runs.insert(0, RecentRun(run_id, source, title, now))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps([asdict(r) for r in runs[:LIMIT]], indent=1), encoding="utf-8")
        os.replace(temporary, self.path)

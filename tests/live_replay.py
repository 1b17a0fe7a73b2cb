"""Replay a recorded run into a REAL Skyvern server as if it were running now.

`seed_run` (tests/skyvern_server.py) puts a whole recorded run into the server's SQLite and
storage. `LiveReplay` seeds it, then takes the run back to where it began: the run (workflow
run, its tasks, blocks and task run) "running" with no end and no failure, and only the rows of
its first step and of that step's artifacts in the database. Each `advance()` then writes the
next moment into the server's rows, as Skyvern would have:

  stage 0 (after `start()`)  the run running; its first step "running", with its artifacts
  stage 1 .. n-1             the previous step gets its recorded status; the next step arrives
                             ("running") with its artifacts
  stage n (the last)         the last step's status, the run's remaining artifacts (the run's
                             recording, HAR, logs), and the recorded end: status, failure reason,
                             finished_at, on every row that has them

Run-level artifacts (no step) arrive with the stage whose step was running when they were
captured (`Artifact.captured_at`: their id's second), the rest at the end. The files are all in
the server's storage from the start (the API lists rows, not files).

    with SkyvernServer(ensure_skyvern_venv()) as server:
        replay = LiveReplay(server, DEMO_DIR)
        replay.start()          # the run is live: GET /v1/runs/{id} says "running"
        while replay.advance(): # one step more each time; False once the run has ended
            ...
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from skyvern_server import SkyvernServer, seed_run

from tui.core.model import id_time, parse_time

# The rows that carry a run's end, and the columns of it that a live run has not got yet.
_ENDED = {
    "workflow_runs": ("workflow_run_id", ("status", "failure_reason", "finished_at")),
    "tasks": ("task_id", ("status", "failure_reason", "finished_at")),
    "task_runs": ("task_run_id", ("status", "finished_at")),
    "workflow_run_blocks": ("workflow_run_block_id", ("status", "failure_reason")),
}
_RUNNING = {"workflow_runs": "running", "tasks": "running", "task_runs": "running", "workflow_run_blocks": "running"}


@dataclass
class Stage:
    """What one advance writes: a step (None for the end) and artifact rows."""

    step: dict | None
    artifacts: list[dict] = field(default_factory=list)


def _insert_row(conn: sqlite3.Connection, table: str, row: dict) -> None:
    names = ", ".join(f'"{n}"' for n in row)
    conn.execute(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' for _ in row)})", list(row.values()))


def _row_time(row: dict) -> datetime | None:
    """When an artifact row's artifact was captured: its id's second, else its row's time."""
    return id_time(str(row.get("artifact_id") or "")) or parse_time(str(row.get("created_at") or "").replace(" ", "T"))


class LiveReplay:
    """A recorded run, replayed into a real server step by step (see the module's docstring)."""

    def __init__(self, server: SkyvernServer, run_dir: Path) -> None:
        self.server = server
        self.run_dir = Path(run_dir)
        self.seeded: dict = {}
        self.stages: list[Stage] = []
        self.stage = -1  # the last stage written; -1 before start()
        self._ends: list[tuple[str, str, str, dict]] = []  # (table, key column, key, recorded end)

    @property
    def run_id(self) -> str:
        return str(self.seeded["run_id"])

    @property
    def ended(self) -> bool:
        return self.stage == len(self.stages) - 1

    def start(self) -> dict:
        """Seed the run and take it back to its first step, running. Returns seed_run's dict."""
        self.seeded = seed_run(self.server, self.run_dir)
        ids = self.seeded
        with self.server.db() as conn:
            conn.execute("BEGIN")
            steps = [dict(r) for r in conn.execute(
                f"SELECT * FROM steps WHERE task_id IN ({','.join('?' for _ in ids['task_ids'])})", ids["task_ids"])]
            order = {step_id: i for i, step_id in enumerate(ids["step_ids"])}
            steps.sort(key=lambda s: order.get(s["step_id"], len(order)))
            artifacts = [dict(r) for r in conn.execute(
                f"SELECT * FROM artifacts WHERE artifact_id IN ({','.join('?' for _ in ids['artifact_ids'])})",
                ids["artifact_ids"])]
            self.stages = self._plan(steps, artifacts)
            conn.execute(f"DELETE FROM steps WHERE step_id IN ({','.join('?' for _ in steps)})", [s["step_id"] for s in steps])
            conn.execute(f"DELETE FROM artifacts WHERE artifact_id IN ({','.join('?' for _ in artifacts)})",
                         [a["artifact_id"] for a in artifacts])
            keys = {
                "workflow_runs": [ids["run_id"]] if ids["run_type"] == "workflow_run" else [],
                "tasks": ids["task_ids"],
                "task_runs": [ids["task_run_id"]],
                "workflow_run_blocks": ids["workflow_run_block_ids"],
            }
            for table, (key_column, columns) in _ENDED.items():
                for key in keys[table]:
                    row = conn.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE {key_column}=?", (key,)).fetchone()
                    if row is None:
                        continue
                    self._ends.append((table, key_column, key, dict(row)))
                    live = {c: (_RUNNING[table] if c == "status" else None) for c in columns}
                    sets = ", ".join(f'"{c}"=?' for c in live)
                    conn.execute(f"UPDATE {table} SET {sets} WHERE {key_column}=?", [*live.values(), key])
            conn.commit()
        self.advance()
        return self.seeded

    @staticmethod
    def _plan(steps: list[dict], artifacts: list[dict]) -> list[Stage]:
        stages = [Stage(step) for step in steps] + [Stage(None)]
        index = {s["step_id"]: i for i, s in enumerate(steps)}
        # A step's end: the next step's start (its own modified_at is written after the next began).
        starts = [parse_time(str(s["created_at"]).replace(" ", "T")) for s in steps]
        for row in sorted(artifacts, key=lambda r: (_row_time(r) is None, _row_time(r) or datetime.min, r["artifact_id"])):
            if row.get("step_id") in index:
                stages[index[row["step_id"]]].artifacts.append(row)
                continue
            captured = _row_time(row)
            at = len(steps)  # the end, unless it was captured while a step ran
            if captured is not None:
                for i in range(len(steps)):
                    following = starts[i + 1] if i + 1 < len(steps) else None
                    if following is not None and captured < following.replace(microsecond=0):
                        at = i
                        break
            stages[at].artifacts.append(row)
        return stages

    def advance(self) -> bool:
        """Write the next stage into the server's rows. False when the run had already ended."""
        if self.ended:
            return False
        self.stage += 1
        stage = self.stages[self.stage]
        with self.server.db() as conn:
            conn.execute("BEGIN")
            if self.stage > 0:
                previous = self.stages[self.stage - 1].step
                if previous is not None:  # it ends now, as it was recorded
                    conn.execute("UPDATE steps SET status=? WHERE step_id=?", (previous["status"], previous["step_id"]))
            if stage.step is not None:
                _insert_row(conn, "steps", {**stage.step, "status": "running"})
            for row in stage.artifacts:
                _insert_row(conn, "artifacts", row)
            if stage.step is None:
                for table, key_column, key, end in self._ends:
                    sets = ", ".join(f'"{c}"=?' for c in end)
                    conn.execute(f"UPDATE {table} SET {sets} WHERE {key_column}=?", [*end.values(), key])
            conn.commit()
        return True

    def counts(self) -> tuple[int, int]:
        """(steps, artifacts) the server lists now."""
        steps = sum(1 for s in self.stages[: self.stage + 1] if s.step is not None)
        return steps, sum(len(s.artifacts) for s in self.stages[: self.stage + 1])

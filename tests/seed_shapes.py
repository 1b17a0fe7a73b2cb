"""Seed the recordings of tests/data/shapes into a REAL Skyvern 1.0.56 server as real rows.

Each recording (see tests/data/shapes/README.md) holds what the server served for one run:
run.json, artifacts.json, steps.json, actions.json, and, by shape, timeline.json, task_v2.json,
workflow_run.json, task.json, browser_session.json, downloads.json, plus the server's storage
tree. ``seed_shape(server, shape_dir)`` copies the tree into the server's ARTIFACT_STORAGE_PATH
and inserts the rows the server's own endpoints read, taken from those files, so that the
server answers what the recording holds. Stdlib only (like tests/skyvern_server.py).

Nothing is invented except what a NOT NULL column forces: those places say so.
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.parse
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from skyvern_server import SkyvernServer, _insert, _new_id, _replace_strings

SHAPES_DIR = Path(__file__).resolve().parent / "data" / "shapes"
SHAPES = (
    "workflow_loop", "task_v2", "task_canceled", "page_unreachable", "element_gone",
    "workflow_timed_out", "browser_session", "download", "pre_submit",
)
# The storage root of a server that serves the shapes: with a space, as the download shape's was.
STORAGE_NAME = "artifact store"


def load(shape_dir: Path, name: str) -> Any:
    """One JSON file of a recording, or None when the shape has none."""
    path = Path(shape_dir) / name
    return json.loads(path.read_text()) if path.is_file() else None


def recorded_root(shape_dir: Path) -> str:
    """The storage root (as a path, unquoted) of the server the shape was recorded on: each
    artifact's signed_url is that root + '/' + its uri (relative to storage/, as served)."""
    rows = load(shape_dir, "artifacts.json") + (load(shape_dir, "downloads.json") or [])
    roots = set()
    for a in rows:
        signed, rel = a["signed_url"], a["uri"]
        if not signed.endswith("/" + rel):
            raise RuntimeError(f"{shape_dir}: {a['artifact_id']}'s signed_url does not end with its uri")
        roots.add(urllib.parse.unquote(signed.removeprefix("file://")[: -len(rel) - 1]))
    if len(roots) != 1:
        raise RuntimeError(f"{shape_dir}: not one storage root in the signed urls: {roots}")
    return roots.pop()


def root_forms(root: str) -> list[str]:
    """The two spellings of a storage root in uris: raw (step files) and percent-encoded
    (download rows: Skyvern's managed_file_uri); one when the root has nothing to encode."""
    quoted = urllib.parse.quote(root)
    return [f"file://{root}"] if quoted == root else [f"file://{root}", f"file://{quoted}"]


class _Rewriter:
    """Replaces the recorded storage root by the server's, in the same spelling."""

    def __init__(self, old_root: str, new_root: str) -> None:
        old_forms, new_forms = root_forms(old_root), root_forms(new_root)
        if len(old_forms) == len(new_forms):
            self.pairs = list(zip(old_forms, new_forms, strict=True))
        else:  # one of the roots has a single spelling: every spelling of the other maps to the raw one
            self.pairs = [(old, new_forms[0]) for old in old_forms]

    def __call__(self, value: Any) -> Any:
        for old, new in self.pairs:
            value = _replace_strings(value, old + "/", new + "/")
        return value


def _copy_storage(shape_dir: Path, server: SkyvernServer) -> None:
    """The recorded tree into the server's storage; the session videos keep their recorded
    modified_at (GET /v1/browser_sessions/{id} reads it off the file's mtime)."""
    shutil.copytree(Path(shape_dir) / "storage", server.storage, dirs_exist_ok=True)
    session = load(shape_dir, "browser_session.json")
    for rec in (session or {}).get("recordings") or []:
        rel = urllib.parse.unquote(rec["url"].removeprefix("file://")).removeprefix(recorded_root(shape_dir) + "/")
        stamp = datetime.fromisoformat(rec["modified_at"].replace("Z", "+00:00")).timestamp()
        os.utime(server.storage / rel, (stamp, stamp))


def _artifact_rows(shape_dir: Path, server: SkyvernServer, rewrite: _Rewriter) -> list[dict]:
    """artifacts.json and downloads.json as rows: the uri is the signed_url (the full uri, as
    the server stored it, percent-encoding kept) with the server's root."""
    rows = []
    for a in load(shape_dir, "artifacts.json") + (load(shape_dir, "downloads.json") or []):
        uri = rewrite(a["signed_url"])
        rows.append({**a, "uri": uri, "organization_id": server.org_id})
    return rows


def _flat_timeline(entries: list[dict]) -> list[dict]:
    """The timeline's entries depth first (children are loop iterations)."""
    out = []
    for e in entries:
        out.append(e)
        out.extend(_flat_timeline(e.get("children") or []))
    return out


def _task_row_of_block(block: dict, run_id: str, org: str, order: int) -> dict:
    """The task of a workflow block, from what the timeline shows of it (the block entry copies
    its task's url, goals, criteria and schema). Its created/modified are the block's: the task's
    own are served by no recorded endpoint, and the columns are NOT NULL."""
    out: dict = block["output"] if isinstance(block.get("output"), dict) else {}
    return {
        "task_id": block["task_id"],
        "organization_id": org,
        "status": block["status"],
        "title": block.get("label"),
        "task_type": "general",
        "url": block.get("url"),
        "navigation_goal": block.get("navigation_goal"),
        "data_extraction_goal": block.get("data_extraction_goal"),
        "navigation_payload": block.get("navigation_payload"),
        "complete_criterion": block.get("complete_criterion"),
        "terminate_criterion": block.get("terminate_criterion"),
        "extracted_information_schema": block.get("data_schema"),
        "include_action_history_in_verification": block.get("include_action_history_in_verification"),
        "include_extracted_text": block.get("include_extracted_text"),
        "extracted_information": out.get("extracted_information"),
        "failure_reason": out.get("failure_reason", block.get("failure_reason")),
        "failure_category": out.get("failure_category"),
        "errors": out.get("errors") or [],
        "workflow_run_id": run_id,
        "order": order,
        "retry": 0,
        # The timeline's `duration` is the task's finished_at - started_at; only that difference
        # is recorded, so the task is said to start when its block was made.
        "started_at": block["created_at"],
        "finished_at": _plus_seconds(block["created_at"], block.get("duration")),
        "created_at": block["created_at"],
        "modified_at": block["modified_at"],
    }


def _plus_seconds(iso: str, seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return (datetime.fromisoformat(iso) + timedelta(seconds=seconds)).isoformat()


def _task_row_of_run(run: dict, task: dict | None, org: str) -> dict:
    """A task run's task: from GET /api/v1/tasks/{id} when recorded (task.json), else from
    GET /v1/runs/{id} (run.json, whose run_request is the task's request)."""
    req = run.get("run_request") or {}
    row: dict = {
        "task_id": run["run_id"],
        "organization_id": org,
        "status": run["status"],
        "title": req.get("title"),
        "task_type": "general",
        "url": req.get("url"),
        "navigation_goal": req.get("prompt"),
        "webhook_callback_url": req.get("webhook_url"),
        "totp_verification_url": req.get("totp_url"),
        "totp_identifier": req.get("totp_identifier"),
        "proxy_location": req.get("proxy_location"),
        "extracted_information_schema": req.get("data_extraction_schema"),
        "error_code_mapping": req.get("error_code_mapping"),
        "max_steps_per_run": req.get("max_steps"),
        "max_screenshot_scrolling_times": req.get("max_screenshot_scrolls"),
        "include_action_history_in_verification": req.get("include_action_history_in_verification"),
        "extra_http_headers": req.get("extra_http_headers"),
        "cdp_connect_headers": req.get("cdp_connect_headers"),
        "browser_address": req.get("browser_address"),
        "model": req.get("model"),
        "browser_session_id": run.get("browser_session_id") or req.get("browser_session_id"),
        "extracted_information": run.get("output"),
        "failure_reason": run.get("failure_reason"),
        "errors": run.get("errors") or [],
        "queued_at": run.get("queued_at"),
        "started_at": run.get("started_at"),
        "finished_at": run.get("finished_at"),
        "created_at": run["created_at"],
        "modified_at": run["modified_at"],
    }
    if task is not None:
        row.update(task["request"])
        row.update({k: v for k, v in task.items() if k != "request"})
        row["organization_id"] = org
    return row


def _task_run_row(run: dict, org: str, taken: set[str], wpid: str | None) -> dict:
    """The run list's row (what GET /v1/runs/{id} resolves first). task_run_id is NOT NULL and
    no recorded endpoint serves it: a new id."""
    req = run.get("run_request") or {}
    return {
        "task_run_id": _new_id("tr", taken),
        "organization_id": org,
        "task_run_type": run["run_type"],
        "run_id": run["run_id"],
        "title": req.get("title"),
        "url": req.get("url"),
        "cached": False,  # NOT NULL; the recordings ran uncached
        "status": run["status"],
        "started_at": run.get("started_at"),
        "finished_at": run.get("finished_at"),
        "workflow_permanent_id": wpid,
        "created_at": run["created_at"],
        "modified_at": run["modified_at"],
    }


def _workflow_ids(run: dict, task_v2: dict | None) -> tuple[str, str]:
    """(workflow_id, workflow_permanent_id) as recorded: task v2 names both; a workflow run's
    request names the permanent id and its outputs' output_parameter the workflow id."""
    if task_v2 is not None:
        return task_v2["workflow_id"], task_v2["workflow_permanent_id"]
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("workflow_id"), str) and value["workflow_id"].startswith("w_"):
                found.append(value["workflow_id"])
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(run.get("output"))
    # workflows.workflow_id is NOT NULL; a run whose outputs name no workflow gets a new id
    # (no recorded endpoint serves it).
    return (found[0] if found else _new_id("w", set())), run["run_request"]["workflow_id"]


def _output_parameter_ids(value: Any, found: dict[str, str]) -> dict[str, str]:
    """key -> output_parameter_id, as the recorded outputs name them."""
    if isinstance(value, dict):
        op = value.get("output_parameter")
        if isinstance(op, dict) and op.get("key") and op.get("output_parameter_id"):
            found.setdefault(op["key"], op["output_parameter_id"])
        for v in value.values():
            _output_parameter_ids(v, found)
    elif isinstance(value, list):
        for v in value:
            _output_parameter_ids(v, found)
    return found


def seed_shape(server: SkyvernServer, shape_dir: Path) -> dict:
    """Insert the recording SHAPE_DIR into the running SERVER (rows and files).

    Returns: name, run_id, run_type, workflow_run_id (the wr_ of a workflow run or task v2), task_run_id,
    task_ids, step_ids, artifact_ids (artifacts.json's), download_ids, workflow_run_block_ids,
    thought_ids, browser_session_id, recorded_root, storage (the server's root), files
    ({artifact_id: Path in the server's storage})."""
    shape_dir = Path(shape_dir)
    run = load(shape_dir, "run.json")
    task_v2 = load(shape_dir, "task_v2.json")
    timeline = _flat_timeline(load(shape_dir, "timeline.json") or [])
    steps: list[dict] = load(shape_dir, "steps.json")
    actions: list[dict] = load(shape_dir, "actions.json")
    session = load(shape_dir, "browser_session.json")
    org = server.org_id
    old_root = recorded_root(shape_dir)
    rewrite = _Rewriter(old_root, str(server.storage))
    artifacts = _artifact_rows(shape_dir, server, rewrite)
    blocks = [e["block"] for e in timeline if e["type"] == "block"]
    thoughts = [e["thought"] for e in timeline if e["type"] == "thought"]
    wr_id = task_v2["workflow_run_id"] if task_v2 else (run["run_id"] if run["run_type"] == "workflow_run" else None)
    taken: set[str] = set()
    _copy_storage(shape_dir, server)

    with server.db() as conn:
        conn.execute("BEGIN")
        try:
            wpid = None
            if wr_id is not None:
                workflow_id, wpid = _workflow_ids(run, task_v2)
                _seed_workflow(conn, run, task_v2, wr_id, workflow_id, wpid, org, rewrite)
                # The timeline lists newest first; tasks.order counts the run's tasks as they ran.
                ran = sorted((b for b in blocks if b.get("task_id")), key=lambda b: b["created_at"])
                for order, b in enumerate(ran):
                    _insert(conn, "tasks", rewrite(_task_row_of_block(b, wr_id, org, order)))
                for b in blocks:
                    _insert(conn, "workflow_run_blocks", rewrite({**b, "organization_id": org, "llm_cost": b.get("llm_cost") or 0}))
            else:
                _insert(conn, "tasks", rewrite(_task_row_of_run(run, load(shape_dir, "task.json"), org)))
            if task_v2 is not None:
                _insert(conn, "observer_cruises", rewrite({
                    **task_v2, "observer_cruise_id": task_v2["task_id"], "organization_id": org,
                    "generate_script": False,  # NOT NULL; task_v2.json does not say it (no script was made)
                }))
                for t in thoughts:
                    _insert(conn, "observer_thoughts", rewrite({
                        **t, "observer_thought_id": t["thought_id"], "observer_cruise_id": t["task_id"],
                        "observer_thought_type": t["thought_type"], "observer_thought_scenario": t["thought_scenario"],
                        "organization_id": org,
                    }))
            task_run = _task_run_row(run, org, taken, wpid)
            _insert(conn, "task_runs", task_run)
            if session is not None:
                _insert(conn, "persistent_browser_sessions", {
                    **session, "persistent_browser_session_id": session["browser_session_id"],
                    "organization_id": org, "timeout_minutes": session.get("timeout"),
                })
            for s in steps:
                _insert(conn, "steps", rewrite({**s, "organization_id": org}))
            for a in artifacts:
                _insert(conn, "artifacts", a)
            for item in actions:
                # As Skyvern stores an action: the row's columns plus the whole action as action_json.
                _insert(conn, "actions", rewrite({**item, "organization_id": org, "action_json": item}))
            conn.commit()
        except BaseException:
            conn.rollback()
            raise

    listed = [a["artifact_id"] for a in load(shape_dir, "artifacts.json")]
    return {
        "name": shape_dir.name,
        "run_id": run["run_id"],
        "run_type": run["run_type"],
        "workflow_run_id": wr_id,
        "task_run_id": task_run["task_run_id"],
        "task_ids": list(dict.fromkeys(s["task_id"] for s in steps)),
        "step_ids": [s["step_id"] for s in steps],
        "artifact_ids": listed,
        "download_ids": [a["artifact_id"] for a in load(shape_dir, "downloads.json") or []],
        "workflow_run_block_ids": [b["workflow_run_block_id"] for b in blocks],
        "thought_ids": [t["thought_id"] for t in thoughts],
        "browser_session_id": session["browser_session_id"] if session else None,
        "recorded_root": old_root,
        "storage": server.storage,
        "files": {a["artifact_id"]: Path(urllib.parse.unquote(a["uri"].removeprefix("file://"))) for a in artifacts},
    }


def _seed_workflow(conn: Any, run: dict, task_v2: dict | None, wr_id: str, workflow_id: str, wpid: str,
                   org: str, rewrite: _Rewriter) -> None:
    """The workflow, its run and its outputs (GET /v1/runs/{wr} reads the output parameters)."""
    wr = load_workflow_run(run, task_v2)
    req = run.get("run_request") or {}
    _insert(conn, "workflows", {
        "workflow_id": workflow_id,
        "organization_id": org,
        # NOT NULL and served by no recorded endpoint: the run's title (or its id).
        "title": req.get("title") or wr_id,
        "workflow_definition": {"version": 1, "parameters": [], "blocks": []},  # NOT NULL; not recorded
        "persist_browser_session": False,  # NOT NULL; not recorded
        "status": "published",  # NOT NULL; not recorded
        "generate_script": False,  # NOT NULL; not recorded
        "workflow_permanent_id": wpid,
        "version": 1,  # NOT NULL; not recorded
        "is_saved_task": task_v2 is not None,  # NOT NULL; a task v2's workflow is a saved task's
        "created_at": wr["created_at"],
        "modified_at": wr["created_at"],
    })
    _insert(conn, "workflow_runs", {
        **wr,
        "workflow_run_id": wr_id,
        "workflow_id": workflow_id,
        "workflow_permanent_id": wpid,
        "organization_id": org,
        "proxy_location": req.get("proxy_location"),
        "start_fresh_browser": req.get("start_fresh_browser"),
        "max_screenshot_scrolling_times": wr.get("max_screenshot_scrolls"),
        "trigger_type": "manual",
    })
    if task_v2 is not None:
        return
    for key, value in (req.get("parameters") or {}).items():
        # The run's parameters (its run_request.parameters). The parameter's id and type are not
        # recorded and NOT NULL: a new id, and the type by the value's (json for a list or dict).
        wp_id = _new_id("wp", set())
        _insert(conn, "workflow_parameters", {
            "workflow_parameter_id": wp_id, "key": key, "workflow_id": workflow_id,
            "workflow_parameter_type": _parameter_type(value),
            "created_at": run["created_at"], "modified_at": run["created_at"],
        })
        _insert(conn, "workflow_run_parameters", {
            "workflow_run_id": wr_id, "workflow_parameter_id": wp_id,
            "value": value if isinstance(value, str) else json.dumps(value), "created_at": run["created_at"],
        })
    ids = _output_parameter_ids(run.get("output"), {})
    for key, value in (run.get("output") or {}).items():
        if key == "extracted_information":
            continue
        op_id = ids.get(key) or _new_id("op", set())  # a key no recorded output names: a new id
        _insert(conn, "output_parameters", {
            "output_parameter_id": op_id, "key": key, "workflow_id": workflow_id,
            "created_at": run["created_at"], "modified_at": run["created_at"],
        })
        _insert(conn, "workflow_run_output_parameters", {
            "workflow_run_id": wr_id, "output_parameter_id": op_id, "value": rewrite(value),
            "created_at": run.get("finished_at") or run["modified_at"],
        })


def _parameter_type(value: Any) -> str:
    """Skyvern's workflow parameter type for a value as the run request shows it."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    return "string" if isinstance(value, str) else "json"


def load_workflow_run(run: dict, task_v2: dict | None) -> dict:
    """The workflow run's own fields: run.json for a workflow run; for task v2 its times and
    status are task_v2.json's (the workflow run ran as the task v2)."""
    if task_v2 is None:
        return {k: v for k, v in run.items() if k not in ("run_id", "output", "run_request")}
    keys = ("status", "queued_at", "started_at", "finished_at", "created_at", "modified_at", "run_with")
    return {k: task_v2.get(k) for k in keys} | {"failure_reason": run.get("failure_reason")}


def seed_all(server: SkyvernServer, shapes_dir: Path = SHAPES_DIR) -> dict[str, dict]:
    """Every shape into SERVER: name -> seed_shape's answer."""
    return {name: seed_shape(server, shapes_dir / name) for name in SHAPES}

#!/usr/bin/env python3
"""Record REAL Skyvern runs of the demo site and download the demo through Skyvern's API.

Everything runs on 127.0.0.1:
  * the demo site (assets/recording/site, served by http.server),
  * a stub OpenAI-compatible LLM (assets/recording/stub_llm.py),
  * a real Skyvern server (uvicorn skyvern.forge.api_app:create_api_app) from
    SKYVERN_VENV, with SQLite and local artifact storage in a temporary folder.

It records two runs into the same storage:
  1. a plain task run (POST /v1/run/tasks): only kept in the raw storage
     fixture (--fixture-dir / --fixture-json);
  2. a one-block workflow run (POST /v1/agents, POST /v1/run/agents): THE DEMO.
     Its task follows the same action pattern (sign in; a failing click on the
     disabled "Check out" button and its retry; choose gears; order; COMPLETE),
     and a workflow run also writes `script_file` artifacts (the "files"
     category of the app's sidebar).
Then it attaches a Playwright trace zip of the same action sequence (recorded
separately with the `playwright` package of PW_VENV, since open-source Skyvern
makes no traces) as a real `trace` artifact row of the demo run's last step,
and downloads the demo run through the API:

  OUT/run.json        GET /v1/runs/{wr_id}
  OUT/artifacts.json  GET /v1/runs/{wr_id}/artifacts
  OUT/steps.json      GET /api/v1/tasks/{task_id}/steps, concatenated over the run's tasks
  OUT/files/{artifact_id}_{artifact_type}.{ext}   GET /v1/artifacts/{id}/content

OUT is only replaced when the download is complete and has every expected
artifact type and the failed step + retry; if OUT is REPO/assets/demo, the
new run id is then written into REPO/assets/DEMO_READY.

Stdlib only; runs with any Python 3.10+.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
ORG_ID = "o_777"
SECRET_KEY = "skyvern-tui-demo-secret-key-0123456789abcdef"
JWT_EXP = 4102444800  # 2100-01-01: fixed, so the key is the same on every run
TERMINAL = {"completed", "failed", "terminated", "canceled", "timed_out"}

TASK_PROMPT = (
    "Sign in to Acme Parts with username 'demo' and password 'hunter2', "
    "find the gears and order a 'Spur gear 24T'. The goal is achieved when the "
    "page says the order has been placed."
)
WORKFLOW_PROMPT = TASK_PROMPT
WORKFLOW_TITLE = "Order a spur gear from Acme Parts"

# What the demo must contain: every category of the app's sidebar.
DEMO_REQUIRED_TYPES = {
    "screenshot_llm", "screenshot_action", "screenshot_final", "recording",
    "llm_prompt", "llm_request", "llm_response", "llm_response_parsed", "llm_response_rendered",
    "visible_elements_tree", "visible_elements_tree_trimmed", "visible_elements_tree_in_prompt",
    "visible_elements_id_css_map", "visible_elements_id_frame_map", "hashed_href_map",
    "html_scrape", "html_action",
    "skyvern_log", "skyvern_log_raw", "browser_console_log",
    "har", "trace",
    "script_file",
}
DEMO_MAX_BYTES = 5 * 1024 * 1024


def log(msg: str) -> None:
    print(f"[record_demo {datetime.now().strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(sub: str, secret: str, exp: int) -> str:
    """HS256 JWT, as Skyvern's local API keys are."""
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = b64url(json.dumps({"sub": sub, "exp": exp}, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode()
    sig = hmac.new(secret.encode(), signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{b64url(sig)}"


def port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT from a previous run is fine
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def wait_port(port: int, timeout: float) -> None:
    end = time.time() + timeout
    while time.time() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


class Api:
    def __init__(self, base: str, key: str) -> None:
        self.base = base.rstrip("/")
        self.key = key

    def request(self, method: str, path: str, body: object | None = None) -> tuple[int, bytes]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("x-api-key", self.key)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def get_json(self, path: str) -> object:
        code, data = self.request("GET", path)
        if code != 200:
            raise RuntimeError(f"GET {path}: HTTP {code}: {data[:500]!r}")
        return json.loads(data)

    def post_json(self, path: str, body: object) -> object:
        code, data = self.request("POST", path, body)
        if code not in (200, 201):
            raise RuntimeError(f"POST {path}: HTTP {code}: {data[:2000]!r}")
        return json.loads(data)

    def get_bytes(self, path: str) -> bytes:
        code, data = self.request("GET", path)
        if code != 200:
            raise RuntimeError(f"GET {path}: HTTP {code}: {data[:500]!r}")
        return data


class Services:
    """The background processes; stopped (by their own process group) at the end."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> None:
        logf = open(self.workdir / f"{name}.log", "wb")
        proc = subprocess.Popen(
            cmd, env=env, cwd=cwd, stdout=logf, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs.append((name, proc))
        log(f"started {name} (pid {proc.pid})")

    def check(self) -> None:
        for name, proc in self.procs:
            if proc.poll() is not None:
                tail = (self.workdir / f"{name}.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{name} exited with {proc.returncode}:\n{tail}")

    def stop(self) -> None:
        for _name, proc in reversed(self.procs):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for name, proc in reversed(self.procs):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
            log(f"stopped {name}")
        self.procs = []


def skyvern_env(args: argparse.Namespace, tmp: Path, api_key: str) -> dict[str, str]:
    env = {
        "PATH": f"{args.skyvern_venv}/bin:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(tmp / "home"),
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        "VIRTUAL_ENV": str(args.skyvern_venv),
        "ENV": "local",
        "PORT": str(args.skyvern_port),
        "DATABASE_STRING": f"sqlite+aiosqlite:///{tmp / 'data.db'}",
        "ARTIFACT_STORAGE_PATH": str(tmp / "artifacts"),
        "VIDEO_PATH": str(tmp / "cwd" / "video"),
        "HAR_PATH": str(tmp / "cwd" / "har"),
        "LOG_PATH": str(tmp / "cwd" / "log"),
        "SKYVERN_TELEMETRY": "false",
        "ANALYTICS_ID": "anonymous",
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "SECRET_KEY": SECRET_KEY,
        "SKYVERN_API_KEY": api_key,
        "ENABLE_LOG_ARTIFACTS": "true",
        "ALLOWED_HOSTS": '["127.0.0.1"]',
        "PLAYWRIGHT_BROWSERS_PATH": str(args.browsers),
        "PLAYWRIGHT_CHROMIUM_USE_HEADLESS_NEW": "1",
        "BROWSER_TYPE": "chromium-headless",
        "BROWSER_WIDTH": "800",
        "BROWSER_HEIGHT": "600",
        "ENABLE_OPENAI": "false",
        "ENABLE_OPENAI_COMPATIBLE": "true",
        "LLM_KEY": "OPENAI_COMPATIBLE",
        "SECONDARY_LLM_KEY": "OPENAI_COMPATIBLE",
        "OPENAI_COMPATIBLE_MODEL_NAME": "stub-gpt",
        "OPENAI_COMPATIBLE_API_KEY": "sk-stub-not-a-real-key",
        "OPENAI_COMPATIBLE_API_BASE": f"http://127.0.0.1:{args.llm_port}/v1",
        "OPENAI_COMPATIBLE_SUPPORTS_VISION": "true",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }
    return env


def wait_run(api: Api, run_id: str, services: Services, timeout: float) -> dict:
    end = time.time() + timeout
    last = None
    while time.time() < end:
        services.check()
        run = api.get_json(f"/v1/runs/{run_id}")
        assert isinstance(run, dict)
        if run.get("status") != last:
            last = run.get("status")
            log(f"run {run_id}: {last}")
        if run.get("status") in TERMINAL:
            return run
        time.sleep(2)
    raise RuntimeError(f"run {run_id} did not end within {timeout}s")


def wait_artifacts_settled(api: Api, run_id: str, timeout: float = 60) -> None:
    """The recording/HAR/console log are attached as the run ends; wait for the list to stop growing."""
    end = time.time() + timeout
    prev = -1
    stable = 0
    while time.time() < end:
        n = len(api.get_json(f"/v1/runs/{run_id}/artifacts"))  # type: ignore[arg-type]
        if n == prev:
            stable += 1
            if stable >= 3:
                return
        else:
            stable = 0
            prev = n
        time.sleep(2)


def iso_naive_utc() -> str:
    return datetime.now(timezone.utc).replace(tzinfo=None).isoformat()


def attach_trace(args: argparse.Namespace, tmp: Path, api: Api, task_id: str, steps: list[dict]) -> str:
    """Record the trace zip and insert it as a real artifact row of the run's last step."""
    zip_tmp = tmp / "trace.zip"
    env = dict(os.environ)
    env["PLAYWRIGHT_BROWSERS_PATH"] = str(args.browsers)
    subprocess.run(
        [str(args.pw_venv / "bin" / "python"), str(HERE / "record_trace.py"), f"http://127.0.0.1:{args.site_port}/", str(zip_tmp)],
        check=True,
        env=env,
        timeout=180,
    )
    # The run's last step: the one Skyvern marked is_last (it also holds the HAR and the console log).
    last_steps = [s for s in steps if s.get("is_last")] or sorted(
        steps, key=lambda s: (s["status"] != "canceled", s["order"], s["retry_index"])
    )[-1:]
    step_id = last_steps[0]["step_id"]
    # Skyvern's own id generator, so the id looks like every other artifact id.
    artifact_id = subprocess.run(
        [str(args.skyvern_venv / "bin" / "python"), "-c",
         "from skyvern.forge.sdk.db.id import generate_artifact_id; print(generate_artifact_id())"],
        check=True, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp / "home")},
        cwd=tmp / "cwd",
    ).stdout.strip().splitlines()[-1]
    db = sqlite3.connect(tmp / "data.db")
    db.row_factory = sqlite3.Row
    try:
        cols = [r[1] for r in db.execute("PRAGMA table_info(artifacts)")]
        ref = db.execute(
            "SELECT * FROM artifacts WHERE task_id=? AND step_id=? AND uri LIKE ? ORDER BY created_at DESC LIMIT 1",
            (task_id, step_id, f"%/{task_id}/%_{step_id}/%"),
        ).fetchone()
        if ref is None:
            raise RuntimeError(f"no artifact row for step {step_id} to copy the folder from")
        step_dir = Path(ref["uri"].removeprefix("file://")).parent
        ts = iso_naive_utc()
        dest = step_dir / f"{ts}_{artifact_id}_trace.zip"
        shutil.copyfile(zip_tmp, dest)
        row = {c: None for c in cols}
        for c in cols:
            if c in ref.keys():
                row[c] = ref[c]
        now = datetime.now(timezone.utc).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
        row.update(
            artifact_id=artifact_id,
            artifact_type="trace",
            uri=f"file://{dest}",
            created_at=now,
            modified_at=now,
        )
        for c in ("checksum", "bundle_key"):
            if c in row:
                row[c] = None
        if "file_size" in row:
            row["file_size"] = dest.stat().st_size
        names = [c for c in cols]
        db.execute(
            f"INSERT INTO artifacts ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
            [row[c] for c in names],
        )
        db.commit()
    finally:
        db.close()
    log(f"attached trace {artifact_id} ({dest.stat().st_size} bytes) to step {step_id}")
    return artifact_id


def ext_of(uri: str) -> str:
    name = uri.rstrip("/").rsplit("/", 1)[-1]
    if "." in name:
        suffix = name.rsplit(".", 1)[-1]
        if suffix and "/" not in suffix:
            return suffix
    return "bin"


def task_ids_of(run_id: str, arts: list[dict]) -> list[str]:
    """The task ids of a run: the run itself for a task, else its artifacts' tasks in the order they ran."""
    if run_id.startswith("tsk_") and not run_id.startswith("tsk_v2_"):
        return [run_id]
    ids: list[str] = []
    for a in arts:  # the list is oldest first
        tid = a.get("task_id")
        if tid and tid not in ids:
            ids.append(tid)
    return ids


def fetch_run(api: Api, run_id: str) -> dict:
    """run, artifacts and the steps of every task of the run (concatenated, task by task)."""
    run = api.get_json(f"/v1/runs/{run_id}")
    arts = api.get_json(f"/v1/runs/{run_id}/artifacts")
    assert isinstance(run, dict) and isinstance(arts, list)
    task_ids = task_ids_of(run_id, arts)
    steps: list[dict] = []
    for tid in task_ids:
        ts = api.get_json(f"/api/v1/tasks/{tid}/steps")
        assert isinstance(ts, list)
        steps.extend(ts)
    return {"run": run, "artifacts": arts, "steps": steps, "task_ids": task_ids}


def file_name(a: dict) -> str:
    return f"{a['artifact_id']}_{a['artifact_type']}.{ext_of(a['uri'])}"


def download(api: Api, run_id: str, out: Path, validate=None) -> dict:
    """Write run.json, artifacts.json, steps.json and files/ into OUT.

    Everything goes into OUT.partial first; OUT is only replaced when every listed
    artifact was fetched (and `validate` accepts the result). Any artifact that
    cannot be fetched makes this raise, listing them all.
    """
    got = fetch_run(api, run_id)
    arts = got["artifacts"]
    staging = out.with_name(out.name + ".partial")
    if staging.exists():
        shutil.rmtree(staging)
    (staging / "files").mkdir(parents=True)
    for name in ("run", "artifacts", "steps"):
        (staging / f"{name}.json").write_text(json.dumps(got[name], indent=2) + "\n")
    failures: list[str] = []
    stale_sizes: list[str] = []
    names: set[str] = set()
    for a in arts:
        name = file_name(a)
        if name in names:
            failures.append(f"{name}: two artifacts map to this file name")
            continue
        names.add(name)
        try:
            data = api.get_bytes(f"/v1/artifacts/{a['artifact_id']}/content")
        except Exception as e:  # noqa: BLE001 - collected and raised below
            failures.append(f"{a['artifact_id']} ({a['artifact_type']}, {a.get('uri')}): {e}")
            continue
        if a.get("file_size") is not None and a["file_size"] != len(data):
            stale_sizes.append(a["artifact_type"])
        (staging / "files" / name).write_bytes(data)
    if stale_sizes:
        # Skyvern sets file_size when the row is made; the log files keep growing after that.
        log(f"note: file_size in the list differs from the bytes served for {dict(Counter(stale_sizes))}")
    if failures:
        raise RuntimeError(
            f"could not fetch {len(failures)} of {len(arts)} listed artifacts of {run_id} "
            f"(left in {staging}):\n  " + "\n  ".join(failures)
        )
    if validate is not None:
        validate(got, staging)
    if out.exists():
        shutil.rmtree(out)
    staging.rename(out)
    log(f"downloaded {len(arts)} artifacts of {run_id} into {out}")
    return got


def has_retry_pattern(steps: list[dict]) -> bool:
    """A failed step and a completed retry (retry_index >= 1) of the same order."""
    failed = {s["order"] for s in steps if s.get("status") == "failed"}
    return any(s.get("retry_index", 0) >= 1 and s.get("status") == "completed" and s["order"] in failed for s in steps)


def validate_demo(got: dict, folder: Path) -> None:
    """Refuse a demo that misses a sidebar category or the failing step + retry."""
    problems = []
    run, arts, steps = got["run"], got["artifacts"], got["steps"]
    if run.get("status") != "completed":
        problems.append(f"run status {run.get('status')!r}, failure_reason {run.get('failure_reason')!r}")
    types = Counter(a["artifact_type"] for a in arts)
    missing = sorted(DEMO_REQUIRED_TYPES - set(types))
    if missing:
        problems.append(f"missing artifact types: {missing}")
    if not has_retry_pattern(steps):
        problems.append("no failed step with a completed retry: " + repr([(s['order'], s['retry_index'], s['status']) for s in steps]))
    hrefs = [a for a in arts if a["artifact_type"] == "hashed_href_map"]
    if hrefs and not any(json.loads((folder / "files" / file_name(a)).read_text() or "{}") for a in hrefs):
        problems.append("every hashed_href_map is empty")
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    if size > DEMO_MAX_BYTES:
        problems.append(f"demo is {size} bytes, over {DEMO_MAX_BYTES}")
    if problems:
        raise RuntimeError(f"the demo run {run.get('run_id')} is not usable (left in {folder}):\n  " + "\n  ".join(problems))
    log(f"demo ok: {len(arts)} artifacts, {len(types)} types, {len(steps)} steps, {size} bytes")


def reset_stub(args: argparse.Namespace, script: str = "order") -> None:
    """Start the stub LLM's script over; SCRIPT names it (stub_llm.py: "order", "terminate" or "fail")."""
    req = urllib.request.Request(
        f"http://127.0.0.1:{args.llm_port}/reset", data=json.dumps({"script": script}).encode(), method="POST"
    )
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=10) as resp:
        resp.read()


def run_task(api: Api, args: argparse.Namespace, services: Services) -> str:
    """The plain task run (kept in the raw storage fixture only)."""
    reset_stub(args)
    started = api.post_json(
        "/v1/run/tasks",
        {
            "prompt": TASK_PROMPT,
            "url": f"http://127.0.0.1:{args.site_port}/",
            "engine": "skyvern-1.0",
            "title": "Order a spur gear on Acme Parts",
            "max_steps": 8,
        },
    )
    assert isinstance(started, dict)
    run_id = started["run_id"]
    log(f"task run {run_id} started")
    run = wait_run(api, run_id, services, args.timeout)
    log(f"task run ended: {run.get('status')} failure_reason={run.get('failure_reason')!r}")
    wait_artifacts_settled(api, run_id)
    return run_id


def run_workflow(api: Api, args: argparse.Namespace, services: Services) -> tuple[str, str]:
    """Create a one-block workflow and run it (the demo); returns (wr_id, workflow_permanent_id)."""
    site = f"http://127.0.0.1:{args.site_port}/"
    definition = {
        "title": WORKFLOW_TITLE,
        "description": "Sign in to the Acme Parts demo site and order a Spur gear 24T (one navigation block).",
        "workflow_definition": {
            "parameters": [],
            "blocks": [
                {
                    "block_type": "navigation",
                    "label": "order_spur_gear",
                    "title": "Order the spur gear",
                    "url": site,
                    "navigation_goal": WORKFLOW_PROMPT,
                    "engine": "skyvern-1.0",
                    "max_retries": 0,
                    "max_steps_per_run": 8,
                }
            ],
        },
    }
    reset_stub(args)
    wf = api.post_json("/v1/agents", {"json_definition": definition})
    assert isinstance(wf, dict)
    wpid = wf.get("workflow_permanent_id")
    log(f"workflow {wpid} created")
    started = api.post_json("/v1/run/agents", {"workflow_id": wpid, "parameters": {}, "title": WORKFLOW_TITLE})
    assert isinstance(started, dict)
    wr_id = started["run_id"]
    log(f"workflow run {wr_id} started")
    run = wait_run(api, wr_id, services, args.timeout)
    log(f"workflow run ended: {run.get('status')} failure_reason={run.get('failure_reason')!r}")
    wait_artifacts_settled(api, wr_id)
    return wr_id, wpid


def describe_fixture(storage: Path, task: dict, workflow: dict | None, api: Api) -> dict:
    """Known truth about the fixture tree, computed from the API responses."""

    def rel(uri: str) -> str | None:
        p = uri.removeprefix("file://")
        try:
            return str(Path(p).relative_to(storage))
        except ValueError:
            return None

    def art_entry(a: dict) -> dict:
        return {
            "artifact_id": a["artifact_id"],
            "artifact_type": a["artifact_type"],
            "path": rel(a["uri"]),
            "task_id": a.get("task_id"),
            "step_id": a.get("step_id"),
            "workflow_run_id": a.get("workflow_run_id"),
            "workflow_run_block_id": a.get("workflow_run_block_id"),
        }

    def steps_entry(steps: list[dict]) -> list[dict]:
        return [
            {k: s.get(k) for k in ("step_id", "order", "retry_index", "status", "is_last")}
            for s in sorted(steps, key=lambda s: (s["order"], s["retry_index"]))
        ]

    run = task["run"]
    desc: dict = {
        "description": "Raw ARTIFACT_STORAGE_PATH tree of a real Skyvern 1.0.56 self-hosted server "
        "(local disk storage). Paths are relative to this folder. Generated by "
        "assets/recording/record_demo.py from the server's API responses.",
        "skyvern_version": "1.0.56",
        "organization_id": ORG_ID,
        "env": "local",
        "task_runs": [
            {
                "run_id": run["run_id"],
                "task_id": run["run_id"],
                "run_type": run.get("run_type"),
                "status": run.get("status"),
                "failure_reason": run.get("failure_reason"),
                "step_count": run.get("step_count"),
                "steps": steps_entry(task["steps"]),
                "artifact_count": len(task["artifacts"]),
                "artifact_counts_by_type": dict(sorted(Counter(a["artifact_type"] for a in task["artifacts"]).items())),
                "artifacts": [art_entry(a) for a in task["artifacts"]],
            }
        ],
        "workflow_runs": [],
    }
    if workflow is not None:
        wr = workflow["run"]
        arts = workflow["artifacts"]
        task_ids = sorted({a["task_id"] for a in arts if a.get("task_id")})
        tasks = []
        for tid in task_ids:
            steps = api.get_json(f"/api/v1/tasks/{tid}/steps")
            tasks.append({"task_id": tid, "steps": steps_entry(steps)})  # type: ignore[arg-type]
        desc["workflow_runs"].append(
            {
                "run_id": wr["run_id"],
                "workflow_run_id": wr["run_id"],
                "workflow_permanent_id": workflow["workflow_permanent_id"],
                "run_type": wr.get("run_type"),
                "status": wr.get("status"),
                "failure_reason": wr.get("failure_reason"),
                "workflow_run_block_ids": sorted({a["workflow_run_block_id"] for a in arts if a.get("workflow_run_block_id")}),
                "tasks": tasks,
                "artifact_count": len(arts),
                "artifact_counts_by_type": dict(sorted(Counter(a["artifact_type"] for a in arts).items())),
                "artifacts": [art_entry(a) for a in arts],
            }
        )
    files = sorted(str(p.relative_to(storage)) for p in storage.rglob("*") if p.is_file())
    desc["file_count"] = len(files)
    desc["files"] = files
    desc["files_not_in_api"] = unlisted_files(desc)
    return desc


def unlisted_files(desc: dict) -> list[str]:
    """Files of the tree that no artifact of the API lists (e.g. the raw .webm next to the .mp4, scripts)."""
    listed = {a["path"] for run in desc["task_runs"] + desc["workflow_runs"] for a in run["artifacts"]}
    return [f for f in desc["files"] if f not in listed]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--skyvern-venv", type=Path, default=Path("/opt/skyvern-venv"))
    ap.add_argument("--pw-venv", type=Path, default=Path("/opt/pw-venv"), help="venv with a current `playwright` (trace)")
    ap.add_argument("--browsers", type=Path, default=Path("/opt/pw-browsers"), help="PLAYWRIGHT_BROWSERS_PATH for Skyvern")
    ap.add_argument("--out", type=Path, default=REPO / "assets" / "demo")
    ap.add_argument("--fixture-dir", type=Path, help="copy the raw ARTIFACT_STORAGE_PATH tree here (replaced)")
    ap.add_argument("--fixture-json", type=Path, help="write the fixture description here")
    # Kept so the old command line still works: the demo is the workflow run now, always.
    ap.add_argument("--workflow", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--no-trace", action="store_true", help="do not attach the Playwright trace (the demo then fails its check)")
    ap.add_argument("--site-port", type=int, default=8765)
    ap.add_argument("--llm-port", type=int, default=8766)
    ap.add_argument("--skyvern-port", type=int, default=8767)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--keep-tmp", action="store_true", help="keep the temporary folder (logs, DB, prompts)")
    args = ap.parse_args()
    args.skyvern_venv = args.skyvern_venv.resolve()
    args.out = args.out.resolve()

    for port in (args.site_port, args.llm_port, args.skyvern_port):
        if not port_free(port):
            log(f"port {port} is in use")
            return 2

    tmp = Path(tempfile.mkdtemp(prefix="skyvern-demo-"))
    for d in ("home", "artifacts", "cwd", "llm"):
        (tmp / d).mkdir()
    log(f"working folder {tmp}")
    services = Services(tmp)
    api_key = make_jwt(ORG_ID, SECRET_KEY, JWT_EXP)
    ok = False
    try:
        py = sys.executable
        services.start(
            "site",
            [py, "-m", "http.server", "--bind", "127.0.0.1", "--directory", str(HERE / "site"), str(args.site_port)],
        )
        services.start(
            "stub_llm", [py, str(HERE / "stub_llm.py"), "--port", str(args.llm_port), "--log-dir", str(tmp / "llm")]
        )
        services.start(
            "skyvern",
            [
                str(args.skyvern_venv / "bin" / "python"), "-m", "uvicorn", "skyvern.forge.api_app:create_api_app",
                "--factory", "--host", "127.0.0.1", "--port", str(args.skyvern_port),
            ],
            env=skyvern_env(args, tmp, api_key),
            cwd=tmp / "cwd",
        )
        wait_port(args.site_port, 15)
        wait_port(args.llm_port, 15)
        api = Api(f"http://127.0.0.1:{args.skyvern_port}", api_key)
        end = time.time() + 180
        while True:
            services.check()
            try:
                code, _ = api.request("GET", "/v1/runs?page=1&page_size=1")
                if code == 200:
                    break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.time() > end:
                raise RuntimeError("Skyvern did not answer within 180 s")
            time.sleep(1)
        log("Skyvern is up")

        # 1. the plain task run: only for the raw storage fixture
        task_run_id = run_task(api, args, services)
        task = fetch_run(api, task_run_id)
        if not has_retry_pattern(task["steps"]):
            log("WARNING: the task run has no failed step with a completed retry")

        # 2. the workflow run: the demo
        wr_id, wpid = run_workflow(api, args, services)
        wf_arts = api.get_json(f"/v1/runs/{wr_id}/artifacts")
        assert isinstance(wf_arts, list)
        wf_tasks = task_ids_of(wr_id, wf_arts)
        if not wf_tasks:
            raise RuntimeError(f"workflow run {wr_id} has no task artifacts")
        if not args.no_trace:
            last_task = wf_tasks[-1]
            last_steps = api.get_json(f"/api/v1/tasks/{last_task}/steps")
            assert isinstance(last_steps, list)
            attach_trace(args, tmp, api, last_task, last_steps)

        demo = download(api, wr_id, args.out, validate=validate_demo)
        if args.out == (REPO / "assets" / "demo").resolve():
            (REPO / "assets" / "DEMO_READY").write_text(wr_id + "\n")
            log(f"wrote {wr_id} into {REPO / 'assets' / 'DEMO_READY'}")

        if args.fixture_dir:
            if args.fixture_dir.exists():
                shutil.rmtree(args.fixture_dir)
            shutil.copytree(tmp / "artifacts", args.fixture_dir, symlinks=True)
            log(f"copied the storage tree into {args.fixture_dir}")
        if args.fixture_json:
            workflow = {"workflow_permanent_id": wpid, "run": demo["run"], "artifacts": demo["artifacts"]}
            desc = describe_fixture(tmp / "artifacts", task, workflow, api)
            args.fixture_json.write_text(json.dumps(desc, indent=2) + "\n")
            log(f"wrote {args.fixture_json}")
        ok = True
        print(wr_id)
        return 0
    finally:
        services.stop()
        if ok and not args.keep_tmp:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            log(f"kept {tmp}")


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Record REAL bundled Skyvern 1.0.56 runs (ARTIFACT_CONTENT_HMAC_KEYRING set) as test data.

Same machinery as record_demo.py (demo site, stub LLM, real Skyvern server, Debian Chromium,
all on 127.0.0.1), but the server runs with ARTIFACT_CONTENT_HMAC_KEYRING (and SKYVERN_BASE_URL)
set, which in 1.0.56 packs each step's artifacts into a `step_archive` ZIP and each task's HAR and
console log into a `task_archive` ZIP. Recorded, in this order:

  bundled server:    task_completed    the demo's action pattern, COMPLETE
                     task_terminated   sign in, then TERMINATE (stub script "terminate")
                     workflow_run      a one-block workflow run, the demo's pattern
  unbundled server:  task_completed_unbundled   the SAME task and script as task_completed,
                                                on a fresh server WITHOUT the keyring
  bundled server, again fresh:
                     workflow_failed   a one-block workflow run whose block's task clicks the
                                       disabled "Check out" until its step has failed 4 times
                                       (stub script "fail"; the organization's
                                       max_retries_per_step is 3): the task fails ("Max retries
                                       per step (3) exceeded"), so the block and the run fail

Each run is written (as soon as it has ended, so the first one is usable early) to OUT/<name>/:

  run.json        GET /v1/runs/{id}
  artifacts.json  GET /v1/runs/{id}/artifacts, `uri` made relative to the storage root
                  (the rest, `signed_url` included, exactly as served)
  steps.json      GET /api/v1/tasks/{task}/steps, concatenated over the run's tasks
  actions.json    GET /api/v1/tasks/{task}/actions, concatenated likewise
  storage/        the files the server wrote for the run, in its ARTIFACT_STORAGE_PATH layout
                  (every folder holding a listed artifact, copied whole)
  summary.json    counts per type and per archive, member names (computed from the above)
  timeline.json   GET /v1/runs/{id}/timeline (workflow runs only: the blocks and their tasks)

Stdlib only. Usage (from the repository root):
  python3 assets/recording/record_bundled.py [--out tests/data/bundled] [--only task_completed ...]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import record_demo as rd  # noqa: E402  (the shared machinery, next to this file)

# A fixed keyring: the data must be re-recordable, and the key protects nothing but loopback test runs.
KEYRING = json.dumps({"current_kid": "k1", "keys": {"k1": {"secret": "skyvern-tui-bundled-test-hmac-secret-0001"}}})

TERMINATE_PROMPT = (
    "Sign in to Acme Parts with username 'demo' and password 'hunter2' and order a "
    "'Planetary gearbox'. The goal is achieved when the page says the order has been placed."
)
RUNS = ("task_completed", "task_terminated", "workflow_run", "task_completed_unbundled", "workflow_failed")
FAILING_WORKFLOW_TITLE = "Check out on Acme Parts (the button stays disabled)"
FAILING_GOAL = (
    "Sign in to Acme Parts with username 'demo' and password 'hunter2', then check out. "
    "The goal is achieved when the page says the order has been placed."
)



def make_browsers(folder: Path) -> Path:
    """Playwright 1.46's browsers folder, pointing at Debian's Chromium and ffmpeg."""
    chrome = folder / "chromium-1129" / "chrome-linux" / "chrome"
    ffmpeg = folder / "ffmpeg-1009" / "ffmpeg-linux"
    for link, target in ((chrome, "/usr/lib/chromium/chromium"), (ffmpeg, "/usr/bin/ffmpeg")):
        if not Path(target).exists():
            raise RuntimeError(f"{target} is missing (apt-get install -y chromium ffmpeg)")
        link.parent.mkdir(parents=True, exist_ok=True)
        if not link.exists():
            link.symlink_to(target)
    return folder


def start_task(api: rd.Api, args: argparse.Namespace, services: rd.Services, prompt: str, title: str, script: str) -> str:
    rd.reset_stub(args, script)
    started = api.post_json(
        "/v1/run/tasks",
        {"prompt": prompt, "url": f"http://127.0.0.1:{args.site_port}/", "engine": "skyvern-1.0",
         "title": title, "max_steps": 8},
    )
    assert isinstance(started, dict)
    run_id = started["run_id"]
    rd.log(f"task run {run_id} ({script}) started")
    run = rd.wait_run(api, run_id, services, args.timeout)
    rd.log(f"task run ended: {run.get('status')} failure_reason={run.get('failure_reason')!r}")
    rd.wait_artifacts_settled(api, run_id)
    return run_id


def run_failing_workflow(api: rd.Api, args: argparse.Namespace, services: rd.Services) -> str:
    """A one-block workflow whose navigation block fails: Skyvern marks the block failed (its task
    failed, not terminated) and so the workflow run "failed"."""
    definition = {
        "title": FAILING_WORKFLOW_TITLE,
        "description": "Sign in to the Acme Parts demo site and check out at once (one navigation block that fails).",
        "workflow_definition": {
            "parameters": [],
            "blocks": [
                {
                    "block_type": "navigation",
                    "label": "check_out",
                    "title": "Check out",
                    "url": f"http://127.0.0.1:{args.site_port}/",
                    "navigation_goal": FAILING_GOAL,
                    "engine": "skyvern-1.0",
                    "max_retries": 0,
                    "max_steps_per_run": 6,
                }
            ],
        },
    }
    rd.reset_stub(args, "fail")
    workflow = api.post_json("/v1/agents", {"json_definition": definition})
    assert isinstance(workflow, dict)
    started = api.post_json("/v1/run/agents", {"workflow_id": workflow["workflow_permanent_id"], "parameters": {},
                                               "title": FAILING_WORKFLOW_TITLE})
    assert isinstance(started, dict)
    run_id = started["run_id"]
    rd.log(f"failing workflow run {run_id} started")
    run = rd.wait_run(api, run_id, services, args.timeout)
    rd.log(f"workflow run ended: {run.get('status')} failure_reason={run.get('failure_reason')!r}")
    rd.wait_artifacts_settled(api, run_id)
    return run_id


def relative_uri(uri: str, storage: Path) -> str:
    """`file:///ROOT/rel` -> `rel` (kept percent-encoded as the server wrote it)."""
    prefix = "file://" + urllib.parse.quote(str(storage)) + "/"
    plain = "file://" + str(storage) + "/"
    for p in (prefix, plain):
        if uri.startswith(p):
            return uri[len(p):]
    raise RuntimeError(f"uri outside the storage root {storage}: {uri}")


def summarize(arts: list[dict], run_dir: Path) -> dict:
    archives: dict[str, dict] = {}
    for a in arts:
        if a["artifact_type"] in ("step_archive", "task_archive"):
            path = run_dir / "storage" / urllib.parse.unquote(a["uri"])
            with zipfile.ZipFile(path) as z:
                names = z.namelist()
            archives[a["uri"]] = {
                "artifact_id": a["artifact_id"], "artifact_type": a["artifact_type"], "step_id": a.get("step_id"),
                "zip_members": names, "member_rows": [],
            }
    for a in arts:
        if a.get("bundle_key"):
            entry = archives.get(a["uri"])
            if entry is None:
                raise RuntimeError(f"member row {a['artifact_id']} points at no archive row: {a['uri']}")
            entry["member_rows"].append({"artifact_id": a["artifact_id"], "artifact_type": a["artifact_type"],
                                         "bundle_key": a["bundle_key"]})
    return {
        "artifact_count": len(arts),
        "counts_by_type": dict(sorted(Counter(a["artifact_type"] for a in arts).items())),
        "bundled_rows": sum(1 for a in arts if a.get("bundle_key")),
        "flat_rows": sum(1 for a in arts if not a.get("bundle_key") and a["artifact_type"] not in ("step_archive", "task_archive")),
        "archive_rows": len(archives),
        "flat_counts_by_type": dict(sorted(Counter(
            a["artifact_type"] for a in arts
            if not a.get("bundle_key") and a["artifact_type"] not in ("step_archive", "task_archive")).items())),
        "archives": list(archives.values()),
    }


def save_run(api: rd.Api, run_id: str, storage: Path, out: Path, timeline: bool = False) -> dict:
    got = rd.fetch_run(api, run_id)
    arts = got["artifacts"]
    actions: list = []
    for tid in got["task_ids"]:
        acts = api.get_json(f"/api/v1/tasks/{tid}/actions")
        assert isinstance(acts, list)
        actions.extend(acts)
    staging = out.with_name(out.name + ".partial")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    rel_arts = [{**a, "uri": relative_uri(a["uri"], storage)} for a in arts]
    folders = sorted({str(Path(urllib.parse.unquote(a["uri"])).parent) for a in rel_arts})
    for folder in folders:
        shutil.copytree(storage / folder, staging / "storage" / folder, dirs_exist_ok=True)
    missing = [a["artifact_id"] for a in rel_arts if not (staging / "storage" / urllib.parse.unquote(a["uri"])).is_file()]
    if missing:
        raise RuntimeError(f"{run_id}: listed artifacts without a file: {missing}")
    saved = [("run", got["run"]), ("artifacts", rel_arts), ("steps", got["steps"]), ("actions", actions)]
    if timeline:
        saved.append(("timeline", api.get_json(f"/v1/runs/{run_id}/timeline")))
    for name, value in saved:
        (staging / f"{name}.json").write_text(json.dumps(value, indent=2) + "\n")
    summary = summarize(rel_arts, staging)
    summary["run_id"] = run_id
    summary["status"] = got["run"].get("status")
    summary["steps"] = [(s["order"], s["retry_index"], s["status"]) for s in got["steps"]]
    (staging / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    if out.exists():
        shutil.rmtree(out)
    staging.rename(out)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    rd.log(f"saved {run_id} ({summary['status']}, {len(arts)} artifacts, {size} bytes) into {out}")
    return summary


def start_server(args: argparse.Namespace, tmp: Path, keyring: bool, services: rd.Services,
                 extra_env: dict[str, str] | None = None) -> rd.Api:
    for d in ("home", "artifacts", "cwd", "llm"):
        (tmp / d).mkdir()
    api_key = rd.make_jwt(rd.ORG_ID, rd.SECRET_KEY, rd.JWT_EXP)
    py = sys.executable
    services.start("site", [py, "-m", "http.server", "--bind", "127.0.0.1", "--directory", str(HERE / "site"),
                            str(args.site_port)])
    services.start("stub_llm", [py, str(HERE / "stub_llm.py"), "--port", str(args.llm_port), "--log-dir", str(tmp / "llm")])
    env = rd.skyvern_env(args, tmp, api_key)
    env["SKYVERN_BASE_URL"] = f"http://127.0.0.1:{args.skyvern_port}"
    if keyring:
        env["ARTIFACT_CONTENT_HMAC_KEYRING"] = KEYRING
    env.update(extra_env or {})
    services.start(
        "skyvern",
        [str(args.skyvern_venv / "bin" / "python"), "-m", "uvicorn", "skyvern.forge.api_app:create_api_app",
         "--factory", "--host", "127.0.0.1", "--port", str(args.skyvern_port)],
        env=env, cwd=tmp / "cwd",
    )
    rd.wait_port(args.site_port, 15)
    rd.wait_port(args.llm_port, 15)
    api = rd.Api(f"http://127.0.0.1:{args.skyvern_port}", api_key)
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
    rd.log(f"Skyvern is up ({'with' if keyring else 'without'} the keyring)")
    return api


def record(args: argparse.Namespace, keyring: bool, names: list[str]) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="skyvern-bundled-"))
    rd.log(f"working folder {tmp}")
    services = rd.Services(tmp)
    ok = False
    try:
        api = start_server(args, tmp, keyring, services)
        for name in names:
            if name in ("task_completed", "task_completed_unbundled"):
                run_id = start_task(api, args, services, rd.TASK_PROMPT, "Order a spur gear on Acme Parts", "order")
            elif name == "task_terminated":
                run_id = start_task(api, args, services, TERMINATE_PROMPT, "Order a planetary gearbox on Acme Parts",
                                    "terminate")
            elif name == "workflow_failed":
                run_id = run_failing_workflow(api, args, services)
            else:
                run_id, _wpid = rd.run_workflow(api, args, services)  # the demo's workflow, "order" script
            save_run(api, run_id, tmp / "artifacts", args.out / name, timeline=name == "workflow_failed")
        ok = True
    finally:
        services.stop()
        if ok and not args.keep_tmp:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            rd.log(f"kept {tmp}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--skyvern-venv", type=Path, default=Path.home() / ".cache/skyvern-tui/skyvern-1.0.56-venv")
    ap.add_argument("--browsers", type=Path, help="PLAYWRIGHT_BROWSERS_PATH (default: made in a temporary folder)")
    ap.add_argument("--out", type=Path, default=rd.REPO / "tests" / "data" / "bundled")
    ap.add_argument("--only", nargs="+", choices=RUNS, help="record only these runs")
    ap.add_argument("--site-port", type=int, default=8865)
    ap.add_argument("--llm-port", type=int, default=8866)
    ap.add_argument("--skyvern-port", type=int, default=8867)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--keep-tmp", action="store_true", help="keep the temporary folders (logs, DB, prompts)")
    args = ap.parse_args()
    args.skyvern_venv = args.skyvern_venv.resolve()
    args.out = args.out.resolve()
    for port in (args.site_port, args.llm_port, args.skyvern_port):
        if not rd.port_free(port):
            rd.log(f"port {port} is in use")
            return 2
    browsers_tmp = None
    if args.browsers is None:
        browsers_tmp = Path(tempfile.mkdtemp(prefix="skyvern-browsers-"))
        args.browsers = make_browsers(browsers_tmp)
    wanted = list(args.only or RUNS)
    try:
        bundled = [n for n in RUNS if n in wanted and n not in ("task_completed_unbundled", "workflow_failed")]
        if bundled:
            record(args, True, bundled)
        if "task_completed_unbundled" in wanted:
            record(args, False, ["task_completed_unbundled"])
        if "workflow_failed" in wanted:
            # Its own server, so that the other runs' recordings stay as they were.
            record(args, True, ["workflow_failed"])
    finally:
        if browsers_tmp is not None:
            shutil.rmtree(browsers_tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

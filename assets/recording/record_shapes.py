#!/usr/bin/env python3
"""Record REAL Skyvern 1.0.56 runs of other shapes (issue 15) as test data in tests/data/shapes.

Same machinery as record_bundled.py (demo site, stub LLM, a real Skyvern server WITHOUT the bundling
keyring, Debian's Chromium, all on 127.0.0.1), one fresh server per recording, in this order:

  workflow_loop     a workflow run: a for_loop block over a list of two pages of the demo site (each
                    iteration an extraction block), then an extraction block and a code block
  task_v2           a task v2 run (engine skyvern-2.0): the observer plans one extract task, then says
                    the goal is achieved; its thoughts are observer_thought artifacts
  task_canceled     the demo's task, canceled through the API (POST /v1/runs/{id}/cancel) mid-run
  page_unreachable  a task whose url is a closed port on 127.0.0.1: the page does not load
  element_gone      a task on vanish.html, whose button removes itself when the pointer reaches it:
                    the click fails on an element that went away; the retried step finds no button
                    and the stub terminates
  browser_session   a persistent browser session (POST /v1/browser_sessions), a task run in it
                    (browser_session_id; the stub's "terminate" script: sign in, then TERMINATE),
                    then the session closed (POST /v1/browser_sessions/{id}/close)
  download          a task on downloads.html that clicks a link downloading "price list #2.csv"
                    (a space and a "#"), then COMPLETE: a `download` artifact, percent-encoded uri
  pre_submit        a task v3 run (engine skyvern-3.0, TASK_V3_PRE_SUBMIT_CAPTURE_SAMPLE_RATE=1.0): the
                    stub answers with tool calls (observe; type, type, click Sign in; finish), and the
                    frames before the submit are html_pre_submit / screenshot_pre_submit artifacts
  workflow_timed_out  a workflow with max_elapsed_time_minutes=1: an extraction block, a wait block of
                    90 s, another extraction block: the run times out

Each run is written to OUT/<name>/ as record_bundled.py writes it (run.json, artifacts.json with uris
relative to storage/, steps.json, actions.json, storage/, summary.json), plus timeline.json for
workflow runs and task v2, workflow_run.json and task_v2.json (GET /api/v2/tasks/{id}) for task v2.
summary.json also holds the counts per task/step, per block and per observer thought; README.md's
tables are written from the summaries (--readme-only rewrites it without recording).

Stdlib only. Usage (from the repository root):
  nice -n 19 python3 assets/recording/record_shapes.py [--out tests/data/shapes] [--only workflow_loop ...]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import record_bundled as rb  # noqa: E402  (the shared machinery, next to this file)
import record_demo as rd  # noqa: E402

RUNS = ("workflow_loop", "task_v2", "task_canceled", "page_unreachable", "element_gone", "workflow_timed_out",
        "browser_session", "download", "pre_submit")
V3_PROMPT = ("Sign in to Acme Parts with username 'demo' and password 'hunter2'. "
             "The goal is achieved when the part search page is shown.")
CLOSED_PORT = 8869  # nothing listens on it (checked before recording); Chromium refuses port 9 as unsafe


def site(args: argparse.Namespace, page: str = "") -> str:
    return f"http://127.0.0.1:{args.site_port}/{page}"


def start_workflow(api: rd.Api, definition: dict, title: str) -> str:
    workflow = api.post_json("/v1/agents", {"json_definition": definition})
    assert isinstance(workflow, dict)
    started = api.post_json("/v1/run/agents", {"workflow_id": workflow["workflow_permanent_id"], "parameters": {},
                                               "title": title})
    assert isinstance(started, dict)
    return str(started["run_id"])


def run_workflow_loop(api: rd.Api, args: argparse.Namespace, services: rd.Services) -> str:
    """for_loop over two pages (an extraction block each), an extraction block, a code block."""
    title = "Read two pages of Acme Parts in a loop"
    schema = {"type": "object", "properties": {"heading": {"type": "string"}, "text": {"type": "string"}}}
    definition = {
        "title": title,
        "description": "A for-loop over two pages of the demo site, an extraction and a code block.",
        "workflow_definition": {
            "parameters": [
                {"parameter_type": "workflow", "key": "pages", "workflow_parameter_type": "json",
                 "default_value": [site(args, "help.html"), site(args, "confirm.html")]},
            ],
            "blocks": [
                {
                    "block_type": "for_loop",
                    "label": "read_pages",
                    "loop_over_parameter_key": "pages",
                    "loop_blocks": [
                        {
                            "block_type": "extraction",
                            "label": "read_page",
                            "url": "{{ current_value }}",
                            "data_extraction_goal": "Extract the page's heading and its first paragraph.",
                            "data_schema": schema,
                            "engine": "skyvern-1.0",
                            "max_steps_per_run": 2,
                        }
                    ],
                },
                {
                    "block_type": "extraction",
                    "label": "read_help",
                    "url": site(args, "help.html"),
                    "data_extraction_goal": "Extract what the help page says about usernames and passwords.",
                    "data_schema": {"type": "object", "properties": {"sign_in_rule": {"type": "string"}}},
                    "engine": "skyvern-1.0",
                    "max_steps_per_run": 2,
                },
                {
                    "block_type": "code",
                    "label": "count_pages",
                    "code": "result = {'pages_read': 2, 'note': 'computed by a code block'}",
                },
            ],
        },
    }
    rd.reset_stub(args)
    run_id = start_workflow(api, definition, title)
    rd.log(f"loop workflow run {run_id} started")
    run = rd.wait_run(api, run_id, services, args.timeout)
    rd.log(f"workflow run ended: {run.get('status')} failure_reason={run.get('failure_reason')!r}")
    rd.wait_artifacts_settled(api, run_id)
    return run_id


def run_workflow_timed_out(api: rd.Api, args: argparse.Namespace, services: rd.Services) -> str:
    title = "Read the help page, wait too long, read it again"
    extraction = {"block_type": "extraction", "url": site(args, "help.html"),
                  "data_extraction_goal": "Extract what the help page says about usernames and passwords.",
                  "data_schema": {"type": "object", "properties": {"sign_in_rule": {"type": "string"}}},
                  "engine": "skyvern-1.0", "max_steps_per_run": 2}
    definition = {
        "title": title,
        "description": "A workflow that outlives its one-minute limit (max_elapsed_time_minutes=1).",
        "max_elapsed_time_minutes": 1,
        "workflow_definition": {
            "parameters": [],
            "blocks": [
                {**extraction, "label": "read_help"},
                {"block_type": "wait", "label": "wait_too_long", "wait_sec": 90},
                {**extraction, "label": "read_help_again"},
            ],
        },
    }
    rd.reset_stub(args)
    run_id = start_workflow(api, definition, title)
    rd.log(f"workflow run {run_id} started (it should time out after a minute)")
    run = rd.wait_run(api, run_id, services, args.timeout)
    rd.log(f"workflow run ended: {run.get('status')} failure_reason={run.get('failure_reason')!r}")
    rd.wait_artifacts_settled(api, run_id)
    return run_id


def run_browser_session(api: rd.Api, args: argparse.Namespace, services: rd.Services) -> tuple[str, str]:
    session = api.post_json("/v1/browser_sessions", {"timeout": 10})
    assert isinstance(session, dict)
    bs_id = str(session["browser_session_id"])
    rd.log(f"browser session {bs_id} created")
    rd.reset_stub(args, "terminate")
    started = api.post_json("/v1/run/tasks", {
        "prompt": rb.TERMINATE_PROMPT, "url": site(args), "engine": "skyvern-1.0",
        "title": "Order a planetary gearbox in a browser session", "max_steps": 4, "browser_session_id": bs_id,
    })
    assert isinstance(started, dict)
    run_id = str(started["run_id"])
    rd.log(f"task run {run_id} started in {bs_id}")
    run = rd.wait_run(api, run_id, services, args.timeout)
    rd.log(f"task run ended: {run.get('status')} failure_reason={run.get('failure_reason')!r}")
    code, body = api.request("POST", f"/v1/browser_sessions/{bs_id}/close")
    rd.log(f"close session: HTTP {code} {body[:200]!r}")
    rd.wait_artifacts_settled(api, run_id)
    return run_id, bs_id


def run_task_v2(api: rd.Api, args: argparse.Namespace, services: rd.Services) -> str:
    rd.reset_stub(args)
    started = api.post_json("/v1/run/tasks", {
        "prompt": "What does the Acme Parts help page say about usernames and passwords?",
        "url": site(args, "help.html"), "engine": "skyvern-2.0", "title": "Read Acme Parts help",
        "max_steps": 4,
    })
    assert isinstance(started, dict)
    run_id = str(started["run_id"])
    rd.log(f"task v2 run {run_id} started")
    run = rd.wait_run(api, run_id, services, args.timeout)
    rd.log(f"task v2 run ended: {run.get('status')} failure_reason={run.get('failure_reason')!r}")
    return run_id


def start_v1(api: rd.Api, args: argparse.Namespace, prompt: str, url: str, title: str, max_steps: int,
             engine: str = "skyvern-1.0") -> str:
    started = api.post_json("/v1/run/tasks", {"prompt": prompt, "url": url, "engine": engine, "title": title,
                                               "max_steps": max_steps})
    assert isinstance(started, dict)
    return str(started["run_id"])


def run_task_canceled(api: rd.Api, args: argparse.Namespace, services: rd.Services) -> str:
    """The demo's task, canceled once its first step has written its LLM prompt."""
    rd.reset_stub(args)
    run_id = start_v1(api, args, rd.TASK_PROMPT, site(args), "Order a spur gear (canceled)", 8)
    rd.log(f"task run {run_id} started; cancel it when its first prompt is written")
    end = time.time() + args.timeout
    while time.time() < end:
        services.check()
        arts = api.get_json(f"/v1/runs/{run_id}/artifacts?artifact_type=llm_response_parsed")
        if isinstance(arts, list) and arts:
            break
        time.sleep(0.3)
    code, body = api.request("POST", f"/v1/runs/{run_id}/cancel")
    rd.log(f"cancel: HTTP {code} {body[:200]!r}")
    if code not in (200, 204):
        raise RuntimeError(f"cancel failed: HTTP {code}")
    run = rd.wait_run(api, run_id, services, args.timeout)
    rd.log(f"task run ended: {run.get('status')} failure_reason={run.get('failure_reason')!r}")
    rd.wait_artifacts_settled(api, run_id)
    return run_id


def run_simple(api: rd.Api, args: argparse.Namespace, services: rd.Services, prompt: str, url: str, title: str,
               max_steps: int) -> str:
    rd.reset_stub(args)
    run_id = start_v1(api, args, prompt, url, title, max_steps)
    rd.log(f"task run {run_id} started ({url})")
    run = rd.wait_run(api, run_id, services, args.timeout)
    rd.log(f"task run ended: {run.get('status')} failure_reason={run.get('failure_reason')!r}")
    rd.wait_artifacts_settled(api, run_id)
    return run_id


def tie_counts(arts: list[dict]) -> dict:
    """Counts per type for each task/step, block and observer thought (what ties each artifact)."""
    def by(key: str) -> dict:
        groups: dict[str, Counter] = defaultdict(Counter)
        for a in arts:
            groups[str(a.get(key))][a["artifact_type"]] += 1
        return {k: dict(sorted(v.items())) for k, v in groups.items()}
    steps: dict[str, Counter] = defaultdict(Counter)
    for a in arts:
        steps[f"{a.get('task_id')}/{a.get('step_id')}"][a["artifact_type"]] += 1
    return {
        "by_task_step": {k: dict(sorted(v.items())) for k, v in steps.items()},
        "by_block": by("workflow_run_block_id"),
        "by_observer_thought": by("observer_thought_id"),
        "by_observer_cruise": by("observer_cruise_id"),
        "percent_encoded_uris": sum(1 for a in arts if "%" in a["uri"]),
    }


def blocks_of(timeline: object) -> list[dict]:
    """The timeline's blocks, depth first, with their loop parent: (label, type, status, id, parent, task)."""
    out: list[dict] = []

    def walk(items: object, parent: str | None) -> None:
        if not isinstance(items, list):
            return
        for item in items:
            if not isinstance(item, dict):
                continue
            block = item.get("block")
            inner = parent
            if isinstance(block, dict):
                inner = block.get("workflow_run_block_id")
                out.append({"label": block.get("label"), "block_type": block.get("block_type"),
                            "status": block.get("status"), "workflow_run_block_id": block.get("workflow_run_block_id"),
                            "parent": parent, "task_id": block.get("task_id"),
                            "current_index": block.get("current_index"), "current_value": block.get("current_value")})
            thought = item.get("thought")
            if isinstance(thought, dict):
                out.append({"thought": thought.get("observer_thought_id") or thought.get("thought_id"),
                            "thought_type": thought.get("observer_thought_type") or thought.get("thought_type"),
                            "parent": parent})
            walk(item.get("children"), inner)

    walk(timeline, None)
    return out


def wait_files(api: rd.Api, run_id: str, storage: Path, timeout: float = 90) -> None:
    """A listed artifact's file can appear after its row (a timed-out run's recording): wait for all."""
    end = time.time() + timeout
    while True:
        arts = api.get_json(f"/v1/runs/{run_id}/artifacts")
        assert isinstance(arts, list)
        missing = [a["artifact_id"] for a in arts
                   if not (storage / urllib.parse.unquote(rb.relative_uri(a["uri"], storage))).is_file()]
        if not missing:
            return
        if time.time() > end:
            raise RuntimeError(f"{run_id}: listed artifacts without a file after {timeout:.0f} s: {missing}")
        rd.log(f"{run_id}: waiting for the files of {missing}")
        time.sleep(3)


def save(api: rd.Api, name: str, run_id: str, storage: Path, out: Path, extra: dict[str, object]) -> None:
    listed_id = run_id
    if run_id.startswith("tsk_v2_"):
        task_v2 = api.get_json(f"/api/v2/tasks/{run_id}")
        assert isinstance(task_v2, dict)
        listed_id = str(task_v2["workflow_run_id"])
        extra["task_v2"] = task_v2
        extra["workflow_run"] = api.get_json(f"/v1/runs/{listed_id}")
        rd.wait_artifacts_settled(api, listed_id)
    timeline = None
    if not run_id.startswith("tsk_") or run_id.startswith("tsk_v2_"):
        timeline = api.get_json(f"/v1/runs/{run_id}/timeline")
    wait_files(api, listed_id, storage)
    rb.save_run(api, listed_id, storage, out)
    if timeline is not None:
        (out / "timeline.json").write_text(json.dumps(timeline, indent=2) + "\n")
    for key, value in extra.items():
        (out / f"{key}.json").write_text(json.dumps(value, indent=2) + "\n")
    if listed_id != run_id:  # task v2: run.json is the task v2 run, the listing is its workflow run's
        (out / "run.json").write_text(json.dumps(api.get_json(f"/v1/runs/{run_id}"), indent=2) + "\n")
    downloads = []
    for f in json.loads((out / "run.json").read_text()).get("downloaded_files") or []:
        # Download rows are not in GET /v1/runs/{id}/artifacts: keep each as GET /v1/artifacts/{id} gives it.
        row = api.get_json(f"/v1/artifacts/{f['artifact_id']}")
        assert isinstance(row, dict)
        rel = rb.relative_uri(row["uri"], storage)
        target = out / "storage" / urllib.parse.unquote(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(storage / urllib.parse.unquote(rel), target)
        downloads.append({**row, "uri": rel})
    if downloads:
        (out / "downloads.json").write_text(json.dumps(downloads, indent=2) + "\n")
    arts = json.loads((out / "artifacts.json").read_text())
    summary = json.loads((out / "summary.json").read_text())
    summary["downloads"] = [{"artifact_id": d["artifact_id"], "artifact_type": d["artifact_type"], "uri": d["uri"]}
                            for d in downloads]
    summary["run_id"] = run_id
    summary["listed_run_id"] = listed_id
    summary["status"] = json.loads((out / "run.json").read_text()).get("status")
    summary["failure_reason"] = json.loads((out / "run.json").read_text()).get("failure_reason")
    summary.update(tie_counts(arts))
    if timeline is not None:
        summary["timeline"] = blocks_of(timeline)
    summary["bytes"] = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    rd.log(f"{name}: {summary['status']}, {summary['artifact_count']} artifacts, {summary['bytes']} bytes")


def record_one(args: argparse.Namespace, name: str) -> None:
    tmp = Path(tempfile.mkdtemp(prefix=f"skyvern-shapes-{name}-"))
    rd.log(f"{name}: working folder {tmp}")
    services = rd.Services(tmp)
    ok = False
    try:
        # Downloads into the working folder (Skyvern's default is inside its own package).
        env = {"DOWNLOAD_PATH": str(tmp / "downloads")}
        storage = tmp / "artifacts"
        if name == "download":
            # A storage root with a space: Skyvern percent-encodes the uris of the files it manages
            # (downloads) and writes the others' uris as they are. (A "#" in it breaks 1.0.56: the
            # step files are written under "artifact store " while their uris say "artifact store #1".)
            storage = tmp / "artifact store"
            env["ARTIFACT_STORAGE_PATH"] = str(storage)
        if name == "pre_submit":  # task v3 samples a quarter of runs for pre-submit frames: take every run
            env["TASK_V3_PRE_SUBMIT_CAPTURE_SAMPLE_RATE"] = "1.0"
        api = rb.start_server(args, tmp, False, services, env)
        extra: dict[str, object] = {}  # more API answers to keep, by file name
        if name == "workflow_loop":
            run_id = run_workflow_loop(api, args, services)
        elif name == "browser_session":
            run_id, bs_id = run_browser_session(api, args, services)
            extra["browser_session"] = api.get_json(f"/v1/browser_sessions/{bs_id}")
            extra["task"] = api.get_json(f"/api/v1/tasks/{run_id}")  # names the session; /v1/runs does not
        elif name == "workflow_timed_out":
            run_id = run_workflow_timed_out(api, args, services)
        elif name == "task_v2":
            run_id = run_task_v2(api, args, services)
        elif name == "task_canceled":
            run_id = run_task_canceled(api, args, services)
        elif name == "page_unreachable":
            run_id = run_simple(api, args, services, "Open the Acme Parts shop and sign in.",
                                f"http://127.0.0.1:{CLOSED_PORT}/", "Open a page that does not load", 3)
        elif name == "pre_submit":
            rd.reset_stub(args, "v3")
            run_id = start_v1(api, args, V3_PROMPT, site(args), "Sign in with task v3 (pre-submit frames)", 4,
                              engine="skyvern-3.0")
            rd.log(f"task v3 run {run_id} started")
            run = rd.wait_run(api, run_id, services, args.timeout)
            rd.log(f"task v3 run ended: {run.get('status')} failure_reason={run.get('failure_reason')!r}")
            rd.wait_artifacts_settled(api, run_id)
        elif name == "download":
            run_id = run_simple(api, args, services, "Download the price list from the Acme Parts downloads page.",
                                site(args, "downloads.html"), "Download the price list", 3)
        else:
            run_id = run_simple(api, args, services, "Claim the special offer on the Acme Parts offer page.",
                                site(args, "vanish.html"), "Claim an offer whose button goes away", 3)
        save(api, name, run_id, storage, args.out / name, extra)
        if name == "browser_session":
            # The session's own recording (listed by GET /v1/browser_sessions/{id}, not as an artifact).
            sessions = storage / "local" / rd.ORG_ID / "browser_sessions"
            if sessions.is_dir():
                shutil.copytree(sessions, args.out / name / "storage" / "local" / rd.ORG_ID / "browser_sessions")
                summary_path = args.out / name / "summary.json"
                summary = json.loads(summary_path.read_text())
                summary["bytes"] = sum(f.stat().st_size for f in (args.out / name).rglob("*") if f.is_file())
                summary_path.write_text(json.dumps(summary, indent=2) + "\n")
        ok = True
    finally:
        services.stop()
        if ok and not args.keep_tmp:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            rd.log(f"kept {tmp}")


def fmt_counts(counts: dict) -> str:
    return ", ".join(f"{t} {n}" for t, n in counts.items())


def write_readme(out: Path) -> None:
    """README.md from the recordings' summaries: how each was made and what is in it (computed)."""
    lines = [(HERE / "shapes_readme_head.md").read_text().rstrip(), ""]
    total = 0
    for name in RUNS:
        path = out / name / "summary.json"
        if not path.is_file():
            continue
        s = json.loads(path.read_text())
        total += s["bytes"]
        lines += [f"## `{name}`", "",
                  f"Run `{s['run_id']}`" + (f" (artifacts listed under `{s['listed_run_id']}`)"
                                             if s["listed_run_id"] != s["run_id"] else "")
                  + f": status **{s['status']}**, {s['artifact_count']} artifacts, {s['bytes'] / 1e6:.2f} MB; "
                  f"{s['percent_encoded_uris']} uris percent-encoded.", ""]
        for d in s.get("downloads", []):
            lines += [f"Download `{d['artifact_id']}` ({d['artifact_type']}, not in the artifact list, in "
                      f"`downloads.json`): uri `{d['uri']}`", ""]
        if s.get("failure_reason"):
            reason = " ".join(str(s["failure_reason"]).split())[:300]
            lines += [f"failure_reason: `{reason}`", ""]
        lines += ["| task / step | artifacts by type |", "|---|---|"]
        lines += [f"| `{k}` | {fmt_counts(v)} |" for k, v in s["by_task_step"].items()]
        lines += [""]
        if any(k != "None" for k in s["by_block"]):
            lines += ["| block (workflow_run_block_id) | artifacts by type |", "|---|---|"]
            lines += [f"| `{k}` | {fmt_counts(v)} |" for k, v in s["by_block"].items()]
            lines += [""]
        if any(k != "None" for k in s["by_observer_thought"]):
            lines += ["| observer_thought_id | artifacts by type |", "|---|---|"]
            lines += [f"| `{k}` | {fmt_counts(v)} |" for k, v in s["by_observer_thought"].items()]
            lines += [""]
        if s.get("timeline"):
            lines += ["Timeline (depth first; `parent` is the enclosing block):", "",
                      "| entry | type | status | id | parent | task | loop index / value |", "|---|---|---|---|---|---|---|"]
            for e in s["timeline"]:
                if "thought" in e:
                    lines.append(f"| thought | {e['thought_type']} | | `{e['thought']}` | `{e['parent']}` | | |")
                else:
                    lines.append(f"| block `{e['label']}` | {e['block_type']} | {e['status']} | `{e['workflow_run_block_id']}` "
                                 f"| `{e['parent']}` | `{e['task_id']}` | {e['current_index']} / {e['current_value']} |")
            lines += [""]
    lines += [f"Total size of the recordings: {total / 1e6:.2f} MB.", ""]
    (out / "README.md").write_text("\n".join(lines))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--skyvern-venv", type=Path, default=Path.home() / ".cache/skyvern-tui/skyvern-1.0.56-venv")
    ap.add_argument("--browsers", type=Path, help="PLAYWRIGHT_BROWSERS_PATH (default: made in a temporary folder)")
    ap.add_argument("--out", type=Path, default=rd.REPO / "tests" / "data" / "shapes")
    ap.add_argument("--only", nargs="+", choices=RUNS, help="record only these runs")
    ap.add_argument("--readme-only", action="store_true", help="rewrite README.md from the summaries and stop")
    ap.add_argument("--site-port", type=int, default=8865)
    ap.add_argument("--llm-port", type=int, default=8866)
    ap.add_argument("--skyvern-port", type=int, default=8867)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--keep-tmp", action="store_true", help="keep the temporary folders (logs, DB, prompts)")
    args = ap.parse_args()
    args.skyvern_venv = args.skyvern_venv.resolve()
    args.out = args.out.resolve()
    if args.readme_only:
        write_readme(args.out)
        return 0
    for port in (args.site_port, args.llm_port, args.skyvern_port, CLOSED_PORT):
        if not rd.port_free(port):
            rd.log(f"port {port} is in use" + (": page_unreachable needs it closed" if port == CLOSED_PORT else ""))
            return 2
    browsers_tmp = None
    if args.browsers is None:
        browsers_tmp = Path(tempfile.mkdtemp(prefix="skyvern-browsers-"))
        args.browsers = rb.make_browsers(browsers_tmp)
    try:
        for name in [n for n in RUNS if n in (args.only or RUNS)]:
            record_one(args, name)  # a fresh server each: recordings do not depend on each other
            write_readme(args.out)
    finally:
        if browsers_tmp is not None:
            shutil.rmtree(browsers_tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

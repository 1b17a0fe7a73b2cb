"""Integration tests against a REAL Skyvern 1.0.56 server on 127.0.0.1, seeded with the demo run.

The server runs from its own venv (made once by tests/skyvern_server.py in
$SKYVERN_TUI_SERVER_VENV or ~/.cache/skyvern-tui/skyvern-1.0.56-venv: the first run
installs skyvern[server] for a minute or two) with SQLite and local storage in a
temporary folder. The demo run (assets/demo) is inserted as real rows and files, so
these tests check that the server's own endpoints give back exactly what the demo
recorded: what our API client will meet on a self-hosted server.

These tests never skip: if the server cannot be made or started, they fail and say why.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from skyvern_server import DEMO_DIR, RealServer


@pytest.fixture(scope="module")
def api(real_server: RealServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=real_server.base_url, headers=real_server.headers, timeout=60) as client:
        yield client


def _json(name: str):
    return json.loads((DEMO_DIR / name).read_text())


def _ext(uri: str) -> str:
    name = uri.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1] if "." in name and name.rsplit(".", 1)[-1] else "bin"


DEMO_RUN = _json("run.json")
DEMO_ARTIFACTS = _json("artifacts.json")
DEMO_STEPS = _json("steps.json")


def test_run_list_has_the_demo_run(api: httpx.Client, real_server: RealServer) -> None:
    r = api.get("/v1/runs", params={"page": 1, "page_size": 20})
    assert r.status_code == 200, r.text
    items = r.json()
    mine = [i for i in items if i["run_id"] == DEMO_RUN["run_id"]]
    assert len(mine) == 1, items
    item = mine[0]
    assert item["status"] == DEMO_RUN["status"] == "completed"
    assert item["title"] == DEMO_RUN["run_request"]["title"] == "Order a spur gear from Acme Parts"
    assert item["task_run_type"] == DEMO_RUN["run_type"] == "workflow_run"
    assert item["task_run_id"].startswith("tr_")
    assert item["workflow_permanent_id"] == DEMO_RUN["run_request"]["workflow_id"]
    assert item["started_at"] == DEMO_RUN["started_at"] and item["finished_at"] == DEMO_RUN["finished_at"]
    assert item["created_at"] == DEMO_RUN["created_at"]
    assert item["workflow_deleted"] is False
    # The documented filters work on the real server too.
    assert [i["run_id"] for i in api.get("/v1/runs", params={"status": "completed"}).json()] == [DEMO_RUN["run_id"]]
    assert api.get("/v1/runs", params={"status": "failed"}).json() == []
    assert [i["run_id"] for i in api.get("/v1/runs", params={"run_type": "workflow_run"}).json()] == [DEMO_RUN["run_id"]]
    assert api.get("/v1/runs", params={"status": "bogus"}).status_code == 422


def test_run_detail_matches_run_json(api: httpx.Client, real_server: RealServer) -> None:
    r = api.get(f"/v1/runs/{DEMO_RUN['run_id']}")
    assert r.status_code == 200, r.text
    run = r.json()
    for key in ("run_id", "status", "run_type", "step_count", "failure_reason", "created_at", "modified_at",
                "queued_at", "started_at", "finished_at", "errors", "attempt", "attempts", "run_with"):
        assert run[key] == DEMO_RUN[key], key
    assert run["step_count"] == 5
    assert run["run_request"]["title"] == DEMO_RUN["run_request"]["title"]
    assert run["run_request"]["workflow_id"] == DEMO_RUN["run_request"]["workflow_id"]
    assert run["app_url"].endswith("/runs/" + DEMO_RUN["run_id"])
    # The whole response is the recorded one, but with the file:// URIs under the new storage root.
    old_root = DEMO_RUN["recording_url"].split("/o_777/")[0]
    expected = json.loads(json.dumps(DEMO_RUN).replace(old_root, f"file://{real_server.storage}"))
    assert run == expected


def test_run_artifacts_are_the_demo_artifacts(api: httpx.Client, real_server: RealServer) -> None:
    r = api.get(f"/v1/runs/{DEMO_RUN['run_id']}/artifacts")
    assert r.status_code == 200, r.text
    arts = r.json()
    assert len(arts) == len(DEMO_ARTIFACTS) == 140
    assert [(a["artifact_id"], a["artifact_type"]) for a in arts] == [
        (a["artifact_id"], a["artifact_type"]) for a in DEMO_ARTIFACTS
    ]
    by_id = {a["artifact_id"]: a for a in DEMO_ARTIFACTS}
    for a in arts:
        d = by_id[a["artifact_id"]]
        for key in ("task_id", "step_id", "workflow_run_id", "workflow_run_block_id", "run_id", "organization_id",
                    "created_at", "modified_at", "file_size", "bundle_key", "checksum"):
            assert a[key] == d[key], (a["artifact_id"], key)
        path = real_server.files[a["artifact_id"]]
        # Local storage: uri and signed_url are the same file:// URL, in Skyvern's layout.
        assert a["uri"] == a["signed_url"] == f"file://{path}"
        assert d["uri"].endswith(str(path.relative_to(real_server.storage)))
    # The artifact_type filter (repeatable).
    r = api.get(f"/v1/runs/{DEMO_RUN['run_id']}/artifacts", params=[("artifact_type", "har"), ("artifact_type", "trace")])
    assert sorted(a["artifact_type"] for a in r.json()) == ["har", "trace"]
    # A task id of the run lists that task's artifacts.
    task_id = real_server.task_ids[0]
    r = api.get(f"/v1/runs/{task_id}/artifacts")
    assert r.status_code == 200
    assert Counter(a["artifact_id"] for a in r.json()) == Counter(
        a["artifact_id"] for a in DEMO_ARTIFACTS if a["task_id"] == task_id
    )


def test_every_artifact_content_is_byte_exact(api: httpx.Client) -> None:
    assert len(DEMO_ARTIFACTS) == 140
    mismatched = []
    for a in DEMO_ARTIFACTS:
        expected = (DEMO_DIR / "files" / f"{a['artifact_id']}_{a['artifact_type']}.{_ext(a['uri'])}").read_bytes()
        r = api.get(f"/v1/artifacts/{a['artifact_id']}/content")
        if r.status_code != 200 or r.content != expected:
            mismatched.append((a["artifact_id"], a["artifact_type"], r.status_code, len(r.content), len(expected)))
    assert mismatched == []


def test_artifact_content_range_and_single_artifact(api: httpx.Client) -> None:
    rec = next(a for a in DEMO_ARTIFACTS if a["artifact_type"] == "recording")
    data = (DEMO_DIR / "files" / f"{rec['artifact_id']}_recording.mp4").read_bytes()
    r = api.get(f"/v1/artifacts/{rec['artifact_id']}/content", headers={"Range": "bytes=0-99"})
    assert r.status_code == 206
    assert r.content == data[:100]
    r = api.get(f"/v1/artifacts/{rec['artifact_id']}")
    assert r.status_code == 200
    assert r.json()["artifact_id"] == rec["artifact_id"]
    assert r.json()["signed_url"].startswith("file://")


def test_steps_match_steps_json(api: httpx.Client, real_server: RealServer) -> None:
    steps = []
    for task_id in real_server.task_ids:
        r = api.get(f"/api/v1/tasks/{task_id}/steps")
        assert r.status_code == 200, r.text
        steps.extend(r.json())
    key = lambda s: (s["task_id"], s["step_id"], s["order"], s["retry_index"], s["status"], s.get("is_last"))  # noqa: E731
    assert [key(s) for s in steps] == [key(s) for s in DEMO_STEPS]
    assert [(s["order"], s["retry_index"], s["status"]) for s in steps] == [
        (0, 0, "completed"), (1, 0, "failed"), (1, 1, "completed"), (2, 0, "completed"), (3, 0, "canceled"),
    ]
    assert steps == DEMO_STEPS  # every field, output included


def test_no_key_is_403(real_server: RealServer) -> None:
    with httpx.Client(base_url=real_server.base_url, timeout=30) as anon:
        for path in ("/v1/runs", f"/v1/runs/{DEMO_RUN['run_id']}", f"/v1/artifacts/{DEMO_ARTIFACTS[0]['artifact_id']}/content"):
            r = anon.get(path)
            assert r.status_code == 403, (path, r.status_code)
        assert anon.get("/v1/runs").json() == {"detail": "Invalid credentials"}
        # The key as a bearer token is refused.
        r = anon.get("/v1/runs", headers={"Authorization": f"Bearer {real_server.api_key}"})
        assert (r.status_code, r.json()) == (403, {"detail": "Invalid authentication method"})
        # A wrong key (bad signature) too.
        r = anon.get("/v1/runs", headers={"x-api-key": real_server.api_key[:-4] + "AAAA"})
        assert (r.status_code, r.json()) == (403, {"detail": "Could not validate credentials"})


def test_unknown_ids_are_404(api: httpx.Client) -> None:
    assert api.get("/v1/runs/wr_1").status_code == 404
    assert api.get("/v1/runs/tsk_1").status_code == 404
    assert api.get("/v1/artifacts/a_1/content").status_code == 404
    assert api.get("/v1/artifacts/a_1").status_code == 404
    # Lists of unknown ids are empty, not 404.
    assert api.get("/v1/runs/wr_1/artifacts").json() == []
    assert api.get("/api/v1/tasks/tsk_1/steps").json() == []

"""The recordings of tests/data/shapes, seeded into ONE real Skyvern 1.0.56 server
(tests/seed_shapes.py), are served back by the server's own endpoints as recorded: every
endpoint of each recording, field by field.

Only the storage root differs (the recording's server had its own temporary folder): every
string is compared with the root, in either spelling (raw or percent-encoded), replaced by a
placeholder that keeps the spelling, so a raw uri never matches an encoded one.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from seed_shapes import SHAPES, SHAPES_DIR, load
from server_fixtures import shapes_server  # noqa: F401  (the module's server)
from skyvern_server import RealServer, _replace_strings

Seeded = tuple[RealServer, dict[str, dict]]


def shapes_with(name: str) -> list[str]:
    return [s for s in SHAPES if (SHAPES_DIR / s / name).is_file()]


@pytest.fixture(scope="module")
def api(shapes_server: Seeded) -> Iterator[httpx.Client]:  # noqa: F811
    server, _ = shapes_server
    with httpx.Client(base_url=server.base_url, headers=server.headers, timeout=60) as client:
        yield client


def get(api: httpx.Client, path: str) -> Any:
    response = api.get(path)
    assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text[:300]}"
    return response.json()


def normalized(value: Any, *roots: str) -> Any:
    """VALUE with each storage root replaced: ROOT where raw, QROOT where percent-encoded."""
    for root in roots:
        quoted = urllib.parse.quote(root)
        if quoted != root:
            value = _replace_strings(value, f"file://{quoted}/", "file://QROOT/")
        value = _replace_strings(value, f"file://{root}/", "file://ROOT/")
    return value


def recorded(shape: str, name: str, seeded: dict) -> Any:
    return normalized(load(SHAPES_DIR / shape, name), seeded["recorded_root"])


def served(value: Any, seeded: dict) -> Any:
    return normalized(value, str(seeded["storage"]))


def full_uris(rows: list[dict]) -> list[dict]:
    """Recorded artifact rows with their full uri: the recorder cut the storage root off each
    uri (README), and on local storage the served signed_url is the uri, root and spelling
    included; the root's spelling is taken from it, the rest is the recorded uri."""
    out = []
    for a in rows:
        assert a["signed_url"].endswith("/" + a["uri"]), a["artifact_id"]
        out.append({**a, "uri": a["signed_url"][: -len(a["uri"])] + a["uri"]})
    return out


def assert_same(got: Any, want: Any, where: str = "") -> None:
    """Field by field, naming the first path that differs."""
    if isinstance(want, dict) and isinstance(got, dict):
        assert sorted(got) == sorted(want), f"{where}: keys {sorted(set(got) ^ set(want))} differ"
        for key in want:
            assert_same(got[key], want[key], f"{where}.{key}")
    elif isinstance(want, list) and isinstance(got, list):
        assert len(got) == len(want), f"{where}: {len(got)} items served, {len(want)} recorded"
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_same(g, w, f"{where}[{i}]")
    else:
        assert got == want, f"{where}: served {got!r}, recorded {want!r}"


# -- the runs -------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
def test_run(api: httpx.Client, shapes_server: Seeded, shape: str) -> None:  # noqa: F811
    seeded = shapes_server[1][shape]
    assert_same(served(get(api, f"/v1/runs/{seeded['run_id']}"), seeded), recorded(shape, "run.json", seeded))


def test_run_list(api: httpx.Client, shapes_server: Seeded) -> None:  # noqa: F811
    """The run list (not recorded) holds each shape's run once, as its run.json names it (a task
    v2 by its tsk_v2_, not its wr_)."""
    items = get(api, "/v1/runs?page=1&page_size=50")
    got = {i["run_id"]: (i["task_run_type"], i["status"]) for i in items}
    want = {}
    for shape in SHAPES:
        run = load(SHAPES_DIR / shape, "run.json")
        want[run["run_id"]] = (run["run_type"], run["status"])
    assert len(items) == len(SHAPES) and got == want


@pytest.mark.parametrize("shape", SHAPES)
def test_artifact_list(api: httpx.Client, shapes_server: Seeded, shape: str) -> None:  # noqa: F811
    seeded = shapes_server[1][shape]
    holder = seeded["workflow_run_id"] or seeded["run_id"]  # task v2: listed under its wr_
    want = normalized(full_uris(load(SHAPES_DIR / shape, "artifacts.json")), seeded["recorded_root"])
    assert_same(served(get(api, f"/v1/runs/{holder}/artifacts"), seeded), want)


@pytest.mark.parametrize("shape", shapes_with("timeline.json"))
def test_timeline(api: httpx.Client, shapes_server: Seeded, shape: str) -> None:  # noqa: F811
    seeded = shapes_server[1][shape]
    got = served(get(api, f"/v1/runs/{seeded['run_id']}/timeline"), seeded)
    assert_same(got, recorded(shape, "timeline.json", seeded))


@pytest.mark.parametrize("what", ["steps", "actions"])
@pytest.mark.parametrize("shape", SHAPES)
def test_steps_and_actions(api: httpx.Client, shapes_server: Seeded, shape: str, what: str) -> None:  # noqa: F811
    seeded = shapes_server[1][shape]
    got: list[dict] = []
    for task_id in seeded["task_ids"]:  # the recording concatenates them task by task
        got += get(api, f"/api/v1/tasks/{task_id}/{what}")
    want = recorded(shape, f"{what}.json", seeded)
    assert seeded["task_ids"], f"{shape}: no task asked"  # page_unreachable has no action: [] is its answer
    assert_same(served(got, seeded), want)


# -- what only some shapes have ------------------------------------------------------------


def test_task_v2(api: httpx.Client, shapes_server: Seeded) -> None:  # noqa: F811
    seeded = shapes_server[1]["task_v2"]
    assert_same(served(get(api, f"/api/v2/tasks/{seeded['run_id']}"), seeded), recorded("task_v2", "task_v2.json", seeded))


def test_task_v2_workflow_run(api: httpx.Client, shapes_server: Seeded) -> None:  # noqa: F811
    """GET /v1/runs/{wr_} answers the task v2 run. The one field normalized: the recorder asked
    for it while the recording row still named the .webm Playwright wrote; Skyvern then
    transcoded it and moved the row to the .mp4 (run.json and artifacts.json, recorded after,
    have it), and one row cannot hold both."""
    seeded = shapes_server[1]["task_v2"]
    want = recorded("task_v2", "workflow_run.json", seeded)
    assert want["recording_url"].endswith(".webm")
    want["recording_url"] = want["recording_url"].removesuffix(".webm") + ".mp4"
    rows = full_uris(load(SHAPES_DIR / "task_v2", "artifacts.json"))
    mp4 = normalized([a["uri"] for a in rows if a["artifact_type"] == "recording"], seeded["recorded_root"])
    assert mp4 == [want["recording_url"]]
    assert_same(served(get(api, f"/v1/runs/{seeded['workflow_run_id']}"), seeded), want)


def test_browser_session_task_and_session(api: httpx.Client, shapes_server: Seeded) -> None:  # noqa: F811
    seeded = shapes_server[1]["browser_session"]
    task = served(get(api, f"/api/v1/tasks/{seeded['run_id']}"), seeded)
    assert_same(task, recorded("browser_session", "task.json", seeded))
    assert task["browser_session_id"] == seeded["browser_session_id"]
    session = served(get(api, f"/v1/browser_sessions/{seeded['browser_session_id']}"), seeded)
    assert_same(session, recorded("browser_session", "browser_session.json", seeded))


def test_browser_session_video_is_served_from_storage(shapes_server: Seeded) -> None:  # noqa: F811
    """The session's own video (no artifact row) is the recorded file, where its url says."""
    seeded = shapes_server[1]["browser_session"]
    [rec] = load(SHAPES_DIR / "browser_session", "browser_session.json")["recordings"]
    rel = urllib.parse.unquote(rec["url"].removeprefix("file://")).removeprefix(seeded["recorded_root"] + "/")
    assert (seeded["storage"] / rel).read_bytes() == (SHAPES_DIR / "browser_session" / "storage" / rel).read_bytes()


def test_downloads(api: httpx.Client, shapes_server: Seeded) -> None:  # noqa: F811
    seeded = shapes_server[1]["download"]
    rows = load(SHAPES_DIR / "download", "downloads.json")
    assert rows and seeded["download_ids"] == [a["artifact_id"] for a in rows]
    for want in normalized(full_uris(rows), seeded["recorded_root"]):
        assert want["uri"].startswith("file://QROOT/"), "the recorded download uri is percent-encoded"
        assert_same(served(get(api, f"/v1/artifacts/{want['artifact_id']}"), seeded), want)
    # As recorded: the run's artifact list does not hold the download rows.
    listed = {a["artifact_id"] for a in get(api, f"/v1/runs/{seeded['run_id']}/artifacts")}
    assert listed == set(seeded["artifact_ids"])
    assert not listed & set(seeded["download_ids"])


def test_storage_root_has_a_space(shapes_server: Seeded) -> None:  # noqa: F811
    """The download shape was recorded under a root with a space; the server's has one too."""
    seeded = shapes_server[1]["download"]
    assert " " in seeded["recorded_root"] and " " in str(seeded["storage"])


def test_ids_are_distinct_across_shapes(shapes_server: Seeded) -> None:  # noqa: F811
    seen: dict[str, str] = {}
    for shape, seeded in shapes_server[1].items():
        for key in ("task_ids", "step_ids", "artifact_ids", "download_ids", "workflow_run_block_ids", "thought_ids"):
            for ident in seeded[key]:
                assert seen.setdefault(ident, shape) == shape, f"{ident} in {seen[ident]} and {shape}"


# -- content ----------------------------------------------------------------------------------


def recorded_file(shape: str, row: dict) -> Path:
    """The recorded file of an artifact row (uri relative to storage/, percent-encoded where the
    server wrote it so)."""
    return SHAPES_DIR / shape / "storage" / urllib.parse.unquote(row["uri"])


@pytest.mark.parametrize("shape", SHAPES)
def test_content(api: httpx.Client, shapes_server: Seeded, shape: str) -> None:  # noqa: F811
    """What tui/core/content.py reads: GET /v1/artifacts/{id}/content, and the local file the
    served signed_url names; both are the recorded bytes, for every listed artifact and download."""
    seeded = shapes_server[1][shape]
    rows = load(SHAPES_DIR / shape, "artifacts.json") + (load(SHAPES_DIR / shape, "downloads.json") or [])
    for row in rows:
        want = recorded_file(shape, row).read_bytes()
        response = api.get(f"/v1/artifacts/{row['artifact_id']}/content")
        assert response.status_code == 200, f"{row['artifact_id']}: {response.status_code}"
        assert response.content == want, f"{row['artifact_id']} ({row['artifact_type']}): content differs"
        signed = get(api, f"/v1/artifacts/{row['artifact_id']}")["signed_url"]
        assert served(signed, seeded).startswith(("file://ROOT/", "file://QROOT/")), signed
        assert Path(urllib.parse.unquote(signed.removeprefix("file://"))).read_bytes() == want

"""Smoke tests of the REAL bundled Skyvern runs in tests/data/bundled and of the harness that serves them.

The data half checks that each recorded run is complete and self-consistent (every listed artifact
has its file in storage/, every member row names a member of the ZIP its uri points at, archives
and member rows match one to one), and that the unbundled recording of the same task has the same
artifacts as the bundled one. The server half seeds the bundled runs into a REAL Skyvern 1.0.56
server started with ARTIFACT_CONTENT_HMAC_KEYRING (tests/skyvern_server.py) and checks what its
endpoints give back for member rows.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from skyvern_server import RealServer
from server_fixtures import seeded_bundled

BUNDLED = Path(__file__).resolve().parent / "data" / "bundled"
BUNDLED_RUNS = ("task_completed", "task_terminated", "workflow_run")
ALL_RUNS = (*BUNDLED_RUNS, "task_completed_unbundled")
ARCHIVES = ("step_archive", "task_archive")
# A member name: the file Skyvern's bundler writes, `_N` being the LLM call's index in the step.
MEMBER_RE = re.compile(r"^[a-z_]+(_\d+)?\.(png|txt|json|html|har|log)$")


def load(name: str) -> tuple[dict, list[dict], list[dict]]:
    folder = BUNDLED / name

    def part(what: str) -> Any:
        return json.loads((folder / f"{what}.json").read_text())

    return part("run"), part("artifacts"), part("steps")


def stored(name: str, a: dict) -> Path:
    return BUNDLED / name / "storage" / urllib.parse.unquote(a["uri"])


def flat_types(arts: list[dict]) -> Counter[str]:
    """What a reader shows: every row but the archives themselves."""
    return Counter(a["artifact_type"] for a in arts if a["artifact_type"] not in ARCHIVES)


@pytest.mark.parametrize("name", ALL_RUNS)
def test_every_listed_artifact_has_its_file(name: str) -> None:
    run, arts, steps = load(name)
    assert arts and steps
    assert all(not a["uri"].startswith(("/", "file:")) for a in arts), "uris are relative to storage/"
    missing = [a["artifact_id"] for a in arts if not stored(name, a).is_file()]
    assert missing == []
    # Flat rows carry the size the server wrote (the logs keep growing after the row is made);
    # archive rows, like their members, have none.
    for a in arts:
        if not a.get("bundle_key") and a["artifact_type"] in ("recording", "screenshot_final"):
            assert a["file_size"] == stored(name, a).stat().st_size, a["artifact_id"]
        if a["artifact_type"] in ARCHIVES:
            assert a["file_size"] is None and a["checksum"] is None, a["artifact_id"]


@pytest.mark.parametrize("name", BUNDLED_RUNS)
def test_member_rows_name_members_of_their_archive(name: str) -> None:
    _run, arts, steps = load(name)
    archives = {a["uri"]: a for a in arts if a["artifact_type"] in ARCHIVES}
    members = [a for a in arts if a.get("bundle_key")]
    assert archives and members
    by_archive: dict[str, list[str]] = {uri: [] for uri in archives}
    for m in members:
        parent = archives.get(m["uri"])
        assert parent is not None, f"{m['artifact_id']}: its uri is no archive row"
        assert m["file_size"] is None and m["checksum"] is None
        assert m["step_id"] == parent["step_id"] and m["task_id"] == parent["task_id"]
        assert m["artifact_type"] not in ARCHIVES and MEMBER_RE.match(m["bundle_key"]), m["bundle_key"]
        by_archive[m["uri"]].append(m["bundle_key"])
    for uri, keys in by_archive.items():
        with zipfile.ZipFile(stored(name, archives[uri])) as z:
            names = z.namelist()
            assert z.testzip() is None
        # One row per member, no member without a row and no row without a member.
        assert sorted(keys) == sorted(names), uri
    # One step_archive per step that made artifacts, one task_archive per task with HAR and console log.
    task_archives = [a for a in archives.values() if a["artifact_type"] == "task_archive"]
    assert len(task_archives) == len({s["task_id"] for s in steps})
    for t in task_archives:
        keys = sorted(m["bundle_key"] for m in members if m["uri"] == t["uri"])
        assert keys == ["browser_console.log", "har.har"]
    step_archive_steps = [a["step_id"] for a in archives.values() if a["artifact_type"] == "step_archive"]
    assert len(step_archive_steps) == len(set(step_archive_steps))
    assert set(step_archive_steps) <= {s["step_id"] for s in steps}


@pytest.mark.parametrize("name", BUNDLED_RUNS)
def test_what_stays_flat(name: str) -> None:
    _run, arts, _steps = load(name)
    flat = {a["artifact_type"] for a in arts if not a.get("bundle_key") and a["artifact_type"] not in ARCHIVES}
    bundled = {a["artifact_type"] for a in arts if a.get("bundle_key")}
    assert {"recording", "skyvern_log", "skyvern_log_raw", "screenshot_final"} & flat == {
        "recording", "skyvern_log", "skyvern_log_raw", "screenshot_final"
    } & (flat | bundled)
    assert {"har", "browser_console_log", "llm_prompt", "visible_elements_tree", "screenshot_llm"} <= bundled
    # A type is either bundled or flat within a step; a workflow block's own screenshot_llm (no step) is flat.
    step_flat = {
        a["artifact_type"] for a in arts if a.get("step_id") and not a.get("bundle_key") and a["artifact_type"] not in ARCHIVES
    }
    assert not step_flat & bundled


def test_the_runs_are_what_the_readme_says() -> None:
    statuses = {name: load(name)[0]["status"] for name in ALL_RUNS}
    assert statuses == {
        "task_completed": "completed",
        "task_terminated": "terminated",
        "workflow_run": "completed",
        "task_completed_unbundled": "completed",
    }
    assert load("workflow_run")[0]["run_id"].startswith("wr_")
    assert load("task_terminated")[0]["failure_reason"]
    # The unbundled recording has no archive and no member row.
    _run, arts, _steps = load("task_completed_unbundled")
    assert not [a for a in arts if a.get("bundle_key") or a["artifact_type"] in ARCHIVES]


def test_bundled_and_unbundled_have_the_same_artifacts() -> None:
    """Same task, same stub script, one server with the keyring and one without."""
    _r1, bundled, steps1 = load("task_completed")
    _r2, flat, steps2 = load("task_completed_unbundled")
    assert [(s["order"], s["retry_index"], s["status"]) for s in steps1] == [
        (s["order"], s["retry_index"], s["status"]) for s in steps2
    ]
    assert flat_types(bundled) == flat_types(flat)


# The prompt's "current time" line (Skyvern renders the time the prompt was made, in its own zone).
PROMPT_TIME_RE = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+[-+]\d\d:\d\d")
# Bytes that depend on the clock (or, for the video, on the encoder) in any two recordings.
CLOCK_TYPES = {"skyvern_log", "skyvern_log_raw", "recording", "har", "browser_console_log"}


def content(name: str, a: dict) -> bytes:
    """An artifact's bytes: its file, or its member of the archive its uri points at."""
    if a.get("bundle_key"):
        with zipfile.ZipFile(stored(name, a)) as z:
            return z.read(a["bundle_key"])
    return stored(name, a).read_bytes()


def by_step_and_type(name: str) -> dict[tuple[object, str], Counter[bytes]]:
    """(step order and retry, type) -> the multiset of its artifacts' bytes, prompt times masked."""
    _run, arts, steps = load(name)
    step_key = {s["step_id"]: (s["order"], s["retry_index"]) for s in steps}
    groups: dict[tuple[object, str], Counter[bytes]] = {}
    for a in arts:
        if a["artifact_type"] in ARCHIVES:
            continue
        data = content(name, a)
        if a["artifact_type"] in ("llm_prompt", "llm_request"):
            data = PROMPT_TIME_RE.sub(b"<time>", data)
        groups.setdefault((step_key.get(a["step_id"]), a["artifact_type"]), Counter())[data] += 1
    return groups


def test_bundled_members_have_the_bytes_of_the_unbundled_files() -> None:
    """Members read out of the ZIPs are the very files the unbundled server wrote, step by step and type
    by type, except where the clock shows: the prompts' current time, logs, HAR and console times, video."""
    bundled, flat = by_step_and_type("task_completed"), by_step_and_type("task_completed_unbundled")
    assert set(bundled) == set(flat)
    same = {k for k in bundled if k[1] not in CLOCK_TYPES}
    assert len(same) > 40
    assert {k: bundled[k] for k in same} == {k: flat[k] for k in same}
    assert any(b"<time>" in data for k in same if k[1] == "llm_prompt" for data in bundled[k])
    # The console log differs only in its line times; the HAR has the same requests in the same order
    # (a status can be 304 instead of 200: the browser's cache).
    (console_b,) = next(v for k, v in bundled.items() if k[1] == "browser_console_log")
    (console_f,) = next(v for k, v in flat.items() if k[1] == "browser_console_log")
    line_time = re.compile(rb"^\S+?Z\[", re.M)
    assert console_b != console_f and line_time.sub(b"[", console_b) == line_time.sub(b"[", console_f)
    (har_b,) = next(v for k, v in bundled.items() if k[1] == "har")
    (har_f,) = next(v for k, v in flat.items() if k[1] == "har")
    urls_b, urls_f = ([(e["request"]["method"], e["request"]["url"]) for e in json.loads(h)["log"]["entries"]]
                      for h in (har_b, har_f))
    assert urls_b == urls_f and urls_b


# ---------------------------------------------------------------------------------------------
# The harness: a real server with the keyring, seeded with the bundled runs
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled_server(request: pytest.FixtureRequest) -> Iterator[tuple[RealServer, dict[str, dict]]]:
    yield from seeded_bundled(request, BUNDLED_RUNS)


@pytest.fixture(scope="module")
def api(bundled_server: tuple[RealServer, dict[str, dict]]) -> Iterator[httpx.Client]:
    server, _seeded = bundled_server
    with httpx.Client(base_url=server.base_url, headers=server.headers, timeout=60) as client:
        yield client


@pytest.mark.parametrize("name", BUNDLED_RUNS)
def test_seeded_server_lists_the_members_with_bundle_key(api: httpx.Client, name: str) -> None:
    run, arts, _steps = load(name)
    r = api.get(f"/v1/runs/{run['run_id']}/artifacts")
    assert r.status_code == 200, r.text
    listed = r.json()
    assert [a["artifact_id"] for a in listed] == [a["artifact_id"] for a in arts]
    assert [a["bundle_key"] for a in listed] == [a["bundle_key"] for a in arts]
    assert sum(1 for a in listed if a["bundle_key"]) > 0
    # With the keyring, every signed_url is the server's own signed content URL.
    server_run = api.get(f"/v1/runs/{run['run_id']}")
    assert server_run.status_code == 200 and server_run.json()["status"] == run["status"]
    for a in listed:
        assert re.fullmatch(
            re.escape(f"{api.base_url}/v1/artifacts/{a['artifact_id']}/content") + r"\?expiry=\d+&kid=k1&sig=[\w-]{43}",
            a["signed_url"],
        ), a["signed_url"]


def test_content_of_a_member_row_is_its_parent_zip(
    api: httpx.Client, bundled_server: tuple[RealServer, dict[str, dict]]
) -> None:
    """Local storage: the server answers a member row with the whole parent ZIP, not the member."""
    _server, seeded = bundled_server
    _run, arts, _steps = load("task_completed")
    member = next(a for a in arts if a.get("bundle_key") == "element_tree.json")
    archive = stored("task_completed", member)
    r = api.get(f"/v1/artifacts/{member['artifact_id']}/content")
    assert r.status_code == 200, r.text
    assert r.content == archive.read_bytes() and r.content[:2] == b"PK"
    with zipfile.ZipFile(archive) as z:
        assert r.content != z.read("element_tree.json")
    # A flat row is its own file.
    flat = next(a for a in arts if a["artifact_type"] == "screenshot_final")
    r = api.get(f"/v1/artifacts/{flat['artifact_id']}/content")
    assert r.status_code == 200 and r.content == stored("task_completed", flat).read_bytes()
    assert seeded["task_completed"]["files"][member["artifact_id"]].read_bytes() == archive.read_bytes()


def test_signed_url_needs_no_key(api: httpx.Client) -> None:
    _run, arts, _steps = load("task_completed")
    member = next(a for a in arts if a.get("bundle_key") == "har.har")
    fresh = api.get(f"/v1/artifacts/{member['artifact_id']}")
    assert fresh.status_code == 200, fresh.text
    url = fresh.json()["signed_url"]
    r = httpx.get(url, timeout=60)  # no x-api-key
    assert r.status_code == 200, r.text
    assert r.content == stored("task_completed", member).read_bytes()
    tampered = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
    assert httpx.get(tampered, timeout=60).status_code in (401, 403)

"""Every recorded run shape (tests/data/shapes) through ApiSource, on ONE real Skyvern 1.0.56
server seeded with all of them: the artifacts (downloads included), the steps of every task,
the timeline, the browser session and every artifact's bytes are what the recording says.

The expected values are read from the recordings (what the real server served when the runs
were made), never from the code under test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

from server_fixtures import shapes_server  # noqa: F401  (one real server, every shape seeded)
from tui.core.model import Artifact, RunDetail
from tui.core.errors import ApiUnavailable
from test_bundled_real import CountingTransport  # a real transport that notes every request's path
from tui.core.sources.api import ApiSettings, ApiSource

SHAPES = Path(__file__).resolve().parent / "data" / "shapes"
NAMES = sorted(p.name for p in SHAPES.iterdir() if (p / "run.json").is_file())
# What ties an artifact to its run, task, step, block and observer thought.
ROW_KEYS = ("artifact_id", "artifact_type", "run_id", "task_id", "step_id", "workflow_run_block_id",
            "observer_cruise_id", "observer_thought_id")
STEP_KEYS = ("task_id", "step_id", "status", "order", "retry_index")


def recorded(name: str, file: str) -> Any:
    path = SHAPES / name / file
    return json.loads(path.read_text()) if path.is_file() else None


def recorded_rows(name: str) -> list[dict[str, Any]]:
    """The run's artifact rows as served: the artifact list, then its downloads' rows."""
    return recorded(name, "artifacts.json") + (recorded(name, "downloads.json") or [])


def run_id_of(name: str) -> str:
    return recorded(name, "run.json")["run_id"]


def expected_rows(name: str) -> set[tuple]:
    return {tuple(row.get(k) for k in ROW_KEYS) for row in recorded_rows(name)}


def rows_of(detail: RunDetail) -> set[tuple]:
    return {tuple(getattr(a, k) for k in ROW_KEYS) for a in detail.artifacts}


def expected_steps(name: str) -> set[tuple]:
    return {tuple(s.get(k) for k in STEP_KEYS) for s in recorded(name, "steps.json")}


def steps_of(detail: RunDetail) -> set[tuple]:
    return {(s.task_id, s.step_id, s.status, s.order, s.retry_index) for s in detail.steps}


def expected_browser_session(name: str) -> str | None:
    task = recorded(name, "task.json")
    return task.get("browser_session_id") if task else None


def flat_timeline(entries: Any) -> list[tuple]:
    """Depth first, in the order served: what each entry is, what encloses it, its task and
    loop index; a thought's id and type."""
    out: list[tuple] = []

    def walk(items: Any, parent: str | None) -> None:
        for entry in items or []:
            block = entry.get("block") or {}
            thought = entry.get("thought") or {}
            ident = block.get("workflow_run_block_id") or thought.get("thought_id")
            out.append((entry.get("type"), ident, parent, block.get("parent_workflow_run_block_id"),
                        block.get("task_id"), block.get("block_type"), block.get("status"),
                        block.get("current_index"), thought.get("thought_type")))
            walk(entry.get("children"), ident)

    walk(entries, None)
    return out


def recorded_file(name: str, artifact_id: str) -> Path:
    """The file the recording kept for an artifact (its uri is relative to storage/; a
    download's is still percent-encoded)."""
    row = next(r for r in recorded_rows(name) if r["artifact_id"] == artifact_id)
    return SHAPES / name / "storage" / unquote(row["uri"])


def check_detail(name: str, detail: RunDetail) -> None:
    """The RunDetail of a shape is the recording's, field by field that ties it together."""
    assert detail.run.run_id == run_id_of(name)
    assert detail.run.status == recorded(name, "run.json")["status"]
    assert rows_of(detail) == expected_rows(name)
    assert len(detail.artifacts) == len(recorded_rows(name))
    assert steps_of(detail) == expected_steps(name)
    assert {a["action_id"] for a in detail.actions} == {a["action_id"] for a in recorded(name, "actions.json")}
    assert flat_timeline(detail.timeline) == flat_timeline(recorded(name, "timeline.json") or [])
    assert detail.run.browser_session_id == expected_browser_session(name)


def check_bytes(name: str, detail: RunDetail, read: Any) -> None:
    wrong = [a.artifact_id for a in detail.artifacts if read(a) != recorded_file(name, a.artifact_id).read_bytes()]
    assert wrong == []


# -- the recordings say what is being tested (so a test below can fail) ----------------------

def test_the_recordings_hold_every_shape_the_brief_names() -> None:
    assert NAMES == ["browser_session", "download", "element_gone", "page_unreachable", "pre_submit",
                     "task_canceled", "task_v2", "workflow_loop", "workflow_timed_out"]
    assert run_id_of("task_v2").startswith("tsk_v2_")
    assert {r["artifact_type"] for r in recorded("download", "downloads.json")} == {"download"}
    assert expected_browser_session("browser_session").startswith("pbs_")
    # The thoughts are in the task v2's timeline, loop iterations in the loop's.
    assert {e[0] for e in flat_timeline(recorded("task_v2", "timeline.json"))} == {"thought", "block"}
    assert any(e[2] is not None for e in flat_timeline(recorded("workflow_loop", "timeline.json")))


# -- the real server -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(shapes_server):  # noqa: F811
    real, seeded = shapes_server
    # The server serves the recordings under their own ids, from a storage root with a space.
    assert {name: seeded[name]["run_id"] for name in NAMES} == {name: run_id_of(name) for name in NAMES}
    assert " " in Path(real.storage).name
    return real


@pytest.fixture(scope="module")
def api(server) -> Iterator[ApiSource]:
    # local_files=False: every byte through the server (GET /v1/artifacts/{id}/content).
    settings = ApiSettings(base_url=server.base_url, api_key=server.api_key, local_files=False)
    with ApiSource(settings) as source:
        yield source


@pytest.fixture(scope="module")
def on_disk_transport() -> CountingTransport:
    return CountingTransport()


@pytest.fixture(scope="module")
def api_on_disk(server, on_disk_transport: CountingTransport) -> Iterator[ApiSource]:
    # A loopback server's file:// uris read from its storage folder (percent-encoded or not).
    settings = ApiSettings(base_url=server.base_url, api_key=server.api_key, artifact_roots=(Path(server.storage),))
    with ApiSource(settings, transport=on_disk_transport) as source:
        yield source


@pytest.fixture(scope="module")
def details(api: ApiSource) -> dict[str, RunDetail]:
    return {name: api.load_run(run_id_of(name)) for name in NAMES}


@pytest.mark.parametrize("name", NAMES)
def test_load_run_gives_the_recorded_run(name: str, details: dict[str, RunDetail]) -> None:
    check_detail(name, details[name])


@pytest.mark.parametrize("name", NAMES)
def test_every_artifact_reads_its_recorded_bytes_through_the_server(name: str, details, api: ApiSource) -> None:
    check_bytes(name, details[name], api.read_bytes)


@pytest.mark.parametrize("name", NAMES)
def test_every_artifact_reads_its_recorded_bytes_from_the_servers_disk(
    name: str, api_on_disk: ApiSource, on_disk_transport: CountingTransport
) -> None:
    detail = api_on_disk.load_run(run_id_of(name))
    on_disk_transport.paths.clear()
    check_bytes(name, detail, api_on_disk.read_bytes)
    assert on_disk_transport.paths == []  # from the file:// uris, none through the server


def test_the_task_v2_keeps_its_own_run_and_its_workflow_runs_content(details: dict[str, RunDetail]) -> None:
    detail = details["task_v2"]
    workflow_run = recorded("task_v2", "task_v2.json")["workflow_run_id"]
    assert detail.run.run_type == "task_v2" and detail.run.run_id.startswith("tsk_v2_")
    assert {a.workflow_run_id for a in detail.artifacts} == {workflow_run}
    thoughts = {a.observer_thought_id for a in detail.artifacts} - {None}
    assert thoughts == {e[1] for e in flat_timeline(detail.timeline) if e[0] == "thought"}
    assert len(thoughts) == 4


def test_the_loops_iterations_and_code_block_have_their_steps(details: dict[str, RunDetail]) -> None:
    detail = details["workflow_loop"]
    block_tasks = {e[4] for e in flat_timeline(recorded("workflow_loop", "timeline.json"))} - {None}
    assert len(block_tasks) == 4  # two iterations, an extraction, a code block
    assert block_tasks <= {s.task_id for s in detail.steps}


def test_the_download_is_a_row_of_the_run_with_a_percent_encoded_uri(
    details, api_on_disk: ApiSource, on_disk_transport: CountingTransport
) -> None:
    detail = details["download"]
    (download,) = [a for a in detail.artifacts if a.artifact_type == "download"]
    assert download.artifact_id == recorded("download", "run.json")["downloaded_files"][0]["artifact_id"]
    assert download.run_id == run_id_of("download")
    # The encoding the server gives is kept; reading it from disk undoes it.
    assert download.uri is not None and "%20" in download.uri
    others = [a for a in detail.artifacts if a is not download]
    assert all(" " in (a.uri or "") for a in others)
    on_disk = Artifact.from_api(dict(download.raw))
    on_disk_transport.paths.clear()
    assert api_on_disk.read_bytes(on_disk) == recorded_file("download", download.artifact_id).read_bytes()
    assert on_disk_transport.paths == []


@pytest.mark.parametrize("name", NAMES)
def test_the_server_lists_every_shape(name: str, api: ApiSource) -> None:
    runs = {r.run_id: r for r in api.list_runs_page(page_size=50)}
    run = recorded(name, "run.json")
    assert runs[run["run_id"]].status == run["status"]
    assert runs[run["run_id"]].run_type == run["run_type"]


@pytest.mark.parametrize("name", ["workflow_loop", "task_v2", "workflow_timed_out"])
def test_the_steps_of_every_task_come_even_when_the_artifacts_are_filtered(name: str, api: ApiSource) -> None:
    # Only the HAR's task has a listed artifact: the others are known by the timeline's blocks.
    detail = api.load_run(run_id_of(name), artifact_types=("har",))
    assert {a.artifact_type for a in detail.artifacts} == {"har"}
    assert steps_of(detail) == expected_steps(name)


class Failing(httpx.HTTPTransport):
    """The real server, but these paths answer 500 (what a proxy in trouble does)."""

    def __init__(self, paths: set[str]) -> None:
        super().__init__()
        self.paths = paths

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path in self.paths:
            return httpx.Response(500, json={"detail": "upstream trouble"}, request=request)
        return super().handle_request(request)


def failing_api(server, paths: set[str]) -> ApiSource:
    settings = ApiSettings(base_url=server.base_url, api_key=server.api_key, local_files=False, retries=0)
    return ApiSource(settings, transport=Failing(paths))


def test_a_download_row_the_server_will_not_give_is_made_from_the_runs_entry(server) -> None:
    (entry,) = recorded("download", "run.json")["downloaded_files"]
    with failing_api(server, {f"/v1/artifacts/{entry['artifact_id']}"}) as api:
        detail = api.load_run(run_id_of("download"))
        (download,) = [a for a in detail.artifacts if a.artifact_type == "download"]
        assert (download.artifact_id, download.run_id) == (entry["artifact_id"], run_id_of("download"))
        assert download.uri is not None and download.uri.endswith(entry["filename"])
        assert api.read_bytes(download) == recorded_file("download", download.artifact_id).read_bytes()


def test_a_task_the_server_will_not_give_leaves_the_session_unknown(server) -> None:
    run_id = run_id_of("browser_session")
    with failing_api(server, {f"/api/v1/tasks/{run_id}"}) as api:
        detail = api.load_run(run_id)
    assert detail.run.browser_session_id is None
    assert steps_of(detail) == expected_steps("browser_session")


def test_a_failing_artifact_list_is_explained(server) -> None:
    holder = recorded("task_v2", "task_v2.json")["workflow_run_id"]
    with failing_api(server, {f"/v1/runs/{holder}/artifacts"}) as api, pytest.raises(ApiUnavailable) as caught:
        api.load_run(run_id_of("task_v2"))
    assert f"GET /v1/runs/{holder}/artifacts" in str(caught.value) and "500" in str(caught.value)

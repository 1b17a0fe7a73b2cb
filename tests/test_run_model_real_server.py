"""The run model from a REAL Skyvern 1.0.56 server seeded with the recorded bundled runs
(tests/data/bundled: their actions too): the actions API, the timeline's blocks, a download
that keeps both, and the offline copy."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bundled_runs import BUNDLED, ORDER_CALLS
from skyvern_server import BUNDLED_KEYRING, RealServer, real_server, seed_run
from tui.core.download import download_run
from tui.core.run_model import RunModel
from tui.core.run_model.build import RunModelBuilder
from tui.core.sources.api import ApiSettings, ApiSource
from tui.core.sources.local import LocalSource

WORKFLOW = json.loads((BUNDLED / "workflow_run" / "run.json").read_text())["run_id"]
TERMINATED = json.loads((BUNDLED / "task_terminated" / "run.json").read_text())["run_id"]



@pytest.fixture(scope="module")
def server() -> Iterator[RealServer]:
    # One server (it takes a while to start) with two recorded runs, their actions included.
    with real_server(BUNDLED / "workflow_run", keyring=BUNDLED_KEYRING) as running:
        seed_run(running.server, BUNDLED / "task_terminated")
        yield running


@pytest.fixture
def api(server: RealServer, tmp_path: Path) -> Iterator[ApiSource]:
    with ApiSource(ApiSettings(base_url=server.base_url, api_key=server.api_key, label="server"),
                   cache=tmp_path / "cache") as source:
        yield source


def summary(model: RunModel) -> list[tuple]:
    """What a person reads of each step: comparable across sources (not the artifacts' paths)."""
    return [(s.label, s.status, s.block_label, s.exception_type, [c.name for c in s.calls],
             [(a.action_type, a.element.label if a.element else None, a.status, a.origin,
               a.screenshot.artifact_id if a.screenshot else None) for a in s.actions],
             [(p.where, p.text) for p in s.problems]) for s in model.steps]


def test_the_actions_api_serves_the_seeded_actions(server: RealServer, api: ApiSource):
    recorded = json.loads((BUNDLED / "workflow_run" / "actions.json").read_text())
    detail = api.load_run(WORKFLOW)
    assert [a["action_id"] for a in detail.actions] == [a["action_id"] for a in recorded]
    # A task the server does not know has no actions (the server answers an empty list).
    status = httpx.get(f"{server.base_url}/api/v1/tasks/tsk_nope/actions", headers=server.headers, timeout=30)
    assert status.status_code == 200 and status.json() == []


def test_the_workflow_runs_model_from_the_server(api: ApiSource):
    detail = api.load_run(WORKFLOW)
    model = RunModelBuilder(api).build(detail)
    assert not model.loading and not model.notes
    [block] = model.blocks
    task = json.loads((BUNDLED / "workflow_run" / "steps.json").read_text())[0]["task_id"]
    assert (block.label, block.block_type, block.status, block.task_ids) == (
        "order_spur_gear", "navigation", "completed", (task,))
    assert block.started_at is not None and block.finished_at is not None
    assert all(s.block_label == "order_spur_gear" for s in model.steps)
    assert [[c.name for c in s.calls] for s in model.steps] == ORDER_CALLS
    by_id = {a.artifact_id: a for a in detail.artifacts}
    acted = [a for s in model.steps for a in s.actions if a.origin == "actions"]
    assert len(acted) == len(detail.actions)
    for action in acted:
        assert action.screenshot is not None and by_id[action.screenshot.artifact_id].bundle_key
    [click] = model.steps[1].actions
    assert click.failed and click.element is not None
    assert click.element.label == 'AAAH <button id=checkout disabled> "Check out (0 items)"'
    assert model.goal and model.goal.startswith("Sign in to Acme Parts")


def test_the_terminated_task_from_the_server(api: ApiSource):
    model = RunModelBuilder(api).build(api.load_run(TERMINATED))
    assert model.status == "terminated" and model.status_from == "run" and model.blocks == ()
    assert model.failure_reason and model.failure_reason.startswith("The categories of the catalog")
    assert [a.action_type for a in model.steps[-1].actions] == ["terminate"]
    assert model.steps[-1].actions[0].origin == "actions"


def test_a_download_keeps_the_actions_and_the_timeline(api: ApiSource, tmp_path: Path):
    dest = tmp_path / "run"
    result = download_run(api, WORKFLOW, dest)
    assert result.complete
    assert json.loads((dest / "actions.json").read_text()) == list(api.load_run(WORKFLOW).actions)
    assert json.loads((dest / "timeline.json").read_text())[0]["block"]["label"] == "order_spur_gear"
    local = LocalSource(dest)
    downloaded = local.load_run(WORKFLOW)
    assert len(downloaded.actions) == 8 and len(downloaded.timeline) == 1
    from_disk = RunModelBuilder(local).build(downloaded)
    from_server = RunModelBuilder(api).build(api.load_run(WORKFLOW))
    assert summary(from_disk) == summary(from_server)
    assert from_disk.blocks == from_server.blocks


def test_the_offline_copy_keeps_the_actions_and_the_timeline(server: RealServer, tmp_path: Path):
    cache = tmp_path / "cache"
    with ApiSource(ApiSettings(base_url=server.base_url, api_key=server.api_key), cache=cache) as online:
        seen = online.load_run(WORKFLOW)
    # The same server address, nobody answering: a port nothing listens on stands for it.
    with ApiSource(ApiSettings(base_url=server.base_url, api_key=server.api_key, retries=0), cache=cache,
                   transport=httpx.MockTransport(_refuse)) as offline:
        again = offline.load_run(WORKFLOW)
    assert "offline copy" in again.run.source
    assert list(again.actions) == list(seen.actions) and list(again.timeline) == list(seen.timeline)


def _refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)

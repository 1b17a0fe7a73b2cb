"""A LIVE run on a REAL Skyvern 1.0.56 server: a recorded run replayed into the server's rows
step by step (tests/live_replay.py), and the app watching it.

One server for the module (started with the bundling keyring, as the bundled runs were
recorded); each test seeds its own run. Never skipped: a server that cannot be had fails.
"""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rich.console import Console
from apptools import SIZE, settle
from live_replay import LiveReplay
from skyvern_server import BUNDLED_KEYRING, DEMO_DIR, SkyvernServer, ensure_skyvern_venv

from tui.core.catalog import Category
from tui.core.sources.api import ApiSettings, ApiSource
from tui.ui.app import SkyvernTUI
from tui.ui.screens.run import RunScreen
from tui.ui.widgets.run_header import RunHeader

FAILED = Path(__file__).parent / "data" / "bundled" / "workflow_failed"
POLL = 0.3  # seconds between the run screen's polls


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest) -> Iterator[SkyvernServer]:
    capture = request.config.pluginmanager.getplugin("capturemanager")
    try:
        if capture is not None:
            with capture.global_and_fixture_disabled():
                venv = ensure_skyvern_venv()
        else:
            venv = ensure_skyvern_venv()
        started = SkyvernServer(venv, keyring=BUNDLED_KEYRING).start()
    except Exception as exc:
        pytest.fail(f"could not start the real Skyvern server: {exc}", pytrace=False)
    try:
        yield started
    finally:
        started.stop()


def get(server: SkyvernServer, path: str):
    with httpx.Client(base_url=server.base_url, headers={"x-api-key": server.api_key}, timeout=60) as client:
        response = client.get(path)
        assert response.status_code == 200, response.text
        return response.json()


def test_the_replay_walks_the_real_server_from_running_to_the_recorded_end(server: SkyvernServer) -> None:
    recorded_run = json.loads((DEMO_DIR / "run.json").read_text())
    recorded_steps = json.loads((DEMO_DIR / "steps.json").read_text())
    recorded_artifacts = json.loads((DEMO_DIR / "artifacts.json").read_text())
    replay = LiveReplay(server, DEMO_DIR)
    replay.start()
    run_id, (task_id,) = replay.run_id, replay.seeded["task_ids"]
    run = get(server, f"/v1/runs/{run_id}")
    assert run["status"] == "running" and run["finished_at"] is None and run["failure_reason"] is None
    steps = get(server, f"/api/v1/tasks/{task_id}/steps")
    assert [(s["order"], s["retry_index"], s["status"]) for s in steps] == [(0, 0, "running")]
    listed = get(server, f"/v1/runs/{run_id}/artifacts")
    assert len(listed) == replay.counts()[1] and 0 < len(listed) < len(recorded_artifacts)
    actions = get(server, f"/api/v1/tasks/{task_id}/actions")
    assert len(actions) == replay.action_count() and {a["step_id"] for a in actions} <= {steps[0]["step_id"]}
    assert all(a.get("step_id") in (None, steps[0]["step_id"]) for a in listed)
    seen = [len(listed)]
    while replay.advance():
        steps = get(server, f"/api/v1/tasks/{task_id}/steps")
        listed = get(server, f"/v1/runs/{run_id}/artifacts")
        assert (len(steps), len(listed)) == replay.counts()
        assert len(get(server, f"/api/v1/tasks/{task_id}/actions")) == replay.action_count()
        seen.append(len(listed))
        if not replay.ended:
            assert get(server, f"/v1/runs/{run_id}")["status"] == "running"
            assert steps[-1]["status"] == "running"
            assert [s["status"] for s in steps[:-1]] == [s["status"] for s in recorded_steps[: len(steps) - 1]]
    assert seen == sorted(seen) and len(seen) == len(recorded_steps) + 1  # one stage per step, then the end
    run = get(server, f"/v1/runs/{run_id}")
    for key in ("status", "failure_reason", "finished_at"):
        assert run[key] == recorded_run[key], key
    assert [s["status"] for s in get(server, f"/api/v1/tasks/{task_id}/steps")] == [s["status"] for s in recorded_steps]
    assert sorted(a["artifact_id"] for a in get(server, f"/v1/runs/{run_id}/artifacts")) == sorted(
        a["artifact_id"] for a in recorded_artifacts)
    recorded_actions = json.loads((DEMO_DIR / "actions.json").read_text()) if (DEMO_DIR / "actions.json").is_file() else []
    assert len(get(server, f"/api/v1/tasks/{task_id}/actions")) == len(recorded_actions)
    assert replay.advance() is False


def render_plain(renderable) -> str:
    console = Console(width=200, record=True, color_system=None, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def sidebar_total(screen: RunScreen) -> int:
    """The sum of the counts the sidebar shows against its categories (by option id, whatever
    else the sidebar lists)."""
    return sum(int(render_plain(screen.sidebar.get_option(c.value).prompt).split()[-1]) for c in Category)


async def wait_for(pilot, condition, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError("the run screen did not catch up with the server")
        await asyncio.sleep(POLL / 2)
        await pilot.pause()


async def test_the_run_screen_follows_a_live_failing_workflow_run_to_its_end(server: SkyvernServer, tmp_path: Path) -> None:
    recorded_run = json.loads((FAILED / "run.json").read_text())
    assert recorded_run["status"] == "failed"
    replay = LiveReplay(server, FAILED)
    replay.start()
    settings = ApiSettings(base_url=server.base_url, api_key=server.api_key, label="live")
    with ApiSource(settings, cache=tmp_path / "cache") as api:
        app = SkyvernTUI([api], (api, replay.run_id), poll_seconds=POLL)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, RunScreen) and screen.live
            assert screen.detail.run.status == "running"
            assert len(screen.detail.steps) == 1 and len(screen.detail.artifacts) == replay.counts()[1]
            assert 0 < len(screen.detail.actions) == replay.action_count()  # the sign-in step's three
            header = screen.query_one(RunHeader)
            assert "running" in render_plain(header.content).split("\n")[0]
            counts = [sum(screen.detail.counts.values())]
            assert sidebar_total(screen) == counts[0]
            # The overview, where it opens, follows the run: its steps and its newest screenshot.
            view = screen.overview.view
            await wait_for(pilot, lambda: screen.model is not None and len(screen.model.steps) == 1)
            assert screen.showing_overview and "Why it failed" not in view.plain_lines()
            while replay.advance():
                listed = replay.counts()
                await wait_for(pilot, lambda want=listed: (len(screen.detail.steps), len(screen.detail.artifacts)) == want)
                await settle(pilot)
                assert len(screen.detail.actions) == replay.action_count()
                counts.append(sum(screen.detail.counts.values()))
                assert sidebar_total(screen) == counts[-1]  # the sidebar's counts follow
                await wait_for(pilot, lambda: screen.model.steps and len(screen.model.steps) == len(screen.detail.steps))
                await wait_for(pilot, lambda: screen.model.last_screenshot is None
                               or screen.model.last_screenshot.artifact_id in view.drawn)
                assert all(view.line_of(s.label + " ") is not None for s in screen.model.steps)
                if not replay.ended:
                    assert screen.detail.run.status == "running" and screen.live
            await wait_for(pilot, lambda: screen.detail.run.status == "failed")
            await settle(pilot)
            assert counts == sorted(counts) and counts[-1] > counts[0]
            assert screen._poller is None  # no more polling once it ended
            shown = render_plain(header.content)
            assert "failed" in shown.split("\n")[0] and "failure:" in shown
            assert screen.detail.run.failure_reason == recorded_run["failure_reason"]
            ended = [str(n.message) for n in app._notifications if "ended" in str(n.message)]
            assert ended and "failed" in ended[-1]
            assert " ".join(recorded_run["failure_reason"].split())[:40] in ended[-1]  # how it ended, and why
            await wait_for(pilot, lambda: screen.model.status == "failed" and not screen.model.loading)
            await settle(pilot)
            assert view.plain_lines()[0] == "Why it failed"
            assert " ".join(recorded_run["failure_reason"].split()) in " ".join(" ".join(view.plain_lines()).split())

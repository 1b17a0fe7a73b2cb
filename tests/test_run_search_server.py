"""Run-wide search of a run on a REAL Skyvern server (tests/skyvern_server.py, seeded with the
demo): what is not cached is fetched through the API (progress says "fetching"), cached as it is
read, and found exactly where the same run on disk has it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skyvern_server import DEMO_DIR
from tui.core.run_search.matcher import compile_query
from tui.core.run_search.search import Finished, Found, Progress, search_run
from tui.core.sources.api import ApiSettings, ApiSource
from tui.core.sources.local import LocalSource

DEMO_RUN = json.loads((DEMO_DIR / "run.json").read_text())


@pytest.fixture
def api(real_server, tmp_path: Path):
    settings = ApiSettings(base_url=real_server.base_url, api_key=real_server.api_key, label="server")
    with ApiSource(settings, cache=tmp_path / "cache") as source:
        yield source


def _found(events) -> list[tuple[str, list[tuple[str | None, str]]]]:
    return [(e.artifact.artifact_id, [(h.target, h.text) for h in e.hits]) for e in events if isinstance(e, Found)]


def test_search_through_the_api_fetches_and_finds_what_the_disk_has(api: ApiSource) -> None:
    detail = api.load_run(DEMO_RUN["run_id"])
    events = list(search_run(api, detail, compile_query("Acme")))
    progress = [e for e in events if isinstance(e, Progress)]
    assert progress and all(p.fetching for p in progress)
    finished = events[-1]
    assert isinstance(finished, Finished) and not finished.cancelled and finished.matches > 0
    local = LocalSource(DEMO_DIR)
    on_disk = list(search_run(local, local.load_run(DEMO_RUN["run_id"]), compile_query("Acme")))
    assert _found(events) == _found(on_disk)
    # What was fetched is cached: the finished run's artifacts are read again without the server.
    searched = [e.artifact for e in events if isinstance(e, Found)]
    assert all(api.loader.cached(a.artifact_id) is not None for a in searched if a.artifact_type != "skyvern_log")

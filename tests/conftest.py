import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from skyvern_server import DEMO_DIR as SERVER_SEED_RUN, RealServer, real_server as _real_server
from server_fixtures import started

# Times are shown in local time: fix the zone so screens and snapshots are the same everywhere.
os.environ["TZ"] = "UTC"
time.tzset()

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "assets" / "demo"
DATA = Path(__file__).resolve().parent / "data"
SELFHOSTED = DATA / "selfhosted"


@pytest.fixture(autouse=True)
def hermetic_settings(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test sees the developer's key, server, config file, cache or recent runs.

    SKYVERN_API_KEY in the shell used to turn `--local` tests into API tests. Tests that want a
    setting set it themselves after this has run.
    """
    for name in list(os.environ):
        if name.startswith("SKYVERN_") or name == "ARTIFACT_STORAGE_PATH":
            monkeypatch.delenv(name)
    home = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("SKYVERN_TUI_CONFIG", str(home / "no-config.toml"))
    for kind in ("CACHE", "CONFIG", "STATE", "DATA"):
        monkeypatch.setenv(f"XDG_{kind}_HOME", str(home / kind.lower()))


@pytest.fixture
def demo_dir() -> Path:
    return DEMO


@pytest.fixture
def demo_artifacts() -> list[dict]:
    return json.loads((DEMO / "artifacts.json").read_text())


@pytest.fixture
def demo_run_json() -> dict:
    return json.loads((DEMO / "run.json").read_text())


@pytest.fixture
def selfhosted_truth() -> dict:
    return json.loads((DATA / "selfhosted.json").read_text())


@pytest.fixture(scope="session")
def real_server(request: pytest.FixtureRequest) -> Iterator[RealServer]:
    """A REAL Skyvern 1.0.56 server on 127.0.0.1 seeded with the demo run (tests/skyvern_server.py).

    The first use on a machine installs skyvern[server] into a cached venv (about two minutes);
    pytest's capture is off meanwhile so its progress shows. Never skipped: a server that cannot
    be had fails the tests that need it, saying why.
    """
    yield from started(request, _real_server(SERVER_SEED_RUN))

import json
import os
import time
from pathlib import Path

import pytest

# Times are shown in local time: fix the zone so screens and snapshots are the same everywhere.
os.environ["TZ"] = "UTC"
time.tzset()

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "assets" / "demo"
DATA = Path(__file__).resolve().parent / "data"
SELFHOSTED = DATA / "selfhosted"


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

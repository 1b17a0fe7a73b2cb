"""The real Skyvern server as pytest fixtures start it: with pytest's capture off (the first use
on a machine installs skyvern[server] for minutes, and its progress shows), failing the test
that needs it, saying why, when it cannot start (never a skip)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from skyvern_server import BUNDLED_KEYRING, RealServer, real_server, seed_run

BUNDLED = Path(__file__).resolve().parent / "data" / "bundled"


def started(request: pytest.FixtureRequest, manager: AbstractContextManager[RealServer]) -> Iterator[RealServer]:
    capture = request.config.pluginmanager.getplugin("capturemanager")
    try:
        if capture is not None:
            with capture.global_and_fixture_disabled():
                server = manager.__enter__()
        else:
            server = manager.__enter__()
    except Exception as exc:
        pytest.fail(f"could not start the real Skyvern server: {exc}", pytrace=False)
    try:
        yield server
    finally:
        manager.__exit__(None, None, None)


def seeded_bundled(request: pytest.FixtureRequest, runs: tuple[str, ...]) -> Iterator[tuple[RealServer, dict[str, dict]]]:
    """A bundling server seeded with the recorded runs of tests/data/bundled named: each run's
    seeded rows by folder name."""
    for server in started(request, real_server(BUNDLED / runs[0], keyring=BUNDLED_KEYRING)):
        seeded = {runs[0]: server.seeded}
        for name in runs[1:]:
            seeded[name] = seed_run(server.server, BUNDLED / name)
        yield server, seeded

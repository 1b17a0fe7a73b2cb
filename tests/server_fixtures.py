"""The real Skyvern server as pytest fixtures start it: with pytest's capture off (the first use
on a machine installs skyvern[server] for minutes, and its progress shows), failing the test
that needs it, saying why, when it cannot start (never a skip)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TypeVar

import pytest

from seed_shapes import SHAPES, SHAPES_DIR, STORAGE_NAME, seed_all
from skyvern_server import BUNDLED_KEYRING, RealServer, SkyvernServer, ensure_skyvern_venv, real_server, seed_run

BUNDLED = Path(__file__).resolve().parent / "data" / "bundled"


T = TypeVar("T")


def started(request: pytest.FixtureRequest, manager: AbstractContextManager[T]) -> Iterator[T]:
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


@contextmanager
def _shapes_manager() -> Iterator[tuple[RealServer, dict[str, dict]]]:
    """ONE real server, its storage root with a space (as the download shape's was), seeded with
    every shape of tests/data/shapes."""
    with SkyvernServer(ensure_skyvern_venv(), storage_name=STORAGE_NAME) as server:
        try:
            shapes = seed_all(server)
        except BaseException as e:
            raise RuntimeError(f"seeding the shapes failed: {e}\nserver log tail:\n{server.log_tail(2000)}") from e
        yield RealServer(server, SHAPES_DIR, shapes[SHAPES[0]]), shapes


@pytest.fixture(scope="module")
def shapes_server(request: pytest.FixtureRequest) -> Iterator[tuple[RealServer, dict[str, dict]]]:
    """Module scope (import it into the test module): (the server (a RealServer whose own run
    fields are those of the first shape), shape name -> what seed_shape seeded: run_id,
    workflow_run_id, task_ids, step_ids, artifact_ids, download_ids, workflow_run_block_ids,
    thought_ids, browser_session_id, recorded_root, storage, files)."""
    yield from started(request, _shapes_manager())

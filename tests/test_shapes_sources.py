"""What a person sees of every recorded shape (tests/data/shapes) is the same from the three places
a run comes from: the real Skyvern server on loopback (the API), the server's artifact folder on
disk, and a `download` of it opened with `--local`.

"The same": every artifact listed in the group of its step, thought or run, each step labelled by
the block and loop iteration its task ran in, the outline's blocks, iterations and thoughts in the
order they ran, and the counts of the API's listing. The expected values come from the recordings'
JSON (tests/shapes_truth.py), never from the code under test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from server_fixtures import shapes_server  # noqa: F401  (one real server, every shape seeded)
from shapes_truth import NAMES, SHAPES, shape
from test_shapes_download import download
from tui.core.model import RunDetail
from tui.core.outline import EntryKind
from tui.core.run_model.build import RunModelBuilder
from tui.core.sources.api import ApiSettings, ApiSource
from tui.core.sources.base import Source
from tui.core.sources.local import LocalSource

PLACES = ("api", "disk", "download")


@pytest.fixture(scope="module")
def api(shapes_server) -> Iterator[ApiSource]:  # noqa: F811
    real = shapes_server[0]
    with ApiSource(ApiSettings(base_url=real.base_url, api_key=real.api_key, local_files=False)) as source:
        yield source


@pytest.fixture(scope="module")
def downloaded(shapes_server, tmp_path_factory) -> dict[str, Path]:  # noqa: F811
    home = tmp_path_factory.mktemp("home")
    folders = {}
    for name in NAMES:
        dest = tmp_path_factory.mktemp("saved") / name
        result = download(shapes_server[0], shape(name).run_id, dest, home)
        assert result.returncode == 0, result.stderr
        folders[name] = dest
    return folders


def opened(place: str, name: str, api: ApiSource, downloaded: dict[str, Path]) -> tuple[Source, RunDetail]:
    source: Source
    if place == "api":
        source = api
    elif place == "disk":
        source = LocalSource(SHAPES / name / "storage")
    else:
        source = LocalSource(downloaded[name])
    return source, source.load_run(shape(name).run_id)


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("name", NAMES)
def test_every_artifact_is_listed_under_its_step_thought_or_run(name: str, place: str, api, downloaded):
    truth = shape(name)
    _, detail = opened(place, name, api, downloaded)
    groups = detail.groups()
    assert sum(len(g.artifacts) for g in groups) == len(truth.every_artifact)
    got: dict[str, list[str]] = {}
    for group in groups:
        for artifact in group.artifacts:
            # On disk a log file has no artifact id (its path stands in): it is known by its type and step.
            got.setdefault(group.key, []).append(artifact.artifact_type)
    expected: dict[str, list[str]] = {}
    for row in truth.every_artifact:
        expected.setdefault(truth.group_of(row), []).append(row["artifact_type"])
    assert {k: sorted(v) for k, v in got.items()} == {k: sorted(v) for k, v in expected.items()}


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("name", NAMES)
def test_steps_are_labelled_by_their_block_and_iteration(name: str, place: str, api, downloaded):
    truth = shape(name)
    _, detail = opened(place, name, api, downloaded)
    paths = truth.task_paths()
    several = len({s["task_id"] for s in truth.steps}) > 1
    for group in detail.groups():
        if group.step is None:
            continue
        if several and group.step.task_id in paths:
            assert group.label.startswith(f"{paths[group.step.task_id]} · Step "), group.label
        else:
            assert group.label.startswith(("Step ", "Task ")), group.label


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("name", NAMES)
def test_the_outline_lists_blocks_iterations_and_thoughts_in_order(name: str, place: str, api, downloaded):
    truth = shape(name)
    source, detail = opened(place, name, api, downloaded)
    model = RunModelBuilder(source).build(detail)
    got = [(e.kind.value, e.key if e.kind is EntryKind.THOUGHT else e.label) for e in model.outline]
    expected = truth.entries()
    if not truth.timeline and truth.run_id.startswith("tsk_"):
        assert got == expected == []  # a task on its own has no outline
    else:
        assert got == expected
    if place != "disk":  # what only the database knows: each block's status, a thought's type
        assert [e.status for e in model.outline if e.kind is EntryKind.BLOCK] == [
            status for _, status in truth.block_statuses()]

"""A folder on disk is data from outside: FIFOs, devices, links out of it, loops, dangling links,
folders named like files and unreadable files never hang the reader, never make it read outside
its folder, and show up as artifacts whose viewer says why they are not read."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from apptools import SIZE, local_app, settle
from tui.core.catalog import CATEGORIES
from tui.core.errors import ArtifactUnavailable, SourceError
from tui.core import confined
from tui.core.confined import Confined, Refused
from tui.core.sources.local import LocalSource
from tui.ui.screens.picker import PickerScreen
from tui.ui.widgets.error_panel import ErrorPanel

T = TypeVar("T")
TS = "2026-11-28T13:00:0{}.000000"
STEP = "o_1/tsk_1/00_0_stp_1"
SECRET = b"the secret outside the folder"


def finishes(call: Callable[[], T], fifos: list[Path], wait: float = 120) -> T:
    """`call()`'s result, run in a thread. A reader that blocks on a FIFO never returns: after
    `wait` seconds (a liveness guard, not a timing check) the FIFOs get a writer that closes at
    once, so the blocked reader sees an end of file, and the test fails saying it hung."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # re-raised in the test's thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(wait)
    if thread.is_alive():
        for fifo in fifos:
            try:
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                pass
        thread.join(wait)
        pytest.fail("the reader hung on a FIFO")
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


def write(path: Path, content: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def fifo(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    return path


def link(path: Path, target: str | Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)
    return path


LOG = b'2026-11-28T13:00:09.000000Z [info     ] Task duration metrics  task_status="completed"\n'


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    return write(tmp_path / "outside" / "secret.txt", SECRET)


@pytest.fixture
def tree(tmp_path: Path, outside: Path) -> tuple[Path, list[Path]]:
    """A storage tree whose task holds every kind of hostile entry, beside good files."""
    root = tmp_path / "storage"
    write(root / STEP / f"{TS.format(1)}_a_1_llm_prompt.txt", b"User goal:\nbuy a gear\n")
    write(root / "logs/step/stp_1" / f"{TS.format(2)}_skyvern_log.log", LOG)
    fifos = [
        fifo(root / "logs/task/tsk_1" / f"{TS.format(3)}_skyvern_log.log"),  # read for the run's end
        fifo(root / STEP / f"{TS.format(4)}_a_4_llm_prompt.txt"),  # read for the run's goal
        fifo(root / STEP / f"{TS.format(5)}_a_5_step_archive.zip"),  # read for its members
        fifo(root / "logs/workflow_run/wr_1" / f"{TS.format(6)}_skyvern_log.log"),
    ]
    link(root / STEP / f"{TS.format(7)}_a_7_llm_response.json", "/dev/zero")
    link(root / STEP / f"{TS.format(8)}_a_8_html_scrape.html", outside)
    link(root / STEP / f"{TS.format(9)}_a_9_llm_request.json", f"{TS.format(9)}_a_9_llm_request.json")  # a loop
    link(root / STEP / "2026-11-28T13:00:10.000000_a_10_screenshot_llm.png", "nowhere.png")  # dangling
    (root / STEP / "2026-11-28T13:00:11.000000_a_11_visible_elements_tree.json").mkdir()
    write(root / STEP / "2026-11-28T13:00:12.000000_a_12_har.har", b'{"log": {"entries": []}}')
    link(root / STEP / "2026-11-28T13:00:13.000000_a_13_html.html", "2026-11-28T13:00:12.000000_a_12_har.har")  # inside
    link(root / "o_1/tsk_out", outside.parent)  # a task folder that is a link out: not walked
    link(root / "logs/step/stp_1/loop", "..")  # a folder link round in a loop: not walked
    return root, fifos


REASONS = {
    "a_4": "not a regular file (a FIFO)",
    "a_5": "not a regular file (a FIFO)",
    "a_7": "a link out of the artifact folder (to /dev/zero)",
    "a_8": "a link out of the artifact folder (to ",
    "a_9": "a link that loops",
    "a_10": "a dangling link (to nowhere.png)",
    "a_11": "a folder, not a file",
}


def test_a_storage_tree_lists_hostile_entries_without_reading_them(tree: tuple[Path, list[Path]]):
    root, fifos = tree
    source = LocalSource(root)
    runs = finishes(source.list_runs, fifos)
    by_id = {r.run_id: r for r in runs}
    assert set(by_id) == {"tsk_1", "wr_1"}  # tsk_out is a link out of the folder: not walked
    assert by_id["tsk_1"].status == "completed" and by_id["tsk_1"].title == "buy a gear"
    detail = finishes(lambda: source.load_run("tsk_1"), fifos)
    artifacts = {a.artifact_id: a for a in detail.artifacts}
    for artifact_id, reason in REASONS.items():
        artifact = artifacts[artifact_id]
        assert artifact.path is None and artifact.file_size is None, artifact_id
        with pytest.raises(ArtifactUnavailable) as caught:
            finishes(lambda a=artifact: source.read_bytes(a), fifos)
        assert reason in str(caught.value), (artifact_id, str(caught.value))
    # A FIFO log is listed too (its type from its name) and opening it says why not.
    fifo_log = next(a for a in detail.artifacts if a.artifact_id.startswith("logs/task/"))
    with pytest.raises(ArtifactUnavailable, match="a FIFO"):
        source.read_bytes(fifo_log)
    # Good files, and a link that stays inside the folder, read as they are.
    assert source.read_bytes(artifacts["a_1"]) == b"User goal:\nbuy a gear\n"
    assert source.read_bytes(artifacts["a_13"]) == source.read_bytes(artifacts["a_12"])
    # Nothing was read through the folder link that loops.
    assert not any("loop" in a.artifact_id for a in detail.artifacts)


def test_a_file_swapped_for_a_fifo_or_a_link_after_listing_is_not_read(tree: tuple[Path, list[Path]], outside: Path):
    root, fifos = tree
    source = LocalSource(root)
    detail = source.load_run("tsk_1")
    prompt = next(a for a in detail.artifacts if a.artifact_id == "a_1")
    assert prompt.path is not None
    prompt.path.unlink()
    os.mkfifo(prompt.path)
    with pytest.raises(ArtifactUnavailable, match="a FIFO"):
        finishes(lambda: source.read_bytes(prompt), [*fifos, prompt.path])
    prompt.path.unlink()
    prompt.path.symlink_to(outside)
    with pytest.raises(ArtifactUnavailable, match="a link out of"):
        source.read_bytes(prompt)


def test_a_folder_reached_through_a_link_is_out_of_the_folder(tmp_path: Path, outside: Path):
    """A file whose own name is no link, in a folder that is a link out of the root."""
    root = tmp_path / "run"
    link(root / "files", outside.parent)
    assert "a link out of the run's folder" in (Confined(root, "the run's folder").refusal(root / "files" / "secret.txt") or "")
    with pytest.raises(Refused, match="a link out of"):
        Confined(root).read(root / "files" / "secret.txt", 1000)


def test_reads_are_bounded(tmp_path: Path):
    big = write(tmp_path / "big.json", b"[" + b"0," * 1000 + b"0]")
    with pytest.raises(Refused, match="too large to read"):
        Confined(tmp_path).read(big, 100)
    sparse = tmp_path / "sparse.log"
    with open(sparse, "wb") as handle:
        handle.truncate(1 << 40)  # claims a terabyte, holds nothing: refused before it is read
    with pytest.raises(Refused, match="too large to read"):
        Confined(tmp_path).read(sparse, 1 << 30)


def _downloaded(folder: Path, entries: list[dict]) -> None:
    write(folder / "run.json", json.dumps({"run_id": "tsk_dl", "status": "failed"}).encode())
    write(folder / "artifacts.json", json.dumps(entries).encode())


def _entry(number: int, artifact_type: str, ext: str) -> dict:
    return {"artifact_id": f"a_{number}", "artifact_type": artifact_type, "uri": f"file:///x/{artifact_type}.{ext}"}


@pytest.fixture
def download(tmp_path: Path, outside: Path) -> tuple[Path, list[Path]]:
    """A downloaded run whose files/ holds every kind of hostile entry."""
    folder = tmp_path / "runs" / "tsk_dl"
    _downloaded(folder, [
        _entry(1, "llm_prompt", "txt"), _entry(2, "skyvern_log", "log"), _entry(3, "llm_response", "json"),
        _entry(4, "html_scrape", "html"), _entry(5, "llm_request", "json"), _entry(6, "screenshot_llm", "png"),
        _entry(7, "visible_elements_tree", "json"), _entry(8, "har", "har"),
    ])
    files = folder / "files"
    write(files / "a_1_llm_prompt.txt", b"a prompt")
    fifos = [fifo(files / "a_2_skyvern_log.log")]
    link(files / "a_3_llm_response.json", "/dev/zero")
    link(files / "a_4_html_scrape.html", outside)
    link(files / "a_5_llm_request.json", "a_5_llm_request.json")
    link(files / "a_6_screenshot_llm.png", "gone.png")
    (files / "a_7_visible_elements_tree.json").mkdir()
    link(files / "a_8_har.har", "../../../outside/secret.txt")  # relative, still out of the run's folder
    # Other runs beside it whose lists cannot be read: the listing goes on without them.
    fifos.append(fifo(tmp_path / "runs" / "fifo_run" / "run.json"))
    link(tmp_path / "runs" / "zero_run" / "run.json", "/dev/zero")
    zero = tmp_path / "runs" / "zero_list"
    write(zero / "run.json", json.dumps({"run_id": "tsk_zero"}).encode())
    link(zero / "artifacts.json", "/dev/zero")
    link(tmp_path / "runs" / "linked_run", folder)  # a run folder that is a link: not followed
    return tmp_path / "runs", fifos


def test_a_downloaded_run_lists_hostile_files_without_reading_them(download: tuple[Path, list[Path]]):
    root, fifos = download
    source = LocalSource(root)
    runs = finishes(source.list_runs, fifos)
    assert [r.run_id for r in runs] == ["tsk_dl"]
    detail = finishes(lambda: source.load_run("tsk_dl"), fifos)
    artifacts = {a.artifact_id: a for a in detail.artifacts}
    assert source.read_bytes(artifacts["a_1"]) == b"a prompt"
    reasons = {
        "a_2": "a_2_skyvern_log.log is not a regular file (a FIFO)",
        "a_3": "a link out of the run's folder (to /dev/zero)",
        "a_4": "a link out of the run's folder (to ",
        "a_5": "a link that loops",
        "a_6": "a dangling link (to gone.png)",
        "a_7": "a folder, not a file",
        "a_8": "a link out of the run's folder",
    }
    for artifact_id, reason in reasons.items():
        assert artifacts[artifact_id].path is None, artifact_id
        with pytest.raises(ArtifactUnavailable) as caught:
            finishes(lambda a=artifacts[artifact_id]: source.read_bytes(a), fifos)
        assert reason in str(caught.value), (artifact_id, str(caught.value))
        assert SECRET.decode() not in str(caught.value)


def test_a_run_folder_whose_lists_are_hostile_opens_without_them(tmp_path: Path):
    folder = tmp_path / "run"
    _downloaded(folder, [])
    fifos = [fifo(folder / "actions.json")]
    link(folder / "timeline.json", "/dev/zero")
    link(folder / "steps.json", "steps.json")
    source = LocalSource(folder)
    [run] = finishes(source.list_runs, fifos)
    with pytest.raises(SourceError, match="a link that loops"):  # steps.json is required when present
        source.load_run(run.run_id)
    (folder / "steps.json").unlink()
    detail = finishes(lambda: source.load_run(run.run_id), fifos)
    assert detail.actions == () and detail.timeline == ()


def test_an_unreadable_file_says_so(tmp_path: Path, monkeypatch):
    """The kernel's answer to a file the user may not read, given as it would be where the file
    is opened (chmod 000 cannot make it: the tests may run as root, who reads anything)."""
    root = tmp_path / "storage"
    locked = write(root / STEP / f"{TS.format(1)}_a_1_llm_prompt.txt", b"x")
    real_open = os.open

    def deny(path, flags, *args):
        if os.fspath(path) == os.path.realpath(locked):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(confined.os, "open", deny)
    source = LocalSource(root)
    [artifact] = source.load_run("tsk_1").artifacts
    with pytest.raises(ArtifactUnavailable, match="Permission denied"):
        source.read_bytes(artifact)


async def test_the_app_browses_a_hostile_run_without_hanging(tree: tuple[Path, list[Path]]):
    """The picker lists the folder, the run opens, and every artifact of every category opens:
    the hostile ones in an error panel that says why, the others in their viewers."""
    root, fifos = tree
    source = LocalSource(root, label="hostile")
    app = local_app(source)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            picker = app.screen
            assert isinstance(picker, PickerScreen)
            assert sorted(run.run_id for run, _source in picker.shown) == ["tsk_1", "wr_1"]
            row = next(i for i, (run, _source) in enumerate(picker.shown) if run.run_id == "tsk_1")
            await pilot.press(*["down"] * row, "enter")
            await settle(pilot)
            screen = app.screen
            assert screen.detail.run.run_id == "tsk_1"
            seen: dict[str, str] = {}
            for number in range(1, len(CATEGORIES) + 1):
                await pilot.press(str(number))
                await settle(pilot)
                for index, artifact in enumerate(screen.artifact_list.artifacts):
                    if index:
                        await pilot.press("escape", "j")
                    assert screen.artifact_list.artifact is artifact
                    await pilot.press("enter")
                    await settle(pilot)
                    panels = screen.viewer_pane.query(ErrorPanel)
                    seen[artifact.artifact_id] = panels.first().reason if panels else ""
                if screen.artifact_list.artifacts:
                    await pilot.press("escape")
            for artifact_id, reason in REASONS.items():
                assert reason in seen[artifact_id], (artifact_id, seen[artifact_id])
            assert seen["a_1"] == "" and seen["a_12"] == ""
    finally:
        for path in fifos:  # should the app have blocked on one, let it go
            try:
                os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                pass


def test_a_folder_that_is_one_run_with_a_hostile_run_json_says_why(tmp_path: Path):
    """Listed in the picker as the source's problem, not as an empty list."""
    fifos = [fifo(tmp_path / "fifo" / "run.json")]
    link(tmp_path / "zero" / "run.json", "/dev/zero")
    with pytest.raises(SourceError, match=r"run.json: not a regular file \(a FIFO\)"):
        finishes(LocalSource(tmp_path / "fifo").list_runs, fifos)
    with pytest.raises(SourceError, match=r"run.json: a link out of the run's folder \(to /dev/zero\)"):
        LocalSource(tmp_path / "zero").list_runs()


def test_zip_members_that_are_links_or_devices_are_only_bytes(tmp_path: Path, outside: Path):
    """A member whose mode says link (or FIFO) is never extracted or followed: its bytes are
    what the archive holds (for a link, the target's name)."""
    import stat
    import zipfile

    archive = tmp_path / "storage" / STEP / f"{TS.format(1)}_a_1_step_archive.zip"
    archive.parent.mkdir(parents=True)
    with zipfile.ZipFile(archive, "w") as handle:
        for name, mode, data in (("scrape.html", stat.S_IFLNK | 0o777, str(outside)),
                                 ("browser_console.log", stat.S_IFIFO | 0o644, "")):
            info = zipfile.ZipInfo(name)
            info.external_attr = mode << 16
            handle.writestr(info, data)
    source = LocalSource(tmp_path / "storage")
    members = {a.bundle_key: a for a in source.load_run("tsk_1").artifacts if a.bundle_key}
    assert source.read_bytes(members["scrape.html"]) == str(outside).encode()
    assert finishes(lambda: source.read_bytes(members["browser_console.log"]), []) == b""

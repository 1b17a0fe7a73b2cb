"""Bundled step and task archives (issue 9) on zips built here: members taken from their
archive in every source, bounded; the folder on disk lists them; a download saves them."""

from __future__ import annotations

import io
import json
import random
import threading
import zipfile
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from tui.core import bundles
from tui.core.bundles import BundleReader, take_member
from tui.core.cache import ArtifactCache, cache_scope
from tui.core.catalog import Category, member_name
from tui.core.download import download_run
from tui.core.errors import ArtifactUnavailable, ParseError
from tui.core.model import Artifact
from tui.core.opening import open_data
from tui.core.opening.models import FileModel
from tui.core.sources.api import ApiSettings, ApiSource
from tui.core.sources.local import LocalSource



def _png(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), colour).save(buffer, "PNG")
    return buffer.getvalue()


PNG = _png("white")
STEP_MEMBERS = {
    "scrape.html": b"<html><body>scraped</body></html>",
    "id_css_map.json": b'{"AAAB": "#q"}',
    "id_frame_map.json": b'{"AAAB": "main.frame"}',
    "element_tree.json": b'[{"id": "AAAB", "tagName": "input"}]',
    "element_tree_trimmed.json": b'[{"id": "AAAB"}]',
    "element_tree_in_prompt.txt": b'<input id="AAAB">',
    "screenshot_llm_0.png": _png("red"),
    "llm_prompt_0.txt": b"You are a browser agent.",
    "llm_request_0.json": b'{"model": "stub"}',
    "llm_response_0.json": json.dumps({"choices": [{"message": {"role": "assistant", "content": '{"actions": []}'}}]}).encode(),
    "llm_response_parsed_0.json": b'{"actions": []}',
    "llm_prompt_1.txt": b"Is the goal achieved?",
    "llm_response_1.json": json.dumps({"choices": [{"message": {"role": "assistant", "content": '{"done": true}'}}]}).encode(),
    "screenshot_action_0.png": _png("blue"),
    "html_action_0.html": b"<html>after the click</html>",
}
TASK_MEMBERS = {"har.har": b'{"log": {"entries": []}}', "browser_console.log": b"[log] hello\n"}
EXPECTED_TYPES = {
    "scrape.html": "html_scrape",
    "id_css_map.json": "visible_elements_id_css_map",
    "id_frame_map.json": "visible_elements_id_frame_map",
    "element_tree.json": "visible_elements_tree",
    "element_tree_trimmed.json": "visible_elements_tree_trimmed",
    "element_tree_in_prompt.txt": "visible_elements_tree_in_prompt",
    "screenshot_llm_0.png": "screenshot_llm",
    "llm_prompt_0.txt": "llm_prompt",
    "llm_request_0.json": "llm_request",
    "llm_response_0.json": "llm_response",
    "llm_response_parsed_0.json": "llm_response_parsed",
    "llm_prompt_1.txt": "llm_prompt",
    "llm_response_1.json": "llm_response",
    "screenshot_action_0.png": "screenshot_action",
    "html_action_0.html": "html_action",
    "har.har": "har",
    "browser_console.log": "browser_console_log",
}


def make_zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            # A fixed time: the same members make the same bytes, whenever the clock ticks.
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 11, 28, 13, 0, 0)), data, compress_type=method)
    return buffer.getvalue()


def member_row(key: str, uri: str = "file:///srv/a_step_step_archive.zip", **extra) -> Artifact:
    return Artifact(f"a_{key}", member_name(key).artifact_type, uri=uri, bundle_key=key, **extra)


# -- the member name table ------------------------------------------------------------------
def test_member_names_give_the_api_types_and_llm_call():
    for name, artifact_type in EXPECTED_TYPES.items():
        assert member_name(name).artifact_type == artifact_type, name
    assert member_name("llm_response_parsed_3.json").call_index == 3
    assert member_name("hashed_href_map_2.json").call_index == 2
    # Screenshots and action HTML are numbered by their own counters, not the LLM call.
    assert member_name("screenshot_llm_3.png").number == 3
    assert member_name("screenshot_llm_3.png").call_index is None
    assert member_name("trace.zip").artifact_type == "trace"
    assert member_name("mystery.bin").artifact_type == "mystery"  # unknown: lands in files
    assert Artifact.from_api({"artifact_id": "a_1", "artifact_type": "llm_prompt", "bundle_key": "llm_prompt_4.txt",
                              "uri": "file:///x/y_step_archive.zip"}).call_index == 4


def test_a_member_row_has_its_own_extension_not_its_archives():
    row = member_row("screenshot_llm_0.png")
    assert row.ext == "png" and row.category is Category.VISUAL


# -- taking a member from its archive ---------------------------------------------------------
def test_each_member_is_taken_from_its_archive():
    archive = make_zip(STEP_MEMBERS)
    for key, data in STEP_MEMBERS.items():
        assert take_member(member_row(key), archive) == data


def test_a_member_served_extracted_is_kept_as_it_is():
    assert take_member(member_row("llm_prompt_0.txt"), b"You are a browser agent.") == b"You are a browser agent."
    row = Artifact("a_x", "screenshot", uri="file:///x.png")  # not bundled: never opened as a zip
    archive = make_zip({"x": b"y"})
    assert take_member(row, archive) == archive


def test_a_zip_member_is_told_apart_from_its_archive():
    trace = make_zip({"trace.trace": b"{}\n"})
    row = member_row("trace.zip", uri="file:///srv/t_task_archive.zip")
    assert take_member(row, make_zip({"har.har": b"{}", "trace.zip": trace})) == trace  # local storage
    assert take_member(row, trace) == trace  # S3: the server extracted it


def test_damaged_archive_is_a_parse_error():
    archive = make_zip(STEP_MEMBERS)
    with pytest.raises(ParseError, match="not a readable zip"):
        take_member(member_row("scrape.html"), b"PK\x03\x04" + b"\xff" * 200)
    with pytest.raises(ParseError, match="not a readable zip"):
        take_member(member_row("scrape.html"), archive[: len(archive) // 2])  # cut short: no directory


def test_corrupt_member_bytes_are_a_parse_error():
    data = bytearray(make_zip({"scrape.html": random.Random(1).randbytes(5000)}))
    start = data.index(b"scrape.html") + len(b"scrape.html")  # the local header's name, then data
    data[start + 100 : start + 150] = b"\0" * 50  # inside the member: its CRC no longer matches
    with pytest.raises(ParseError, match="damaged"):
        take_member(member_row("scrape.html"), bytes(data))


def test_missing_member_says_what_the_archive_holds():
    with pytest.raises(ArtifactUnavailable, match=r"no member of that name.*scrape\.html"):
        take_member(member_row("llm_prompt_9.txt"), make_zip({"scrape.html": b"x"}))


def test_zip_bomb_is_refused():
    bomb = make_zip({"scrape.html": b"\0" * (32 * 1024 * 1024)})
    assert len(bomb) < 100_000
    with pytest.raises(ParseError, match="zip bomb"):
        take_member(member_row("scrape.html"), bomb)


def test_member_over_the_size_limit_is_refused(monkeypatch):
    monkeypatch.setattr(bundles, "MAX_MEMBER_BYTES", 1000)
    archive = make_zip({"scrape.html": b"x" * 2000, "id_css_map.json": b"{}"}, zipfile.ZIP_STORED)
    with pytest.raises(ParseError, match="too large"):
        take_member(member_row("scrape.html"), archive)
    assert take_member(member_row("id_css_map.json"), archive) == b"{}"


@settings(max_examples=200, deadline=None)
@given(st.one_of(
    st.binary(max_size=400),
    st.binary(max_size=400).map(lambda b: b"PK\x03\x04" + b),
    st.integers(min_value=0, max_value=4000).map(lambda n: make_zip(STEP_MEMBERS)[:n]),
    st.tuples(st.integers(0, 3000), st.binary(min_size=1, max_size=8)).map(
        lambda t: (lambda z: z[: t[0]] + t[1] + z[t[0] + len(t[1]) :])(make_zip(STEP_MEMBERS))),
))
def test_broken_bytes_raise_only_the_projects_errors(data: bytes):
    for key in ("scrape.html", "llm_prompt_0.txt", "trace.zip"):
        try:
            out = take_member(member_row(key), data)
        except (ParseError, ArtifactUnavailable):
            continue
        assert isinstance(out, bytes)


# -- one fetch of an archive for all its members ----------------------------------------------
def test_an_archive_is_fetched_once_for_all_its_members_even_in_parallel():
    archive = make_zip(STEP_MEMBERS)
    calls: list[str] = []
    reader = BundleReader()

    def fetch(artifact: Artifact) -> bytes:
        calls.append(artifact.artifact_id)
        return archive

    results: dict[str, bytes] = {}
    threads = [threading.Thread(target=lambda k=k: results.__setitem__(k, reader.read(member_row(k), fetch)))
               for k in STEP_MEMBERS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == STEP_MEMBERS
    assert len(calls) == 1 and reader.fetches == 1
    archive_row = Artifact("a_step", "step_archive", uri=member_row("x").uri)
    assert reader.read(archive_row, fetch) == archive and len(calls) == 1  # the archive row: kept too


def test_kept_archives_are_bounded_in_memory():
    archives = {f"file:///srv/{i}_step_archive.zip": make_zip({"scrape.html": bytes([i]) * 3000}, zipfile.ZIP_STORED)
                for i in range(4)}
    reader = BundleReader(keep_bytes=7000)  # two archives of ~3 KB fit
    fetched: list[str] = []

    def fetch(artifact: Artifact) -> bytes:
        assert artifact.uri is not None
        fetched.append(artifact.uri)
        return archives[artifact.uri]

    for uri in archives:
        assert reader.read(member_row("scrape.html", uri=uri), fetch) == bytes([int(uri[12])]) * 3000
    assert sum(len(v) for v in reader._kept.values()) <= 7000 and len(reader._kept) == 2
    reader.read(member_row("scrape.html", uri=list(archives)[0]), fetch)  # dropped: fetched again
    assert len(fetched) == 5


def test_members_served_extracted_are_fetched_each():
    reader = BundleReader()
    served = {"a_scrape.html": b"<html>", "a_id_css_map.json": b"{}"}
    assert reader.read(member_row("scrape.html"), lambda a: served[a.artifact_id]) == b"<html>"
    assert reader.read(member_row("id_css_map.json"), lambda a: served[a.artifact_id]) == b"{}"
    assert not reader._kept


# -- from the API ------------------------------------------------------------------------------
class BundledApi:
    """A Skyvern API on local storage with bundling on: member rows' content is the whole zip."""

    def __init__(self) -> None:
        self.archives = {"a_step": make_zip(STEP_MEMBERS), "a_task": make_zip(TASK_MEMBERS)}
        self.rows: list[dict] = []
        for archive_id, members, archive_type in (("a_step", STEP_MEMBERS, "step_archive"),
                                                  ("a_task", TASK_MEMBERS, "task_archive")):
            uri = f"file:///nowhere/o_1/tsk_1/00_0_stp_1/2026-11-28T13:00:00.000000_{archive_id}_{archive_type}.zip"
            self.rows.append(self._row(archive_id, archive_type, uri, None))
            for i, key in enumerate(members):
                self.rows.append(self._row(f"a_{archive_id[2:]}{i}", EXPECTED_TYPES[key], uri, key))
        self.content_hits: list[str] = []

    @staticmethod
    def _row(artifact_id: str, artifact_type: str, uri: str, key: str | None) -> dict:
        return {"artifact_id": artifact_id, "artifact_type": artifact_type, "uri": uri, "bundle_key": key,
                "file_size": None, "checksum": None, "task_id": "tsk_1", "step_id": "stp_1",
                "created_at": "2026-11-28T13:00:00", "signed_url": f"http://skyvern.test/v1/artifacts/{artifact_id}/content?sig=x"}

    def archive_of(self, row: dict) -> bytes:
        return self.archives["a_step" if "step_archive" in row["uri"] else "a_task"]

    def handler(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/v1/runs/tsk_1":
            return httpx.Response(200, json={"run_id": "tsk_1", "status": "completed", "run_type": "task_v1"})
        if path == "/v1/runs/tsk_1/artifacts":
            return httpx.Response(200, json=self.rows)
        if path == "/api/v1/tasks/tsk_1/steps":
            return httpx.Response(200, json=[{"step_id": "stp_1", "order": 0, "retry_index": 0, "status": "completed"}])
        if path.startswith("/v1/artifacts/") and path.endswith("/content"):
            artifact_id = path.split("/")[3]
            row = next(r for r in self.rows if r["artifact_id"] == artifact_id)
            self.content_hits.append(artifact_id)
            return httpx.Response(200, content=self.archive_of(row))  # the whole zip, as local storage does
        return httpx.Response(404, json={"detail": "not found"})

    def source(self, cache: Path | None = None) -> ApiSource:
        settings_ = ApiSettings(base_url="http://skyvern.test", api_key="k", retries=0)
        return ApiSource(settings_, cache, transport=httpx.MockTransport(self.handler))


def expected_bytes(artifact: Artifact) -> bytes:
    if artifact.bundle_key is None:
        return make_zip(STEP_MEMBERS if artifact.artifact_type == "step_archive" else TASK_MEMBERS)
    return {**STEP_MEMBERS, **TASK_MEMBERS}[artifact.bundle_key]


def test_api_members_open_as_their_own_bytes_with_one_fetch_per_archive(tmp_path: Path):
    api = BundledApi()
    with api.source(tmp_path / "cache") as source:
        detail = source.load_run("tsk_1")
        members = [a for a in detail.artifacts if a.bundle_key]
        assert len(members) == len(STEP_MEMBERS) + len(TASK_MEMBERS)
        for artifact in members:
            assert source.read_bytes(artifact) == expected_bytes(artifact), artifact.bundle_key
        assert len(api.content_hits) == 2  # one per archive, not one per member
        prompts = [a for a in members if a.artifact_type == "llm_prompt"]
        assert sorted(a.call_index for a in prompts) == [0, 1]
    # The disk cache holds the member, not the zip: a new process reads it without the network.
    cache = ArtifactCache(tmp_path / "cache")
    prompt = next(a for a in members if a.bundle_key == "llm_prompt_0.txt")
    assert cache.get(cache_scope("http://skyvern.test:80", "k"), prompt.artifact_id) == STEP_MEMBERS["llm_prompt_0.txt"]
    with api.source(tmp_path / "cache") as again:
        assert again.read_bytes(prompt) == STEP_MEMBERS["llm_prompt_0.txt"]
    assert len(api.content_hits) == 2


def test_api_member_missing_from_its_archive_is_unavailable():
    api = BundledApi()
    api.rows.append(BundledApi._row("a_lost", "llm_prompt", api.rows[0]["uri"], "llm_prompt_7.txt"))
    with api.source() as source:
        lost = next(a for a in source.load_run("tsk_1").artifacts if a.artifact_id == "a_lost")
        with pytest.raises(ArtifactUnavailable, match="llm_prompt_7.txt"):
            source.read_bytes(lost)


# -- after download ---------------------------------------------------------------------------
def test_download_saves_each_member_as_its_own_file(tmp_path: Path):
    api = BundledApi()
    dest = tmp_path / "run"
    with api.source() as source:
        result = download_run(source, "tsk_1", dest)
        online = source.load_run("tsk_1")
    assert result.complete and result.total == len(api.rows)
    assert len(api.content_hits) == 2
    names = {p.name for p in (dest / "files").iterdir()}
    prompt = next(a for a in online.artifacts if a.bundle_key == "llm_prompt_0.txt")
    assert f"{prompt.artifact_id}_llm_prompt.txt" in names
    assert "a_step_step_archive.zip" in names
    back = LocalSource(dest).load_run("tsk_1")
    assert sorted((a.artifact_id, a.artifact_type, a.step_id, a.call_index) for a in back.artifacts) == sorted(
        (a.artifact_id, a.artifact_type, a.step_id, a.call_index) for a in online.artifacts)
    local = LocalSource(dest)
    for artifact in back.artifacts:
        assert artifact.path is not None and artifact.path.read_bytes() == expected_bytes(artifact)
        assert local.read_bytes(artifact) == expected_bytes(artifact)


def test_an_older_download_holding_the_archive_per_member_still_opens(tmp_path: Path):
    api = BundledApi()
    dest = tmp_path / "run"
    with api.source() as source:
        download_run(source, "tsk_1", dest)
    for row in api.rows:  # what earlier versions wrote: the zip under each member's name
        if row["bundle_key"]:
            for path in (dest / "files").glob(f"{row['artifact_id']}_*"):
                path.write_bytes(api.archive_of(row))
    local = LocalSource(dest)
    for artifact in local.load_run("tsk_1").artifacts:
        assert local.read_bytes(artifact) == expected_bytes(artifact)


# -- the folder on disk (ARTIFACT_STORAGE_PATH) -------------------------------------------------
def storage_tree(root: Path, step_archive: bytes | None = None) -> Path:
    step = root / "o_1" / "tsk_1" / "00_0_stp_1"
    step.mkdir(parents=True)
    (step / "2026-11-28T13:00:01.000000_a_10_step_archive.zip").write_bytes(step_archive or make_zip(STEP_MEMBERS))
    last = root / "o_1" / "tsk_1" / "01_0_stp_2"
    last.mkdir(parents=True)
    (last / "2026-11-28T13:00:05.000000_a_11_step_archive.zip").write_bytes(make_zip({"scrape.html": b"<p>2</p>"}))
    (last / "2026-11-28T13:00:06.000000_a_12_task_archive.zip").write_bytes(make_zip(TASK_MEMBERS))
    (last / "2026-11-28T13:00:07.000000_a_13_screenshot_final.png").write_bytes(PNG)  # flat, not bundled
    return root


def test_storage_tree_lists_every_member_in_its_step(tmp_path: Path):
    source = LocalSource(storage_tree(tmp_path))
    detail = source.load_run("tsk_1")
    by_id = {a.artifact_id: a for a in detail.artifacts}
    # The archives stay listed (Files), and each member is listed once, typed from its name.
    assert by_id["a_10"].artifact_type == "step_archive" and by_id["a_10"].category is Category.FILES
    first = [a for a in detail.artifacts if a.bundle_key and a.step_id == "stp_1"]
    assert {a.bundle_key: a.artifact_type for a in first} == {k: EXPECTED_TYPES[k] for k in STEP_MEMBERS}
    task = {a.bundle_key: a for a in detail.artifacts if a.bundle_key and a.uri == by_id["a_12"].uri}
    assert {k: a.artifact_type for k, a in task.items()} == {k: EXPECTED_TYPES[k] for k in TASK_MEMBERS}
    assert all(a.step_id == "stp_2" and a.task_id == "tsk_1" for a in task.values())
    assert len(detail.artifacts) == 4 + len(STEP_MEMBERS) + 1 + len(TASK_MEMBERS)
    assert {a.call_index for a in first if a.artifact_type.startswith("llm_")} == {0, 1}
    # Grouped by step: the members of step 1 in step 1, the run-level HAR and console in "Run".
    groups = {g.label: g for g in detail.groups()}
    assert {a.bundle_key for a in groups["Step 1"].artifacts} >= set(STEP_MEMBERS)
    assert {a.artifact_type for a in groups["Run"].artifacts} == {"har", "browser_console_log"}
    for artifact in detail.artifacts:
        if artifact.bundle_key:
            assert source.read_bytes(artifact) == {**STEP_MEMBERS, **TASK_MEMBERS, "scrape.html": (
                STEP_MEMBERS["scrape.html"] if artifact.step_id == "stp_1" else b"<p>2</p>")}[artifact.bundle_key]
    assert source.read_bytes(by_id["a_10"]) == make_zip(STEP_MEMBERS)  # the archive row: the zip


def test_a_damaged_archive_on_disk_lists_alone_and_says_why_when_opened(tmp_path: Path):
    source = LocalSource(storage_tree(tmp_path, step_archive=b"PK\x03\x04 not really a zip"))
    detail = source.load_run("tsk_1")
    assert [a for a in detail.artifacts if a.step_id == "stp_1"] == [
        a for a in detail.artifacts if a.artifact_id == "a_10"]
    archive = next(a for a in detail.artifacts if a.artifact_id == "a_10")
    opened = open_data(archive, source.read_bytes(archive))
    assert isinstance(opened.model, FileModel) and "cannot be read" in opened.model.content.note


def test_every_member_on_disk_opens_in_its_viewer_and_the_archive_as_a_listing(tmp_path: Path):
    source = LocalSource(storage_tree(tmp_path))
    detail = source.load_run("tsk_1")
    for artifact in detail.artifacts:
        opened = open_data(artifact, source.read_bytes(artifact), detail)  # raises on bytes of the wrong kind
        assert opened.kind == artifact.kind.viewer or opened.kind == artifact.kind.format.value, artifact
    archive = next(a for a in detail.artifacts if a.artifact_id == "a_10")
    model = open_data(archive, source.read_bytes(archive)).model
    assert isinstance(model, FileModel) and model.content.kind == "zip"
    assert sorted(name for name, _size, _packed in model.content.members) == sorted(STEP_MEMBERS)


def test_the_list_and_the_details_show_the_llm_call_and_the_member():
    from tui.ui.viewers.metadata import metadata_rows
    from tui.ui.widgets.artifact_list import artifact_prompt

    prompt = member_row("llm_prompt_1.txt")
    assert "2·llm_prompt" in artifact_prompt(prompt).plain
    assert "·" not in artifact_prompt(member_row("screenshot_llm_1.png")).plain  # its N is no LLM call
    rows = dict(metadata_rows(prompt))
    assert rows["LLM call"] == "2 of its step" and rows["In archive as"] == "llm_prompt_1.txt"

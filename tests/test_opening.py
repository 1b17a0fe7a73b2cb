"""The one opening path (tui.core.opening): bytes through the source, siblings, true sizes,
big logs, bounded bodies."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import pytest
from apptools import make_run
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.errors import ArtifactUnavailable, ParseError
from tui.core.formats.bodies import PRETTY_LIMIT, SHOWN, decoded_head, preview_body
from tui.core.formats.har import entry_body, parse_har
from tui.core.formats.logs import skyvern_log
from tui.core.formats.text import TextDocument
from tui.core.model import Artifact
from tui.core.opening import (
    ElementsModel,
    IdMapModel,
    PromptModel,
    open_artifact,
    open_data,
    openers,
    read_rest_of_log,
)

LOG = b"2026-11-28T16:00:00.000000Z [info     ] Started  run=1\n2026-11-28T16:00:01.000000Z [error    ] Broke  why=x\n"


def _open(source, artifact_type: str):
    detail = source.load_run("tsk_test")
    artifact = next(a for a in detail.artifacts if a.artifact_type == artifact_type)
    return artifact, open_artifact(artifact, source, detail)


def test_an_element_tree_opens_with_the_css_map_of_its_step(tmp_path: Path):
    tree = [{"id": "AAAB", "tagName": "button", "interactable": True, "children": []}]
    source = make_run(tmp_path, [
        ("visible_elements_tree", "tree.json", json.dumps(tree).encode()),
        ("visible_elements_id_css_map", "css.json", json.dumps({"AAAB": "#go"}).encode()),
    ])
    _, opened = _open(source, "visible_elements_tree")
    assert opened.kind == "element_tree"
    assert isinstance(opened.model, ElementsModel)
    assert opened.model.css == {"AAAB": "#go"}
    assert [e.element_id for e in opened.model.tree.elements] == ["AAAB"]


def test_a_prompt_opens_with_its_step_hrefs_resolved_and_the_tree_it_saw(tmp_path: Path):
    key = "_" + "a" * 64
    source = make_run(tmp_path, [
        ("visible_elements_tree", "tree.json", b"[]"),
        ("hashed_href_map", "hrefs.json", json.dumps({key: "https://example.com/next"}).encode()),
        ("llm_prompt", "prompt.txt", ("Click {{" + key + "}} now").encode()),
    ])
    _, opened = _open(source, "llm_prompt")
    assert isinstance(opened.model, PromptModel)
    assert "https://example.com/next" in "\n".join(opened.model.doc.lines)
    assert opened.model.tree is not None and opened.model.tree.artifact_type == "visible_elements_tree"
    assert opened.size == len(("Click {{" + key + "}} now").encode())


def test_a_file_over_the_limit_is_not_read(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(openers, "CONTENT_LIMIT", 10)
    source = make_run(tmp_path, [("download", "big.bin", b"\x00" * 100)])
    detail = source.load_run("tsk_test")

    class NoReads:
        def read_bytes(self, artifact: Artifact) -> bytes:
            raise AssertionError("read a file too big to show")

    opened = open_artifact(detail.artifacts[0], NoReads(), detail)
    assert opened.kind == "binary" and opened.model.content is None
    assert opened.model.size == 100  # measured on the disk, without reading it


def test_a_big_local_log_opens_with_its_head_and_its_true_size(tmp_path: Path, monkeypatch):
    from tui.core.formats import logs

    monkeypatch.setattr(openers, "BIG_LOG", 1000)
    monkeypatch.setattr(logs, "HEAD", 200)
    data = LOG * 50
    source = make_run(tmp_path, [("skyvern_log", "run.log", data)])
    artifact, opened = _open(source, "skyvern_log")
    log = opened.model
    assert opened.size == len(data)  # from the file now, not the listing's file_size
    assert not log.complete and 0 < len(log.lines) < 100
    read_rest_of_log(artifact, log)
    assert log.complete and log.lines == skyvern_log(data).lines


def test_an_unknown_type_opens_as_file_details_and_a_json_one_as_text():
    opened = open_data(Artifact("a_1", "hologram"), b"\x00\x01")
    assert opened.kind == "binary"
    opened = open_data(Artifact("a_2", "visible_elements_id_xpath_map"), b'{"AAAB": "/html"}')
    assert opened.kind == "id_map" and isinstance(opened.model, IdMapModel) and opened.model.rows == [("AAAB", "/html")]
    opened = open_data(Artifact("a_3", "something_new", uri="file:///x/thing.json"), b'{"a": 1}')
    assert opened.kind == "json" and isinstance(opened.model, TextDocument)


def test_bad_bytes_raise_the_typed_error_and_open_data_reads_only_its_artifact():
    with pytest.raises(ParseError):
        open_data(Artifact("a_1", "screenshot"), b"not a png")
    with pytest.raises(ParseError):
        open_data(Artifact("a_2", "har"), b"{")
    source = openers.GivenBytes(Artifact("a_1", "screenshot"), b"")
    with pytest.raises(ArtifactUnavailable):
        source.read_bytes(Artifact("a_9", "screenshot"))


# --- bodies --------------------------------------------------------------------------------------
def _har(text: str, mime: str = "application/json", encoding: str | None = None) -> bytes:
    content = {"mimeType": mime, "text": text, **({"encoding": encoding} if encoding else {})}
    entry = {"startedDateTime": "2026-01-01T00:00:00Z", "time": 1, "request": {"method": "GET", "url": "https://x/"},
             "response": {"status": 200, "content": content}}
    return json.dumps({"log": {"entries": [entry]}}).encode()


def test_a_small_json_body_is_pretty_printed_whole():
    entry = parse_har(_har(base64.b64encode(b'{"a": [1, 2]}').decode(), encoding="base64")).entries[0]
    body = entry_body(entry)
    assert body is not None and body.text == '{\n  "a": [\n    1,\n    2\n  ]\n}' and body.more == 0


def test_a_huge_body_is_cut_without_decoding_or_indenting_all_of_it():
    raw = json.dumps([{"n": i, "pad": "x" * 40} for i in range(150_000)]).encode()  # about 8 MB
    entry = parse_har(_har(base64.b64encode(raw).decode(), encoding="base64")).entries[0]
    started = time.perf_counter()
    body = entry_body(entry)
    took = time.perf_counter() - started
    assert body is not None
    assert raw.decode().startswith(body.text) and len(body.text) == SHOWN
    assert body.unit == "bytes" and body.more == len(raw) - SHOWN
    assert "not pretty-printed" in body.note
    assert took < 1.0, took  # whole, this took 3.3 s on the test machine; bounded it is ~10 ms


def test_json_nested_too_deep_is_shown_as_it_came():
    deep = b"[" * 100_000 + b"]" * 100_000  # json.loads raises RecursionError on it
    assert len(deep) < PRETTY_LIMIT
    body = preview_body(deep, "application/json")
    assert body.text == deep.decode() and body.more == 0


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000), st.integers(min_value=1, max_value=4000))
def test_decoded_head_is_the_start_of_the_whole_body(data: bytes, limit: int):
    text = base64.b64encode(data).decode()
    head, total = decoded_head(text, "base64", limit)
    assert data.startswith(head) and len(head) == min(limit, len(data))
    assert total == len(data)


def test_a_big_element_tree_on_this_disk_opens_with_its_first_nodes_and_a_reader_of_the_rest(
        tmp_path: Path, monkeypatch):
    from tui.core import offload

    monkeypatch.setattr(openers, "BIG_TREE", 0)  # every local tree counts as big
    monkeypatch.setattr(openers, "FIRST_ELEMENTS", 1)
    monkeypatch.setattr(offload, "OFFLOAD_MIN", 0)
    tree = [{"id": f"R{n}", "tagName": "section", "children": [{"tagName": "a", "text": "x" * 2000}] * 400}
            for n in range(20)]
    data = json.dumps(tree).encode()
    source = make_run(tmp_path, [("visible_elements_tree", "tree.json", data)])
    monkeypatch.setattr(source, "read_bytes", lambda artifact: pytest.fail("read through the source"))
    _, opened = _open(source, "visible_elements_tree")
    model = opened.model
    assert opened.size == len(data)
    assert 0 < len(model.tree) < 20 * 401 and model.reader is not None
    assert model.reader.read()
    assert len(model.tree) == 20 * 401 and model.tree.elements[401].element_id == "R1"

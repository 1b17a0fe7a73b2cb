"""A big element tree read in pieces: the splitter (formats.element_frames), the child process
(core.offload), the tree that grows while it is read (TreeReader) and the viewer that shows it."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Tree

from tui.core import offload
from tui.core.errors import ParseError
from tui.core.formats import element_frames, elements
from tui.core.formats.element_frames import RESET, frames, read_frame
from tui.core.formats.elements import ElementTree, TreeReader, parse_tree, tree_from_json
from tui.core.formats.jsonload import load_json
from tui.core.model import Artifact
from tui.core.opening import ElementsModel
from tui.ui.viewers.elements import ElementTreeViewer, LazyElementTree
from tui.ui.widgets.error_panel import ErrorPanel

DEMO_FILES = Path(__file__).resolve().parent.parent / "assets" / "demo" / "files"
TREES = sorted(DEMO_FILES.glob("*_visible_elements_tree*.json"))


def page(sections: int = 30, rows: int = 20, text: str = "row") -> list[dict]:
    """Sections of rows of links, with fields after "children" as Skyvern writes them."""
    made = iter(range(10**7))

    def node(tag: str, words: str, children: list[dict]) -> dict:
        n = next(made)
        return {"id": f"E{n:05d}", "frame": "main.frame", "interactable": tag == "a", "tagName": tag,
                "attributes": {"unique_id": f"E{n:05d}", "title": "é€😀 \"children\": ["},
                "text": f"{words} {n}", "children": children, "purgeable": False, "xpath": f"/x[{n}]"}

    return [node("section", f"section {s}", [node("div", text, [node("a", "Spur gear", [])]) for _ in range(rows)])
            for s in range(sections)]


def flat(tree: ElementTree) -> list[tuple]:
    """Everything a tree says of each node, to compare two readings of the same bytes."""
    return [(e.index, e.parent, e.depth, e.tag, e.element_id, e.attributes, e.text, e.interactable, e.raw,
             e.children, e.end) for e in tree.elements]


def reference(data: bytes) -> list[tuple]:
    """The tree as the whole document decodes (json.loads), flattened the same way."""
    return flat(tree_from_json(json.loads(data)))


@pytest.fixture
def no_whole_read(monkeypatch):
    """Fail if the splitter gives up and reads the document whole."""
    def whole(data):
        raise AssertionError("read whole")
        yield b""  # pragma: no cover

    monkeypatch.setattr(element_frames, "_whole", whole)


@pytest.mark.parametrize("piece", [64, 1000, 1 << 20])
@pytest.mark.parametrize("layout", ["compact", "spaced", "indented", "one root"])
def test_the_splitter_gives_the_nodes_the_whole_document_has(monkeypatch, no_whole_read, piece, layout):
    monkeypatch.setattr(element_frames, "PIECE", piece)  # 64: every node is split into its children
    nodes: object = page()
    if layout == "one root":
        nodes = {"tagName": "html", "id": "ROOT", "children": nodes, "xpath": "/html"}
    dumps = {"compact": lambda v: json.dumps(v, separators=(",", ":")), "spaced": json.dumps,
             "indented": lambda v: json.dumps(v, indent=2), "one root": json.dumps}[layout]
    data = dumps(nodes).encode()
    assert flat(parse_tree(data)) == reference(data)


@pytest.mark.parametrize("path", TREES, ids=lambda p: p.name)
def test_demo_trees_read_in_pieces_as_whole(monkeypatch, no_whole_read, path):
    monkeypatch.setattr(element_frames, "PIECE", 200)
    data = path.read_bytes()
    assert flat(parse_tree(data)) == reference(data)


def test_the_first_frame_comes_before_the_rest_is_parsed(monkeypatch):
    data = json.dumps(page(sections=50, rows=200)).encode()  # 5 MB: sections of 400 nodes
    parsed = []
    real_loads = element_frames.orjson.loads

    def counting(value):
        parsed.append(len(value))
        return real_loads(value)

    monkeypatch.setattr(element_frames.orjson, "loads", counting)
    first = next(frames(data))
    # The first frame holds the first section; the pieces parsed for it are a small part of the file.
    header, _ = read_frame(first)
    assert header[0] == 0 and header[2][0] == "section"
    assert sum(parsed) < len(data) // 5


def test_what_orjson_refuses_is_read_whole_with_jsons_values_after_a_reset(monkeypatch):
    monkeypatch.setattr(element_frames, "PIECE", 64)
    monkeypatch.setattr(element_frames, "FIRST_FRAME", 1)
    nodes = page(sections=3, rows=2)
    data = json.dumps(nodes).encode()[:-1] + b', {"tagName": "p", "x": NaN, "big": 123456789012345678901234}]'
    sent = list(frames(data))
    assert RESET in sent[1:]  # frames had gone out before the NaN: the reader starts again
    tree = parse_tree(data)
    assert flat(tree) == reference(data)
    last = tree.elements[-1]
    assert last.raw["big"] == 123456789012345678901234 and last.raw["x"] != last.raw["x"]  # NaN


@pytest.mark.parametrize("data", [
    b"", b"[1]", b'"x"', b'[{"children": [1]}]', b'[{"a":1},]', b'[{"a": "\xff"}]', b"[{}] x", b"{",
    b'[{"a": 1, "children": [{"b": 2}], "children": []}]',
])
def test_broken_trees_say_what_json_says(monkeypatch, data):
    monkeypatch.setattr(element_frames, "PIECE", 8)
    try:
        expected = reference(data)
    except (ValueError, ParseError, AttributeError, TypeError):
        expected = None
    if expected is None:
        with pytest.raises(ParseError) as raised:
            parse_tree(data)
        try:
            decoded = load_json(data, "The element tree")
        except ParseError as exc:
            assert str(raised.value) == str(exc)
        else:
            with pytest.raises(ParseError) as whole:
                tree_from_json(decoded)
            assert str(raised.value) == str(whole.value)
    else:  # a second "children" wins, as in json
        assert flat(parse_tree(data)) == expected


@pytest.mark.parametrize("depth, readable", [(400, True), (3000, False)])
def test_a_deep_tree_reads_as_before(depth, readable):
    # 400 levels (800 of JSON) orjson reads; 3,000 neither it nor json does: the same error as before.
    pad = "x" * 400
    opening = "".join(f'{{"tagName": "div", "id": "D{n}", "pad": "{pad}", "children": [' for n in range(depth))
    closing = '], "tail": 1}' * depth
    data = f'[{opening}{{"tagName": "span", "text": "bottom"}}{closing}]'.encode()
    if not readable:
        with pytest.raises(ParseError, match="nested too deeply"):
            parse_tree(data)
        return
    tree = parse_tree(data)
    assert len(tree) == depth + 1 and tree.elements[-1].depth == depth and tree.elements[-1].text == "bottom"
    assert tree.elements[0].raw == {"pad": pad, "tail": 1}


# --- the child process ---------------------------------------------------------------------------
@pytest.fixture
def always_offload(monkeypatch):
    monkeypatch.setattr(offload, "OFFLOAD_MIN", 0)


def test_a_big_tree_is_read_by_a_child_process(always_offload):
    data = json.dumps(page()).encode()
    reader = TreeReader(data)
    assert reader.read()
    assert not reader._offload.in_thread and reader.child_peak and reader.child_peak > 1 << 20
    assert flat(reader.tree) == reference(data)


@pytest.mark.parametrize("offloaded", [True, False])
def test_a_tree_file_is_mapped_by_the_child_and_never_read_here(monkeypatch, tmp_path, offloaded):
    monkeypatch.setattr(offload, "OFFLOAD_MIN", 0 if offloaded else 1 << 40)
    path = tmp_path / "tree.json"
    path.write_text(json.dumps(page(sections=100)))
    reads = []
    real_pread = os.pread
    monkeypatch.setattr(os, "pread", lambda fd, n, at: reads.append(n) or real_pread(fd, n, at))
    fd = os.open(path, os.O_RDONLY)
    reader = TreeReader(fd=fd)
    assert len(reader.tree) > 0  # the first frame, from the file's first bytes
    assert reader.read()
    assert flat(reader.tree) == reference(path.read_bytes())
    if offloaded:
        assert reads == [elements.FIRST_BYTES] and not reader._offload.in_thread
    else:
        assert reader._offload.in_thread  # a small file: read here, whole
    with pytest.raises(OSError):
        os.fstat(fd)  # the reader closed it


def test_a_childs_parse_error_is_the_parse_error(always_offload):
    with pytest.raises(ParseError, match="Element tree node 1 is a int"):
        parse_tree(b'[{"children": [1]}]')


def test_a_child_that_cannot_start_leaves_the_work_to_the_thread(always_offload, monkeypatch):
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    data = json.dumps(page(sections=2)).encode()
    reader = TreeReader(data)
    assert reader.read() and reader._offload.in_thread
    assert flat(reader.tree) == reference(data)


def test_a_child_that_cannot_run_the_task_leaves_it_to_the_thread(always_offload, monkeypatch, tmp_path):
    # An interpreter that exits at once (as one that cannot import us would).
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(fake))
    data = json.dumps(page(sections=2)).encode()
    reader = TreeReader(data)
    assert reader.read() and reader._offload.in_thread
    assert flat(reader.tree) == reference(data)


def test_the_tree_shows_its_first_nodes_before_the_rest_is_read_and_close_kills_the_child(always_offload):
    data = json.dumps(page(sections=200, rows=50)).encode()
    reader = TreeReader(data)
    assert not reader.read(enough=lambda tree: len(tree) > 0)
    tree = reader.tree
    assert 0 < len(tree) < 200 * 101 and not tree.complete
    assert tree.roots[0] == 0 and tree.elements[0].tag == "section"
    process = reader._offload._process
    assert process is not None and process.poll() is None
    reader.close()
    assert process.poll() is not None  # killed, not left behind
    assert not reader.read()  # nothing more comes
    assert not tree.complete


# --- find ----------------------------------------------------------------------------------------
def test_find_builds_elements_only_in_frames_that_hold_the_query(monkeypatch):
    nodes = page(sections=200, rows=20)
    nodes[150]["children"][3]["text"] = "needle-here"
    tree = tree_from_json(nodes)
    built = []
    real = tree.element

    def counting(index):
        built.append(index)
        return real(index)

    monkeypatch.setattr(tree, "element", counting)
    found = tree.find("needle-here", 0)
    assert found is not None and tree.elements[found].text == "needle-here"
    assert len(built) < len(tree) // 4
    # Smart case, and a query the bytes cannot be searched for (spaces) still finds by scanning.
    assert tree.find("NEEDLE-HERE", 0) is None
    assert tree.find("needle-here", found) == found  # wraps around to itself
    assert tree.find("<div", 0) is not None


def brute_find(tree: ElementTree, query: str, start: int, forward: bool) -> int | None:
    from tui.core.search import next_match, text_matcher

    holds = text_matcher(query.strip())
    return next_match(len(tree), start, forward, lambda i: holds(tree.elements[i].haystack()))


@pytest.mark.parametrize("path", TREES, ids=lambda p: p.name)
def test_find_finds_what_a_scan_of_every_element_finds(monkeypatch, path):
    monkeypatch.setattr(element_frames, "PIECE", 300)  # split nodes: some fields come after children
    monkeypatch.setattr(element_frames, "FRAME_NODES", 5)  # many frames, so some are skipped
    monkeypatch.setattr(element_frames, "FIRST_FRAME", 5)
    data = path.read_bytes()
    tree = parse_tree(data)
    words = {w for e in tree.elements for w in e.haystack().split()[:6]}
    queries = sorted(words)[:60] + ["AAAB", "aaab", "#AAAB", "<a", "Add", "add to", "zzz", "type=submit", "a b"]
    for query in queries:
        for start, forward in ((0, True), (len(tree) - 1, False), (len(tree) // 2, True)):
            assert tree.find(query, start, forward) == brute_find(tree, query, start, forward), query


def test_find_sees_fields_written_after_the_children(monkeypatch):
    monkeypatch.setattr(element_frames, "PIECE", 64)
    data = b'[{"tagName": "ul", "children": [{"tagName": "li", "text": "one"}], "text": "late words"}]'
    tree = parse_tree(data)
    assert tree.elements[0].text == "late words" and tree.find("words", 1) == 0


def test_find_lowers_as_str_lower_does():
    tree = tree_from_json([{"tagName": "p", "text": "200 \u212a"}, {"tagName": "p", "text": "x"}])  # Kelvin sign
    assert tree.find("k", 1) == 0


# --- the viewer ----------------------------------------------------------------------------------
class ViewerApp(App):
    def __init__(self, model: ElementsModel) -> None:
        super().__init__()
        self.model = model

    def compose(self) -> ComposeResult:
        yield ElementTreeViewer(Artifact("a_tree", "visible_elements_tree"), self.model)


async def wait_for(pilot, condition, rounds: int = 400) -> None:
    for _ in range(rounds):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("never happened")


async def test_the_viewer_shows_the_first_nodes_then_grows_as_the_rest_is_read(always_offload):
    data = json.dumps(page(sections=120, rows=30)).encode()
    reader = TreeReader(data)
    reader.read(enough=lambda tree: len(tree) > 0)
    first = len(reader.tree)
    model = ElementsModel(reader.tree, {}, reader)
    app = ViewerApp(model)
    async with app.run_test(size=(120, 40)) as pilot:
        viewer = app.query_one(ElementTreeViewer)
        widget = app.query_one(LazyElementTree)
        assert first < 120 * 61
        viewer.go_to("E07300")  # in the last section: not read yet, shown once it is
        await wait_for(pilot, lambda: reader.tree.complete)
        await wait_for(pilot, lambda: len(widget.root.children) == 120)
        assert [str(n.label).split()[0] for n in widget.root.children[:2]] == ["<section", "<section"]
        await wait_for(pilot, lambda: widget.cursor_node is not None and widget.cursor_node.data == 7300)
        await wait_for(pilot, lambda: "reading" not in str(app.query_one(".note").render()))


async def test_a_tree_that_breaks_after_its_first_nodes_becomes_an_error_panel(always_offload, monkeypatch):
    monkeypatch.setattr(element_frames, "FIRST_FRAME", 1)
    good = json.dumps(page(sections=40)).encode()
    data = good[:-1] + b", 7]"
    reader = TreeReader(data)
    reader.read(enough=lambda tree: len(tree) > 0)
    app = ViewerApp(ElementsModel(reader.tree, {}, reader))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: bool(app.query(ErrorPanel)))
        panel = app.query_one(ErrorPanel)
        assert "Element tree node" in panel.reason and "is a int" in panel.reason
        assert not app.query(Tree)


async def test_a_tree_read_again_whole_replaces_what_was_shown(always_offload, monkeypatch):
    monkeypatch.setattr(element_frames, "FIRST_FRAME", 1)
    good = json.dumps(page(sections=40)).encode()
    data = good[:-1] + b', {"tagName": "p", "id": "LAST", "x": NaN}]'  # orjson refuses NaN: json reads it
    reader = TreeReader(data)
    reader.read(enough=lambda tree: len(tree) > 0)
    shown = len(reader.tree)
    app = ViewerApp(ElementsModel(reader.tree, {}, reader))
    async with app.run_test(size=(120, 40)) as pilot:
        assert 0 < shown < 40 * 41 + 1
        await wait_for(pilot, lambda: reader.tree.complete and reader.tree.generation == 1)
        await wait_for(pilot, lambda: len(app.query_one(LazyElementTree).root.children) == 41)
        assert flat(reader.tree) == reference(data)
        assert app.query_one(ElementTreeViewer).go_to("LAST")


async def test_leaving_the_viewer_stops_the_child(always_offload):
    data = json.dumps(page(sections=300, rows=60)).encode()
    reader = TreeReader(data)
    reader.read(enough=lambda tree: len(tree) > 0)
    process = reader._offload._process
    app = ViewerApp(ElementsModel(reader.tree, {}, reader))
    async with app.run_test(size=(120, 40)) as pilot:
        await app.query_one(ElementTreeViewer).remove()
        await pilot.pause()
        assert process is not None and process.wait(timeout=10) is not None
    assert not reader.tree.complete or process.returncode == 0


# --- the run model's look-up -----------------------------------------------------------------------
@pytest.mark.parametrize("in_child", [True, False])
def test_the_run_model_reads_a_tree_only_as_far_as_the_elements_it_looks_for(monkeypatch, in_child):
    from tui.core.run_model import elements as run_elements

    monkeypatch.setattr(offload, "OFFLOAD_MIN", 0 if in_child else 1 << 40)
    nodes = page(sections=200, rows=30)
    whole = parse_tree(json.dumps(nodes).encode())
    data = json.dumps(nodes).encode()[:-1] + b", 7]"  # broken at its very end: never read to
    wanted = {whole.elements[5].element_id, whole.elements[100].element_id}
    found = run_elements.tree_nodes(data, wanted)
    assert {k: (v.index, v.parent, v.depth, v.tag, v.text, v.attributes) for k, v in found.items()} == {
        e.element_id: (e.index, e.parent, e.depth, e.tag, e.text, e.attributes)
        for e in (whole.elements[5], whole.elements[100])}
    # An id the tree does not have is looked for to the end, where the tree is broken.
    with pytest.raises(ParseError, match="is a int"):
        run_elements.tree_nodes(data, {"NOPE"})
    assert run_elements.tree_nodes(json.dumps(nodes).encode(), {"NOPE", "E00003"}).keys() == {"E00003"}


def test_the_run_models_look_up_reads_what_orjson_refuses_as_json_does(monkeypatch):
    from tui.core.run_model import elements as run_elements

    data = b'[{"tagName": "p", "id": "A", "x": NaN, "children": [{"tagName": "b", "id": "B", "text": "t"}]}]'
    found = run_elements.tree_nodes(data, {"B", "A"})
    assert (found["B"].tag, found["B"].text, found["B"].parent, found["A"].tag) == ("b", "t", 0, "p")


async def test_roots_that_come_later_fill_the_first_chunk_then_a_more_node_counts_the_rest(
        always_offload, monkeypatch):
    from tui.ui.viewers.elements import CHUNK, More

    monkeypatch.setattr(element_frames, "FIRST_FRAME", 10)
    monkeypatch.setattr(element_frames, "FRAME_NODES", 50)
    data = json.dumps([{"tagName": "li", "id": f"L{n}", "text": "x" * 3000} for n in range(2 * CHUNK + 5)]).encode()
    reader = TreeReader(data)
    reader.read(enough=lambda tree: len(tree) > 0)
    assert len(reader.tree) < CHUNK
    app = ViewerApp(ElementsModel(reader.tree, {}, reader))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: reader.tree.complete)
        widget = app.query_one(LazyElementTree)
        await wait_for(pilot, lambda: isinstance(widget.root.children[-1].data, More)
                       and f"{CHUNK + 5:,} more" in str(widget.root.children[-1].label))
        assert [n.data for n in widget.root.children[:-1]] == list(range(CHUNK))

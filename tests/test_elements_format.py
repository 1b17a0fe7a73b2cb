"""tui.core.formats.elements on real demo trees, a generated 100,000-node tree and broken input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.app import App, ComposeResult

from tui.core.errors import ParseError
from tui.core.formats.elements import id_map, parse_id_map, parse_tree, tree_from_json
from tui.ui.viewers.elements import CHUNK, EXPAND_ALL_CAP, MAX_DEPTH, LazyElementTree

DEMO_FILES = Path(__file__).resolve().parent.parent / "assets" / "demo" / "files"
TREES = sorted(DEMO_FILES.glob("*_visible_elements_tree.json"))
TRIMMED = sorted(DEMO_FILES.glob("*_visible_elements_tree_trimmed.json"))
PARTS = DEMO_FILES / "a_602148236263207772_visible_elements_tree.json"  # the parts page, with a table


def count_nodes(nodes) -> int:
    return sum(1 + count_nodes(n.get("children") or []) for n in nodes)


def test_demo_has_trees():
    assert len(TREES) >= 3 and len(TRIMMED) >= 3


@pytest.mark.parametrize("path", TREES + TRIMMED, ids=lambda p: p.name)
def test_demo_tree_flattens_every_node_in_document_order(path):
    raw = json.loads(path.read_bytes())
    tree = parse_tree(path.read_bytes())
    assert len(tree) == count_nodes(raw)
    assert [tree.elements[i].tag for i in tree.roots] == [n["tagName"] for n in raw]
    for element in tree.elements:
        # pre-order: a child comes right after its parent or after its previous sibling's subtree
        for child in element.children:
            assert tree.elements[child].parent == element.index
            assert tree.elements[child].depth == element.depth + 1
            assert child > element.index
        assert tree.path(element.index)[-1] == element.index
        below = [e for e in tree.elements[element.index + 1 :] if element.index in tree.path(e.index)]
        assert tree.subtree_size(element.index) == len(below)


def test_full_tree_keeps_ids_attributes_options_and_flags():
    tree = parse_tree(PARTS.read_bytes())
    raw = {n["id"]: n for n in _walk(json.loads(PARTS.read_bytes()))}
    assert set(tree.by_id) == set(raw)
    select = tree.elements[tree.by_id["AAAF"]]
    assert select.tag == "select" and select.interactable
    assert [text for _, text, _ in select.options] == [o["text"] for o in raw["AAAF"]["options"]]
    button = tree.elements[tree.by_id["AAAH"]]
    assert button.attributes["disabled"] == "true"  # non-string values are kept, as JSON
    assert "xpath" in button.raw  # fields the model does not name are kept for the detail panel
    # An <a> inside a table cell: its path goes through the table rows.
    link = tree.by_id["AAAV"]
    assert [tree.elements[i].tag for i in tree.path(link)] == ["table", "tbody", "tr", "td", "a"]


def _walk(nodes):
    for node in nodes:
        yield node
        yield from _walk(node.get("children") or [])


def test_trimmed_tree_has_ids_only_on_interactable_elements():
    tree = parse_tree(TRIMMED[-1].read_bytes())
    assert tree.by_id
    assert all(tree.elements[i].interactable for i in tree.by_id.values())
    assert any(not e.element_id for e in tree.elements)


def test_find_by_id_tag_text_and_attribute_with_wrap_and_direction():
    tree = parse_tree(PARTS.read_bytes())
    by_id = tree.by_id
    assert tree.find("#AAAG", -1) == by_id["AAAG"]
    assert tree.find("show parts", -1) == by_id["AAAG"]  # text, any case when typed in lower case
    assert tree.find("show PARTS", -1) is None  # a capital makes case count (smart case)
    assert tree.find("#aaah", -1) == by_id["AAAH"]
    assert tree.find("#AAAh", -1) == by_id["AAAh"]
    assert tree.find("id=checkout", -1) == by_id["AAAH"]  # attribute
    first_a = tree.find("<a ", -1)
    assert tree.elements[first_a].tag == "a"
    second_a = tree.find("<a ", first_a)
    assert second_a > first_a and tree.elements[second_a].tag == "a"
    assert tree.find("<a ", second_a, forward=False) == first_a
    last_a = tree.find("<a ", first_a, forward=False)  # wraps around to the last link
    assert last_a == max(i for i, e in enumerate(tree.elements) if e.tag == "a")
    assert tree.find("no such thing anywhere", 0) is None
    assert tree.find("   ", 0) is None


def test_labels_keep_a_few_trimmed_attributes():
    tree = parse_tree(TREES[0].read_bytes())
    link = next(e for e in tree.elements if e.tag == "a")
    attrs = dict(link.key_attributes())
    assert attrs["href"].endswith("…") and len(attrs["href"]) <= 40


def generated(fanout=(10, 100, 100)) -> list[dict]:
    """A tree of 10 + 1,000 + 100,000 nodes."""
    counter = iter(range(10**7))

    def make(level: int) -> dict:
        n = next(counter)
        node = {"id": f"G{n:06d}", "tagName": "div", "interactable": n % 7 == 0, "text": f"node {n}",
                "attributes": {"data-n": str(n)}}
        if level < len(fanout):
            node["children"] = [make(level + 1) for _ in range(fanout[level])]
        return node

    return [make(1) for _ in range(fanout[0])]


def test_generated_100k_tree_parses_and_finds():
    tree = tree_from_json(generated())
    assert len(tree) == 101_010
    last = tree.elements[-1]
    assert tree.find(f"#{last.element_id}", 0) == last.index
    assert len(tree.path(last.index)) == 3


def test_deep_chain_does_not_hit_the_recursion_limit():
    node: dict = {"tagName": "span", "text": "bottom"}
    for depth in range(5000):
        node = {"tagName": "div", "id": f"D{depth}", "children": [node]}
    tree = tree_from_json([node])
    assert len(tree) == 5001
    assert tree.elements[-1].depth == 5000


class TreeApp(App):
    def __init__(self, tree) -> None:
        super().__init__()
        self.tree_model = tree

    def compose(self) -> ComposeResult:
        yield LazyElementTree(self.tree_model)


async def test_opening_a_100k_tree_adds_only_the_first_level():
    model = tree_from_json(generated((2000, 50)))  # 2,000 roots of 50 children: 102,000 nodes
    assert len(model) == 102_000
    app = TreeApp(model)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        widget = app.query_one(LazyElementTree)
        # The first chunk of roots and a "more" node; nothing below them.
        assert widget.nodes_added == CHUNK
        assert len(widget.root.children) == CHUNK + 1
        # go_to deep in the model loads only the chunks on the way.
        target = model.by_id["G101999"]
        node = widget.reveal(target)
        widget.move_to(node)
        assert widget.cursor_node is node
        assert widget.nodes_added == 2000 + 50  # all roots (its parent is the last), one child list
        # Expanding all below the root level is capped.
        widget.move_cursor(widget.node_of(model.roots[0]))
        left = widget.expand_below(model.roots[0])
        assert left == 0  # 50 children fit under the cap
        assert widget.nodes_added <= 2000 + 100 + EXPAND_ALL_CAP


async def test_expand_all_of_a_huge_subtree_stops_at_the_cap():
    model = tree_from_json(generated((1, 100, 100)))  # one root over 10,100 nodes
    app = TreeApp(model)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        widget = app.query_one(LazyElementTree)
        left = widget.expand_below(model.roots[0])
        assert left > 0
        assert EXPAND_ALL_CAP <= widget.nodes_added < EXPAND_ALL_CAP + CHUNK + 1


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "not valid JSON"),
        (b"{not json", "not valid JSON"),
        (b"42", "JSON list of nodes"),
        (b'[{"tagName": "div", "children": [7]}]', "not an object"),
    ],
)
def test_broken_trees_raise_parse_error(data, message):
    with pytest.raises(ParseError, match=message):
        parse_tree(data)


def test_single_root_object_and_odd_fields_are_tolerated():
    tree = parse_tree(b'{"tagName": "div", "attributes": null, "children": null, "text": "\\u001b[2J hi", "options": "x"}')
    assert len(tree) == 1
    element = tree.elements[0]
    assert "\x1b" not in element.text and "␛" in element.text  # control characters made visible
    assert element.attributes == {} and element.options == []


def test_id_maps_from_the_demo_and_broken_maps():
    css = max(DEMO_FILES.glob("*_visible_elements_id_css_map.json"))
    rows = parse_id_map(css.read_bytes())
    assert rows[0] == ("AAAB", "[unique_id='AAAB']")
    assert len(rows) == len(json.loads(css.read_bytes()))
    href = min(DEMO_FILES.glob("*_hashed_href_map.json"))
    ((key, value),) = parse_id_map(href.read_bytes())
    assert key.startswith("_") and len(key) == 65 and value.startswith("help.html")
    assert parse_id_map(b'{"a": 1, "b": null}') == [("a", "1"), ("b", "")]
    with pytest.raises(ParseError, match="not valid JSON"):
        parse_id_map(b"\xff\xfe")
    with pytest.raises(ParseError, match="JSON object"):
        parse_id_map(b"[1, 2]")
    assert id_map(b"[1, 2]") == {}


async def test_enter_on_the_more_node_loads_the_next_chunk():
    model = tree_from_json(generated((2 * CHUNK + 5,)))
    app = TreeApp(model)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        widget = app.query_one(LazyElementTree)
        widget.focus()
        more = widget.root.children[-1]
        assert "more" in str(more.label) and widget.nodes_added == CHUNK
        widget.move_to(more)
        await pilot.press("enter")
        await pilot.pause()
        assert widget.nodes_added == 2 * CHUNK
        assert widget.cursor_node.data == model.roots[CHUNK]  # the cursor lands on the first new one
        widget.move_to(widget.root.children[-1])
        await pilot.press("enter")
        await pilot.pause()
        assert widget.nodes_added == len(model) and len(widget.root.children) == len(model)


async def test_a_path_deeper_than_the_tree_can_lay_out_selects_the_deepest_ancestor_shown():
    node: dict = {"tagName": "span", "id": "BOTTOM"}
    for depth in range(3000):
        node = {"tagName": "div", "id": f"D{depth}", "children": [node]}
    model = tree_from_json([node])
    app = TreeApp(model)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        widget = app.query_one(LazyElementTree)
        shown = widget.reveal(model.by_id["BOTTOM"])
        widget.move_to(shown)  # Textual's recursive layout would fail past the limit
        await pilot.pause()
        assert model.elements[shown.data].depth == MAX_DEPTH
        assert not shown.allow_expand
        assert widget.cursor_node is shown
        widget.move_to(widget.node_of(model.roots[0]))
        assert widget.expand_below(model.roots[0]) == 0
        assert widget.nodes_added == MAX_DEPTH + 1


def test_detail_panel_shows_every_field_and_cuts_huge_values():
    from tui.ui.viewers.elements import DETAIL_VALUE, ElementsModel, element_detail

    huge = "data:image/png;base64," + "A" * 100_000
    tree = tree_from_json([{
        "id": "AAAB", "tagName": "img", "interactable": True, "hoverOnly": True, "frame": "iframe-1",
        "attributes": {"src": huge, "alt": "logo"}, "beforePseudoText": "»", "afterPseudoText": "«",
        "text": "", "keepAllAttr": False,
    }])
    text = element_detail(tree.elements[0], ElementsModel(tree, {"AAAB": "[unique_id='AAAB']"})).plain
    for expected in ("css           [unique_id='AAAB']", "frame         iframe-1", "hoverOnly     yes",
                     "::before      »", "::after       «", "alt = logo", "keepAllAttr   false",
                     f"(+{len(huge) - DETAIL_VALUE:,} characters)"):
        assert expected in text
    assert len(text) < DETAIL_VALUE + 1000
    missing = element_detail(tree.elements[0], ElementsModel(tree, {})).plain
    assert "no css map for this step" in missing

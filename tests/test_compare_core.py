"""Comparing two artifacts in core (tui.core.compare): line diffs, tree diffs, action diffs, and
what the demo's artifacts give."""

from __future__ import annotations

import json
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.compare.actions import compare_actions
from tui.core.compare.candidates import other_runs, run_candidates
from tui.core.compare.lines import Hunk, apply_hunks, compare_lines, diff_lines
from tui.core.compare.result import Kind
from tui.core.compare.sides import compare_contents, comparable, read_content, same_kind
from tui.core.compare.trees import compare_trees, tree_changes
from tui.core.formats.elements import tree_from_json
from tui.core.formats.llm import actions_document
from tui.core.located import Located
from tui.core.run_model.model import Place
from tui.core.sources.demo import demo_source

# Few distinct lines, so that texts share lines and repeat them (the hard cases for alignment).
LINE = st.sampled_from(["a", "b", "c", "{", "}", "", "x = 1", "x = 2"])
TEXT = st.lists(LINE, max_size=60)


@given(TEXT)
def test_a_text_compared_with_itself_has_no_change(text: list[str]) -> None:
    assert diff_lines(text, list(text)).hunks == []
    result = compare_lines(text, list(text))
    assert result.same and result.row_changes == [] and result.summary.startswith("No differences")
    assert all(row.kind is Kind.SAME for row in result.rows)


@settings(max_examples=300)
@given(TEXT, TEXT, st.sampled_from([(20_000, 2_000), (5, 3), (0, 0)]))
def test_applying_the_hunks_to_the_left_gives_the_right(left: list[str], right: list[str], bounds: tuple[int, int]) -> None:
    limit, small = bounds  # the default bounds, and tiny ones (anchors, "too different") on small texts
    diff = diff_lines(left, right, limit=limit, small=small)
    assert apply_hunks(left, diff.hunks) == right
    for before, after in zip(diff.hunks, diff.hunks[1:], strict=False):
        assert before.a1 <= after.a0 and before.b1 <= after.b0 and (before.a1, before.b1) != (after.a0, after.b0)
    assert all(isinstance(h, Hunk) and (h.a0 < h.a1 or h.b0 < h.b1) for h in diff.hunks)


@given(TEXT, TEXT)
def test_the_rows_hold_both_texts_and_each_change_starts_at_a_changed_row(left: list[str], right: list[str]) -> None:
    result = compare_lines(left, right)
    assert [r.side.text for r in result.rows if r.kind is not Kind.ADDED] == left
    assert [r.side.text for r in result.rows if r.kind is not Kind.REMOVED] == right
    assert [p.left.text for p in result.pairs if p.left is not None] == left
    assert [p.right.text for p in result.pairs if p.right is not None] == right
    assert len(result.row_changes) == len(result.pair_changes) == len(diff_lines(left, right).hunks)
    assert all(result.rows[i].kind in (Kind.REMOVED, Kind.ADDED) for i in result.row_changes)


def test_a_changed_line_marks_the_characters_that_changed() -> None:
    result = compare_lines(["keep", 'value = "demo"', "end"], ["keep", 'value = "hunter2"', "end"])
    removed, added = (r for r in result.rows if r.kind is not Kind.SAME)
    assert removed.side.marks and added.side.marks
    start, stop = added.side.marks[0]
    assert "hunter2"[0] in added.side.text[start:stop] or added.side.text[start:stop] in "hunter2"
    assert result.summary == "1 change: 1 line removed, 1 added"


def test_two_big_texts_with_two_small_changes_far_apart_are_aligned_fast() -> None:
    left = [f"line {n}" for n in range(200_000)]
    right = list(left)
    right[500] = "changed"
    del right[150_000:150_010]
    started = time.monotonic()
    diff = diff_lines(left, right)
    took = time.monotonic() - started
    assert [(h.a0, h.a1, h.b0, h.b1) for h in diff.hunks] == [(500, 501, 500, 501), (150_000, 150_010, 150_000, 150_000)]
    assert not diff.too_different and took < 20  # seconds, on a loaded machine: never a hang


def test_two_texts_too_different_to_align_say_so() -> None:
    left = [f"a{n}" for n in range(30_000)]
    right = [f"b{n % 10}" for n in range(30_000)]  # no line of either is found once on the other
    result = compare_lines(left, right)
    assert result.note is not None and "Too different to align" in result.note
    assert result.change_count == 1


# --- element trees --------------------------------------------------------------------------------------

def _node(element_id: str, tag: str = "div", text: str = "", children: list | None = None, **attributes: str) -> dict:
    return {"id": element_id, "tagName": tag, "text": text, "attributes": attributes, "children": children or []}


TREE_IDS = st.lists(st.sampled_from([f"A{n:03d}" for n in range(40)]), unique=True, min_size=1, max_size=12)


def _forest(ids: list[str], texts: list[str]) -> list[dict]:
    """A tree: each node under an earlier one, chosen by its position (deterministic)."""
    nodes = [_node(i, text=texts[n % len(texts)] if texts else "") for n, i in enumerate(ids)]
    roots: list[dict] = []
    for n, node in enumerate(nodes):
        (nodes[(n - 1) // 2]["children"] if n else roots).append(node)
    return roots


@given(TREE_IDS, st.lists(st.text(max_size=5), max_size=3))
def test_a_tree_compared_with_itself_is_empty(ids: list[str], texts: list[str]) -> None:
    tree = _forest(ids, texts)
    assert tree_changes(tree_from_json(tree), tree_from_json(json.loads(json.dumps(tree)))) == []
    assert compare_trees(tree_from_json(tree), tree_from_json(tree)).same


@given(TREE_IDS, st.integers(min_value=0, max_value=11))
def test_an_added_node_is_reported_once(ids: list[str], under: int) -> None:
    left = _forest(ids, [])
    right = json.loads(json.dumps(left))
    flat: list[dict] = []
    stack = list(right)
    while stack:
        node = stack.pop(0)
        flat.append(node)
        stack.extend(node["children"])
    flat[under % len(flat)]["children"].append(_node("NEW", "button", "Place order", type="submit"))
    changes = tree_changes(tree_from_json(left), tree_from_json(right))
    assert [(c.kind, c.key) for c in changes] == [("added", "#NEW")]
    result = compare_trees(tree_from_json(left), tree_from_json(right))
    assert result.change_count == 1 and result.rows[result.row_changes[0]].side.text.startswith("added #NEW <button>")


def test_a_changed_node_says_what_changed_and_nodes_without_an_id_match_by_path() -> None:
    left = [_node("AAAB", "form", children=[_node("AAAC", "input", value="", name="user"),
                                            {"tagName": "p", "text": "Sign in", "children": []}])]
    right = [_node("AAAB", "form", children=[_node("AAAC", "input", value="demo", name="user"),
                                             {"tagName": "p", "text": "Signed in", "children": []}]),
             _node("AAAD", "footer")]
    removed = [_node("AAAB", "form")]
    changes = {c.key: c for c in tree_changes(tree_from_json(left), tree_from_json(right))}
    assert changes["#AAAC"].kind == "changed" and changes["#AAAC"].what == ("@value",)
    assert changes["#AAAB/p[1]"].kind == "changed" and changes["#AAAB/p[1]"].what == ("text",)
    assert changes["#AAAD"].kind == "added"
    gone = {c.key: c.kind for c in tree_changes(tree_from_json(left), tree_from_json(removed))}
    assert gone == {"#AAAC": "removed", "#AAAB/p[1]": "removed"}


# --- parsed actions ------------------------------------------------------------------------------------

def _answer(*actions: dict) -> bytes:
    return json.dumps({"user_goal_achieved": False, "actions": list(actions)}).encode()


CLICK = {"action_type": "CLICK", "id": "AAAB", "reasoning": "Sign in"}
TYPE = {"action_type": "INPUT_TEXT", "id": "AAAC", "text": "demo", "reasoning": "The username"}


def test_parsed_answers_compare_action_by_action() -> None:
    same = compare_actions(actions_document(_answer(TYPE, CLICK)), actions_document(_answer(TYPE, CLICK)))
    assert same.same and same.summary.startswith("No differences")
    typed = dict(TYPE, text="hunter2")
    result = compare_actions(actions_document(_answer(TYPE, CLICK)), actions_document(_answer(
        {"action_type": "WAIT"}, typed, CLICK)))
    headers = [result.rows[i].side.text for i in result.row_changes]
    assert headers == ["action 1 added · WAIT", 'action 1 → 2 · INPUT_TEXT AAAC "hunter2" · changed']
    changed = [r.side.text for r in result.rows if r.kind in (Kind.REMOVED, Kind.ADDED)]
    assert "text: demo" in changed and "text: hunter2" in changed
    assert result.summary == "2 actions against 3: 1 added, 0 removed, 1 changed"


# --- on the demo ---------------------------------------------------------------------------------------

def test_the_demos_artifacts_compare_by_their_kind() -> None:
    source = demo_source()
    detail = source.load_run(source.list_runs()[0].run_id)

    def two(artifact_type: str) -> tuple[Located, Located]:
        found = [a for a in detail.artifacts if a.artifact_type == artifact_type]
        return Located(source, detail, Place(found[0])), Located(source, detail, Place(found[1]))

    for artifact_type, what in (("visible_elements_tree", "tree"), ("llm_response_parsed", "actions"),
                                ("llm_prompt", "lines"), ("html_scrape", "lines"), ("skyvern_log", "lines")):
        left, right = two(artifact_type)
        result = compare_contents(read_content(left), read_content(right))
        assert result.what == what and not result.same, artifact_type
        itself = compare_contents(read_content(left), read_content(left))
        assert itself.same, artifact_type
    tree = next(a for a in detail.artifacts if a.artifact_type == "visible_elements_tree")
    trimmed = next(a for a in detail.artifacts if a.artifact_type == "visible_elements_tree_trimmed")
    screenshot = next(a for a in detail.artifacts if a.artifact_type == "screenshot_llm")
    assert same_kind(tree, trimmed) and not same_kind(tree, screenshot) and not comparable(screenshot)
    offered = run_candidates(tree, source, detail, "this run")
    assert offered and all(c.artifact.artifact_id != tree.artifact_id for c in offered)
    assert {c.artifact.artifact_type for c in offered} == {"visible_elements_tree", "visible_elements_tree_trimmed"}
    # The demo source holds one run: no other run to offer.
    assert all(not p.candidates for p in other_runs(Located(source, detail, Place(tree)), [source]))



def test_other_runs_of_a_server_are_listed_a_page_at_a_time_up_to_a_limit(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from tui.core.compare import candidates
    from tui.core.model import Artifact, Run, RunDetail

    source = demo_source()
    detail = source.load_run(source.list_runs()[0].run_id)
    tree = next(a for a in detail.artifacts if a.artifact_type == "visible_elements_tree")

    class Server:
        label = "server"

        def __init__(self) -> None:
            self.pages: list[int] = []

        def list_runs(self) -> list[Run]:
            raise AssertionError("a server is paged")

        def list_runs_page(self, page: int = 1, page_size: int = 20, statuses=(), search=None) -> list[Run]:  # type: ignore[no-untyped-def]
            self.pages.append(page)
            start = (page - 1) * page_size
            return [Run(f"tsk_{n}", status="failed") for n in range(start, min(start + page_size, 7))]

        def load_run(self, run_id: str) -> RunDetail:
            return RunDetail(Run(run_id, status="failed"), (), (Artifact(f"a_{run_id}", "visible_elements_tree", step_id="s"),))

        def read_bytes(self, artifact: Artifact) -> bytes:
            raise AssertionError("listing reads no bytes")

    monkeypatch.setattr(candidates, "PAGE", 3)
    server = Server()
    walked = list(other_runs(Located(source, detail, Place(tree)), [server]))  # type: ignore[list-item]
    assert server.pages == [1, 2, 3] and [p.looked for p in walked] == list(range(1, 8))
    assert [c.run for p in walked for c in p.candidates] == [f"tsk_{n} · failed" for n in range(7)]
    monkeypatch.setattr(candidates, "MAX_RUNS", 4)
    capped = list(other_runs(Located(source, detail, Place(tree)), [Server()]))  # type: ignore[list-item]
    assert capped[-1].capped and capped[-1].looked == 4 and len(capped) == 5

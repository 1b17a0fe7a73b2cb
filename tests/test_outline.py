"""The outline of a run (blocks, loop iterations, observer thoughts) and where each artifact is
listed, checked against what the recordings' own JSON says (tests/shapes_truth.py)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shapes_truth import NAMES, SHAPES, shape
from tui.core.model import Artifact, Run, RunDetail, Step
from tui.core.outline import ENTRY_LIMIT, EntryKind, outline_of

WITH_TIMELINE = [n for n in NAMES if shape(n).timeline]


def recorded_detail(name: str) -> RunDetail:
    """The run as the recording's server answered it, with no source in between."""
    truth = shape(name)
    return RunDetail(Run.from_api(truth.run), tuple(Step.from_api(s) for s in truth.steps),
                     tuple(Artifact.from_api(a) for a in truth.every_artifact), timeline=tuple(truth.timeline))


def test_every_shape_with_blocks_or_thoughts_has_a_timeline():
    assert set(WITH_TIMELINE) == {"task_v2", "workflow_loop", "workflow_timed_out"}


@pytest.mark.parametrize("name", WITH_TIMELINE)
def test_the_outline_lists_the_timeline_in_the_order_it_ran(name: str):
    truth = shape(name)
    outline = outline_of(truth.timeline)
    got = [(e.kind.value, e.key if e.kind is EntryKind.THOUGHT else e.label) for e in outline.entries]
    assert got == truth.entries()
    for task_id, path in truth.task_paths().items():
        assert outline.task_label(task_id) == path


def test_the_loop_has_its_iterations_with_their_values():
    outline = outline_of(shape("workflow_loop").timeline)
    loop, first, inner_1, second, inner_2, *_ = outline.entries
    assert (loop.label, loop.block_type, loop.depth) == ("read_pages", "for_loop", 0)
    assert [(e.kind, e.depth, e.parent) for e in (first, inner_1, second, inner_2)] == [
        (EntryKind.ITERATION, 1, loop.key), (EntryKind.BLOCK, 2, first.key),
        (EntryKind.ITERATION, 1, loop.key), (EntryKind.BLOCK, 2, second.key)]
    assert (first.loop_index, first.loop_value) == (0, "http://127.0.0.1:8865/help.html")
    assert (second.loop_index, second.loop_value) == (1, "http://127.0.0.1:8865/confirm.html")
    assert set(loop.task_ids) == set(inner_1.task_ids) | set(inner_2.task_ids) and len(loop.task_ids) == 2


def test_task_v2_thoughts_carry_their_type_and_words():
    outline = outline_of(shape("task_v2").timeline)
    thoughts = outline.thoughts()
    assert [t.label for t in thoughts] == ["user goal check", "plan", "user goal check", "user goal check"]
    assert thoughts[1].text == "Extract the sign-in rule from the help page."
    assert thoughts[3].scenario == "summarization"


@pytest.mark.parametrize("name", NAMES)
def test_every_artifact_is_listed_under_its_step_thought_or_the_run(name: str):
    truth = shape(name)
    detail = recorded_detail(name)
    groups = detail.groups()
    where = {a.artifact_id: g.key for g in groups for a in g.artifacts}
    assert len(where) == len(truth.every_artifact) == sum(len(g.artifacts) for g in groups)
    for artifact in truth.every_artifact:
        assert where[artifact["artifact_id"]] == truth.group_of(artifact), artifact["artifact_type"]
    paths = truth.task_paths()
    tasks = {s["task_id"] for s in truth.steps}
    for group in groups:
        if group.step is not None and len(tasks) > 1 and group.step.task_id in paths:
            assert group.label.startswith(paths[group.step.task_id] + " · Step ")


def test_thought_groups_come_in_the_order_the_observer_thought():
    groups = recorded_detail("task_v2").groups()
    labels = [g.label for g in groups]
    assert labels == ["goto_url_2RpnA · Step 1", "Thought 1: user goal check", "Thought 2: plan",
                      "data_extraction_YEomY · Step 1", "Thought 3: user goal check", "Thought 4: user goal check", "Run"]


# --- hostile timelines ------------------------------------------------------------------------------------
json_values: Any = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["type", "block", "thought", "children", "label", "task_id", "current_index",
                         "current_value", "created_at", "status", "workflow_run_block_id", "thought_id"]),
        inner, max_size=6),
    max_leaves=30)
entry_like = st.fixed_dictionaries({"type": st.sampled_from(["block", "thought", "x"])},
                                   optional={"block": json_values, "thought": json_values, "children": json_values})


@settings(max_examples=300, deadline=None)
@given(st.lists(entry_like | json_values, max_size=6))
def test_any_timeline_gives_an_outline_without_raising(timeline: list[Any]):
    outline = outline_of(timeline)
    assert len(outline.entries) <= ENTRY_LIMIT
    keys = [e.key for e in outline.entries]
    assert len(keys) == len(set(keys))
    for entry in outline.entries:
        assert entry.parent is None or entry.parent in keys[: keys.index(entry.key)]


def test_a_loop_of_many_iterations_is_cut_at_the_limit():
    children = [{"type": "block", "block": {"label": "inner", "current_index": i, "task_id": f"tsk_{i}"}}
                for i in range(ENTRY_LIMIT * 2)]
    outline = outline_of([{"type": "block", "block": {"label": "loop", "block_type": "for_loop"}, "children": children}])
    assert len(outline.entries) == ENTRY_LIMIT and outline.cut
    assert not outline_of(shape("workflow_loop").timeline).cut


def test_markup_and_escapes_in_a_timeline_stay_text():
    outline = outline_of([{"type": "block", "block": {"label": "[red]x[/red]\x1b[2J", "current_value": None,
                                                      "failure_reason": "bad\x07[b]"}}])
    [entry] = outline.entries
    assert "\x1b" not in entry.label and "\x07" not in (entry.failure_reason or "")
    assert "[red]x[/red]" in entry.label  # kept as the words it is; the UI never parses it as markup


@pytest.mark.parametrize("name", ["workflow_loop", "task_v2", "browser_session"])
def test_a_step_has_the_same_label_in_every_category(name: str):
    from tui.core.catalog import Category

    detail = recorded_detail(name)
    every = {g.key: g.label for g in detail.groups()}
    steps = sum(1 for g in detail.groups() if g.step is not None)
    seen = 0
    for category in Category:
        for group in detail.groups(category):
            assert group.label == every[group.key], (category, group.label)
            seen += group.step is not None
    assert seen > steps  # steps show up in several categories


def test_an_artifacts_details_name_its_block_and_thought():
    from tui.ui.viewers.metadata import metadata_rows

    detail = recorded_detail("task_v2")
    thought = next(a for a in detail.artifacts if a.observer_thought_id)
    assert ("Observer", f"{thought.observer_cruise_id} · {thought.observer_thought_id}") in metadata_rows(thought)
    shot = next(a for a in detail.artifacts if a.workflow_run_block_id)
    assert ("Block", shot.workflow_run_block_id) in metadata_rows(shot)
    plain = next(a for a in detail.artifacts if not a.workflow_run_block_id and not a.observer_cruise_id)
    assert {k for k, _ in metadata_rows(plain)}.isdisjoint({"Block", "Observer"})


def test_on_disk_a_thought_is_named_by_the_prompt_its_call_used():
    from tui.core.sources.local import LocalSource

    source = LocalSource(SHAPES / "task_v2" / "storage")
    detail = source.load_run(shape("task_v2").run_id)
    labels = {e.key: e.label for e in detail.outline.thoughts()}
    # What the recording's server called each thought (type, scenario), and the prompt its log names.
    recorded = {t["thought"]["thought_id"]: (t["thought"]["thought_type"], t["thought"]["thought_scenario"])
                for t in shape("task_v2").timeline if t["type"] == "thought"}
    prompt_of = {("plan", "generate_plan"): "task v2", ("user_goal_check", "user_goal_check"): "task v2 check completion",
                 ("user_goal_check", "summarization"): "task v2 summary"}
    assert labels == {thought: prompt_of[kind] for thought, kind in recorded.items()}

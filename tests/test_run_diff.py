"""Two runs compared step by step (tui.core.compare.runs) and `skyvern-tui diff`, on the recorded
runs, the demo, folders on disk, hostile data and generated runs."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bundled_runs import BUNDLED, api_detail, run_id
from tui.cli import main
from tui.core.compare.runs import (
    ACTIONS, CALLS, FIRST_MARK, MISSING, STATUS, URL, RunDiff, RunSide, compare_runs, diff_data, load_side,
    text_table,
)
from tui.core.model import Run, RunDetail, Step
from tui.core.run_model.build import RunModelBuilder
from tui.core.run_model.model import Action, RunModel, StepModel
from tui.core.sources.demo import demo_source

_SIDES: dict[str, RunSide] = {}


def side(run: str) -> RunSide:
    """A recorded run as the API served it, its model built whole (once per test session)."""
    if run not in _SIDES:
        source, detail = api_detail(run)
        _SIDES[run] = RunSide(source, detail, RunModelBuilder(source).build(detail))
    return _SIDES[run]


def labels(diff: RunDiff) -> list[tuple[str, tuple[str, ...]]]:
    return [(row.label, row.differences) for row in diff.rows]


# --- the recorded runs ---------------------------------------------------------------------------------------
def test_the_completed_and_the_terminated_run_diverge_at_step_2():
    diff = compare_runs(side("task_completed"), side("task_terminated"))
    assert labels(diff) == [
        ("Step 1", ()),
        ("Step 2", (STATUS, ACTIONS)),  # failed click on the disabled checkout | completed terminate
        ("Step 2 (retry 1)", (MISSING,)), ("Step 3", (MISSING,)), ("Step 4", (MISSING,)),
    ]
    assert diff.first_divergence == 1 and not diff.same
    row = diff.rows[1]
    assert row.left is not None and row.right is not None
    assert [(a.action_type, a.element_id, a.status) for a in row.left.actions] == [("click", "AAAH", "failed")]
    assert [a.action_type for a in row.right.actions] == ["terminate"]
    assert "checkout" in row.left.actions[0].element and "disabled" in row.left.actions[0].element
    # enter on it diffs the two steps' parsed answers (why they decided differently)
    assert row.pair is not None
    left, right = row.pair
    assert left.artifact.artifact_type == right.artifact.artifact_type == "llm_response_parsed"
    assert left.artifact.step_id == row.left.step.step.step_id and right.artifact.step_id == row.right.step.step.step_id
    assert left.detail is side("task_completed").detail and right.source is side("task_terminated").source
    # a step that one side lacks has nothing to diff
    assert [r.pair for r in diff.rows[2:]] == [None, None, None]
    assert diff.summary() == (f"{run_id('task_completed')} and {run_id('task_terminated')} differ in 4 of 5 steps; "
                              "first at Step 2: status, actions")


@pytest.mark.parametrize("other", ["task_completed_unbundled", "workflow_run"])
def test_runs_of_the_same_script_match_step_by_step(other: str):
    """The unbundled repeat and the workflow run (one task in block order_spur_gear) follow the
    completed task's script: same statuses, actions, elements, texts, URLs and LLM calls. What
    differs is what a comparison leaves out: ids, times, tokens, the workflow's block."""
    diff = compare_runs(side("task_completed"), side(other))
    assert diff.same and diff.first_divergence is None
    assert [r.label for r in diff.rows] == ["Step 1", "Step 2", "Step 2 (retry 1)", "Step 3", "Step 4"]
    assert all(r.pair is not None and r.pair[0].artifact.artifact_id != r.pair[1].artifact.artifact_id
               for r in diff.rows)
    assert {r.right.step.block_label for r in diff.rows if r.right} == (
        {"order_spur_gear"} if other == "workflow_run" else {None})
    assert diff.summary().endswith("match step by step (5 steps)")


def test_retries_align_by_retry_index():
    """The passing workflow retried step 2 once and went on; the failing one retried it three times."""
    diff = compare_runs(side("workflow_run"), side("workflow_failed"))
    assert labels(diff) == [
        ("Step 1", ()), ("Step 2", ()),
        ("Step 2 (retry 1)", (STATUS, ACTIONS, CALLS)),
        ("Step 2 (retry 2)", (MISSING,)), ("Step 2 (retry 3)", (MISSING,)),
        ("Step 3", (MISSING,)), ("Step 4", (MISSING,)),
    ]
    assert [r.key for r in diff.rows] == [(0, 0, 0), (0, 1, 0), (0, 1, 1), (0, 1, 2), (0, 1, 3), (0, 2, 0), (0, 3, 0)]
    assert diff.rows[2].right is not None and diff.rows[2].right.calls == ("extract-actions",)


def test_swapping_the_recorded_runs_swaps_the_rows():
    ab = compare_runs(side("task_completed"), side("task_terminated"))
    ba = compare_runs(side("task_terminated"), side("task_completed"))
    assert [(r.key, r.differences) for r in ab.rows] == [(r.key, r.differences) for r in ba.rows]
    assert [(r.left, r.right) for r in ab.rows] == [(r.right, r.left) for r in ba.rows]


def test_the_table_marks_the_first_divergence():
    lines = text_table(compare_runs(side("task_completed"), side("task_terminated")))
    assert lines[0].split() == ["Step", "Status", "A", "Status", "B", "Actions", "A", "|", "B", "Calls", "URL"]
    marked = [line for line in lines if line.startswith(FIRST_MARK)]
    assert len(marked) == 1
    assert marked[0].split()[1:5] == ["Step", "2", "failed", "completed"]
    assert "click AAAH (failed) | terminate" in marked[0] and marked[0].endswith("search.html?user=demo")
    assert lines[1].startswith("  ") and "input_text AAAE ='demo'" in lines[1]


def test_the_json_names_each_rows_sides_and_pair():
    data = diff_data(compare_runs(side("task_completed"), side("task_terminated")))
    assert data["same"] is False and data["first_divergence"] == 1
    row = data["rows"][1]
    assert row["differences"] == ["status", "actions"]
    assert row["left"]["actions"][0]["type"] == "click" and row["right"]["actions"][0]["type"] == "terminate"
    assert row["right"]["url"] == "http://127.0.0.1:8865/search.html?user=demo"
    assert data["rows"][2]["right"] is None and data["rows"][2]["pair"] is None
    json.dumps(data)  # plain data


# --- generated runs: properties ------------------------------------------------------------------------------------
T0 = datetime(2026, 11, 28, tzinfo=timezone.utc)
action_types = st.sampled_from(["click", "input_text", "select_option", "complete", "terminate"])
actions = st.builds(lambda t, e, x, s: (t, e, x, s), action_types, st.sampled_from([None, "AAAE", "AAAH"]),
                    st.sampled_from(["", "demo", "\x1b]0;x\x07"]), st.sampled_from([None, "completed", "failed"]))
steps = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2), st.sampled_from(["completed", "failed", None]),
                           st.lists(actions, max_size=3)), max_size=6)


def generated(spec: list, run: str = "tsk_a") -> RunSide:
    models = []
    seen = set()
    for number, (order, retry, status, acts) in enumerate(spec):
        if (order, retry) in seen:
            continue
        seen.add((order, retry))
        step = Step(f"stp_{number}", run, order=order, retry_index=retry, status=status)
        models.append(StepModel(step, f"Step {order + 1}", actions=tuple(
            Action(i, t, element_id=e, text=x, status=s) for i, (t, e, x, s) in enumerate(acts))))
    models.sort(key=lambda m: (m.step.order, m.step.retry_index))
    detail = RunDetail(Run(run), tuple(m.step for m in models), ())
    return RunSide(demo_source(), detail, RunModel(Run(run), steps=tuple(models)))


@settings(max_examples=60, deadline=None)
@given(steps)
def test_a_run_against_itself_has_no_divergence(spec):
    run = generated(spec)
    diff = compare_runs(run, run)
    assert diff.same and diff.first_divergence is None
    assert len(diff.rows) == len(run.model.steps)
    assert not any(line.startswith(FIRST_MARK) for line in text_table(diff))


@settings(max_examples=60, deadline=None)
@given(steps, steps)
def test_swapping_sides_swaps_the_rows(a, b):
    left, right = generated(a, "tsk_a"), generated(b, "tsk_b")
    ab, ba = compare_runs(left, right), compare_runs(right, left)
    assert [r.key for r in ab.rows] == [r.key for r in ba.rows] == sorted({r.key for r in ab.rows})
    assert [(r.left, r.right, r.differences) for r in ab.rows] == [(r.right, r.left, r.differences) for r in ba.rows]
    assert ab.first_divergence == ba.first_divergence
    # every step of either side is in exactly one row
    assert sum(r.left is not None for r in ab.rows) == len(left.model.steps)
    assert sum(r.right is not None for r in ab.rows) == len(right.model.steps)
    for line in text_table(ab):
        assert "\x1b" not in line and "\x07" not in line


def test_an_unknown_status_or_url_is_no_difference():
    known = generated([(0, 0, "completed", [("click", "AAAH", "", "completed")])])
    unknown = generated([(0, 0, None, [("click", "AAAH", "", None)])])
    assert compare_runs(known, unknown).same
    other = generated([(0, 0, "completed", [("click", "AAAE", "", "completed")])])
    assert labels(compare_runs(known, other)) == [("Step 1", (ACTIONS,))]
    assert URL not in compare_runs(side("task_completed"), load_side(*_storage("task_completed"))).rows[0].differences


def _storage(run: str):
    from tui.core.sources.local import LocalSource

    return LocalSource(BUNDLED / run / "storage"), run_id(run)


# --- the command ---------------------------------------------------------------------------------------------------
def diff_cli(capsys, *args: str) -> tuple[int, str, str]:
    status = main(["diff", *args])
    out, err = capsys.readouterr()
    return status, out, err


def storage(run: str) -> list[str]:
    return ["--local", str(BUNDLED / run / "storage")]


def test_the_demo_against_itself_exits_0(capsys):
    status, out, err = diff_cli(capsys, "demo", "demo")
    lines = out.splitlines()
    assert status == 0 and err == ""
    assert len(lines) == 7 and lines[0].split()[0] == "Step"
    assert [line.split()[0:2] for line in lines[1:6]] == [["Step", "1"], ["Step", "2"], ["Step", "2"], ["Step", "3"],
                                                         ["Step", "4"]]
    assert lines[-1] == "wr_602148146068894428 and wr_602148146068894428 match step by step (5 steps)"


def test_two_folders_by_id_differ_and_exit_1(capsys):
    a, b = run_id("task_completed"), run_id("task_terminated")
    status, out, err = diff_cli(capsys, *storage("task_completed"), *storage("task_terminated"), a, b)
    lines = out.splitlines()
    assert status == 1 and err == ""
    first = [line for line in lines if line.startswith(FIRST_MARK)]
    assert len(first) == 1 and "Step 2" in first[0] and "click AAAH (failed) | terminate" in first[0]
    assert lines[-1] == f"{a} and {b} differ in 4 of 5 steps; first at Step 2: status, actions"


def test_a_side_may_be_a_folder_and_json_is_data(capsys):
    status, out, _ = diff_cli(capsys, str(BUNDLED / "task_completed" / "storage"),
                              str(BUNDLED / "task_completed_unbundled" / "storage"), "--format", "json")
    data = json.loads(out)
    assert status == 0 and data["same"] is True
    assert data["left"] == run_id("task_completed") and data["right"] == run_id("task_completed_unbundled")
    assert [r["left"]["label"] for r in data["rows"]] == ["Step 1", "Step 2", "Step 2 (retry 1)", "Step 3", "Step 4"]


@pytest.mark.parametrize(("args", "says"), [
    (["demo", "wr_nope", "--demo"], "no run wr_nope in demo"),
    (["demo", "tsk_1"], "no run tsk_1 in no source"),
    (["demo", str(Path(__file__).parent / "data" / "selfhosted")], "holds 2 Skyvern runs"),
    (["demo", "demo", "--local", "/nonexistent/folder"], "/nonexistent/folder"),
])
def test_wrong_input_is_one_line_and_status_2(capsys, args, says):
    status, out, err = diff_cli(capsys, *args)
    assert status == 2 and out == ""
    assert err.startswith("skyvern-tui: error: ") and says in err and err.count("\n") == 1


def test_a_bad_flag_is_status_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["diff", "demo", "demo", "--format", "html"])
    assert exit_info.value.code == 2 and "invalid choice" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["diff", "demo"])
    assert exit_info.value.code == 2


HOSTILE = "\x1b]52;c;aGk=\x07\x1b[2J\x9b31m"


def hostile_run(folder: Path, status: str, text: str) -> Path:
    folder.mkdir()
    (folder / "files").mkdir()
    (folder / "run.json").write_text(json.dumps({"run_id": "tsk_hostile", "status": "failed"}))
    (folder / "steps.json").write_text(json.dumps([{
        "step_id": "stp_1", "task_id": "tsk_hostile", "order": 0, "retry_index": 0, "status": status,
        "created_at": "2026-11-28T16:00:00", "modified_at": "2026-11-28T16:00:10",
        "output": {"browser_metadata": {"website_url": f"https://x.example/{HOSTILE}"}},
    }]))
    (folder / "actions.json").write_text(json.dumps([{
        "action_id": "act_1", "step_id": "stp_1", "task_id": "tsk_hostile", "action_type": f"click{HOSTILE}",
        "element_id": f"A{HOSTILE}", "text": text, "status": "completed", "action_order": 0,
    }]))
    (folder / "artifacts.json").write_text("[]")
    return folder


def test_hostile_statuses_and_texts_are_data(tmp_path: Path, capsys):
    a = hostile_run(tmp_path / "a", f"failed{HOSTILE}", f"typed {HOSTILE}")
    b = hostile_run(tmp_path / "b", "completed", "typed")
    status, out, err = diff_cli(capsys, str(a), str(b))
    assert status == 1 and err == ""
    for bad in ("\x1b", "\x07", "\x9b"):
        assert bad not in out
    assert "failed␛]52;c;aGk=␇␛[2J<9B>31m" in out  # the status, shown as it is
    assert "typed ␛]52;c;aGk=␇" in out and "https://x.example/␛]52" in out
    status, out, _ = diff_cli(capsys, str(a), str(b), "--format", "json")
    assert status == 1 and "\x1b" not in out and "\x9b" not in out
    data = json.loads(out)
    assert data["rows"][0]["differences"][0] == "status"
    assert data["rows"][0]["left"]["url"] == "https://x.example/␛]52;c;aGk=␇␛[2J<9B>31m"  # safe in core, not only in print

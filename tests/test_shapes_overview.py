"""The overview and the report of every recorded shape (tests/data/shapes): blocks, loop
iterations and thoughts in order, and why a run failed, on the first screen.

Each run is read as a folder in the layout `download` writes (run.json, artifacts.json, the
recorded lists, files/{id}_{type}.{ext}), made from the recording's own JSON and files."""

from __future__ import annotations

import json
import shutil
import urllib.parse
from dataclasses import replace
from pathlib import Path

import pytest
from rich.style import Style

from shapes_truth import SHAPES, shape
from tui.core.outline import EntryKind
from tui.core.run_model.build import RunModelBuilder
from tui.core.run_model.model import Place, RunModel
from tui.core.run_model.report import markdown, report_data
from tui.core.sources.local import LocalSource
from tui.ui.screens.overview_items import overview_items


def as_download(name: str, into: Path) -> Path:
    folder = into / name
    (folder / "files").mkdir(parents=True)
    for file in ("run.json", "steps.json", "actions.json", "timeline.json"):
        if (SHAPES / name / file).is_file():
            shutil.copy(SHAPES / name / file, folder / file)
    rows = shape(name).every_artifact
    for row in rows:
        path = SHAPES / name / "storage" / urllib.parse.unquote(row["uri"])
        shutil.copy(path, folder / "files" / f"{row['artifact_id']}_{row['artifact_type']}{path.suffix}")
    (folder / "artifacts.json").write_text(json.dumps(rows))
    return folder


def model_of(name: str, tmp_path: Path) -> RunModel:
    source = LocalSource(as_download(name, tmp_path))
    detail = source.load_run(shape(name).run_id)
    return RunModelBuilder(source).build(detail)


def page_text(model: RunModel, width: int = 120) -> list[str]:
    return [item.text.plain for item in overview_items(model, lambda _: Style(), width)]


def test_a_timed_out_workflow_names_its_block_first(tmp_path: Path):
    model = model_of("workflow_timed_out", tmp_path)
    block = model.failed_block
    assert block is not None and (block.label, block.block_type, block.status) == ("wait_too_long", "wait", "timed_out")
    lines = page_text(model)
    assert lines[:4] == ["Why it failed", "Workflow run exceeded max elapsed runtime limit of 1 minute.",
                         "Failed block  wait_too_long  wait  timed_out",
                         "Workflow run timed_out: child entity cascade cleanup."]
    data = report_data(model)
    assert data["failure"]["block"]["label"] == "wait_too_long" and data["failure"]["block"]["within"] == []
    assert "**Failed block:** `wait_too_long` (wait): timed_out" in markdown(model)


def test_a_loops_iterations_are_outlined_with_their_values_in_order(tmp_path: Path):
    model = model_of("workflow_loop", tmp_path)
    lines = page_text(model)
    start = lines.index("Blocks (5, 2 loop iterations)")
    # Durations: each block's modified_at - created_at in timeline.json (read_pages 15.18 s, ...).
    assert lines[start + 1:start + 12] == [
        "read_pages  for_loop  completed  15.2s  2 tasks",
        "iteration 1/2  completed  http://127.0.0.1:8865/help.html",
        "read_page  extraction  completed  9.2s  1 task",
        "task  tsk_603430010001456076  1 step",
        "iteration 2/2  completed  http://127.0.0.1:8865/confirm.html",
        "read_page  extraction  completed  6.0s  1 task",
        "task  tsk_603430048656161794  1 step",
        "read_help  extraction  completed  5.8s  1 task",
        "task  tsk_603430074425965616  1 step",
        "count_pages  code  completed  0.7s  1 task",
        "task  tsk_603430100195769472  1 step",
    ]
    labels = [s.label for s in model.steps]
    assert labels[:3] == ["read_pages 1/2 › read_page · Step 1", "read_pages 2/2 › read_page · Step 1",
                          "read_help · Step 1"]


def test_task_v2_thoughts_are_outlined_between_the_blocks_and_open_their_answer(tmp_path: Path):
    model = model_of("task_v2", tmp_path)
    items = overview_items(model, lambda _: Style(), 140)
    lines = [i.text.plain for i in items]
    start = lines.index("Thoughts and blocks (4 thoughts, 2 blocks)")
    kinds = [e.kind for e in model.outline]
    assert kinds == [EntryKind.BLOCK, EntryKind.THOUGHT, EntryKind.THOUGHT, EntryKind.BLOCK, EntryKind.THOUGHT,
                     EntryKind.THOUGHT]
    assert lines[start + 3].startswith("thought: user goal check  ") and lines[start + 3].endswith(
        "The rule still has to be extracted.")
    assert "generate plan  Extract the sign-in rule from the help page." in lines[start + 4]
    thoughts = [i for i in items if i.key.startswith("entry:ot_")]
    assert len(thoughts) == 4
    for item in thoughts:
        assert isinstance(item.link, Place)
        assert item.link.artifact.observer_thought_id == item.key.removeprefix("entry:")
        assert item.link.artifact.artifact_type == "llm_response_parsed"


@pytest.mark.parametrize("name", ["page_unreachable", "element_gone", "task_canceled", "browser_session"])
def test_a_run_that_failed_in_the_browser_says_why_first(name: str, tmp_path: Path):
    model = model_of(name, tmp_path)
    lines = page_text(model)
    assert lines[0] == "Why it failed"
    run = shape(name).run
    if run.get("failure_reason"):
        assert lines[1] == run["failure_reason"]
    step = model.failed_step
    assert step is not None
    if name == "element_gone":
        assert step.exception_type == "FailToClick" and step.label == "Step 1"
    if name == "page_unreachable":
        assert any(p.where == "network" and "ERR_CONNECTION_REFUSED" in p.text for p in model.problems)


def test_the_browser_session_is_shown_with_the_run(tmp_path: Path):
    model = model_of("browser_session", tmp_path)
    session = json.loads((SHAPES / "browser_session" / "task.json").read_text())["browser_session_id"]
    model = replace(model, run=replace(model.run, browser_session_id=session))
    assert f"session   browser session {session}" in page_text(model)
    assert f"**Browser session:** `{session}`" in markdown(model)


def test_a_request_failed_again_and_again_is_listed_once_with_its_count(tmp_path: Path):
    har = next((SHAPES / "page_unreachable" / "storage").rglob("*.har"))
    refused = [e for e in json.loads(har.read_text())["log"]["entries"]
               if e["response"].get("_failureText") == "net::ERR_CONNECTION_REFUSED"]
    model = model_of("page_unreachable", tmp_path)
    lines = page_text(model)
    [line] = [line for line in lines if line.startswith("Failed request")]
    assert line.startswith(f"Failed request ×{len(refused)}  ")
    assert line.endswith("  GET net::ERR_CONNECTION_REFUSED http://127.0.0.1:8869/")
    [request] = report_data(model)["failure"]["failed_requests"]
    assert request["count"] == len(refused) == 9


async def test_in_the_app_a_thought_opens_its_answer_and_t_on_its_prompt_says_whose_it_is(tmp_path: Path):
    from apptools import local_app, settle, until
    from tui.ui.screens.artifact import ArtifactScreen
    from tui.ui.widgets.page_view import PageView

    source = LocalSource(as_download("task_v2", tmp_path))
    app = local_app(source, shape("task_v2").run_id)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        page = app.screen.query_one(PageView)
        keys = [item.key for item in page.items]
        assert "entry:ot_603430459383662316" in keys  # the plan thought is on the overview
        for _ in range(40):
            if page.cursor_key == "entry:ot_603430450793727712":
                break
            await pilot.press("j")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ArtifactScreen))
        assert app.screen.place.artifact.observer_thought_id == "ot_603430450793727712"
        assert app.screen.place.artifact.artifact_type == "llm_response_parsed"
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ArtifactScreen))
        await pilot.press("2")  # AI reasoning: the first artifact is the first thought's prompt
        await settle(pilot)
        await pilot.press("t")
        await until(pilot, lambda: any("observer's" in str(n.message) for n in app._notifications))


def test_a_task_tied_by_time_on_disk_says_so_in_the_notes():
    source = LocalSource(SHAPES / "workflow_loop" / "storage")
    detail = source.load_run(shape("workflow_loop").run_id)
    model = RunModelBuilder(source).first_pass(detail)
    code_task = next(b["block"]["task_id"] for b in shape("workflow_loop").timeline if b["block"]["block_type"] == "code")
    [note] = [n for n in model.notes if code_task in n]
    assert "tied by time" in note
    assert any(line.startswith("note") and "tied by time" in line for line in page_text(model))


def test_a_workflow_of_extractions_on_disk_takes_its_goal_from_its_first_extraction_prompt():
    loop = next(b for b in shape("workflow_loop").timeline if b["block"]["block_type"] == "for_loop")
    first = min(loop["children"], key=lambda c: c["block"]["current_index"])["block"]["data_extraction_goal"]
    source = LocalSource(SHAPES / "workflow_loop" / "storage")
    model = RunModelBuilder(source).build(source.load_run(shape("workflow_loop").run_id))
    assert model.goal == first == "Extract the page's heading and its first paragraph."


def test_the_overview_page_stays_the_same_size_however_long_the_loop():
    from tui.core.model import Artifact, Run, RunDetail, Step
    from tui.core.sources.demo import demo_source
    from tui.ui.screens.overview_items import PAGE_ROWS

    count = PAGE_ROWS * 3
    children = [{"type": "block", "block": {"label": "read_page", "block_type": "extraction", "current_index": i,
                                            "task_id": f"tsk_{i:05d}", "status": "completed"}} for i in range(count)]
    timeline = ({"type": "block", "block": {"label": "read_pages", "block_type": "for_loop"}, "children": children},)
    steps = tuple(Step(f"stp_{i:05d}", f"tsk_{i:05d}") for i in range(count))
    artifacts = tuple(Artifact(f"a_{i:05d}", "llm_prompt", task_id=f"tsk_{i:05d}", step_id=f"stp_{i:05d}") for i in range(count))
    detail = RunDetail(Run("wr_1"), steps, artifacts, timeline=timeline)
    model = RunModelBuilder(demo_source()).first_pass(detail)
    lines = page_text(model, 160)
    assert len(model.outline) == 1 + 2 * count and len(model.steps) == count
    assert f"… and {len(model.outline) - PAGE_ROWS:,} more blocks, iterations and thoughts: `skyvern-tui report` lists them all" in lines
    assert any(line.startswith(f"… and {count - PAGE_ROWS:,} more steps") for line in lines)
    assert len(lines) < 3 * PAGE_ROWS

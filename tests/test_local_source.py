import json
from pathlib import Path

import pytest

from tui.core.catalog import Category, Format, kind_of
from tui.core.errors import ArtifactUnavailable, RunNotFound, SourceError
from tui.core.sources.demo import demo_source
from tui.core.sources.local import LocalSource, parse_file_name


def write(path: Path, content: bytes = b"x") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def test_parse_file_name():
    p = parse_file_name("2026-11-28T13:58:17.679855_a_900_llm_prompt.txt")
    assert (p.artifact_id, p.artifact_type, p.ext) == ("a_900", "llm_prompt", "txt")
    assert p.created_at.isoformat() == "2026-11-28T13:58:17.679855+00:00"
    p = parse_file_name("2026-11-28T13:58:17.679855_a_901_visible_elements_tree_trimmed.json")
    assert p.artifact_type == "visible_elements_tree_trimmed"
    p = parse_file_name("2026-11-28T13:58:17.679855_skyvern_log_raw.json")  # logs carry no id
    assert (p.artifact_id, p.artifact_type) == (None, "skyvern_log_raw")
    p = parse_file_name("2026-11-28T13-58-17.679855_a_7_html_scrape.html")  # Windows-safe stamp
    assert p.created_at.minute == 58 and p.artifact_type == "html_scrape"
    assert parse_file_name("main.py") is None


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A storage tree in every layout Skyvern writes (see skyvern-reference.md)."""
    ts = "2026-11-28T13:00:0{}.000000"
    write(tmp_path / "o_1/tsk_1/00_0_stp_1" / f"{ts.format(1)}_a_1_llm_prompt.txt")
    write(tmp_path / "o_1/tsk_1/01_0_stp_2" / f"{ts.format(2)}_a_2_screenshot_llm.png")
    write(tmp_path / "o_1/tsk_1/01_1_stp_3" / f"{ts.format(3)}_a_3_har.har")
    write(tmp_path / "logs/step/stp_2" / f"{ts.format(4)}_skyvern_log.log")
    write(tmp_path / "logs/task/tsk_1" / f"{ts.format(5)}_skyvern_log_raw.json")
    write(tmp_path / "tsk_old/00_0_stp_9" / f"{ts.format(1)}_a_9_html_scrape.html")  # no org folder
    write(tmp_path / "local/o_1/workflow_runs/wr_1/wrb_1" / f"{ts.format(6)}_a_6_screenshot_final.png")
    write(tmp_path / "logs/workflow_run_block/wrb_1" / f"{ts.format(7)}_skyvern_log.log")
    write(tmp_path / "local/o_1/scripts/s_1/1/main.py", b"print('hi')\n")
    write(tmp_path / "local/o_1/scripts/s_1/1/blocks/log_in.skyvern", b"async def log_in(page):\n    pass\n")
    # The workflow run's own log says it wrote s_1's blocks: its script is the run's.
    write(tmp_path / "logs/workflow_run/wr_1" / f"{ts.format(9)}_skyvern_log.log",
          b'2026-11-28T13:00:09.000000Z [info     ] script_block_dedup_miss  block_label="log_in" '
          b'run_id="wr_1" script_id="s_1" workflow_run_id="wr_1"\n')
    write(tmp_path / "local/o_1/scripts/s_2/1/main.py", b"print('whose?')\n")  # no run says it wrote it
    write(tmp_path / "local/o_1/tasks/tsk_v2_1/ot_1" / f"{ts.format(8)}_a_8_llm_prompt.txt")
    return tmp_path


def test_storage_tree_runs(tree: Path):
    source = LocalSource(tree)
    runs = {r.run_id: r for r in source.list_runs()}
    # A script's folder is not a run: s_1 is wr_1's, s_2's run cannot be told.
    assert set(runs) == {"tsk_1", "tsk_old", "wr_1", "tsk_v2_1"}
    assert runs["tsk_1"].artifact_count == 5 and runs["tsk_1"].step_count == 3
    detail = source.load_run("tsk_1")
    groups = {g.label: [a.artifact_type for a in g.artifacts] for g in detail.groups()}
    assert groups == {
        "Step 1": ["llm_prompt"],
        "Step 2": ["screenshot_llm", "skyvern_log"],
        "Run": ["har", "skyvern_log_raw"],
    }
    assert {a.step_id for a in detail.artifacts if a.artifact_type == "skyvern_log"} == {"stp_2"}
    wr = source.load_run("wr_1")
    assert sorted(a.artifact_type for a in wr.artifacts) == [
        "screenshot_final", "script_file", "script_file", "skyvern_log", "skyvern_log"]
    scripts = {a.artifact_id: a for a in wr.artifacts if a.artifact_type == "script_file"}
    assert set(scripts) == {"local/o_1/scripts/s_1/1/main.py", "local/o_1/scripts/s_1/1/blocks/log_in.skyvern"}
    assert {(a.run_id, a.workflow_run_id, a.step_id) for a in scripts.values()} == {("wr_1", "wr_1", None)}
    assert source.read_bytes(scripts["local/o_1/scripts/s_1/1/main.py"]) == b"print('hi')\n"
    # Not dated by the files' copy time: the run's times are its artifacts' own.
    assert runs["wr_1"].finished_at.isoformat() == "2026-11-28T13:00:09+00:00"
    block = scripts["local/o_1/scripts/s_1/1/blocks/log_in.skyvern"]
    assert block.kind.format is Format.PYTHON and block.kind.viewer == "python"
    assert kind_of("file", "skyvern").viewer == "python"  # a block file of a type we do not know
    with pytest.raises(RunNotFound):
        source.load_run("s_2/1")


def test_a_script_goes_to_the_run_that_wrote_each_version(tmp_path: Path):
    def log(run: str, second: int, script: str) -> None:
        write(tmp_path / "logs/workflow_run" / run / f"2026-11-28T13:00:0{second}.000000_skyvern_log.log",
              f'2026-11-28T13:00:0{second}.000000Z [info     ] script_block_dedup_miss  script_id="{script}"\n'.encode())

    for version in (1, 2):
        write(tmp_path / f"local/o_1/scripts/s_5/{version}/main.py", f"# v{version}\n".encode())
    log("wr_b", 2, "s_5")  # the later run wrote version 2
    log("wr_a", 1, "s_5")
    for version in (1, 2, 3):  # three versions, two writers: which is whose cannot be told
        write(tmp_path / f"local/o_1/scripts/s_6/{version}/main.py")
    log("wr_c", 3, "s_6")
    log("wr_d", 4, "s_6")
    source = LocalSource(tmp_path)
    assert {r.run_id for r in source.list_runs()} == {"wr_a", "wr_b", "wr_c", "wr_d"}
    for run_id, version in (("wr_a", 1), ("wr_b", 2)):
        [script] = [a for a in source.load_run(run_id).artifacts if a.artifact_type == "script_file"]
        assert script.artifact_id == f"local/o_1/scripts/s_5/{version}/main.py"
    assert not [a for a in source.load_run("wr_c").artifacts if a.artifact_type == "script_file"]


def test_retry_step_folder_gives_a_retry_group(tree: Path):
    write(tree / "o_1/tsk_1/01_1_stp_3" / "2026-11-28T13:00:09.000000_a_10_llm_prompt.txt")
    labels = [g.label for g in LocalSource(tree).load_run("tsk_1").groups()]
    assert labels == ["Step 1", "Step 2", "Step 2 (retry 1)", "Run"]


def test_missing_folder_and_run(tmp_path: Path):
    with pytest.raises(SourceError, match="no such folder"):
        LocalSource(tmp_path / "nope")
    with pytest.raises(RunNotFound, match="tsk_x"):
        LocalSource(tmp_path).load_run("tsk_x")


def test_downloaded_run_refuses_paths_outside_its_files(tmp_path: Path):
    (tmp_path / "run.json").write_text(json.dumps({"run_id": "tsk_1", "status": "completed"}))
    write(tmp_path / "secret.txt", b"secret")
    (tmp_path / "artifacts.json").write_text(json.dumps([
        {"artifact_id": "../secret.txt", "artifact_type": "llm_prompt", "uri": "file:///x.txt"},
        {"artifact_id": "a_2", "artifact_type": "llm_prompt", "uri": "file:///y.txt"},
    ]))
    source = LocalSource(tmp_path)
    detail = source.load_run("tsk_1")
    assert [a.path for a in detail.artifacts] == [None, None]
    with pytest.raises(ArtifactUnavailable):
        source.read_bytes(detail.artifacts[0])


def test_demo_run_is_complete(demo_run_json, demo_artifacts):
    source = demo_source()
    [run] = source.list_runs()
    assert run.run_id == demo_run_json["run_id"] and run.source == "demo"
    assert run.artifact_count == len(demo_artifacts)
    detail = source.load_run(run.run_id)
    assert len(detail.artifacts) == len(demo_artifacts)
    assert all(a.path is not None and a.path.is_file() for a in detail.artifacts)
    assert all(detail.counts[c] > 0 for c in Category), detail.counts
    types = {a.artifact_type for a in detail.artifacts}
    for needed in (
        "screenshot_llm", "screenshot_action", "screenshot_final", "recording", "llm_prompt",
        "llm_request", "llm_response", "llm_response_parsed", "visible_elements_tree",
        "visible_elements_id_css_map", "html_scrape", "html_action", "skyvern_log",
        "skyvern_log_raw", "browser_console_log", "har", "trace",
    ):
        assert needed in types, needed
    # Bytes are the downloaded files, byte for byte.
    first = detail.artifacts[0]
    assert source.read_bytes(first) == first.path.read_bytes()
    steps = [g for g in detail.groups() if g.step is not None]
    assert len(steps) >= 2


def _relative_paths(detail, root: Path) -> set[str]:
    return {a.path.relative_to(root).as_posix() for a in detail.artifacts}


def test_real_self_hosted_tree_matches_what_the_server_listed(selfhosted_truth):
    """tests/data/selfhosted is a storage tree written by a real Skyvern 1.0.56 server;
    selfhosted.json is what that server's API listed for the same runs."""
    from collections import Counter

    from conftest import SELFHOSTED

    source = LocalSource(SELFHOSTED)
    runs = {r.run_id: r for r in source.list_runs()}

    [task] = selfhosted_truth["task_runs"]
    detail = source.load_run(task["run_id"])
    assert Counter(a.artifact_type for a in detail.artifacts) == task["artifact_counts_by_type"]
    assert _relative_paths(detail, SELFHOSTED) == {a["path"] for a in task["artifacts"]}
    api_ids = {a["artifact_id"] for a in task["artifacts"]}
    assert {a.artifact_id for a in detail.artifacts if a.artifact_id.startswith("a_")} <= api_ids
    steps = sorted((s.order, s.retry_index, s.step_id) for s in detail.steps)
    assert steps == sorted((s["order"], s["retry_index"], s["step_id"]) for s in task["steps"])
    assert "Step 2 (retry 1)" in [g.label for g in detail.groups()]

    # The workflow run's task is joined to it through its step logs, its generated scripts
    # through its own log (which names the scripts it wrote): all as the API listed them.
    [workflow] = selfhosted_truth["workflow_runs"]
    detail = source.load_run(workflow["run_id"])
    assert Counter(a.artifact_type for a in detail.artifacts) == Counter(workflow["artifact_counts_by_type"])
    assert _relative_paths(detail, SELFHOSTED) == {a["path"] for a in workflow["artifacts"]}
    assert [r for r in runs if r.startswith("tsk_")] == [task["run_id"]]
    assert not [r for r in runs.values() if r.run_type == "script"]
    blocks = [a for a in detail.artifacts if a.ext == "skyvern"]
    assert blocks and all(a.artifact_type == "script_file" and a.kind.viewer == "python" for a in blocks)


async def test_a_scripts_blocks_open_as_python_in_the_run_that_wrote_them(selfhosted_truth):
    from apptools import SIZE, local_app, settle
    from conftest import SELFHOSTED
    from tui.ui.viewers.files import ScriptViewer

    [workflow] = selfhosted_truth["workflow_runs"]
    source = LocalSource(SELFHOSTED, label="selfhosted")
    app = local_app(source, workflow["run_id"])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press(str(list(Category).index(Category.FILES) + 1))
        await settle(pilot)
        listed = screen.artifact_list.artifacts
        blocks = [i for i, a in enumerate(listed) if a.ext == "skyvern"]
        assert len(blocks) == 4, [a.artifact_id for a in listed]
        await pilot.press(*["j"] * blocks[0], "enter")
        await settle(pilot)
        viewer = screen.viewer_pane.viewer
        assert isinstance(viewer, ScriptViewer), type(viewer)
        assert viewer.model.lexer == "python"
        assert any("async def" in line for line in viewer.model.lines)

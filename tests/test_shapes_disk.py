"""Each REAL run of tests/data/shapes, read from the server's artifact folder on disk (its
`storage/`, a real Skyvern 1.0.56 ARTIFACT_STORAGE_PATH), is the run the API gave (issue 15):
one run with the API's id, type and status; the artifacts the API listed (artifacts.json, plus
downloads.json), with the API's ids and the recorded bytes; and a timeline rebuilt from the log
with the API's blocks, loop iterations and thoughts in the API's order (timeline.json).

Expected values are the recordings' own files (what the server served), never this code's.
What a folder with no database cannot know is named where it is left out (CANNOT_KNOW).
"""

from __future__ import annotations

import io
import json
import urllib.parse
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.model import Artifact
from tui.core.sources import tree_timeline
from tui.core.sources.local import LocalSource
from tui.core.sources.tree_timeline import read_lines, scan_block_lines, scan_log, timeline

SHAPES = Path(__file__).resolve().parent / "data" / "shapes"
RUNS = sorted(p.name for p in SHAPES.iterdir() if (p / "artifacts.json").is_file())
IDS = ("task_id", "step_id", "workflow_run_block_id", "observer_thought_id", "observer_cruise_id")
LOG_TYPES = ("skyvern_log", "skyvern_log_raw")

# What the files of a storage tree do not say, and why (checked below to be None, not guessed).
CANNOT_KNOW = {
    # Skyvern 1.0.56 logs no end for a canceled task ("Task duration metrics" is logged for
    # completed, failed and terminated only), and the canceled step's logs were rewritten
    # empty ("[]" and 0 bytes): no file under storage/ says "canceled", nor the run type.
    "task_canceled": {"status", "run_type"},
}
# Task v2: the API puts the observer's id on some of the blocks' files too (their screenshots,
# the recording, HAR, console log, final screenshot, step logs) but not on the others of the
# same steps; nothing on disk tells those apart. The disk gives it to the observer's own files
# (observers/{tsk_v2}/, tasks/{tsk_v2}/{ot}/) only.
CRUISE_ON_OBSERVER_FILES_ONLY = "task_v2"


def recorded(name: str, what: str) -> Any:
    return json.loads((SHAPES / name / f"{what}.json").read_text())


def api_rows(name: str) -> list[dict[str, Any]]:
    rows = recorded(name, "artifacts")
    if (SHAPES / name / "downloads.json").is_file():
        rows += recorded(name, "downloads")
    return rows


def relative(uri: str) -> str:
    return urllib.parse.unquote(uri)


def disk_uri(name: str, artifact: Artifact) -> str:
    """The artifact's file relative to storage/ (how artifacts.json names it)."""
    assert artifact.path is not None
    return artifact.path.resolve().relative_to((SHAPES / name / "storage").resolve()).as_posix()


_SOURCES: dict[str, LocalSource] = {}


def source(name: str) -> LocalSource:
    if name not in _SOURCES:
        _SOURCES[name] = LocalSource(SHAPES / name / "storage")
    return _SOURCES[name]


def test_every_shape_is_here() -> None:
    assert len(RUNS) == 9


@pytest.mark.parametrize("name", RUNS)
def test_one_run_with_the_apis_id_type_and_status(name: str) -> None:
    api = recorded(name, "run")
    runs = source(name).list_runs()
    assert [r.run_id for r in runs] == [api["run_id"]]
    run = runs[0]
    unknown = CANNOT_KNOW.get(name, set())
    assert run.status == (None if "status" in unknown else api["status"])
    assert run.run_type == ("task" if "run_type" in unknown else api["run_type"])
    assert run.artifact_count == len(api_rows(name))
    if api["status"] in ("failed", "terminated"):
        assert run.failure_reason == api["failure_reason"].strip() or run.failure_reason == api["failure_reason"]


@pytest.mark.parametrize("name", RUNS)
def test_the_browser_session_is_the_tasks(name: str) -> None:
    run = source(name).list_runs()[0]
    if name == "browser_session":
        assert run.browser_session_id == recorded(name, "task")["browser_session_id"]
        assert run.browser_session_id.startswith("pbs_")
    else:
        assert run.browser_session_id is None


def matched(name: str) -> list[tuple[dict[str, Any], Artifact]]:
    """Each API row with the disk's artifact for it: by artifact id, else (logs, scripts and
    downloads carry no id in their file name) by the file the row names."""
    detail = source(name).load_run(recorded(name, "run")["run_id"])
    by_id = {a.artifact_id: a for a in detail.artifacts}
    by_file = {disk_uri(name, a): a for a in detail.artifacts if a.path is not None}
    pairs = []
    for row in api_rows(name):
        artifact = by_id.get(row["artifact_id"]) or by_file.get(relative(row["uri"]))
        assert artifact is not None, f"{row['artifact_type']} {row['artifact_id']} {row['uri']} is not listed"
        pairs.append((row, artifact))
    assert len({id(a) for _, a in pairs}) == len(pairs) == len(detail.artifacts), "one artifact a row, no more"
    return pairs


@pytest.mark.parametrize("name", RUNS)
def test_the_artifacts_are_the_apis(name: str) -> None:
    pairs = matched(name)
    assert Counter(a.artifact_type for _, a in pairs) == Counter(r["artifact_type"] for r in api_rows(name))
    for row, artifact in pairs:
        assert artifact.artifact_type == row["artifact_type"]
        if row["artifact_type"] in LOG_TYPES or row["artifact_type"] in ("script_file", "download"):
            # No id in the file's name: its path stands in (and is the row's uri).
            assert artifact.artifact_id == disk_uri(name, artifact) == relative(row["uri"])
        else:
            assert artifact.artifact_id == row["artifact_id"]
        for field in IDS:
            expected = row[field]
            if field == "observer_cruise_id" and name == CRUISE_ON_OBSERVER_FILES_ONLY and expected:
                observer_file = "/observers/" in row["uri"] or "/tasks/" in row["uri"]
                expected = expected if observer_file else None
            assert getattr(artifact, field) == expected, (row["artifact_type"], row["uri"], field)


@pytest.mark.parametrize("name", RUNS)
def test_every_artifact_has_the_recorded_bytes(name: str) -> None:
    src = source(name)
    for row, artifact in matched(name):
        assert src.read_bytes(artifact) == (SHAPES / name / "storage" / relative(row["uri"])).read_bytes()


def api_outline(entries: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Depth first, as listed (newest first): what the disk can know of each entry. Not
    compared: status, failure_reason, current_value (no log line says them), a thought's
    type, scenario, text and output (neither its files nor the log say), exact times (the
    log's are when a line was written, the API's when a row was)."""
    out: list[tuple[Any, ...]] = []
    for entry in entries:
        if entry["type"] == "thought":
            out.append(("thought", entry["thought"]["thought_id"]))
            continue
        block = entry["block"]
        out.append(("block", block["label"], block["block_type"], block["task_id"], block["current_index"],
                    block["workflow_run_block_id"], block["parent_workflow_run_block_id"]))
        out += api_outline(entry["children"])
    return out


@pytest.mark.parametrize("name", [n for n in RUNS if (SHAPES / n / "timeline.json").is_file()])
def test_the_timeline_is_the_apis(name: str) -> None:
    detail = source(name).load_run(recorded(name, "run")["run_id"])
    expected = recorded(name, "timeline")
    assert api_outline(list(detail.timeline)) == api_outline(expected)
    assert all(entry["source"] == "log" for entry in detail.timeline)
    # The shape of the API's entries: a consumer of one reads the other.
    for entry, api_entry in zip(detail.timeline, expected, strict=True):
        assert set(entry) >= set(api_entry) - {"attempt"}
        body, api_body = entry[entry["type"]], api_entry[api_entry["type"]]
        for key in ("status", "failure_reason", "current_value", "thought_type", "thought_scenario"):
            if key in api_body:
                assert body[key] is None, key


def test_a_thought_names_the_prompts_its_log_gives_it() -> None:
    import re

    log = next((SHAPES / "task_v2" / "storage" / "logs" / "workflow_run").glob("*/*.log")).read_text()
    logged: dict[str, list[str]] = {}
    for line in log.splitlines():
        thought, prompt = re.search(r'thought_id="(ot_\d+)"', line), re.search(r'prompt_name="([^"]+)"', line)
        if thought and prompt and prompt.group(1) not in logged.setdefault(thought.group(1), []):
            logged[thought.group(1)].append(prompt.group(1))
    detail = source("task_v2").load_run("tsk_v2_603430429318891180")
    thoughts = {e["thought"]["thought_id"]: e["thought"]["prompt_names"] for e in detail.timeline if e["type"] == "thought"}
    assert len(thoughts) == 4
    assert thoughts == {t: logged[t] for t in thoughts}
    assert thoughts["ot_603430480858498886"] == ["task_v2_summary"]


@pytest.mark.parametrize("name", [n for n in RUNS if not (SHAPES / n / "timeline.json").is_file()])
def test_a_task_has_no_timeline(name: str) -> None:
    assert source(name).load_run(recorded(name, "run")["run_id"]).timeline == ()


def test_what_was_tied_by_time_says_so() -> None:
    # The code block's task: only a HAR and a console log, no logs, named by no log.
    loop = source("workflow_loop")
    notes = loop.notes("wr_603430005706488762")
    assert len(notes) == 1 and "tsk_603430100195769472" in notes[0] and "tied by time" in notes[0]
    detail = loop.load_run("wr_603430005706488762")
    code = next(e for e in detail.timeline if e["block"]["block_type"] == "code")
    assert code["block"]["task_id"] == "tsk_603430100195769472" and code["found_by"] == {"task_id": "time"}
    # The canceled task's second step: logs only, and empty.
    canceled = source("task_canceled")
    notes = canceled.notes("tsk_603430579579563642")
    assert len(notes) == 1 and "stp_603430648299040458" in notes[0] and "tied by time" in notes[0]
    steps = canceled.load_run("tsk_603430579579563642").steps
    assert [(s.step_id, s.order) for s in steps] == [(s["step_id"], s["order"]) for s in recorded("task_canceled", "steps")]
    # What the log and the ids say is not noted.
    assert source("task_v2").notes("tsk_v2_603430429318891180") == ()
    assert source("workflow_timed_out").notes("wr_603433071024090832") == ()


def copied(name: str, tmp_path: Path) -> Path:
    import shutil

    shutil.copytree(SHAPES / name / "storage", tmp_path / "storage")
    return tmp_path / "storage"


def test_a_task_is_not_tied_by_time_when_another_run_ran_then(tmp_path: Path) -> None:
    storage = copied("workflow_loop", tmp_path)
    # Another workflow run whose log covers the same seconds: time cannot tell which is the task's.
    log = next((storage / "logs" / "workflow_run").glob("*/*.log"))
    other = storage / "logs" / "workflow_run" / "wr_603430005706488999"
    other.mkdir()
    (other / log.name).write_bytes(log.read_bytes().replace(b"wr_603430005706488762", b"wr_603430005706488999"))
    runs = {r.run_id for r in LocalSource(storage).list_runs()}
    assert "tsk_603430100195769472" in runs, "the code block's task stays a run of its own"
    assert LocalSource(storage).notes("wr_603430005706488762") == ()


def test_a_task_the_workflow_log_names_is_tied_without_a_note(tmp_path: Path) -> None:
    storage = copied("workflow_loop", tmp_path)
    log = next((storage / "logs" / "workflow_run").glob("*/*.log"))
    line = ('\n2026-12-02T02:56:58.100000Z [info     ] Created a new task for workflow run task_id="tsk_603430100195769472" '
            'workflow_run_id="wr_603430005706488762"\n')
    log.write_bytes(log.read_bytes() + line.encode())
    src = LocalSource(storage)
    assert [r.run_id for r in src.list_runs()] == ["wr_603430005706488762"]
    assert src.notes("wr_603430005706488762") == ()
    code = next(e for e in src.load_run("wr_603430005706488762").timeline if e["block"]["block_type"] == "code")
    assert code["block"]["task_id"] == "tsk_603430100195769472" and "found_by" not in code


def test_a_step_whose_log_names_its_task_is_tied_without_a_note(tmp_path: Path) -> None:
    storage = copied("task_canceled", tmp_path)
    log = next((storage / "logs" / "step" / "stp_603430648299040458").glob("*.log"))
    log.write_bytes(b'2026-12-02T02:59:06.5Z [info     ] Starting agent step step_id="stp_603430648299040458" '
                    b'task_id="tsk_603430579579563642"\n')
    src = LocalSource(storage)
    assert [r.run_id for r in src.list_runs()] == ["tsk_603430579579563642"]
    assert src.notes("tsk_603430579579563642") == ()


def test_a_step_made_when_no_task_ran_stays_its_own_run(tmp_path: Path) -> None:
    storage = copied("task_canceled", tmp_path)
    (storage / "logs" / "step" / "stp_603430648299040458").rename(storage / "logs" / "step" / "stp_703430648299040458")
    assert {r.run_id for r in LocalSource(storage).list_runs()} == {"tsk_603430579579563642", "stp_703430648299040458"}


def test_a_long_workflow_log_is_read_in_part_and_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    storage = copied("workflow_loop", tmp_path)
    log = next((storage / "logs" / "workflow_run").glob("*/*.log"))
    text = log.read_bytes()
    cut_at = text.index(b"Starting loop iteration        entrypoint")  # the first iteration
    monkeypatch.setattr(tree_timeline, "LOG_SCAN_LIMIT", cut_at)
    src = LocalSource(storage)
    run_id = src.list_runs()[0].run_id
    assert any("read up to" in n for n in src.notes(run_id))
    outline = api_outline(list(src.load_run(run_id).timeline))
    assert [o[1] for o in outline] == ["read_pages"]  # the loop began; what came after was not read


# --- hostile logs: the parser never raises, and what it reads and keeps is bounded --------------

_WORDS = st.sampled_from([
    "Executing block", "Executing root block", "Starting loop iteration", "Created a new task for workflow run",
    'block_label="a"', 'block_label="b"', 'block_type="for_loop"', 'block_type="code"', "loop_idx=1",
    "loop_idx=-3", "loop_idx=99999999999999999999", 'loop_idx="x"', 'task_id="tsk_1"', 'task_id="tsk_2"',
    'workflow_run_block_id="wrb_5"', "2026-12-02T02:56:36.693844Z", "[info     ]", "block_label=[[[[", "\x1b]0;x\x07",
    'block_label="\x1b[2J"', "=", '"', "\\", "null", "\u202e",
])
_LINES = st.lists(st.lists(_WORDS, max_size=8).map(" ".join) | st.text(max_size=80), max_size=60)


@settings(max_examples=200, deadline=None)
@given(_LINES)
def test_any_log_lines_give_a_timeline(lines: list[str]) -> None:
    scan = scan_block_lines(lines)
    assert len(scan.blocks) <= min(tree_timeline.BLOCK_LIMIT, len(lines))
    entries = timeline(scan, [], "wr_1")
    json.dumps(entries)  # plain data, no cycles
    for entry in entries:
        assert entry["source"] == "log" and entry["type"] == "block"
        assert "\x1b" not in json.dumps(entry, ensure_ascii=False)  # made safe, as a model's strings


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4000), st.integers(min_value=0, max_value=5000))
def test_reading_a_log_is_bounded(data: bytes, limit: int) -> None:
    lines = list(read_lines(io.BytesIO(data), limit))
    text = [line for line in lines if line is not None]
    assert sum(len(line) for line in text) <= limit  # a character decoded is a byte read at least
    assert all(line is not None for line in lines[:-1])
    assert (lines[-1:] == [None]) == (len(data) > limit)
    scan_log(io.BytesIO(data), limit)  # never raises


def test_a_line_longer_than_the_line_limit_is_skipped() -> None:
    long = b'2026-12-02T02:56:36Z [info ] Executing block block_label="big" ' + b"x" * (tree_timeline.LINE_LIMIT + 10)
    data = long + b'\n2026-12-02T02:56:37Z [info ] Executing block block_label="small" block_type="code"\n'
    assert [b.label for b in scan_log(io.BytesIO(data)).blocks] == ["small"]


def test_nested_loops_are_bounded() -> None:
    lines = []
    for depth in range(50):
        lines += [f'2026-12-02T02:56:{depth % 60:02d}Z [info ] Executing block block_label="l{depth}" block_type="for_loop"',
                  "2026-12-02T02:56:00Z [info ] Starting loop iteration loop_idx=0"]
    entries = timeline(scan_block_lines(lines), [], None)
    depth, entry = 0, entries[0]
    while entry["children"]:
        entry, depth = entry["children"][0], depth + 1
    assert depth <= tree_timeline.LOOP_DEPTH
    json.dumps(entries)

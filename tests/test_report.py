"""`skyvern-tui report`: the run's overview as markdown and JSON, on the demo and on the bundled
runs recorded with a real Skyvern 1.0.56 (tests/data/bundled), as the API serves them (run,
steps, actions, artifact rows) and as their folders hold them (--local). The real server's
report is in tests/test_report_real_server.py."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bundled_runs import BUNDLED, ORDER_CALLS, api_detail, run_id
from tui.cli import main
from tui.core.model import Artifact, Run, Step
from tui.core.run_model.build import RunModelBuilder
from tui.core.run_model.report import markdown, redact, report_data, secrets_of

TERMINATED_REASON = ("The categories of the catalog are bolts, gears and springs: no planetary gearbox is sold "
                     "here, so the part asked for cannot be ordered.")
ORDER_ACTIONS = [["input_text", "input_text", "click"], ["click"], ["select_option", "click"], ["click", "complete"],
                 ["complete"]]
ORDER_ELEMENTS = [["AAAE <input id=username>", "AAAG <input id=password>", 'AAAH <button id=signin> "Sign in"'],
                  ['AAAH <button id=checkout disabled> "Check out (0 items)"'],
                  ["AAAF <select id=category>", 'AAAG <button id=filter> "Show parts"'],
                  ['AAAb <a href=confirm.html?part=spur-gear-24t> "Order"', None], [None]]
# On disk no record of actions: what the LLM decided (step 3's COMPLETE is in its step's output only).
DISK_ACTIONS = [*ORDER_ACTIONS[:3], ["click"], ["complete"]]
DISK_ELEMENTS = [*ORDER_ELEMENTS[:3], ORDER_ELEMENTS[3][:1], [None]]


def report(capsys, *args: str) -> tuple[int, str, str]:
    status = main(["report", *args])
    out, err = capsys.readouterr()
    return status, out, err


def element_labels(step: dict) -> list[str | None]:
    return [a["element"]["label"] if a["element"] else None for a in step["actions"]]


# --- the demo ----------------------------------------------------------------------------------------
def test_the_demos_report_as_json(capsys):
    status, out, err = report(capsys, "--demo", "--format", "json")
    assert status == 0 and err == ""
    data = json.loads(out)
    demo = json.loads((Path(__file__).parent.parent / "assets" / "demo" / "run.json").read_text())
    assert data["run_id"] == demo["run_id"] and data["status"] == "completed" and data["failure_reason"] is None
    assert data["goal"].startswith("Sign in to Acme Parts with username 'demo'")
    assert data["failure"] is None  # it completed
    [block] = data["blocks"]  # a workflow run of one navigation block
    assert (block["label"], block["block_type"], block["task_ids"]) == (
        "order_spur_gear", "navigation", ["tsk_602148150363861746"])
    steps = data["steps"]
    assert [s["label"] for s in steps] == ["Step 1", "Step 2", "Step 2 (retry 1)", "Step 3", "Step 4"]
    assert [s["status"] for s in steps] == ["completed", "failed", "completed", "completed", "canceled"]
    assert [[a["type"] for a in s["actions"]] for s in steps] == ORDER_ACTIONS
    assert [element_labels(s) for s in steps] == ORDER_ELEMENTS
    assert [[c["name"] for c in s["llm_calls"]] for s in steps] == ORDER_CALLS
    assert all(a["reasoning"] for s in steps for a in s["actions"])
    failed = steps[1]
    assert failed["exception_type"] == "InteractWithDisabledElement"
    [click] = failed["actions"]
    assert click["failed"] and click["element"]["disabled"] and "now is disabled" in click["errors"][0]
    assert failed["warnings"] == 2 and steps[0]["input_tokens"] == 5132


def test_the_demos_report_as_markdown_on_the_command_line():
    result = subprocess.run([sys.executable, "-m", "tui", "report", "--demo"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("# Run `wr_602148146068894428`: completed\n")
    assert "**Goal:**\n\n> Sign in to Acme Parts" in out
    assert "## Why it failed" not in out
    assert "| order_spur_gear | navigation | — | `tsk_602148150363861746` | — |" in out
    header = "| Step | Status | Actions | LLM calls | Duration | Tokens in / out | Errors | Warnings |"
    rows = out.split(header, 1)[1].strip().splitlines()[1:]
    assert len(rows) == 5
    assert rows[1].startswith("| Step 2 | failed `InteractWithDisabledElement` | `click` "
                              "`AAAH <button id=checkout disabled> \"Check out (0 items)\"` — failed | extract-actions |")
    assert "normal-select" in rows[2] and "10.1 s" in rows[1]
    assert all(row.count(" | ") == 7 for row in rows)  # no cell broke the table


# --- the bundled runs, as the API serves them -----------------------------------------------------------
def test_a_terminated_runs_failure_block():
    source, detail = api_detail("task_terminated")
    model = RunModelBuilder(source).build(detail)
    data = report_data(model)
    assert data["status"] == "terminated" and data["failure_reason"] == TERMINATED_REASON
    assert [s["status"] for s in data["steps"]] == ["completed", "completed"]
    assert [[a["type"] for a in s["actions"]] for s in data["steps"]] == [["input_text", "input_text", "click"],
                                                                          ["terminate"]]
    assert [[c["name"] for c in s["llm_calls"]] for s in data["steps"]] == [ORDER_CALLS[0], ["extract-actions"]]
    failure = data["failure"]
    assert failure["failure_reason"] == TERMINATED_REASON
    assert failure["step"]["label"] == "Step 2" and failure["step"]["why"] == "last"
    [terminate] = failure["step"]["last_actions"]
    assert terminate["type"] == "terminate" and terminate["reasoning"].startswith("The categories of the catalog")
    assert failure["first_console_error"]["text"].startswith("Failed to load resource")
    assert failure["first_console_error"]["place"]["target"].startswith("message:")
    assert failure["first_page_error"] is None
    [request] = failure["failed_requests"]
    assert request["text"].startswith("GET 404 ") and "/api/recommendations" in request["text"]
    assert any(line["text"] == "Agent decided to terminate" for line in failure["last_log_lines"])
    assert failure["last_screenshot"] == {"artifact_id": model.screenshots[-1].artifact_id,
                                          "artifact_type": model.screenshots[-1].artifact_type}

    text = markdown(model)
    assert "## Why it failed" in text and f"> {TERMINATED_REASON}" in text
    assert "**Step 2** (the last step): completed" in text
    assert "1. `terminate` — completed\n   - Reasoning: The categories of the catalog" in text
    assert "- **First console error:** `Failed to load resource" in text
    assert f"- **Last screenshot:** `{model.screenshots[-1].artifact_id}`" in text
    assert "`Agent decided to terminate`" in text


def test_a_workflow_runs_report_has_its_steps():
    source, detail = api_detail("workflow_run")
    data = report_data(RunModelBuilder(source).build(detail))
    assert data["run_id"] == run_id("workflow_run") and data["status"] == "completed" and data["failure"] is None
    assert [[a["type"] for a in s["actions"]] for s in data["steps"]] == ORDER_ACTIONS
    assert [element_labels(s) for s in data["steps"]] == ORDER_ELEMENTS
    assert [[c["name"] for c in s["llm_calls"]] for s in data["steps"]] == ORDER_CALLS


def test_a_failed_workflow_runs_report_names_its_first_failed_step_and_block(capsys):
    source, detail = api_detail("workflow_failed")
    model = RunModelBuilder(source).build(detail)
    data = report_data(model)
    assert data["status"] == "failed" and "Max retries per step (3) exceeded" in data["failure_reason"]
    assert [s["status"] for s in data["steps"]] == ["completed", "failed", "failed", "failed", "failed"]
    failure = data["failure"]
    assert failure["step"]["label"] == "Step 2" and failure["step"]["why"] == "failed"
    [click] = failure["step"]["last_actions"]
    assert click["type"] == "click" and click["element"]["label"].startswith("AAAH <button id=checkout disabled>")
    assert any("InteractWithDisabledElement" in e for e in click["errors"])
    assert [b["label"] for b in data["blocks"]] == ["check_out"] and data["blocks"][0]["status"] == "failed"
    # The same run from its folder on disk (no database): the same story, told by its files.
    status, out, _ = report(capsys, "--local", str(BUNDLED / "workflow_failed" / "storage"), run_id("workflow_failed"))
    assert status == 0
    assert "## Why it failed" in out and "Max retries per step (3) exceeded" in out
    assert "**Step 2** (the first step that failed): failed" in out


# --- the bundled runs, as their folders hold them (--local) ----------------------------------------------------
def test_local_storage_trees_report_their_steps_calls_and_elements(capsys):
    for run in ("task_terminated", "task_completed", "workflow_run"):
        status, out, err = report(capsys, "--local", str(BUNDLED / run / "storage"), run_id(run), "--format", "json")
        assert status == 0, err
        data = json.loads(out)
        steps = data["steps"]
        if run == "task_terminated":
            assert [[a["type"] for a in s["actions"]] for s in steps] == [["input_text", "input_text", "click"],
                                                                          ["terminate"]]
            assert element_labels(steps[0]) == ORDER_ELEMENTS[0]
        else:
            assert [[a["type"] for a in s["actions"]] for s in steps] == DISK_ACTIONS
            assert [element_labels(s) for s in steps] == DISK_ELEMENTS
        assert [[c["name"] for c in s["llm_calls"]] for s in steps][0] == ORDER_CALLS[0]
        assert data["notes"] == []
        status, out, err = report(capsys, "--local", str(BUNDLED / run / "storage"), run_id(run))
        assert status == 0 and out.startswith(f"# Run `{run_id(run)}`") and "| Step 1 |" in out


def test_local_run_folders_report_status_failure_and_steps(capsys):
    # The run folders hold what the API said (run.json, steps.json, actions.json); their files
    # are in storage/, so what needs the files is listed as not read, and the report still prints.
    status, out, err = report(capsys, "--local", str(BUNDLED / "task_terminated"), "--format", "json")
    assert status == 0, err
    data = json.loads(out)
    assert data["status"] == "terminated" and data["failure_reason"] == TERMINATED_REASON
    assert [s["status"] for s in data["steps"]] == ["completed", "completed"]
    assert [[a["type"] for a in s["actions"]] for s in data["steps"]] == [["input_text", "input_text", "click"],
                                                                          ["terminate"]]
    assert data["notes"] and all("has no file" in note for note in data["notes"])
    status, out, err = report(capsys, "--local", str(BUNDLED / "task_terminated"))
    assert status == 0 and "# Run `tsk_603192989642222468`: terminated" in out and f"> {TERMINATED_REASON}" in out
    status, out, err = report(capsys, "--local", str(BUNDLED / "task_completed"), "--format", "json")
    data = json.loads(out)
    assert status == 0 and data["status"] == "completed" and data["failure"] is None
    assert [s["status"] for s in data["steps"]] == ["completed", "failed", "completed", "completed", "canceled"]


# --- bad input --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("args", "status", "says"), [
    (["--demo", "wr_nope"], 2, "no run wr_nope"),
    (["--local", "/nonexistent/folder"], 2, "/nonexistent/folder"),
    # A folder of several runs (a generated script's folder is none: see test_local_source).
    (["--local", str(Path(__file__).parent / "data" / "selfhosted")], 2, "holds 2 runs"),
    (["--demo", "--local", "."], 2, "give one"),
    (["wr_1"], 2, "needs a Skyvern API key"),
    ([], 2, "report needs a RUN_ID"),
])
def test_bad_input_is_one_line_and_status_2(capsys, args, status, says):
    code, out, err = report(capsys, *args)
    assert code == status and out == ""
    assert err.startswith("skyvern-tui: error: ") and says in err and err.count("\n") == 1


def test_a_bad_format_is_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "--demo", "--format", "html"])
    assert exit_info.value.code == 2 and "invalid choice" in capsys.readouterr().err


# --- data stays data, secrets stay out --------------------------------------------------------------------------
HOSTILE = "\x1b]52;c;aGk=\x07 | <img src=x onerror=alert(1)> `tick` \x9b2J"
SIGNED = "https://bucket.example/o/a_1.log?X-Amz-Signature=0123456789abcdef&X-Amz-Credential=key"


def hostile_run(folder: Path) -> Path:
    folder.mkdir()
    (folder / "files").mkdir()
    (folder / "run.json").write_text(json.dumps({
        "run_id": "tsk_hostile", "status": "failed", "failure_reason": f"broke: {HOSTILE}\nfetching {SIGNED} failed",
        "run_request": {"prompt": f"goal {HOSTILE}"},
    }))
    (folder / "steps.json").write_text(json.dumps([{
        "step_id": "stp_1", "task_id": "tsk_hostile", "order": 0, "retry_index": 0, "status": "failed",
        "created_at": "2026-11-28T16:00:00", "modified_at": "2026-11-28T16:00:10",
    }]))
    log = (f'2026-11-28T16:00:01.000000Z [warning  ] Could not fetch {SIGNED} step_id="stp_1"\n'
           f'2026-11-28T16:00:02.000000Z [error    ] {HOSTILE} step_id="stp_1"\n').encode()
    (folder / "files" / "a_1_skyvern_log.log").write_bytes(log)
    (folder / "artifacts.json").write_text(json.dumps([{
        "artifact_id": "a_1", "artifact_type": "skyvern_log", "uri": "file:///x/a_1.log", "signed_url": SIGNED,
        "step_id": "stp_1", "task_id": "tsk_hostile", "created_at": "2026-11-28T16:00:01",
    }]))
    return folder


def test_hostile_data_reaches_the_report_as_data_and_signed_urls_never(tmp_path: Path, capsys):
    folder = hostile_run(tmp_path / "run")
    status, out, err = report(capsys, "--local", str(folder))
    assert status == 0, err
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert "␛]52;c;aGk=␇" in out  # shown, harmless
    assert "\\<img src=x onerror=alert(1)\\>" in out  # no HTML for a renderer
    assert "X-Amz-Signature" not in out and "> fetching [redacted] failed" in out  # the reason quoting it
    header = "| Step | Status |"
    row = out.split(header, 1)[1].strip().splitlines()[2]
    assert row.count(" | ") == 7
    status, out, err = report(capsys, "--local", str(folder), "--format", "json")
    assert status == 0 and "\x1b" not in out and "\x9b" not in out and "X-Amz-Signature" not in out
    data = json.loads(out)
    assert data["failure_reason"].startswith("broke: ␛]52;c;aGk=␇ | <img")
    assert data["failure"]["last_log_lines"][-1]["severity"] == "error"


def test_secrets_are_the_key_and_the_signed_urls():
    rows = [Artifact("a_1", "har", uri="s3://b/a_1", signed_url=SIGNED),
            Artifact("a_2", "har", uri="file:///x", signed_url="file:///x")]
    secrets = secrets_of(rows, api_key="sk-secret-key")
    assert secrets == [SIGNED, "sk-secret-key"]
    assert redact(f"a {SIGNED} b sk-secret-key", secrets) == "a [redacted] b [redacted]"


# --- any text at all ---------------------------------------------------------------------------------------------
TRICKY = st.text(alphabet=st.sampled_from("|\\`<>*_ \n\x1b\x9baZ"), max_size=12) | st.text(max_size=40)


@settings(max_examples=150, deadline=None)
@given(TRICKY, TRICKY, TRICKY)
def test_any_text_in_a_run_keeps_the_markdown_a_table_and_the_json_data(reason: str, reasoning: str, label: str):
    from tui.core.run_model.model import Action, Element, LlmCall, RunModel, StepModel

    element = Element("AAAB", tag="a", text=label, href=label)
    action = Action(0, "click", "AAAB", element=element, text=label, reasoning=reasoning, errors=(reason,))
    step = StepModel(Step("stp_1", status="failed"), "Step 1", actions=(action,), calls=(LlmCall(0, label),))
    model = RunModel(Run("tsk_x", status="failed", failure_reason=reason), goal=reasoning, status="failed",
                     failure_reason=reason, steps=(step,))
    text = markdown(model)
    assert not any(ord(c) < 32 and c not in "\n\t" or 0x7f <= ord(c) <= 0x9f for c in text)  # tab: harmless
    row = next(line for line in text.splitlines() if line.startswith("| Step 1 |"))
    # Eight cells: the pipes that are not escaped are the table's own.
    assert len(re.findall(r"(?<!\\)\|", row.replace("\\\\", ""))) == 9
    data = json.loads(json.dumps(report_data(model)))
    assert data["failure_reason"] == model.failure_reason
    assert data["steps"][0]["actions"][0]["reasoning"] == (model.steps[0].actions[0].reasoning or None)

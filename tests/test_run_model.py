"""The run model, built from real runs: the demo (a downloaded run: steps.json, no actions.json)
and the bundled runs recorded with a real Skyvern 1.0.56 (tests/data/bundled: run.json,
steps.json, actions.json, artifacts.json and the server's storage tree), both as the API
serves them and as the folder on disk holds them."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bundled_runs import BUNDLED, ORDER_CALLS, api_detail
from tui.core.errors import ArtifactUnavailable
from tui.core.formats.logs import skyvern_log
from tui.core.model import Artifact, Run, RunDetail
from tui.core.run_model import Part, RunModel, Severity
from tui.core.run_model.build import PARTS, RunModelBuilder
from tui.core.recorded import goal_in as user_goal
from tui.core.run_model.calls import group_calls, prompt_heading
from tui.core.run_model.logscan import scan
from tui.core.sources.base import Source
from tui.core.sources.demo import demo_source
from tui.core.sources.local import LocalSource

RUNS = sorted(p.name for p in BUNDLED.iterdir() if (p / "actions.json").is_file())
LABELS = ["Step 1", "Step 2", "Step 2 (retry 1)", "Step 3", "Step 4"]
# workflow_failed (stub script "fail"): the sign-in step, then Check out tried 4 times; after the
# last failure Skyvern asks why (summarize-max-retries-reason) and fails the task.
FAILED_CALLS = [ORDER_CALLS[0], ["extract-actions"], ["extract-actions"], ["extract-actions"],
                ["extract-actions", "summarize-max-retries-reason"]]


class Counting:
    """A source that counts what it reads, and can fail or garble chosen artifacts."""

    def __init__(self, inner: Source, broken: dict[str, bytes | None] | None = None) -> None:
        self.inner = inner
        self.label = inner.label
        self.reads: Counter[str] = Counter()
        self.broken = broken or {}

    def list_runs(self) -> list[Run]:
        return self.inner.list_runs()

    def load_run(self, run_id: str) -> RunDetail:
        return self.inner.load_run(run_id)

    def read_bytes(self, artifact: Artifact) -> bytes:
        self.reads[artifact.artifact_id] += 1
        if artifact.artifact_id in self.broken:
            data = self.broken[artifact.artifact_id]
            if data is None:
                raise ArtifactUnavailable(f"{artifact.artifact_id} is gone")
            return data
        return self.inner.read_bytes(artifact)


def demo() -> tuple[Source, RunDetail]:
    source = demo_source()
    return source, source.load_run(source.list_runs()[0].run_id)


def disk_detail(run: str) -> tuple[Source, RunDetail]:
    """The same run from its storage tree alone: no database, so no steps API, no actions API."""
    source = LocalSource(BUNDLED / run / "storage")
    return source, source.load_run(json.loads((BUNDLED / run / "run.json").read_text())["run_id"])


def built(source: Source, detail: RunDetail) -> RunModel:
    model = RunModelBuilder(source).build(detail)
    assert not model.loading
    return model


def names(model: RunModel) -> list[list[str]]:
    return [[c.name for c in s.calls] for s in model.steps]


# --- the first pass -------------------------------------------------------------------------------------
def test_the_first_pass_reads_nothing_and_says_every_part_is_loading():
    source, detail = demo()
    counting = Counting(source)
    model = RunModelBuilder(counting).first_pass(detail)
    assert not counting.reads
    assert model.loading == frozenset(PARTS)
    assert [s.label for s in model.steps] == [g.label for g in detail.groups() if g.step is not None] == LABELS
    assert [s.status for s in model.steps] == ["completed", "failed", "completed", "completed", "canceled"]
    assert all(c.name == "" for s in model.steps for c in s.calls)


def test_steps_have_the_steps_apis_timing_tokens_and_cost():
    source, detail = demo()
    model = RunModelBuilder(source).first_pass(detail)
    for step_model, step in zip(model.steps, sorted(detail.steps, key=lambda s: s.created_at), strict=True):
        assert step_model.step is step
        assert step_model.started_at == step.created_at
        assert step_model.finished_at == step.modified_at  # every step of the demo has ended
        assert step_model.step.input_tokens and step_model.step.cost is not None
    assert model.steps[0].duration_seconds == pytest.approx(20.655, abs=0.01)


def test_the_demos_failed_step_says_why_with_the_actions_outcome():
    source, detail = demo()
    step = RunModelBuilder(source).first_pass(detail).steps[1]
    assert step.failed and step.exception_type == "InteractWithDisabledElement"
    assert step.exception_message == "The element(id=AAAH) now is disabled, try to interact with it later when it's enabled."
    [click] = step.actions
    assert (click.action_type, click.element_id, click.status, click.success, click.origin) == (
        "click", "AAAH", "failed", False, "steps")
    assert click.failed and click.errors[0].startswith("InteractWithDisabledElement: The element(id=AAAH)")
    assert click.reasoning == "Check out to place the order." and click.confidence == 0.95
    # No screenshot_artifact_id in the steps API: the step's one action screenshot.
    assert click.screenshot is not None and click.screenshot.artifact_type == "screenshot_action"
    assert click.screenshot.step_id == step.step.step_id


def test_each_action_gets_its_own_screenshot_in_order():
    source, detail = demo()
    first = RunModelBuilder(source).first_pass(detail).steps[0]
    assert [a.action_type for a in first.actions] == ["input_text", "input_text", "click"]
    assert [a.text for a in first.actions] == ["demo", "hunter2", ""]
    shots = [a.screenshot for a in first.actions]
    assert shots == [a for a in first.screenshots if a.artifact_type == "screenshot_action"]
    assert len(set(shots)) == 3


def test_calls_group_a_prompt_with_what_follows_it():
    source, detail = demo()
    for step in RunModelBuilder(source).first_pass(detail).steps:
        llm = [a for a in step.artifacts if a.artifact_type.startswith("llm_")]
        assert sorted(a.artifact_id for c in step.calls for a in c.artifacts) == sorted(a.artifact_id for a in llm)
        for call in step.calls:
            assert call.prompt and call.request and call.response and call.parsed and call.rendered
            ids = [a.artifact_id for a in call.artifacts]
            assert ids == sorted(ids, key=lambda i: int(i[2:]))  # prompt first, then what followed it


def test_bundled_members_group_by_their_call_index():
    source, detail = api_detail("task_completed")
    for step in RunModelBuilder(source).first_pass(detail).steps:
        for call in step.calls:
            assert {a.call_index for a in call.artifacts} == {call.index}
            assert call.prompt is not None and call.prompt.bundle_key == f"llm_prompt_{call.index}.txt"


def test_a_duplicate_slot_starts_a_new_call():
    prompt = Artifact("a_1", "llm_prompt")
    response = Artifact("a_2", "llm_response")
    second = Artifact("a_3", "llm_response")
    calls = group_calls([second, prompt, response])
    assert [(c.prompt, c.response) for c in calls] == [(prompt, response), (None, second)]


# --- LOGS ---------------------------------------------------------------------------------------------------
def test_the_demos_calls_are_named_by_the_log_with_their_metrics():
    source, detail = demo()
    model = built(source, detail)
    assert names(model) == ORDER_CALLS
    assert all(c.named_by == "log" and c.model == "openai/stub-gpt" and c.duration_seconds for s in model.steps
               for c in s.calls)
    # Each call's tokens are the log's; together they are what the steps API counts for the step.
    for step in model.steps:
        assert sum(c.input_tokens or 0 for c in step.calls) == step.step.input_tokens
        assert sum(c.output_tokens or 0 for c in step.calls) == step.step.output_tokens


@pytest.mark.parametrize("run", RUNS)
def test_bundled_runs_calls_are_named_by_the_log(run: str):
    for source, detail in (api_detail(run), disk_detail(run)):
        model = built(source, detail)
        expected = {"task_terminated": ORDER_CALLS[:2], "workflow_failed": FAILED_CALLS}.get(run, ORDER_CALLS)
        assert names(model) == expected
        if detail.steps and detail.steps[0].input_tokens is not None:
            for step in model.steps:
                assert sum(c.input_tokens or 0 for c in step.calls) == step.step.input_tokens


def test_with_no_log_a_call_is_named_by_its_prompts_heading():
    source, detail = demo()
    detail = replace(detail, artifacts=tuple(a for a in detail.artifacts if a.artifact_type != "skyvern_log"))
    model = built(source, detail)
    first = model.steps[0].calls
    assert {c.named_by for s in model.steps for c in s.calls} == {"prompt"}
    assert first[0].name.startswith("Identify actions to help user progress towards the user goal")
    assert first[1].name.startswith("You are a browser agent performing actions on the web")
    assert first[3].name.startswith("Your are here to help the user determine if the user has completed their goal")
    assert len(first[0].name) <= 80


def test_log_warnings_are_problems_of_the_step_whose_window_holds_them():
    source, detail = demo()
    model = built(source, detail)
    failed = model.steps[1]
    texts = [p.text for p in failed.problems]
    assert "Try to click on a disabled element" in texts
    problem = failed.problems[texts.index("Try to click on a disabled element")]
    assert problem.severity is Severity.WARNING and problem.where == "log"
    assert failed.started_at <= problem.time <= failed.finished_at
    # The step's own log holds the line: the problem opens there, at its line.
    assert problem.place is not None and problem.place.artifact.step_id == failed.step.step_id
    target = problem.place.target
    assert target is not None and target.startswith("line:")
    line = skyvern_log(source.read_bytes(problem.place.artifact)).lines[int(target[5:])]
    assert "Try to click on a disabled element" in line and "[warning" in line
    assert not [p for p in model.steps[0].problems if p.where == "log"]


def test_the_runs_problems_are_each_line_once_though_three_logs_repeat_it():
    source, detail = demo()
    model = built(source, detail)
    texts = [p.text for p in model.problems]
    assert texts.count("Try to click on a disabled element") == 1
    assert len(texts) == len(set((p.text, p.time) for p in model.problems))
    times = [p.time for p in model.problems]
    assert times == sorted(times)


def test_the_terminated_run_says_why_and_who_said_it():
    source, detail = api_detail("task_terminated")
    model = built(source, detail)
    assert model.status == "terminated" and model.unsuccessful and model.status_from == "run"
    assert model.failure_reason and model.failure_reason.startswith("The categories of the catalog are bolts")
    assert model.goal and "Planetary gearbox" in model.goal
    assert model.url == "http://127.0.0.1:8865/"
    last = model.steps[-1]
    assert [a.action_type for a in last.actions] == ["terminate"]
    assert "Agent decided to terminate" in [p.text for p in last.problems]


# --- actions ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("run", RUNS)
def test_bundled_actions_come_from_the_actions_api_with_their_screenshots(run: str):
    source, detail = api_detail(run)
    model = RunModelBuilder(source).first_pass(detail)
    by_id = {a.artifact_id: a for a in detail.artifacts}
    items = {i["action_id"]: i for i in detail.actions}
    actions = [a for s in model.steps for a in s.actions if a.origin == "actions"]
    assert len(actions) == len(items)
    for action in actions:
        item = items[action.action_id]
        assert action.action_type == item["action_type"] and action.status == item["status"]
        named = item["screenshot_artifact_id"]
        if named in by_id:
            assert action.screenshot is by_id[named]
            assert action.screenshot.artifact_type == "screenshot_action"
            assert (action.screenshot.bundle_key is not None) == (run != "task_completed_unbundled")
    if run != "task_terminated":
        failed = model.steps[1]
        assert failed.exception_type == "InteractWithDisabledElement"
        assert [a.failed for a in failed.actions] == [True]


def test_a_step_without_a_record_has_what_the_llm_decided():
    source, detail = api_detail("task_completed")
    model = built(source, detail)
    canceled = model.steps[-1]  # canceled before it acted: the API has no actions for it
    assert canceled.status == "canceled"
    [decided] = canceled.actions
    assert decided.origin == "llm" and decided.status is None and decided.action_type == "complete"
    assert decided.place is not None and decided.place.target == "action:0"
    assert decided.place.artifact is canceled.calls[0].parsed


def test_on_disk_every_action_is_what_the_llm_decided_in_its_extract_actions_calls():
    source, detail = disk_detail("task_completed")
    model = built(source, detail)
    assert [s.label for s in model.steps] == LABELS
    assert [[(a.action_type, a.element_id) for a in s.actions] for s in model.steps] == [
        [("input_text", "AAAE"), ("input_text", "AAAG"), ("click", "AAAH")],
        [("click", "AAAH")],
        [("select_option", "AAAF"), ("click", "AAAG")],
        [("click", "AAAb")],
        [("complete", None)],
    ]
    assert all(a.origin == "llm" for s in model.steps for a in s.actions)
    assert model.steps[0].actions[0].text == "demo"
    # Windows on disk come from the files (the step's log starts with it): the warning is in step 2.
    assert "Try to click on a disabled element" in [p.text for p in model.steps[1].problems]
    assert model.goal and model.goal.startswith("Sign in to Acme Parts")


# --- run ------------------------------------------------------------------------------------------------------
def test_the_workflow_runs_goal_comes_from_its_prompt():
    source, detail = demo()  # a workflow run: its run_request has no prompt
    assert "prompt" not in detail.run.raw["run_request"]
    model = built(source, detail)
    assert model.goal == ("Sign in to Acme Parts with username 'demo' and password 'hunter2', find the gears and "
                          "order a 'Spur gear 24T'. The goal is achieved when the page says the order has been placed.")
    assert model.url == "http://127.0.0.1:8765/"
    assert model.status == "completed" and model.status_from == "run" and not model.unsuccessful


def test_user_goal_sections_of_both_prompts():
    assert user_goal("intro\n\nUser goal:\n```\nBuy a gear.\n```\nmore") == "Buy a gear."
    assert user_goal("User Goal:\nBuy a gear.\nand a bolt.\n\nUser Details:") == "Buy a gear.\nand a bolt."
    assert user_goal("no goal here") is None
    assert prompt_heading("SECURITY BOUNDARY: x.\n\nIdentify actions. More.") == "Identify actions"


# --- building again, faults ----------------------------------------------------------------------------------------
def test_building_again_reads_nothing_new_on_a_finished_run():
    source, detail = demo()
    counting = Counting(source)
    builder = RunModelBuilder(counting)
    first = builder.build(detail)
    read_once = sum(counting.reads.values())
    assert read_once and max(counting.reads.values()) == 1
    again = builder.build(detail)
    assert sum(counting.reads.values()) == read_once
    assert names(again) == names(first)


def test_a_live_runs_logs_are_read_again():
    source, detail = demo()
    live = replace(detail, run=replace(detail.run, status="running"))
    counting = Counting(source)
    builder = RunModelBuilder(counting)
    builder.build(live)
    builder.build(live)
    logs = [a.artifact_id for a in detail.artifacts if a.artifact_type == "skyvern_log"]
    assert all(counting.reads[i] == 2 for i in logs)
    prompts = [a.artifact_id for a in detail.artifacts if a.artifact_type == "llm_prompt"]
    assert all(counting.reads[i] <= 1 for i in prompts)


def test_a_broken_artifact_is_a_note_and_the_build_goes_on():
    source, detail = api_detail("task_completed")
    canceled_parsed = [a for a in detail.artifacts if a.artifact_type == "llm_response_parsed"][-1]
    step_logs = [a for a in detail.artifacts if a.artifact_type == "skyvern_log" and a.step_id]
    counting = Counting(source, {canceled_parsed.artifact_id: b"{not json", step_logs[0].artifact_id: None})
    model = RunModelBuilder(counting).build(detail)
    assert not model.loading
    assert any(canceled_parsed.artifact_id in n and "JSON" in n for n in model.notes)
    assert any(step_logs[0].artifact_id in n for n in model.notes)
    assert model.steps[-1].actions == ()
    assert names(model) == ORDER_CALLS  # the other logs still name every call


def test_cancelled_stops_between_parts_and_keeps_them_loading():
    source, detail = demo()
    model = RunModelBuilder(source).build(detail, cancelled=lambda: True)
    assert model.loading == frozenset(PARTS)


def test_progress_is_told_after_the_first_pass_and_each_part():
    source, detail = demo()
    seen: list[frozenset[Part]] = []
    RunModelBuilder(source).build(detail, progress=lambda m: seen.append(m.loading))
    assert seen[0] == frozenset(PARTS) and seen[-1] == frozenset() and len(seen) == len(PARTS) + 1


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_log_scanning_takes_any_bytes(data: bytes):
    scanned = scan(skyvern_log(data))
    assert scanned.lines == len(skyvern_log(data).lines)
    assert all(0 <= e.line < scanned.lines for e in scanned.entries)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=500))
def test_prompt_reading_takes_any_text(text: str):
    assert len(prompt_heading(text)) <= 80
    goal = user_goal(text)
    assert goal is None or goal.strip() == goal


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400))
def test_a_garbled_parsed_answer_never_stops_the_build(data: bytes):
    source, detail = demo()
    canceled = [a for a in detail.artifacts if a.artifact_type == "llm_response_parsed"][-1]
    model = RunModelBuilder(Counting(source, {canceled.artifact_id: data})).build(detail)
    assert not model.loading


# --- ELEMENTS ------------------------------------------------------------------------------------------------
def test_the_demos_failed_click_is_on_the_disabled_check_out_button():
    source, detail = demo()
    model = built(source, detail)
    [click] = model.steps[1].actions
    element = click.element
    assert element is not None
    assert element.label == 'AAAH <button id=checkout disabled> "Check out (0 items)"'
    assert (element.tag, element.dom_id, element.disabled, element.hidden, element.readonly) == (
        "button", "checkout", True, False, False)
    assert element.css == "[unique_id='AAAH']"
    assert element.place is not None and element.place.target == "AAAH"
    assert element.place.artifact.artifact_type == "visible_elements_tree"
    assert element.place.artifact.step_id == model.steps[1].step.step_id
    order = model.steps[3].actions[0].element
    assert order is not None and order.href == "confirm.html?part=spur-gear-24t" and order.text == "Order"
    # The same id names another element in another step's page: each step reads its own tree.
    assert model.steps[0].actions[2].element.label == 'AAAH <button id=signin> "Sign in"'


@pytest.mark.parametrize("run", RUNS)
def test_every_action_on_an_element_finds_it_in_its_steps_tree(run: str):
    for source, detail in (api_detail(run), disk_detail(run)):
        model = built(source, detail)
        acting = [a for s in model.steps for a in s.actions if a.element_id]
        assert acting
        for step in model.steps:
            for action in step.actions:
                if action.element_id:
                    assert action.element is not None and action.element.element_id == action.element_id
                    assert action.element.place is not None
                    assert action.element.place.artifact.step_id == step.step.step_id
                    assert action.element.css == f"[unique_id='{action.element_id}']"


def test_without_a_tree_the_element_is_the_one_skyvern_recorded_with_the_action():
    source, detail = api_detail("task_completed")
    detail = replace(detail, artifacts=tuple(a for a in detail.artifacts if not a.artifact_type.startswith("visible_")))
    [click] = built(source, detail).steps[1].actions
    assert click.element is not None and click.element.place is None
    assert click.element.label == 'AAAH <button id=checkout disabled> "Check out (0 items)"'


def test_each_tree_is_read_once():
    source, detail = demo()
    counting = Counting(source)
    builder = RunModelBuilder(counting)
    builder.build(detail)
    builder.build(detail)
    trees = [a.artifact_id for a in detail.artifacts if a.artifact_type == "visible_elements_tree"]
    assert [counting.reads[t] for t in trees] == [1, 1, 1, 1]


def test_element_states_come_from_their_attributes():
    from tui.core.run_model.elements import element

    def states(**attributes: str) -> tuple[bool, bool, bool]:
        found = element("A", "input", attributes, "", "", None)
        return found.disabled, found.hidden, found.readonly

    assert states(disabled="true") == (True, False, False)
    assert states(disabled="false") == (False, False, False)
    assert states(**{"aria-disabled": "true"}) == (True, False, False)
    assert states(hidden="") == (False, True, False)
    assert states(**{"aria-hidden": "true"}) == (False, True, False)
    assert states(style="color: red; display: none") == (False, True, False)
    assert states(style="display: block") == (False, False, False)
    assert states(readonly="") == (False, False, True)
    assert element("A", "p", {}, "  two\n  lines " + "x" * 200, "", None).text.startswith("two lines x")


# --- CONSOLE and NETWORK ----------------------------------------------------------------------------------------
def test_console_errors_and_warnings_are_problems_in_their_steps_window():
    source, detail = demo()
    model = built(source, detail)
    console = [p for p in model.problems if p.where == "console"]
    assert [p.severity for p in console] == [Severity.WARNING, Severity.ERROR, Severity.ERROR, Severity.ERROR]
    assert console[0].text == "acme: using demo credentials, any username works (http://127.0.0.1:8765/app.js:5:12)"
    assert console[0].place is not None and console[0].place.target == "message:1"
    assert model.first("console") is console[1]
    first = model.steps[0]
    assert all(p in first.problems for p in console)  # all of them while step 1 signed in
    assert model.first("page") is None  # nothing uncaught on the demo's pages


def test_a_failed_request_is_a_network_problem_at_its_entry():
    source, detail = demo()
    model = built(source, detail)
    [failed] = [p for p in model.problems if p.where == "network"]
    assert failed.text == "GET 404 http://127.0.0.1:8765/api/recommendations?user=demo"
    assert failed.place is not None and failed.place.target == "entry:6"
    assert failed.place.artifact.artifact_type == "har"
    assert failed in model.steps[0].problems and model.first("network") is failed


@pytest.mark.parametrize("run", RUNS)
def test_bundled_runs_console_and_network(run: str):
    source, detail = api_detail(run)
    model = built(source, detail)
    errors = [p.text for p in model.problems if p.where == "console" and p.severity is Severity.ERROR]
    assert errors[0].startswith("Failed to load resource: the server responded with a status of 404 (File not found)")
    assert any(e.startswith("acme: recommendations failed with HTTP 404") for e in errors)
    assert any(p.where == "network" and p.text.startswith("GET 404 ") for p in model.problems)


def test_page_errors_are_told_apart_from_console_errors():
    from tui.core.run_model.browser import console_problems

    log = (b"2026-11-28T16:02:22.5Z[error]Uncaught TypeError: x is undefined url=http://s/app.js lineNumber=1 columnNumber=2\n"
           b"2026-11-28T16:02:23.5Z[error]plain url=http://s/app.js lineNumber=1 columnNumber=2\n"
           b"2026-11-28T16:02:24.5Z[log]fine url=http://s/app.js lineNumber=1 columnNumber=2\n")
    found = console_problems(Artifact("a_1", "browser_console_log"), log)
    assert [(p.where, p.place.target if p.place else None) for p in found] == [("page", "message:0"), ("console", "message:1")]


def test_a_big_har_keeps_the_first_failed_requests_and_says_how_many():
    from tui.core.run_model.browser import MAX_FAILED_REQUESTS, network_problems

    entries = [{"startedDateTime": "2026-11-28T16:02:22.512Z", "request": {"method": "GET", "url": f"http://s/{i}"},
                "response": {"status": 404 if i % 2 else 200}} for i in range(2 * MAX_FAILED_REQUESTS + 10)]
    entries.append({"request": {"method": "POST", "url": "http://s/x"}, "response": {"status": 0, "_failureText": "net::ERR_FAILED"}})
    problems, failed = network_problems(Artifact("a_1", "har"), json.dumps({"log": {"entries": entries}}).encode())
    assert failed == MAX_FAILED_REQUESTS + 6 and len(problems) == MAX_FAILED_REQUESTS
    assert problems[0].text == "GET 404 http://s/1" and problems[0].place.target == "entry:1"
    _, only = network_problems(Artifact("a_1", "har"), json.dumps({"log": {"entries": entries[-1:]}}).encode())
    assert only == 1
    [aborted], _ = network_problems(Artifact("a_1", "har"), json.dumps({"log": {"entries": entries[-1:]}}).encode())
    assert aborted.text == "POST net::ERR_FAILED http://s/x"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600))
def test_browser_parsers_take_any_bytes(data: bytes):
    from tui.core.errors import ParseError
    from tui.core.run_model.browser import console_problems, network_problems

    console_problems(Artifact("a_1", "browser_console_log"), data)
    try:
        network_problems(Artifact("a_1", "har"), data)
    except ParseError:
        pass


def test_a_broken_har_is_a_note():
    source, detail = demo()
    har = next(a for a in detail.artifacts if a.artifact_type == "har")
    model = RunModelBuilder(Counting(source, {har.artifact_id: b'{"log": {"entries": 3}}'})).build(detail)
    assert not model.loading and any(har.artifact_id in n and "HAR" in n for n in model.notes)
    assert not [p for p in model.problems if p.where == "network"]


# --- hostile text --------------------------------------------------------------------------------------------------
def test_a_hostile_run_builds_into_a_safe_model(tmp_path: Path):
    from textsafe_hostile import ALL, unsafe_strings
    from textsafe_runs import hostile_run

    source = hostile_run(tmp_path)
    detail = source.load_run("tsk_hostile")
    item = {"action_id": "act_1" + ALL, "step_id": "stp_1", "action_type": ALL, "status": ALL, "element_id": ALL,
            "text": ALL, "reasoning": ALL, "errors": [{"error_code": ALL, "reasoning": ALL}],
            "skyvern_element_data": {"tagName": ALL, "attributes": {"id": ALL, "href": ALL}, "text": ALL}}
    step = replace(detail.steps[0], raw={"output": {"actions_and_results": [[item, [
        {"success": False, "exception_type": ALL, "exception_message": ALL}]]]}})
    for hostile in (detail, replace(detail, steps=(step,), actions=(item,))):
        model = built(source, hostile)
        found = unsafe_strings(model)
        assert not found, "\n".join(found[:10])
        assert model.steps and any(s.actions for s in model.steps)


# --- blocks --------------------------------------------------------------------------------------------------------
def test_on_disk_a_workflow_runs_blocks_come_from_its_log():
    source, detail = disk_detail("workflow_run")
    assert detail.timeline and all(entry["source"] == "log" for entry in detail.timeline)
    model = built(source, detail)
    [block] = model.blocks
    task = json.loads((BUNDLED / "workflow_run" / "steps.json").read_text())[0]["task_id"]
    assert (block.label, block.block_type, block.task_ids, block.status) == ("order_spur_gear", "navigation", (task,), None)
    assert block.started_at is not None and block.started_at <= model.steps[0].started_at
    assert {s.block_label for s in model.steps} == {"order_spur_gear"}


def test_the_demos_block_comes_from_its_log_as_it_has_no_timeline():
    source, detail = demo()
    model = built(source, detail)
    assert [(b.label, b.block_type) for b in model.blocks] == [("order_spur_gear", "navigation")]
    assert model.blocks[0].task_ids == (detail.steps[0].task_id,)


def test_a_timeline_gives_the_outline_and_a_goal_at_once():
    from tui.core.outline import outline_of

    timeline = [{"type": "block", "block": {"label": "outer", "block_type": "for_loop", "status": "failed",
                                            "failure_reason": "it broke", "created_at": "2026-11-28T16:00:00",
                                            "modified_at": "2026-11-28T16:01:00"},
                 "children": [{"type": "thought", "thought": {}},
                              {"type": "block", "block": {"label": "inner", "block_type": "navigation",
                                                          "status": "running", "task_id": "tsk_1",
                                                          "navigation_goal": "Buy a gear"}}]},
                "not a block"]
    outline = outline_of(timeline)
    # Listed newest first: with no times, the inner block (listed last) ran first. A loop names its inner tasks.
    assert [(e.kind.value, e.label, e.depth, e.status, e.task_ids) for e in outline.entries] == [
        ("block", "outer", 0, "failed", ("tsk_1",)), ("block", "inner", 1, "running", ("tsk_1",)),
        ("thought", "thought", 1, None, ())]
    outer, inner, _ = outline.entries
    assert outer.failure_reason == "it broke" and outer.finished_at is not None
    assert inner.finished_at is None and outline.first_goal() == "Buy a gear"
    assert outline.task_label("tsk_1") == "outer › inner"
    source, detail = demo()
    model = RunModelBuilder(source).first_pass(replace(detail, timeline=tuple(timeline)))
    assert model.outline == outline.entries
    assert {s.block_label for s in model.steps} == {None}  # the demo's task is not tsk_1


def test_a_downloaded_run_reads_its_actions_json(tmp_path: Path):
    import shutil

    folder = tmp_path / "run"
    shutil.copytree(BUNDLED / "task_terminated", folder)
    _, api = api_detail("task_terminated")
    # The recording's artifacts.json has uris relative to storage/: a download's are files/.
    detail = LocalSource(folder).load_run(api.run.run_id)
    assert [a["action_id"] for a in detail.actions] == [a["action_id"] for a in api.actions]
    (folder / "actions.json").write_text("{broken")
    assert LocalSource(folder).load_run(api.run.run_id).actions == ()


def test_building_a_live_run_again_reads_only_what_is_new_and_the_logs():
    source, detail = demo()
    first_steps = {s.step_id for s in sorted(detail.steps, key=lambda s: s.created_at)[:2]}
    running = replace(detail, run=replace(detail.run, status="running"),
                      steps=tuple(s for s in detail.steps if s.step_id in first_steps),
                      artifacts=tuple(a for a in detail.artifacts if a.step_id in first_steps))
    counting = Counting(source)
    builder = RunModelBuilder(counting)
    early = builder.build(running)
    assert [s.label for s in early.steps] == LABELS[:2] and not early.unsuccessful
    done = builder.build(detail)  # the run went on and ended
    assert names(done) == ORDER_CALLS
    read_early = {a.artifact_id for a in running.artifacts}
    for artifact in detail.artifacts:
        reads = counting.reads[artifact.artifact_id]
        if artifact.artifact_type == "skyvern_log" and artifact.artifact_id in read_early:
            assert reads == 2, artifact  # read while live, so read again once it ended
        else:
            assert reads <= 1, artifact
    before = sum(counting.reads.values())
    assert builder.build(detail) == done
    assert sum(counting.reads.values()) == before  # ended: nothing read again


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(
                        ["action_type", "step_id", "status", "action_id", "element_id", "errors", "text", "option",
                         "screenshot_artifact_id", "started_at", "success", "exception_type", "block", "type",
                         "children", "label", "task_id", "created_at", "actions_and_results", "action_results",
                         "skyvern_element_data", "attributes", "confidence_float", "action_order"]), inner, max_size=6),
                    max_leaves=30)


@settings(max_examples=150, deadline=None)
@given(st.lists(JSON, max_size=4), JSON, st.lists(JSON, max_size=3))
def test_whatever_the_apis_json_holds_the_model_builds(actions, output, timeline):
    source, detail = demo()
    step_id = detail.steps[1].step_id
    items = tuple({**a, "step_id": step_id} if isinstance(a, dict) else a for a in actions)
    steps = (replace(detail.steps[1], raw={"output": output}), *detail.steps[2:])
    odd = replace(detail, steps=steps, actions=items, timeline=tuple(timeline))  # type: ignore[arg-type]
    model = RunModelBuilder(source).first_pass(odd)
    assert len(model.steps) == len(detail.steps)
    model = RunModelBuilder(source).read(model, odd, Part.ELEMENTS)
    assert Part.ELEMENTS not in model.loading


def test_with_only_the_step_logs_no_call_is_misnamed():
    """The steps' own logs miss lines (the goal checks, the next step's extract-actions logged in
    the step before): what is paired is right, the rest is named by its prompt."""
    source, detail = demo()
    logs = [a for a in detail.artifacts if a.artifact_type == "skyvern_log"]
    everything = {logs[0].artifact_id, logs[-1].artifact_id}  # the workflow run's and the last step's
    detail = replace(detail, artifacts=tuple(a for a in detail.artifacts if a.artifact_id not in everything))
    model = built(source, detail)
    by_log = [(n, c.index, c.name) for n, s in enumerate(model.steps) for c in s.calls if c.named_by == "log"]
    assert by_log and all(ORDER_CALLS[n][i] == name for n, i, name in by_log)
    assert {c.named_by for s in model.steps for c in s.calls} == {"log", "prompt"}


def test_the_parts_can_be_read_in_any_order():
    source, detail = api_detail("task_completed")
    in_order = built(source, detail)
    builder = RunModelBuilder(source)
    model = builder.first_pass(detail)
    for part in reversed(PARTS):
        model = builder.read(model, detail, part)
    assert not model.loading
    assert names(model) == names(in_order)
    assert [[(a.action_type, a.element) for a in s.actions] for s in model.steps] == [
        [(a.action_type, a.element) for a in s.actions] for s in in_order.steps]
    assert model.problems == in_order.problems and model.goal == in_order.goal


def test_the_api_source_loads_each_tasks_actions_and_a_failing_list_means_none():
    """The recorded workflow run served by a stand-in for its server: the real JSON, and a task
    whose actions list fails (a 500), as an older or a broken server might."""
    import httpx

    from tui.core.sources.api import ApiSettings, ApiSource

    folder = BUNDLED / "workflow_run"
    run = json.loads((folder / "run.json").read_text())
    rows = json.loads((folder / "artifacts.json").read_text())
    steps = json.loads((folder / "steps.json").read_text())
    actions = json.loads((folder / "actions.json").read_text())
    task = steps[0]["task_id"]
    asked: list[str] = []

    def serve(broken: bool):
        def handler(request: httpx.Request) -> httpx.Response:
            path = request.url.path
            asked.append(path)
            answers = {f"/v1/runs/{run['run_id']}": run, f"/v1/runs/{run['run_id']}/artifacts": rows,
                       f"/api/v1/tasks/{task}/steps": steps}
            if path == f"/api/v1/tasks/{task}/actions":
                return httpx.Response(500, json={"detail": "boom"}) if broken else httpx.Response(200, json=actions)
            if path == f"/v1/runs/{run['run_id']}/timeline":
                return httpx.Response(400, json={"detail": "no timeline"})
            return httpx.Response(200, json=answers[path]) if path in answers else httpx.Response(404, json={})
        return handler

    for broken in (False, True):
        settings_ = ApiSettings(base_url="http://skyvern.test", api_key="k", retries=0)
        with ApiSource(settings_, transport=httpx.MockTransport(serve(broken))) as api:
            detail = api.load_run(run["run_id"])
        assert len(detail.steps) == 5 and detail.timeline == ()
        assert [a["action_id"] for a in detail.actions] == ([] if broken else [a["action_id"] for a in actions])
    assert asked.count(f"/api/v1/tasks/{task}/actions") == 2


def test_a_folder_runs_status_is_what_its_log_recorded_and_says_so():
    model = built(*disk_detail("task_terminated"))
    assert (model.status, model.status_from) == ("terminated", "log")
    assert model.failure_reason and "planetary gearbox" in model.failure_reason.lower()
    served = built(*api_detail("task_terminated"))
    assert (served.status, served.status_from) == ("terminated", "run")


def test_a_folder_runs_steps_end_as_their_log_says():
    # No steps API on disk: "Step duration metrics … step_status=" in the log says how each ended.
    model = built(*disk_detail("workflow_failed"))
    assert [(s.label, s.status) for s in model.steps] == [
        ("Step 1", "completed"), ("Step 2", "failed"), ("Step 2 (retry 1)", "failed"),
        ("Step 2 (retry 2)", "failed"), ("Step 2 (retry 3)", "failed")]
    assert model.failed_step is model.steps[1]
    served = built(*api_detail("workflow_failed"))
    assert [s.status for s in served.steps] == [s.status for s in model.steps]


def test_a_folder_runs_actions_went_as_their_log_says():
    # On disk the actions are what the LLM decided; "Action succeeded" / "Action failed, marking
    # step as failed" lines (action_idx, the action's type and element) say how each went.
    model = built(*disk_detail("workflow_failed"))
    assert [[(a.action_type, a.element_id, a.status) for a in s.actions] for s in model.steps] == [
        [("input_text", "AAAE", "completed"), ("input_text", "AAAG", "completed"), ("click", "AAAH", "completed")],
        *[[("click", "AAAH", "failed")]] * 4]
    assert all(a.origin == "llm" for s in model.steps for a in s.actions)
    assert model.failed_step is not None and model.failed_step.actions[0].failed
    # A step whose log states nothing of its action keeps it unknown (the canceled last step).
    completed = built(*disk_detail("task_completed"))
    assert completed.steps[-1].actions[0].status is None


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["Action succeeded", "Action failed, marking step as failed", "Action failedx"]),
       st.text(max_size=40), st.text(max_size=20), st.text(max_size=20))
def test_action_lines_with_any_values_never_stop_the_scan(event: str, action: str, index: str, result: str):
    line = (f'2026-12-01T13:07:42.249239Z [info     ] {event}  action={action} action_idx={index} '
            f'action_result={result} step_id="stp_1"\n')
    scanned = scan(skyvern_log(line.encode("utf-8", "replace")))
    for (step_id, number), logged in scanned.action_results.items():
        assert step_id == "stp_1" and isinstance(number, int) and isinstance(logged.success, bool)
    good = scan(skyvern_log(
        b'2026-12-01T13:07:42Z [info     ] Action failed, marking step as failed action={"element_id": "AAAH", '
        b'"type": "CLICK"} action_idx=0 action_result={"success": false} step_id="stp_1"\n'))
    assert good.action_results[("stp_1", 0)].success is False
    assert good.action_results[("stp_1", 0)].action_type == "click"

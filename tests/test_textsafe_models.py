"""Every string of every core model is safe when the model is built: hostile text (ESC, CSI,
OSC title / clipboard / link, C1, BEL, BS, CR, markup) in every field of every format."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textsafe_hostile import UNSAFE, hostile, unsafe_strings

from tui.core.catalog import Format
from tui.core.errors import ApiError, SourceError, describe_error
from tui.core.formats.bodies import preview_body
from tui.core.formats import elements, files, har, llm, logs, text, trace
from tui.core.model import (
    Artifact,
    Run,
    RunDetail,
    Step,
    group_artifacts,
    script_location,
)

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def assert_safe(model) -> None:
    found = unsafe_strings(model)
    assert not found, "\n".join(found[:10])


@SETTINGS
@given(st.lists(hostile, min_size=12, max_size=12))
def test_run_step_and_artifact_fields(values):
    run = Run.from_api(
        {"run_id": values[0], "status": values[1], "title": values[2], "run_type": values[3],
         "failure_reason": values[4]},
        source=values[5],
    )
    step = Step.from_api({"step_id": values[6], "task_id": values[7], "status": values[8]})
    artifact = Artifact.from_api({
        "artifact_id": values[9], "artifact_type": values[10], "step_id": values[6], "task_id": values[7],
        "uri": f"file:///x/scripts/{values[11]}/{values[0]}/{values[1]}.py", "signed_url": values[2],
        "workflow_run_id": values[3], "bundle_key": values[4],
    }, path=Path("/tmp") / values[5].replace("/", "_").replace("\x00", "_"))
    detail = RunDetail(run, (step,), (artifact,))
    assert_safe(detail)
    assert_safe(group_artifacts(detail.artifacts, detail.steps))
    assert_safe(script_location(artifact.uri))
    assert not UNSAFE.search(artifact.location)
    # The server's answer is kept as it came, for --json (which escapes it itself).
    assert run.raw["run_id"] == values[0]


@SETTINGS
@given(hostile, hostile, hostile)
def test_error_messages(detail, name, other):
    for error in (ApiError(f"the server said: {detail}", status=500), SourceError(name)):
        assert not UNSAFE.search(str(error))
    assert not UNSAFE.search(describe_error(OSError(2, "No such file", other)))
    assert not UNSAFE.search(describe_error(KeyError(other)))


def _log_line(level: str, event: str, key: str, value: str) -> str:
    return f"2026-11-28T16:00:00Z [{level}] {event} {key}={json.dumps(value)} k2={value}"


@SETTINGS
@given(st.lists(hostile, min_size=6, max_size=6))
def test_logs_raw_events_and_console(values):
    level, event, key, value, file, where = values
    data = (_log_line(level, event, key, value) + "\n" + _log_line("info", value, "a", event)).encode()
    log = logs.skyvern_log(data)
    assert_safe(log)
    assert_safe([log.parsed(i) for i in range(len(log.lines))])
    raw = json.dumps([{"timestamp": value, "level": level, "event": event, "file": file, key: {value: [where]}}])
    assert_safe(logs.skyvern_log_raw(raw.encode()))
    console = f"2026-11-28T16:00:00Z[{level.strip('[]') or 'log'}]{event} url={where} lineNumber=1 columnNumber=2\n{value}\n"
    assert_safe(logs.browser_console_log(console.encode()))
    assert_safe(logs.browser_console_log(f"2026-11-28T16:00:00Z[x{'e' * 3}]{event}".encode()))


@SETTINGS
@given(st.lists(hostile, min_size=8, max_size=8))
def test_har_entries_headers_and_bodies(values):
    method, url, status_text, name, value, mime, failure, body = values
    entry = {
        "startedDateTime": "2026-11-28T16:00:00Z", "time": 12,
        "request": {"method": method, "url": f"http://host/{url}?{name}={value}", "headers": [{"name": name, "value": value}],
                    "queryString": [{"name": name, "value": value}], "cookies": [{"name": name, "value": value}],
                    "postData": {"mimeType": mime, "text": body}},
        "response": {"status": 200, "statusText": status_text, "headers": [{"name": name, "value": value}],
                     "cookies": [], "content": {"mimeType": mime, "text": body, "size": 3}, "_failureText": failure},
        "_resourceType": value,
    }
    document = {"log": {"creator": {"name": name, "version": value}, "pages": [{"title": value, name: body}],
                        "entries": [entry]}}
    parsed = har.parse_har(json.dumps(document).encode())
    assert_safe(parsed)
    preview = har.entry_body(parsed.entries[0])
    assert preview is not None and not UNSAFE.search(preview.text)
    assert not UNSAFE.search(preview_body(json.dumps({name: body}).encode(), "application/json").text)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@SETTINGS
@given(st.lists(hostile, min_size=8, max_size=8))
def test_trace_actions_console_and_network(values):
    title, method, selector, error, log, level, text_, url = values
    events = [
        {"type": "context-options", "version": 8, "wallTime": 1000, "monotonicTime": 0, "title": title},
        {"type": "before", "callId": title, "startTime": 5, "class": method, "method": method,
         "params": {"selector": selector, selector: error}},
        {"type": "log", "callId": title, "message": log},
        {"type": "after", "callId": title, "endTime": 9, "error": {"message": error}},
        {"type": "console", "time": 6, "messageType": level, "text": text_, "location": {"url": url, "lineNumber": 1}},
        {"type": "event", "time": 7, "method": "pageError", "params": {"error": {"message": text_}}},
    ]
    network = {"type": "resource-snapshot", "snapshot": {
        "startedDateTime": "2026-11-28T16:00:00Z", "request": {"method": method, "url": f"http://h/{url}", "headers": []},
        "response": {"status": 404, "statusText": error, "headers": [{"name": level, "value": text_}], "content": {}}}}
    data = _zip({"trace.trace": "\n".join(json.dumps(e) for e in events).encode(),
                 "trace.network": json.dumps(network).encode()})
    parsed = trace.parse_trace(data)
    assert parsed.actions and parsed.console and parsed.network
    assert_safe(parsed)


@SETTINGS
@given(st.lists(hostile, min_size=6, max_size=6))
def test_llm_documents_and_actions(values):
    key, url, prompt, kind, reason, element = values
    hrefs = llm.parse_href_map(json.dumps({"_" + "a" * 64: url, key: prompt}).encode())
    assert_safe(hrefs)
    placeholder = "{{_" + "a" * 64 + "}}"
    assert_safe(llm.prompt_document(f"{prompt}\n{placeholder}\n{{\"{key}\": 1}}".encode(), hrefs))
    request = {"model": kind, "messages": [{"role": key, "content": [{"type": "text", "text": prompt + placeholder}]}]}
    assert_safe(llm.request_document(json.dumps(request).encode(), hrefs))
    response = {"id": key, "model": kind, "choices": [{"message": {"role": key, "content": prompt}, "finish_reason": reason}],
                "content": [{"type": "text", "text": prompt}]}
    assert_safe(llm.response_document(json.dumps(response).encode(), hrefs))
    actions = {"user_goal_achieved": reason, key: prompt, "actions": [
        {"action_type": kind, "id": element, "text": prompt, "reasoning": reason, "confidence_float": 0.5, key: url},
        {"action_type": kind, "option": {"label": prompt, "value": url}, "confidence_float": kind},
        prompt,
    ]}
    document = llm.actions_document(json.dumps(actions).encode())
    assert_safe(document)
    assert not any(UNSAFE.search(llm.value_text(v)) for a in document.actions for v in a.fields.values())


@SETTINGS
@given(st.lists(hostile, min_size=6, max_size=6))
def test_element_trees_and_id_maps(values):
    tag, element_id, name, value, text_, extra = values
    node = {"id": element_id, "tagName": tag, "attributes": {name: value}, "text": text_, "frame": name,
            "beforePseudoText": value, "options": [{"optionIndex": 1, "text": text_, "value": value}],
            extra: {value: [text_]}, "children": [{"tagName": text_, "attributes": {}, extra: value}]}
    assert_safe(elements.parse_tree(json.dumps([node]).encode()))
    assert_safe(elements.parse_id_map(json.dumps({element_id: value}).encode()))


@SETTINGS
@given(st.lists(hostile, min_size=3, max_size=3))
def test_text_documents_and_file_details(values):
    line, member, note = values
    for fmt in (Format.TEXT, Format.JSON, Format.PYTHON, Format.HTML):
        assert_safe(text.text_document(f"{line}\n{{\"{member}\": \"{note}\"}}".encode(), fmt))
    assert_safe(text.text_document(json.dumps({member: [line, note]}).encode(), Format.JSON))
    assert_safe(files.sniff(_zip({member.replace("\x00", "_") or "m": line.encode()})))
    assert_safe(files.sniff(line.encode()))


def test_a_downloaded_run_whose_every_field_is_hostile(tmp_path):
    from textsafe_runs import hostile_run

    source = hostile_run(tmp_path)
    runs = source.list_runs()
    assert_safe(runs)
    detail = source.load_run(runs[0].run_id)
    assert_safe(detail)
    assert detail.run.failure_reason and "PWNED" in detail.run.failure_reason  # shown, but inert
    assert not UNSAFE.search(source.label)


def test_safe_value_copies_only_what_changes_and_cuts_deep_nesting():
    from tui.core.textsafe import TOO_DEEP, safe_value

    clean = {"a": ["b", ("c", 1)], "d": None}
    assert safe_value(clean) is clean  # nothing to change: no copy
    dirty = {"a\x1b": ["b", ("c\x9b", 1)]}
    assert safe_value(dirty) == {"a␛": ["b", ("c<9B>", 1)]} and "a\x1b" in dirty  # a copy
    deep: list = []
    for _ in range(10_000):
        deep = [deep]
    cut = safe_value(deep)  # no RecursionError
    for _ in range(64):
        cut = cut[0]
    assert cut == TOO_DEEP

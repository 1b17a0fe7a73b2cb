"""A downloaded run whose every field is hostile, built like apptools.make_run: run, step and
artifact fields, and the content of one artifact of each format."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from apptools import make_run
from textsafe_hostile import ALL, CLIPBOARD, LINK, TITLE

from tui.core.sources.local import LocalSource

H = ALL  # every payload at once
HREF = "_" + "b" * 64


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _log() -> bytes:
    lines = [
        f'2026-11-28T16:00:00.000000Z [info     ] {H}  {H.replace(" ", "")}="{TITLE}" n={CLIPBOARD}',
        f"2026-11-28T16:00:01.000000Z [{TITLE}error] broken level {LINK}",
        f"{H} line without a level",
    ]
    return "\n".join(lines).encode()


def _raw_log() -> bytes:
    return json.dumps([{"timestamp": H, "level": TITLE + "error", "event": H, "file": f"[{CLIPBOARD}:1]",
                        H: {H: [H]}}]).encode()


def _console() -> bytes:
    return (f"2026-11-28T16:00:02Z[error]{H} url={TITLE} lineNumber=3 columnNumber=1\n{CLIPBOARD} continued\n"
            f"2026-11-28T16:00:03Z[{'x' * 3}]{LINK}\n").encode()


def _har() -> bytes:
    entry = {
        "startedDateTime": "2026-11-28T16:00:00Z", "time": 5, "_resourceType": H,
        "request": {"method": H, "url": f"http://host/{TITLE}?{H}={CLIPBOARD}", "headers": [{"name": H, "value": H}],
                    "postData": {"mimeType": H, "text": H}},
        "response": {"status": 500, "statusText": H, "headers": [{"name": TITLE, "value": CLIPBOARD}],
                     "content": {"mimeType": "text/plain", "text": H}, "_failureText": H},
    }
    return json.dumps({"log": {"creator": {"name": H}, "entries": [entry]}}).encode()


def _trace() -> bytes:
    events = [
        {"type": "context-options", "version": 8, "wallTime": 1000, "monotonicTime": 0, "title": H},
        {"type": "before", "callId": H, "startTime": 5, "class": H, "method": TITLE, "params": {"selector": H, H: H}},
        {"type": "log", "callId": H, "message": CLIPBOARD},
        {"type": "after", "callId": H, "endTime": 9, "error": {"message": H}},
        {"type": "console", "time": 6, "messageType": TITLE + "error", "text": H, "location": {"url": LINK, "lineNumber": 1}},
    ]
    return _zip({"trace.trace": "\n".join(json.dumps(e) for e in events).encode()})


def _request() -> bytes:
    return json.dumps({"model": H, "messages": [{"role": H, "content": [{"type": "text", "text": H + "{{" + HREF + "}}"}]}]}).encode()


def _response() -> bytes:
    return json.dumps({"id": H, "model": H, "choices": [{"message": {"role": H, "content": H}, "finish_reason": H}]}).encode()


def _actions() -> bytes:
    return json.dumps({"user_goal_achieved": H, H: H, "actions": [
        {"action_type": H, "id": H, "text": H, "reasoning": H, "confidence_float": 0.5, H: H}]}).encode()


def _tree() -> bytes:
    node = {"id": H, "tagName": TITLE, "attributes": {H: H}, "text": H, "frame": H, "interactable": True,
            H: {H: H}, "children": [{"tagName": H, "attributes": {"unique_id": CLIPBOARD}}]}
    return json.dumps([node]).encode()


# (artifact_type, file name, content): each format once, with hostile content.
ARTIFACTS = [
    ("skyvern_log", "a.log", _log()),
    ("skyvern_log_raw", "a.json", _raw_log()),
    ("browser_console_log", "a.log", _console()),
    ("har", "a.har", _har()),
    ("trace", "a.zip", _trace()),
    ("llm_prompt", "a.txt", f"{H}\n{{{{{HREF}}}}}\n".encode()),
    ("llm_request", "a.json", _request()),
    ("llm_response", "a.json", _response()),
    ("llm_response_parsed", "a.json", _actions()),
    ("visible_elements_tree", "a.json", _tree()),
    ("visible_elements_id_css_map", "a.json", json.dumps({H: H}).encode()),
    ("hashed_href_map", "a.json", json.dumps({HREF: H}).encode()),
    ("html_scrape", "a.html", f"<html><title>{H}</title><body>{H}</body></html>".encode()),
    ("script_file", "main.py", f"# {H}\nprint('{TITLE}')\n".encode()),
    ("recording", "a.webm", H.encode()),  # not a recording: a readable error, with hostile bytes
]


def hostile_run(folder: Path, run_id: str = "tsk_hostile") -> LocalSource:
    """The run: hostile run fields, a hostile step status, hostile ids, types and uris."""
    make_run(folder, ARTIFACTS, run_id=run_id)
    (folder / "run.json").write_text(json.dumps({
        "run_id": run_id, "status": H, "title": H, "run_type": TITLE + "[reverse]task", "failure_reason": "PWNED " + H,
        "step_count": 1,
    }))
    (folder / "steps.json").write_text(json.dumps([{"step_id": "stp_1", "task_id": run_id, "order": 0,
                                                    "status": "failed" + H}]))
    listed = json.loads((folder / "artifacts.json").read_text())
    for entry in listed:
        if entry["artifact_type"] == "script_file":
            entry["uri"] = f"file:///s/scripts/{TITLE}s_1/{CLIPBOARD}1/main.py"
    # Artifacts whose id and type are hostile (they have no file: they show an error panel).
    listed.append({"artifact_id": "a_1[/x]" + TITLE, "artifact_type": "screenshot_llm" + CLIPBOARD,
                   "step_id": "stp_1", "task_id": run_id, "uri": f"file:///x/{LINK}.png",
                   "created_at": "2026-11-28T16:01:00"})
    listed.append({"artifact_id": "a_2" + H, "artifact_type": H, "step_id": None, "task_id": None,
                   "uri": f"file:///x/{H}", "created_at": "2026-11-28T16:01:01"})
    (folder / "artifacts.json").write_text(json.dumps(listed))
    return LocalSource(folder, label="hostile " + TITLE + "[reverse]label")

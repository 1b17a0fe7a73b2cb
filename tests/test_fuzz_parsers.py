"""Every parser, the opening layer and the folder reader, fed hostile input: broken bytes,
fields of the wrong type, NaN and Infinity, nesting up to 100,000 deep, huge lines, damaged
zips and images. The only exception allowed is the project's own (TuiError, ParseError for a
parser) and its message is for people: no object reprs, no addresses. Inputs are bounded, so
a hang is a parser's bug; memory is checked on a few crafted big inputs."""

from __future__ import annotations

import base64
import json
import math
import re
import tracemalloc
from pathlib import Path

import pytest
from apptools import settle
from fuzz_inputs import BYTES, DEPTHS, IMAGES, damaged, documents, encode, image_bytes, mutated, zipped
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from textual.app import App, ComposeResult

from tui.core.catalog import TYPES, Format
from tui.core.errors import ParseError, SourceError, TuiError
from tui.core.formats import bodies, elements, files, har, html, llm, logs, media, text, trace, video, zipread
from tui.core.formats.jsonload import count, load_json, number
from tui.core.model import Artifact
from tui.core.opening import open_data
from tui.core.run_model.browser import network_problems
from tui.core.sources.local import DownloadedRun, LocalSource
from tui.ui.viewers.network import HarViewer, RequestTable
from tui.ui.widgets.log_view import MAX_LINE, STYLED_PAIRS, LogView

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
DATA = Path(__file__).parent / "data" / "selfhosted" / "o_777"
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}|<[^<>]* object at")


def readable(exc: TuiError) -> None:
    """A message for a person: said, and without a Python object's repr or address."""
    message = str(exc)
    assert message.strip(), type(exc)
    assert not _ADDRESS.search(message), message


def parses(parse, data):
    """parse(data), or None when it raised ParseError with a readable message."""
    try:
        return parse(data)
    except ParseError as exc:
        readable(exc)
        return None


# --- samples: valid documents the strategies mutate ---------------------------------------------
PNG_B64 = base64.b64encode(IMAGES["PNG"]).decode()
HAR_ENTRY = {
    "startedDateTime": "2026-01-01T00:00:00.000Z", "time": 12.5, "_resourceType": "fetch", "_failureText": "",
    "request": {"method": "POST", "url": "https://x.test/a?token=1&q=2", "headers": [{"name": "Cookie", "value": "c"}],
                "queryString": [{"name": "q", "value": "2"}], "cookies": [{"name": "s", "value": "1"}],
                "postData": {"mimeType": "application/json", "text": '{"a": 1}'}},
    "response": {"status": 200, "statusText": "OK", "headers": [{"name": "Content-Type", "value": "image/png"}],
                 "cookies": [], "bodySize": 10, "_failureText": "",
                 "content": {"size": 10, "mimeType": "image/png", "text": PNG_B64, "encoding": "base64", "_file": "b.png"}},
    "timings": {"blocked": 1, "dns": 2, "connect": 1, "ssl": 0, "send": 1, "wait": 3, "receive": 1},
}
HAR = {"log": {"creator": {"name": "x", "version": "1"}, "pages": [{"id": "p"}], "entries": [HAR_ENTRY]}}
TRACE_EVENTS = [
    {"type": "context-options", "version": 8, "title": "t", "wallTime": 1_700_000_000_000, "monotonicTime": 10},
    {"type": "before", "callId": "c1", "startTime": 20, "title": "Click", "class": "Frame", "method": "click",
     "params": {"selector": "#a"}},
    {"type": "log", "callId": "c1", "message": "waiting"},
    {"type": "after", "callId": "c1", "endTime": 30, "error": {"error": {"message": "boom"}}},
    {"type": "console", "time": 25, "messageType": "error", "text": "x", "location": {"url": "u", "lineNumber": 1}},
    {"type": "event", "method": "pageError", "time": 26, "params": {"error": {"error": {"message": "m", "stack": "s"}}}},
    {"type": "screencast-frame", "timestamp": 28, "sha1": "f.jpeg", "width": 40, "height": 30},
    {"type": "screencast-frame", "timestamp": 29, "file": "resources/f.jpeg", "width": 40, "height": 30},
]
LLM_REQUEST = {"model": "m", "messages": [{"role": "user", "content": [
    {"type": "text", "text": "hi {{_" + "a" * 64 + "}}"},
    {"type": "image_url", "image_url": {"url": "data:image/png;base64," + PNG_B64}}]}]}
LLM_RESPONSE = {"model": "m", "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
                "choices": [{"finish_reason": "stop", "message": {
                    "content": '```json\n{"actions": [1]}\n```',
                    "tool_calls": [{"id": "c", "function": {"name": "f", "arguments": '{"x": 1}'}}]}}]}
LLM_ACTIONS = {"user_goal_achieved": False, "actions": [
    {"action_type": "click", "id": "A", "text": "x", "reasoning": "r", "confidence_float": 0.9,
     "option": {"label": "a", "value": "b", "index": 1}, "key": "Enter"}]}
HREFS = {"_" + "a" * 64: "https://x.test/long"}
TREE = [{"id": "A", "tagName": "select", "attributes": {"class": "x", "disabled": "", "style": "display: none"},
         "text": "t", "beforePseudoText": "b", "interactable": True, "hoverOnly": False, "frame": "main.frame",
         "options": [{"optionIndex": 0, "text": "a", "value": "a"}], "extra": {"k": [1]},
         "children": [{"id": "B", "tagName": "span", "children": []}]}]
RAW_LOG = [{"timestamp": "2026-11-28T16:02:20Z", "level": "info", "event": "e", "file": "[a.py  :1]", "k": {"v": 1}}]
RUN = {"run_id": "tsk_1", "status": "failed", "run_type": "task_v1", "created_at": "2026-11-28T16:00:00Z",
       "failure_reason": "x", "steps": 1}
ARTIFACTS = [{"artifact_id": "a_1", "artifact_type": "har", "uri": "file:///x/a.har", "step_id": "stp_1",
              "task_id": "tsk_1", "created_at": "2026-11-28T16:00:01", "file_size": 5, "bundle_key": "k"}]
STEPS = [{"step_id": "stp_1", "task_id": "tsk_1", "order": 0, "retry_index": 0, "status": "failed",
          "created_at": "2026-11-28T16:00:00Z", "output": {"errors": [{"reason": "r"}]}}]
LOG_LINES = st.lists(st.one_of(
    st.text(max_size=60),
    st.builds(lambda body: f"2026-11-28T16:02:20.955363Z [info     ] {body}", st.text(max_size=80)),
    st.sampled_from(['2026-11-28T16:02:20Z [error    ] x k="unclosed', "2026-11-28T16:02:20Z [debug] " + "a." * 3000,
                     "2026-11-28T16:02:20Z [info] " + "k=[ " * 2000, "t [warning] k={ k=\"\\\" a=b=c"]),
), max_size=8).map(lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass"))


# --- HAR -------------------------------------------------------------------------------------------
def _use_entry(entry: har.Entry) -> None:
    """What the viewer does with an entry: every number it draws must be finite."""
    for value in (entry.started, entry.duration, *entry.timings.values()):
        assert math.isfinite(value), value
    assert entry.duration >= 0 and isinstance(entry.status, int) and isinstance(entry.size, int)
    har.entry_body(entry)
    har.request_body(entry)
    har.to_curl(entry)
    entry.body()


@FUZZ
@given(st.one_of(documents(HAR), BYTES))
@example(b'{"log": {"entries": [{"time": NaN, "response": {"status": Infinity, "content": {"size": "seven"}}}]}}')
@example(b'{"log": {"entries": [], "creator": {"name": [1]}, "pages": 5}}')
def test_har_raises_only_parse_error_and_gives_finite_numbers(data: bytes):
    parsed = parses(har.parse_har, data)
    if parsed is not None:
        for entry in parsed.entries:
            _use_entry(entry)
        assert math.isfinite(parsed.start) and math.isfinite(parsed.end)
        for column in har.SORT_COLUMNS:
            har.sort_entries(parsed.entries, column)
        har.filter_entries(parsed.entries, "failed -img status:4xx larger-than:1k domain:*.test")
    parses(lambda d: network_problems(Artifact("a_1", "har"), d), data)


# --- trace -------------------------------------------------------------------------------------------
def _trace_zip(lines: list[bytes], network: list[bytes], frame: bytes) -> bytes:
    return zipped({"trace.trace": b"\n".join(lines), "trace.network": b"\n".join(network),
                   "resources/f.jpeg": frame, "resources/b.png": IMAGES["PNG"]})


_EVENT_LINES = st.lists(st.one_of(*[st.builds(encode, mutated(event), st.sampled_from(DEPTHS)) for event in TRACE_EVENTS]),
                        max_size=10)
_NETWORK_LINES = st.lists(st.builds(encode, mutated({"type": "resource-snapshot", "snapshot": HAR_ENTRY}),
                                    st.sampled_from(DEPTHS)), max_size=3)
TRACES = st.one_of(
    st.builds(_trace_zip, _EVENT_LINES, _NETWORK_LINES, st.one_of(st.just(IMAGES["JPEG"]), damaged(IMAGES["JPEG"]))),
    damaged(_trace_zip([json.dumps(e).encode() for e in TRACE_EVENTS], [], IMAGES["JPEG"])),
    damaged((DATA / "tsk_602148150363861746/02_0_stp_602148304982684600/"
             "2026-11-28T16:03:21.950116_a_602148407155076316_trace.zip").read_bytes()),
    BYTES,
)


def _events(*events: str) -> bytes:
    return _trace_zip([e.encode() for e in events], [], IMAGES["JPEG"])


@FUZZ
@given(TRACES)
@example(_events('{"type": "context-options", "version": "seven", "wallTime": "x", "monotonicTime": []}'))
@example(_events('{"type": "context-options", "version": Infinity}', '{"type": "before", "callId": [1], "startTime": NaN}',
                 '{"type": "after", "callId": [1]}'))
@example(_events('{"type": "screencast-frame", "sha1": "f.jpeg", "width": "seven", "height": Infinity}'))
def test_trace_raises_only_parse_error_also_when_frames_and_bodies_are_read(data: bytes):
    parsed = parses(trace.parse_trace, data)
    if parsed is None:
        return
    for action in parsed.actions:
        assert math.isfinite(action.start) and (action.end is None or math.isfinite(action.end))
        parsed.frame_for(action)
    for frame in parsed.frames:
        picture = parses(parsed.frame_bytes, frame)
        if picture is not None:
            parses(media.open_image, picture)
    for entry in parsed.network:
        parsed.load_body(entry)
        _use_entry(entry)


# --- AI --------------------------------------------------------------------------------------------------
@FUZZ
@given(st.one_of(documents(LLM_REQUEST), documents(LLM_RESPONSE), documents(LLM_ACTIONS), documents(HREFS), BYTES))
@example(b'{"choices": [{"message": {"content": "x", "tool_calls": [{"function": "f"}, 5]}}]}')
def test_llm_documents_raise_only_parse_error(data: bytes):
    parses(lambda d: llm.request_document(d, HREFS), data)
    response = parses(lambda d: llm.response_document(d, HREFS), data)
    if response is not None:
        assert all(isinstance(line, str) for line in response.lines)
    actions = parses(llm.actions_document, data)
    if actions is not None:
        for action in actions.actions:
            for value in action.fields.values():
                llm.value_text(value)
    hrefs = parses(llm.parse_href_map, data)
    llm.prompt_document(data, hrefs or {})


def test_a_content_part_whose_text_is_a_number_reads_as_text():
    data = json.dumps({"choices": [{"message": {"content": [{"text": 5}, {"type": "text", "text": "ok"}, 7]}}]})
    doc = llm.response_document(data.encode(), {})
    assert doc.lines == ['{"text": 5}', "ok", "7"]


# --- structure ---------------------------------------------------------------------------------------------
@FUZZ
@given(st.one_of(documents(TREE), documents({"AAAB": "[unique_id='AAAB']"}), BYTES))
def test_element_trees_and_maps_raise_only_parse_error(data: bytes):
    tree = parses(elements.parse_tree, data)
    if tree is not None:
        tree.find("a", 0)
        for element in tree.elements:
            element.key_attributes()
            element.states  # noqa: B018  (a property that reads the attributes)
            element.haystack()
    parses(elements.parse_id_map, data)
    elements.id_map(data)


@FUZZ
@given(st.one_of(BYTES, documents(HAR), st.text(max_size=300).map(str.encode)))
def test_text_html_files_and_bodies_never_raise(data: bytes):
    for fmt in (Format.JSON, Format.TEXT, Format.HTML):
        text.text_document(data, fmt)
    html.pretty_html_bytes(data)
    files.sniff(data)
    bodies.preview_body(data, "application/json")
    bodies.decoded_head(data.decode("latin-1"), "base64", 100)


# --- logs ------------------------------------------------------------------------------------------------
@FUZZ
@given(st.one_of(LOG_LINES, documents(RAW_LOG), BYTES))
def test_logs_raise_only_parse_error(data: bytes):
    log = logs.skyvern_log(data)
    for index in range(min(len(log.lines), 50)):
        parsed = log.parsed(index)
        for key_start, key_end, value_start, value_end in parsed.pairs:
            assert key_start < key_end < value_start < value_end <= len(parsed.text)
    parses(logs.skyvern_log_raw, data)
    logs.browser_console_log(data)


# --- media --------------------------------------------------------------------------------------------------
@FUZZ
@given(st.one_of(*[damaged(data) for data in IMAGES.values()], BYTES))
def test_images_raise_only_parse_error(data: bytes):
    picture = parses(media.open_image, data)
    if picture is not None:
        assert picture.mode == "RGB"
    parses(lambda d: media.thumbnail(d, 8, 8), data)


RECORDINGS = [path.read_bytes()[:60_000] for path in sorted(DATA.glob("*/00_0_*/*recording.*"))[:2]]


@FUZZ
@given(st.one_of(*[damaged(data) for data in RECORDINGS], BYTES))
def test_recordings_raise_only_parse_error(data: bytes):
    parses(video.probe_video, data)


@FUZZ
@given(st.one_of(damaged(zipped({"a.txt": b"x" * 1000, "b/c.json": b"{}"})), BYTES))
def test_zips_raise_only_parse_error(data: bytes):
    archive = parses(lambda d: zipread.open_zip(d, "The archive"), data)
    if archive is not None:
        for name in archive.namelist():
            parses(lambda n: zipread.read_member(archive, n, 1 << 20, "The archive"), name)


# --- the opening layer: every artifact type -------------------------------------------------------------------
SAMPLES = {"har": HAR, "llm_request": LLM_REQUEST, "llm_response": LLM_RESPONSE, "llm_actions": LLM_ACTIONS,
           "element_tree": TREE, "id_map": {"A": "b"}, "skyvern_log_raw": RAW_LOG, "json": {"a": [1]}}


@FUZZ
@given(st.sampled_from(sorted(TYPES)), st.data())
def test_every_artifact_type_opens_or_raises_the_typed_error(artifact_type: str, data: st.DataObject):
    kind = TYPES[artifact_type]
    sample = SAMPLES.get(kind.viewer)
    chosen = data.draw(st.one_of(BYTES, documents(sample)) if sample is not None else
                       st.one_of(BYTES, TRACES, *[damaged(d) for d in IMAGES.values()]))
    try:
        open_data(Artifact("a_1", artifact_type, uri=f"file:///x/a.{kind.ext}"), chosen)
    except TuiError as exc:
        readable(exc)


# --- the folder reader ---------------------------------------------------------------------------------------------
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow, HealthCheck.data_too_large])
@given(documents(RUN), st.one_of(documents(ARTIFACTS), BYTES), st.one_of(documents(STEPS), BYTES),
       st.one_of(documents([{"action_type": "click", "step_id": "stp_1"}]), BYTES))
def test_the_folder_reader_raises_only_its_typed_error(tmp_path_factory, run: bytes, artifacts: bytes, steps: bytes,
                                                       actions: bytes):
    folder = tmp_path_factory.mktemp("run")
    (folder / "files").mkdir()
    (folder / "files" / "a_1_har.har").write_bytes(encode(HAR, 10))
    for name, content in (("run.json", run), ("artifacts.json", artifacts), ("steps.json", steps),
                          ("actions.json", actions)):
        (folder / name).write_bytes(content)
    try:
        source = LocalSource(folder, label="fuzz")
        for found in source.list_runs():
            detail = source.load_run(found.run_id)
            for artifact in detail.artifacts:
                if artifact.path is not None:
                    source.read_bytes(artifact)
    except TuiError as exc:
        readable(exc)


def test_a_run_json_nested_100000_deep_is_a_source_error(tmp_path: Path):
    (tmp_path / "run.json").write_bytes(b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(SourceError, match="nested too deeply"):
        DownloadedRun(tmp_path).run("label")
    # The folder is that one run: the run list says why it cannot be read (no traceback).
    with pytest.raises(SourceError, match="nested too deeply"):
        LocalSource(tmp_path).list_runs()


# --- the bounded loader itself ----------------------------------------------------------------------------------
@pytest.mark.parametrize("depth", [5000, 100_000])
def test_load_json_says_nesting_too_deep(depth: int):
    with pytest.raises(ParseError, match="nested too deeply"):
        load_json(b"[" * depth + b"]" * depth, "The thing")


@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.text(max_size=5), st.none(),
                 st.booleans()))
def test_numbers_from_json_are_finite(value):
    assert math.isfinite(number(value)) and abs(number(value)) <= 1e15
    assert isinstance(count(value), int)


@pytest.mark.parametrize("data", [b"", b"\x89PNG\r\n\x1a\n", b"%!PS-Adobe-3.0 EPSF-3.0\n"])
def test_image_errors_are_for_people(data: bytes):
    with pytest.raises(ParseError) as caught:
        media.open_image(data)
    readable(caught.value)
    if not data:
        assert "empty file (0 bytes)" in str(caught.value)


def test_an_eps_screenshot_never_reaches_ghostscript(monkeypatch):
    from PIL import EpsImagePlugin

    def refuse(*args, **kwargs):
        raise AssertionError("Ghostscript was asked to render an artifact")

    monkeypatch.setattr(EpsImagePlugin, "Ghostscript", refuse)
    with pytest.raises(ParseError, match="EPS"):
        media.open_image(image_bytes("EPS"))
    with pytest.raises(ParseError, match="EPS"):
        open_data(Artifact("a_1", "screenshot"), image_bytes("EPS"))


# --- memory on crafted big inputs --------------------------------------------------------------------------------
def _peak(work) -> int:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("name, data, parse", [
    ("a deep HAR", b'{"log": {"entries": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}}", har.parse_har),
    ("a 3 MB console message", b"0Z[error]x\n" + b"  at f (u:1:2)\n" * 200_000, logs.browser_console_log),
    ("a 2 MB log line", b"2026-11-28T16:02:20Z [info] " + b"k=[ " * 500_000 + b"\n", logs.skyvern_log),
    ("a 1 MB JSON string nested in an LLM answer",
     json.dumps({"choices": [{"message": {"content": "[" * 500_000}}]}).encode(),
     lambda d: llm.response_document(d, {})),
])
def test_memory_stays_within_a_small_multiple_of_the_input(name: str, data: bytes, parse):
    def work():
        try:
            parse(data)
        except ParseError:
            pass

    peak = _peak(work)
    assert peak < 12 * len(data) + (8 << 20), (name, peak)


# --- the waterfall of a HAR whose times are not numbers ---------------------------------------------------------
class WideHarApp(App):
    def __init__(self, data: bytes) -> None:
        super().__init__()
        self.har = open_data(Artifact("a_har", "har"), data).model

    def compose(self) -> ComposeResult:
        yield HarViewer(Artifact("a_har", "har"), self.har)


async def test_a_har_with_nan_infinite_negative_and_huge_times_draws_its_waterfall_at_a_wide_size():
    times = ["NaN", "Infinity", "-Infinity", "-5", "1e300", "12.5", '"seven"', "null"]
    entries = ",".join(
        f'{{"startedDateTime": "2026-01-01T00:00:0{i}Z", "time": {t}, "request": {{"method": "GET", "url": "https://x.test/{i}"}},'
        f' "response": {{"status": 200}}, "timings": {{"wait": {t}, "send": {t}}}}}'
        for i, t in enumerate(times)
    )
    app = WideHarApp(f'{{"log": {{"entries": [{entries}]}}}}'.encode())
    async with app.run_test(size=(220, 40)) as pilot:
        await settle(pilot)
        table = app.query_one(RequestTable)
        assert table.size.width >= 96  # wide enough for the waterfall column
        drawn = [table.render_line(y).text for y in range(len(times))]
        assert all("█" in line for line in drawn), drawn
        assert all(math.isfinite(e.duration) and e.duration >= 0 for e in app.har.entries)


# --- linear work on hostile log lines ------------------------------------------------------------------------------
@pytest.mark.parametrize("unit", ["a.", "a-", "k=[ ", "k={ ", 'k=" ', "k=", "x=1 ", 'm="a=b" ', 'k="\\" ', "k=[a] ", "=a"])
def test_finding_key_values_does_linear_work(unit: str):
    """The scanner counts the characters its scans examine: twice the line, twice the work
    (the one regex it replaced examined "a.a.a..." quadratically: 13 s for 40 KB)."""
    work = [logs.key_values(unit * n)[1] for n in (2000, 4000, 8000)]
    assert work[1] <= 2 * work[0] + 8 and work[2] <= 2 * work[1] + 8, work
    assert work[2] <= 3 * len(unit) * 8000, work


KEY_RUN = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
# The pattern the scanner stands for (quadratic on hostile lines, fine on short ones).
REFERENCE = re.compile(r'(?<![\w.\-"])(?P<key>[A-Za-z_][\w.\-]*)=(?P<value>"(?:[^"\\]|\\.)*"|\[[^\]]*\]|\{[^}]*\}|\S+)')
LINE_TEXT = st.text(alphabet='ab.-_ =[]{}"\\x1', max_size=60)


@FUZZ
@given(LINE_TEXT)
def test_key_values_are_what_the_one_pattern_finds(line: str):
    expected = [(m.start("key"), m.end("key"), m.start("value"), m.end("value")) for m in REFERENCE.finditer(line)]
    assert logs.key_values(line)[0] == expected


@FUZZ
@given(LINE_TEXT)
def test_a_key_starts_only_where_a_run_of_key_characters_starts(line: str):
    """Why the key pass is linear: no key starts inside another's run, so runs are read once."""
    for match in logs._KEY.finditer(line):
        assert match.start() == 0 or line[match.start() - 1] not in KEY_RUN | {'"'}


def test_only_the_start_of_a_huge_line_is_styled_and_the_run_model_reads_it_all():
    line = "2026-11-28T16:02:20Z [info     ] event " + "k=v " * 20_000
    shown = logs.parse_log_line(line)
    assert shown.pairs and max(end for *_, end in shown.pairs) <= logs.STYLED
    assert len(logs.parse_log_line(line, limit=None).pairs) == 20_000


def test_a_console_message_over_many_lines_is_built_once(monkeypatch):
    """Lines are joined once per message: the old parser rebuilt the message for every
    continuation line (a new, longer string each time: 71 s for 2.9 MB)."""
    built: list[str] = []

    class Counted(logs.ConsoleMessage):
        def __post_init__(self) -> None:
            built.append(self.text)
            super().__post_init__()

    monkeypatch.setattr(logs, "ConsoleMessage", Counted)
    data = b"2026-11-28T16:02:22Z[error]Uncaught x\n" + b"  at f (u:1:2)\n" * 5000 + b"2026-11-28T16:02:23Z[log]y\n"
    messages = logs.browser_console_log(data)
    assert len(built) == 2 == len(messages)
    assert messages[0].text.count("\n") == 5000 and messages[1].text == "y"


_OLD_CONSOLE = re.compile(  # the line pattern before (it backtracked over runs of spaces), as a reference
    r"^(?P<ts>\S+?Z?)\[(?P<type>[a-zA-Z]+)\](?P<text>.*?)"
    r"(?:\s+url=(?P<url>\S*)\s+lineNumber=(?P<line>-?\d+)\s+columnNumber=(?P<col>-?\d+))?\s*$"
)


@FUZZ
@given(st.lists(st.sampled_from(["T", "Z", "[log]", "[error]", " ", "  ", "\t", "url=", "u", "lineNumber=",
                                 "columnNumber=", "3", "-1", "x"]), max_size=14).map("".join))
def test_console_lines_read_as_the_one_pattern_read_them(line: str):
    expected = _OLD_CONSOLE.match(line)
    got = logs.browser_console_log(line.encode())
    if expected is None or not line.strip():
        assert all(m.type == "log" and m.timestamp == "" for m in got)
        return
    where = f"{expected['url']}:{expected['line']}:{expected['col']}" if expected["url"] is not None else ""
    assert [(m.timestamp, m.type, m.text, m.location) for m in got] == \
        [(expected["ts"], expected["type"].lower(), expected["text"], where)]


def test_big_images_are_decoded_reduced_to_what_is_drawn():
    png = media.open_image(image_bytes("PNG", (400, 300)), max_pixels=10_000)
    assert png.size == (100, 75) and png.mode == "RGB"  # by a whole factor, under the pixel budget
    jpeg = media.open_image(image_bytes("JPEG", (1600, 1200)), target=(200, 150))
    assert jpeg.size == (200, 150)  # decoded at 1/8 scale (draft), never at full size
    assert media.thumbnail(image_bytes("PNG", (640, 480)), 64, 48).size == (64, 48)
    assert media.open_image(image_bytes("PNG", (640, 480))).size == (640, 480)  # small ones stay whole


class LogApp(App):
    def __init__(self, log: logs.SkyvernLog) -> None:
        super().__init__()
        self.log_model = log

    def compose(self) -> ComposeResult:
        yield LogView(self.log_model)


async def test_a_log_of_hostile_40_kb_lines_is_drawn_with_bounded_styling():
    head = "2026-11-28T16:02:20.955363Z [info     ] event "
    hostile = [(head + unit * 20_000)[:40_000] for unit in ("a.", "k=v ", "k=[ ", 'k="\\" ')]
    app = LogApp(logs.skyvern_log("\n".join(hostile * 8).encode()))
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        view = app.query_one(LogView)
        assert all(view.render_line(y).text.strip() for y in range(len(hostile)))
        for number in range(len(hostile)):
            text = view.styled_line(number)
            # what a row costs to draw is bounded, whatever the line: its length and its spans
            assert len(text) <= MAX_LINE and len(text.spans) <= 2 * STYLED_PAIRS + 3, len(text.spans)
        assert len(view.styled_line(1).spans) > STYLED_PAIRS  # the start of the line is styled


def test_a_broken_mp4_box_is_named_as_text_not_as_a_bytes_repr():
    data = b"\x00\x00\x00\x18ftypisom" + b"\x00" * 12 + b"\x00\x00\x00\x04moov"
    with pytest.raises(ParseError) as caught:
        video.probe_video(data)
    readable(caught.value)
    assert "b'" not in str(caught.value), str(caught.value)


def _negative_offsets(data: bytes) -> bytes:
    """The zip with its end record claiming the central directory starts further on: every
    member's offset then points before the file (zipfile seeks to a negative offset)."""
    end = data.rindex(b"PK\x05\x06")
    offset = int.from_bytes(data[end + 16 : end + 20], "little")
    return data[: end + 16] + (offset + 10_000).to_bytes(4, "little") + data[end + 20 :]


def test_a_trace_whose_members_seek_before_the_file_is_a_parse_error():
    data = _negative_offsets(_trace_zip([json.dumps(e).encode() for e in TRACE_EVENTS], [], IMAGES["JPEG"]))
    with pytest.raises(ParseError) as caught:
        trace.parse_trace(data)
    readable(caught.value)
    with pytest.raises(ParseError):
        open_data(Artifact("a_1", "trace"), data)

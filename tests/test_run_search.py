"""Run-wide search, core: the matcher (smart case, re:, bad and risky patterns), each kind's
lines and places, the window around a match, and the search over a run (order, caps, cancel,
what cannot be read)."""

from __future__ import annotations

import json
import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apptools import make_run
from bundled_runs import api_detail
from tui.core.catalog import Format
from tui.core.formats.text import text_document
from tui.core.model import Artifact
from tui.core.opening import open_data
from tui.core.run_search.lines import lines_of
from tui.core.run_search.matcher import REGEX_LINE, REGEX_WINDOW, BadQuery, compile_query
from tui.core.run_search.search import WINDOW, Finished, Found, Progress, Unsearched, search_run, window
from tui.core.search import find_all
from tui.core.sources.demo import demo_source
from tui.core.textsafe import visible_controls

ASCII = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=80)
WORD = st.text(alphabet="abcXYZ09-_ .", min_size=1, max_size=6).filter(lambda q: q.strip())


# --- the matcher -----------------------------------------------------------------------------------
def test_smart_case() -> None:
    lower, upper = compile_query("sign in"), compile_query("Sign in")
    line = "Sign in · SIGN IN · sign in"
    assert lower.spans(line) == [(0, 7), (10, 17), (20, 27)]
    assert upper.spans(line) == [(0, 7)]
    assert compile_query("re:sign\\s+in").spans(line) == [(0, 7), (10, 17), (20, 27)]
    assert compile_query("re:Sign\\s+in").spans(line) == [(0, 7)]
    assert compile_query("re:\\S+n").pattern.flags & re.IGNORECASE  # escapes are not capitals


@pytest.mark.parametrize("query, said", [
    ("", "Type something"), ("   ", "Type something"), ("re:", "after re:"), ("re:[", "Not a regular expression"),
    ("re:(a+)+$", "exponential"), ("re:(a|aa)*b", "exponential"), ("re:(?:x*)*", "exponential"),
    ("re:" + "a" * 600, "longer than"), ("re:.*a.*b.*z", "open-ended repeats"),
])
def test_bad_queries_say_why(query: str, said: str) -> None:
    with pytest.raises(BadQuery, match=re.escape(said)):
        compile_query(query)


def test_a_safe_regex_on_a_long_line_is_searched_in_windows() -> None:
    matcher = compile_query("re:ab+c")
    line = ("x" * 250 + "abbc") * 80  # matches across the windows' edges, and past REGEX_LINE
    spans = matcher.spans(line)
    assert [s for s, _ in spans] == [s for s in range(250, len(line), 254) if s + 4 <= REGEX_LINE]
    assert all(line[s:e] == "abbc" for s, e in spans)
    assert len(matcher.spans(line, limit=5)) == 5
    assert compile_query("abbc").spans(line) == [(s, s + 4) for s in range(250, len(line), 254)]  # a string: all
    started = time.monotonic()
    assert compile_query("re:.*a.*z").spans("ab" * 2_000_000) == []  # a bounded part of the line
    assert time.monotonic() - started < 10


@given(ASCII, WORD)
def test_plain_spans_are_where_the_query_is(text: str, query: str) -> None:
    spans = compile_query(query).spans(text)
    assert [s for s, _ in spans] == find_all(text, query)
    for start, end in spans:
        found = text[start:end]
        assert found == query if query != query.lower() else found.lower() == query


@given(ASCII, WORD)
def test_an_escaped_regex_finds_what_the_string_finds(text: str, query: str) -> None:
    assume_long = text * (REGEX_WINDOW // max(1, len(text)) + 2) if text else text
    for line in (text, assume_long):
        assert compile_query("re:" + re.escape(query)).spans(line) == compile_query(query).spans(line)


# --- the window around a match -------------------------------------------------------------------------
@given(st.integers(0, 5000), st.integers(0, 5000), WORD)
def test_the_window_holds_the_first_match(before: int, after: int, query: str) -> None:
    line = "x" * before + query + "y" * after
    spans = [(before, before + len(query))]
    text, inside, left, right = window(line, spans)
    assert len(text) <= WINDOW
    start, end = inside[0]
    assert text[start:end] == query[: end - start] and end - start == min(len(query), WINDOW - start)
    start_at = max(0, min(before - 40, len(line) - WINDOW))
    assert left == (start_at > 0) and right == (len(line) > start_at + WINDOW)
    assert text == line[start_at:start_at + WINDOW]


def test_the_window_is_one_line() -> None:
    text, inside, _, _ = window("a\tb\nneedle\rc", [(4, 10)])
    assert "\n" not in text and "\t" not in text and "\r" not in text
    assert text[inside[0][0]:inside[0][1]] == "needle"


# --- lines and places --------------------------------------------------------------------------------------
def _artifact(artifact_type: str, name: str) -> Artifact:
    return Artifact(artifact_id=f"a_{artifact_type}", artifact_type=artifact_type, uri=f"file:///x/{name}")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=30))
def test_text_lines_are_the_viewers_lines(lines: list[str]) -> None:
    raw = "\n".join(lines).encode("utf-8", "surrogatepass")
    artifact = _artifact("notes", "notes.txt")  # a type the catalogue does not know: shown as text
    opened = open_data(artifact, raw)
    found = list(lines_of(opened, artifact))
    assert opened.kind == "text"
    assert [line.text for line in found] == opened.model.lines == text_document(raw, Format.TEXT).lines
    assert [line.target for line in found] == [f"line:{n}" for n in range(len(opened.model.lines))]
    for line in found:
        assert visible_controls(line.text) == line.text  # already safe: spans are in what is shown


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.text(alphabet="abcdef", min_size=1, max_size=5), st.text(max_size=12), max_size=8),
       st.text(alphabet="abcdef", min_size=1, max_size=5))
def test_json_lines_are_pretty_printed_as_the_viewer_shows(value: dict, key: str) -> None:
    value = {**value, key: "NEEDLE-9"}
    artifact = Artifact(artifact_id="a_1", artifact_type="visible_elements_id_frame_map_x", uri="file:///x/a.json")
    opened = open_data(artifact, json.dumps(value).encode())
    found = [line for line in lines_of(opened, artifact) if "NEEDLE-9" in line.text]
    assert len(found) == 1
    number = int(found[0].target.split(":")[1])
    assert "NEEDLE-9" in opened.model.lines[number] and opened.model.note == "pretty-printed"


def test_a_hostile_line_is_made_safe_before_it_is_matched(tmp_path) -> None:
    source = make_run(tmp_path / "run", [("skyvern_log", "skyvern.log", b"ok\n\x1b]52;c;aGk=\x07 [bold]needle\x1b[2J\n")])
    detail = source.load_run(source.list_runs()[0].run_id)
    found = [e for e in search_run(source, detail, compile_query("needle")) if isinstance(e, Found)]
    (hit,) = found[0].hits
    assert hit.target == "line:1" and "\x1b" not in hit.text and "\x07" not in hit.text
    assert "[bold]needle" in hit.text and hit.text[hit.spans[0][0]:hit.spans[0][1]] == "needle"


# --- the search over a run -----------------------------------------------------------------------------------
def _events(source, detail, query, **kwargs):
    return list(search_run(source, detail, compile_query(query), **kwargs))


def test_demo_groups_in_step_order_with_every_kind() -> None:
    source = demo_source()
    detail = source.load_run(source.list_runs()[0].run_id)
    events = _events(source, detail, "html")
    found = [e for e in events if isinstance(e, Found)]
    order = [a.artifact_id for g in detail.groups() for a in g.artifacts]
    assert [order.index(f.artifact.artifact_id) for f in found] == sorted(order.index(f.artifact.artifact_id) for f in found)
    types = {f.artifact.artifact_type for f in found}
    assert {"skyvern_log", "llm_prompt", "har", "visible_elements_tree", "trace", "browser_console_log"} <= types
    finished = events[-1]
    assert isinstance(finished, Finished) and not finished.cancelled and not finished.capped
    assert finished.matches == sum(len(h.spans) for f in found for h in f.hits)
    progress = [e for e in events if isinstance(e, Progress)]
    assert progress[0].done == 0 and progress[-1].done == progress[-1].total and not progress[0].fetching
    har = next(f for f in found if f.artifact.artifact_type == "har")
    assert all(h.target.startswith("entry:") for h in har.hits)
    tree = next(f for f in found if f.artifact.artifact_type == "visible_elements_tree")
    assert all(h.target and not h.target.startswith("line:") for h in tree.hits)  # element ids


def test_recorded_run_finds_a_string_in_log_prompt_har_and_tree() -> None:
    source, detail = api_detail("task_completed")
    found = [e for e in _events(source, detail, "html") if isinstance(e, Found)]
    types = [f.artifact.artifact_type for f in found]
    assert {"skyvern_log", "llm_prompt", "har", "visible_elements_tree"} <= set(types)
    steps = [f.step for f in found]
    labels = [g.label for g in detail.groups()]
    assert [labels.index(s) for s in steps] == sorted(labels.index(s) for s in steps)


def test_caps_per_artifact_and_in_all() -> None:
    source = demo_source()
    detail = source.load_run(source.list_runs()[0].run_id)
    events = _events(source, detail, "a", per_artifact=3, total=10)
    found = [e for e in events if isinstance(e, Found)]
    assert all(sum(len(h.spans) for h in f.hits) <= 3 for f in found)
    assert any(f.capped for f in found)
    finished = events[-1]
    assert isinstance(finished, Finished) and finished.capped and finished.matches == 10


def test_cancelled_stops_between_artifacts() -> None:
    source = demo_source()
    detail = source.load_run(source.list_runs()[0].run_id)
    seen: list[object] = []
    events = search_run(source, detail, compile_query("a"), cancelled=lambda: len(seen) >= 3)
    for event in events:
        seen.append(event)
    finished = seen[-1]
    assert isinstance(finished, Finished) and finished.cancelled and finished.searched < 10


def test_an_artifact_that_cannot_be_parsed_says_why(tmp_path) -> None:
    source = make_run(tmp_path / "run", [("har", "network.har", b"{ not a har"),
                                          ("skyvern_log", "skyvern.log", b"a needle\n")])
    detail = source.load_run(source.list_runs()[0].run_id)
    events = _events(source, detail, "needle")
    (bad,) = [e for e in events if isinstance(e, Unsearched)]
    assert bad.artifact.artifact_type == "har" and bad.why
    assert [e.artifact.artifact_type for e in events if isinstance(e, Found)] == ["skyvern_log"]

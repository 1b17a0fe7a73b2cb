"""tui.core.formats.llm on the demo's real LLM artifacts, small generated cases and broken input."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import pytest
from PIL import Image

from tui.core.errors import ParseError
from tui.core.formats import llm

FILES = Path(__file__).resolve().parent.parent / "assets" / "demo" / "files"
HASH = "_c57ccd754269127bf805d97fe432a44a322b8706d0b71823ffe7863e337cee05"


def demo(name: str) -> bytes:
    return (FILES / name).read_bytes()


def demo_hrefs() -> dict[str, str]:
    return llm.parse_href_map(demo("a_602148167543730956_hashed_href_map.json"))


def png_data_url(width: int, height: int) -> tuple[str, bytes]:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "PNG")
    data = buffer.getvalue()
    return "data:image/png;base64," + base64.b64encode(data).decode(), data


# --- hrefs ---
def test_the_demo_href_map_names_the_long_url_of_its_placeholder():
    hrefs = demo_hrefs()
    assert list(hrefs) == [HASH]
    assert hrefs[HASH].startswith("help.html?section=getting-started")


def test_placeholders_resolve_with_spans_and_unknown_hashes_stay():
    unknown = "_" + "0" * 64
    line = f'<a href="{{{{{HASH}}}}}">x</a> and {{{{ {unknown} }}}} and {{{{ {HASH} }}}}'
    hrefs = {HASH: "https://example.com/long"}
    new, spans, holes = llm.resolve_line(line, hrefs)
    assert new == f'<a href="↗https://example.com/long">x</a> and {{{{ {unknown} }}}} and ↗https://example.com/long'
    assert [new[s:e] for s, e, _ in spans] == ["↗https://example.com/long"] * 2
    assert [line[s:e] for s, e, _ in holes] == [f"{{{{{HASH}}}}}", f"{{{{ {HASH} }}}}"]
    assert llm.resolve_text(line, hrefs) == new


def test_a_href_url_with_control_characters_stays_one_visible_line():
    hrefs = llm.parse_href_map(json.dumps({HASH: "a\nb\x1bc"}).encode())
    assert hrefs[HASH] == "a␊b␛c"


def test_resolving_a_prompt_without_placeholders_changes_nothing():
    lines = ["no placeholders here", "{{ not one }}"]
    assert llm.resolve_hrefs(lines, {HASH: "x"}) is None
    assert llm.resolve_hrefs(lines, {}) is None


def test_the_demo_prompt_with_a_placeholder_resolves_it_and_keeps_the_original():
    doc = llm.prompt_document(demo("a_602148171838698266_llm_prompt.txt"), demo_hrefs())
    assert doc.hrefs is not None and doc.hrefs.count == 1
    (index, spans), = doc.hrefs.resolved_spans.items()
    start, end, _kind = spans[0]
    assert doc.lines[index][start:end] == "↗" + demo_hrefs()[HASH]
    assert f"{{{{{HASH}}}}}" in doc.hrefs.original[index]
    assert len(doc.hrefs.original) == len(doc.lines)


def test_a_broken_href_map_is_a_parse_error():
    with pytest.raises(ParseError):
        llm.parse_href_map(b"[1, 2]")
    with pytest.raises(ParseError):
        llm.parse_href_map(b"{not json")


# --- prompt segments ---
def test_prompt_segments_find_schema_json_and_element_html_in_the_real_prompt():
    doc = llm.prompt_document(demo("a_602148167543730958_llm_prompt.txt"), {})
    by_lexer = {lexer: (a, b) for a, b, lexer in doc.segments}
    # The reply schema has `str` and // comments: not JSON, read as JavaScript.
    a, b = by_lexer["javascript"]
    assert doc.lines[a] == "{" and doc.lines[b - 1] == "}"
    assert "user_goal_stage" in doc.lines[a + 1]
    a, b = by_lexer["html"]
    assert doc.lines[a].startswith("<h1>Acme Parts</h1>")
    a, b = by_lexer["json"]
    assert doc.lines[a:b] == ["{}"]  # the user details, inside a ``` fence
    assert not any(a <= 0 < b for a, b, _ in doc.segments)  # the prose first line stays plain


def test_prompt_segments_of_generated_text():
    lines = [
        "Some prose with [brackets] in it.",
        "```json",
        '{"a": 1,',
        ' "b": "}"}',
        "```",
        "[info     ] a log-like line is prose",
        "<div id=\"AAAB\">x</div>",
        "<span>y</span>",
        "{",
        '  "open": [1, 2,',  # never closed: the block ends at the last line, not beyond
    ]
    # The unclosed block does not parse as JSON: highlighted as JavaScript, which is lenient.
    assert llm.prompt_segments(lines) == [(2, 4, "json"), (6, 8, "html"), (8, 10, "javascript")]


# --- requests ---
def test_request_images_are_elided_to_a_label_with_type_size_and_bytes():
    url, data = png_data_url(320, 200)
    request = {"model": "m", "messages": [{"role": "user", "content": [
        {"type": "text", "text": "look"},
        {"type": "image_url", "image_url": {"url": url}},
        {"type": "image_url", "image_url": {"url": url}},
    ]}]}
    doc = llm.request_document(json.dumps(request).encode(), {})
    label = f"[image/png 320x200, {llm.human_bytes(len(data))}]"
    assert [index for index, line in enumerate(doc.lines) if label in line] == sorted(doc.images)
    assert len(doc.images) == 2
    image = doc.images[min(doc.images)]
    assert image.label == label and image.size == len(data)
    assert image.data() == data
    assert not any("base64" in line for line in doc.lines)


def test_the_demo_request_shows_its_screenshot_as_one_line():
    doc = llm.request_document(demo("a_602148167543730960_llm_request.json"), demo_hrefs())
    ((index, image),) = doc.images.items()
    assert (image.width, image.height) == (800, 600)
    assert image.label in doc.lines[index] and '"url"' in doc.lines[index]
    assert Image.open(io.BytesIO(image.data())).size == (800, 600)
    assert doc.hrefs is not None and doc.hrefs.count == 1


def test_a_data_url_that_is_not_an_image_keeps_an_unknown_size():
    image = llm.inline_image("data:image/png;base64," + base64.b64encode(b"not a png").decode())
    assert image is not None and image.width is None and image.label == "[image/png, 9 B]"
    assert llm.inline_image("https://example.com/x.png") is None


def test_a_broken_request_is_a_parse_error():
    with pytest.raises(ParseError, match="not valid JSON"):
        llm.request_document(b'{"model": ', {})


# --- responses ---
def test_the_demo_response_shows_its_content_as_pretty_json_and_usage_in_the_header():
    raw = json.loads(demo("a_602148167543730962_llm_response.json"))
    doc = llm.response_document(demo("a_602148167543730962_llm_response.json"), {})
    content = json.loads(raw["choices"][0]["message"]["content"])
    assert "\n".join(doc.lines) == json.dumps(content, indent=2, ensure_ascii=False)
    assert doc.segments == [(0, len(doc.lines), "json")]
    usage = raw["usage"]
    assert doc.header == (f"model stub-gpt · finish stop · tokens {usage['prompt_tokens']} prompt / "
                          f"{usage['completion_tokens']} completion / {usage['total_tokens']} total")
    assert doc.raw is not None and json.loads("\n".join(doc.raw.lines)) == raw


def test_response_text_content_fenced_json_and_tool_calls():
    def response(content, tool_calls=None):
        return json.dumps({"model": "m", "choices": [{"finish_reason": "tool_calls", "message": {
            "content": content, "tool_calls": tool_calls}}]}).encode()

    assert llm.response_document(response("just words\nand more"), {}).lines == ["just words", "and more"]
    fenced = llm.response_document(response('```json\n{"a": 1}\n```'), {})
    assert fenced.lines == ["{", '  "a": 1', "}"]
    calls = [{"id": "call_1", "function": {"name": "click", "arguments": '{"id": "AAAB"}'}}]
    doc = llm.response_document(response(None, calls), {})
    assert doc.lines[1] == "tool call: click (call_1)"
    assert doc.lines[2:] == ["{", '  "id": "AAAB"', "}"]
    assert doc.segments == [(2, 5, "json")]
    assert doc.header.startswith("model m · finish tool_calls")


@pytest.mark.parametrize("data", [b"[]", b'{"choices": []}', b'{"choices": [{"message": 3}]}', b"\xff"])
def test_a_response_without_a_message_is_a_parse_error(data):
    with pytest.raises(ParseError):
        llm.response_document(data, {})


# --- parsed actions ---
def test_the_demo_parsed_actions():
    doc = llm.actions_document(demo("a_602148274917913488_llm_response_parsed.json"))
    assert doc.goal["user_goal_achieved"] is False
    assert doc.goal["action_plan"].startswith("Choose the Gears category")
    assert [(a.index, a.action_type, a.element_id, a.text, a.confidence) for a in doc.actions] == [
        (1, "SELECT_OPTION", "AAAF", "Gears (gears)", "0.95"),
        (2, "CLICK", "AAAG", "", "0.95"),
    ]
    assert doc.actions[0].reasoning == "Filter the table to gears."


def test_a_parsed_response_without_actions_keeps_its_fields():
    doc = llm.actions_document(demo("a_602148171838698272_llm_response_parsed.json"))
    assert doc.actions == [] and doc.goal["field"] == "form field"


def test_a_bare_list_of_actions_and_odd_items():
    doc = llm.actions_document(b'[{"action_type": "INPUT_TEXT", "id": "AAAB", "text": "x"}, 7]')
    assert [(a.action_type, a.element_id, a.text) for a in doc.actions] == [("INPUT_TEXT", "AAAB", "x"), ("?", None, "")]


@pytest.mark.parametrize("data", [b"", b"42", b'"text"', b"{broken"])
def test_a_broken_parsed_response_is_a_parse_error(data):
    with pytest.raises(ParseError):
        llm.actions_document(data)

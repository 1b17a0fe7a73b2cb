import json

from tui.core.formats.text import split_lines, text_document
from tui.core.catalog import Format
from tui.core.textsafe import visible_controls


def test_control_characters_become_visible_but_tab_and_newline_stay():
    dangerous = "a\x1b[2Jb\x1b]52;c;aGk=\x07c\rd\x08e\x9bf\x00"
    shown = visible_controls(dangerous)
    assert not any(ord(ch) < 32 and ch not in "\t\n" for ch in shown)
    assert not any(0x7F <= ord(ch) <= 0x9F for ch in shown)
    assert "␛[2J" in shown and "␇" in shown and "␍" in shown and "<9B>" in shown
    assert visible_controls("x\ty\nz") == "x\ty\nz"


def test_crlf_is_a_line_break_not_a_visible_control():
    assert split_lines("a\r\nb") == ["a", "b"]


def test_json_is_pretty_printed_and_broken_json_is_kept_with_a_warning():
    doc = text_document(b'{"a":[1,2]}', Format.JSON)
    assert doc.lines == ["{", '  "a": [', "    1,", "    2", "  ]", "}"]
    assert doc.lexer == "json" and doc.warning is None
    broken = text_document(b'{"a":', Format.JSON)
    assert broken.lines == ['{"a":'] and "Not valid JSON" in broken.warning


def test_invalid_utf8_is_replaced_not_fatal():
    doc = text_document(b"ok \xff\xfe bytes", Format.TEXT)
    assert doc.lines == ["ok \ufffd\ufffd bytes"]


def test_big_json_is_pretty_printed_in_a_child_process_with_the_same_result():
    from tui.core.formats import text

    value = {"entries": [{"i": i, "text": "x" * 40} for i in range(80_000)]}
    data = json.dumps(value, separators=(",", ":")).encode()
    assert len(data) >= text.BIG_JSON
    doc = text_document(data, Format.JSON)
    assert doc.note == "pretty-printed"
    assert doc.lines == json.dumps(value, indent=2).split("\n")
    assert doc.width == max(len(line) for line in doc.lines)


def test_big_broken_or_deep_json_says_why_as_json_would_from_the_child_process(monkeypatch):
    from offload_watch import watch_offloads

    from tui.core.formats import text

    answered = watch_offloads(monkeypatch)
    broken = b'{"a": "' + b"x" * text.BIG_JSON + b'",\n "b": tru}'
    doc = text_document(broken, Format.JSON)
    try:
        json.loads(broken)
    except json.JSONDecodeError as exc:
        expected = f"Not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); shown as text."
    assert doc.warning == expected and doc.lexer == "text"
    deep = b"[" * (text.BIG_JSON + 1)
    assert text_document(deep, Format.JSON).warning == "JSON nested too deeply to indent; shown as it came."
    assert [(o.task, o.in_thread) for o in answered] == [("pretty_json", False)] * 2  # a child answered


def test_lines_are_the_same_whatever_the_chunk_size(monkeypatch):
    from tui.core.formats import text

    data = b"first\r\n" + b"y" * 50 + b"\n\xc3\xa9t\xc3\xa9\n\x1b[31mred\n" * 3 + b"last"
    whole = split_lines(data)
    monkeypatch.setattr(text, "CHUNK", 7)
    assert split_lines(data) == whole
    assert whole[0] == "first" and whole[-1] == "last" and "␛[31mred" in whole

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

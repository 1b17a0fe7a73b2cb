"""tui.core.formats.html: the tolerant pretty-printer on real demo HTML, broken markup and a big page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tui.core.formats.html import INDENT, MAX_DEPTH, pretty_html, pretty_html_bytes

DEMO_FILES = Path(__file__).resolve().parent.parent / "assets" / "demo" / "files"
PAGES = sorted(DEMO_FILES.glob("*_html_*.html"))
IN_PROMPT = sorted(DEMO_FILES.glob("*_visible_elements_tree_in_prompt.txt"))


def depth(line: str) -> int:
    return (len(line) - len(line.lstrip(" "))) // len(INDENT)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("path", PAGES + IN_PROMPT, ids=lambda p: p.name)
def test_demo_pages_keep_every_character_but_whitespace(path):
    data = path.read_bytes()
    lines = pretty_html_bytes(data)
    assert squash("".join(lines)) == squash(data.decode())
    assert len(lines) > 1


def test_in_prompt_tree_is_one_line_in_and_nested_lines_out():
    data = (DEMO_FILES / "a_602148236263207776_visible_elements_tree_in_prompt.txt").read_bytes()
    assert data.count(b"\n") == 0
    lines = pretty_html_bytes(data)
    assert lines[0] == "<h1>Acme Parts</h1>"  # short elements stay on one line
    table = lines.index("<table>")
    assert lines[table + 1] == INDENT + "<thead>"
    assert lines[table + 2] == INDENT * 2 + "<tr>"
    assert lines[table + 3] == INDENT * 3 + "<th>Part</th>"
    link = next(line for line in lines if 'id="AAAV"' in line)
    assert depth(link) == 4 and link.strip().startswith("<a ") and link.endswith("</a>")
    assert lines[-1] == "</table>"


def test_page_structure_nests_and_closes_back_to_the_left():
    data = (DEMO_FILES / "a_602148236263207766_html_scrape.html").read_bytes()
    lines = pretty_html_bytes(data)
    assert lines[0] == "<!DOCTYPE html>"
    assert lines[1] == '<html lang="en">'
    assert lines[2] == INDENT + "<head>"
    assert lines[3] == INDENT * 2 + '<meta charset="utf-8">'  # void: no nesting under it
    assert lines[4] == INDENT * 2 + "<title>Acme Parts - Find a part</title>"
    assert lines[5] == INDENT * 2 + '<link rel="stylesheet" href="style.css">'
    assert lines[6] == INDENT + "</head>"
    assert lines[-1] == "</html>" and lines[-2] == INDENT + "</body>"


@pytest.mark.parametrize(
    "markup",
    [
        "<div><p>unclosed <b>bold</div></span>after",
        "a < b and c > d <<<>>> </ >",
        "<!-- never closed <div>",
        "<div class='x' data-q=\"<\">text",
        "<script>if (a < b) { x = '</div>' }</script><p>after</p>",
        "<style>",
        "</div></div></div>",
        "<DIV><Span>Mixed</SPAN></div>",
        "\x00\x1b[2J\r\n<p>\x07</p>",
        "",
    ],
)
def test_broken_markup_never_fails_and_keeps_the_text(markup):
    lines = pretty_html(markup)
    assert squash("".join(lines)) == squash(
        markup.replace("\r\n", "\n").replace("\x00", "␀").replace("\x1b", "␛").replace("\x07", "␇")
    )
    assert all("\x1b" not in line for line in lines)


def test_script_content_is_kept_line_by_line_not_parsed():
    lines = pretty_html("<body><script>\nvar a = '<div>';\nif (a < 3) {}\n</script></body>")
    assert lines == [
        "<body>",
        INDENT + "<script>",
        INDENT * 2 + "var a = '<div>';",
        INDENT * 2 + "if (a < 3) {}",
        INDENT + "</script>",
        "</body>",
    ]


def test_stray_closer_closes_nothing_and_a_near_closer_closes_its_open_children():
    assert pretty_html("<div><p><b>x y z and more text here</div><i>") == [
        "<div>",
        INDENT + "<p>",
        INDENT * 2 + "<b>",
        INDENT * 3 + "x y z and more text here",
        "</div>",
        "<i>",
    ]


def test_deep_nesting_is_capped():
    lines = pretty_html("<div>" * 500 + "x")
    assert max(depth(line) for line in lines) == MAX_DEPTH
    assert len(lines) == 501


def test_multi_megabyte_page_is_indented_in_one_pass():
    row = '<tr data-n="1"><td class="c">cell one</td><td><a href="/x?a=1&b=2">link</a></td></tr>\n'
    rows = 40_000
    page = "<html><body><table>" + row * rows + "</table></body></html>"
    assert len(page) > 3_000_000
    lines = pretty_html(page)
    # html, body, table, then per row: tr, td (one line), td, a (one line), /td, /tr
    assert len(lines) == 3 + rows * 6 + 3
    assert lines[3] == INDENT * 3 + '<tr data-n="1">'
    assert lines[4] == INDENT * 4 + '<td class="c">cell one</td>'
    assert lines[6] == INDENT * 5 + '<a href="/x?a=1&b=2">link</a>'
    assert lines[-1] == "</html>"


def test_many_stray_angle_brackets_without_closing_ones_stay_text():
    text = "<" * 200_000  # each `<` must not scan to the end of the text (that would be quadratic)
    lines = pretty_html(text)
    assert lines == [text]


def test_structure_parsers_import_no_textual_or_rich():
    import subprocess
    import sys

    code = (
        "import sys, tui.core.formats.html, tui.core.formats.elements;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'));"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr

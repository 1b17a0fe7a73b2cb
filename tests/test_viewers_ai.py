"""Pilot tests of the AI reasoning viewers on the demo's real artifacts: every key."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

from apptools import SIZE, demo_app, local_app, settle
from textual.widgets import Static

from tui.core.sources.local import LocalSource
from tui.ui.screens.image import ImageScreen
from tui.ui.screens.run import RunScreen
from tui.ui.viewers.llm import (
    ActionTable,
    LlmActionsViewer,
    LlmPromptViewer,
    LlmRequestViewer,
    LlmResponseViewer,
)
from tui.ui.widgets.cursor_view import TableHeader
from tui.ui.widgets.line_view import LineView

HASH = "_c57ccd754269127bf805d97fe432a44a322b8706d0b71823ffe7863e337cee05"
PROMPT_WITH_HREF = "a_602148171838698266"  # its element list ends with a long-href placeholder
REQUEST = "a_602148167543730960"
RESPONSE = "a_602148167543730962"
PARSED = "a_602148167543730964"  # three actions: INPUT_TEXT AAAE, INPUT_TEXT AAAG, CLICK AAAH


async def open_ai(pilot, artifact_id: str):
    """Open an artifact of the AI reasoning category with keys, as a person would."""
    screen = pilot.app.screen
    assert isinstance(screen, RunScreen)
    await pilot.press("2")
    await settle(pilot)
    for _ in screen.artifact_list.artifacts:
        if screen.artifact_list.artifact.artifact_id == artifact_id:
            break
        await pilot.press("j")
    assert screen.artifact_list.artifact.artifact_id == artifact_id
    await pilot.press("enter")
    await settle(pilot)
    return screen.viewer_pane.viewer


def row_text(view: LineView, y: int) -> str:
    return "".join(segment.text for segment in view.render_line(y))


def screen_text(view: LineView) -> str:
    return "\n".join(row_text(view, y) for y in range(view.size.height))


async def test_prompt_resolves_long_hrefs_and_p_shows_the_placeholders():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await open_ai(pilot, PROMPT_WITH_HREF)
        assert isinstance(viewer, LlmPromptViewer)
        view = viewer.line_view
        index = next(i for i, line in enumerate(view.lines) if "Help with signing in" in line)
        url = viewer.model.hrefs.resolved[index]
        assert "↗help.html?section=getting-started" in url and HASH not in url
        # Shown underlined in cyan: the style sits exactly on the resolved URL.
        text = view.line_text(index)
        styled = [text.plain[s.start : s.end] for s in text.spans if "underline" in str(s.style)]
        assert any(piece.startswith("↗help.html") for piece in styled)
        await pilot.press("p")
        assert f"{{{{{HASH}}}}}" in view.lines[index] and viewer.placeholders
        await pilot.press("p")
        assert "↗help.html" in view.lines[index] and not viewer.placeholders


async def test_prompt_highlights_html_and_json_and_leaves_prose_plain():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await open_ai(pilot, PROMPT_WITH_HREF)
        view = viewer.line_view
        lexers = {lexer for _, _, lexer in view.segments}
        assert {"html", "javascript"} <= lexers
        html_line = next(a for a, _, lexer in view.segments if lexer == "html")
        assert view.line_text(html_line).spans  # coloured tags
        assert not view.line_text(0).spans  # the first line is prose


async def test_w_wraps_long_lines_to_the_width_and_back():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await open_ai(pilot, PROMPT_WITH_HREF)
        view = viewer.line_view
        count = len(view.lines)
        assert view.virtual_size.height == count
        long = max(range(count), key=lambda i: len(view.lines[i]))
        await pilot.press("w")
        await settle(pilot)
        assert view.wrap and view.virtual_size.height > count
        # The long line's rows, put together, are the whole line: nothing lost at the folds.
        first, last = view.row_of(long), view.row_of(long + 1)
        assert last - first > 1
        view.scroll_to(y=first, animate=False)
        await pilot.pause()
        gutter = view._gutter
        top = first - int(view.scroll_y)  # the view may stop short of scrolling it to the top
        assert 0 <= top < view.size.height
        rows = [row_text(view, y)[gutter:] for y in range(top, min(top + last - first, view.size.height))]
        assert all(len(r.rstrip()) <= view._wrap_width for r in rows)
        # Put together, the rows are the line: folded at spaces (never inside a word that fits),
        # in order, nothing lost at the folds.
        line, position = view.lines[long], 0
        for number, row in enumerate(rows):
            piece = row[: view._wrap_width].rstrip()
            assert line.startswith(piece, position), (number, piece)
            position += len(piece)
            if number < len(rows) - 1:
                # a fold inside a word only cuts a word longer than the width
                assert line[position] == " " or (" " not in piece and len(piece) == view._wrap_width)
                position = len(line) - len(line[position:].lstrip(" "))
        await pilot.press("w")
        await settle(pilot)
        assert not view.wrap and view.virtual_size.height == count


async def test_find_works_while_wrapped():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await open_ai(pilot, PROMPT_WITH_HREF)
        view = viewer.line_view
        expected = [i for i, line in enumerate(view.lines) if "aaaj" in line.lower()]
        await pilot.press("w")
        await pilot.press("slash", *"AAAJ", "enter")
        await settle(pilot)
        assert view.match_line == expected[0]
        assert view.scroll_y <= view.row_of(expected[0]) < view.scroll_y + view.size.height


async def test_request_elides_the_screenshot_and_enter_on_its_line_opens_it():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await open_ai(pilot, REQUEST)
        assert isinstance(viewer, LlmRequestViewer)
        view = viewer.line_view
        ((line, image),) = viewer.model.images.items()
        assert image.label == "[image/png 800x600, 16 KB]"
        assert image.label in view.lines[line]
        assert "↗help.html" in "\n".join(view.lines)  # placeholders resolved in the request too
        assert view.cursor_line == 0
        await pilot.press("j", "j")
        assert view.cursor_line == 2
        await pilot.press("k")
        assert view.cursor_line == 1
        for _ in range(line - 1):
            await pilot.press("j")
        assert view.cursor_line == line
        assert view.scroll_y <= line < view.scroll_y + view.size.height  # kept in view
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ImageScreen)
        assert app.screen.image.size == (800, 600)
        await pilot.press("escape")
        assert isinstance(app.screen, RunScreen)


async def test_request_enter_jumps_to_the_next_image_and_opens_it():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await open_ai(pilot, REQUEST)
        view = viewer.line_view
        await pilot.press("G")
        assert view.cursor_line == len(view.lines) - 1
        await pilot.press("g")
        assert view.cursor_line == 0 and view.scroll_y == 0
        await pilot.press("enter")
        await settle(pilot)
        assert view.cursor_line == next(iter(viewer.model.images))
        assert isinstance(app.screen, ImageScreen)
        await pilot.press("escape")


async def test_response_shows_content_usage_and_r_toggles_the_raw_json():
    raw = json.loads((Path(__file__).parent.parent / "assets/demo/files/a_602148167543730962_llm_response.json").read_text())
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await open_ai(pilot, RESPONSE)
        assert isinstance(viewer, LlmResponseViewer)
        header = str(viewer.query_one(".header", Static).render())
        assert "model stub-gpt" in header and "finish stop" in header
        assert "3513 prompt / 184 completion / 3697 total" in header
        view = viewer.line_view
        content = json.loads(raw["choices"][0]["message"]["content"])
        assert json.loads("\n".join(view.lines)) == content
        await pilot.press("r")
        assert json.loads("\n".join(view.lines)) == raw
        assert view.lexer == "json" and not view.segments
        await pilot.press("r")
        assert json.loads("\n".join(view.lines)) == content


async def test_actions_table_detail_and_j_k():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await open_ai(pilot, PARSED)
        assert isinstance(viewer, LlmActionsViewer)
        table = viewer.query_one(ActionTable)
        assert table.has_focus
        assert table.row_count == 3
        cells = [table.source.row_plain(i, 120).split() for i in range(3)]
        assert [row[2] for row in cells] == ["AAAE", "AAAG", "AAAH"]
        assert [row[1] for row in cells] == ["INPUT_TEXT", "INPUT_TEXT", "CLICK"]
        assert [row[3] for row in cells] == ["completed"] * 3  # what came of each, as Skyvern recorded it
        assert cells[0][4] == "demo"
        header = str(viewer.query_one(TableHeader).render()).split()
        assert header[:5] == ["#", "action_type", "id", "outcome", "text"]
        goal = str(viewer.query_one(".goal", Static).render())
        assert "user_goal_stage: On the sign-in page" in goal and "user_goal_achieved: false" in goal
        detail = viewer.query_one(".detail", Static)
        assert "action 1 of 3" in str(detail.render())
        await pilot.press("j")
        await pilot.pause()
        assert table.cursor_row == 1
        assert "type the demo password" in str(detail.render())
        await pilot.press("k")
        await pilot.pause()
        assert table.cursor_row == 0 and "type the demo user" in str(detail.render())


async def test_actions_e_opens_the_element_tree_of_the_same_step():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await open_ai(pilot, PARSED)
        step = viewer.artifact.step_id
        await pilot.press("j", "j")  # CLICK AAAH
        await pilot.press("e")
        await settle(pilot)
        pane = app.screen.viewer_pane
        assert pane.artifact.artifact_type == "visible_elements_tree"
        assert pane.artifact.step_id == step
        assert app.screen.artifact_list.artifact is pane.artifact  # revealed in its category


async def test_actions_r_shows_the_raw_json_and_back():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await open_ai(pilot, PARSED)
        table = viewer.query_one(ActionTable)
        raw = viewer.query_one(LineView)
        assert not raw.display or not raw.visible or raw.region.height == 0
        await pilot.press("r")
        await pilot.pause()
        assert raw.has_focus and raw.region.height > 0 and table.region.height == 0
        assert json.loads("\n".join(raw.lines))["actions"][2]["id"] == "AAAH"
        await pilot.press("r")
        await pilot.pause()
        assert table.has_focus and raw.region.height == 0


def _run_with_placeholder(folder: Path) -> LocalSource:
    """One step with a href map and a parsed response that carries its placeholder."""
    url = "https://example.com/" + "x" * 160
    files = {
        ("a_1", "hashed_href_map", "json"): json.dumps({HASH: url}),
        ("a_2", "llm_response_parsed", "json"): json.dumps({
            "user_goal_stage": f"see {{{{{HASH}}}}}", "actions": [
                {"action_type": "CLICK", "id": "AAAB", "reasoning": f"open {{{{ {HASH} }}}}"}]}),
    }
    (folder / "files").mkdir(parents=True)
    (folder / "run.json").write_text(json.dumps({"run_id": "tsk_p", "status": "completed"}))
    (folder / "artifacts.json").write_text(json.dumps([
        {"artifact_id": aid, "artifact_type": kind, "uri": f"file:///x/{aid}.{ext}", "step_id": "stp_1",
         "task_id": "tsk_p", "created_at": f"2026-11-28T13:00:0{n}"}
        for n, (aid, kind, ext) in enumerate(files)
    ]))
    for (aid, kind, ext), content in files.items():
        (folder / "files" / f"{aid}_{kind}.{ext}").write_text(content)
    return LocalSource(folder)


async def test_actions_resolve_placeholders_and_p_shows_them(tmp_path: Path):
    app = local_app(_run_with_placeholder(tmp_path / "run"), "tsk_p")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await open_ai(pilot, "a_2")
        assert isinstance(viewer, LlmActionsViewer)
        goal = viewer.query_one(".goal", Static)
        detail = viewer.query_one(".detail", Static)
        assert "see ↗https://example.com/xxx" in str(goal.render())
        assert "open ↗https://example.com/xxx" in str(detail.render())
        await pilot.press("p")
        await pilot.pause()
        assert f"see {{{{{HASH}}}}}" in str(goal.render())
        assert f"open {{{{ {HASH} }}}}" in str(detail.render())
        table = viewer.query_one(ActionTable)
        assert table.row_count == 1
        assert f"{{{{ {HASH} }}}}"[:20] in table.source.row_plain(0, 200)  # the cells show the placeholder too
        await pilot.press("p")
        await pilot.pause()
        assert "open ↗https://example.com/xxx" in table.source.row_plain(0, 200)


async def test_every_ai_key_has_a_description_and_a_help_section():
    from tui.ui.screens.help import HelpScreen

    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        sections = dict(app.screen.sections) if isinstance(app.screen, HelpScreen) else {}
    for cls in (LlmPromptViewer, LlmRequestViewer, LlmResponseViewer, LlmActionsViewer):
        listed = {b.key: b.description for b in sections.get(cls.HELP_TITLE, [])}
        for binding in cls.BINDINGS:
            assert binding.description and listed.get(binding.key) == binding.description, (cls, binding.key)
    assert {"p", "enter", "r", "e"} <= {b.key for title, bs in sections.items() if title.startswith("LLM") for b in bs}


def test_wrap_rows_count_cells_not_characters():
    from tui.ui.widgets.line_view import MAX_LINE, wrap_starts

    lines = ["", "x" * 10, "x" * 11, "漢" * 5, "\tab", "y" * (MAX_LINE * 2)]
    starts = wrap_starts(lines, 10)
    rows = [b - a for a, b in pairwise(starts)]
    # An empty line is one row; wide characters take two cells; a tab four; a huge line is cut
    # (with its "… (+N characters)" mark) before it is folded.
    assert rows[:5] == [1, 1, 2, 1, 1]
    assert rows[5] == -(-len(f"{'y' * MAX_LINE} … (+{MAX_LINE:,} characters)") // 10)
    assert wrap_starts(["abc"], 0) == [0, 3]  # a zero width is taken as one cell


async def test_prompt_e_opens_the_element_found_in_the_tree_of_the_same_step():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await open_ai(pilot, PROMPT_WITH_HREF)
        step = viewer.artifact.step_id
        await pilot.press("e")  # nothing found yet: it says how to use it
        await settle(pilot)
        assert app.screen.viewer_pane.artifact is viewer.artifact
        await pilot.press("slash", *"AAAG", "enter")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        pane = app.screen.viewer_pane
        assert pane.artifact.artifact_type == "visible_elements_tree" and pane.artifact.step_id == step
        assert pane.viewer.selected.element_id == "AAAG"  # the tree went to it


async def test_parsed_actions_say_what_came_of_each_action():
    # Step 2's answer: CLICK AAAH, which Skyvern recorded as failed (the button was disabled).
    failed_step_answer = next(
        a.artifact_id for a in demo_app().initial[0].load_run("wr_602148146068894428").artifacts
        if a.artifact_type == "llm_response_parsed" and a.step_id == "stp_602148223378305858")
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await open_ai(pilot, PARSED)
        assert viewer.model.outcomes == ("completed", "completed", "completed")
        viewer = await open_ai(pilot, failed_step_answer)
        assert isinstance(viewer, LlmActionsViewer)
        [outcome] = viewer.model.outcomes
        assert outcome.startswith("failed: InteractWithDisabledElement: The element(id=AAAH) now is disabled")
        rows = screen_text(viewer.table)
        assert "AAAH failed: Int…" in " ".join(rows.split())
        detail = str(viewer.query_one(".detail", Static).render())
        assert "failed: InteractWithDisabledElement" in detail

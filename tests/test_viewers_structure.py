"""Pilot tests of the page structure viewers on the demo run's real artifacts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from apptools import SIZE, demo_app, local_app, settle
from textual.app import App, ComposeResult
from textual.widgets import Input, Static

from tui.core.formats.html import pretty_html_bytes
from tui.core.formats.text import split_lines
from tui.core.model import Artifact
from tui.core.opening import open_data
from tui.core.sources.demo import demo_source
from tui.core.sources.local import LocalSource
from tui.ui.screens.run import RunScreen
from tui.ui.viewers.base import Viewer
from tui.ui.viewers.elements import ElementTreeViewer
from tui.ui.viewers.html import HtmlViewer
from tui.ui.viewers.tables import IdMapTable, IdMapViewer
from tui.ui.widgets.error_panel import ErrorPanel
from tui.ui.widgets.line_view import LineView

DEMO_DIR = Path(__file__).resolve().parent.parent / "assets" / "demo"
PARTS_TREE = "a_602148236263207772"  # step 2's tree: the parts page, with a table of links
PARTS_IN_PROMPT = "a_602148236263207776"
PARTS_SCRAPE = "a_602148236263207766"
PARTS_CSS = "a_602148236263207768"


def detail_text(viewer: ElementTreeViewer) -> str:
    return str(viewer.query_one(".detail-text", Static).render())


async def open_artifact(pilot, artifact_id: str) -> Viewer:
    """Open an artifact with keys: 3 for the category, j down to it, enter."""
    screen = pilot.app.screen
    assert isinstance(screen, RunScreen)
    await pilot.press("3")
    await settle(pilot)
    ids = [a.artifact_id for a in screen.artifact_list.artifacts]
    for _ in range(ids.index(artifact_id)):
        await pilot.press("j")
    assert screen.artifact_list.artifact.artifact_id == artifact_id
    await pilot.press("enter")
    await settle(pilot)
    viewer = screen.viewer_pane.viewer
    assert viewer is not None and viewer.artifact.artifact_id == artifact_id
    return viewer


async def find(pilot, text: str) -> None:
    await pilot.press("slash")
    await pilot.press(*text)
    await pilot.press("enter")
    await settle(pilot)


def selected_id(viewer: ElementTreeViewer) -> str | None:
    element = viewer.selected
    return element.element_id if element else None


async def test_tree_opens_with_the_roots_only_and_focus_in_the_tree():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await open_artifact(pilot, PARTS_TREE)
        assert isinstance(viewer, ElementTreeViewer)
        tree = viewer.tree_view
        assert tree.has_focus
        model = viewer.model.tree
        assert tree.nodes_added == len(model.roots)  # nothing below the roots until expanded
        labels = [str(node.label) for node in tree.root.children]
        assert labels[0] == "<h1 #AAAB> Acme Parts"
        assert "● <button #AAAG type=button> Show parts" in labels
        table = next(node for node in tree.root.children if str(node.label).startswith("<table"))
        assert not table.children  # not built yet
        # The detail panel follows the cursor and shows the selector from the step's css map.
        await pilot.press("down")
        await settle(pilot)
        assert "css           [unique_id='AAAC']" in detail_text(viewer)
        assert "frame         main.frame" in detail_text(viewer)


async def test_the_tree_moves_with_the_keys_of_every_list():
    app = demo_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        viewer = await open_artifact(pilot, PARTS_TREE)
        tree = viewer.tree_view
        roots = viewer.model.tree.roots
        assert tree.cursor_line == 0
        await pilot.press("j", "j")
        assert tree.cursor_line == 2
        await pilot.press("k")
        assert tree.cursor_line == 1
        await pilot.press("G")
        assert tree.cursor_line == len(roots) - 1
        await pilot.press("g")
        assert tree.cursor_line == 0
        await pilot.press("space")  # a page, not an expand
        paged = tree.cursor_line
        assert paged > 2 and not tree.get_node_at_line(0).is_expanded
        await pilot.press("b")
        assert tree.cursor_line < paged


async def test_enter_expands_a_node_and_x_X_expand_and_collapse_all_below():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await open_artifact(pilot, PARTS_TREE)
        tree = viewer.tree_view
        model = viewer.model.tree
        table_index = next(i for i in model.roots if model.elements[i].tag == "table")
        await find(pilot, "<table")
        assert viewer.selected.index == table_index
        await pilot.press("enter")
        await settle(pilot)
        table = tree.node_of(table_index)
        assert table.is_expanded
        assert [str(n.label).split(" ")[0] for n in table.children] == ["<thead", "<tbody"]
        assert tree.node_of(model.by_id["AAAV"]) is None  # deeper levels still unbuilt
        await pilot.press("x")
        await settle(pilot)
        link = tree.node_of(model.by_id["AAAV"])
        assert link is not None and link.parent.is_expanded and link.parent.parent.is_expanded
        assert tree.nodes_added == len(model)  # the whole table is below the cap
        await pilot.press("X")
        await settle(pilot)
        assert not table.is_expanded and not link.parent.is_expanded


async def test_find_by_id_text_and_attribute_with_next_and_previous():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await open_artifact(pilot, PARTS_TREE)
        model = viewer.model.tree
        await find(pilot, "#AAAb")
        assert selected_id(viewer) == "AAAb"
        assert viewer.tree_view.has_focus  # the match is selected and the tree takes the keys again
        assert "css           [unique_id='AAAb']" in detail_text(viewer)
        assert "href = confirm.html?part=spur-gear-24t" in detail_text(viewer)
        # Text of the four "Order" links: n goes forward, N back, both wrap around.
        find_bar = viewer.query_one("Input.find", Input)
        await pilot.press("slash")  # the bar opens again, holding the last query
        assert find_bar.has_focus
        find_bar.value = "order"
        await pilot.press("enter")
        await settle(pilot)
        assert selected_id(viewer) == "AAAh"  # the next one after AAAb
        await pilot.press("n")
        await settle(pilot)
        assert selected_id(viewer) == "AAAn"
        await pilot.press("n")
        await settle(pilot)
        assert selected_id(viewer) == "AAAV"  # wrapped
        await pilot.press("N")
        await settle(pilot)
        assert selected_id(viewer) == "AAAn"
        # By attribute: a tag and attribute value.
        find_bar.value = "data-cat=springs"
        await pilot.press("slash", "enter")
        await settle(pilot)
        element = viewer.selected
        assert element.tag == "tr" and element.attributes["data-cat"] == "springs"
        assert model.path(element.index)[0] in model.roots


async def test_navigate_message_opens_the_tree_and_goes_to_the_element():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        tree_artifact = next(a for a in screen.detail.artifacts if a.artifact_id == PARTS_TREE)
        await pilot.press("2")  # somewhere else: the AI category
        await settle(pilot)
        screen.viewer_pane.post_message(Viewer.Navigate(tree_artifact, target="AAAh"))
        await settle(pilot)
        viewer = screen.viewer_pane.viewer
        assert isinstance(viewer, ElementTreeViewer) and viewer.artifact is tree_artifact
        assert selected_id(viewer) == "AAAh"
        assert viewer.tree_view.has_focus
        node = viewer.tree_view.cursor_node
        assert node.parent.is_expanded and node.parent.parent.is_expanded  # revealed
        assert "[unique_id='AAAh']" in detail_text(viewer)
        # go_to of an id the tree does not hold says so and keeps the cursor.
        assert viewer.go_to("ZZZZ") is False
        assert selected_id(viewer) == "AAAh"


async def test_in_prompt_tree_is_indented_and_r_toggles_the_original():
    app = demo_app()
    source = demo_source()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await open_artifact(pilot, PARTS_IN_PROMPT)
        assert isinstance(viewer, HtmlViewer)
        data = source.read_bytes(viewer.artifact)
        pretty = pretty_html_bytes(data)
        assert viewer.line_view.lines == pretty
        assert viewer.line_view.has_focus
        note = str(viewer.query_one(".note", Static).render())
        assert "indented for reading" in note
        await pilot.press("r")
        await settle(pilot)
        assert viewer.line_view.lines == split_lines(data)  # the one line as it came
        assert len(viewer.line_view.lines) == 1
        assert viewer.line_view.has_focus
        assert "original" in str(viewer.query_one(".note", Static).render())
        await pilot.press("r")
        await settle(pilot)
        assert viewer.line_view.lines == pretty
        await find(pilot, "part=bevel")
        assert viewer.line_view.match_line == next(i for i, line in enumerate(pretty) if "part=bevel" in line)
        assert 'id="AAAh"' in pretty[viewer.line_view.match_line]


async def test_html_scrape_is_indented_with_find_and_next():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await open_artifact(pilot, PARTS_SCRAPE)
        assert isinstance(viewer, HtmlViewer)
        lines = viewer.line_view.lines
        assert lines[:3] == ["<!DOCTYPE html>", '<html lang="en">', "  <head>"]
        await find(pilot, "<tr data-cat")
        first = viewer.line_view.match_line
        assert lines[first].strip().startswith('<tr data-cat="bolts"')
        await pilot.press("n")
        await settle(pilot)
        assert lines[viewer.line_view.match_line].strip().startswith('<tr data-cat="gears"')


async def test_css_map_is_a_table_with_find():
    app = demo_app()
    source = demo_source()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = await open_artifact(pilot, PARTS_CSS)
        assert isinstance(viewer, IdMapViewer)
        table = viewer.query_one(IdMapTable)
        assert table.has_focus
        expected = json.loads(source.read_bytes(viewer.artifact))
        assert table.row_count == len(expected)
        assert table.source.row_plain(0, 80).split() == ["AAAB", "[unique_id='AAAB']"]
        keys = list(expected)
        await find(pilot, "aaah")  # all lower case: case is ignored, AAAH comes first
        assert table.cursor_row == keys.index("AAAH")
        await pilot.press("slash")
        viewer.query_one("Input.find", Input).value = "AAAh"  # a capital: case counts
        await pilot.press("enter")
        await settle(pilot)
        assert table.cursor_row == keys.index("AAAh")
        assert table.has_focus
        await pilot.press("slash")  # a new query: found from the cursor row on, as in every list
        viewer.query_one("Input.find", Input).value = "unique_id"
        await pilot.press("enter")
        await settle(pilot)
        assert table.cursor_row == keys.index("AAAh")
        column = len("element id") + 2  # after the key column, a space and the "["
        assert table.matches[:2] == [(0, column), (1, column)]  # every row counted, not only the first
        await pilot.press("n")
        await settle(pilot)
        assert table.cursor_row == keys.index("AAAh") + 1
        await pilot.press("N")
        await settle(pilot)
        assert table.cursor_row == keys.index("AAAh")
        status = str(viewer.query_one("Static.find-count").render())
        assert status == f"{keys.index('AAAh') + 1} of {len(keys)}"


class MapApp(App):
    def __init__(self, viewer: Viewer) -> None:
        super().__init__()
        self.viewer = viewer

    def compose(self) -> ComposeResult:
        yield self.viewer


async def test_a_big_map_is_the_same_virtual_table_with_find():
    rows = {f"K{i:06d}": f"/html/body/div[{i}]" for i in range(9_000)}  # far over a screenful: a virtual table
    artifact = Artifact("a_1", "visible_elements_id_xpath_map")
    model = open_data(artifact, json.dumps(rows).encode()).model
    viewer = IdMapViewer(artifact, model)
    async with MapApp(viewer).run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not viewer.query(LineView)
        view = viewer.query_one(IdMapTable)
        assert view.row_count == len(rows)
        assert view.source.row_plain(5, 80).split() == ["K000005", "/html/body/div[5]"]
        viewer.start_find()
        await pilot.press(*"div[8000]", "enter")
        await settle(pilot)
        assert view.match_row == view.cursor_row == 8000
        await pilot.press("n")
        await settle(pilot)
        assert view.match_row == 8000  # the only match: wraps to itself


async def test_a_broken_tree_and_map_show_an_error_panel_and_a_tree_without_css_map_still_opens(tmp_path):
    copy = tmp_path / "run"
    shutil.copytree(DEMO_DIR, copy)
    source = LocalSource(copy)
    run_id = json.loads((copy / "run.json").read_text())["run_id"]
    detail = source.load_run(run_id)
    by_id = {a.artifact_id: a for a in detail.artifacts}
    by_id[PARTS_TREE].path.write_bytes(b'[{"tagName": "div", "children": [1, 2]}]')
    by_id[PARTS_CSS].path.write_bytes(b"[not json")
    app = local_app(source, run_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for artifact_id, reason in ((PARTS_TREE, "not an object"), (PARTS_CSS, "not valid JSON")):
            await pilot.press("3")
            await settle(pilot)
            screen = app.screen
            while screen.artifact_list.artifact.artifact_id != artifact_id:
                await pilot.press("j")
            await pilot.press("enter")
            await settle(pilot)
            panel = screen.viewer_pane.query_one(ErrorPanel)
            assert reason in panel.reason
        # enter went into the error panel; escape comes back to the list.
        assert isinstance(app.focused, ErrorPanel)
        await pilot.press("escape")
        assert screen.artifact_list.has_focus
        # The trimmed tree of the same step opens; its css map is broken, so it says there is none.
        while screen.artifact_list.artifact.artifact_id != "a_602148236263207774":
            await pilot.press("j")
        await pilot.press("enter")
        await settle(pilot)
        viewer = screen.viewer_pane.viewer
        assert isinstance(viewer, ElementTreeViewer)
        assert viewer.model.css == {}
        assert "no css map" in str(viewer.query_one(".note", Static).render())

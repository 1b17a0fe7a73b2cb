"""A disabled, read-only or hidden element says so: Element.states from its attributes, and its
line in the element tree viewer, styled from the theme."""

from __future__ import annotations

from pathlib import Path

from apptools import SIZE, demo_app, settle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.core.formats.elements import parse_tree, tree_from_json
from tui.ui.viewers.base import Viewer
from tui.ui.viewers.elements import ElementTreeViewer, element_label

DEMO_FILES = Path(__file__).resolve().parent.parent / "assets" / "demo" / "files"
PARTS_TREE = "a_602148236263207772"  # step 2's tree: <button id=checkout disabled> is AAAH


def element(attributes: dict) -> object:
    return tree_from_json([{"id": "AAAB", "tagName": "input", "attributes": attributes}]).elements[0]


def test_states_come_from_the_attributes() -> None:
    cases = [
        ((), {}),
        (("disabled",), {"disabled": True}),
        (("disabled",), {"disabled": ""}),
        (("disabled",), {"aria-disabled": "true"}),
        (("read-only",), {"readonly": ""}),
        (("read-only",), {"aria-readonly": "true"}),
        (("hidden",), {"hidden": True}),
        (("hidden",), {"aria-hidden": "true"}),
        (("hidden",), {"style": "color: red; display : None !important"}),
        (("hidden",), {"style": "visibility:hidden"}),
        (("disabled", "read-only", "hidden"), {"style": "display:none", "readonly": "readonly", "disabled": "disabled"}),
    ]
    for expected, attributes in cases:
        assert element(attributes).states == expected, attributes  # type: ignore[attr-defined]
    for usable in ({"disabled": False}, {"aria-disabled": "false"}, {"aria-hidden": "false"},
                   {"style": "display: block"}, {"style": "display:none; display:block"}, {"type": "hidden"}):
        assert element(usable).states == (), usable  # type: ignore[attr-defined]
    reasons = element({"aria-disabled": "true", "style": "visibility: hidden"}).state_reasons()  # type: ignore[attr-defined]
    assert reasons == [("disabled", "aria-disabled"), ("hidden", "style visibility: hidden")]


def test_the_demos_step_2_tree_marks_the_disabled_check_out_button_only() -> None:
    tree = parse_tree((DEMO_FILES / f"{PARTS_TREE}_visible_elements_tree.json").read_bytes())
    marked = {e.element_id: e.states for e in tree.elements if e.states}
    assert marked == {"AAAH": ("disabled",)}
    button = tree.elements[tree.by_id["AAAH"]]
    label = element_label(button, 0, "bold red")
    assert label.plain.startswith("● <button #AAAH") and "> disabled " in label.plain
    (span,) = [s for s in label.spans if label.plain[s.start:s.end] == "disabled"]
    assert str(span.style) == "bold red"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["disabled", "aria-disabled", "readonly", "hidden", "aria-hidden", "style", "x"]),
                       st.one_of(st.text(max_size=30), st.booleans(), st.none(), st.integers())))
def test_any_attributes_give_known_states_in_order(attributes: dict) -> None:
    states = element(attributes).states  # type: ignore[attr-defined]
    order = ["disabled", "read-only", "hidden"]
    assert list(states) == [s for s in order if s in states]


async def test_the_tree_line_of_a_disabled_element_says_so_in_the_themes_style() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        tree_artifact = next(a for a in screen.detail.artifacts if a.artifact_id == PARTS_TREE)
        screen.viewer_pane.post_message(Viewer.Navigate(tree_artifact, target="AAAH"))
        await settle(pilot)
        viewer = screen.viewer_pane.viewer
        assert isinstance(viewer, ElementTreeViewer)
        node = viewer.tree_view.cursor_node
        assert node is not None and viewer.selected is not None and viewer.selected.element_id == "AAAH"
        label = node.label
        assert "> disabled Check out" in label.plain
        (span,) = [s for s in label.spans if label.plain[s.start:s.end] == "disabled"]
        themed = viewer.tree_view.get_component_rich_style("element-tree--state", partial=True)
        assert span.style == themed and themed.italic and themed.color is not None
        detail = str(viewer.query_one(".detail-text").render())
        assert "state" in detail and "disabled (disabled)" in detail
        # A usable element's line has no mark.
        others = [n for n in viewer.tree_view.root.children if n.data != node.data]
        assert others and all(" disabled" not in n.label.plain for n in others)

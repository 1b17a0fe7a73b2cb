"""`y`: the copy menu for what is on screen, each choice with its key, the viewer's own first (a
tree's CSS selector, a HAR request as curl); what reaches `copy_to_clipboard` (patched: Pilot has
no terminal) and what the notification says; a binary artifact's text is not offered, a text
too big for OSC 52 is refused with a pointer to ctrl+s."""

from __future__ import annotations

from apptools import SIZE, demo_app, first_category, local_app, make_run, settle
from overview_runs import served_app
from tui.core.copying import MAX_CLIPBOARD_BYTES
from tui.core.formats.har import to_curl
from tui.ui.screens.copy import CopyScreen
from tui.ui.screens.on_screen import on_screen
from tui.ui.screens.run import RunScreen
from tui.ui.screens.story import StoryScreen
from tui.ui.viewers.elements import ElementTreeViewer
from tui.ui.viewers.network import HarViewer, RequestTable

PARTS_TREE = "a_602148236263207772"  # the demo's step 2 tree, with its css map


def _patched(app) -> list[str]:
    sent: list[str] = []
    app.copy_to_clipboard = sent.append
    return sent


def _notes(app) -> str:
    return " | ".join(str(n.message) for n in app._notifications)


def _keys(app) -> list[str]:
    assert isinstance(app.screen, CopyScreen)
    return [c.key for c in app.screen.choices]


async def test_a_texts_menu_sends_its_exact_text_id_uri_app_url_and_command_line():
    app = demo_app()
    sent = _patched(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")  # AI reasoning: an LLM prompt first
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RunScreen)
        artifact = screen.artifact_list.artifact
        assert artifact.artifact_type == "llm_prompt"
        await pilot.press("y")
        await settle(pilot)
        assert _keys(app) == ["t", "i", "u", "a", "l"]
        await pilot.press("t")
        await settle(pilot)
        text = screen.source.read_bytes(artifact).decode("utf-8")
        assert sent == [text] and app.screen is screen
        assert f"The artifact's text ({len(text.encode()):,} bytes) sent to the terminal's clipboard" in _notes(app)
        for key in ("i", "u", "a", "l"):
            await pilot.press("y", key)
            await settle(pilot)
        assert sent[1:] == [artifact.artifact_id, artifact.uri, screen.detail.run.raw["app_url"],
                            f"skyvern-tui --demo --open {artifact.artifact_id}"]
        await pilot.press("y", "j", "enter")  # enter sends the highlighted choice: the id
        await settle(pilot)
        assert sent[-1] == artifact.artifact_id
        await pilot.press("y", "escape")
        await settle(pilot)
        assert app.screen is screen and len(sent) == 6


async def test_a_picture_offers_no_text():
    app = demo_app()
    _patched(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await first_category(pilot)  # Visual: a screenshot
        assert app.screen.artifact_list.artifact.artifact_type.startswith("screenshot")
        await pilot.press("y")
        await settle(pilot)
        assert _keys(app) == ["i", "u", "a", "l"]


async def test_in_an_element_tree_the_selected_elements_css_selector_comes_first():
    app = demo_app()
    sent = _patched(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("3")
        await settle(pilot)
        ids = [a.artifact_id for a in screen.artifact_list.artifacts]
        for _ in range(ids.index(PARTS_TREE)):
            await pilot.press("j")
        await pilot.press("enter")
        await settle(pilot)
        viewer = screen.viewer_pane.viewer
        assert isinstance(viewer, ElementTreeViewer) and viewer.tree_view.has_focus
        await pilot.press("down")  # the second root, #AAAC
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert _keys(app)[:2] == ["s", "t"]
        await pilot.press("s")
        await settle(pilot)
        assert sent == ["[unique_id='AAAC']"] == [viewer.model.css["AAAC"]]
        assert "The element's CSS selector (18 bytes) sent to the terminal's clipboard" in _notes(app)


async def test_in_a_har_y_opens_the_menu_with_the_request_as_curl_first():
    app = demo_app()
    sent = _patched(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        har = app.screen.query_one(HarViewer)
        assert app.focused is har.query_one(RequestTable)
        await pilot.press("down")
        await settle(pilot)
        entry = har.table.current
        await pilot.press("y")
        await settle(pilot)
        assert _keys(app)[0] == "c"
        await pilot.press("c")
        await settle(pilot)
        assert sent == [to_curl(entry)] and sent[0].startswith("curl ")
        assert "The request as curl, credentials redacted" in _notes(app)


async def test_a_text_too_big_for_the_clipboard_is_refused_and_binary_bytes_are_not_sent(tmp_path):
    big = b"x" * (MAX_CLIPBOARD_BYTES + 1)
    source = make_run(tmp_path / "run", [("llm_prompt", "p.txt", big), ("llm_prompt", "q.txt", b"\xff\xfe\x00bin")])
    app = local_app(source, "tsk_test")
    sent = _patched(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("y", "t")
        await settle(pilot)
        assert sent == []
        assert f"{len(big):,} bytes is more than a terminal's clipboard takes" in _notes(app)
        assert "save it with ctrl+s instead" in _notes(app)
        await pilot.press("j")
        await settle(pilot)
        await pilot.press("y", "t")
        await settle(pilot)
        assert sent == [] and "The artifact's text is binary: save it with ctrl+s instead." in _notes(app)


async def test_y_in_a_step_story_acts_on_the_item_under_the_cursor():
    app = demo_app()
    sent = _patched(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")  # the story of the overview's step
        await settle(pilot)
        assert isinstance(app.screen, StoryScreen)
        on = on_screen(app.screen)
        assert on is not None  # its first item: the screenshot the LLM saw
        await pilot.press("y", "i")
        await settle(pilot)
        assert sent == [on.located.artifact.artifact_id] and isinstance(app.screen, StoryScreen)


async def test_y_on_a_recorded_run_sends_its_command_line():
    app = served_app("task_completed")
    sent = _patched(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        artifact = app.screen.artifact_list.artifact
        await pilot.press("y", "l")
        await settle(pilot)
        storage = app.screen.source.root.resolve()
        assert sent == [f"skyvern-tui --local {storage} {app.screen.detail.run.run_id} --open {artifact.artifact_id}"]


async def test_keys_typed_in_one_burst_with_y_go_to_the_menu():
    """`y` then `l` typed at once: the l was on its way to the list when the menu opened."""
    from textual import events

    app = demo_app()
    sent = _patched(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        artifact = app.screen.artifact_list.artifact
        for key in ("y", "j", "l", "y", "escape", "i", "j", "y", "escape"):
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await settle(pilot)
        assert sent == [f"skyvern-tui --demo --open {artifact.artifact_id}", artifact.artifact_type]
        assert isinstance(app.screen, RunScreen) and app.screen.artifact_list.artifact is artifact

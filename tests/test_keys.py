"""Keys: every binding has an id, and one key means one thing across the app."""

from __future__ import annotations

import io
from collections import defaultdict

import pytest
from rich.console import Console
from textual.binding import Binding
from textual.command import CommandPalette
from textual.widgets import Footer, Static

from apptools import SIZE, demo_app, settle
from tui.core.catalog import Category
from tui.config import ConfigError, load_ui_settings, save_profile
from tui.core.sources.demo import demo_source
from tui.ui.app import SkyvernTUI
from tui.ui.keymap import all_bindings, key_display, meaning
from tui.ui.screens.help import HelpScreen
from tui.ui.screens.run import RunScreen


def test_every_binding_has_an_id_naming_one_binding():
    by_id: dict[str, set[tuple[str, str]]] = defaultdict(set)
    missing = []
    for owner, binding in all_bindings():
        if not binding.id:
            missing.append(f"{owner.__qualname__}: {binding.key} -> {binding.action}")
            continue
        by_id[binding.id].add((binding.key, binding.action))
    assert not missing, missing
    # The same id in two classes is only ever the same binding (a shared list such as find's).
    assert {i: b for i, b in by_id.items() if len(b) > 1} == {}
    assert {"app.quit", "app.help", "run.follow", "run.zoom", "har.filter", "tree.expand_all"} <= set(by_id)
    assert {f"run.category_{n}" for n in range(1, 7)} <= set(by_id)


def test_the_walk_finds_the_bindings_of_screens_viewers_and_widgets():
    owners = {owner.__name__ for owner, _ in all_bindings()}
    assert {"SkyvernTUI", "RunScreen", "PickerScreen", "HelpScreen", "HarViewer", "CursorView", "ArtifactList"} <= owners


def test_one_key_one_meaning_across_the_app():
    meanings: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for owner, binding in all_bindings():
        for key in binding.key.split(","):
            meanings[key.strip()][meaning(binding)].append(f"{owner.__name__}.{binding.action}")
    clashes = {key: dict(found) for key, found in meanings.items() if len(found) > 1}
    assert clashes == {}


def test_meaning_is_the_id_without_its_prefix():
    assert meaning(Binding("j", "down", id="lines.down")) == meaning(Binding("j", "pan(0, 1)", id="image.down"))
    assert meaning(Binding("f", "filter", id="har.filter")) != meaning(Binding("F", "follow", id="run.follow"))


def test_the_reserved_keys_went_to_their_features():
    # The keys kept for the debugger's features are theirs now: 0 the overview, t the step story,
    # D compare, ctrl+f run-wide search, i y o ctrl+s getting things out.
    keys = {b.id: b.key for _, b in all_bindings()}
    assert keys["run.overview"] == "0" and keys["run.story"] == "t"
    assert keys["run.compare"] == keys["artifact.compare"] == "D"
    assert keys["run.search"] == keys["artifact.search"] == keys["story.search"] == "ctrl+f"
    assert {keys[f"{where}.{what}"] for where in ("run", "artifact", "story")
            for what in ("info", "copy", "save", "open_outside")} == {"i", "y", "ctrl+s", "o"}


# --- the config file's [keys] and theme ------------------------------------------------------


def _app(**settings) -> SkyvernTUI:
    source = demo_source()
    return SkyvernTUI([source], (source, source.list_runs()[0].run_id), **settings)


def _footer_keys(app: SkyvernTUI) -> str:
    return " ".join(str(item.render()) for item in app.screen.query_one(Footer).query("FooterKey"))


def _help_text(app: SkyvernTUI) -> str:
    console = Console(width=100, record=True, color_system=None, file=io.StringIO())
    console.print(app.screen.query_one(Static).content)
    return console.export_text()


def _write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def test_keys_and_theme_are_read_from_the_config_file_and_kept_when_a_profile_is_saved(tmp_path):
    path = _write(tmp_path / "config.toml", 'theme = "nord"\n[keys]\n"app.help" = "f2"\n"run.zoom" = "ctrl+z,Z"\n')
    save_profile("local", "http://localhost:8000", "k", path)
    settings = load_ui_settings(path)
    assert settings.theme == "nord"
    assert settings.keys == {"app.help": "f2", "run.zoom": "ctrl+z,Z"}


@pytest.mark.parametrize("text", ['theme = 3\n', '[keys]\n"app.help" = 2\n', 'keys = "f2"\n'])
def test_a_wrong_theme_or_keys_table_is_a_clear_error(tmp_path, text):
    with pytest.raises(ConfigError, match="config.toml"):
        load_ui_settings(_write(tmp_path / "config.toml", text))


def test_an_unknown_theme_names_the_valid_ones():
    with pytest.raises(ConfigError) as error:
        _app(theme="no-such-theme")
    assert "no-such-theme" in str(error.value) and "nord" in str(error.value) and "textual-dark" in str(error.value)


def test_an_unknown_binding_id_is_a_clear_error_with_a_hint():
    with pytest.raises(ConfigError, match="did you mean 'app.help'"):
        _app(keymap={"app.hlep": "f2"})


def test_the_command_line_says_what_is_wrong_in_the_config_file(tmp_path, monkeypatch, capsys):
    from tui import cli

    monkeypatch.setenv("SKYVERN_TUI_CONFIG", str(_write(tmp_path / "config.toml", 'theme = "purple-rain"\n')))
    monkeypatch.chdir(tmp_path)
    assert cli.main(["--demo"]) == 2
    error = capsys.readouterr().err
    assert "no theme 'purple-rain'" in error and "Traceback" not in error


async def test_a_remapped_key_works_and_the_footer_and_help_show_it():
    # f2: nothing else binds it (Textual binds f1 to its keys panel).
    app = _app(keymap={"app.help": "f2", "run.zoom": "Z"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, RunScreen)
        footer = _footer_keys(app)
        assert "f2" in footer and "Z" in footer
        await pilot.press("question_mark")  # the old key no longer opens the help
        assert isinstance(app.screen, RunScreen)
        await pilot.press("f2")
        assert isinstance(app.screen, HelpScreen)
        text = _help_text(app)
        assert "f2" in text and "Zoom viewer" in text
        assert not any(line.split()[:1] == ["z"] and "Zoom" in line for line in text.splitlines())
        await pilot.press("f2")  # the help key closes the help it opened
        assert isinstance(app.screen, RunScreen)
        await pilot.press("Z")
        assert app.screen.maximized is not None


def test_keys_are_named_as_they_are_typed():
    assert key_display("left_square_bracket,comma") == "[ ,"
    assert key_display("right_square_bracket") == "]"
    assert key_display("plus") == "+" and key_display("full_stop") == "." and key_display("question_mark") == "?"
    assert key_display("slash") == "/" and key_display("ctrl+p") == "ctrl+p"


async def test_help_shows_typed_keys_and_q_quits_from_it():
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        text = _help_text(app)
        assert "left_square_bracket" not in text and "question_mark" not in text
        assert any(line.split()[:1] == ["["] for line in text.splitlines())
        await pilot.press("question_mark")
        assert isinstance(app.screen, RunScreen)
        await pilot.press("question_mark", "q")
    assert app.return_code == 0 and not app.is_running


async def test_in_the_run_picker_help_does_not_call_q_quit_and_q_filters():
    source = demo_source()
    app = SkyvernTUI([source])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        assert app.is_running  # it typed into the filter
        # `?` types into the filter too: open the help as its key would from any other pane.
        app.action_help()
        await pilot.pause()
        text = _help_text(app)
        quit_keys = [line.split()[0] for line in text.splitlines() if line.strip().endswith("Quit")]
        assert quit_keys == ["ctrl+q"]


async def test_the_palette_offers_the_theme_picker_and_the_choice_applies():
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme != "nord"
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"theme")
        await pilot.pause(0.3)
        await pilot.press("enter")  # "Theme: change the current theme"
        await pilot.pause(0.3)
        assert isinstance(app.screen, CommandPalette)  # now listing the themes
        await pilot.press(*"nord")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert app.theme == "nord"


def test_the_readme_lists_every_binding_id_with_its_key():
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for _, binding in all_bindings():
        assert f"`{binding.id}` {key_display(binding.key)}" in readme, binding.id


# --- enter goes in and escape comes back one level, whatever the viewer shows -----------------


def _levels_run(tmp_path):
    from apptools import make_run

    # Visual: two screenshots that cannot be read (error panels); AI: an empty prompt and a
    # prompt; nothing in the other categories.
    return make_run(tmp_path / "run", [
        ("screenshot_llm", "a.png", b"not a png"), ("screenshot_llm", "b.png", b"nor this"),
        ("llm_prompt", "empty.txt", b""), ("llm_prompt", "p.txt", b"a prompt\n" * 50),
    ])


@pytest.mark.parametrize("keys", [
    ("1", "enter", "escape"),  # an error panel
    ("1", "j", "enter", "escape"),  # an error panel, before the cursor's viewer came
    ("2", "enter", "escape"),  # an empty file
    ("2", "j", "enter", "escape"),  # text, still loading when escape comes
    ("3", "enter", "escape"),  # an empty category
    ("3", "enter", "enter", "escape"),
])
async def test_enter_goes_into_the_pane_and_escape_back_to_the_list_at_human_speed(tmp_path, keys):
    from apptools import local_app, until

    from tui.ui.screens.picker import PickerScreen

    app = local_app(_levels_run(tmp_path), "tsk_test")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press(*keys[:-1])  # no pause between the keys
        await until(pilot, lambda: screen.viewer_pane.has_focus_within)  # enter went in, whatever the pane shows
        await pilot.press(keys[-1])
        await settle(pilot)
        assert app.screen is screen and screen.artifact_list.has_focus
        await pilot.press("escape")  # one level more: the picker
        await settle(pilot)
        assert isinstance(app.screen, PickerScreen)


async def test_keys_pressed_at_once_never_skip_a_level(tmp_path):
    from apptools import local_app

    app = local_app(_levels_run(tmp_path), "tsk_test")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        for keys in (("1", "enter", "escape"), ("3", "enter", "escape"), ("2", "j", "enter", "escape")):
            await pilot.press(*keys)
            await settle(pilot)
            assert app.screen is screen and screen.artifact_list.has_focus, keys
        await pilot.press("3", "enter", "escape", "q")  # q quits from the list: no text field took it
        await settle(pilot)
    assert app.return_code == 0 and not app.is_running


async def test_a_category_key_and_enter_typed_in_one_burst_go_into_that_category(tmp_path):
    # tmux delivers "3" and "enter" typed with no pause in one read: the enter must reach the
    # list of category 3 (and go into its viewer), not the overview the 3 left (a step story).
    from textual import events

    from tui.ui.screens.story import StoryScreen

    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.showing_overview
        app.post_message(events.Key("3", "3"))
        app.post_message(events.Key("enter", "\r"))
        await settle(pilot)
        assert not isinstance(app.screen, StoryScreen)
        assert app.screen is screen and screen.shown_category is Category.STRUCTURE
        assert screen.viewer_pane.has_focus_within
        await pilot.press("escape")
        await settle(pilot)
        app.post_message(events.Key("0", "0"))
        app.post_message(events.Key("enter", "\r"))
        await settle(pilot)
        assert app.screen is not screen  # the overview's item opened, not the list's artifact


async def test_an_empty_category_says_so_in_the_viewer(tmp_path):
    from apptools import local_app

    from tui.ui.screens.viewer_pane import Nothing

    app = local_app(_levels_run(tmp_path), "tsk_test")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        pane = screen.viewer_pane
        assert pane.artifact is None and "No Network artifacts" in str(pane.query_one(Nothing).render())


async def test_an_empty_category_on_show_opens_its_first_artifact_when_a_live_run_brings_one(tmp_path):
    from apptools import local_app, make_run

    from tui.core.catalog import Category

    source = _levels_run(tmp_path)
    grown = make_run(tmp_path / "grown", [
        ("screenshot_llm", "a.png", b"not a png"), ("screenshot_llm", "b.png", b"nor this"),
        ("llm_prompt", "empty.txt", b""), ("llm_prompt", "p.txt", b"a prompt\n" * 50),
        ("har", "network.har", b'{"log": {"entries": []}}'),
    ])
    app = local_app(source, "tsk_test")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("5")
        await settle(pilot)
        assert screen.viewer_pane.artifact is None
        screen.update_detail(grown.load_run("tsk_test"))  # what a poll of a live run brings
        await settle(pilot)
        new = screen.viewer_pane.artifact
        assert new is not None and new.category is Category.NETWORK and new is screen.artifact_list.artifact


def test_enter_and_escape_in_a_real_terminal_never_skip_a_level(tmp_path):
    """The installed command in a pseudo-terminal: an empty category and an error panel, enter
    and escape; q then quits, which it would not do had escape reached the picker's filter."""
    from ptyterm import Terminal

    _levels_run(tmp_path)
    terminal = Terminal(["--local", str(tmp_path / "run")], tmp_path, 120, 40)
    try:
        terminal.wait_for("Steps (")  # the overview, once the run model is built
        terminal.send("3")
        terminal.wait_for("Page structure (0)")
        terminal.send("\r\x1b")  # enter, escape: as fast as a terminal delivers them
        terminal.pump(0.5)
        terminal.send("1")
        terminal.wait_for("Cannot show screenshot_llm a_1")
        terminal.send("\r")
        terminal.pump(0.3)
        terminal.send("\x1b")
        terminal.pump(0.5)
        assert "Filter runs" not in terminal.text()  # still on the run screen
        terminal.send("q")
        assert terminal.wait_exit() == 0
    finally:
        terminal.close()


async def test_enter_over_an_artifact_still_loading_puts_the_focus_in_the_pane_and_escape_takes_it_back(tmp_path):
    import threading

    from apptools import local_app, until

    from tui.core.sources.local import LocalSource
    from tui.ui.screens.viewer_pane import Nothing

    class Gated(LocalSource):
        gate = threading.Event()

        def read_bytes(self, artifact):
            assert self.gate.wait(20)
            return super().read_bytes(artifact)

    _levels_run(tmp_path)
    source = Gated(tmp_path / "run", label="test run")
    source.gate.set()
    app = local_app(source, "tsk_test")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("2")
        await settle(pilot)
        source.gate.clear()
        await pilot.press("j", "enter")
        # The loading note has the focus: the pane is lit, and it keeps it when the note grows a spinner.
        await until(pilot, lambda: isinstance(app.focused, Nothing) and screen.viewer_pane.has_focus_within)
        await until(pilot, lambda: "Reading and preparing" in str(app.focused.render()))
        assert isinstance(app.focused, Nothing)
        await pilot.press("escape")
        assert screen.artifact_list.has_focus and app.screen is screen
        source.gate.set()
        await settle(pilot)
        assert screen.artifact_list.has_focus

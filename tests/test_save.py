"""`ctrl+s`: the default name is safe, the bytes are written exactly, an existing file is
overwritten only after a y, a missing folder is said in the dialog; the palette's "Save
category…" downloads the artifact types of the category on screen."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from apptools import SIZE, demo_app, first_category, settle, until
from overview_runs import served_app
from tui.core.catalog import Category
from tui.core.model import Artifact
from tui.core.saving import SaveRefused, default_name, save_bytes
from tui.ui.screens.download import DownloadScreen
from tui.ui.screens.run import RunScreen
from tui.ui.screens.save import SaveScreen


@pytest.mark.parametrize(("artifact", "name"), [
    (Artifact("a_1", "llm_prompt", uri="o/t/s/x_a_1_llm_prompt.txt"), "a_1_llm_prompt.txt"),
    (Artifact("a_2", "screenshot_llm", bundle_key="screenshot_llm_0.png", uri="o/a.zip"), "a_2_screenshot_llm.png"),
    (Artifact("a_3", "har"), "a_3_har.har"),  # no file name: the catalogue's extension
    (Artifact("../../etc/passwd", "x/y"), "etc_passwd_x_y.bin"),
    (Artifact("-rf", "--help", uri="a.sh"), "rf_--help.sh"),
    (Artifact(".hidden", "t\x1b]0;x\x07", uri="p.t\u00e9xt"), "hidden_t_0_x_.bin"),
])
def test_the_default_name_is_safe(artifact, name):
    assert default_name(artifact) == name
    assert "/" not in name and not name.startswith((".", "-")) and name.isascii() and name.isprintable()


def test_save_bytes_never_overwrites_unless_told(tmp_path):
    path = tmp_path / "a.bin"
    save_bytes(path, b"\x00one")
    with pytest.raises(FileExistsError):
        save_bytes(path, b"two")
    assert path.read_bytes() == b"\x00one"
    save_bytes(path, b"two", overwrite=True)
    assert path.read_bytes() == b"two" and [p.name for p in tmp_path.iterdir()] == ["a.bin"]
    with pytest.raises(SaveRefused, match="no folder"):
        save_bytes(tmp_path / "nowhere" / "a.bin", b"x")
    with pytest.raises(SaveRefused, match="is a folder"):
        save_bytes(tmp_path, b"x")


def test_a_folder_without_write_permission_is_refused(tmp_path, monkeypatch):
    import errno
    import os

    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if os.geteuid() == 0:  # root writes anywhere (CI runs as root): the refusal the kernel gives others
        real_open = os.open

        def refused(path, flags, *args, **kwargs):
            if str(path).startswith(str(locked)):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(os, "open", refused)
    with pytest.raises(SaveRefused, match="no permission"):
        save_bytes(locked / "a.bin", b"x")


def _hint(app) -> str:
    return str(app.screen.query_one(".hint", Static).render())


def _notes(app) -> str:
    return " | ".join(str(n.message) for n in app._notifications)


async def test_ctrl_s_writes_the_bytes_asks_before_overwriting_and_says_a_bad_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await first_category(pilot)  # a screenshot: binary bytes
        screen = app.screen
        assert isinstance(screen, RunScreen)
        artifact = screen.artifact_list.artifact
        data = screen.source.read_bytes(artifact)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SaveScreen)
        target = tmp_path / default_name(artifact)
        assert app.screen.query_one(Input).value == str(target)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and target.read_bytes() == data
        assert f"Saved {len(data):,} bytes to {target}" in _notes(app)

        target.write_bytes(b"mine")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SaveScreen) and f"{target} exists: overwrite it? y/n" in _hint(app)
        await pilot.press("n")
        await settle(pilot)
        assert target.read_bytes() == b"mine" and "Not overwritten" in _hint(app)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is screen and target.read_bytes() == data

        await pilot.press("ctrl+s")
        await settle(pilot)
        app.screen.query_one(Input).value = str(tmp_path / "no" / "such" / "x.png")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SaveScreen)
        assert f"Not saved: no folder {tmp_path / 'no' / 'such'}" in _hint(app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and not (tmp_path / "no").exists()


async def test_ctrl_s_on_a_recorded_run_saves_a_bundled_members_own_bytes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = served_app("task_completed")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")  # an LLM prompt: a member of its step's zip
        await settle(pilot)
        artifact = app.screen.artifact_list.artifact
        assert artifact.bundle_key
        await pilot.press("ctrl+s", "enter")
        await settle(pilot)
        saved = tmp_path / default_name(artifact)
        await until(pilot, saved.exists)
        assert saved.read_bytes() == app.screen.source.read_bytes(artifact) and saved.suffix == ".txt"


async def test_the_palette_saves_the_category_on_screen(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.action_save_category()  # on the overview: no category
        await settle(pilot)
        assert "Show a category first" in _notes(app)
        await pilot.press("4")  # Logs
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"Save category")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DownloadScreen)
        run_id = screen.detail.run.run_id
        assert app.screen.query_one(Input).value == str(tmp_path / f"{run_id}-logs")
        await pilot.press("enter")
        await settle(pilot)
        await until(pilot, lambda: app.screen is screen)
        files = sorted(p.name for p in (tmp_path / f"{run_id}-logs" / "files").iterdir())
        logs = [a for a in screen.detail.artifacts if a.category == Category.LOGS]
        assert len(files) == len(logs) and all(any(a.artifact_id in f for f in files) for a in logs)
        assert (tmp_path / f"{run_id}-logs" / "run.json").is_file()


async def test_keys_typed_in_one_burst_with_ctrl_s_go_to_the_dialog(tmp_path, monkeypatch):
    from textual import events

    monkeypatch.chdir(tmp_path)
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await first_category(pilot)
        screen = app.screen
        artifact = screen.artifact_list.artifact
        for key, char in (("ctrl+s", None), ("backspace", None), ("backspace", None), ("backspace", None),
                          ("b", "b"), ("i", "i"), ("n", "n"), ("enter", None)):
            app.post_message(events.Key(key, char))
        await settle(pilot)
        saved = tmp_path / default_name(artifact).replace(".png", ".bin")
        await until(pilot, saved.exists)
        assert saved.read_bytes() == screen.source.read_bytes(artifact) and app.screen is screen

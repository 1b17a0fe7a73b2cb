"""The command's exit status after the app ends."""

from __future__ import annotations


def test_a_crash_of_the_app_ends_the_command_with_a_non_zero_status(monkeypatch, tmp_path):
    """The tmux tests saw a crash end with status 0: a crash must be seen by scripts and CI."""
    from tui import cli
    from tui.ui.app import SkyvernTUI

    def crash(self: SkyvernTUI) -> None:
        self._return_code = 1  # what Textual sets when an exception ends the app

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(SkyvernTUI, "run", crash)
    assert cli.main(["--demo"]) == 1

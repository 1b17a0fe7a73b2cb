"""OSC 52 for real: `skyvern-tui --demo` in tmux with `set -g set-clipboard on`;
`y` and a choice, then tmux's paste buffer holds what was sent (tmux takes the sequence off the
application and keeps it as a buffer, as it does for a terminal's clipboard)."""

from __future__ import annotations

import time
from pathlib import Path


from test_e2e_tmux import TmuxApp
from tui.core.catalog import Category
from tui.core.sources.demo import demo_source

TIMEOUT = 60.0


class Tmux(TmuxApp):
    """The demo in tmux with `set-clipboard on`, and tmux's paste buffer to read."""

    def __init__(self, tmp: Path) -> None:
        super().__init__(tmp, 120, 40, {}, tmux_conf="set -g set-clipboard on\n")

    def buffer(self) -> str:
        end = time.monotonic() + TIMEOUT
        while True:
            try:
                return self.tmux("show-buffer")
            except AssertionError:
                if time.monotonic() > end:
                    raise
                time.sleep(0.1)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "app", *keys)


def test_y_sends_the_command_line_and_the_text_to_tmuxs_buffer(tmp_path):
    source = demo_source()
    detail = source.load_run(source.list_runs()[0].run_id)
    prompt = detail.groups(Category.AI)[0].artifacts[0]  # what 2 puts under the cursor
    app = Tmux(tmp_path)
    try:
        app.wait_for("Steps (5)")
        app.keys("2")
        app.wait_for("AI reasoning (60)")
        app.keys("y", "l")  # in one burst: the menu, then its choice (the l was on its way to the list)
        line = f"skyvern-tui --demo --open {prompt.artifact_id}"
        app.wait_for(f"({len(line)} bytes) sent to the")  # the notification wraps after "the"
        assert app.buffer() == line
        app.keys("y")
        app.wait_for("Copy to the clipboard")
        app.keys("t")
        app.wait_for("The artifact's text (")
        text = source.read_bytes(prompt).decode("utf-8")
        end = time.monotonic() + TIMEOUT
        while app.buffer() != text and time.monotonic() < end:
            time.sleep(0.1)
        assert app.buffer() == text  # 13.7 KB, every byte
        app.keys("q")
    finally:
        app.close()

"""The keys that get the artifact on screen out of the terminal, shared by every screen that
shows artifacts (run, full-size artifact, step story): `i` info, `y` copy, `ctrl+s` save,
`o` open outside. Each screen adds `export_bindings("<its prefix>")` and mixes in `GettingOut`."""

from __future__ import annotations

from typing import cast

from textual.binding import Binding
from textual.screen import Screen


def export_bindings(where: str) -> list[Binding]:
    return [
        Binding("i", "info", "Info", show=False, id=f"{where}.info"),
        Binding("y", "copy", "Copy…", show=False, id=f"{where}.copy"),
        Binding("ctrl+s", "save", "Save…", show=False, id=f"{where}.save"),
        Binding("o", "open_outside", "Open outside", show=False, id=f"{where}.open_outside"),
    ]


class GettingOut:
    """Mix into a Screen that answers `on_screen()`."""

    def action_info(self) -> None:
        from .screens.info import open_info

        open_info(cast(Screen, self))

    def action_copy(self) -> None:
        from .screens.copy import open_copy_menu

        open_copy_menu(cast(Screen, self))

    def action_save(self) -> None:
        from .screens.save import open_save

        open_save(cast(Screen, self))

    def action_open_outside(self) -> None:
        from .outside import open_outside

        open_outside(cast(Screen, self))

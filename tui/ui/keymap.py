"""Keys as data: every binding of the app, the user's remapping, and keys as people type them.

A binding's id is `<where>.<meaning>` (`har.filter`, `lines.down`): the part after the first
dot is what the key does, and one key has one meaning across the app, so the same key in two
widgets (`j` in a list and in a text) does the same kind of thing.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator, Mapping

from textual.binding import Binding
from textual.dom import DOMNode

# Key names as typed, where Textual's own display differs or is long.
KEY_DISPLAY = {
    "escape": "esc",
    "question_mark": "?",
    "slash": "/",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "plus": "+",
    "minus": "-",
    "equals_sign": "=",
    "full_stop": ".",
    "comma": ",",
    "less_than_sign": "<",
    "greater_than_sign": ">",
    "space": "space",
    "pagedown": "pgdn",
    "pageup": "pgup",
}


# Bindings that repeat an app key on a modal screen (which hides the app's keys): remapping
# the app's key remaps them too.
MIRRORED = {"help.help": "app.help", "help.quit": "app.quit", "image_screen.quit": "app.quit"}


def with_mirrors(keymap: Mapping[str, str]) -> dict[str, str]:
    mirrored = {copy: keymap[original] for copy, original in MIRRORED.items() if original in keymap}
    return {**mirrored, **keymap}


def meaning(binding: Binding) -> str:
    """What a binding does, whatever widget holds it: its id without the prefix."""
    return (binding.id or binding.action).split(".", 1)[-1]


def all_bindings() -> Iterator[tuple[type[DOMNode], Binding]]:
    """Every Binding declared by a class of tui.ui (each class once, inherited ones not again)."""
    import tui.ui

    seen: set[type] = set()
    for info in pkgutil.walk_packages(tui.ui.__path__, "tui.ui."):
        module = importlib.import_module(info.name)
        for cls in vars(module).values():
            if not (inspect.isclass(cls) and issubclass(cls, DOMNode)) or cls in seen:
                continue
            if cls.__module__ != module.__name__:
                continue
            seen.add(cls)
            for binding in cls.__dict__.get("BINDINGS", []):
                if isinstance(binding, Binding):
                    yield cls, binding


def binding_ids() -> set[str]:
    return {b.id for _, b in all_bindings() if b.id}


def unknown_ids(keymap: Mapping[str, str]) -> list[str]:
    """Ids of a [keys] table that name no binding (a typo, or a binding renamed)."""
    known = binding_ids()
    return sorted(set(keymap) - known)


def remapped(binding: Binding, keymap: Mapping[str, str]) -> str:
    """The binding's keys after the user's [keys] table."""
    return keymap.get(binding.id, binding.key) if binding.id else binding.key


def key_display(keys: str) -> str:
    """'left_square_bracket,comma' -> '[ ,': each key as it is typed."""
    return " ".join(_one_key(key.strip()) for key in keys.split(","))


def _one_key(key: str) -> str:
    *modifiers, name = key.split("+")
    shown = KEY_DISPLAY.get(name, name)
    return "+".join([*modifiers, shown])

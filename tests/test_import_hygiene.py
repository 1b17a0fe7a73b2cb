"""Start-up imports only what the first screen needs: Pillow, PyAV, Pygments' lexers and the
API client (httpx) wait until something uses them (issue 12: start like a bare Textual app).

Checked in a fresh interpreter, doing what `skyvern-tui` does before its first screen: parse
the arguments, resolve the sources, build the app (and its settings). A top-level import
added anywhere on that path brings one of them back and fails here with the chain that did.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("PIL", "av", "pygments.lexers", "httpx")
# This checkout's tui, whatever the current folder or an installed copy.
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}

START = """
import sys
from tui.cli import build_app, build_parser, resolve

args = build_parser().parse_args(sys.argv[1:])
sources, initial = resolve(args)
app = build_app(args, sources, initial)
assert initial is not None and app.initial == initial
heavy = {heavy!r}
print(sorted(h for h in heavy if h in sys.modules))
"""

WHO = """
import builtins, sys, traceback
heavy = {heavy!r}
real = builtins.__import__
def watch(name, *args, **kwargs):
    if (name in heavy or name.split(".")[0] in heavy) and name not in sys.modules:
        print("".join(traceback.format_stack(limit=12)))
        builtins.__import__ = real
    return real(name, *args, **kwargs)
builtins.__import__ = watch
"""


def start_imports(*argv: str, cwd: Path) -> str:
    code = START.format(heavy=HEAVY)
    result = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, cwd=cwd, env=ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip().splitlines()[-1]


def who_imported(*argv: str, cwd: Path) -> str:
    """The stack of the first heavy import, to say in the failure where it came from."""
    code = WHO.format(heavy=HEAVY) + START.format(heavy=HEAVY)
    result = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, cwd=cwd, env=ENV)
    return result.stdout


@pytest.mark.parametrize("argv", [("--demo",), ("--local", str(ROOT / "assets" / "demo"))], ids=["demo", "local"])
def test_start_up_imports_none_of_the_heavy_modules(argv: tuple[str, ...], tmp_path: Path):
    found = start_imports(*argv, cwd=tmp_path)
    assert found == "[]", f"start-up imported {found}; the first one from:\n{who_imported(*argv, cwd=tmp_path)}"


def test_the_check_sees_a_heavy_import(tmp_path: Path):
    """The probe itself works: the same subprocess, with PIL imported on the way, reports it."""
    code = "import PIL.Image\n" + START.format(heavy=HEAVY)
    result = subprocess.run([sys.executable, "-c", code, "--demo"], capture_output=True, text=True, cwd=tmp_path, env=ENV)
    assert result.returncode == 0, result.stderr
    assert "'PIL'" in result.stdout.splitlines()[-1]


def test_the_viewer_table_picks_what_cores_rule_picks():
    """The registry names modules instead of importing them, and chooses a viewer without
    importing core's openers: the same choice as `opening.kind_name`, for every kind and for
    the fallbacks (an unknown type shown by its format's viewer, else as a file)."""
    from dataclasses import replace

    from tui.core.catalog import TYPES, kind_of
    from tui.core.opening import kind_name
    from tui.ui.viewers.base import Viewer
    from tui.ui.viewers.registry import VIEWERS, viewer_for

    unknown = [kind_of("something_new", ext) for ext in ("json", "png", "txt", "")]
    kinds = [*TYPES.values(), *unknown, *(replace(kind, viewer="no_such_viewer") for kind in unknown)]
    for kind in kinds:
        assert viewer_for(kind) is VIEWERS[kind_name(kind)], kind
    assert all(issubclass(VIEWERS[name], Viewer) for name in VIEWERS)

"""The UI never makes text safe itself: core has, when it built the models."""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parent.parent / "tui" / "ui"


def test_no_ui_module_imports_the_escaping_helper():
    offenders = []
    for path in sorted(UI.rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [alias.name for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            if any("textsafe" in n or n == "visible_controls" for n in names):
                offenders.append(f"{path.relative_to(UI.parent.parent)}:{node.lineno}")
    assert not offenders, offenders
    assert len(list(UI.rglob("*.py"))) > 10  # the walk did look at the UI

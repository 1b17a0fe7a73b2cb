"""Imports that read one way, checked on the source with `ast` (no import side effects).

- a viewer never reads files or parses: no json, PIL, pathlib or tui.core.sources, no screens,
  and it pushes no screen (it posts a message the run screen handles);
- widgets import neither viewers nor screens;
- no module of tui.ui imports PIL (images are decoded and scaled in tui.core);
- no import cycle among tui's modules (imports inside functions count too);
- every viewer kind of the catalogue has an opener and a viewer, and the opener's model is
  the one the viewer takes.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tui"

VIEWER_BANNED = ("json", "PIL", "pathlib", "tui.core.sources", "tui.ui.screens")
WIDGET_BANNED = ("tui.ui.viewers", "tui.ui.screens")


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path) -> dict[str, Path]:
    """Every module under root/tui by dotted name."""
    return {module_name(p, root): p for p in sorted((root / "tui").rglob("*.py"))}


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The modules `name` imports (anywhere in it), relative imports resolved; a `from pkg
    import sub` that names a submodule counts as importing that submodule."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            for alias in node.names:
                if f"{target}.{alias.name}" in known:
                    found.add(f"{target}.{alias.name}")
    return found


def _within(imported: str, prefixes: tuple[str, ...]) -> str | None:
    return next((p for p in prefixes if imported == p or imported.startswith(p + ".")), None)


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle among the graph's modules, as a path that ends where it starts."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def violations(root: Path) -> list[str]:
    known = modules(root)
    graph: dict[str, set[str]] = {}
    problems: list[str] = []
    for name, path in known.items():
        imported = imports_of(name, path, known)
        graph[name] = {m for m in imported if m in known and m != name}
        for module in sorted(imported):
            if name.startswith("tui.ui.viewers.") and (bad := _within(module, VIEWER_BANNED)):
                problems.append(f"{name} imports {module} (viewers must not import {bad})")
            if name.startswith("tui.ui.widgets.") and (bad := _within(module, WIDGET_BANNED)):
                problems.append(f"{name} imports {module} (widgets must not import {bad})")
            if name.startswith("tui.ui") and _within(module, ("PIL",)):
                problems.append(f"{name} imports {module} (PIL work belongs in tui.core)")
        if name.startswith("tui.ui.viewers."):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            if any(isinstance(n, ast.Attribute) and n.attr == "push_screen" for n in ast.walk(tree)):
                problems.append(f"{name} pushes a screen (viewers post messages; the run screen pushes)")
    cycle = find_cycle(graph)
    if cycle:
        problems.append("import cycle: " + " -> ".join(cycle))
    return problems


def test_the_imports_read_one_way():
    assert violations(ROOT) == []


def _plant(tmp_path: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return tmp_path


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"tui/ui/viewers/bad.py": "import json\n"}, "tui.ui.viewers.bad imports json"),
        ({"tui/ui/viewers/bad.py": "from PIL import Image\n"}, "PIL work belongs in tui.core"),
        ({"tui/ui/viewers/bad.py": "def f():\n    from pathlib import Path\n"}, "imports pathlib"),
        ({"tui/ui/viewers/bad.py": "from ...core.sources.base import Source\n"}, "imports tui.core.sources"),
        ({"tui/ui/viewers/bad.py": "from ..screens.image import ImageScreen\n"}, "imports tui.ui.screens"),
        ({"tui/ui/widgets/bad.py": "from ..viewers import base\n"}, "widgets must not import tui.ui.viewers"),
        ({"tui/ui/widgets/bad.py": "from ..screens import run\n", "tui/ui/screens/run.py": ""},
         "widgets must not import tui.ui.screens"),
        ({"tui/ui/viewers/bad.py": "def f(app):\n    app.push_screen(None)\n"}, "pushes a screen"),
        ({"tui/a.py": "def f():\n    from .b import x\n", "tui/b.py": "from . import a\n"},
         "import cycle: tui.a -> tui.b -> tui.a"),
    ],
)
def test_the_check_finds_a_planted_violation(tmp_path: Path, files: dict[str, str], expected: str):
    root = _plant(tmp_path, {"tui/__init__.py": "", "tui/ui/__init__.py": "", **files})
    found = violations(root)
    assert any(expected in problem for problem in found), found


def test_every_catalogued_kind_has_an_opener_and_a_viewer():
    from tui.core.catalog import TYPES
    from tui.core.opening import OPENERS, kind_name
    from tui.ui.viewers.registry import VIEWERS

    assert set(OPENERS) == set(VIEWERS)
    for kind in TYPES.values():
        assert kind.viewer in OPENERS, f"{kind.name}: no opener for viewer kind {kind.viewer}"
        assert kind.viewer in VIEWERS, f"{kind.name}: no viewer for viewer kind {kind.viewer}"
        assert kind_name(kind) == kind.viewer


def test_every_demo_artifact_opens_as_the_model_its_viewer_takes():
    from tui.core.opening import open_artifact
    from tui.core.sources.demo import demo_source
    from tui.ui.viewers.registry import VIEWERS

    source = demo_source()
    seen = set()
    for run in source.list_runs():
        detail = source.load_run(run.run_id)
        for artifact in detail.artifacts:
            opened = open_artifact(artifact, source, detail)
            viewer = VIEWERS[opened.kind]
            assert isinstance(opened.model, viewer.MODEL), (artifact.artifact_type, type(opened.model), viewer)
            seen.add(opened.kind)
    assert len(seen) >= 10  # the demo run covers most kinds

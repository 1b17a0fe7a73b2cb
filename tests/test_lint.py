"""mypy and ruff are part of the suite, so the README's one test command runs them (CI too)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_mypy_is_clean_on_the_package() -> None:
    result = run(str(BIN / "mypy"))  # files and options: [tool.mypy] in pyproject.toml
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_ruff_is_clean() -> None:
    result = run(str(BIN / "ruff"), "check", "tui", "tests", "assets/recording")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]

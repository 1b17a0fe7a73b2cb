import json
import subprocess
import sys
from pathlib import Path

from tui.cli import build_parser, resolve

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True, cwd=cwd, timeout=60)


def test_help_explains_every_option(tmp_path: Path):
    result = run("--help", cwd=tmp_path)
    assert result.returncode == 0
    for word in ("--demo", "--local DIR", "RUN_ID", "ARTIFACT_STORAGE_PATH", "Inside the app, press ?"):
        assert word in result.stdout, word


def test_unknown_run_id_is_one_clear_line_and_status_2(demo_dir: Path):
    result = run("--local", str(demo_dir), "tsk_does_not_exist")
    assert result.returncode == 2
    assert result.stderr.strip() == f"skyvern-tui: error: no run tsk_does_not_exist in {demo_dir}"


def test_folder_without_runs_is_refused(tmp_path: Path):
    result = run("--local", str(tmp_path))
    assert result.returncode == 2
    assert "no Skyvern runs in" in result.stderr and "Traceback" not in result.stderr


def test_run_id_without_local_is_refused():
    result = run("tsk_1")
    assert result.returncode == 2 and "RUN_ID needs --local DIR" in result.stderr


def test_sources_and_initial_run(tmp_path: Path, demo_dir: Path, monkeypatch):
    demo_id = json.loads((demo_dir / "run.json").read_text())["run_id"]
    sources, initial = resolve(build_parser().parse_args(["--demo"]))
    assert [s.label for s in sources][0] == "demo" and initial[1] == demo_id
    # A downloaded run given to --local opens directly.
    sources, initial = resolve(build_parser().parse_args(["--local", str(demo_dir)]))
    assert len(sources) == 2 and initial[0] is sources[1] and initial[1] == demo_id
    # $ARTIFACT_STORAGE_PATH and ./artifacts join the picker when they exist.
    (tmp_path / "artifacts").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ARTIFACT_STORAGE_PATH", str(demo_dir))
    sources, initial = resolve(build_parser().parse_args([]))
    assert [Path(s.label) for s in sources[1:]] == [demo_dir, Path("artifacts")] and initial is None

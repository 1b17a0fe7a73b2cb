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


# --- wrong input: one line, a non-zero status, and no work done ----------------------------------
import os  # noqa: E402

import pytest  # noqa: E402
from fake_skyvern import API_KEY, RUN_ID, FakeSkyvern  # noqa: E402


@pytest.fixture
def fake():
    server = FakeSkyvern()
    yield server
    server.stop()


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SKYVERN", "TEXTUAL", "XDG_"))}
    env.update(HOME=str(home), PYTHONPATH=str(ROOT))  # this checkout's code, not an installed one
    return env


def _command(fake: FakeSkyvern, home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "tui", *args, "--base-url", fake.base_url, "--api-key", API_KEY]


def _cli(fake: FakeSkyvern, home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(_command(fake, home, *args), capture_output=True, text=True, cwd=home,
                          env=_env(home), timeout=120)


def _one_line(result: subprocess.CompletedProcess, status: int = 2) -> str:
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("skyvern-tui: error: "), result.stderr
    return lines[0]


@pytest.mark.parametrize("command", ["artifacts", "download"])
def test_an_unknown_type_is_refused_with_the_known_ones_before_any_request(fake, tmp_path, command):
    where = [str(tmp_path / "out")] if command == "download" else []
    line = _one_line(_cli(fake, tmp_path, command, RUN_ID, *where, "--type", "llm_prompt", "--type", "bogus"))
    assert "unknown artifact type 'bogus'" in line and "'llm_prompt'" not in line
    assert "known: " in line and "screenshot_llm" in line and "har" in line
    assert fake.api.seen == [] and not (tmp_path / "out").exists()


@pytest.mark.parametrize("dest", ["/proc/nope", "a-file/sub", "a-file"])
def test_a_download_to_where_nothing_can_be_written_fails_before_any_request(fake, tmp_path, dest):
    (tmp_path / "a-file").write_text("")
    line = _one_line(_cli(fake, tmp_path, "download", RUN_ID, dest))
    assert line.startswith(f"skyvern-tui: error: cannot save in {dest}: ")
    assert fake.api.seen == []


def test_a_download_of_a_run_that_does_not_exist_leaves_no_folder(fake, tmp_path):
    result = _cli(fake, tmp_path, "download", "wr_nope", "new/run")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "new").exists()


def test_a_download_still_works(fake, tmp_path):
    result = _cli(fake, tmp_path, "download", RUN_ID, "new/run", "--type", "llm_prompt")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "new/run/run.json").is_file() and list((tmp_path / "new/run/files").glob("*llm_prompt*"))


@pytest.mark.parametrize("args", [["artifacts", RUN_ID, "--json"], ["artifacts", RUN_ID], ["report", RUN_ID]])
def test_output_to_a_closed_pipe_ends_quietly(fake, tmp_path, args):
    """`skyvern-tui artifacts … --json | head`: the reader is gone before the first write."""
    process = subprocess.Popen(_command(fake, tmp_path, *args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               cwd=tmp_path, env=_env(tmp_path))
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    error = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141  # as a shell reports a program that SIGPIPE ended
    assert "Traceback" not in error and "BrokenPipe" not in error and "Exception ignored" not in error
    assert fake.api.seen  # it did the work: the pipe closed under it


@pytest.mark.parametrize("poll", ["-1", "0", "0.5", "nan", "inf"])
def test_a_poll_interval_under_a_second_or_not_a_number_is_refused(tmp_path, poll):
    result = subprocess.run([sys.executable, "-m", "tui", "--demo", "--poll", poll], capture_output=True, text=True,
                            cwd=tmp_path, env=_env(tmp_path), timeout=60, stdin=subprocess.DEVNULL)
    assert "--poll takes a number of seconds of 1 or more" in _one_line(result)


@pytest.mark.parametrize("how", ["flag", "env", "config"])
def test_an_unknown_graphics_mode_is_one_line_naming_the_setting_and_the_choices(tmp_path, how):
    config = tmp_path / "config.toml"
    config.write_text('graphics = "pixels"\n' if how == "config" else "")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SKYVERN")}
    env.update(SKYVERN_TUI_CONFIG=str(config), HOME=str(tmp_path))
    if how == "env":
        env["SKYVERN_TUI_GRAPHICS"] = "[red]pixels"
    args = ["--demo", *(["--graphics", "pixels"] if how == "flag" else [])]
    result = subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "auto, kitty, sixel, halfblock" in lines[0]
    named = {"flag": "--graphics", "env": "SKYVERN_TUI_GRAPHICS", "config": "config file"}[how]
    assert named in lines[0]

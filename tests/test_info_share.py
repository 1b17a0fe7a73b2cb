"""core.share: the command line that opens the run at the artifact on screen, for each kind of
source (the demo, a folder, Skyvern Cloud, another server), never holding the key; and the
run's app URL, only when the API gave one.

The CLI's `--open` flag comes from another branch (nav): the parse test takes the line as the
parser does today (everything but `--open ID` understood) and, once `--open` is known, checks
that it lands in `args.open` with nothing left over."""

from __future__ import annotations

import shlex
from dataclasses import replace
from pathlib import Path

import pytest

from apptools import make_run
from tui.cli import build_parser
from tui.core.model import Artifact, Run, RunDetail
from tui.core.share import app_url, command_argv, command_line
from tui.core.sources.api import ApiSettings, ApiSource
from tui.core.sources.demo import demo_source

KEY = "sk-very-secret-key"


def _detail(run_id: str = "wr_42", **raw) -> RunDetail:
    return RunDetail(Run(run_id, raw=raw), (), ())


ARTIFACT = Artifact("a_7", "llm_prompt")


def _api(base_url: str) -> ApiSource:
    return ApiSource(ApiSettings(base_url=base_url, api_key=KEY))


def _lines(tmp_path: Path) -> dict[str, tuple[str, str | None, list[str]]]:
    """kind -> (line, its run id, the flags before it)"""
    demo = demo_source()
    demo_detail = demo.load_run(demo.list_runs()[0].run_id)
    folder = tmp_path / "my runs" / "it's here"
    local = make_run(folder, [("llm_prompt", "a.txt", b"x")])
    other = _api("https://skyvern.example.com:8443/")
    return {
        "demo": (command_line(demo, demo_detail, ARTIFACT), None, ["--demo"]),
        "folder": (command_line(local, _detail("tsk_test"), ARTIFACT), "tsk_test", ["--local", str(folder.resolve())]),
        "cloud": (command_line(_api("https://api.skyvern.com"), _detail(), ARTIFACT), "wr_42", []),
        "other": (command_line(other, _detail(), ARTIFACT), "wr_42", ["--base-url", "https://skyvern.example.com:8443"]),
    }


def test_the_command_line_for_each_kind_of_source(tmp_path):
    lines = _lines(tmp_path)
    folder = shlex.quote(str((tmp_path / "my runs" / "it's here").resolve()))
    assert lines["demo"][0] == "skyvern-tui --demo --open a_7"
    assert lines["folder"][0] == f"skyvern-tui --local {folder} tsk_test --open a_7"
    assert lines["cloud"][0] == "skyvern-tui wr_42 --open a_7"
    assert lines["other"][0] == "skyvern-tui --base-url https://skyvern.example.com:8443 wr_42 --open a_7"
    for line, _, _ in lines.values():
        assert line is not None and KEY not in line


def test_no_query_of_the_servers_url_and_odd_ids_are_quoted():
    source = _api("https://skyvern.example.com/api/?token=abc")
    line = command_line(source, _detail("wr_$(rm -rf ~)"), Artifact("a_1; echo", "llm_prompt"))
    assert line == "skyvern-tui --base-url https://skyvern.example.com/api 'wr_$(rm -rf ~)' --open 'a_1; echo'"
    assert shlex.split(line)[-1] == "a_1; echo"


class _Unknown:
    label = "something else"


def test_a_source_the_cli_cannot_name_has_no_command_line():
    assert command_line(_Unknown(), _detail(), ARTIFACT) is None  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["demo", "folder", "cloud", "other"])
def test_the_cli_parses_the_line(tmp_path, kind):
    line, run_id, flags = _lines(tmp_path)[kind]
    argv = shlex.split(line)
    assert argv[0] == "skyvern-tui"
    parser = build_parser()
    args, rest = parser.parse_known_args(argv[1:])
    assert args.demo is (flags == ["--demo"])
    assert (str(args.local) if args.local else None) == (flags[1] if flags[:1] == ["--local"] else None)
    assert args.base_url == (flags[1] if flags[:1] == ["--base-url"] else None)
    assert args.api_key is None
    assert rest == [] and args.open_id == "a_7" and args.run_id == run_id  # every word is the parser's
    assert parser.parse_args(argv[1:]).open_id == "a_7"


def test_the_app_url_is_the_apis_and_a_folder_run_has_none():
    assert app_url(_detail(app_url="https://app.skyvern.com/runs/wr_42")) == "https://app.skyvern.com/runs/wr_42"
    assert app_url(_detail()) is None
    assert app_url(_detail(app_url="javascript:alert(1)")) is None
    assert app_url(_detail(app_url=["x"])) is None
    assert app_url(_detail(app_url="https://a/\x1b]0;x\x07")) == "https://a/␛]0;x␇"
    assert command_argv(demo_source(), replace(_detail(), run=Run("wr_1")), Artifact("", "x")) is None

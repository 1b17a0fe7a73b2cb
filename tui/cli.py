"""Command line: arguments -> sources -> the app, or a non-interactive command."""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .arguments import UsageError, api_source
from .arguments import run_id_arg as _run_id
from .core.deep_link import DeepLink
from .core.errors import TuiError
from .core.sources.base import Source
from .core.sources.demo import demo_source
from .core.sources.local import LocalSource
from .core.textsafe import visible_controls

if TYPE_CHECKING:
    from .ui.app import SkyvernTUI

DESCRIPTION = """\
Browse the artifacts of Skyvern runs in the terminal: screenshots, LLM prompts and
responses, element trees, HTML, logs, network traffic and generated files.

Without options, the run picker lists the bundled demo run, the runs of your Skyvern
server when an API key is set (SKYVERN_API_KEY, --api-key or a config profile), the
runs in $ARTIFACT_STORAGE_PATH (a self-hosted Skyvern server's artifact folder) and
the runs in ./artifacts, when those exist.
"""

EPILOG = """\
examples:
  skyvern-tui --demo                     open the bundled demo run
  skyvern-tui wr_123                     open a run of your Skyvern server (or paste its app URL)
  skyvern-tui --local /data/artifacts    pick a run from a server's artifact folder
  skyvern-tui --local ./my-run           open a downloaded run
  skyvern-tui --local /data/artifacts tsk_123   open one run in a folder
  skyvern-tui wr_123 --open a_456        open the run at that artifact (--type T: the newest
                                         of that type; --step N: the story of step N)
  skyvern-tui artifacts wr_123 --type llm_prompt --json
  skyvern-tui download wr_123 ./my-run   then: skyvern-tui --local ./my-run
  skyvern-tui report wr_123 --format json   why it failed, step by step (also --local, --demo)
  skyvern-tui diff wr_bad wr_good        compare two runs step by step (exit 1 when they differ)
  skyvern-tui login --profile local --base-url http://localhost:8000

settings: SKYVERN_API_KEY, SKYVERN_BASE_URL (default https://api.skyvern.com), and
the profiles of the config file (see `skyvern-tui login --help`). Flags win over the
environment, the environment over the file. The key is never printed.

Inside the app, press ? for every key.
"""

SUBCOMMANDS = ("artifacts", "diff", "download", "login", "report")


def _connection_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("Skyvern server")
    group.add_argument("--api-key", metavar="KEY", help="API key (default: $SKYVERN_API_KEY or the profile's)")
    group.add_argument("--base-url", metavar="URL", help="API base URL (default: $SKYVERN_BASE_URL, the profile's, or https://api.skyvern.com)")
    group.add_argument("--profile", metavar="NAME", help="a profile of the config file")
    group.add_argument("--artifact-root", dest="artifact_roots", action="append", metavar="DIR",
                       help="read a loopback server's file:// artifacts from disk under DIR (repeatable; "
                            "default: the profile's artifact_roots, $ARTIFACT_STORAGE_PATH)")


def _link_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("deep links (one of them; with RUN_ID, --demo or --local DIR of one run)")
    link = group.add_mutually_exclusive_group()
    link.add_argument("--open", dest="open_id", metavar="ARTIFACT_ID",
                      help="open the run at this artifact, in the viewer")
    link.add_argument("--type", dest="open_type", metavar="TYPE",
                      help="open the run at the newest artifact of this type (skyvern_log, llm_prompt, ...)")
    link.add_argument("--step", dest="open_step", metavar="N", type=int,
                      help="open the story of step N, counted from 1 as the overview's step table lists them")


def deep_link(args: argparse.Namespace) -> DeepLink | None:
    """The place the first run opens at, or None. Raises UsageError for an unknown type."""
    if args.open_type is not None:
        from .commands import check_types

        check_types([args.open_type])
    if args.open_step is not None and args.open_step < 1:
        raise UsageError(f"--step counts from 1, not {args.open_step}")
    if args.open_id is None and args.open_type is None and args.open_step is None:
        return None
    return DeepLink(args.open_id, args.open_type, args.open_step)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skyvern-tui",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--demo", action="store_true", help="open the demo run that ships with skyvern-tui")
    parser.add_argument(
        "--local",
        metavar="DIR",
        type=Path,
        help="a Skyvern ARTIFACT_STORAGE_PATH folder, a downloaded run, or a folder of downloaded runs",
    )
    parser.add_argument(
        "run_id",
        nargs="?",
        metavar="RUN_ID",
        help="open this run (an id, or a Skyvern app URL): in --local DIR if given, else on the server",
    )
    parser.add_argument(
        "--poll", metavar="SECONDS", type=float, default=5.0,
        help="how often a run that has not ended is checked for news, 1 or more (default 5)",
    )
    parser.add_argument(
        "--truecolor", action="store_true",
        help="draw in 24-bit colour (sharper screenshots) even where the terminal does not say it can, e.g. over SSH",
    )
    parser.add_argument(
        "--graphics", metavar="MODE",
        help="how images are drawn: auto (ask the terminal: kitty graphics, then sixel), kitty, sixel or "
             "halfblock (default: $SKYVERN_TUI_GRAPHICS, the config file's, or auto)",
    )
    _link_flags(parser)
    _connection_flags(parser)
    parser.add_argument("--version", action="version", version=f"skyvern-tui {__version__}")
    return parser


def build_command_parser(command: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"skyvern-tui {command}")
    if command == "login":
        parser.description = (
            "Save a server and its API key as a profile of the config file (created readable by "
            "you only). The key is read from standard input, or asked for without echo."
        )
        parser.add_argument("--profile", metavar="NAME", default="default", help="profile name (default: default)")
        parser.add_argument("--base-url", metavar="URL", default="https://api.skyvern.com")
        parser.add_argument("--make-default", action="store_true", help="use this profile when none is named")
        return parser
    if command == "report":
        parser.description = (
            "Print the overview of a run: its goal, status, why it failed (the failure reason, the "
            "step that failed, its last actions with the LLM's reasoning, the first console and "
            "page errors, the failed requests, the log's last warnings and errors) and its steps "
            "(actions and their elements, LLM calls, duration, tokens, errors). Markdown for a chat "
            "or a ticket, or JSON for a program. The API key and signed URLs are never printed."
        )
        parser.add_argument("run_id", nargs="?", metavar="RUN_ID",
                            help="a run id or a Skyvern app URL (may be left out with --demo, or --local DIR of one run)")
        parser.add_argument("--format", choices=("markdown", "json"), default="markdown", help="default: markdown")
        parser.add_argument("--local", metavar="DIR", type=Path,
                            help="a Skyvern ARTIFACT_STORAGE_PATH folder, a downloaded run, or a folder of runs")
        parser.add_argument("--demo", action="store_true", help="the demo run that ships with skyvern-tui")
        _connection_flags(parser)
        return parser
    if command == "diff":
        _diff_arguments(parser)
        return parser
    parser.add_argument("run_id", metavar="RUN_ID", help="a run id (wr_, tsk_, tsk_v2_) or a Skyvern app URL")
    if command == "download":
        parser.add_argument("dest", metavar="DIR", type=Path, help="folder to save the run in")
        parser.add_argument("--workers", type=int, default=8, help="parallel downloads (default 8)")
    parser.add_argument("--type", dest="types", action="append", default=[], metavar="T", help="only this artifact type (repeatable)")
    if command == "artifacts":
        parser.add_argument("--json", action="store_true", help="print the API's JSON")
    _connection_flags(parser)
    return parser


def _diff_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Compare two runs step by step (a failing run against a passing run of the same task or "
        "workflow): each step's status, actions (type, element, text), URL and LLM calls, a table "
        "with the first divergence marked >>, and a summary line. Steps align by task, order and "
        "retry (retry 1 of step 2 faces retry 1 of step 2); a step one run lacks is a row of its own. "
        "Exit status 0 when the runs match step by step, 1 when they differ, 2 for wrong input."
    )
    parser.epilog = (
        "Each RUN is a run id or a Skyvern app URL, looked for in the --local folders, the demo "
        "(with --demo) and the server (when an API key is set), in that order; or `demo`, the demo "
        "run; or the path of a folder that holds one run (a downloaded run, or a run's folder of "
        "an ARTIFACT_STORAGE_PATH). Example: skyvern-tui diff --local ./runs tsk_failed tsk_passed"
    )
    parser.add_argument("run_a", metavar="RUN_A", help="the first run (A): an id, an app URL, `demo` or a folder")
    parser.add_argument("run_b", metavar="RUN_B", help="the second run (B), likewise")
    parser.add_argument("--local", metavar="DIR", type=Path, action="append", default=[],
                        help="a folder to look for the runs in (repeatable): an ARTIFACT_STORAGE_PATH, "
                             "a downloaded run, or a folder of downloaded runs")
    parser.add_argument("--demo", action="store_true", help="look in the demo too")
    parser.add_argument("--format", choices=("table", "json"), default="table", help="default: table")
    _connection_flags(parser)


def _fail(message: str, status: int) -> int:
    print(visible_controls(f"skyvern-tui: error: {message}"), file=sys.stderr)
    return status


def default_folders() -> list[Path]:
    """$ARTIFACT_STORAGE_PATH and ./artifacts, where they exist."""
    candidates = [os.environ.get("ARTIFACT_STORAGE_PATH"), "artifacts"]
    return [Path(c) for c in candidates if c and Path(c).is_dir()]


def resolve(args: argparse.Namespace) -> tuple[list[Source], tuple[Source, str] | None]:
    """The sources to list and the run to open first. Raises TuiError for wrong input."""
    from .core.errors import SourceError

    demo = demo_source()
    sources: list[Source] = [demo]
    initial: tuple[Source, str] | None = None
    from .config import ConfigError

    try:
        api = api_source(args)
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc
    if api is not None:
        sources.append(api)
    if args.local is not None:
        try:
            local = LocalSource(args.local)
        except SourceError as exc:
            raise UsageError(str(exc)) from exc
        sources.append(local)
        if args.run_id:
            run_id = _run_id(args.run_id)
            try:
                local.load_run(run_id)
            except SourceError as exc:
                raise UsageError(str(exc)) from exc
            initial = (local, run_id)
        else:
            runs = local.list_runs()
            if not runs:
                raise UsageError(
                    f"no Skyvern runs in {args.local} (expected run.json + artifacts.json, "
                    "or a Skyvern ARTIFACT_STORAGE_PATH folder)"
                )
            if len(runs) == 1:
                initial = (local, runs[0].run_id)
    else:
        if args.run_id:
            if api is None:
                raise UsageError("RUN_ID needs --local DIR or a Skyvern API key (SKYVERN_API_KEY, --api-key, --profile)")
            initial = (api, _run_id(args.run_id))
        for folder in default_folders():
            try:
                sources.append(LocalSource(folder))
            except SourceError:
                continue
    if args.demo:
        initial = (demo, demo.list_runs()[0].run_id)
    return sources, initial


def _output_closed() -> int:
    """The reader of standard output went away (`| head`): stop quietly, as a program killed by
    SIGPIPE does, and keep Python from failing again when it flushes at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return 141  # 128 + SIGPIPE, what a shell reports for such a program


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in SUBCOMMANDS:
        from .commands import run_command

        args = build_command_parser(argv[0]).parse_args(argv[1:])
        try:
            status = run_command(argv[0], args)
            sys.stdout.flush()  # here, where a closed pipe can still be said nothing about
            return status
        except BrokenPipeError:
            return _output_closed()
    args = build_parser().parse_args(argv)
    if not math.isfinite(args.poll) or args.poll < 1:
        return _fail(f"--poll takes a number of seconds of 1 or more, not {args.poll:g}", 2)
    try:
        link = deep_link(args)
        sources, initial = resolve(args)
        if link is not None and initial is None:
            raise UsageError("--open, --type and --step need a run: RUN_ID, --demo, or --local DIR of one run")
    except UsageError as exc:
        return _fail(str(exc), 2)
    except TuiError as exc:
        return _fail(str(exc), 1)

    try:
        app = build_app(args, sources, initial)
    except TuiError as exc:  # an unknown theme or binding id in the config file
        return _fail(str(exc), 2)
    app.run()
    return app.return_code or 0  # 1 after a crash (Textual has printed the traceback)


def build_app(args: argparse.Namespace, sources: list[Source], initial: tuple[Source, str] | None) -> SkyvernTUI:
    """The interface for the resolved arguments, not yet running: what start-up imports and
    builds before the first screen (tests/test_import_hygiene.py keeps it light). Raises
    TuiError for a theme or binding id of the config file that does not exist."""
    if args.truecolor:
        # Textual reads this once, when it is imported: set it before the ui import below.
        os.environ["TEXTUAL_COLOR_SYSTEM"] = "truecolor"
    from .config import load_ui_settings, state_dir
    from .core.recent import RecentRuns
    from .ui.app import SkyvernTUI  # the interface is imported only when it is needed
    from .ui.glyphs import glyph_driver

    recent = RecentRuns(state_dir() / "recent.json")
    ui = load_ui_settings()
    graphics = terminal_graphics(args.graphics, ui.graphics)
    # Only what the terminal can draw: ASCII under a locale that is not UTF-8, and so on.
    return SkyvernTUI(sources, initial, recent, poll_seconds=args.poll, theme=ui.theme, keymap=ui.keys,
                      driver_class=glyph_driver(os.environ), link=deep_link(args), graphics=graphics)


def terminal_graphics(flag: str | None, config_value: str | None):
    """How images will be drawn: the mode asked for (flag > env > config file > auto), and for
    auto, what the terminal answers before the app takes it over (0.2 s at most when it is
    silent). Raises TuiError for a mode that does not exist."""
    from .core.graphics.detect import resolve as resolve_graphics
    from .core.graphics.modes import requested_mode

    mode, how = requested_mode(flag, os.environ, config_value)
    try:
        fd_in, fd_out = sys.stdin.fileno(), sys.stdout.fileno()
    except (OSError, ValueError):  # io.UnsupportedOperation is both: a stream with no file
        fd_in = fd_out = -1  # no terminal to ask: resolve() says so
    return resolve_graphics(mode, how, fd_in, fd_out, os.environ)


if __name__ == "__main__":
    sys.exit(main())

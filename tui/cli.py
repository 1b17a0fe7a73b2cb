"""Command line: arguments -> sources -> the app."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__
from .core.errors import RunNotFound, SourceError, TuiError
from .core.sources.base import Source
from .core.sources.demo import demo_source
from .core.sources.local import LocalSource

DESCRIPTION = """\
Browse the artifacts of Skyvern runs in the terminal: screenshots, LLM prompts and
responses, element trees, HTML, logs, network traffic and generated files.

Without options, the run picker lists the bundled demo run, the runs in
$ARTIFACT_STORAGE_PATH (a self-hosted Skyvern server's artifact folder) and the runs
in ./artifacts, when those exist.
"""

EPILOG = """\
examples:
  skyvern-tui --demo                     open the bundled demo run
  skyvern-tui --local /data/artifacts    pick a run from a server's artifact folder
  skyvern-tui --local ./my-run           open a downloaded run
  skyvern-tui --local /data/artifacts tsk_123   open one run in a folder

Inside the app, press ? for every key.
"""


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
    parser.add_argument("run_id", nargs="?", metavar="RUN_ID", help="with --local: open this run directly")
    parser.add_argument("--version", action="version", version=f"skyvern-tui {__version__}")
    return parser


def _fail(message: str) -> int:
    print(f"skyvern-tui: error: {message}", file=sys.stderr)
    return 2


def default_folders() -> list[Path]:
    """$ARTIFACT_STORAGE_PATH and ./artifacts, where they exist."""
    candidates = [os.environ.get("ARTIFACT_STORAGE_PATH"), "artifacts"]
    return [Path(c) for c in candidates if c and Path(c).is_dir()]


def resolve(args: argparse.Namespace) -> tuple[list[Source], tuple[Source, str] | None]:
    """The sources to list and the run to open first. Raises TuiError for wrong input."""
    demo = demo_source()
    sources: list[Source] = [demo]
    initial: tuple[Source, str] | None = None
    if args.run_id and not args.local:
        raise SourceError("RUN_ID needs --local DIR (the folder that holds the run)")
    if args.local is not None:
        local = LocalSource(args.local)
        sources.append(local)
        if args.run_id:
            local.load_run(args.run_id)  # raises RunNotFound with a clear message
            initial = (local, args.run_id)
        else:
            runs = local.list_runs()
            if not runs:
                raise SourceError(
                    f"no Skyvern runs in {args.local} (expected run.json + artifacts.json, "
                    "or a Skyvern ARTIFACT_STORAGE_PATH folder)"
                )
            if len(runs) == 1:
                initial = (local, runs[0].run_id)
    else:
        for folder in default_folders():
            try:
                sources.append(LocalSource(folder))
            except SourceError:
                continue
    if args.demo:
        initial = (demo, demo.list_runs()[0].run_id)
    return sources, initial


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        sources, initial = resolve(args)
    except RunNotFound as exc:
        return _fail(str(exc))
    except TuiError as exc:
        return _fail(str(exc))

    from .ui.app import SkyvernTUI  # the interface is imported only when it is needed

    SkyvernTUI(sources, initial).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())

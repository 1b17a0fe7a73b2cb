"""The non-interactive commands: artifacts, download, login. Errors: one line, exit status 1."""

from __future__ import annotations

import argparse
import getpass
import json
import re
import sys
import threading
from typing import TextIO

from .arguments import UsageError, api_source, run_id_arg
from .core.errors import TuiError
from .core.textsafe import visible_controls

# Characters json.dumps(ensure_ascii=False) leaves as they are that a terminal obeys (DEL, C1):
# written as \u escapes, which JSON allows in any string and which are the same data.
_JSON_CONTROLS = re.compile(r"[\x7f-\x9f]")


def say(text: str, file: TextIO | None = None, end: str = "\n") -> None:
    """Print a line that quotes data (ids, types, server errors): the same rule as the models,
    control characters made visible, so a value cannot set the title or write the clipboard."""
    print(visible_controls(text), file=file or sys.stdout, end=end, flush=end != "\n")


def json_text(value: object) -> str:
    """JSON for a terminal or a pipe: the same data, with no raw control character in it."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return _JSON_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _error(message: str, status: int = 1) -> int:
    say(f"skyvern-tui: error: {message}", sys.stderr)
    return status


def _source(args: argparse.Namespace):
    source = api_source(args)
    if source is None:
        raise UsageError("this command needs a Skyvern API key: set SKYVERN_API_KEY, pass --api-key, or use --profile")
    return source


def run_command(command: str, args: argparse.Namespace) -> int:
    try:
        if command == "login":
            return login(args)
        run_id = run_id_arg(args.run_id)
        source = _source(args)
        if command == "artifacts":
            return list_artifacts(source, run_id, args)
        return download(source, run_id, args)
    except UsageError as exc:
        return _error(str(exc), 2)
    except TuiError as exc:
        return _error(str(exc), 1)
    except KeyboardInterrupt:
        return _error("interrupted", 130)


def list_artifacts(source, run_id: str, args: argparse.Namespace) -> int:
    detail = source.load_run(run_id)
    wanted = set(args.types)
    artifacts = [a for a in detail.artifacts if not wanted or a.artifact_type in wanted]
    if args.json:
        say(json_text([dict(a.raw) for a in artifacts]))
        return 0
    labels = {a.artifact_id: g.label for g in detail.groups() for a in g.artifacts}
    for artifact in artifacts:
        captured = artifact.captured_at.strftime("%Y-%m-%d %H:%M:%S") if artifact.captured_at else "-"
        size = "-" if artifact.file_size is None else str(artifact.file_size)
        say(f"{captured}  {artifact.artifact_id:<24} {artifact.artifact_type:<32} {labels.get(artifact.artifact_id, ''):<18} {size:>9}")
    say(f"{len(artifacts)} artifacts", sys.stderr)
    return 0


def download(source, run_id: str, args: argparse.Namespace) -> int:
    from .core.download import download_run

    cancel = threading.Event()
    interactive = sys.stderr.isatty()

    def progress(done: int, total: int, artifact) -> None:
        line = f"downloaded {done}/{total}  {artifact.artifact_type if artifact else ''}"
        if interactive:
            print("\r", end="", file=sys.stderr)  # our own carriage return, then the safe line
            say(f"{line:<70}", sys.stderr, end="")
        elif done == total or done % 20 == 0:
            say(line, sys.stderr)

    try:
        result = download_run(source, run_id, args.dest, types=tuple(args.types), workers=args.workers, progress=progress, cancel=cancel)
    except KeyboardInterrupt:
        cancel.set()
        raise
    finally:
        if interactive:
            print(file=sys.stderr)
    if result.cancelled:
        return _error(f"cancelled: {result.count} of {result.total} artifacts saved in {args.dest}", 130)
    if result.failed:
        for artifact_id, why in sorted(result.failed.items()):
            say(f"skyvern-tui: {artifact_id}: {why}", sys.stderr)
        return _error(f"{len(result.failed)} of {result.total} artifacts could not be downloaded; the others are in {args.dest}")
    say(f"Saved {result.count} artifacts of {run_id} to {args.dest}. Browse it offline: skyvern-tui --local {args.dest}")
    return 0


def login(args: argparse.Namespace) -> int:
    from .config import save_profile

    if sys.stdin.isatty():
        key = getpass.getpass(f"API key for {args.base_url} (not shown): ")
    else:
        key = sys.stdin.readline()
    key = key.strip()
    if not key:
        return _error("no API key given", 2)
    path = save_profile(args.profile, args.base_url, key, make_default=args.make_default)
    say(f"Saved profile {args.profile!r} ({args.base_url}) to {path} (readable by you only).")
    return 0




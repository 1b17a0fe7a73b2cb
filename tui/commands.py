"""The non-interactive commands: artifacts, download, login. Errors: one line, exit status 1."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
import threading

from .arguments import UsageError, api_source, run_id_arg
from .core.errors import TuiError



def _error(message: str, status: int = 1) -> int:
    print(f"skyvern-tui: error: {message}", file=sys.stderr)
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
        print(json.dumps([dict(a.raw) for a in artifacts], indent=2, ensure_ascii=False))
        return 0
    labels = {a.artifact_id: g.label for g in detail.groups() for a in g.artifacts}
    for artifact in artifacts:
        created = artifact.created_at.strftime("%Y-%m-%d %H:%M:%S") if artifact.created_at else "-"
        size = "-" if artifact.file_size is None else str(artifact.file_size)
        print(f"{created}  {artifact.artifact_id:<24} {artifact.artifact_type:<32} {labels.get(artifact.artifact_id, ''):<18} {size:>9}")
    print(f"{len(artifacts)} artifacts", file=sys.stderr)
    return 0


def download(source, run_id: str, args: argparse.Namespace) -> int:
    from .core.download import download_run

    cancel = threading.Event()
    interactive = sys.stderr.isatty()

    def progress(done: int, total: int, artifact) -> None:
        line = f"downloaded {done}/{total}  {artifact.artifact_type if artifact else ''}"
        if interactive:
            print(f"\r{line:<70}", end="", file=sys.stderr, flush=True)
        elif done == total or done % 20 == 0:
            print(line, file=sys.stderr)

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
            print(f"skyvern-tui: {artifact_id}: {why}", file=sys.stderr)
        return _error(f"{len(result.failed)} of {result.total} artifacts could not be downloaded; the others are in {args.dest}")
    print(f"Saved {result.count} artifacts of {run_id} to {args.dest}. Browse it offline: skyvern-tui --local {args.dest}")
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
    print(f"Saved profile {args.profile!r} ({args.base_url}) to {path} (readable by you only).")
    return 0




"""The non-interactive commands: artifacts, diff, download, login, report. Errors: one line, exit status 1
(2 for wrong input)."""

from __future__ import annotations

import argparse
import getpass
import json
import re
import sys
import tempfile
import threading
from pathlib import Path
from typing import TextIO

from .arguments import UsageError, api_source, run_id_arg
from .core.errors import TuiError
from .core.model import RunDetail
from .core.sources.base import Source
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


def check_types(types: list[str]) -> None:
    """Raises UsageError for a --type that no Skyvern artifact has, with the list of those known."""
    from .core.catalog import TYPES

    unknown = [t for t in types if t not in TYPES]
    if unknown:
        names = ", ".join(repr(t) for t in unknown)
        raise UsageError(f"unknown artifact type {names} (known: {', '.join(sorted(TYPES))})")


def writable_folder(dest: Path) -> list[Path]:
    """Make `dest` (and its missing parents) and prove a file can be written in it, before any
    download starts. Returns the folders it made (removed again if the download cannot start).
    Raises UsageError saying why not."""
    missing = [p for p in (dest, *dest.parents) if not p.exists()]
    try:
        dest.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=dest):
            pass
    except (FileExistsError, NotADirectoryError):
        _remove_empty(missing)
        raise UsageError(f"cannot save in {dest}: it is not a folder") from None
    except OSError as exc:
        _remove_empty(missing)
        raise UsageError(f"cannot save in {dest}: {exc.strerror or exc}") from None
    return missing


def _remove_empty(folders: list[Path]) -> None:
    for folder in folders:  # the deepest first; one with files in it stays, and so do its parents
        try:
            folder.rmdir()
        except OSError:
            continue


def run_command(command: str, args: argparse.Namespace) -> int:
    try:
        if command == "login":
            return login(args)
        if command == "report":
            return report(args)
        if command == "diff":
            return diff(args)
        run_id = run_id_arg(args.run_id)
        check_types(args.types)
        if command == "download" and args.workers < 1:
            raise UsageError(f"--workers takes a number of parallel downloads of 1 or more, not {args.workers}")
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

    made = writable_folder(args.dest)
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
    except TuiError:  # no such run, say: leave no empty folder behind
        _remove_empty([args.dest / "files", *made])
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


def _report_source(args: argparse.Namespace) -> tuple[Source, str]:
    """The source and run a report is about: the demo, a folder (as the app opens them: a wrong
    folder or run is a usage error), or the server."""
    from .core.errors import SourceError
    from .core.sources.demo import demo_source
    from .core.sources.local import LocalSource

    if args.demo and args.local is not None:
        raise UsageError("--demo and --local name two sources: give one")
    if args.demo or args.local is not None:
        try:
            source = demo_source() if args.demo else LocalSource(args.local)
            if args.run_id:
                run_id = run_id_arg(args.run_id)
                source.load_run(run_id)  # here, to say a wrong id as a usage error
                return source, run_id
            runs = source.list_runs()
        except SourceError as exc:
            raise UsageError(str(exc)) from exc
        if len(runs) != 1:
            where = "the demo" if args.demo else str(args.local)
            found = f"{len(runs)} runs ({', '.join(r.run_id for r in runs[:3])}{', …' if len(runs) > 3 else ''})"
            raise UsageError(f"{where} holds {found if runs else 'no Skyvern run'}: name the RUN_ID")
        return source, runs[0].run_id
    if not args.run_id:
        raise UsageError("report needs a RUN_ID (or --demo, or --local DIR of one run)")
    return _source(args), run_id_arg(args.run_id)


def report(args: argparse.Namespace) -> int:
    """The run's overview, as markdown or JSON, on standard output."""
    from .core.run_model.build import PARTS, RunModelBuilder
    from .core.run_model.model import RunModel
    from .core.run_model.report import markdown, redact, report_data, secrets_of

    source, run_id = _report_source(args)
    detail = source.load_run(run_id)
    interactive = sys.stderr.isatty()

    def progress(model: RunModel) -> None:
        part = next((p for p in PARTS if p in model.loading), None)
        if interactive and part is not None:
            print("\r", end="", file=sys.stderr)
            say(f"reading {part.label}…{' ' * 20}", sys.stderr, end="")

    try:
        model = RunModelBuilder(source).build(detail, progress)
    finally:
        if interactive:
            print("\r" + " " * 60 + "\r", end="", file=sys.stderr, flush=True)
    settings = getattr(source, "settings", None)
    secrets = secrets_of(detail.artifacts, getattr(settings, "api_key", None))
    text = json_text(report_data(model)) + "\n" if args.format == "json" else markdown(model)
    say(redact(text, secrets), end="")
    return 0


def _diff_side(text: str, sources: list[Source]) -> tuple[Source, str, RunDetail]:
    """Where one side of `diff` is: `demo`, a folder of one run, or an id in the given sources."""
    from .core.errors import RunNotFound, SourceError
    from .core.sources.demo import demo_source
    from .core.sources.local import LocalSource

    if text == "demo":
        demo = demo_source()
        run_id = demo.list_runs()[0].run_id
        return demo, run_id, demo.load_run(run_id)
    if Path(text).is_dir():
        try:
            folder = LocalSource(Path(text))
            runs = folder.list_runs()
        except SourceError as exc:
            raise UsageError(str(exc)) from exc
        if len(runs) != 1:
            raise UsageError(f"{text} holds {len(runs) or 'no'} Skyvern run{'s' if len(runs) != 1 else ''}: "
                             "name one by its id (with --local)")
        return folder, runs[0].run_id, folder.load_run(runs[0].run_id)
    run_id = run_id_arg(text)
    for source in sources:
        try:
            detail = source.load_run(run_id)
        except RunNotFound:
            continue
        except SourceError:
            if is_local(source):  # a folder that cannot read it: look on
                continue
            raise
        return source, run_id, detail
    where = ", ".join(s.label for s in sources) or "no source (give --local DIR, --demo or an API key)"
    raise UsageError(f"no run {run_id} in {where}")


def is_local(source: Source) -> bool:
    from .core.sources.local import LocalSource

    return isinstance(source, LocalSource)


def diff(args: argparse.Namespace) -> int:
    """Two runs compared step by step: a table (or JSON) and a summary; 0 alike, 1 different."""
    from .config import ConfigError
    from .core.compare.runs import diff_data, load_side, text_table
    from .core.errors import SourceError
    from .core.sources.demo import demo_source
    from .core.sources.local import LocalSource

    sources: list[Source] = []
    try:
        sources += [LocalSource(folder) for folder in args.local]
    except SourceError as exc:
        raise UsageError(str(exc)) from exc
    if args.demo:
        sources.append(demo_source())
    try:
        api = api_source(args)
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc
    if api is not None:
        sources.append(api)
    sides = [_diff_side(text, sources) for text in (args.run_a, args.run_b)]
    left, right = (load_side(source, run_id, detail=detail) for source, run_id, detail in sides)
    from .core.compare.runs import compare_runs

    result = compare_runs(left, right)
    if args.format == "json":
        say(json_text(diff_data(result)))
    else:
        for line in text_table(result):
            say(line)
        say(result.summary())
    return 0 if result.same else 1


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




"""Runs on this machine's disk.

Two layouts are read, alone or mixed in one folder:

* a downloaded run (also the demo): `run.json`, `artifacts.json` (as the API returns them),
  optional `steps.json`, `actions.json` and `timeline.json`, and
  `files/{artifact_id}_{artifact_type}.{ext}`;
* a self-hosted Skyvern server's ARTIFACT_STORAGE_PATH, as Skyvern writes it:
    {org}/{task}/{order:02d}_{retry}_{step}/{ts}_{artifact_id}_{type}.{ext}   (older: no {org})
    logs/{step|task|workflow_run|workflow_run_block|task_v2}/{id}/{ts}_{type}.{ext}
    {ENV}/{org}/workflow_runs/{wr}/{wrb}/{ts}_{artifact_id}_{type}.{ext}
    {ENV}/{org}/observers/{tsk_v2}/..., {ENV}/{org}/tasks/{tsk_v2}/{thought}/...
    {ENV}/{org}/scripts/{script_id}/{version}/{path}
    downloads/{ENV}/{org}/{run}/{file}   (what the run's browser downloaded: type `download`)
  There is no database here, so ids, types and times come from the file names; the status,
  failure reason, run type, browser session and goal from what the run recorded (its log's end
  and first lines, its first prompt: see tui/core/recorded.py), read bounded, once per listing.
  What ties the folders into the runs the API lists: a step's logs with no step folder go to
  the task its log names; a task to the workflow run its logs name (or that names it); a
  workflow run to the task v2 its log names; where no file says, time alone, when it is
  unambiguous, and the run notes it (LocalSource.notes). A workflow run's timeline (blocks,
  loop iterations, thoughts) is rebuilt from its log: tree_timeline.py.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ..bundles import BundleReader
from ..catalog import ARCHIVE_TYPES, member_name
from ..errors import ArtifactUnavailable, ParseError, RunNotFound, SourceError
from ..formats.jsonload import load_json
from ..formats.zipread import open_zip
from ..model import Artifact, Run, RunDetail, Step, id_time, name_stamp
from ..recorded import LOG_TAIL, PROMPT_HEAD, Ending, endings, final_ending, prompt_goal, whole_lines
from ..textsafe import visible_controls
from ..confined import Confined, Refused
from . import tree_timeline
from .tree_timeline import BlockScan, Thought, id_number

RUN_FILE = "run.json"
ARTIFACTS_FILE = "artifacts.json"
STEPS_FILE = "steps.json"
ACTIONS_FILE = "actions.json"  # the actions API's items, task by task
TIMELINE_FILE = "timeline.json"  # a workflow run's blocks (GET /v1/runs/{id}/timeline)
FILES_DIR = "files"

_STEP_DIR = re.compile(r"^(\d+)_(\d+)_(stp_[A-Za-z0-9]+)$")
_ARTIFACT_ID = re.compile(r"^(a_[A-Za-z0-9]+)_(.+)$")
_NO_TIME = datetime.min.replace(tzinfo=timezone.utc)
_SAFE_ID = re.compile(r"^[A-Za-z0-9_.\-]+$")

# Of two files with one artifact id, the one with this extension is the artifact.
PREFERRED_EXTS = frozenset({"mp4"})
# A generated script's files: main.py and blocks/{label}.skyvern (Python text, Skyvern 1.0.56).
SCRIPT_EXTS = frozenset({"py", "skyvern"})
# The run's own lists (run.json, artifacts.json, ...) are small: one past this is not read.
LIST_LIMIT = 64 << 20
# An artifact's file is read whole up to this size (a sparse file can claim a terabyte).
FILE_LIMIT = 1 << 30


@dataclass(frozen=True)
class ParsedName:
    """What a Skyvern artifact file name says."""

    created_at: datetime | None
    artifact_id: str | None
    artifact_type: str
    ext: str


def parse_file_name(name: str) -> ParsedName | None:
    """`{ts}_{artifact_id}_{type}.{ext}` or `{ts}_{type}.{ext}`; None when it is neither."""
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    found = name_stamp(stem)
    if found is None:
        return None
    created, rest = found
    artifact_id = None
    id_match = _ARTIFACT_ID.match(rest)
    if id_match:
        artifact_id, rest = id_match.groups()
    return ParsedName(created, artifact_id, rest, ext.lower())


def _is_dir(path: Path) -> bool:
    """A folder that is not a link: a tree is never walked through a link (out of it, or round
    in a loop)."""
    try:
        return path.is_dir() and not path.is_symlink()
    except OSError:
        return False


def _children(path: Path) -> list[Path]:
    try:
        return sorted(p for p in path.iterdir())
    except OSError:
        return []


def _files_below(path: Path) -> Iterator[Path]:
    """Every file below `path`, and every folder named as Skyvern names a file (listed, so that
    its viewer says what it is). Links to folders are not followed (os.walk's default)."""
    for dirpath, dirs, files in os.walk(path):
        named = [d for d in dirs if parse_file_name(d) is not None]
        dirs[:] = sorted(d for d in dirs if d not in named)
        for name in sorted(files + named):
            yield Path(dirpath) / name


def _read_json(path: Path, confined: Confined) -> object:
    try:
        return load_json(confined.read(path, LIST_LIMIT), str(path), SourceError)
    except FileNotFoundError:
        raise
    except Refused as exc:
        raise SourceError(f"cannot read {path}: {exc.reason}") from exc
    except (OSError, ValueError) as exc:
        raise SourceError(f"cannot read {path}: {exc}") from exc


@dataclass
class _TreeRun:
    """A run assembled from the files of a storage tree."""

    run_id: str
    run_type: str
    confined: Confined
    artifacts: list[Artifact] = field(default_factory=list)
    steps: dict[str, Step] = field(default_factory=dict)
    # Files listed but not read (a FIFO, a link out of the folder...): artifact id -> why.
    refused: dict[str, str] = field(default_factory=dict)
    # A task v2's workflow run (its blocks' run), once joined to it.
    workflow_run_id: str | None = None
    # Tasks listed under this run because only time ties them to it (see _join_workflow_tasks).
    tied_by_time: list[str] = field(default_factory=list)
    # What the person reading the run should know of how it was put together.
    notes: list[str] = field(default_factory=list)
    _facts: RecordedFacts | None = None
    _scan: BlockScan | None = None

    @property
    def facts(self) -> RecordedFacts:
        if self._facts is None:
            self._facts = recorded_facts(self)
        return self._facts

    def own_log(self) -> Artifact | None:
        """The workflow run's own skyvern_log (logs/workflow_run/{wr}/)."""
        for artifact in self.artifacts:
            if (artifact.artifact_type == "skyvern_log" and artifact.path is not None and not artifact.bundle_key
                    and artifact.step_id is None and artifact.path.parent.parent.name == "workflow_run"):
                return artifact
        return None

    @property
    def block_scan(self) -> BlockScan | None:
        """What the workflow run's own log says of its blocks (read once, streaming, bounded)."""
        if self._scan is None:
            log = self.own_log()
            if log is None or log.path is None:
                return None
            try:
                with self.confined.open(log.path) as handle:
                    self._scan = tree_timeline.scan_log(handle)
            except OSError:
                return None
        return self._scan

    def window(self) -> tuple[datetime, datetime] | None:
        """When the run ran, as far as its files say: from the second its id was made (or its
        first capture) to its log's last line or its last capture, whichever is later."""
        # Not a download or an unnamed file: their time is the file's, which a copy can change.
        times = [t for t in (a.captured_at for a in self.artifacts if a.artifact_type not in ("download", "file")) if t]
        made = id_time(self.run_id.rsplit("/", 1)[0])
        scan = self.block_scan if self.run_id.startswith("wr_") else None
        if scan is not None:
            times += [t for t in (scan.first, scan.last) if t]
        if made is not None:
            times.append(made)
        if not times:
            return None
        # Ids and captures are to the second at worst: the window is whole seconds.
        start = min(times).replace(microsecond=0)
        return start, max(times).replace(microsecond=0) + timedelta(seconds=1)

    def drop_duplicates(self) -> None:
        """One file per artifact id. Skyvern transcodes a recording to mp4 and leaves the webm
        beside it under the same id; the API lists the mp4 only."""
        chosen: dict[str, Artifact] = {}
        for artifact in self.artifacts:
            kept = chosen.get(artifact.artifact_id)
            if kept is None or (artifact.ext in PREFERRED_EXTS and kept.ext not in PREFERRED_EXTS):
                chosen[artifact.artifact_id] = artifact
        self.artifacts = list(chosen.values())

    def add_file(self, path: Path, script_id: str | None = None, artifact_type: str | None = None,
                 **ids: Any) -> None:  # task_id, step_id, ... (str | None)
        """One file of the run. A file that is not read (see confined.py) is listed all the
        same, without a path: opening it says why. `artifact_type` names a file Skyvern did not
        name (a download keeps the name the browser gave it)."""
        refusal = self.confined.refusal(path)
        parsed = parse_file_name(path.name)
        if parsed is None and artifact_type is not None:
            parsed = ParsedName(None if refusal else _mtime(path), None, artifact_type, path.suffix.lstrip(".").lower())
        elif parsed is None:
            # Not named by Skyvern (a generated script's own files): keep it as a file.
            ext = path.suffix.lstrip(".").lower()
            if script_id is not None:
                # When its script was made (its id says), not when the file was last copied.
                parsed = ParsedName(id_time(script_id), None, "script_file" if ext in SCRIPT_EXTS else "file", ext)
            else:
                parsed = ParsedName(None if refusal else _mtime(path), None, "file", ext)
        relative = path.relative_to(self.confined.root).as_posix()
        real = None if refusal else os.path.realpath(path)
        archive = Artifact(
            # Log files carry no artifact id in their name: their path stands in for it.
            artifact_id=parsed.artifact_id or relative,
            artifact_type=parsed.artifact_type,
            created_at=parsed.created_at,
            run_id=self.run_id,
            uri=Path(real or os.path.abspath(path)).as_uri(),
            file_size=None if refusal else _size(path),
            path=None if refusal else path,
            **ids,
        )
        self.artifacts.append(archive)
        if refusal:
            self.refused[archive.artifact_id] = refusal
        elif archive.artifact_type in ARCHIVE_TYPES:
            self.artifacts += archive_members(archive, self.confined)


def archive_members(archive: Artifact, confined: Confined) -> list[Artifact]:
    """The members of a step or task archive on disk, as the artifacts the API lists for them
    (bundling on: ARTIFACT_CONTENT_HMAC_KEYRING set; the archive's directory stands in for the
    database's member rows):
    the archive's step and time, the type and LLM call from the member's name. Their ids are
    made up (`{archive id}/{member}`): only the database knows the real ones. An unreadable
    archive lists no members; it stays listed itself, and opening it says what is wrong."""
    assert archive.path is not None
    try:
        with confined.open(archive.path) as file, open_zip(file, f"{archive.artifact_type} {archive.artifact_id}") as handle:
            infos = [i for i in handle.infolist() if not i.is_dir()]
    except (ParseError, OSError):
        return []
    members = []
    for info in infos:
        named = member_name(info.filename)
        members.append(replace(
            archive,
            artifact_id=f"{archive.artifact_id}/{info.filename}",
            artifact_type=named.artifact_type,
            bundle_key=info.filename,
            file_size=info.file_size,
            raw={},
        ))
    return members


_SCRIPT_WRITE = b"script_block_dedup_miss"
_SCRIPT_ID_IN_LOG = re.compile(rb'\bscript_id="(s_[A-Za-z0-9]+)"')


def _scripts_written(run: _TreeRun) -> dict[str, bytes]:
    """The scripts the run's own logs say it wrote blocks of, with the stamp of the first line
    that says so. Script generation ends a run: the end of its log is read (bounded)."""
    found: dict[str, bytes] = {}
    for artifact in run.artifacts:
        if (artifact.artifact_type != "skyvern_log" or artifact.path is None or artifact.bundle_key
                or artifact.step_id is not None or artifact.workflow_run_block_id is not None):
            continue
        for line in _read_tail(artifact.path, run.confined).split(b"\n"):
            if _SCRIPT_WRITE in line:
                match = _SCRIPT_ID_IN_LOG.search(line)
                if match:
                    found.setdefault(match.group(1).decode(), line.split(b" ", 1)[0])
    return found


_WORKFLOW_RUN_IN_LOG = re.compile(rb'workflow_run_id[="\': ]+(wr_[A-Za-z0-9]+)')
_TASK_IN_LOG = re.compile(rb'(?<![A-Za-z0-9_])task_id[="\': ]+(tsk_(?!v2_)[A-Za-z0-9]+)')
_TASK_V2_IN_LOG = re.compile(rb'task_v2_id[="\': ]+(tsk_v2_[A-Za-z0-9]+)')
_BROWSER_SESSION_IN_LOG = re.compile(rb'browser_session_id[="\': ]+(pbs_[A-Za-z0-9]+)')
LOG_PEEK = 64 * 1024


def _logs_of(run: _TreeRun) -> list[Artifact]:
    return [a for a in run.artifacts
            if a.artifact_type in ("skyvern_log", "skyvern_log_raw") and a.path is not None and not a.bundle_key]


def _has_logs(run: _TreeRun) -> bool:
    """Any log, read or not (a log that is refused is still the run's own)."""
    return any(a.artifact_type in ("skyvern_log", "skyvern_log_raw") for a in run.artifacts)


def _named_in_logs(run: _TreeRun, pattern: re.Pattern[bytes], logs: list[Artifact] | None = None) -> str | None:
    """The first id `pattern` finds in the first kilobytes of the run's logs, if any."""
    for artifact in _logs_of(run) if logs is None else logs:
        assert artifact.path is not None
        try:
            with run.confined.open(artifact.path) as handle:
                match = pattern.search(handle.read(LOG_PEEK))
        except OSError:
            continue
        if match:
            return match.group(1).decode()
    return None


Window = tuple[datetime, datetime]


def _windows(runs: dict[str, _TreeRun]) -> dict[str, Window]:
    """Each run's window (not a script's, nor a loose step's), once for a pass of ties."""
    found = {}
    for run in runs.values():
        window = run.window() if run.run_type not in ("script", "step") else None
        if window is not None:
            found[run.run_id] = window
    return found


def _only_window_holding(windows: dict[str, Window], candidate: str, moment: datetime | None) -> str | None:
    """The one run (not `candidate`) whose window holds `moment`; None when no run's does, or
    several do."""
    if moment is None:
        return None
    holding = [r for r, (start, end) in windows.items() if r != candidate and start <= moment < end]
    return holding[0] if len(holding) == 1 else None


def _move_task(runs: dict[str, _TreeRun], task: _TreeRun, workflow_run_id: str) -> None:
    owner = runs.setdefault(workflow_run_id, _TreeRun(workflow_run_id, "workflow_run", task.confined))
    owner.artifacts += [replace(a, workflow_run_id=workflow_run_id, run_id=workflow_run_id) for a in task.artifacts]
    owner.steps.update(task.steps)
    owner.refused.update(task.refused)
    owner.notes += task.notes
    del runs[task.run_id]


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def _mtime(path: Path) -> datetime | None:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime).astimezone()
    except (OSError, ValueError, OverflowError):
        return None


class StorageTree:
    """Reads an ARTIFACT_STORAGE_PATH folder into runs."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.confined = Confined(root, "the artifact folder")

    def _run(self, runs: dict[str, _TreeRun], run_id: str, run_type: str) -> _TreeRun:
        return runs.setdefault(run_id, _TreeRun(run_id, run_type, self.confined))

    def runs(self) -> dict[str, _TreeRun]:
        runs: dict[str, _TreeRun] = {}
        step_owner: dict[str, str] = {}  # step id -> task id
        block_owner: dict[str, str] = {}  # workflow run block id -> workflow run id
        for child in _children(self.root):
            if not _is_dir(child) or child.name == "logs":
                continue
            if child.name.startswith("tsk_"):
                self._task(child, runs, step_owner)
            elif child.name.startswith("o_"):
                for task_dir in _children(child):
                    if task_dir.name.startswith("tsk_") and _is_dir(task_dir):
                        self._task(task_dir, runs, step_owner)
            elif child.name == "downloads":
                self._downloads(child, runs)
            elif not (child / RUN_FILE).exists():
                # An ENV folder ("local" by default) holding {org}/workflow_runs, observers, ...
                for org in _children(child):
                    if _is_dir(org):
                        self._env_org(org, runs, block_owner)
        self._logs(runs, step_owner, block_owner)
        for run in runs.values():
            run.drop_duplicates()
        self._join_steps(runs)
        self._join_workflow_tasks(runs)
        self._join_scripts(runs)
        self._join_task_v2(runs)
        return {k: v for k, v in runs.items() if v.artifacts}

    def _downloads(self, folder: Path, runs: dict[str, _TreeRun]) -> None:
        """`downloads/{ENV}/{org}/{run}/...`: the files a run's browser downloaded (Skyvern
        1.0.56's managed files). The API lists each as a `download` of the run, with no task or
        step (`GET /v1/artifacts/{id}`; the run's `downloaded_files`)."""
        for env in _children(folder):
            for org in _children(env) if _is_dir(env) else []:
                for run_dir in _children(org) if _is_dir(org) else []:
                    if not _is_dir(run_dir) or not run_dir.name.startswith(("tsk_", "wr_")):
                        continue
                    run_type = "workflow_run" if run_dir.name.startswith("wr_") else "task"
                    run = self._run(runs, run_dir.name, run_type)
                    for path in _files_below(run_dir):
                        run.add_file(path, artifact_type="download")

    @staticmethod
    def _join_scripts(runs: dict[str, _TreeRun]) -> None:
        """Move each generated script's folder (`scripts/{s_id}/{version}`) into the run that
        wrote it, as the API lists its files; a script whose run cannot be told is no run at
        all (it was listed as one, dated by its files' copy time).

        Only the run's own log says so: Skyvern 1.0.56 logs `script_block_dedup_miss ...
        script_id="s_..."` for each block it writes into a new script version. Versions are
        numbered in the order runs wrote them: when one run alone wrote a script, every version
        is that run's (a run can write several: a workflow run's loop and the blocks after it);
        when as many runs wrote a script as it has versions, the n-th writer made the n-th
        version; otherwise which run made which version cannot be told, and none is claimed.
        """
        scripts: dict[str, list[_TreeRun]] = {}
        for run in [r for r in runs.values() if r.run_type == "script"]:
            del runs[run.run_id]
            scripts.setdefault(run.run_id.split("/", 1)[0], []).append(run)
        writers: dict[str, list[tuple[bytes, str]]] = {}  # script id -> (first write's stamp, run id)
        for run in runs.values():
            for script_id, stamp in _scripts_written(run).items():
                writers.setdefault(script_id, []).append((stamp, run.run_id))
        for script_id, versions in scripts.items():
            written_by = sorted(writers.get(script_id, []))
            if len(written_by) == 1:
                written_by *= len(versions)
            if len(written_by) != len(versions):
                continue
            versions.sort(key=lambda v: int(v.run_id.rsplit("/", 1)[-1]) if v.run_id.rsplit("/", 1)[-1].isdigit() else -1)
            for version, (_stamp, owner_id) in zip(versions, written_by, strict=True):
                owner = runs[owner_id]
                workflow_run_id = owner_id if owner.run_type == "workflow_run" else None
                owner.artifacts += [replace(a, run_id=owner_id, workflow_run_id=workflow_run_id) for a in version.artifacts]
                owner.refused.update(version.refused)

    @staticmethod
    def _join_workflow_tasks(runs: dict[str, _TreeRun]) -> None:
        """Move the tasks of a workflow run into it, as the API lists them.

        What says so, first: the task's own logs (ENABLE_LOG_ARTIFACTS) name its workflow run,
        or the workflow run's log says it made the task ("Created a new task for workflow
        run"). A task neither says anything of (a code block's: only a HAR and a console log,
        no logs) is tied by time alone: when exactly one run's window holds the second the task
        was made, and that run is a workflow run; the run notes it. Otherwise the task stays a
        run of its own.
        """
        for task in [r for r in runs.values() if r.run_type == "task"]:
            workflow_run_id = _named_in_logs(task, _WORKFLOW_RUN_IN_LOG)
            if workflow_run_id is not None:
                _move_task(runs, task, workflow_run_id)
        # A task whose logs name no workflow run is one of its own (1.0.56 names it in every
        # line of a workflow's task), unless it has no logs: only then are workflow logs read.
        left = [r for r in runs.values() if r.run_type == "task" and not _has_logs(r)]
        if not left:
            return
        made_by = {t: r.run_id for r in runs.values() if r.run_type == "workflow_run" and r.block_scan
                   for t in r.block_scan.tasks}
        for task in left:
            if task.run_id in made_by:
                _move_task(runs, task, made_by[task.run_id])
        left = [r for r in left if r.run_id in runs]
        windows = _windows(runs) if left else {}
        for task in left:
            holder = _only_window_holding(windows, task.run_id, id_time(task.run_id))
            if holder is not None and runs[holder].run_type == "workflow_run":
                _move_task(runs, task, holder)
                windows.pop(task.run_id, None)  # now part of the workflow run's
                runs[holder].tied_by_time.append(task.run_id)
                runs[holder].notes.append(
                    f"Task {task.run_id} has no logs and no log names it: it is listed here because it was "
                    "made while this workflow run ran, and while no other run did (tied by time).")

    @staticmethod
    def _join_steps(runs: dict[str, _TreeRun]) -> None:
        """A step's logs with no folder under a task (a step that wrote nothing else: its run
        was canceled or cut short as it began) belong to the task its log names; when the log
        names none (Skyvern can leave it empty), to the one run whose window holds the second
        the step was made, noted as tied by time. Its order is its place among the task's steps
        by id (ids grow with time); the database alone knows its retry index."""
        steps = [r for r in runs.values() if r.run_type == "step"]
        windows = _windows(runs) if steps else {}
        for step in steps:
            task_id = _named_in_logs(step, _TASK_IN_LOG)
            by_time = task_id is None
            if task_id is None:
                task_id = _only_window_holding(windows, step.run_id, id_time(step.run_id))
            if task_id is None or not task_id.startswith("tsk_") or task_id.startswith("tsk_v2_"):
                step.run_type = "task"  # as it was: a run of its own
                continue
            owner = runs.setdefault(task_id, _TreeRun(task_id, "task", step.confined))
            owner.artifacts += [replace(a, task_id=task_id, run_id=task_id) for a in step.artifacts]
            owner.refused.update(step.refused)
            number = id_number(step.run_id) or 0
            order = sum(1 for s in owner.steps.values() if (id_number(s.step_id) or 0) < number)
            owner.steps[step.run_id] = Step(step.run_id, task_id, order, 0, None, id_time(step.run_id))
            if by_time:
                owner.notes.append(f"Step {step.run_id} has logs only, and they name no task: it is listed under "
                                   "this task because it was made while the task ran (tied by time).")
            del runs[step.run_id]

    @staticmethod
    def _join_task_v2(runs: dict[str, _TreeRun]) -> None:
        """A task v2 runs as a workflow run: the workflow run's own log names it
        (`task_v2_id="tsk_v2_..."`), and the API lists the workflow run's artifacts (its blocks'
        tasks) as the task v2's, each with the workflow run's id."""
        for workflow_run in [r for r in runs.values() if r.run_type == "workflow_run"]:
            log = workflow_run.own_log()
            task_v2_id = _named_in_logs(workflow_run, _TASK_V2_IN_LOG, [log] if log else [])
            if task_v2_id is None:
                continue
            owner = runs.setdefault(task_v2_id, _TreeRun(task_v2_id, "task_v2", workflow_run.confined))
            wr_id = workflow_run.run_id
            owner.artifacts = [replace(a, workflow_run_id=wr_id) for a in owner.artifacts]
            owner.artifacts += [replace(a, run_id=task_v2_id) for a in workflow_run.artifacts]
            owner.steps.update(workflow_run.steps)
            owner.refused.update(workflow_run.refused)
            owner.tied_by_time += workflow_run.tied_by_time
            owner.notes += workflow_run.notes
            owner.workflow_run_id, owner._scan = wr_id, workflow_run._scan
            del runs[wr_id]

    def _task(self, task_dir: Path, runs: dict[str, _TreeRun], step_owner: dict[str, str]) -> None:
        task_id = task_dir.name
        run = self._run(runs, task_id, "task")
        for step_dir in _children(task_dir):
            match = _STEP_DIR.match(step_dir.name)
            if not match or not _is_dir(step_dir):
                continue
            order, retry, step_id = int(match[1]), int(match[2]), match[3]
            step_owner[step_id] = task_id
            first = len(run.artifacts)
            for path in _files_below(step_dir):
                run.add_file(path, task_id=task_id, step_id=step_id)
            times = [a.created_at for a in run.artifacts[first:] if a.created_at]
            run.steps[step_id] = Step(step_id, task_id, order, retry, None, min(times, default=None))

    def _env_org(self, org: Path, runs: dict[str, _TreeRun], block_owner: dict[str, str]) -> None:
        for wr_dir in _children(org / "workflow_runs"):
            if not wr_dir.name.startswith("wr_"):
                continue
            if not _is_dir(wr_dir):
                continue
            run = self._run(runs, wr_dir.name, "workflow_run")
            for block in _children(wr_dir):
                if _is_dir(block):
                    block_owner[block.name] = wr_dir.name
                    for path in _files_below(block):
                        run.add_file(path, workflow_run_id=wr_dir.name, workflow_run_block_id=block.name)
                else:
                    run.add_file(block, workflow_run_id=wr_dir.name)
        # Task v2: the observer folder and its thoughts under tasks/{tsk_v2}/{ot}/.
        # The observer's own calls carry its id (the cruise); a thought's, the thought's too.
        for folder in ("observers", "tasks"):
            for v2_dir in _children(org / folder):
                if _is_dir(v2_dir) and v2_dir.name.startswith("tsk_"):
                    run = self._run(runs, v2_dir.name, "task_v2")
                    for path in _files_below(v2_dir):
                        first = path.relative_to(v2_dir).parts[0]
                        thought_id = first if folder == "tasks" and first.startswith("ot_") and first != path.name else None
                        run.add_file(path, observer_cruise_id=v2_dir.name, observer_thought_id=thought_id)
        for script_dir in _children(org / "scripts"):
            if not _is_dir(script_dir):
                continue
            for version in _children(script_dir):
                if _is_dir(version):
                    run_id = f"{script_dir.name}/{version.name}"
                    run = self._run(runs, run_id, "script")
                    for path in _files_below(version):
                        run.add_file(path, script_id=script_dir.name)

    def _logs(
        self, runs: dict[str, _TreeRun], step_owner: dict[str, str], block_owner: dict[str, str]
    ) -> None:
        for entity_dir in _children(self.root / "logs"):
            for id_dir in _children(entity_dir):
                entity, entity_id = entity_dir.name, id_dir.name
                ids: dict[str, str | None] = {}
                run_type = "workflow_run" if entity_id.startswith("wr_") else "task"
                if entity == "step":
                    owner = step_owner.get(entity_id, entity_id)
                    ids = {"task_id": step_owner.get(entity_id), "step_id": entity_id}
                    run_type = "task" if entity_id in step_owner else "step"  # "step": tied in _join_steps
                elif entity == "workflow_run_block":
                    owner = block_owner.get(entity_id, entity_id)
                    ids = {"workflow_run_block_id": entity_id}
                    run_type = "workflow_run"
                else:  # task, workflow_run, task_v2: the id is the run's own
                    owner = entity_id
                if not _is_dir(id_dir):
                    continue
                if owner.startswith("tsk_v2_"):
                    run_type = "task_v2"
                run = self._run(runs, owner, run_type)
                for path in _files_below(id_dir):
                    run.add_file(path, **ids)


@dataclass(frozen=True)
class RecordedFacts:
    """What a storage-tree run's files say of it; None where they do not say."""

    status: str | None = None
    failure_reason: str | None = None
    ended_at: datetime | None = None
    goal: str | None = None
    run_type: str | None = None  # a task's, as its end's line logs it (`task_run_type`)
    browser_session_id: str | None = None  # the persistent browser session its logs name


_READ_ERRORS = (OSError, ValueError, EOFError, RuntimeError, NotImplementedError, zlib.error, zipfile.BadZipFile)


def _read_tail(path: Path, confined: Confined) -> bytes:
    """The whole lines of a log's last LOG_TAIL bytes."""
    try:
        with confined.open(path) as handle:
            start = max(0, handle.seek(0, os.SEEK_END) - LOG_TAIL)
            handle.seek(start)
            return whole_lines(handle.read(LOG_TAIL), cut=start > 0)
    except OSError:
        return b""


def _read_head(artifact: Artifact, confined: Confined) -> bytes:
    """The first PROMPT_HEAD bytes of a file, or of a bundled member (its path is the archive)."""
    assert artifact.path is not None
    try:
        with confined.open(artifact.path) as handle:
            if not artifact.bundle_key:
                return bytes(handle.read(PROMPT_HEAD))
            with zipfile.ZipFile(handle) as archive, archive.open(artifact.bundle_key) as member:
                return bytes(member.read(PROMPT_HEAD))
    except (KeyError, *_READ_ERRORS):
        return b""


def _ending(tree_run: _TreeRun) -> Ending | None:
    """The end the run's logs state: the run's own log (task, workflow_run) first, then its step
    logs, newest first; a task's end is in the newest log that has one (Skyvern's step logs
    repeat the task's lines so far), so reading stops there."""
    logs = [a for a in tree_run.artifacts if a.artifact_type == "skyvern_log" and a.path is not None and not a.bundle_key]
    own = [a for a in logs if a.step_id is None and a.workflow_run_block_id is None]
    rest = sorted((a for a in logs if a not in own), key=lambda a: (a.created_at is not None, a.created_at), reverse=True)
    workflow_run = tree_run.run_type in ("workflow_run", "task_v2")  # a task v2 ends as its workflow run
    found: list[Ending] = []
    for artifact in own + rest:
        assert artifact.path is not None
        found += endings(_read_tail(artifact.path, tree_run.confined))
        ending = final_ending(found, workflow_run)
        if ending is not None and (not workflow_run or ending.scope == "workflow_run" or artifact not in own):
            return ending
    return final_ending(found, workflow_run)


def _goal(tree_run: _TreeRun) -> str | None:
    prompts = [a for a in tree_run.artifacts if a.artifact_type == "llm_prompt" and a.path is not None]
    prompts.sort(key=lambda a: (a.created_at or _NO_TIME, a.call_index or 0, a.artifact_id))
    for artifact in prompts[:3]:  # the first prompt states it; a run's others repeat it
        goal = prompt_goal(_read_head(artifact, tree_run.confined))
        if goal:
            return goal
    return None


SESSION_LOGS = 3  # logs looked at for a browser session: a task's step logs repeat its first lines


def _browser_session(tree_run: _TreeRun) -> str | None:
    """The persistent browser session (`pbs_…`) the run's first logs name: Skyvern logs "Begin
    browser session browser_session_id=…" as a task in a session starts (no artifact row says)."""
    logs = sorted(_logs_of(tree_run), key=lambda a: (a.created_at or _NO_TIME, a.artifact_id))
    return _named_in_logs(tree_run, _BROWSER_SESSION_IN_LOG, logs[:SESSION_LOGS])


def recorded_facts(tree_run: _TreeRun) -> RecordedFacts:
    ending = _ending(tree_run)
    session = _browser_session(tree_run)
    if ending is None:
        return RecordedFacts(goal=_goal(tree_run), browser_session_id=session)
    run_type = ending.run_type if ending.scope == "task" else None
    return RecordedFacts(ending.status, ending.failure_reason, ending.at, _goal(tree_run), run_type, session)


def _thoughts(tree_run: _TreeRun) -> list[Thought]:
    """A task v2's thoughts: the folders of its observer's calls (tasks/{tsk_v2}/{ot}/), dated by
    their files."""
    times: dict[str, list[datetime]] = {}
    for artifact in tree_run.artifacts:
        if artifact.observer_thought_id:
            found = times.setdefault(artifact.observer_thought_id, [])
            if artifact.created_at is not None:
                found.append(artifact.created_at)
    return [Thought(t, min(v, default=None), max(v, default=None)) for t, v in times.items()]


def _timeline(tree_run: _TreeRun) -> list[dict[str, Any]]:
    """A workflow run's or task v2's timeline, in the API's shape, from its log and folders."""
    if tree_run.run_type not in ("workflow_run", "task_v2"):
        return []
    scan = tree_run.block_scan
    if scan is not None:
        tree_timeline.match_folders(scan, {a.workflow_run_block_id for a in tree_run.artifacts if a.workflow_run_block_id})
        for task_id in tree_run.tied_by_time:
            tree_timeline.place_task(scan, task_id, how="time")
    workflow_run_id = tree_run.workflow_run_id or (tree_run.run_id if tree_run.run_type == "workflow_run" else None)
    task_v2_id = tree_run.run_id if tree_run.run_type == "task_v2" else None
    return tree_timeline.timeline(scan, _thoughts(tree_run), workflow_run_id, task_v2_id)


def _tree_run_model(tree_run: _TreeRun, label: str) -> Run:
    times = [t for t in (a.captured_at for a in tree_run.artifacts) if t]
    facts = tree_run.facts
    # A task's type as its log says (task_v1, task_v3, ...); "task" when it does not say.
    run_type = facts.run_type if tree_run.run_type == "task" and facts.run_type else tree_run.run_type
    return Run(
        run_id=tree_run.run_id,
        run_type=run_type,
        # From the files: when the first artifact was captured, and the end the log states
        # (else when the last artifact was captured).
        status=facts.status,
        title=facts.goal,
        failure_reason=facts.failure_reason,
        status_from="log" if facts.status else "",
        created_at=min(times, default=None),
        started_at=min(times, default=None),
        finished_at=facts.ended_at or max(times, default=None),
        step_count=len(tree_run.steps) or None,
        artifact_count=len(tree_run.artifacts),
        source=label,
        browser_session_id=facts.browser_session_id,
    )


class DownloadedRun:
    """One run saved as run.json + artifacts.json + files/ (the demo, or a download)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.confined = Confined(folder, "the run's folder")

    def _json(self, name: str) -> object:
        return _read_json(self.folder / name, self.confined)

    def _entries(self) -> list[dict]:
        data = self._json(ARTIFACTS_FILE) if os.path.lexists(self.folder / ARTIFACTS_FILE) else []
        if not isinstance(data, list):
            raise SourceError(f"{self.folder / ARTIFACTS_FILE} is not a JSON list of artifacts")
        return [d for d in data if isinstance(d, dict)]

    def run(self, label: str) -> Run:
        data = self._json(RUN_FILE)
        if not isinstance(data, dict):
            raise SourceError(f"{self.folder / RUN_FILE} is not a JSON object")
        return Run.from_api(data, artifact_count=len(self._entries()), source=label)

    def file_for(self, entry: dict) -> Path | None:
        return self.find_file(entry)[0]

    def find_file(self, entry: dict) -> tuple[Path | None, str | None]:
        """The file saved for an entry, or None and why a file saved for it is not read (None
        when it has none)."""
        artifact_id = str(entry.get("artifact_id") or "")
        artifact_type = str(entry.get("artifact_type") or "")
        if not _SAFE_ID.match(artifact_id) or not _SAFE_ID.match(artifact_type):
            return None, None
        files = self.folder / FILES_DIR
        bundle_key = entry.get("bundle_key")  # a member's own name; its uri is its archive's
        own_name = bundle_key if isinstance(bundle_key, str) and bundle_key else str(entry.get("uri") or "")
        uri_name = own_name.rsplit("/", 1)[-1]
        ext = uri_name.rsplit(".", 1)[-1] if "." in uri_name else "bin"
        expected = files / f"{artifact_id}_{artifact_type}.{ext}"
        first_refusal = None
        if os.path.lexists(expected):
            first_refusal = self.confined.refusal(expected)
            if first_refusal is None:
                return expected, None
            first_refusal = f"{expected.name} is {first_refusal}"
        # A file saved under another extension still belongs to its artifact.
        try:
            others = sorted(c for c in files.glob(f"{artifact_id}_*") if c != expected)
        except OSError:
            others = []
        for candidate in others:
            refusal = self.confined.refusal(candidate)
            if refusal is None:
                return candidate, None
            first_refusal = first_refusal or f"{candidate.name} is {refusal}"
        return None, first_refusal

    def _items(self, name: str) -> tuple[dict, ...]:
        """A list file beside the run (actions, timeline) that only adds to it: missing or
        unreadable, the run opens without it."""
        try:
            data = self._json(name)
        except (SourceError, FileNotFoundError):
            return ()
        return tuple(d for d in data if isinstance(d, dict)) if isinstance(data, list) else ()

    def detail(self, label: str) -> tuple[RunDetail, dict[tuple[str, str | None], str]]:
        """The run, and why each of its files that is not read is not (keyed as refusal_key)."""
        steps_data = self._json(STEPS_FILE) if os.path.lexists(self.folder / STEPS_FILE) else []
        steps = tuple(Step.from_api(s) for s in steps_data if isinstance(s, dict)) if isinstance(steps_data, list) else ()
        artifacts = []
        refused: dict[tuple[str, str | None], str] = {}
        for entry in self._entries():
            path, refusal = self.find_file(entry)
            artifact = Artifact.from_api(entry, path)
            artifacts.append(artifact)
            if refusal:
                refused[refusal_key(artifact)] = refusal
        detail = RunDetail(self.run(label), steps, tuple(artifacts), self._items(ACTIONS_FILE), self._items(TIMELINE_FILE))
        return detail, refused


def refusal_key(artifact: Artifact) -> tuple[str, str | None]:
    """What an artifact is known by in a source's refusals (its id alone is not unique when a
    folder holds several runs)."""
    return artifact.artifact_id, artifact.uri


class LocalSource:
    """Every run found in one folder: downloaded runs and/or a Skyvern storage tree.

    Every file is read through confined.py: a link out of the folder, a FIFO, a device is listed
    (a person debugging wants to see that it is there) and opening it says why it is not read."""

    def __init__(self, root: Path, label: str | None = None) -> None:
        self.root = Path(root).expanduser()
        self.label = visible_controls(label or str(self.root))  # a folder name can hold anything
        try:
            is_folder = self.root.is_dir()  # the root itself may be a link: the user chose it
        except OSError:
            is_folder = False
        if not is_folder:
            raise SourceError(f"no such folder: {self.root}")
        self._tree_cache: dict[str, _TreeRun] | None = None
        self.bundles = BundleReader()
        self.confined = Confined(self.root)
        self._refused: dict[tuple[str, str | None], str] = {}

    def _downloads(self) -> dict[str, DownloadedRun]:
        folders = [self.root] if os.path.lexists(self.root / RUN_FILE) else [
            child for child in _children(self.root) if _is_dir(child) and os.path.lexists(child / RUN_FILE)
        ]
        found: dict[str, DownloadedRun] = {}
        for folder in folders:
            download = DownloadedRun(folder)
            try:
                found[download.run(self.label).run_id] = download
            except (SourceError, FileNotFoundError):
                if folder == self.root:
                    raise  # the folder is this one run: say why it cannot be listed
                continue  # one of many run folders: the others are still listed
        return found

    def _tree(self) -> dict[str, _TreeRun]:
        if os.path.lexists(self.root / RUN_FILE):
            return {}
        if self._tree_cache is None:
            self._tree_cache = StorageTree(self.root).runs()
        return self._tree_cache

    def list_runs(self) -> list[Run]:
        self._tree_cache = None  # a listing is a refresh
        runs = [d.run(self.label) for d in self._downloads().values()]
        runs += [_tree_run_model(t, self.label) for t in self._tree().values()]
        return sorted(runs, key=lambda r: r.created_at or _NO_TIME, reverse=True)

    def load_run(self, run_id: str) -> RunDetail:
        download = self._downloads().get(run_id)
        if download is not None:
            detail, refused = download.detail(self.label)
            self._refused.update(refused)
            return detail
        tree_run = self._tree().get(run_id)
        if tree_run is None:
            raise RunNotFound(f"no run {run_id} in {self.root}")
        steps = tuple(tree_run.steps.values())
        for artifact in tree_run.artifacts:
            if artifact.artifact_id in tree_run.refused:
                self._refused[refusal_key(artifact)] = tree_run.refused[artifact.artifact_id]
        timeline = tuple(_timeline(tree_run))
        return RunDetail(_tree_run_model(tree_run, self.label), steps, tuple(tree_run.artifacts), timeline=timeline,
                         notes=self.notes(run_id))

    def notes(self, run_id: str) -> tuple[str, ...]:
        """What a storage-tree run's reader should know of how it was put together from files
        (a task tied by time, a log read in part); () for any other run."""
        tree_run = self._tree().get(run_id)
        if tree_run is None:
            return ()
        notes = list(tree_run.notes)
        scan = tree_run.block_scan if tree_run.run_type in ("workflow_run", "task_v2") else None
        if scan is not None and scan.cut:
            notes.append(f"The workflow run's log was read up to {tree_timeline.LOG_SCAN_LIMIT >> 20} MB "
                         f"(or {tree_timeline.BLOCK_LIMIT} blocks): blocks after that are not in its timeline.")
        return tuple(visible_controls(n) for n in notes)

    def read_bytes(self, artifact: Artifact) -> bytes:
        if artifact.path is None:
            refusal = self._refused.get(refusal_key(artifact))
            if refusal is not None:
                raise ArtifactUnavailable(f"{artifact.artifact_type} {artifact.artifact_id} is not read: {refusal}.")
            raise ArtifactUnavailable(
                f"{artifact.artifact_type} {artifact.artifact_id} has no file in {self.root}"
            )
        # A bundled member's path is its archive's (a storage tree; an older download saved the
        # archive for each member): the reader takes the member out.
        return self.bundles.read(artifact, self._read_file)

    def _read_file(self, artifact: Artifact) -> bytes:
        assert artifact.path is not None
        try:
            return self.confined.read(artifact.path, FILE_LIMIT)
        except Refused as exc:
            raise ArtifactUnavailable(f"{artifact.artifact_type} {artifact.artifact_id} is not read: {exc.reason}.") from exc
        except OSError as exc:
            raise ArtifactUnavailable(f"cannot read {artifact.path}: {exc.strerror or exc}") from exc

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
  There is no database here, so ids, types and times come from the file names; the status,
  failure reason and goal from what the run recorded (its log's end, its first prompt: see
  tui/core/recorded.py), read bounded, once per listing.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..bundles import BundleReader
from ..catalog import ARCHIVE_TYPES, member_name
from ..errors import ArtifactUnavailable, ParseError, RunNotFound, SourceError
from ..formats.jsonload import load_json
from ..formats.zipread import open_zip
from ..model import Artifact, Run, RunDetail, Step, name_stamp
from ..recorded import LOG_TAIL, PROMPT_HEAD, Ending, endings, final_ending, prompt_goal, whole_lines
from ..textsafe import visible_controls

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
    try:
        return path.is_dir()
    except OSError:
        return False


def _children(path: Path) -> list[Path]:
    try:
        return sorted(p for p in path.iterdir())
    except OSError:
        return []


def _files_below(path: Path) -> Iterator[Path]:
    for dirpath, _dirs, files in os.walk(path):
        for name in sorted(files):
            yield Path(dirpath) / name


def _read_json(path: Path) -> object:
    try:
        return load_json(path.read_bytes(), str(path), SourceError)
    except FileNotFoundError:
        raise
    except (OSError, ValueError) as exc:
        raise SourceError(f"cannot read {path}: {exc}") from exc


@dataclass
class _TreeRun:
    """A run assembled from the files of a storage tree."""

    run_id: str
    run_type: str
    artifacts: list[Artifact] = field(default_factory=list)
    steps: dict[str, Step] = field(default_factory=dict)
    _facts: RecordedFacts | None = None

    @property
    def facts(self) -> RecordedFacts:
        if self._facts is None:
            self._facts = recorded_facts(self)
        return self._facts

    def drop_duplicates(self) -> None:
        """One file per artifact id. Skyvern transcodes a recording to mp4 and leaves the webm
        beside it under the same id; the API lists the mp4 only."""
        chosen: dict[str, Artifact] = {}
        for artifact in self.artifacts:
            kept = chosen.get(artifact.artifact_id)
            if kept is None or (artifact.ext in PREFERRED_EXTS and kept.ext not in PREFERRED_EXTS):
                chosen[artifact.artifact_id] = artifact
        self.artifacts = list(chosen.values())

    def add_file(self, path: Path, root: Path, **ids: Any) -> None:  # task_id, step_id, ... (str | None)
        parsed = parse_file_name(path.name)
        if parsed is None:
            # Not named by Skyvern (a generated script's own files): keep it as a file.
            ext = path.suffix.lstrip(".").lower()
            kind = "script_file" if ext == "py" else "file"
            created = None
            try:
                created = datetime.fromtimestamp(path.stat().st_mtime).astimezone()
            except OSError:
                pass
            parsed = ParsedName(created, None, kind, ext)
        relative = path.relative_to(root).as_posix()
        archive = Artifact(
            # Log files carry no artifact id in their name: their path stands in for it.
            artifact_id=parsed.artifact_id or relative,
            artifact_type=parsed.artifact_type,
            created_at=parsed.created_at,
            run_id=self.run_id,
            uri=path.resolve().as_uri(),
            file_size=_size(path),
            path=path,
            **ids,
        )
        self.artifacts.append(archive)
        if archive.artifact_type in ARCHIVE_TYPES:
            self.artifacts += archive_members(archive)


def archive_members(archive: Artifact) -> list[Artifact]:
    """The members of a step or task archive on disk, as the artifacts the API lists for them
    (bundling on: ARTIFACT_CONTENT_HMAC_KEYRING set; the archive's directory stands in for the
    database's member rows):
    the archive's step and time, the type and LLM call from the member's name. Their ids are
    made up (`{archive id}/{member}`): only the database knows the real ones. An unreadable
    archive lists no members; it stays listed itself, and opening it says what is wrong."""
    assert archive.path is not None
    try:
        with open_zip(archive.path, f"{archive.artifact_type} {archive.artifact_id}") as handle:
            infos = [i for i in handle.infolist() if not i.is_dir()]
    except ParseError:
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


_WORKFLOW_RUN_IN_LOG = re.compile(rb'workflow_run_id[="\': ]+(wr_[A-Za-z0-9]+)')
LOG_PEEK = 64 * 1024


def _workflow_run_of(task: _TreeRun) -> str | None:
    """The workflow run named in the first kilobytes of the task's step logs, if any."""
    for artifact in task.artifacts:
        if artifact.artifact_type in ("skyvern_log", "skyvern_log_raw") and artifact.path is not None and not artifact.bundle_key:
            try:
                with artifact.path.open("rb") as handle:
                    match = _WORKFLOW_RUN_IN_LOG.search(handle.read(LOG_PEEK))
            except OSError:
                continue
            if match:
                return match.group(1).decode()
    return None


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


class StorageTree:
    """Reads an ARTIFACT_STORAGE_PATH folder into runs."""

    def __init__(self, root: Path) -> None:
        self.root = root

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
            elif not (child / RUN_FILE).exists():
                # An ENV folder ("local" by default) holding {org}/workflow_runs, observers, ...
                for org in _children(child):
                    if _is_dir(org):
                        self._env_org(org, runs, block_owner)
        self._logs(runs, step_owner, block_owner)
        for run in runs.values():
            run.drop_duplicates()
        self._join_workflow_tasks(runs)
        return {k: v for k, v in runs.items() if v.artifacts}

    @staticmethod
    def _join_workflow_tasks(runs: dict[str, _TreeRun]) -> None:
        """Move the tasks of a workflow run into it, as the API lists them.

        Only the task's own logs say which workflow run it belongs to (ENABLE_LOG_ARTIFACTS):
        without them the task stays a run of its own.
        """
        for task in [r for r in runs.values() if r.run_type == "task"]:
            workflow_run_id = _workflow_run_of(task)
            if workflow_run_id is None:
                continue
            owner = runs.setdefault(workflow_run_id, _TreeRun(workflow_run_id, "workflow_run"))
            owner.artifacts += [replace(a, workflow_run_id=workflow_run_id, run_id=workflow_run_id) for a in task.artifacts]
            owner.steps.update(task.steps)
            del runs[task.run_id]

    def _task(self, task_dir: Path, runs: dict[str, _TreeRun], step_owner: dict[str, str]) -> None:
        task_id = task_dir.name
        run = runs.setdefault(task_id, _TreeRun(task_id, "task"))
        for step_dir in _children(task_dir):
            match = _STEP_DIR.match(step_dir.name)
            if not match or not _is_dir(step_dir):
                continue
            order, retry, step_id = int(match[1]), int(match[2]), match[3]
            step_owner[step_id] = task_id
            first = len(run.artifacts)
            for path in _files_below(step_dir):
                run.add_file(path, self.root, task_id=task_id, step_id=step_id)
            times = [a.created_at for a in run.artifacts[first:] if a.created_at]
            run.steps[step_id] = Step(step_id, task_id, order, retry, None, min(times, default=None))

    def _env_org(self, org: Path, runs: dict[str, _TreeRun], block_owner: dict[str, str]) -> None:
        for wr_dir in _children(org / "workflow_runs"):
            if not wr_dir.name.startswith("wr_"):
                continue
            run = runs.setdefault(wr_dir.name, _TreeRun(wr_dir.name, "workflow_run"))
            for block in _children(wr_dir):
                if _is_dir(block):
                    block_owner[block.name] = wr_dir.name
                    for path in _files_below(block):
                        run.add_file(
                            path, self.root, workflow_run_id=wr_dir.name, workflow_run_block_id=block.name
                        )
                else:
                    run.add_file(block, self.root, workflow_run_id=wr_dir.name)
        # Task v2: the observer folder and its thoughts under tasks/{tsk_v2}/{ot}/.
        for folder in ("observers", "tasks"):
            for v2_dir in _children(org / folder):
                if _is_dir(v2_dir) and v2_dir.name.startswith("tsk_"):
                    run = runs.setdefault(v2_dir.name, _TreeRun(v2_dir.name, "task_v2"))
                    for path in _files_below(v2_dir):
                        run.add_file(path, self.root)
        for script_dir in _children(org / "scripts"):
            for version in _children(script_dir):
                if _is_dir(version):
                    run_id = f"{script_dir.name}/{version.name}"
                    run = runs.setdefault(run_id, _TreeRun(run_id, "script"))
                    for path in _files_below(version):
                        run.add_file(path, self.root)

    def _logs(
        self, runs: dict[str, _TreeRun], step_owner: dict[str, str], block_owner: dict[str, str]
    ) -> None:
        for entity_dir in _children(self.root / "logs"):
            for id_dir in _children(entity_dir):
                entity, entity_id = entity_dir.name, id_dir.name
                ids: dict[str, str | None] = {}
                if entity == "step":
                    owner = step_owner.get(entity_id, entity_id)
                    ids = {"task_id": step_owner.get(entity_id), "step_id": entity_id}
                elif entity == "workflow_run_block":
                    owner = block_owner.get(entity_id, entity_id)
                    ids = {"workflow_run_block_id": entity_id}
                else:  # task, workflow_run, task_v2: the id is the run's own
                    owner = entity_id
                run_type = "workflow_run" if owner.startswith("wr_") else "task"
                run = runs.setdefault(owner, _TreeRun(owner, run_type))
                for path in _files_below(id_dir):
                    run.add_file(path, self.root, **ids)


@dataclass(frozen=True)
class RecordedFacts:
    """What a storage-tree run's files say of it; None where they do not say."""

    status: str | None = None
    failure_reason: str | None = None
    ended_at: datetime | None = None
    goal: str | None = None


_READ_ERRORS = (OSError, ValueError, EOFError, RuntimeError, NotImplementedError, zlib.error, zipfile.BadZipFile)


def _read_tail(path: Path) -> bytes:
    """The whole lines of a log's last LOG_TAIL bytes."""
    try:
        with path.open("rb") as handle:
            start = max(0, handle.seek(0, os.SEEK_END) - LOG_TAIL)
            handle.seek(start)
            return whole_lines(handle.read(LOG_TAIL), cut=start > 0)
    except OSError:
        return b""


def _read_head(artifact: Artifact) -> bytes:
    """The first PROMPT_HEAD bytes of a file, or of a bundled member (its path is the archive)."""
    assert artifact.path is not None
    try:
        if not artifact.bundle_key:
            with artifact.path.open("rb") as handle:
                return bytes(handle.read(PROMPT_HEAD))
        with zipfile.ZipFile(artifact.path) as archive, archive.open(artifact.bundle_key) as member:
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
    workflow_run = tree_run.run_type == "workflow_run"
    found: list[Ending] = []
    for artifact in own + rest:
        assert artifact.path is not None
        found += endings(_read_tail(artifact.path))
        ending = final_ending(found, workflow_run)
        if ending is not None and (not workflow_run or ending.scope == "workflow_run" or artifact not in own):
            return ending
    return final_ending(found, workflow_run)


def _goal(tree_run: _TreeRun) -> str | None:
    prompts = [a for a in tree_run.artifacts if a.artifact_type == "llm_prompt" and a.path is not None]
    prompts.sort(key=lambda a: (a.created_at or _NO_TIME, a.call_index or 0, a.artifact_id))
    for artifact in prompts[:3]:  # the first prompt states it; a run's others repeat it
        goal = prompt_goal(_read_head(artifact))
        if goal:
            return goal
    return None


def recorded_facts(tree_run: _TreeRun) -> RecordedFacts:
    ending = _ending(tree_run)
    if ending is None:
        return RecordedFacts(goal=_goal(tree_run))
    return RecordedFacts(ending.status, ending.failure_reason, ending.at, _goal(tree_run))


def _tree_run_model(tree_run: _TreeRun, label: str) -> Run:
    times = [t for t in (a.captured_at for a in tree_run.artifacts) if t]
    facts = tree_run.facts
    return Run(
        run_id=tree_run.run_id,
        run_type=tree_run.run_type,
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
    )


class DownloadedRun:
    """One run saved as run.json + artifacts.json + files/ (the demo, or a download)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _entries(self) -> list[dict]:
        data = _read_json(self.folder / ARTIFACTS_FILE) if (self.folder / ARTIFACTS_FILE).exists() else []
        if not isinstance(data, list):
            raise SourceError(f"{self.folder / ARTIFACTS_FILE} is not a JSON list of artifacts")
        return [d for d in data if isinstance(d, dict)]

    def run(self, label: str) -> Run:
        data = _read_json(self.folder / RUN_FILE)
        if not isinstance(data, dict):
            raise SourceError(f"{self.folder / RUN_FILE} is not a JSON object")
        return Run.from_api(data, artifact_count=len(self._entries()), source=label)

    def file_for(self, entry: dict) -> Path | None:
        artifact_id = str(entry.get("artifact_id") or "")
        artifact_type = str(entry.get("artifact_type") or "")
        if not _SAFE_ID.match(artifact_id) or not _SAFE_ID.match(artifact_type):
            return None
        files = self.folder / FILES_DIR
        bundle_key = entry.get("bundle_key")  # a member's own name; its uri is its archive's
        own_name = bundle_key if isinstance(bundle_key, str) and bundle_key else str(entry.get("uri") or "")
        uri_name = own_name.rsplit("/", 1)[-1]
        ext = uri_name.rsplit(".", 1)[-1] if "." in uri_name else "bin"
        expected = files / f"{artifact_id}_{artifact_type}.{ext}"
        if expected.is_file():
            return expected
        # A file saved under another extension still belongs to its artifact.
        for candidate in sorted(files.glob(f"{artifact_id}_*")):
            if candidate.is_file():
                return candidate
        return None

    def _items(self, name: str) -> tuple[dict, ...]:
        """A list file beside the run (actions, timeline) that only adds to it: missing or
        unreadable, the run opens without it."""
        try:
            data = _read_json(self.folder / name)
        except (SourceError, FileNotFoundError):
            return ()
        return tuple(d for d in data if isinstance(d, dict)) if isinstance(data, list) else ()

    def detail(self, label: str) -> RunDetail:
        steps_data = _read_json(self.folder / STEPS_FILE) if (self.folder / STEPS_FILE).exists() else []
        steps = tuple(Step.from_api(s) for s in steps_data if isinstance(s, dict)) if isinstance(steps_data, list) else ()
        artifacts = tuple(Artifact.from_api(e, self.file_for(e)) for e in self._entries())
        return RunDetail(self.run(label), steps, artifacts, self._items(ACTIONS_FILE), self._items(TIMELINE_FILE))


class LocalSource:
    """Every run found in one folder: downloaded runs and/or a Skyvern storage tree."""

    def __init__(self, root: Path, label: str | None = None) -> None:
        self.root = Path(root).expanduser()
        self.label = visible_controls(label or str(self.root))  # a folder name can hold anything
        if not _is_dir(self.root):
            raise SourceError(f"no such folder: {self.root}")
        self._tree_cache: dict[str, _TreeRun] | None = None
        self.bundles = BundleReader()

    def _downloads(self) -> dict[str, DownloadedRun]:
        folders = [self.root] if (self.root / RUN_FILE).exists() else [
            child for child in _children(self.root) if (child / RUN_FILE).exists()
        ]
        found: dict[str, DownloadedRun] = {}
        for folder in folders:
            download = DownloadedRun(folder)
            try:
                found[download.run(self.label).run_id] = download
            except (SourceError, FileNotFoundError):
                continue
        return found

    def _tree(self) -> dict[str, _TreeRun]:
        if (self.root / RUN_FILE).exists():
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
            return download.detail(self.label)
        tree_run = self._tree().get(run_id)
        if tree_run is None:
            raise RunNotFound(f"no run {run_id} in {self.root}")
        steps = tuple(tree_run.steps.values())
        return RunDetail(_tree_run_model(tree_run, self.label), steps, tuple(tree_run.artifacts))

    def read_bytes(self, artifact: Artifact) -> bytes:
        if artifact.path is None:
            raise ArtifactUnavailable(
                f"{artifact.artifact_type} {artifact.artifact_id} has no file in {self.root}"
            )
        # A bundled member's path is its archive's (a storage tree; an older download saved the
        # archive for each member): the reader takes the member out.
        return self.bundles.read(artifact, _read_file)


def _read_file(artifact: Artifact) -> bytes:
    assert artifact.path is not None
    try:
        return artifact.path.read_bytes()
    except OSError as exc:
        raise ArtifactUnavailable(f"cannot read {artifact.path}: {exc.strerror or exc}") from exc

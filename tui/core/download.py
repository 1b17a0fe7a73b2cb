"""Save a run to a folder that LocalSource reads back (the layout of assets/demo):

    dest/run.json, dest/artifacts.json, dest/steps.json, dest/actions.json, [dest/timeline.json,]
    dest/files/{artifact_id}_{type}.{ext}

artifacts.json holds the rows of the run's downloaded files too (`download`, which the API's
artifact list leaves out), timeline.json a task v2's thoughts and blocks, and run.json the
browser session its task ran in: LocalSource reads them back as the API gives them.

A bundled member is saved as its own file (`a_2_screenshot_llm.png`), the archive row as the
zip; artifacts.json keeps their `uri` and `bundle_key` as the server gave them.

Files are fetched in parallel (bounded), each written to a temporary name and renamed, so an
interrupted download never leaves a half file under a real name. run.json is written last:
a folder with run.json is a finished download, and a cancelled one is not mistaken for it.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Callable, Iterable

from urllib.parse import unquote

from .errors import SourceError, TuiError
from .model import Artifact, RunDetail
from .redact import is_secret_param
from .sources.base import Source

_SAFE = re.compile(r"^[A-Za-z0-9_.\-]+$")
_URL = re.compile(r"""[A-Za-z][A-Za-z0-9+.\-]{1,15}://[^\s"'<>]+""")
_PARAM = re.compile(r"[?&#;]([^=&#?;\s]{1,200})=")
_EXT = re.compile(r"^[A-Za-z0-9]{1,12}$")
Progress = Callable[[int, int, Artifact], None]


@dataclass
class DownloadResult:
    folder: Path
    total: int
    written: list[str] = field(default_factory=list)  # artifact ids
    failed: dict[str, str] = field(default_factory=dict)  # artifact id -> why
    cancelled: bool = False

    @property
    def count(self) -> int:
        return len(self.written)

    @property
    def complete(self) -> bool:
        return not self.cancelled and not self.failed


def file_name(entry: dict[str, Any]) -> str | None:
    """`{artifact_id}_{artifact_type}.{ext}`, ext from the member's or the uri's file name
    ("bin" if none); None when the id or type could climb out of the folder."""
    artifact_id, artifact_type = str(entry.get("artifact_id") or ""), str(entry.get("artifact_type") or "")
    if not _SAFE.match(artifact_id) or not _SAFE.match(artifact_type) or artifact_id in (".", ".."):
        return None
    ext = entry_ext(entry)
    return f"{artifact_id}_{artifact_type}.{ext if _EXT.match(ext) else 'bin'}"


def entry_ext(entry: dict[str, Any]) -> str:
    """The extension of an artifact's own file: a bundled member's uri is its archive's
    (`.zip`), its `bundle_key` is its own name (`screenshot_llm_0.png`)."""
    bundle_key = entry.get("bundle_key")
    name = bundle_key if isinstance(bundle_key, str) and bundle_key else str(entry.get("uri") or "")
    name = name.split("?", 1)[0].rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1] if "." in name else "bin"


def write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _json_bytes(data: Any) -> bytes:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str).encode()


def _redacted(entry: dict[str, Any]) -> dict[str, Any]:
    """An http(s) signed URL grants access to its artifact for hours: a saved folder is often
    shared, so it is not kept (the files are beside it; file:// values stay, they grant nothing)."""
    url = entry.get("signed_url")
    if isinstance(url, str) and url.lower().startswith(("http://", "https://")):
        return {**entry, "signed_url": None}
    return entry


def _signed(url: str) -> bool:
    """A URL carrying a credential in its query or fragment, even percent-encoded inside another
    URL's parameter (a login page's `?next=` holding a presigned link)."""
    text = url
    for _ in range(3):
        text = unquote(text)
    return any(is_secret_param(name) for name in _PARAM.findall(text))


def _unsigned(text: str) -> str:
    """`text` with every signed URL in it cut before its query: the place stays, the key goes."""
    if "://" not in text:
        return text
    return _URL.sub(lambda m: re.split(r"[?#]", m.group(0), maxsplit=1)[0] if _signed(m.group(0)) else m.group(0), text)


def scrub(value: Any) -> Any:
    """A copy of JSON data with no presigned URL left in any string, at any depth (iterative:
    a deep document from a server does not hit the recursion limit)."""
    root = [value]
    stack: list[tuple[Any, Any]] = [(root, 0)]
    while stack:
        parent, key = stack.pop()
        node = parent[key]
        if isinstance(node, str):
            parent[key] = _unsigned(node)
        elif isinstance(node, dict):
            copy = {_unsigned(k) if isinstance(k, str) else k: v for k, v in node.items()}
            parent[key] = copy
            stack.extend((copy, k) for k in copy)
        elif isinstance(node, list):
            copy_list = list(node)
            parent[key] = copy_list
            stack.extend((copy_list, i) for i in range(len(copy_list)))
    return root[0]


@dataclass(frozen=True)
class _Json:
    run: dict
    artifacts: list[dict]
    steps: list[dict]
    actions: list[dict]
    timeline: list[dict]


def _run_json(source: Source, run_id: str) -> tuple[_Json, RunDetail | None]:
    """The API JSON when the source has it (ApiSource), else rebuilt from the models."""
    load_json = getattr(source, "load_run_json", None)
    if load_json is not None:
        data = load_json(run_id)
        return _Json(data.run, data.artifacts, data.steps, list(getattr(data, "actions", [])),
                     list(getattr(data, "timeline", []))), None
    detail = source.load_run(run_id)
    steps = [
        dict(s.raw) or {"step_id": s.step_id, "task_id": s.task_id, "order": s.order, "retry_index": s.retry_index,
                        "status": s.status, "created_at": s.created_at.isoformat() if s.created_at else None}
        for s in detail.steps
    ]
    return _Json(dict(detail.run.raw), [dict(a.raw) for a in detail.artifacts], steps,
                 [dict(a) for a in detail.actions], [dict(t) for t in detail.timeline]), detail


def download_run(
    source: Source,
    run_id: str,
    dest: Path,
    types: Iterable[str] = (),
    workers: int = 8,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> DownloadResult:
    """Download one run; failures of single artifacts are collected, not raised.

    `progress(done, total, artifact)` is called from the calling thread after each artifact.
    Setting `cancel` stops starting new artifacts; those in flight finish or fail first.
    """
    cancel = cancel or threading.Event()
    data, detail = _run_json(source, run_id)
    entries = data.artifacts
    wanted = set(types)
    if wanted:
        entries = [e for e in entries if e.get("artifact_type") in wanted]
    models = {a.artifact_id: a for a in detail.artifacts} if detail else {}
    dest = Path(dest)
    files = dest / "files"
    files.mkdir(parents=True, exist_ok=True)
    result = DownloadResult(dest, len(entries))

    def fetch(entry: dict[str, Any]) -> Artifact:
        artifact = models.get(str(entry.get("artifact_id"))) or Artifact.from_api(entry)
        name = file_name(entry)
        if name is None:
            raise SourceError(f"unsafe artifact id or type {entry.get('artifact_id')!r} {entry.get('artifact_type')!r}")
        if cancel.is_set():
            return artifact
        # The bytes as served, whatever file_size says (stale for skyvern_log / _raw); a
        # bundled member's own bytes (the source takes it from its archive), not the archive.
        write_atomic(files / name, source.read_bytes(artifact))
        result.written.append(artifact.artifact_id)
        return artifact

    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="download") as pool:
        pending: dict[Future, dict] = {pool.submit(fetch, e): e for e in entries}
        try:
            _drain(pending, cancel, result, models, progress)
        except BaseException:
            # Ctrl-C or a failing callback: leaving the pool would wait for every queued
            # artifact. Drop the queue; only the ones in flight are waited for.
            cancel.set()
            for future in pending:
                future.cancel()
            raise
    if cancel.is_set():
        result.cancelled = True
        return result
    # No presigned URL in any field of any file: recording_url, screenshot_urls, a step's
    # output, a block's... (a saved folder is shared; the files themselves are beside it).
    write_atomic(dest / "artifacts.json", _json_bytes(scrub([_redacted(e) for e in entries])))
    write_atomic(dest / "steps.json", _json_bytes(scrub(data.steps)))
    # What the run model reads beside the steps: the actions API's items, a workflow run's blocks.
    write_atomic(dest / "actions.json", _json_bytes(scrub(data.actions)))
    if data.timeline:
        write_atomic(dest / "timeline.json", _json_bytes(scrub(data.timeline)))
    write_atomic(dest / "run.json", _json_bytes(scrub(data.run)))
    return result


def _drain(
    pending: dict[Future, dict],
    cancel: threading.Event,
    result: DownloadResult,
    models: dict[str, Artifact],
    progress: Progress | None,
) -> None:
    """Collect finished fetches in this thread (so `progress` runs here), until none is left
    or `cancel` is set. `pending` is emptied in place: the caller sees what is left."""
    done = 0
    while pending:
        finished, _ = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
        if cancel.is_set():
            for future in list(pending):
                if future.cancel():
                    del pending[future]
        for future in finished:
            entry = pending.pop(future)
            done += 1
            exc = future.exception()
            if exc is not None:
                why = str(exc) if isinstance(exc, TuiError) else f"{type(exc).__name__}: {exc}"
                result.failed[str(entry.get("artifact_id"))] = why
            if progress is not None:
                progress(done, result.total, models.get(str(entry.get("artifact_id"))) or Artifact.from_api(entry))

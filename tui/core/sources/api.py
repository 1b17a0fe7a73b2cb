"""Runs on a Skyvern server, through its HTTP API (sync httpx; called from worker threads)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from ..cache import ArtifactCache
from ..catalog import GROWING_TYPES
from ..content import ContentLoader
from ..errors import ApiError, ApiUnavailable, AuthError, RunNotFound
from ..http import DEFAULT_DEADLINE, DEFAULT_MAX_BYTES, Clock, HttpClient, Resolver, Sleep, insecure_warning, json_of, raise_for_status, system_resolver
from ..model import TERMINAL_STATUSES, Artifact, Run, RunDetail, Step
from ..textsafe import visible_controls

DEFAULT_BASE_URL = "http://localhost:8000"
MAX_JSON_BYTES = 256 << 20  # an API answer (a run of thousands of artifacts is a few MB)
MIN_SEARCH_CHARS = 3  # the server ignores (or refuses) shorter search keys
_WORKFLOW_RUN_IN_URL = re.compile(r"/runs/(wr_[A-Za-z0-9]+)")
MAX_PARALLEL = 4  # requests at once per list (steps of each task, each download's row)
DOWNLOAD_TYPE = "download"
_T = TypeVar("_T")


@dataclass(frozen=True)
class ApiSettings:
    base_url: str = DEFAULT_BASE_URL
    api_key: str = field(default="", repr=False)  # never in a repr, a log or a screen
    timeout: float = 30.0
    retries: int = 3  # retries after the first attempt, for GETs that may pass
    label: str = ""
    backoff: float = 0.5  # first retry delay; doubles each time
    max_backoff: float = 8.0
    max_retry_after: float = 30.0  # a 429's Retry-After is honoured up to this
    # False: never read file:// artifacts from this disk; otherwise only when the API's address
    # is loopback and the file is under one of artifact_roots (symlinks resolved).
    local_files: bool | None = None
    artifact_roots: tuple[Path, ...] = ()
    max_bytes: int = DEFAULT_MAX_BYTES  # decoded bytes of one answer
    deadline: float = DEFAULT_DEADLINE  # seconds for one attempt of one request


@dataclass(frozen=True)
class RunJson:
    """A run as the API returned it, before modelling (what a download writes to disk)."""

    run: dict[str, Any]
    artifacts: list[dict[str, Any]]
    steps: list[dict[str, Any]]
    actions: list[dict[str, Any]] = field(default_factory=list)  # GET /api/v1/tasks/{task}/actions, task by task
    timeline: list[dict[str, Any]] = field(default_factory=list)  # GET /v1/runs/{id}/timeline (workflow runs, task v2)


def _q(value: str) -> str:
    return quote(value, safe="")


def _text(value: Any) -> str:
    """A field that should be a string, whatever the server put there (a list is unhashable)."""
    return value if isinstance(value, str) else ""


def _items(value: Any) -> list[dict[str, Any]]:
    return [i for i in value if isinstance(i, dict)] if isinstance(value, list) else []


def _is_task_v1(run_id: str) -> bool:
    return run_id.startswith("tsk_") and not run_id.startswith("tsk_v2_")


def _id_order(identifier: str) -> tuple[int, str]:
    """Skyvern ids grow with time: sorting by their number puts tasks in the order they ran."""
    digits = identifier.rpartition("_")[2]
    return (int(digits) if digits.isdigit() else 0, identifier)


def _timeline_tasks(entries: list[dict[str, Any]]) -> Iterator[str]:
    """The task of every block in a timeline, loop iterations and code blocks included
    (walked without recursion: a timeline comes from outside)."""
    stack = list(entries)
    while stack:
        entry = stack.pop()
        block = entry.get("block")
        if isinstance(block, dict) and _text(block.get("task_id")):
            yield block["task_id"]
        stack.extend(_items(entry.get("children")))


def _task_ids(artifacts: list[dict[str, Any]], timeline: list[dict[str, Any]], run_id: str) -> list[str]:
    """Every task of the run, in the order they ran: those its artifacts and its timeline's
    blocks name (a task may have either alone), and a task v1 itself."""
    found = {_text(a.get("task_id")) for a in artifacts} | set(_timeline_tasks(timeline))
    if _is_task_v1(run_id):
        found.add(run_id)
    found.discard("")
    return sorted(found, key=_id_order)


def _download_row(entry: dict[str, Any]) -> dict[str, Any]:
    """A download's artifact row from the run's `downloaded_files` entry (its url is the uri)."""
    return {
        "artifact_id": entry.get("artifact_id"),
        "artifact_type": DOWNLOAD_TYPE,
        "uri": entry.get("url"),
        "checksum": entry.get("checksum"),
        "file_size": entry.get("file_size"),
        "created_at": entry.get("modified_at"),
        "modified_at": entry.get("modified_at"),
    }


class ApiSource:
    def __init__(
        self,
        settings: ApiSettings,
        cache: ArtifactCache | Path | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        resolve: Resolver = system_resolver,
        sleep: Sleep | None = None,
        clock: Clock | None = None,
    ) -> None:
        """`resolve`, `sleep` and `clock` are for tests: DNS, waits and time without the world."""
        self.settings = settings
        self.http = HttpClient(
            settings.base_url,
            settings.api_key,
            timeout=settings.timeout,
            retries=settings.retries,
            backoff=settings.backoff,
            max_backoff=settings.max_backoff,
            max_retry_after=settings.max_retry_after,
            max_bytes=settings.max_bytes,
            deadline=settings.deadline,
            transport=transport,
            sleep=sleep,
            **({"clock": clock} if clock is not None else {}),
        )
        # Said before any request: a plain http:// API elsewhere gets the key in clear.
        self.warning = insecure_warning(self.http.base_url, resolve)
        self.label = visible_controls(settings.label or httpx.URL(self.http.base_url).netloc.decode())
        if isinstance(cache, (str, Path)):
            cache = ArtifactCache(cache)
        self.loader = ContentLoader(self.http, cache, settings.local_files, api_key=settings.api_key,
                                    artifact_roots=settings.artifact_roots, resolve=resolve)
        self._settled: set[str] = set()  # artifact ids of finished runs: safe to cache

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> ApiSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _get_json(self, path: str, params: dict[str, Any] | None = None, not_found=None) -> Any:
        what = f"GET {path}"
        response = self.http.get(self.http.api_url(path), params, what=what, max_bytes=MAX_JSON_BYTES)
        try:
            raise_for_status(response, what, not_found)
        except AuthError:
            self.loader.key_refused()
            raise
        self.loader.key_accepted()
        return json_of(response, what)

    # -- runs ------------------------------------------------------------------------------
    def list_runs(self) -> list[Run]:
        return self.list_runs_page()

    def list_runs_page(
        self, page: int = 1, page_size: int = 20, statuses: Sequence[str] = (), search: str | None = None
    ) -> list[Run]:
        params: dict[str, Any] = {"page": page, "page_size": page_size}
        if statuses:
            params["status"] = list(statuses)  # repeated: status=a&status=b
        if search and len(search.strip()) >= MIN_SEARCH_CHARS:
            params["search_key"] = search.strip()
        first_page = page == 1 and not statuses and not params.get("search_key")
        try:
            data = self._get_json("/v1/runs", params)
        except ApiUnavailable:
            # Offline: the runs this server listed last time, marked as such.
            data = self._recall("runs") if first_page else None
            if data is None:
                raise
            return [Run.from_api(i, source=f"{self.label} (offline copy)") for i in data if isinstance(i, dict)]
        if first_page:
            self._remember("runs", data)
        if isinstance(data, dict):  # tolerate a paged envelope
            data = next((v for v in data.values() if isinstance(v, list)), [])
        items = data if isinstance(data, list) else []
        return [Run.from_api(item, source=self.label) for item in items if isinstance(item, dict)]

    def load_run_json(self, run_id: str, artifact_types: Iterable[str] = ()) -> RunJson:
        """The run and everything tied to it, as served. A task v2 keeps its artifacts, tasks
        and steps under its workflow run; downloads are rows of their own, named only by the
        run's `downloaded_files`; the browser session is said by the run's (first) task."""
        path = f"/v1/runs/{_q(run_id)}"

        def missing() -> RunNotFound:
            return RunNotFound(f"no run {run_id} on {self.http.base_url} (GET {path} answered 404): check the id.")

        run = self._get_json(path, not_found=missing)
        if not isinstance(run, dict) or not run:
            raise missing()
        own = _text(run.get("run_id")) or run_id  # the server's own id (the one asked may be an alias)
        types = list(artifact_types)
        artifacts, timeline, task = self._run_lists(run, own, types, missing)
        task_ids = _task_ids(artifacts, timeline, own)
        # Asked at once: a live run's detail is loaded again and again.
        with ThreadPoolExecutor(max_workers=3, thread_name_prefix="run-json") as pool:
            steps = pool.submit(self._steps, task_ids)
            actions = pool.submit(self._actions, task_ids)
            # A workflow run (or task v2) is in the session its first task ran in.
            ask_first = task is None and not _is_task_v1(own) and task_ids and not _text(run.get("browser_session_id"))
            first = pool.submit(self._task, task_ids[0]) if ask_first else None
            task = first.result() if first is not None else task
            session = _text(run.get("browser_session_id")) or _text((task or {}).get("browser_session_id"))
            run = {**run, "browser_session_id": session} if session else run
            return RunJson(run, artifacts, steps.result(), actions.result(), timeline)

    def _run_lists(
        self, run: dict[str, Any], run_id: str, types: list[str], missing: Callable[[], RunNotFound]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any] | None]:
        """The artifact rows (downloads' too), the timeline and a task v1's own task: what the
        run alone names, asked at once."""
        holder = self._artifact_holder(run_id, run)
        params = {"artifact_type": types} if types else None
        with ThreadPoolExecutor(max_workers=4, thread_name_prefix="run-json") as pool:
            listed = pool.submit(self._get_json, f"/v1/runs/{_q(holder)}/artifacts", params, missing)
            timeline = pool.submit(self._timeline, run_id, holder)
            downloads = pool.submit(self._downloads, run, run_id) if not types or DOWNLOAD_TYPE in types else None
            task = pool.submit(self._task, run_id) if _is_task_v1(run_id) else None
            artifacts = _items(listed.result())
            known = {a.get("artifact_id") for a in artifacts}
            artifacts += [d for d in (downloads.result() if downloads else []) if d.get("artifact_id") not in known]
            return artifacts, timeline.result(), task.result() if task else None

    def load_run(self, run_id: str, artifact_types: Iterable[str] = ()) -> RunDetail:
        label = self.label
        try:
            data = self.load_run_json(run_id, artifact_types)
        except ApiUnavailable:
            # Offline: a finished run seen before opens from the cache, bytes included.
            saved = None if artifact_types else self._recall(f"run:{run_id}")
            if not isinstance(saved, dict):
                raise
            data = RunJson(saved["run"], saved["artifacts"], saved["steps"], _items(saved.get("actions")),
                           _items(saved.get("timeline")))
            label = f"{self.label} (offline copy)"
        else:
            if not artifact_types and _text(data.run.get("status")) in TERMINAL_STATUSES:
                self._remember(f"run:{run_id}", {"run": data.run, "artifacts": data.artifacts, "steps": data.steps,
                                                 "actions": data.actions, "timeline": data.timeline})
        artifacts = tuple(Artifact.from_api(a) for a in data.artifacts)
        run = Run.from_api(data.run, artifact_count=len(artifacts), source=label)
        if run.status in TERMINAL_STATUSES:
            self._settled.update(a.artifact_id for a in artifacts)
        steps = tuple(Step.from_api(s) for s in data.steps)
        return RunDetail(run, steps, artifacts, tuple(data.actions), tuple(data.timeline))

    def _artifact_holder(self, run_id: str, run: dict[str, Any]) -> str:
        """The id whose artifacts to list: a task v2 keeps them under its workflow run (the v2
        task names it; the run's app_url too, when the v2 task cannot be had)."""
        if not run_id.startswith("tsk_v2_"):
            return run_id
        try:
            task = self._get_json(f"/api/v2/tasks/{_q(run_id)}")
        except AuthError:
            raise
        except ApiError:
            task = None
        workflow_run_id = _text(task.get("workflow_run_id")) if isinstance(task, dict) else ""
        if workflow_run_id:
            return workflow_run_id
        match = _WORKFLOW_RUN_IN_URL.search(_text(run.get("app_url")))
        return match.group(1) if match else run_id

    def _per_task(self, task_ids: list[str], what: str) -> list[dict[str, Any]]:
        """GET /api/v1/tasks/{task}/{what} of every task, concatenated; a task without one (404,
        error) just has none."""

        def one(task_id: str) -> list[dict[str, Any]]:
            data = self._optional(f"/api/v1/tasks/{_q(task_id)}/{what}")
            return [{"task_id": task_id, **s} for s in _items(data)]

        return [s for items in self._each(one, task_ids) for s in items]

    def _each(self, fetch: Callable[[str], _T], ids: list[str]) -> list[_T]:
        """fetch(id) for every id, a few at a time, in the ids' order."""
        if len(ids) <= 1:
            return [fetch(i) for i in ids]
        with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(ids)), thread_name_prefix="run-json") as pool:
            return list(pool.map(fetch, ids))

    def _optional(self, path: str) -> Any:
        """An answer that only adds to the run: None when the server has none (404, a fault);
        a refused key is still said."""
        try:
            return self._get_json(path)
        except AuthError:
            raise
        except ApiError:
            return None

    def _steps(self, task_ids: list[str]) -> list[dict[str, Any]]:
        return self._per_task(task_ids, "steps")

    def _actions(self, task_ids: list[str]) -> list[dict[str, Any]]:
        return self._per_task(task_ids, "actions")

    def _task(self, task_id: str) -> dict[str, Any] | None:
        """GET /api/v1/tasks/{id}: what the run API does not say (its browser session)."""
        data = self._optional(f"/api/v1/tasks/{_q(task_id)}")
        return data if isinstance(data, dict) else None

    def _timeline(self, run_id: str, holder: str) -> list[dict[str, Any]]:
        """A workflow run's blocks, a task v2's thoughts and blocks (asked by the tsk_v2 id, as
        Skyvern's own app asks; by its workflow run's id when that answers none); a task has
        none (the server answers 400)."""
        for asked in dict.fromkeys((run_id, holder)):
            if asked.startswith(("wr_", "tsk_v2_")):
                entries = _items(self._optional(f"/v1/runs/{_q(asked)}/timeline"))
                if entries:
                    return entries
        return []

    def _downloads(self, run: dict[str, Any], run_id: str) -> list[dict[str, Any]]:
        """The rows of the files the run downloaded: not in its artifact list, only named by
        `downloaded_files`. A row the server will not give is made from that entry."""
        entries = {_text(f.get("artifact_id")): f for f in _items(run.get("downloaded_files"))}
        entries.pop("", None)

        def one(artifact_id: str) -> dict[str, Any]:
            row = self._optional(f"/v1/artifacts/{_q(artifact_id)}")
            if not isinstance(row, dict) or row.get("artifact_id") != artifact_id:
                row = _download_row(entries[artifact_id])
            return {**row, "run_id": _text(row.get("run_id")) or run_id}

        return self._each(one, list(entries))

    # -- offline copies ---------------------------------------------------------------------
    # Run lists and finished runs are kept in the artifact cache (under ids no artifact has),
    # so a run opened once reopens without the network.
    def _remember(self, name: str, value: Any) -> None:
        self.loader.keep(f"json:{name}", json.dumps(value).encode())

    def _recall(self, name: str) -> Any:
        data = self.loader.cached(f"json:{name}")
        try:
            return json.loads(data) if data else None
        except ValueError:
            return None

    # -- content ---------------------------------------------------------------------------
    def read_bytes(self, artifact: Artifact) -> bytes:
        cacheable = artifact.artifact_type not in GROWING_TYPES or artifact.artifact_id in self._settled
        return self.loader.read(artifact, cacheable=cacheable)

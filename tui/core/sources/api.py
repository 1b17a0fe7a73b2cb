"""Runs on a Skyvern server, through its HTTP API (sync httpx; called from worker threads)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
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
    timeline: list[dict[str, Any]] = field(default_factory=list)  # GET /v1/runs/{id}/timeline (workflow runs)


def _q(value: str) -> str:
    return quote(value, safe="")


def _text(value: Any) -> str:
    """A field that should be a string, whatever the server put there (a list is unhashable)."""
    return value if isinstance(value, str) else ""


def _items(value: Any) -> list[dict[str, Any]]:
    return [i for i in value if isinstance(i, dict)] if isinstance(value, list) else []


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
        path = f"/v1/runs/{_q(run_id)}"

        def missing() -> RunNotFound:
            return RunNotFound(f"no run {run_id} on {self.http.base_url} (GET {path} answered 404): check the id.")

        run = self._get_json(path, not_found=missing)
        if not isinstance(run, dict) or not run:
            raise missing()
        holder = self._artifact_holder(run_id, run)
        params = {"artifact_type": list(artifact_types)} if artifact_types else None
        artifacts = self._get_json(f"/v1/runs/{_q(holder)}/artifacts", params, not_found=lambda: missing())
        artifacts = [a for a in artifacts if isinstance(a, dict)] if isinstance(artifacts, list) else []
        task_ids = list(dict.fromkeys(a["task_id"] for a in artifacts if isinstance(a.get("task_id"), str) and a["task_id"]))
        # Three more lists, asked at once: a live run's detail is loaded again and again.
        with ThreadPoolExecutor(max_workers=3, thread_name_prefix="run-json") as pool:
            steps = pool.submit(self._steps, task_ids)
            actions = pool.submit(self._actions, task_ids)
            timeline = pool.submit(self._timeline, holder)
            return RunJson(run, artifacts, steps.result(), actions.result(), timeline.result())

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
        """The id whose artifacts to list: a task v2 keeps them under its workflow run."""
        # The server's own id for it (the one asked for may have been redirected or aliased).
        own = run.get("run_id")
        run_id = own if isinstance(own, str) and own else run_id
        if not run_id.startswith("tsk_v2_"):
            return run_id
        match = _WORKFLOW_RUN_IN_URL.search(str(run.get("app_url") or ""))
        if match:
            return match.group(1)
        try:
            task = self._get_json(f"/api/v2/tasks/{_q(run_id)}")
        except AuthError:
            raise
        except ApiError:
            task = None
        workflow_run_id = task.get("workflow_run_id") if isinstance(task, dict) else None
        return workflow_run_id if isinstance(workflow_run_id, str) and workflow_run_id else run_id

    def _per_task(self, task_ids: list[str], what: str) -> list[dict[str, Any]]:
        """GET /api/v1/tasks/{task}/{what} of every task, concatenated; a task without one (404,
        error) just has none."""

        def one(task_id: str) -> list[dict[str, Any]]:
            try:
                data = self._get_json(f"/api/v1/tasks/{_q(task_id)}/{what}")
            except AuthError:
                raise
            except ApiError:
                return []
            items = data if isinstance(data, list) else []
            return [{"task_id": task_id, **s} for s in items if isinstance(s, dict)]

        if len(task_ids) <= 1:
            return [s for t in task_ids for s in one(t)]
        with ThreadPoolExecutor(max_workers=min(4, len(task_ids))) as pool:
            return [s for items in pool.map(one, task_ids) for s in items]

    def _steps(self, task_ids: list[str]) -> list[dict[str, Any]]:
        return self._per_task(task_ids, "steps")

    def _actions(self, task_ids: list[str]) -> list[dict[str, Any]]:
        return self._per_task(task_ids, "actions")

    def _timeline(self, holder: str) -> list[dict[str, Any]]:
        """A workflow run's blocks; other runs have no timeline (the server answers 400)."""
        if not holder.startswith("wr_"):
            return []
        try:
            data = self._get_json(f"/v1/runs/{_q(holder)}/timeline")
        except AuthError:
            raise
        except ApiError:
            return []
        return _items(data)

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

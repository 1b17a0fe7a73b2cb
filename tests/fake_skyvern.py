"""A loopback impersonation of the Skyvern API (and of a storage host) serving the demo run,
with faults on demand: what a real server will not do when a test asks.

Each server records every request (path, query, headers) so tests can assert where the API key
went. Faults are queued per path: `server.fail(path, action, ...)`; each request to that path
takes the next one, and when the queue is empty the path behaves normally.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

DEMO = Path(__file__).resolve().parent.parent / "assets" / "demo"
API_KEY = "sk-test-SECRET-0123456789"
RUN_ID = "wr_602148146068894428"
TSK_V2_BY_URL = "tsk_v2_111"  # resolved through the app_url of its run
TSK_V2_BY_API = "tsk_v2_222"  # resolved through GET /api/v2/tasks/{id}

# An action answers one request: (handler) -> None.
Action = Callable[["Handler"], None]


@dataclass
class Seen:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


@dataclass
class Demo:
    run: dict
    artifacts: list[dict]
    steps: list[dict]
    files: dict[str, bytes]  # artifact id -> bytes

    @classmethod
    def load(cls) -> Demo:
        artifacts = json.loads((DEMO / "artifacts.json").read_text())
        files: dict[str, bytes] = {}
        for path in (DEMO / "files").iterdir():
            artifact_id = "_".join(path.name.split("_", 2)[:2])
            files[artifact_id] = path.read_bytes()
        return cls(
            json.loads((DEMO / "run.json").read_text()),
            artifacts,
            json.loads((DEMO / "steps.json").read_text()),
            files,
        )


class Handler(BaseHTTPRequestHandler):
    server: FakeServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else keep-alive answers stall 40 ms on delayed ACKs

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    # -- helpers ---------------------------------------------------------------------------
    def send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None,
             content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, data: Any, status: int = 200) -> None:
        self.send(status, json.dumps(data).encode())

    def do_GET(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        self.url_path, self.query = parts.path, parse_qs(parts.query)
        self.server.seen.append(Seen(self.url_path, self.query, {k.lower(): v for k, v in self.headers.items()}))
        fault = self.server.next_fault(self.url_path)
        if fault is not None:
            fault(self)
            return
        self.server.route(self)


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, route: Callable[[Handler], None]) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.route = route
        self.seen: list[Seen] = []
        self._faults: dict[str, deque[Action]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gives up on an answer (a bomb, a drip) resets the connection: expected.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def fail(self, path: str, *actions: Action) -> None:
        with self._lock:
            self._faults[path].extend(actions)

    def next_fault(self, path: str) -> Action | None:
        with self._lock:
            queue = self._faults.get(path)
            return queue.popleft() if queue else None

    def requests_to(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


# -- faults ------------------------------------------------------------------------------------
def status(code: int, body: Any = None, headers: dict[str, str] | None = None) -> Action:
    def act(h: Handler) -> None:
        h.send(code, json.dumps(body if body is not None else {"detail": f"fault {code}"}).encode(), headers)
    return act


def redirect(location: str, code: int = 302) -> Action:
    return lambda h: h.send(code, b"", {"Location": location})


def truncated(full: bytes) -> Action:
    """Promise all of `full`, send half, close the connection."""
    def act(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/octet-stream")
        h.send_header("Content-Length", str(len(full)))
        h.end_headers()
        h.wfile.write(full[: len(full) // 2])
        h.wfile.flush()
        h.close_connection = True
    return act


def slow(seconds: float) -> Action:
    """Headers at once, then silence longer than the client's timeout."""
    def act(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/octet-stream")
        h.send_header("Content-Length", "10")
        h.end_headers()
        h.wfile.flush()
        time.sleep(seconds)
        h.close_connection = True
    return act


def drip(interval: float, byte: bytes = b" ") -> Action:
    """Headers at once, then one byte every `interval` seconds, for as long as the client
    listens: only an overall deadline ends it."""
    def act(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(1 << 30))
        h.end_headers()
        try:
            while True:
                h.wfile.write(byte)
                h.wfile.flush()
                time.sleep(interval)
        except OSError:
            h.close_connection = True
    return act


def drip_headers(interval: float) -> Action:
    """A status line, then a header whose value never ends, a byte every `interval` seconds."""
    def act(h: Handler) -> None:
        try:
            h.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            while True:
                h.wfile.write(b"a")
                h.wfile.flush()
                time.sleep(interval)
        except OSError:
            h.close_connection = True
    return act


def encoded(body: bytes, encoding: str = "gzip", content_type: str = "application/octet-stream") -> Action:
    """`body` sent as it is, labelled with a Content-Encoding (a gzip bomb, for one)."""
    def act(h: Handler) -> None:
        try:
            h.send(200, body, {"Content-Encoding": encoding}, content_type=content_type)
        except OSError:  # the client gave up reading, as it should
            h.close_connection = True
    return act


def chunked_cut(parts: list[bytes]) -> Action:
    """A chunked body whose last (empty) chunk never comes: the connection just closes."""
    def act(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/octet-stream")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        for part in parts:
            h.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
        h.wfile.flush()
        h.close_connection = True
    return act


def html(body: bytes = b"<!doctype html><html><body>Skyvern</body></html>", code: int = 200) -> Action:
    """What a web UI (not the API) answers."""
    return lambda h: h.send(code, body, content_type="text/html; charset=utf-8")


def raw_json(body: bytes, code: int = 200) -> Action:
    return lambda h: h.send(code, body)


# -- the fake Skyvern -------------------------------------------------------------------------
@dataclass
class FakeSkyvern:
    """The API on one port, a storage host on another. `signed` decides the artifacts'
    signed_url: "file" (the demo's own file:// URLs, absent on this machine), "storage"
    (http URLs on the storage host), "stale" (storage URLs that answer 403 until refreshed)."""

    signed: str = "file"
    demo: Demo = field(default_factory=Demo.load)
    # file_size the server claims for logs: real servers report a stale (smaller) one.
    stale_log_size: bool = True
    # The key the API accepts: change it to revoke the one a test used.
    api_key: str = API_KEY

    def __post_init__(self) -> None:
        self.api = FakeServer(self._api)
        self.storage = FakeServer(self._storage)

    @property
    def base_url(self) -> str:
        return self.api.origin

    def stop(self) -> None:
        self.api.stop()
        self.storage.stop()

    def signed_url(self, artifact_id: str, sig: str = "fresh", query: str = "") -> str:
        return f"{self.storage.origin}/blob/{artifact_id}?sig={sig}{query}"

    def artifact_json(self, entry: dict, fresh: bool = False) -> dict:
        entry = dict(entry)
        if self.stale_log_size and entry["artifact_type"] in ("skyvern_log", "skyvern_log_raw"):
            entry["file_size"] = 2
        if self.signed == "storage" or (self.signed == "stale" and fresh):
            entry["signed_url"] = self.signed_url(entry["artifact_id"])
        elif self.signed == "stale":
            entry["signed_url"] = self.signed_url(entry["artifact_id"], "stale")
        return entry

    def _api(self, h: Handler) -> None:
        if h.headers.get("x-api-key") != self.api_key:
            h.send_json({"detail": "Invalid credentials"}, 403)
            return
        parts = h.url_path.strip("/").split("/")
        demo = self.demo
        if parts == ["v1", "runs"]:
            bad = [s for s in h.query.get("status", []) if s not in ("completed", "failed", "running", "queued")]
            if bad:
                h.send_json({"detail": [{"type": "enum", "loc": ["query", "status", 0],
                                         "msg": "Input should be 'completed', 'failed', ...", "input": bad[0]}]}, 422)
                return
            item = {"task_run_id": "tr_1", "run_id": RUN_ID, "task_run_type": "workflow_run",
                    "status": demo.run["status"], "title": "demo", "created_at": demo.run["created_at"]}
            h.send_json([item])
        elif len(parts) == 3 and parts[:2] == ["v1", "runs"]:
            run_id = parts[2]
            if run_id == RUN_ID:
                h.send_json(demo.run)
            elif run_id == TSK_V2_BY_URL:
                h.send_json({**demo.run, "run_id": run_id, "run_type": "task_v2",
                             "app_url": f"https://app.example/runs/{RUN_ID}"})
            elif run_id == TSK_V2_BY_API:
                h.send_json({**demo.run, "run_id": run_id, "run_type": "task_v2", "app_url": None})
            else:
                h.send_json({"detail": "Run not found"}, 404)
        elif len(parts) == 4 and parts[:2] == ["v1", "runs"] and parts[3] == "artifacts":
            if parts[2] != RUN_ID:
                h.send_json([] if parts[2].startswith("tsk_v2_") else {"detail": "not found"},
                            200 if parts[2].startswith("tsk_v2_") else 404)
                return
            types = h.query.get("artifact_type")
            h.send_json([self.artifact_json(a) for a in demo.artifacts if not types or a["artifact_type"] in types])
        elif len(parts) == 3 and parts[:2] == ["v1", "artifacts"]:
            entry = next((a for a in demo.artifacts if a["artifact_id"] == parts[2]), None)
            if entry is None:
                h.send_json({"detail": "Artifact not found"}, 404)
            else:
                h.send_json(self.artifact_json(entry, fresh=True))
        elif len(parts) == 4 and parts[:2] == ["v1", "artifacts"] and parts[3] == "content":
            data = demo.files.get(parts[2])
            if data is None:
                h.send_json({"detail": "Artifact not found"}, 404)
            else:
                h.send(200, data, content_type="application/octet-stream")
        elif len(parts) == 5 and parts[:3] == ["api", "v1", "tasks"] and parts[4] == "steps":
            h.send_json([s for s in demo.steps if s.get("task_id") == parts[3]])
        elif len(parts) == 4 and parts[:3] == ["api", "v2", "tasks"] and parts[3] == TSK_V2_BY_API:
            h.send_json({"task_id": parts[3], "workflow_run_id": RUN_ID})
        else:
            h.send_json({"detail": "Not Found"}, 404)

    def _storage(self, h: Handler) -> None:
        parts = h.url_path.strip("/").split("/")
        if len(parts) != 2 or parts[0] != "blob" or parts[1] not in self.demo.files:
            h.send(404, b"<Error><Code>NoSuchKey</Code></Error>", content_type="application/xml")
        elif h.query.get("sig") != ["fresh"]:
            h.send(403, b"<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
                   content_type="application/xml")
        else:
            h.send(200, self.demo.files[parts[1]], content_type="application/octet-stream")

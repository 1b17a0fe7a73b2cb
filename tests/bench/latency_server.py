"""A loopback fake of the Skyvern API paths the app uses (see tui/core/sources/api.py), that
waits LATENCY before every answer, as a far server does: `runs` runs to list, one run with
`artifacts` artifacts whose signed URLs point back at it."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

LATENCY = 0.050
RUN_ID = "wr_bench"
API_KEY = "bench-key"


def _run_item(n: int) -> dict[str, Any]:
    return {"task_run_id": f"tr_{n}", "run_id": f"wr_{n:07d}", "task_run_type": "workflow_run",
            "status": "completed", "title": f"benchrun {n:05d}",
            "created_at": f"2026-11-{28 - n // 1440 % 27:02d}T{n // 60 % 24:02d}:{n % 60:02d}:00"}


class LatencyServer:
    def __init__(self, runs: int, artifacts: int, body: bytes) -> None:
        self.items = [_run_item(n) for n in range(runs)]
        self.body = body
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                time.sleep(LATENCY)
                outer.requests += 1
                parts = urlsplit(self.path)
                status, data, kind = outer.answer(parts.path.strip("/").split("/"), parse_qs(parts.query))
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.artifacts = [self._artifact(n) for n in range(artifacts)]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _artifact(self, n: int) -> dict[str, Any]:
        artifact_id = f"a_{n:07d}"
        return {"artifact_id": artifact_id, "artifact_type": "llm_response_parsed", "run_id": RUN_ID,
                "workflow_run_id": RUN_ID, "task_id": None, "step_id": None, "file_size": len(self.body),
                "created_at": "2026-11-28T16:00:00", "modified_at": "2026-11-28T16:00:00",
                "uri": f"s3://bench/{artifact_id}.json", "signed_url": f"{self.origin}/blob/{artifact_id}"}

    def answer(self, parts: list[str], query: dict[str, list[str]]) -> tuple[int, bytes, str]:
        def js(value: Any, status: int = 200) -> tuple[int, bytes, str]:
            return status, json.dumps(value).encode(), "application/json"

        if parts == ["v1", "runs"]:
            page, size = int(query.get("page", ["1"])[0]), int(query.get("page_size", ["20"])[0])
            return js(self.items[(page - 1) * size: page * size])
        if parts[:2] == ["v1", "runs"] and len(parts) == 4 and parts[3] == "artifacts":
            return js(self.artifacts)
        if parts[:2] == ["v1", "runs"] and len(parts) == 4:
            return js([])
        if parts[:2] == ["v1", "runs"] and len(parts) == 3:
            return js({"run_id": parts[2], "run_type": "workflow_run", "status": "completed",
                       "created_at": "2026-11-28T16:00:00", "output": None})
        if parts[0] == "blob" or (parts[:2] == ["v1", "artifacts"] and parts[-1] == "content"):
            return 200, self.body, "application/octet-stream"
        if parts[:2] == ["api", "v1"]:
            return js([])
        return js({"detail": "Not Found"}, 404)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

"""Record the real network test inputs under tests/data/network/ (run by hand, not by pytest).

    /opt/pw-venv/bin/python tests/record_network.py          # HARs (bodies embedded/omitted), v10 trace
    PLAYWRIGHT_BROWSERS_PATH=/opt/pw-browsers PLAYWRIGHT_CHROMIUM_USE_HEADLESS_NEW=1 \
        /opt/skyvern-venv/bin/python tests/record_network.py --v7   # a Playwright 1.46 (v7) trace

A tiny site on 127.0.0.1 (the demo site of assets/recording/site plus a few routes of its own)
gives every case the viewers must show: a JSON API answer, a PNG, a 404, a request aborted by
the client, a request carrying secrets (Authorization, cookie, token in the query) for the
curl redaction, a console error and an uncaught page error thrown in a setTimeout.
"""

from __future__ import annotations

import functools
import http.server
import sys
import struct
import threading
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "assets" / "recording" / "site"
OUT = ROOT / "tests" / "data" / "network"
CHROMIUM = "/usr/lib/chromium/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def png(width: int = 16, height: int = 8) -> bytes:
    """A small two-colour PNG (written by hand: the Playwright venv has no Pillow)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(
        b"\0" + b"".join(b"\xd0\x30\x30" if x < width // 2 else b"\x30\x60\xd0" for x in range(width))
        for _ in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PNG = png()

NET_PAGE = b"""<!doctype html><html><head><title>net test</title><link rel="stylesheet" href="style.css"></head>
<body><h1>net test</h1><img src="/pixel.png">
<script>
fetch("/api/items?q=gear&token=s3cr3t-token", {headers: {"Authorization": "Bearer sk-live-123", "X-Api-Key": "key-456"}})
  .then(r => r.json()).then(d => console.log("items", d.items.length));
fetch("/api/missing").then(r => { if (!r.ok) console.error("missing failed with HTTP " + r.status); });
fetch("/api/echo", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({part: "spur-gear", qty: 2})});
fetch("/api/blocked").catch(e => console.warn("blocked: " + e));
setTimeout(() => { throw new Error("boom from setTimeout"); }, 50);
</script></body></html>"""


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep the recording quiet
        pass

    def _send(self, status: int, body: bytes, ctype: str, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/net.html":
            return self._send(200, NET_PAGE, "text/html", {"Set-Cookie": "session=abc123; Path=/"})
        if self.path == "/pixel.png":
            return self._send(200, PNG, "image/png")
        if self.path.startswith("/api/items"):
            return self._send(200, b'{"items":[{"id":1,"name":"spur gear"},{"id":2,"name":"bevel gear"}]}',
                              "application/json")
        if self.path.startswith("/api/missing"):
            return self._send(404, b'{"error":"not found"}', "application/json")
        return super().do_GET()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        self._send(201, b'{"ok":true,"echo":' + body + b"}", "application/json")


def serve() -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(SITE)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def browse(page, base: str) -> None:
    # Aborted by the client: the HAR shows it without a response.
    page.route("**/api/blocked", lambda route: route.abort())
    page.goto(base + "/net.html")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(200)  # the setTimeout page error
    page.goto(base + "/index.html")
    page.fill("#username", "demo")
    page.fill("#password", "hunter2")
    page.click("#signin")
    page.wait_for_load_state("networkidle")
    try:  # an action that fails: the trace shows its error
        page.click("#no-such-button", timeout=300)
    except Exception:
        pass


def record_hars_and_v10_trace() -> None:
    from playwright.sync_api import sync_playwright

    server, base = serve()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for content, name in (("embed", "bodies.har"), ("omit", "omitted.har")):
            context = browser.new_context(record_har_path=str(OUT / name), record_har_content=content)
            browse(context.new_page(), base)
            context.close()
        context = browser.new_context(viewport={"width": 640, "height": 400})
        context.tracing.start(screenshots=True, snapshots=True)
        browse(context.new_page(), base)
        context.tracing.stop(path=str(OUT / "trace_v10.zip"))
        context.close()
        browser.close()
    server.shutdown()


def record_v7_trace() -> None:
    from playwright.sync_api import sync_playwright

    server, base = serve()
    with sync_playwright() as p:
        browser = p.chromium.launch(args=ARGS)  # PLAYWRIGHT_BROWSERS_PATH points at Debian's chromium
        context = browser.new_context(viewport={"width": 640, "height": 400})
        context.tracing.start(screenshots=True, snapshots=True)
        browse(context.new_page(), base)
        context.tracing.stop(path=str(OUT / "trace_v7.zip"))
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    if "--v7" in sys.argv:
        record_v7_trace()
    else:
        record_hars_and_v10_trace()
    for path in sorted(OUT.iterdir()):
        print(f"{path.stat().st_size:>9}  {path.name}")

"""What the browser said: console errors and warnings (formats.logs.browser_console_log) and
failed requests of the HAR (formats.har), as problems with their times.

Skyvern's console log holds what the page's console printed (`context.on("console")`), its
time taken from the server's clock. An uncaught exception reaches it as an error whose text
starts "Uncaught" (Chromium prints it so): that is a page error, apart from console errors.
"""

from __future__ import annotations


from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import orjson

from ..errors import ParseError
from ..formats.jsonload import TOO_DEEP, count, load_json
from ..offload import offloaded
from ..formats.logs import browser_console_log
from ..model import Artifact, parse_time
from .model import Place, Problem, Severity

CONSOLE_SEVERITY = {"error": Severity.ERROR, "assert": Severity.ERROR, "warning": Severity.WARNING,
                    "warn": Severity.WARNING}
PAGE_ERROR = "Uncaught"
# A run's HAR can hold tens of thousands of requests: the model keeps the first failed ones.
MAX_FAILED_REQUESTS = 500


def console_problems(artifact: Artifact, data: bytes) -> list[Problem]:
    problems: list[Problem] = []
    for index, message in enumerate(browser_console_log(data)):
        severity = CONSOLE_SEVERITY.get(message.type)
        if severity is None:
            continue
        text = message.text.split("\n", 1)[0].strip()
        where = "page" if text.startswith(PAGE_ERROR) else "console"
        if message.location:
            text = f"{text} ({message.location})"
        problems.append(Problem(where, severity, text, parse_time(message.timestamp),
                                Place(artifact, f"message:{index}")))
    return problems


def _failed(raw: object) -> bool:
    """Cheaply, before an entry is parsed: a response of 400 and over, or none (status 0, a
    Playwright `_failureText`)."""
    if not isinstance(raw, dict):
        return False
    response = raw.get("response")
    response = response if isinstance(response, dict) else {}
    status = response.get("status")
    if response.get("_failureText") or raw.get("_failureText"):
        return True
    return not isinstance(status, (int, float)) or isinstance(status, bool) or status >= 400 or status <= 0


def failure_frames(data: bytes) -> Iterator[bytes]:
    """The `har_failures` task (core.offload): one frame, the failed count and the first
    MAX_FAILED_REQUESTS failed entries as [index, method, outcome, url, started ms]. Only the
    failed entries are parsed; the file is read an entry at a time (formats.har.raw_entries)."""
    from ..formats.har import parse_entry, raw_entries  # imported when a HAR is read, not with the run model

    rows: list[list[Any]] = []
    failed = 0
    try:
        for index, raw in raw_entries(data):
            if not _failed(raw):
                continue
            failed += 1
            if len(rows) < MAX_FAILED_REQUESTS:
                entry = parse_entry(raw, index)
                rows.append([index, entry.method, entry.failure or str(entry.status), entry.url, entry.started])
    except RecursionError:
        raise ParseError(f"The HAR file is {TOO_DEEP}.") from None
    yield orjson.dumps({"failed": failed, "rows": rows})


def network_problems(artifact: Artifact, data: bytes) -> tuple[list[Problem], int]:
    """The failed requests (at most MAX_FAILED_REQUESTS) and how many failed in all. A big
    HAR is read in a child process, niced (core.offload): the scan runs as the run opens,
    when the person's first key must not wait behind it for the GIL."""
    problems: list[Problem] = []
    failed = 0
    for frame in offloaded("har_failures", data, nice=10):
        found = load_json(frame, "The HAR file")
        failed += count(found.get("failed"))
        for index, method, outcome, url, started_ms in found.get("rows") or ():
            started = datetime.fromtimestamp(started_ms / 1000, timezone.utc) if started_ms else None
            problems.append(Problem("network", Severity.ERROR, f"{method} {outcome} {url}", started,
                                    Place(artifact, f"entry:{index}")))
    return problems, failed

"""What the browser said: console errors and warnings (formats.logs.browser_console_log) and
failed requests of the HAR (formats.har), as problems with their times.

Skyvern's console log holds what the page's console printed (`context.on("console")`), its
time taken from the server's clock. An uncaught exception reaches it as an error whose text
starts "Uncaught" (Chromium prints it so): that is a page error, apart from console errors.
"""

from __future__ import annotations


from datetime import datetime, timezone

from ..formats.jsonload import nesting_guard
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


@nesting_guard("The HAR file")
def network_problems(artifact: Artifact, data: bytes) -> tuple[list[Problem], int]:
    """The failed requests (at most MAX_FAILED_REQUESTS) and how many failed in all. Only the
    failed entries are parsed; the file is read an entry at a time (formats.har.raw_entries),
    so a 20,000-entry HAR never holds the GIL for long."""
    from ..formats.har import parse_entry, raw_entries  # imported when a HAR is read, not with the run model

    problems: list[Problem] = []
    failed = 0
    for index, raw in raw_entries(data):
        if not _failed(raw):
            continue
        failed += 1
        if len(problems) >= MAX_FAILED_REQUESTS:
            continue
        entry = parse_entry(raw, index)
        outcome = entry.failure or str(entry.status)
        started = datetime.fromtimestamp(entry.started / 1000, timezone.utc) if entry.started else None
        problems.append(Problem("network", Severity.ERROR, f"{entry.method} {outcome} {entry.url}", started,
                                Place(artifact, f"entry:{index}")))
    return problems, failed

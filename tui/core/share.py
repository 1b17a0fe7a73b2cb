"""What a teammate pastes to see the same artifact: the command line that opens the run at it
(`--open ID`, read by the CLI), and the run's page in Skyvern's web app when the API gave one.

The command line names the source as the CLI does (the demo, a folder, Skyvern Cloud, another
server) and never holds the API key: the teammate has their own.
"""

from __future__ import annotations

import shlex
from urllib.parse import urlsplit, urlunsplit

from .model import Artifact, RunDetail
from .sources.base import Source
from .textsafe import visible_controls

PROGRAM = "skyvern-tui"
# The CLI's default server (tui.config.DEFAULT_BASE_URL): a run there needs no --base-url.
CLOUD_URL = "https://api.skyvern.com"


def _without_credentials(url: str) -> str:
    """The server's URL without a user:password part or a query (nothing secret goes out)."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address
    netloc = host + (f":{parts.port}" if parts.port is not None else "")
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


def source_args(source: Source) -> list[str] | None:
    """The CLI arguments that name `source` (before the run id); None for a source the CLI
    cannot be told about (a test's or a future kind)."""
    from .sources.demo import DEMO_LABEL, demo_folder  # noqa: PLC0415 (light, but only needed here)
    from .sources.local import LocalSource

    if isinstance(source, LocalSource):
        root = source.root.expanduser().resolve()
        if source.label == DEMO_LABEL:
            try:
                if root == demo_folder().resolve():
                    return ["--demo"]
            except Exception:  # noqa: BLE001 (no demo in this install: the folder it is)
                pass
        return ["--local", str(root)]
    settings = getattr(source, "settings", None)
    base_url = getattr(settings, "base_url", None)
    if isinstance(base_url, str) and base_url:
        url = _without_credentials(base_url)
        return [] if url == CLOUD_URL else ["--base-url", url]
    return None


def command_argv(source: Source, detail: RunDetail, artifact: Artifact) -> list[str] | None:
    """`skyvern-tui [SOURCE FLAGS] [RUN_ID] --open ARTIFACT_ID` as a list; the demo needs no run
    id (it holds one run); None when the source cannot be named."""
    args = source_args(source)
    if args is None or not artifact.artifact_id:
        return None
    run = [] if args == ["--demo"] else [detail.run.run_id]
    return [PROGRAM, *args, *run, "--open", artifact.artifact_id]


def command_line(source: Source, detail: RunDetail, artifact: Artifact) -> str | None:
    """The command line to paste in a shell (each argument quoted where it must be)."""
    argv = command_argv(source, detail, artifact)
    return shlex.join(argv) if argv is not None else None


def app_url(detail: RunDetail) -> str | None:
    """The run's page in Skyvern's web app, as the API said (`app_url` of GET /v1/runs/{id},
    kept in a downloaded run.json); None when it said none: a folder's run has no page."""
    value = detail.run.raw.get("app_url")
    if not isinstance(value, str) or urlsplit(value.strip()).scheme not in ("http", "https"):
        return None
    return visible_controls(value.strip())

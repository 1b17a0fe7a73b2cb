"""What the command line and the commands share: a usage error, run ids, the API source.

Both tui.cli and tui.commands import this module, so neither imports the other back."""

from __future__ import annotations

import argparse

from .core.errors import TuiError
from .core.ids import run_id_from


class UsageError(TuiError):
    """Wrong input on the command line: exit status 2."""


def run_id_arg(text: str) -> str:
    """The run in a pasted Skyvern URL, else the text itself (local run ids take any form)."""
    run_id = run_id_from(text) or text.strip()
    if not run_id:
        raise UsageError("an empty run id")
    return run_id


def api_source(args: argparse.Namespace):
    """The API source the flags, environment and config name, or None without a key."""
    import sys

    from .config import cache_dir, resolve_connection

    connection = resolve_connection(args.api_key, args.base_url, args.profile,
                                    artifact_roots=getattr(args, "artifact_roots", None))
    if connection is None:
        return None
    # Only with a key: the API client (httpx) costs a tenth of a second of start-up.
    from .core.cache import ArtifactCache
    from .core.sources.api import ApiSettings, ApiSource
    from .core.textsafe import visible_controls

    settings = ApiSettings(base_url=connection.base_url, api_key=connection.api_key, label=connection.label,
                           artifact_roots=connection.artifact_roots)
    source = ApiSource(settings, cache=ArtifactCache(cache_dir() / "artifacts"))
    if source.warning:  # before any request carries the key (the app shows it again)
        print(visible_controls(f"skyvern-tui: warning: {source.warning}"), file=sys.stderr)
    return source

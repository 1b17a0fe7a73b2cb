"""Every field of one artifact, as rows of the info panel (`i`), and when its signed URL expires.

A signed URL says its own expiry in its query: S3's `X-Amz-Date` + `X-Amz-Expires` (SigV4),
GCS's `X-Goog-Date` + `X-Goog-Expires`, Azure's `se`, Skyvern's own local signing (and S3
SigV2, CloudFront, GCS v2) a Unix time in `expiry` / `Expires`. A `file://` URL (a self-hosted
server on local disk) does not expire.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .located import Located
from .model import parse_time
from .share import app_url, command_line
from .textsafe import visible_controls

MAX_EXPIRY_SECONDS = 10 * 365 * 24 * 3600  # beyond this a number is not an expiry


@dataclass(frozen=True)
class Expiry:
    at: datetime
    scheme: str  # "S3", "GCS", "Azure", "Skyvern", "Expires"


def _time_of(stamp: str) -> datetime | None:
    """An AWS/GCS `20261201T113558Z` stamp."""
    try:
        return datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def _unix(value: str) -> datetime | None:
    if not value.isdigit() or len(value) > 12:
        return None
    try:
        return datetime.fromtimestamp(int(value), tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def _seconds(value: str) -> int | None:
    return int(value) if value.isdigit() and int(value) <= MAX_EXPIRY_SECONDS else None


def signed_url_expiry(url: str | None) -> Expiry | None:
    """When `url` stops working, from its query; None when it does not say (or is not signed)."""
    if not url:
        return None
    try:
        query = {k.lower(): v for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=True)}
    except ValueError:
        return None
    for prefix, scheme in (("x-amz-", "S3"), ("x-goog-", "GCS")):
        start, seconds = _time_of(query.get(prefix + "date", "")), _seconds(query.get(prefix + "expires", ""))
        if start is not None and seconds is not None:
            return Expiry(start + timedelta(seconds=seconds), scheme)
    if "sig" in query and "se" in query:  # Azure SAS: `se` is the end as ISO 8601
        end = parse_time(query["se"])
        if end is not None:
            return Expiry(end, "Azure")
    for name, scheme in (("expiry", "Skyvern"), ("expires", "Expires")):
        end = _unix(query.get(name, ""))
        if end is not None:
            return Expiry(end, scheme)
    return None


def expiry_text(url: str | None, now: datetime | None = None) -> str:
    """'2026-12-01 12:35:58 UTC (in 59 min, S3)', 'expired …', or why none is known."""
    if not url:
        return "— (no signed URL)"
    if urlsplit(url).scheme == "file":
        return "never (a file on the server's disk)"
    expiry = signed_url_expiry(url)
    if expiry is None:
        return "no expiry known"
    now = now or datetime.now(timezone.utc)
    left = (expiry.at - now).total_seconds()
    when = expiry.at.strftime("%Y-%m-%d %H:%M:%S UTC")
    span = _span(abs(left))
    return f"{when} ({'in ' + span if left >= 0 else 'expired ' + span + ' ago'}, {expiry.scheme})"


def _span(seconds: float) -> str:
    if seconds < 90:
        return f"{int(seconds)} s"
    if seconds < 90 * 60:
        return f"{int(seconds // 60)} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{int(seconds // 86400)} days"


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return visible_controls(str(value))


# The rows the panel always shows, in this order: (label, field of the API's artifact).
_FIELDS = (
    ("id", "artifact_id"), ("type", "artifact_type"), ("uri", "uri"), ("bundle key", "bundle_key"),
    ("signed URL", "signed_url"),
    ("task", "task_id"), ("step", "step_id"), ("run", "run_id"), ("workflow run", "workflow_run_id"),
    ("block", "workflow_run_block_id"), ("organization", "organization_id"),
    ("created", "created_at"), ("modified", "modified_at"), ("size", "file_size"), ("checksum", "checksum"),
    ("archived", "archived"),
)


@dataclass(frozen=True)
class InfoRow:
    label: str
    value: str  # safe to show; what `y` copies
    known: bool = True  # False: a dash or a reason, not worth copying


def _file_of(located: Located) -> str:
    """Where the bytes are on this disk: under the folder the command line names, relative."""
    path, root = located.artifact.path, getattr(located.source, "root", None)
    if path is not None and isinstance(root, Path):
        try:
            return visible_controls(str(path.resolve().relative_to(root.expanduser().resolve())))
        except (ValueError, OSError):
            pass
    return located.artifact.location


def info_rows(located: Located, now: datetime | None = None) -> list[InfoRow]:
    """Every field of the artifact (the model's, else the API's as it came), then the signed
    URL's expiry, the rest of the API's fields, the path on this disk, the command line and
    the app URL."""
    artifact = located.artifact
    raw: Mapping[str, Any] = artifact.raw
    model: dict[str, Any] = {
        "artifact_id": artifact.artifact_id, "artifact_type": artifact.artifact_type, "uri": artifact.uri,
        "bundle_key": artifact.bundle_key, "signed_url": artifact.signed_url, "task_id": artifact.task_id,
        "step_id": artifact.step_id, "run_id": artifact.run_id, "workflow_run_id": artifact.workflow_run_id,
        "workflow_run_block_id": artifact.workflow_run_block_id, "created_at": artifact.created_at,
        "file_size": artifact.file_size,
    }
    rows: list[InfoRow] = []
    for label, name in _FIELDS:
        value = model.get(name)
        if value is None:
            value = raw.get(name)
            if name == "modified_at":
                value = parse_time(value) or value
        text = _shown(value)
        if name == "file_size" and isinstance(value, int) and not isinstance(value, bool):
            text = f"{value:,} bytes"
        rows.append(InfoRow(label, text, text != "—"))
        if name == "signed_url":
            rows.append(InfoRow("expires", expiry_text(artifact.signed_url, now), False))
    shown = {name for _, name in _FIELDS}
    for name, value in raw.items():
        if name not in shown and isinstance(name, str) and not isinstance(value, (dict, list)):
            text = _shown(value)
            rows.append(InfoRow(visible_controls(name), text, text != "—"))
    if artifact.path is not None:
        rows.append(InfoRow("file", _file_of(located)))
    line = command_line(located.source, located.detail, artifact)
    rows.append(InfoRow("command line", line or "— (this source cannot be named on a command line)", line is not None))
    url = app_url(located.detail)
    rows.append(InfoRow("app URL", url or "— (the API gave none)", url is not None))
    return rows

"""Where an artifact's bytes come from, cheapest first.

1. the disk cache;
2. a `file://` signed_url or uri that exists on this machine (a self-hosted server on local
   disk: Skyvern's signed_url then equals the uri). Only when the API's address is loopback
   AND the file, symlinks resolved, is a regular file under one of the artifact roots the user
   configured: a server (remote, or a local one that was fooled) naming
   file:///home/you/.ssh/id_rsa must not make us read it. Anything else goes through the API;
3. an http(s) signed_url, fetched WITHOUT the API key (it is a storage host's URL). An expired
   one (by its X-Amz-Expires / Expires, or a 400/403 answer) is swapped once for a fresh one
   from GET /v1/artifacts/{id};
4. GET /v1/artifacts/{id}/content with the key: works for any storage.

A bundled member (a row with a `bundle_key`) arrives as its whole archive from local storage:
`bundles.BundleReader` takes the member out and fetches an archive once for all its members.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TypeGuard
from urllib.parse import quote, urlsplit
from urllib.request import url2pathname

import httpx

from .bundles import BundleReader
from .cache import ArtifactCache, cache_scope
from .confined import Confined
from .errors import ApiError, ArtifactUnavailable, AuthError
from .http import HttpClient, Resolver, is_loopback, json_of, public_url, raise_for_status, system_resolver
from .model import Artifact

EXPIRY_MARGIN = timedelta(seconds=30)  # a URL about to expire would expire mid-download
STALE_SIGNED_STATUSES = frozenset({400, 401, 403})


def local_path(url: str | None) -> Path | None:
    """The path of a file:// URL on this machine (no host, or localhost), else None.

    Skyvern 1.0.56 writes both spellings: a download's uri percent-encoded (`artifact%20store`),
    a step file's raw (`artifact store`, and a `%` in a name stays a `%`). The decoded path is the
    one, unless only the raw one is a file."""
    if not url or not url.lower().startswith("file:"):
        return None
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        return None
    decoded = Path(url2pathname(parts.path))  # url2pathname unquotes, once
    raw = Path(parts.path)
    if decoded != raw and not os.path.lexists(decoded) and os.path.lexists(raw):
        return raw
    return decoded


def root_of(path: Path, roots: Iterable[Path]) -> Confined | None:
    """The root (of `roots`) under which `path` is a regular file, links resolved, else None: a
    link out of every root, a FIFO or a device is not read."""
    for root in roots:
        confined = Confined(root.expanduser(), "the artifact roots")
        if confined.refusal(path) is None:
            return confined
    return None


def signed_url_expired(url: str, now: datetime | None = None) -> bool:
    """True when the URL's own expiry (S3, GCS, Azure, CloudFront styles) is past or near."""
    now = (now or datetime.now(timezone.utc)) + EXPIRY_MARGIN
    try:
        params = {k.lower(): v for k, v in httpx.URL(url).params.multi_items()}
    except (httpx.InvalidURL, ValueError):
        return False
    try:
        for date_key, life_key in (("x-amz-date", "x-amz-expires"), ("x-goog-date", "x-goog-expires")):
            if date_key in params and life_key in params:
                signed = datetime.strptime(params[date_key], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
                return signed + timedelta(seconds=int(params[life_key])) <= now
        if params.get("expires", "").isdigit():
            return datetime.fromtimestamp(int(params["expires"]), timezone.utc) <= now
        if "se" in params:  # Azure SAS
            return datetime.fromisoformat(params["se"].replace("Z", "+00:00")) <= now
    except (ValueError, OverflowError, OSError):
        return False
    return False


def _is_http(url: str | None) -> TypeGuard[str]:
    return url is not None and url.lower().startswith(("http://", "https://"))


class ContentLoader:
    """`local_files=False` never reads file:// uris; otherwise they are read only from a
    loopback API and only under `artifact_roots`. The cache is scoped by the API origin and a
    hash of the key, so another key (or a revoked one) never reads what this one cached."""

    def __init__(
        self,
        http: HttpClient,
        cache: ArtifactCache | None = None,
        local_files: bool | None = None,
        *,
        api_key: str = "",
        artifact_roots: Iterable[Path | str] = (),
        resolve: Resolver = system_resolver,
    ) -> None:
        self.http = http
        self.cache = cache
        self.origin = "{}://{}:{}".format(*http.origin)
        self.scope = cache_scope(self.origin, api_key)
        self.roots = tuple(Path(r) for r in artifact_roots)
        self._local_wanted = local_files is not False and bool(self.roots)
        self._resolve = resolve
        self._loopback: bool | None = None  # resolved on first use, in a worker: DNS may be slow
        self._lock = threading.Lock()
        self.bundles = BundleReader()

    @property
    def local_files(self) -> bool:
        if not self._local_wanted:
            return False
        with self._lock:
            if self._loopback is None:
                self._loopback = is_loopback(self.http.base_url, self._resolve)
            return self._loopback

    # -- the cache, per key ------------------------------------------------------------------
    def cached(self, name: str) -> bytes | None:
        if self.cache is None or self.cache.revoked(self.scope):
            return None
        return self.cache.get(self.scope, name)

    def keep(self, name: str, data: bytes) -> None:
        if self.cache is not None:
            self.cache.put(self.scope, name, data)

    def key_refused(self) -> None:
        """The server refused the key: what it cached is no longer its to read, offline too."""
        if self.cache is not None:
            self.cache.revoke(self.scope)

    def key_accepted(self) -> None:
        if self.cache is not None:
            self.cache.unrevoke(self.scope)

    def read(self, artifact: Artifact, *, cacheable: bool = True) -> bytes:
        hit = self.cached(artifact.artifact_id)
        if hit is not None:
            return hit
        on_disk = self._local_file(artifact) is not None
        # A bundled member is taken from its archive here; the cache holds the member.
        try:
            data = self.bundles.read(artifact, self._fetch)
        except AuthError:
            self.key_refused()
            raise
        if cacheable and not on_disk:  # on disk: caching would only copy it
            self.keep(artifact.artifact_id, data)
        return data

    def _fetch(self, artifact: Artifact) -> bytes:
        local = self._local(artifact)
        if local is not None:
            return local
        data = None
        if _is_http(artifact.signed_url) and not artifact.bundle_key:
            data = self._signed(artifact)
        if data is None:
            data = self._content_endpoint(artifact)
        return data

    def _local_file(self, artifact: Artifact) -> tuple[Confined, Path] | None:
        """The file on this machine an artifact's file:// URL names, with the root it is under."""
        if not self.local_files:
            return None
        for url in (artifact.signed_url, artifact.uri):
            path = local_path(url)
            root = root_of(path, self.roots) if path is not None else None
            if root is not None and path is not None:
                return root, path
        return None

    def _local(self, artifact: Artifact) -> bytes | None:
        found = self._local_file(artifact)
        if found is None:
            return None
        root, path = found
        try:
            # Opened through its root: no link out of it, no FIFO or device swapped in since.
            return root.read(path, self.http.max_bytes)
        except OSError:
            return None

    def _signed(self, artifact: Artifact) -> bytes | None:
        """The bytes from the signed URL, or None to fall back to the content endpoint."""
        url: str | None = artifact.signed_url
        refreshed = False
        if url and signed_url_expired(url):
            url, refreshed = self.fresh_signed_url(artifact), True
        for _ in range(2):
            if not _is_http(url):
                return None
            try:
                # keyed=False: a signed URL is its own credential; the key stays home.
                response = self.http.get(httpx.URL(url), keyed=False, what=f"GET {public_url(url)}")
            except (ApiError, httpx.InvalidURL, ValueError):
                return None  # storage unreachable: the API may still serve it
            if response.status_code < 300:
                return response.content
            if response.status_code not in STALE_SIGNED_STATUSES or refreshed:
                return None
            url, refreshed = self.fresh_signed_url(artifact), True
        return None

    def fresh_signed_url(self, artifact: Artifact) -> str | None:
        what = f"GET /v1/artifacts/{artifact.artifact_id}"
        try:
            response = self.http.get(self.http.api_url(f"/v1/artifacts/{quote(artifact.artifact_id, safe='')}"), what=what)
            raise_for_status(response, what)
            data = json_of(response, what)
        except AuthError:
            raise
        except ApiError:
            return None
        return data.get("signed_url") if isinstance(data, dict) else None

    def _content_endpoint(self, artifact: Artifact) -> bytes:
        path = f"/v1/artifacts/{quote(artifact.artifact_id, safe='')}/content"
        what = f"GET {path}"

        def missing() -> ArtifactUnavailable:
            return ArtifactUnavailable(
                f"{artifact.artifact_type} {artifact.artifact_id}: the server has no content for it "
                f"({what} answered 404); it may have been deleted or never written."
            )

        response = self.http.get(self.http.api_url(path), what=what)
        raise_for_status(response, what, missing)
        return response.content

"""Members of bundled archives: the one place every source takes a member from its zip.

With ARTIFACT_CONTENT_HMAC_KEYRING set, Skyvern packs a step's artifacts into a `step_archive`
zip (a task's HAR, console log and trace into a `task_archive`) and lists each member as a row
of its own: its `uri` is the archive's, its `bundle_key` the member's name. A server on local
storage (and the folder on disk) gives the whole zip for such a row; one on S3 gives the member.
So: bytes that are a zip holding the member are opened and the member taken (bounded, as the
trace reader does); other bytes are already the member.

Several member rows share one archive: the archive is fetched once (rows of one uri wait for
each other) and kept in a small in-memory LRU, bounded in bytes, for its other members.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from .catalog import ARCHIVE_TYPES, Format
from .errors import ArtifactUnavailable, ParseError
from .formats.zipread import looks_like_zip, open_zip, read_member
from .model import Artifact

MAX_MEMBER_BYTES = 512 * 1024 * 1024  # one inflated member (a HAR with bodies can be large)
DEFAULT_KEEP_BYTES = 128 * 1024 * 1024  # archives kept in memory for their other members


def take_member(artifact: Artifact, data: bytes) -> bytes:
    """The member `artifact.bundle_key` from `data` when `data` is its archive, else `data`.

    ParseError when the archive is damaged or would inflate past the limits, ArtifactUnavailable
    when it holds no such member. A member that is itself a zip (`trace.zip`) and was served
    extracted is told apart by not holding a member of its own name.
    """
    key = artifact.bundle_key
    if not key or not looks_like_zip(data):
        return data
    what = f"{artifact.artifact_type} {artifact.artifact_id} (archive member {key})"
    try:
        archive = open_zip(data, what)
    except ParseError:
        if artifact.kind.format is Format.ZIP:
            return data  # an extracted zip member: its own parser says what is wrong with it
        raise
    with archive:
        try:
            return read_member(archive, key, MAX_MEMBER_BYTES, what)
        except KeyError:
            if artifact.kind.format is Format.ZIP:
                return data
            names = archive.namelist()
            shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
            raise ArtifactUnavailable(
                f"{what}: its archive has no member of that name (it holds {len(names)}: {shown})."
            ) from None


class BundleReader:
    """Reads artifacts through `fetch`, taking bundled members from archives fetched once."""

    def __init__(self, keep_bytes: int = DEFAULT_KEEP_BYTES) -> None:
        self.keep_bytes = keep_bytes
        self._kept: OrderedDict[str, bytes] = OrderedDict()  # archive uri -> its bytes, oldest first
        self._lock = threading.Lock()
        self._fetching: dict[str, threading.Lock] = {}  # archive uri -> held while it is fetched
        self._extracted: set[str] = set()  # archive uris whose rows were served as members
        self.fetches = 0  # archives fetched (not members), for tests and figures

    def read(self, artifact: Artifact, fetch: Callable[[Artifact], bytes]) -> bytes:
        archive_key = artifact.uri if artifact.bundle_key or artifact.artifact_type in ARCHIVE_TYPES else None
        if archive_key is None:
            return fetch(artifact)
        if not artifact.bundle_key:  # the archive row itself: its bytes, kept for its members
            return self._archive(artifact, archive_key, fetch)
        with self._lock:
            if archive_key in self._extracted:
                gate = None  # this server extracts members (S3): nothing to share, fetch in parallel
            else:
                gate = self._fetching.setdefault(archive_key, threading.Lock())
        if gate is None:
            return take_member(artifact, fetch(artifact))
        with gate:  # the other members of this archive wait for its one fetch
            with self._lock:
                kept = self._kept.get(archive_key)
                if kept is not None:
                    self._kept.move_to_end(archive_key)
            if kept is not None:
                return take_member(artifact, kept)
            data = fetch(artifact)
            with self._lock:
                self.fetches += 1
            member = take_member(artifact, data)
            if member is data:
                with self._lock:
                    self._extracted.add(archive_key)
            else:
                self._keep(archive_key, data)  # the archive itself: its other members are in it
            return member

    def _archive(self, artifact: Artifact, archive_key: str, fetch: Callable[[Artifact], bytes]) -> bytes:
        with self._lock:
            gate = self._fetching.setdefault(archive_key, threading.Lock())
        with gate:
            with self._lock:
                kept = self._kept.get(archive_key)
            if kept is not None:
                return kept
            data = fetch(artifact)
            with self._lock:
                self.fetches += 1
            if looks_like_zip(data):
                self._keep(archive_key, data)
            return data

    def _keep(self, archive_key: str, data: bytes) -> None:
        if len(data) > self.keep_bytes:
            return
        with self._lock:
            self._kept[archive_key] = data
            self._kept.move_to_end(archive_key)
            total = sum(len(v) for v in self._kept.values())
            while total > self.keep_bytes and len(self._kept) > 1:
                _key, dropped = self._kept.popitem(last=False)
                total -= len(dropped)

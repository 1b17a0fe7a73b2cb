"""A disk cache of artifact bytes: size-capped, least recently used first out.

An entry is named by sha256(scope, artifact_id), where the scope is the API origin and a hash
of the API key (`cache_scope`): another key, on the same server, reads none of it. The folder
holds neither the API key (nor its hash: names are hashes of the scope) nor a readable id, and it holds a checksum of its payload so that a torn or edited file reads as a
miss instead of as wrong bytes. The time of last use is the file's mtime, so the order
survives restarts; in one process an in-memory order is kept as well, because mtimes can tie.
Writes go to a temporary file that is renamed into place, so a reader never sees half an entry.
A scope whose key the server refused is marked revoked (outside the LRU, so no eviction lifts
it): its entries read as misses, offline too, until the server accepts that key again.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

DEFAULT_MAX_BYTES = 1 << 30
MAGIC = b"STUI1\n"
_HEADER = len(MAGIC) + 32  # magic + sha256 of the payload
SUFFIX = ".bin"
REVOKED = "revoked"  # a sub-folder of markers, one per refused scope


def cache_scope(origin: str, api_key: str) -> str:
    """What entries are keyed by: the server and which key read them (as a hash, never the key)."""
    return f"{origin}\nkey:{hashlib.sha256(api_key.encode()).hexdigest()}"


class ArtifactCache:
    def __init__(self, directory: Path | str, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.directory = Path(directory).expanduser()
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._index: OrderedDict[str, int] | None = None  # name -> size, oldest use first

    @staticmethod
    def key(scope: str, artifact_id: str) -> str:
        return hashlib.sha256(f"{scope}\n{artifact_id}".encode()).hexdigest()

    def _marker(self, scope: str) -> Path:
        return self.directory / REVOKED / hashlib.sha256(f"revoked\n{scope}".encode()).hexdigest()

    def revoked(self, scope: str) -> bool:
        return self._marker(scope).exists()

    def revoke(self, scope: str) -> None:
        marker = self._marker(scope)
        try:
            marker.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            marker.touch()
        except OSError:
            pass

    def unrevoke(self, scope: str) -> None:
        marker = self._marker(scope)
        if marker.exists():
            _unlink(marker)

    def _path(self, name: str) -> Path:
        return self.directory / name[:2] / (name + SUFFIX)

    def _load_index(self) -> OrderedDict[str, int]:
        """Entries on disk, oldest use first (called with the lock held)."""
        found: list[tuple[int, str, int]] = []
        try:
            for sub in self.directory.iterdir():
                if sub.is_dir() and sub.name != REVOKED:
                    for entry in os.scandir(sub):
                        if entry.name.endswith(SUFFIX) and entry.is_file():
                            st = entry.stat()
                            found.append((st.st_mtime_ns, entry.name[: -len(SUFFIX)], st.st_size))
        except OSError:
            pass
        found.sort()
        return OrderedDict((name, size) for _t, name, size in found)

    def _ensure_index(self) -> OrderedDict[str, int]:
        if self._index is None:
            self._index = self._load_index()
        return self._index

    def get(self, scope: str, artifact_id: str) -> bytes | None:
        name = self.key(scope, artifact_id)
        path = self._path(name)
        try:
            blob = path.read_bytes()
        except OSError:
            return None
        payload = blob[_HEADER:]
        if blob[: len(MAGIC)] != MAGIC or hashlib.sha256(payload).digest() != blob[len(MAGIC) : _HEADER]:
            self._discard(name)  # corrupt: forget it, the caller fetches again
            return None
        try:
            os.utime(path)  # last use, for the next process's order
        except OSError:
            pass
        with self._lock:
            index = self._ensure_index()
            index[name] = len(blob)
            index.move_to_end(name)
        return payload

    def put(self, scope: str, artifact_id: str, data: bytes) -> None:
        """Store; silently does nothing when the disk refuses (a cache must never break a read)."""
        size = _HEADER + len(data)
        if size > self.max_bytes:
            return
        name = self.key(scope, artifact_id)
        path = self._path(name)
        try:
            # Private (0700): screenshots of logged-in pages are no one else's business.
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            path.parent.mkdir(exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(MAGIC + hashlib.sha256(data).digest() + data)
                os.replace(tmp, path)
            except BaseException:
                _unlink(Path(tmp))
                raise
        except OSError:
            return
        with self._lock:
            index = self._ensure_index()
            index[name] = size
            index.move_to_end(name)
            if sum(index.values()) > self.max_bytes:
                self._evict(index, keep=name)

    def _evict(self, index: OrderedDict[str, int], keep: str) -> None:
        """Drop the least recently used until under the cap (called with the lock held).

        Other processes may have added entries: rescan first, keeping this process's order
        for what it knows."""
        on_disk = self._load_index()
        merged = OrderedDict((n, s) for n, s in on_disk.items() if n not in index)
        merged.update((n, on_disk[n]) for n in index if n in on_disk)
        total = sum(merged.values())
        for victim in list(merged):
            if total <= self.max_bytes:
                break
            if victim == keep:
                continue
            _unlink(self._path(victim))
            total -= merged.pop(victim)
        self._index = merged

    def _discard(self, name: str) -> None:
        _unlink(self._path(name))
        with self._lock:
            if self._index is not None:
                self._index.pop(name, None)

    def size(self) -> int:
        with self._lock:
            self._index = self._load_index()
            return sum(self._index.values())

    def clear(self) -> None:
        with self._lock:
            for name in self._load_index():
                _unlink(self._path(name))
            self._index = OrderedDict()


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass

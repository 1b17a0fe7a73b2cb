"""The disk cache of artifact bytes."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from tui.core.cache import ArtifactCache

ORIGIN = "http://127.0.0.1:8000"


def entries(cache: ArtifactCache) -> list[Path]:
    return [p for p in cache.directory.rglob("*.bin")]


def test_round_trip_and_miss(tmp_path: Path):
    cache = ArtifactCache(tmp_path)
    assert cache.get(ORIGIN, "a_1") is None
    cache.put(ORIGIN, "a_1", b"\x00bytes\xff")
    assert cache.get(ORIGIN, "a_1") == b"\x00bytes\xff"
    # Another server's artifact of the same id is another entry.
    assert cache.get("https://api.skyvern.com:443", "a_1") is None
    assert ArtifactCache(tmp_path).get(ORIGIN, "a_1") == b"\x00bytes\xff"  # survives a restart


def test_names_reveal_nothing(tmp_path: Path):
    cache = ArtifactCache(tmp_path)
    cache.put(ORIGIN, "a_secretid", b"x")
    names = " ".join(p.name for p in tmp_path.rglob("*"))
    assert "a_secretid" not in names and "127.0.0.1" not in names


def test_size_cap_evicts_least_recently_used(tmp_path: Path):
    cache = ArtifactCache(tmp_path, max_bytes=3 * 1100)
    for name in ("a_1", "a_2", "a_3"):
        cache.put(ORIGIN, name, b"x" * 1000)
    assert cache.get(ORIGIN, "a_1") is not None  # a_1 is now the most recent; a_2 the oldest
    cache.put(ORIGIN, "a_4", b"y" * 1000)
    assert cache.get(ORIGIN, "a_2") is None
    for name in ("a_1", "a_3", "a_4"):
        assert cache.get(ORIGIN, name) is not None
    assert cache.size() <= cache.max_bytes


def test_order_survives_a_restart(tmp_path: Path):
    cache = ArtifactCache(tmp_path, max_bytes=2 * 1100)
    cache.put(ORIGIN, "old", b"x" * 1000)
    cache.put(ORIGIN, "new", b"x" * 1000)
    old, new = cache._path(cache.key(ORIGIN, "old")), cache._path(cache.key(ORIGIN, "new"))
    os.utime(old, (1_000, 1_000))
    os.utime(new, (2_000, 2_000))
    again = ArtifactCache(tmp_path, max_bytes=2 * 1100)
    again.put(ORIGIN, "third", b"z" * 1000)
    assert again.get(ORIGIN, "old") is None and again.get(ORIGIN, "new") is not None


def test_entry_bigger_than_the_cap_is_not_kept(tmp_path: Path):
    cache = ArtifactCache(tmp_path, max_bytes=100)
    cache.put(ORIGIN, "big", b"x" * 1000)
    assert cache.get(ORIGIN, "big") is None and not entries(cache)


def test_corrupt_entry_is_a_miss_and_is_removed(tmp_path: Path):
    cache = ArtifactCache(tmp_path)
    cache.put(ORIGIN, "a_1", b"good bytes")
    cache.put(ORIGIN, "a_2", b"more bytes")
    path1 = cache._path(cache.key(ORIGIN, "a_1"))
    path1.write_bytes(path1.read_bytes()[:-3] + b"bad")
    cache._path(cache.key(ORIGIN, "a_2")).write_bytes(b"")
    assert cache.get(ORIGIN, "a_1") is None and not path1.exists()
    assert cache.get(ORIGIN, "a_2") is None
    cache.put(ORIGIN, "a_1", b"good bytes")
    assert cache.get(ORIGIN, "a_1") == b"good bytes"


def test_concurrent_writers_and_readers(tmp_path: Path):
    cache = ArtifactCache(tmp_path, max_bytes=40 * 2100)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(40):
                name = f"a_{i % 30}"
                data = name.encode() * 200
                cache.put(ORIGIN, name, data)
                got = cache.get(ORIGIN, name)
                assert got is None or got == data  # evicted or whole, never torn
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert cache.size() <= cache.max_bytes
    assert not [p for p in tmp_path.rglob(".tmp-*")]  # no temporary file left behind


def test_unwritable_directory_is_silent(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = ArtifactCache(blocker / "cache")
    cache.put(ORIGIN, "a_1", b"x")
    assert cache.get(ORIGIN, "a_1") is None


def test_entries_are_per_key_and_hold_neither_the_key_nor_its_hash(tmp_path: Path):
    import hashlib

    from tui.core.cache import cache_scope

    cache = ArtifactCache(tmp_path)
    mine, theirs = cache_scope(ORIGIN, "sk-mine"), cache_scope(ORIGIN, "sk-theirs")
    cache.put(mine, "a_1", b"mine")
    assert cache.get(mine, "a_1") == b"mine"
    assert cache.get(theirs, "a_1") is None and cache.get(ORIGIN, "a_1") is None
    digest = hashlib.sha256(b"sk-mine").hexdigest()
    for path in tmp_path.rglob("*"):
        assert "sk-mine" not in path.name and digest not in path.name
        if path.is_file():
            assert b"sk-mine" not in path.read_bytes() and digest.encode() not in path.read_bytes()


def test_a_revoked_scope_reads_nothing_until_accepted_again_and_eviction_does_not_lift_it(tmp_path: Path):
    from tui.core.cache import cache_scope

    scope = cache_scope(ORIGIN, "sk-old")
    cache = ArtifactCache(tmp_path, max_bytes=3 * 1100)
    cache.put(scope, "a_1", b"x" * 1000)
    cache.revoke(scope)
    for i in range(10):  # churn: every entry is evicted and replaced
        cache.put(cache_scope(ORIGIN, "sk-new"), f"b_{i}", b"y" * 1000)
    assert ArtifactCache(tmp_path).revoked(scope)  # survives a restart, and the churn
    assert not cache.revoked(cache_scope(ORIGIN, "sk-new"))
    cache.unrevoke(scope)
    assert not cache.revoked(scope)

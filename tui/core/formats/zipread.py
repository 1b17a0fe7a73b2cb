"""Zip archives from artifacts, read bounded: a trace zip, a step or task archive.

The member count and the sizes the central directory claims are checked before anything is
inflated (a zip bomb is refused), and a member is never inflated past its limit even when its
header lies about its size.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

from ..errors import ParseError

MAX_MEMBERS = 20_000
MAX_TOTAL_BYTES = 1024 * 1024 * 1024  # everything the zip claims to inflate to
MAX_RATIO = 200  # inflated/compressed: text compresses ~10x, bombs ~1000x
RATIO_FLOOR = 1024 * 1024  # below this a member cannot hurt, whatever its ratio
_DAMAGED = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, struct.error, NotImplementedError,
            RuntimeError, ValueError, EOFError, OSError)
_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header; an empty zip's end record


def looks_like_zip(data: bytes) -> bool:
    """The bytes start as a zip does (what a damaged zip still does, unlike random bytes)."""
    return data[:4] in _SIGNATURES


def open_zip(data: bytes | Path | BinaryIO, what: str) -> zipfile.ZipFile:
    """The zip over `data` (bytes, or a file read on demand: a path, or a file already opened
    safely); ParseError naming `what` ("Trace", "step_archive a_1") when it is not a readable
    zip or would inflate past the limits."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, (bytes, bytearray, memoryview)) else data)
        infos = archive.infolist()
    except _DAMAGED as exc:
        raise ParseError(f"{what}: not a readable zip file ({exc}).") from exc
    if len(infos) > MAX_MEMBERS:
        raise ParseError(f"{what} zip has {len(infos)} members (limit {MAX_MEMBERS}): refused.")
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_BYTES:
        raise ParseError(f"{what} zip would inflate to {total} bytes (limit {MAX_TOTAL_BYTES}): refused.")
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ParseError(f"{what} member {info.filename} looks like a zip bomb "
                             f"({info.compress_size} -> {info.file_size} bytes): refused.")
    return archive


def read_member(archive: zipfile.ZipFile, name: str, limit: int, what: str) -> bytes:
    """One member's bytes, at most `limit` of them; KeyError when the zip has no such member,
    ParseError when it is too large or damaged."""
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise ParseError(f"{what} member {name} is too large ({info.file_size} bytes, limit {limit}).")
    try:
        with archive.open(info) as handle:
            data = handle.read(limit + 1)  # the header may lie: never inflate past the limit
    except _DAMAGED as exc:  # a torn stream, a bad CRC, an encrypted or unknown method
        raise ParseError(f"{what} member {name} is damaged ({type(exc).__name__}: {exc}).") from exc
    if len(data) > limit:
        raise ParseError(f"{what} member {name} inflates past {limit} bytes: refused.")
    return data

"""What is inside a file of unknown or binary type: text, a zip's members, a PDF, or bytes."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from ..textsafe import safe_fields
from .text import split_lines

MAX_MEMBERS = 2000  # listed of a zip; a bigger archive says how many more


@dataclass(frozen=True)
class FileContent:
    kind: str  # "text", "zip", "pdf", "binary", "empty"
    lines: list[str] = field(default_factory=list)
    members: list[tuple[str, int, int]] = field(default_factory=list)  # name, size, compressed
    more_members: int = 0
    note: str = ""

    def __post_init__(self) -> None:
        # `lines` come from split_lines (safe already); member names and the note are data.
        safe_fields(self, keep=("lines",))


def looks_like_text(data: bytes) -> bool:
    """UTF-8 without NULs in its first 64 KB (a cut multi-byte character at the end is fine)."""
    head = data[:65536]
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3  # cut in the middle of the last character
    return True


def sniff(data: bytes) -> FileContent:
    if not data:
        return FileContent("empty", note="The file is empty.")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                infos = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            return FileContent("binary", note=f"Looks like a zip archive but cannot be read: {exc}")
        members = [(i.filename, i.file_size, i.compress_size) for i in infos[:MAX_MEMBERS]]
        return FileContent("zip", members=members, more_members=max(0, len(infos) - MAX_MEMBERS))
    if data.startswith(b"%PDF-"):
        pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
        version = data[5:8].decode("ascii", "replace")
        return FileContent("pdf", note=f"PDF {version}, about {pages} page{'s' if pages != 1 else ''}.")
    if looks_like_text(data):
        return FileContent("text", lines=split_lines(data))
    return FileContent("binary", note="Binary content (not text, not an archive this viewer knows).")

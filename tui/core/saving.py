"""Saving one artifact's bytes to a path the person confirmed (`ctrl+s`): a safe default name,
never an overwrite without asking, and a half-written file never left under the real name."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from .catalog import kind_of
from .model import Artifact

_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]+")
_EXT = re.compile(r"^[A-Za-z0-9]{1,12}$")
MAX_NAME = 120  # characters: well under every file system's 255 bytes


def default_name(artifact: Artifact) -> str:
    """`{id}_{type}.{ext}` with anything but letters, digits, `_`, `.` and `-` made `_` (no `/`,
    no control character), no leading dot or dash (a hidden file, an option to the next command)."""
    ext = artifact.ext or kind_of(artifact.artifact_type).ext
    ext = ext if _EXT.match(ext) else "bin"
    stem = _UNSAFE.sub("_", f"{artifact.artifact_id}_{artifact.artifact_type}").lstrip(".-_") or "artifact"
    return f"{stem[:MAX_NAME]}.{ext}"


class SaveRefused(Exception):
    """The path cannot be written: said in the dialog as it is."""


def check_target(path: Path) -> bool:
    """Whether `path` exists already (the caller asks before overwriting it); SaveRefused when
    its folder is missing or it is a folder."""
    if not path.name or path.is_dir():
        raise SaveRefused(f"{path} is a folder: give a file name")
    if not path.parent.is_dir():
        raise SaveRefused(f"no folder {path.parent}")
    return path.exists() or path.is_symlink()


def save_bytes(path: Path, data: bytes, overwrite: bool = False) -> None:
    """Write `data` to `path` exactly. Without `overwrite` the file is created exclusively
    (FileExistsError if something appeared since the person was asked); with it, written beside
    and renamed over, so the old file stays whole until the new one is."""
    check_target(path)
    try:
        if overwrite:
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".skyvern-tui-", suffix=".part")
            created = Path(tmp)
        else:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            created = path
    except PermissionError as exc:
        raise SaveRefused(f"no permission to write in {path.parent}") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if overwrite:
            os.replace(created, path)
    except BaseException:
        created.unlink(missing_ok=True)
        raise

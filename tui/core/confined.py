"""Files read under one folder: never through a link out of it, never a FIFO, a device or a socket.

A storage tree, a run folder or a downloaded run is data from outside: a FIFO named like a log
would hang its reader, a link to /dev/zero would be read until memory runs out, a link to
~/.ssh/id_rsa would put that file on the screen. So every file under a local root is checked and
opened here: its real path must stay under the root's real path, `stat` must say it is a regular
file before it is opened, it is opened without blocking and without following a last link
(O_NONBLOCK | O_NOFOLLOW: the file may have been swapped since it was checked), and `fstat` of
what was opened must agree before a byte is read.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

from .textsafe import visible_controls

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(
    os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)

_NOT_REGULAR = (
    (stat.S_ISDIR, "a folder, not a file"),
    (stat.S_ISFIFO, "not a regular file (a FIFO)"),
    (stat.S_ISCHR, "not a regular file (a character device)"),
    (stat.S_ISBLK, "not a regular file (a block device)"),
    (stat.S_ISSOCK, "not a regular file (a socket)"),
)


class Refused(OSError):
    """A file under a root that is not read. Its message says why, for a person (it is an
    OSError so that every reader that already copes with an unreadable file copes with it)."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{visible_controls(str(path))}: {reason}")
        self.reason = reason


def _kind_reason(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    for test, reason in _NOT_REGULAR:
        if test(mode):
            return reason
    return "not a regular file"


def _under(real: str, root: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


class Confined:
    """Reads files under `root` only. `where` names the root in reasons ("the run's folder")."""

    def __init__(self, root: Path, where: str = "the folder") -> None:
        self.root = Path(root)
        self.where = where
        self._real_root = os.path.realpath(self.root)

    def _real(self, path: Path) -> tuple[str | None, str | None]:
        """The real path of `path` and None, or None and why it has none under the root."""
        try:
            is_link = stat.S_ISLNK(os.lstat(path).st_mode)
        except OSError as exc:
            return None, f"cannot be read ({exc.strerror or exc})"
        try:
            real = os.path.realpath(path, strict=True)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return None, "a link that loops"
            if is_link:
                try:
                    target = visible_controls(os.readlink(path))
                except OSError:
                    target = "?"
                return None, f"a dangling link (to {target})"
            return None, f"cannot be read ({exc.strerror or exc})"
        if not _under(real, self._real_root):
            return None, f"a link out of {self.where} (to {visible_controls(real)})"
        return real, None

    def refusal(self, path: Path) -> str | None:
        """Why `path` would not be read (None: it would be). Opens nothing."""
        real, reason = self._real(path)
        if real is None:
            return reason
        try:
            return _kind_reason(os.stat(real).st_mode)
        except OSError as exc:
            return f"cannot be read ({exc.strerror or exc})"

    def open(self, path: Path) -> BinaryIO:
        """`path` opened for reading; Refused (an OSError) when it is not read."""
        real, reason = self._real(path)
        if real is None:
            raise Refused(path, reason or "refused")
        before = os.stat(real)
        reason = _kind_reason(before.st_mode)
        if reason is not None:
            raise Refused(path, reason)
        try:
            fd = os.open(real, _OPEN_FLAGS)
        except OSError as exc:
            if exc.errno == errno.ELOOP:  # it became a link since it was resolved
                raise Refused(path, "changed into a link while it was read") from exc
            raise
        try:
            now = os.fstat(fd)
            if not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino):
                raise Refused(path, _kind_reason(now.st_mode) or "changed while it was read")
            return os.fdopen(fd, "rb")
        except BaseException:
            os.close(fd)
            raise

    def read(self, path: Path, limit: int) -> bytes:
        """The bytes of `path`, at most `limit` of them; Refused when it holds more."""
        with self.open(path) as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                raise Refused(path, f"too large to read ({size} bytes, limit {limit})")
            data = handle.read(limit + 1)  # it may grow while it is read: never past the limit
        if len(data) > limit:
            raise Refused(path, f"too large to read (over {limit} bytes)")
        return data

"""CPU-heavy parsing in a child process, its results read back a frame at a time.

One `orjson.loads` of 80 MB holds the GIL for most of a second: the interface, which shares
that GIL, freezes meanwhile. A task registered here runs in `python -m tui.core.offload TASK`
instead: it gets the bytes on its stdin and sends back length-prefixed frames (its own
format, a few thousand records each), which the caller's worker decodes one at a time, each
in a short hold of the GIL.

    for frame in offloaded("element_tree", data):
        ...

A task is a function `(bytes, **args) -> Iterator[bytes]` named in TASKS (`args`: a few JSON
values, sent before the bytes); the same function runs in the caller's thread when the input
is small (a process costs more than it saves) or when the child cannot start, so results are
the same either way. A TuiError the task raises comes back as a ParseError with its message;
closing the iterator (or the Offload) kills the child. The input may be a file instead of
bytes (an open descriptor the child maps), and background work may run niced.
"""

from __future__ import annotations

import importlib
import mmap
import os
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from .errors import ParseError, TuiError, describe_error

# Task name -> "module:function" (imported in the child only when asked for).
TASKS = {
    "element_tree": "tui.core.formats.element_frames:frames",
    "element_lookup": "tui.core.formats.element_frames:lookup",
    "har_failures": "tui.core.run_model.browser:failure_frames",
    "pretty_json": "tui.core.formats.text:pretty_frames",
}
OFFLOAD_MIN = 1 << 20  # bytes: below this a task runs in the caller's thread
_HEAD = struct.Struct("<cI")  # a record: kind, payload length
_LENGTH = struct.Struct("<I")  # of the arguments, before the input
_FD = "_fd"  # the argument naming the input file's descriptor
_NICE = "_nice"  # the argument raising the child's niceness
FRAME, ERROR, CRASH, DONE = b"F", b"E", b"X", b"D"
_WRITE = 1 << 20  # bytes written to the child at a time (the write releases the GIL)
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # the folder holding `tui`


class OffloadFailed(TuiError):
    """The child process stopped before it finished (killed, out of memory, a bug in it)."""


def task_function(task: str) -> Callable[..., Iterator[bytes]]:
    module, _, name = TASKS[task].partition(":")
    function: Callable[..., Iterator[bytes]] = getattr(importlib.import_module(module), name)
    return function


class Offload:
    """One task, in a child process when its input is big: iterate for its frames (once);
    close() ends it, killing the child. A child that cannot start leaves the task to run in
    the caller's thread, as it would for a small input.

    The input is bytes, or a file: an open descriptor (`fd`, the Offload's to close) that the
    child maps itself, so the bytes are never read into this process nor sent down a pipe."""

    def __init__(self, task: str, data: bytes | None = None, args: dict[str, Any] | None = None,
                 fd: int | None = None, nice: int = 0) -> None:
        if (data is None) == (fd is None):
            raise ValueError("an Offload takes bytes or a file, one of them")
        self.task = task
        self.args = args or {}
        self.nice = nice  # added to the child's niceness: background work yields the CPU to the app
        self.child_peak: int | None = None  # the child's peak resident memory, bytes, once done
        self.in_thread = False  # the task ran in the caller's thread
        self._data: bytes | None = data  # dropped once the child has sent its first record
        self._fd = fd
        self._closed = False
        self._started = False
        self._process: subprocess.Popen[bytes] | None = None
        self._writer: threading.Thread | None = None

    def _size(self) -> int:
        return len(self._data) if self._data is not None else os.fstat(self._fd).st_size if self._fd is not None else 0

    def _input(self) -> bytes:
        """The input as bytes, for the task run here."""
        if self._data is not None:
            return self._data
        assert self._fd is not None
        size = os.fstat(self._fd).st_size
        chunks: list[bytes] = []
        at = 0
        while True:
            chunk = os.pread(self._fd, max(size - at, 1 << 16), at)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            at += len(chunk)

    def _start(self) -> bool:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (_PACKAGE_ROOT, env.get("PYTHONPATH"))))
        args = dict(self.args)
        if self._fd is not None:
            args[_FD] = self._fd
        if self.nice:
            args[_NICE] = self.nice
        try:
            # -P: the child's sys.path does not start with its working folder (which may hold
            # another checkout's `tui`); PYTHONPATH names the parent's own package.
            self._process = subprocess.Popen(
                [sys.executable, "-P", "-m", "tui.core.offload", self.task],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                close_fds=True, pass_fds=() if self._fd is None else (self._fd,),
            )
        except OSError:
            return False
        head = orjson.dumps(args)
        self._writer = threading.Thread(target=_feed, args=(self._process, _LENGTH.pack(len(head)) + head, self._data),
                                        daemon=True, name=f"offload-{self.task}-feed")
        self._writer.start()
        return True

    def start(self) -> None:
        """Start the child now (it works while the caller does something else); else the
        first frame asked for starts it. The task of a small input, or one a child cannot
        start for, runs in the caller's thread as its frames are asked for."""
        if self._started:
            return
        self._started = True
        if self._size() < OFFLOAD_MIN or self._closed or not self._start():
            self.in_thread = True

    def _here(self) -> Iterator[bytes]:
        data = self._input()
        self._data = None
        self._close_fd()
        yield from task_function(self.task)(data, **self.args)

    def __iter__(self) -> Iterator[bytes]:
        self.start()
        if self.in_thread:
            yield from self._here()
            return
        try:
            records = self._records()
            try:
                first = next(records, None)
            except OffloadFailed:
                if self._closed:
                    return
                # It never ran (an interpreter that cannot import us, no memory): as before, here.
                self._stop_child()
                self.in_thread = True
                yield from self._here()
                return
            self._data = None
            self._close_fd()
            if first is not None:
                yield first
                yield from records
        finally:
            self.close()

    def _close_fd(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    def _records(self) -> Iterator[bytes]:
        assert self._process is not None and self._process.stdout is not None
        out = self._process.stdout
        try:
            yield from self._read(self._process, out)
        except (OSError, ValueError):
            if not self._closed:
                raise OffloadFailed(f"The {self.task} process could not be read.") from None
        finally:
            out.close()  # here, by its one reader: closing it from another thread would race

    def _read(self, process: subprocess.Popen[bytes], out: IO[bytes]) -> Iterator[bytes]:
        while True:
            head = out.read(_HEAD.size)
            if len(head) < _HEAD.size:
                if self._closed:
                    return
                code = process.wait()
                raise OffloadFailed(f"The {self.task} process stopped before it finished (exit status {code}).")
            kind, size = _HEAD.unpack(head)
            payload = out.read(size)
            if len(payload) < size:
                if self._closed:
                    return
                raise OffloadFailed(f"The {self.task} process stopped in the middle of a frame.")
            if kind == FRAME:
                yield payload
            elif kind == ERROR:
                raise ParseError(payload.decode("utf-8", "replace"))
            elif kind == CRASH:
                raise OffloadFailed(f"The {self.task} process failed: {payload.decode('utf-8', 'replace')}")
            elif kind == DONE:
                self.child_peak = int(orjson.loads(payload).get("peak", 0)) or None
                return

    def close(self) -> None:
        """Stop the child (if it still runs) and free its pipes. Safe from any thread, twice."""
        self._closed = True
        self._stop_child()
        try:
            self._close_fd()
        except OSError:
            pass

    def _stop_child(self) -> None:
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.kill()  # its reader then meets the end of the pipe
        process.wait()
        writer = self._writer
        if writer is not None and writer is not threading.current_thread():
            writer.join(timeout=5)

    def __del__(self) -> None:
        # A stream nobody read to its end (its viewer was never shown) must not leave a child.
        process = self._process
        if process is not None and process.poll() is None:
            process.kill()
        if self._fd is not None:
            os.close(self._fd)


def _feed(process: subprocess.Popen[bytes], head: bytes, data: bytes | None) -> None:
    """The arguments, then the input, written to the child's stdin (in pieces: each write
    releases the GIL)."""
    assert process.stdin is not None
    view = memoryview(data if data is not None else b"")
    try:
        process.stdin.write(head)
        for start in range(0, len(view), _WRITE):
            process.stdin.write(view[start:start + _WRITE])
    except (OSError, ValueError):
        pass  # the child went away (killed on close, or failed): its reader sees it
    finally:
        try:
            process.stdin.close()  # here, by its one writer
        except OSError:
            pass


def offloaded(task: str, data: bytes, args: dict[str, Any] | None = None, nice: int = 0) -> Iterator[bytes]:
    """The task's frames (see Offload)."""
    offload = Offload(task, data, args, nice=nice)
    del data
    try:
        yield from offload
    finally:
        offload.close()


def _mapped(fd: int) -> bytes | mmap.mmap:
    """The file, mapped: its pages are the page cache's, read as the task reaches them."""
    if os.fstat(fd).st_size == 0:
        return b""
    return mmap.mmap(fd, 0, access=mmap.ACCESS_READ)


def _peak_memory() -> int:
    try:
        import resource
    except ImportError:  # not on this system: the figure is only reported
        return 0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def _send(out, kind: bytes, payload: bytes) -> None:
    out.write(_HEAD.pack(kind, len(payload)))
    out.write(payload)


def main(argv: list[str]) -> int:
    """The child: run the task on stdin's bytes, its frames to stdout."""
    out = sys.stdout.buffer
    try:
        function = task_function(argv[0])
        source = sys.stdin.buffer
        (size,) = _LENGTH.unpack(source.read(_LENGTH.size))
        args = orjson.loads(source.read(size))
        fd = args.pop(_FD, None)
        if args.get(_NICE):
            os.nice(args.pop(_NICE))
        args.pop(_NICE, None)
        data: bytes | mmap.mmap = source.read() if fd is None else _mapped(fd)
        for frame in function(data, **args):
            _send(out, FRAME, frame)
            out.flush()  # a frame is for now: the parent shows it
        del data
        _send(out, DONE, orjson.dumps({"peak": _peak_memory()}))
        out.flush()
    except BrokenPipeError:
        return 0  # the parent closed (cancelled): nobody to tell
    except TuiError as exc:
        _send(out, ERROR, str(exc).encode())
    except Exception as exc:  # a bug or MemoryError: the parent says so instead of hanging
        _send(out, CRASH, describe_error(exc).encode())
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

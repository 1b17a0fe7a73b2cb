"""An overall deadline for a request, enforced at the socket.

httpx's timeouts are per operation: a server that sends its status line, its headers or its
body one byte every few seconds never trips one. Here every connect, read and write of the
calling thread's request is given at most the time left before that request's deadline, and
none starts once it has passed. `HttpClient.get` sets the deadline (`within`); the transport
below is the default one of httpx with its sockets wrapped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx

_local = threading.local()


class DeadlinePassed(Exception):
    """The request's deadline passed before a socket operation could start."""


@contextmanager
def within(seconds: float) -> Iterator[float]:
    """Run this thread's requests under a deadline `seconds` from now; yields the due time
    (time.monotonic)."""
    previous = getattr(_local, "due", None)
    due = time.monotonic() + seconds
    _local.due = due if previous is None else min(previous, due)
    try:
        yield _local.due
    finally:
        _local.due = previous


def passed() -> bool:
    due = getattr(_local, "due", None)
    return due is not None and time.monotonic() >= due


def _bounded(timeout: float | None) -> float | None:
    due = getattr(_local, "due", None)
    if due is None:
        return timeout
    left = due - time.monotonic()
    if left <= 0:
        raise DeadlinePassed("the request's deadline passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _bounded(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _bounded(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _Stream(self._stream.start_tls(ssl_context, server_hostname, _bounded(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        return _Stream(self._backend.connect_tcp(host, port, _bounded(timeout), local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        return _Stream(self._backend.connect_unix_socket(path, _bounded(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's own transport (same limits, same TLS defaults) over sockets that keep the deadline."""

    def __init__(self) -> None:
        super().__init__()
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_Backend(),
        )

"""An HTTP answer's body read within bounds: its decoded size and a deadline.

httpx decodes gzip and deflate a whole network chunk at a time, and a 64 KiB chunk of a gzip
bomb is 64 MiB once inflated. Here the raw stream is inflated in slices of at most `SLICE`
bytes, so what is held never exceeds the limit by more than one slice, however the body was
compressed. Only the encodings we ask for (ACCEPT_ENCODING) are decoded; another one is refused.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator

import httpx

ACCEPT_ENCODING = "gzip, deflate"
SLICE = 1 << 20


class BodyTooBig(Exception):
    pass


class BodyOverdue(Exception):
    pass


class BodyUndecodable(Exception):
    pass


class BodyCut(Exception):
    """Fewer bytes than the Content-Length promised (h11 usually notices; this is the net)."""


def size_text(n: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} bytes"


class _Inflater:
    """gzip (members may follow one another) or deflate (zlib-wrapped, or raw as some servers
    send it), inflated in bounded slices."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._wbits = zlib.MAX_WBITS | 16 if encoding == "gzip" else zlib.MAX_WBITS
        self._d = zlib.decompressobj(self._wbits)
        self._first = True

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data:
            try:
                out = self._d.decompress(data, SLICE)
            except zlib.error as exc:
                if self._first and self.encoding == "deflate" and self._wbits > 0:
                    self._wbits, self._d = -zlib.MAX_WBITS, zlib.decompressobj(-zlib.MAX_WBITS)
                    continue  # raw deflate, without the zlib header
                raise BodyUndecodable(f"the {self.encoding} body does not decode ({exc})") from None
            self._first = False
            if out:
                yield out
            if self._d.eof and self._d.unused_data:
                data = self._d.unused_data  # another gzip member
                self._d = zlib.decompressobj(self._wbits)
            else:
                data = self._d.unconsumed_tail

    def finish(self) -> bytes:
        return self._d.flush()


def read_body(response: httpx.Response, max_bytes: int, due: float, clock: Callable[[], float],
              deadline: float) -> bytes:
    """The decoded body; BodyTooBig past `max_bytes`, BodyOverdue once `clock()` passes `due`
    (checked at every arrival: a stall between arrivals is the per-read timeout's)."""
    if response.is_stream_consumed:  # built in memory (a mock transport): already decoded
        if len(response.content) > max_bytes:
            raise BodyTooBig(f"the answer is larger than the limit of {size_text(max_bytes)}")
        return response.content
    encodings = [e.strip().lower() for e in response.headers.get("content-encoding", "").split(",") if e.strip()]
    encodings = [e for e in encodings if e != "identity"]
    if len(encodings) > 1 or (encodings and encodings[0] not in ("gzip", "deflate")):
        raise BodyUndecodable(f"the answer is encoded as {', '.join(encodings)!r}, which was not asked for")
    inflater = _Inflater(encodings[0]) if encodings else None
    chunks: list[bytes] = []
    size = 0

    def take(piece: bytes) -> None:
        nonlocal size
        size += len(piece)
        if size > max_bytes:
            wire = f" once decoded ({size_text(response.num_bytes_downloaded)} of {inflater.encoding} so far)" if inflater else ""
            raise BodyTooBig(f"the answer is larger than the limit of {size_text(max_bytes)}{wire}")
        chunks.append(piece)

    for raw in response.iter_raw():
        if clock() > due:
            raise BodyOverdue(f"the answer did not arrive within {deadline:g} s ({size_text(response.num_bytes_downloaded)} arrived)")
        for piece in inflater.feed(raw) if inflater else (raw,):
            take(piece)
    if inflater is not None:
        take(inflater.finish())
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and response.num_bytes_downloaded < int(declared):  # counted on the wire
        raise BodyCut(f"{response.num_bytes_downloaded} of {declared} bytes")
    return b"".join(chunks)

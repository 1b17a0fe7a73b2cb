"""Hostile inputs for the parsers' property tests: JSON of the right shape with any field of
the wrong type (text for numbers, NaN, Infinity, 1e308, lists for strings), nesting hundreds
to 100,000 levels deep, broken bytes, damaged zips and images. Sizes are bounded, so a test
that hangs or eats memory is a bug of the parser, not of the input."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from hypothesis import strategies as st
from PIL import Image

DEEP = "\x00deep\x00"  # a string replaced, after encoding, by nesting of a drawn depth
DEPTHS = (50, 400, 900, 990, 5000, 100_000)

_ODD_STRINGS = st.sampled_from([
    "", "seven", "NaN", "Infinity", "-1", "1e309", "0x10", "null", "[]", "{}", "\x1b]2;title\x07",
    "2026-13-45T99:99:99Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "a" * 300, "{{_" + "0" * 64 + "}}",
])
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([1e308, -1e308, 2**63, -(2**63)]),
    st.text(max_size=12), _ODD_STRINGS, st.just(DEEP),
)
# Any JSON value, small: what a field of the wrong type holds.
HOSTILE: st.SearchStrategy[Any] = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6) | _ODD_STRINGS, inner, max_size=3),
    max_leaves=6,
)


def mutated(sample: Any) -> st.SearchStrategy[Any]:
    """Documents shaped like `sample` where any value (at any level) may be replaced by a
    hostile one, and lists hold zero to a few mutated copies of their items."""
    if isinstance(sample, dict):
        kept: st.SearchStrategy[Any] = st.fixed_dictionaries({k: mutated(v) for k, v in sample.items()})
    elif isinstance(sample, list):
        items = st.one_of(*[mutated(x) for x in sample]) if sample else HOSTILE
        kept = st.lists(items, max_size=3)
    else:
        kept = st.just(sample)
    return st.one_of(kept, kept, kept, HOSTILE)


def encode(value: Any, depth: int) -> bytes:
    """JSON with NaN and Infinity as Python writes them, DEEP strings swapped for nesting."""
    text = json.dumps(value, allow_nan=True)
    nest = "[" * depth + "]" * depth
    return text.replace(json.dumps(DEEP), nest).encode()


def documents(sample: Any) -> st.SearchStrategy[bytes]:
    """Bytes of mutated documents, sometimes cut short or with a byte changed."""
    return st.builds(_damage, st.builds(encode, mutated(sample), st.sampled_from(DEPTHS)), st.integers(0, 3),
                     st.integers(min_value=0), st.integers(0, 255))


def _damage(data: bytes, how: int, where: int, byte: int) -> bytes:
    if not data or how >= 2:
        return data  # most documents arrive whole
    at = where % len(data)
    return data[:at] if how == 0 else data[:at] + bytes([byte]) + data[at + 1 :]


# Raw bytes: random, deep, a huge line, UTF-8 that is not, and NUL.
BYTES = st.one_of(
    st.binary(max_size=400),
    st.sampled_from(DEPTHS).map(lambda d: b"[" * d + b"]" * d),
    st.sampled_from(DEPTHS).map(lambda d: b'{"a":' * d + b"1" + b"}" * d),
    st.sampled_from([b"", b"\xff\xfe", b"\x00" * 50, b"NaN", b"Infinity", b"-Infinity", b"[NaN, Infinity]",
                     b"x" * 200_000, b"a." * 20_000, b"k=[ " * 5000, b"\xef\xbb\xbf{}", b'"\\ud800"']),
)


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def image_bytes(fmt: str, size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, fmt)
    return out.getvalue()


IMAGES = {fmt: image_bytes(fmt) for fmt in ("PNG", "JPEG", "WEBP", "GIF")}


def damaged(data: bytes) -> st.SearchStrategy[bytes]:
    """`data` cut short, with bytes changed, or with its tail replaced."""
    return st.builds(_damage, st.just(data), st.integers(0, 1), st.integers(min_value=0), st.integers(0, 255)) | \
        st.builds(lambda at, tail: data[: at % (len(data) + 1)] + tail, st.integers(min_value=0), st.binary(max_size=30))

"""An element tree's bytes -> its nodes in document order (pre-order), in frames of a few
thousand, read while the rest is still being parsed (the `element_tree` task of core.offload).

Skyvern writes a tree as one line of compact JSON: a list of root nodes, each node's own fields
and then its "children" list (a few fields such as "xpath" may follow it). Parsing it whole
takes one `orjson.loads` of the lot before the first node can show. Instead the bytes are cut
into values that orjson parses one at a time: a node of at most PIECE bytes whole; a bigger
one split into its own fields (up to its "children") and its children, each of them again a
value. Where a value ends is orjson's to say ("unexpected content after document" at the
end of the first value), so the cut never guesses. Every byte is still read by orjson or
checked here (the commas and brackets between values); anything unexpected (orjson refuses
NaN, a node that is not an object, a second "children" after the first) makes the tree read
again whole, as before (`load_json`: json's values and errors), after a RESET frame.

The bytes may be a mapped file (mmap: sliced and searched the same way).

A frame is b"N" + a 4-byte header length + the header (orjson: first index, parents, tags,
ids, flags, child counts, field lengths, late fields) + the nodes' own fields, each node's as
compact JSON, back to back: the reader keeps those bytes and decodes a node only to show it.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Generator, Iterator
from typing import Any

import orjson

from ..errors import ParseError
from ..textsafe import visible_controls
from .jsonload import TOO_DEEP, load_json

PIECE = 1 << 20  # bytes: a node this big is parsed whole, a bigger one split into its children
FIRST_FRAME = 300  # nodes in the first frame (so the first screen does not wait for a full one)
FRAME_NODES = 4000  # nodes in later frames
NODES, RESET = b"N", b"R"
INTERACTABLE, HOVER_ONLY = 1, 2  # flag bits
UNKNOWN = -1  # the child count of a node split into its children (the reader counts them)
_LENGTH = struct.Struct("<I")
_WS = b" \t\n\r"
_CHILDREN = b'"children"'
_TAIL_WINDOW = 4096
# Bytes that are not UTF-8 continuation bytes (for counting characters in bytes).
_NOT_CONTINUATION = bytes(b for b in range(256) if not 0x80 <= b < 0xC0)


def text(value: Any) -> str:
    """A field as display-safe text (data from a web page: no control characters)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False)
    return visible_controls(value)


class _Irregular(Exception):
    """The bytes are not what the splitter expects: the tree is read again whole."""


class Frames:
    """Flattened nodes, collected until a frame is full."""

    def __init__(self, exact: bool = False) -> None:
        self.count = 0  # nodes added so far (the next node's index)
        self.sent = 0  # nodes in frames already taken
        self.resume: dict[str, Any] | None = None  # the splitter's state after the last frame
        # Values json read (NaN, huge integers) are written back by json, so they read the same.
        self._dump = _json_dump if exact else _orjson_dump
        self._clear()

    def _clear(self) -> None:
        self.parents: list[int] = []
        self.tags: list[str] = []
        self.ids: list[str] = []
        self.flags: list[int] = []
        self.counts: list[int] = []
        self.sizes: list[int] = []
        self.late: list[list[Any]] = []  # [index, fields] for fields that came after "children"
        self.blob: list[bytes] = []

    def add(self, parent: int, node: Any, child_count: int | None = None) -> int:
        index = self.count
        if not isinstance(node, dict):
            raise ParseError(f"Element tree node {index} is a {type(node).__name__}, not an object.")
        attributes = node.get("attributes")
        unique = attributes.get("unique_id") if isinstance(attributes, dict) else None
        children = node.get("children")
        own = self._dump({k: v for k, v in node.items() if k != "children"})
        self.parents.append(parent)
        self.tags.append(text(node.get("tagName")) or "?")
        self.ids.append(text(node.get("id")) or text(unique))
        self.flags.append((INTERACTABLE if node.get("interactable") else 0)
                          | (HOVER_ONLY if node.get("hoverOnly") else 0))
        if child_count is None:
            child_count = len(children) if isinstance(children, list) else 0
        self.counts.append(child_count)
        self.sizes.append(len(own))
        self.blob.append(own)
        self.count += 1
        return index

    def add_tree(self, parent: int, node: Any) -> None:
        """A node and everything below it, in pre-order (iterative: pages nest deeply)."""
        stack: list[tuple[Any, int]] = [(node, parent)]
        while stack:
            current, up = stack.pop()
            index = self.add(up, current)
            children = current.get("children")
            if isinstance(children, list) and children:
                stack.extend((child, index) for child in reversed(children))

    def add_late(self, index: int, fields: dict[str, Any]) -> None:
        if fields:
            self.late.append([index, fields])

    def full(self) -> bool:
        pending = self.count - self.sent
        return pending >= (FIRST_FRAME if self.sent == 0 else FRAME_NODES)

    def take(self) -> bytes | None:
        """The frame of the nodes added since the last one (None when there are none)."""
        if self.count == self.sent and not self.late:
            return None
        header = orjson.dumps([self.sent, self.parents, self.tags, self.ids, self.flags, self.counts,
                               self.sizes, self.late])
        frame = b"".join([NODES, _LENGTH.pack(len(header)), header, *self.blob])
        self.sent = self.count
        self._clear()
        return frame


def _orjson_dump(value: dict[str, Any]) -> bytes:
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:  # nested deeper than orjson writes (255)
        return _json_dump(value)


def _json_dump(value: dict[str, Any]) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def read_frame(frame: bytes) -> tuple[list[Any], memoryview] | None:
    """(header, the nodes' bytes) of a NODES frame; None for RESET."""
    if frame[:1] == RESET:
        return None
    size = _LENGTH.unpack_from(frame, 1)[0]
    start = 1 + _LENGTH.size
    return orjson.loads(frame[start:start + size]), memoryview(frame)[start + size:]


# --- the bytes cut into values ----------------------------------------------------------------------
def frames(data: bytes, resume: dict[str, Any] | None = None) -> Iterator[bytes]:
    """The tree's nodes in frames (see the module's docstring), or those after a first frame
    made elsewhere (`resume`: the splitter's state after it, see `first_frame`). Raises ParseError."""
    out = Frames()
    if resume is not None:
        out.count = out.sent = resume["count"]
    try:
        try:
            yield from _split(data, out, resume)
            return
        except (_Irregular, ParseError):  # the whole read decides, and names what is wrong first
            pass
        if out.sent:  # (a resumed split always has: its first frame went out elsewhere)
            yield RESET
        yield from _whole(data)
    except RecursionError:  # a node's fields nested deeper than json writes them
        raise ParseError(f"The element tree is {TOO_DEEP}.") from None


def _whole(data: bytes) -> Iterator[bytes]:
    """The tree parsed whole, as before the splitter: json's values and errors."""
    yield from value_frames(load_json(_whole_bytes(data), "The element tree"))


def _whole_bytes(data: bytes) -> bytes:
    """The bytes themselves (of a mapped file, a copy: json reads bytes only)."""
    return data if isinstance(data, bytes) else bytes(data)


def value_frames(nodes: Any, exact: bool = True, out: Frames | None = None) -> Iterator[bytes]:
    """Frames of a decoded tree (a list of root nodes; a single root object is tolerated)."""
    if isinstance(nodes, dict):
        nodes = [nodes]
    if not isinstance(nodes, list):
        raise ParseError(f"An element tree is a JSON list of nodes, not a {type(nodes).__name__}.")
    out = Frames(exact=exact) if out is None else out
    stack: list[tuple[Any, int]] = [(node, -1) for node in reversed(nodes)]
    while stack:
        current, up = stack.pop()
        index = out.add(up, current)
        children = current.get("children")
        if isinstance(children, list) and children:
            stack.extend((child, index) for child in reversed(children))
        if out.full():
            frame = out.take()
            if frame is not None:
                yield frame
    frame = out.take()
    if frame is not None:
        yield frame


# --- the run model's look-up: the nodes of a few ids, found here, sent alone ---------------------------
class Lookup(Frames):
    """Keeps the first node of each wanted id and nothing else; its one frame (orjson: a list
    of [index, parent, depth, fields]) goes out once all are found, or at the end."""

    def __init__(self, wanted: list[str], exact: bool = False) -> None:
        super().__init__(exact)
        self.wanted = set(wanted)
        self.found: dict[str, list[Any]] = {}
        self.depths: list[int] = []
        self.splitting: dict[int, dict[str, Any]] = {}  # found nodes whose late fields are to come
        self.done = False

    def add(self, parent: int, node: Any, child_count: int | None = None) -> int:
        index = self.count
        if not isinstance(node, dict):
            raise ParseError(f"Element tree node {index} is a {type(node).__name__}, not an object.")
        depth = self.depths[parent] + 1 if parent >= 0 else 0
        self.depths.append(depth)
        attributes = node.get("attributes")
        unique = attributes.get("unique_id") if isinstance(attributes, dict) else None
        element_id = text(node.get("id")) or text(unique)
        if element_id in self.wanted and element_id not in self.found:
            fields = {k: v for k, v in node.items() if k != "children"}
            self.found[element_id] = [index, parent, depth, fields]
            if child_count == UNKNOWN:
                self.splitting[index] = fields
        self.count += 1
        return index

    def add_late(self, index: int, fields: dict[str, Any]) -> None:
        own = self.splitting.pop(index, None)
        if own is not None:
            own.update(fields)

    def full(self) -> bool:
        return not self.done and len(self.found) == len(self.wanted) and not self.splitting

    def take(self) -> bytes | None:
        if self.done:
            return None
        self.done = True
        records = list(self.found.values())
        return b"".join([NODES, self._dump({"found": records})])


def lookup(data: bytes, wanted: list[str]) -> Iterator[bytes]:
    """The `element_lookup` task: one frame of the wanted nodes (see Lookup). Raises ParseError
    where the tree is broken before the last of them."""
    try:
        try:
            for frame in _split(data, Lookup(wanted)):
                yield frame
                return
        except (_Irregular, ParseError):
            pass
        out = Lookup(wanted, exact=True)
        for frame in value_frames(load_json(_whole_bytes(data), "The element tree"), out=out):
            yield frame
            return
    except RecursionError:
        raise ParseError(f"The element tree is {TOO_DEEP}.") from None


def read_lookup(frame: bytes) -> list[list[Any]]:
    """[index, parent, depth, fields] of each node a lookup found."""
    found = load_json(frame[1:], "The element tree")["found"]
    return found if isinstance(found, list) else []


def _skip(data: bytes, at: int) -> int:
    size = len(data)
    while at < size and data[at] in _WS:
        at += 1
    return at


def _byte_offset(chunk: bytes, chars: int) -> int:
    """Where the `chars`-th character of UTF-8 bytes starts (orjson counts characters)."""
    if chunk.isascii():
        return chars
    at = chars
    while True:
        moved = chars + len(chunk[:at].translate(None, _NOT_CONTINUATION))
        if moved == at:
            break
        at = moved
    while at < len(chunk) and 0x80 <= chunk[at] < 0xC0:
        at += 1
    return at


def _value_end(data: bytes, start: int, hint: int, limit: int | None) -> int | None:
    """Where the JSON value at `start` ends, found by orjson in growing windows; None when it
    is longer than `limit`. Raises _Irregular where orjson finds an error (or refuses)."""
    window = max(hint, 4096)
    size = len(data)
    while True:
        stop = min(start + window, size)
        while stop < size and 0x80 <= data[stop] < 0xC0:
            stop += 1  # a window never cuts a character in two
        chunk = data[start:stop]
        try:
            orjson.loads(chunk)
            return stop
        except orjson.JSONDecodeError as error:
            if error.msg.startswith("unexpected content after document"):
                return start + _byte_offset(chunk, error.pos)
            if stop >= size:
                raise _Irregular from None
            truncated = error.msg.startswith("unexpected end of data") or \
                error.pos >= len(chunk) - len(chunk.translate(None, _NOT_CONTINUATION)) - 16
            if not truncated:
                raise _Irregular from None  # an error inside the window: not a matter of its size
        if limit is not None and window >= limit:
            return None
        window *= 2


def _children_list(data: bytes, start: int) -> tuple[int, int]:
    """Where the node at `start` has its "children" key, and the index after that list's `[`."""
    at = start
    while True:
        found = data.find(_CHILDREN, at)
        if found < 0:
            raise _Irregular
        backslashes = 0
        while data[found - 1 - backslashes] == 0x5C:  # a quote after an odd run of \ is escaped
            backslashes += 1
        after = _skip(data, found + len(_CHILDREN))
        if backslashes % 2 == 0 and data[after:after + 1] == b":":
            bracket = _skip(data, after + 1)
            if data[bracket:bracket + 1] == b"[":
                return found, bracket + 1
            raise _Irregular  # children that are not a list
        at = found + 1


def _own_fields(data: bytes, start: int, key: int) -> dict[str, Any]:
    """The node's fields before its "children" key (`key`: where that key starts)."""
    head = data[start:key].rstrip()
    if head != b"{" and not head.endswith(b","):
        raise _Irregular
    try:
        fields = orjson.loads(head + b'"children":[]}')
    except orjson.JSONDecodeError:
        raise _Irregular from None  # the "children" found belongs to a value inside the node
    if not isinstance(fields, dict):
        raise _Irregular
    return fields


def _late_fields(data: bytes, at: int) -> tuple[dict[str, Any], int]:
    """The fields after a node's children list (`at`: after its `]`), and where the node ends."""
    at = _skip(data, at)
    if data[at:at + 1] == b"}":
        return {}, at + 1
    if data[at:at + 1] != b",":
        raise _Irregular
    window = _TAIL_WINDOW
    while True:
        chunk = b"{" + data[at + 1:at + 1 + window]
        try:
            fields = orjson.loads(chunk)
            end = at + len(chunk)
            break
        except orjson.JSONDecodeError as error:
            if error.msg.startswith("unexpected content after document"):
                offset = _byte_offset(chunk, error.pos)
                fields = orjson.loads(chunk[:offset])
                end = at + offset
                break
            if at + 1 + window >= len(data):
                raise _Irregular from None
            window *= 2
    if not isinstance(fields, dict) or "children" in fields:
        raise _Irregular  # a second "children": json would keep the last one
    return fields, end


def first_frame(data: bytes) -> tuple[bytes, dict[str, Any]] | None:
    """The first frame, made here (a few milliseconds: no process to start, no bytes to send),
    and the state `frames(data, resume=state)` goes on from; None when the splitter cannot
    make it (the whole read, elsewhere, then says why)."""
    out = Frames()
    split = _split(data, out)
    try:
        frame = next(split, None)
    except (_Irregular, ParseError, RecursionError):
        return None
    finally:
        split.close()
    if frame is None or out.resume is None:
        return None
    return frame, out.resume


def _split(data: bytes, out: Frames, resume: dict[str, Any] | None = None) -> Generator[bytes, None, None]:
    if resume is not None:
        at, lists, hint, pending_root = resume["at"], resume["lists"], resume["hint"], False
    else:
        at = _skip(data, 0)
        single = data[at:at + 1] == b"{"  # a single root object is tolerated, as a list of one
        if not single and data[at:at + 1] != b"[":
            raise _Irregular  # not a list: the whole read says what it is
        # The lists being read: [the node that owns it (-1: the roots), values read in it so far].
        lists = [] if single else [[-1, 0]]
        at += 0 if single else 1
        hint = 4096
        pending_root = single
    while lists or pending_root:
        if pending_root:
            parent, pending_root = -1, False
        else:
            top = lists[-1]
            at = _skip(data, at)
            if data[at:at + 1] == b"]":
                lists.pop()
                at += 1
                if top[0] != -1:
                    fields, at = _late_fields(data, at)
                    out.add_late(top[0], fields)
                continue
            if top[1]:
                if data[at:at + 1] != b",":
                    raise _Irregular
                at = _skip(data, at + 1)
            top[1] += 1
            parent = top[0]
        end = _value_end(data, at, hint, PIECE)
        split = None
        if end is None:
            try:
                split = _split_node(data, at)
            except _Irregular:  # no children list of its own (a leaf with a big text): whole
                end = _value_end(data, at, hint, None)
        if split is not None:
            fields, opened = split
            lists.append([out.add(parent, fields, UNKNOWN), 0])
            at = opened
        else:
            assert end is not None
            hint = end - at + (end - at) // 4
            try:
                value = orjson.loads(data[at:end])
            except orjson.JSONDecodeError:
                raise _Irregular from None
            if not isinstance(value, dict):
                raise _Irregular  # the whole read names the node
            out.add_tree(parent, value)
            at = end
        if out.full():
            frame = out.take()
            if frame is not None:
                out.resume = {"at": at, "lists": [list(open_list) for open_list in lists], "hint": hint,
                              "count": out.count}
                yield frame
    if _skip(data, at) != len(data):
        raise _Irregular  # something after the tree: the whole read says what
    frame = out.take()
    if frame is not None:
        yield frame


def _split_node(data: bytes, at: int) -> tuple[dict[str, Any], int]:
    """A big node's own fields (up to "children"), and where its children list starts."""
    if data[at:at + 1] != b"{":
        raise _Irregular
    key, opened = _children_list(data, at)
    return _own_fields(data, at, key), opened

"""Skyvern's element trees (`visible_elements_tree`, `_trimmed`) and id maps, parsed into flat models.

A real page gives tens of thousands of nodes nested deeply, so the tree is flattened into
document order (pre-order): a node is its index, a subtree a run of indexes. The tree is kept
compact: a few columns (parent, depth, end, tag, id, flags) and each node's own fields as the
JSON bytes the parser sent (element_frames); an `Element` is built only for a node that is
shown or searched. It is read in a child process (core.offload) and grows as its frames come
(`TreeReader`), so the viewer shows the first nodes while the rest is still being parsed.
"""

from __future__ import annotations

import bisect
import json
import os
import re
import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

import orjson

from ..errors import ParseError
from ..offload import Offload
from ..search import next_match, text_matcher
from ..textsafe import safe_value
from .element_frames import INTERACTABLE, RESET, UNKNOWN, first_frame, read_frame, value_frames
from .element_frames import text as _s
from .jsonload import TOO_DEEP, load_json, nesting_guard

# Attributes worth showing in a one-line label, in this order (the detail panel shows all).
KEY_ATTRIBUTES = (
    "type", "name", "role", "aria-label", "placeholder", "value", "selected", "href", "for", "title", "alt",
)
LABEL_TEXT = 60  # characters of text in a label
LABEL_ATTR = 40  # characters of one attribute value in a label


def _trim(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(slots=True)
class Element:
    index: int
    parent: int  # -1 for a root
    depth: int
    tag: str
    element_id: str  # "" when the node has none (trimmed trees keep ids of interactables only)
    attributes: dict[str, str]
    text: str
    before: str
    after: str
    interactable: bool
    hover_only: bool
    frame: str
    options: list[tuple[str, str, str]]  # (index, text, value)
    raw: dict[str, Any] = field(repr=False)  # every other field, for the detail panel
    children: list[int] = field(default_factory=list)
    end: int = 0  # one past the last element below it (a subtree is a run of indexes)

    def __post_init__(self) -> None:
        # The named fields are made safe as they are read (_s); the rest of the node is data too.
        self.raw = safe_value(self.raw)

    def key_attributes(self) -> list[tuple[str, str]]:
        """A few telling attributes, trimmed, for a one-line label."""
        return [
            (name, _trim(self.attributes[name], LABEL_ATTR))
            for name in KEY_ATTRIBUTES
            if self.attributes.get(name)
        ]

    @property
    def states(self) -> tuple[str, ...]:
        """What keeps a user (and Skyvern) from using it: "disabled", "read-only", "hidden",
        from its attributes, in that order; empty for a usable element."""
        return tuple(state for state, _why in self.state_reasons())

    def state_reasons(self) -> list[tuple[str, str]]:
        """(state, the attribute that says so), one per state."""
        found: dict[str, str] = {}
        attributes = self.attributes
        for state, names in _STATE_FLAGS:
            for name in names:
                value = attributes.get(name)
                if value is None:
                    continue
                value = value.strip().lower()
                # A boolean attribute counts by being there ("", "disabled", true); aria-* by "true".
                if (value == "true") if name.startswith("aria-") else value not in ("false", "null"):
                    found.setdefault(state, name if not value or value == "true" else f"{name}={value}")
        style = attributes.get("style")
        if style and "hidden" not in found:
            declared = _style_hides(style)
            if declared:
                found["hidden"] = f"style {declared}"
        return [(state, found[state]) for state, _names in _STATE_FLAGS if state in found]

    @property
    def short_text(self) -> str:
        return _trim(self.text, LABEL_TEXT)

    def haystack(self) -> str:
        """What find looks in: id (also as #id), tag, attributes and texts."""
        attrs = " ".join(f"{k}={v}" for k, v in self.attributes.items())
        return f"#{self.element_id} <{self.tag} {attrs}> {self.before} {self.text} {self.after}"


_STATE_FLAGS = (
    ("disabled", ("disabled", "aria-disabled")),
    ("read-only", ("readonly", "readOnly", "aria-readonly")),
    ("hidden", ("hidden", "aria-hidden")),
)
_HIDING = {"display": "none", "visibility": "hidden"}


def _style_hides(style: str) -> str | None:
    """`display: none` or `visibility: hidden` when an inline style declares it (the last
    declaration of a property wins, as in CSS)."""
    declared: dict[str, str] = {}
    for declaration in style.split(";"):
        name, colon, value = declaration.partition(":")
        if colon:
            declared[name.strip().lower()] = value.replace("!important", "").strip().lower()
    for name, hiding in _HIDING.items():
        if declared.get(name) == hiding:
            return f"{name}: {hiding}"
    return None


_KNOWN = {
    "id", "tagName", "attributes", "text", "beforePseudoText", "afterPseudoText",
    "interactable", "hoverOnly", "frame", "options", "children",
}
FIRST_BYTES = 2 << 20  # of a file, read here for the first frame (a value of PIECE and more)
ELEMENT_CACHE = 4096  # Elements kept built (what is on screen, and around it)
# Words of a query find looks for in a frame's bytes before it builds Elements: text the JSON
# writes as it is (no quote, backslash, control character, nor `+` or `?`, which a number or a
# missing tag gains in the haystack), split where the haystack joins fields.
_PLAIN_QUERY = re.compile(r"[A-Za-z0-9_\-.:/@$%&()*,;!'~|{}\[\]]+")
_SEPARATORS = re.compile(r"[\s#<>=]+")


def _options(value: Any) -> list[tuple[str, str, str]]:
    if not isinstance(value, list):
        return []
    return [
        (_s(o.get("optionIndex")), _s(o.get("text")), _s(o.get("value")))
        for o in value
        if isinstance(o, dict)
    ]


def _decode(view: memoryview) -> dict[str, Any]:
    try:
        own = orjson.loads(view)
    except orjson.JSONDecodeError:
        own = load_json(bytes(view), "An element")  # what json wrote back (NaN, huge integers)
    return own if isinstance(own, dict) else {}


class _Elements(Sequence[Element]):
    """`tree.elements`: the nodes read so far, as Elements built when asked for."""

    def __init__(self, tree: ElementTree) -> None:
        self._tree = tree

    def __len__(self) -> int:
        return self._tree.count

    @overload
    def __getitem__(self, index: int) -> Element: ...
    @overload
    def __getitem__(self, index: slice) -> list[Element]: ...

    def __getitem__(self, index: int | slice) -> Element | list[Element]:
        if isinstance(index, slice):
            return [self._tree.element(i) for i in range(*index.indices(self._tree.count))]
        if index < 0:
            index += self._tree.count
        if not 0 <= index < self._tree.count:
            raise IndexError(index)
        return self._tree.element(index)

    def __iter__(self) -> Iterator[Element]:
        return (self._tree.element(i) for i in range(self._tree.count))


class ElementTree:
    """A flattened element tree, growing while it is read (`add_frame`), `complete` once all is.

    Only nodes below `count` are shown: a reader thread appends, the interface reads.
    """

    def __init__(self) -> None:
        self.generation = 0  # one more when the tree is read again whole (adopt)
        self._clear()

    def _clear(self) -> None:
        self.count = 0  # nodes known (published last, after every column has them)
        self.complete = False
        self.interactable = 0  # nodes marked interactable
        self.parents = array("i")
        self.depths = array("i")
        self.ends = array("i")  # one past a node's subtree; 0 while it is still being read
        self.counts = array("i")  # children, as the file has them (UNKNOWN: count them)
        self.flags = array("B")
        self.tags: list[str] = []
        self.ids: list[str] = []
        self.by_id: dict[str, int] = {}
        self._chunks: list[bytes] = []  # the nodes' own fields, a frame's at a time
        self._chunk_first: list[int] = []  # the first node of each chunk
        self._starts = array("I")  # where a node's fields start in its chunk
        self._late: dict[int, dict[str, Any]] = {}
        self._open: list[int] = []  # nodes whose subtree has not ended yet
        self._children: dict[int, list[int]] = {}  # of ended nodes, as asked for
        self._built: OrderedDict[int, Element] = OrderedDict()
        self._lock = threading.Lock()
        self.elements = _Elements(self)

    # --- growing -----------------------------------------------------------------------------
    def add_frame(self, frame: bytes) -> None:
        """One NODES frame of element_frames."""
        read = read_frame(frame)
        if read is None:
            raise ValueError("a RESET frame is the reader's to handle")
        (first, parents, tags, ids, flags, counts, sizes, late), blob = read
        if first != len(self.tags):
            raise ParseError(f"The element tree came out of order (node {first} after {len(self.tags)}).")
        depths, ends, open_ = self.depths, self.ends, self._open
        starts, offset = self._starts, 0
        for index, (parent, size) in enumerate(zip(parents, sizes, strict=True), first):
            depth = depths[parent] + 1 if parent >= 0 else 0
            while open_ and depths[open_[-1]] >= depth:
                ends[open_.pop()] = index
            open_.append(index)
            depths.append(depth)
            ends.append(0)
            starts.append(offset)
            offset += size
        self.parents.extend(parents)
        self.counts.extend(counts)
        self.flags.extend(flags)
        self.tags.extend(tags)
        self.ids.extend(ids)
        self._chunks.append(bytes(blob))
        self._chunk_first.append(first)
        for index, fields in late:
            self._late[index] = fields
            self._built.pop(index, None)
        by_id = self.by_id
        for index, element_id in enumerate(ids, first):
            if element_id and element_id not in by_id:
                by_id[element_id] = index
        self.interactable += sum(1 for flag in flags if flag & INTERACTABLE)
        self.count = first + len(parents)

    def finish(self) -> None:
        """Every frame is in: the open subtrees end with the last node."""
        for index in self._open:
            self.ends[index] = self.count
        self._open = []
        self.complete = True

    def adopt(self, other: ElementTree) -> None:
        """Become `other` (the same bytes read again whole): a new generation of nodes."""
        generation = self.generation
        self.__dict__.update(other.__dict__)
        self.generation = generation + 1
        self.elements = _Elements(self)

    # --- reading -----------------------------------------------------------------------------
    def __len__(self) -> int:
        return self.count

    @property
    def roots(self) -> list[int]:
        return self.children(-1)

    def end(self, index: int) -> int:
        """One past the element's subtree, as far as it is known."""
        return self.ends[index] or self.count

    def children(self, index: int) -> list[int]:
        """The element's children known so far (index -1: the roots)."""
        known = self._children.get(index)
        if known is not None:
            return known
        ends, count = self.ends, self.count
        stop = count if index == -1 else (ends[index] or count)
        found = []
        child = index + 1
        while child < stop:
            found.append(child)
            child = ends[child]
            if not child:
                break  # still being read: nothing after it has come yet
        if found and (self.complete if index == -1 else ends[index] != 0):
            self._children[index] = found  # (a leaf's empty list is not kept: a find builds them all)
        return found

    def child_count(self, index: int) -> int:
        known = self.counts[index]
        return known if known != UNKNOWN else len(self.children(index))

    def element(self, index: int) -> Element:
        """The element at `index`, built from its fields (kept for the next ELEMENT_CACHE asks)."""
        with self._lock:
            built = self._built.get(index)
            if built is not None:
                self._built.move_to_end(index)
                return built
        chunk = bisect.bisect_right(self._chunk_first, index) - 1
        data = self._chunks[chunk]
        following = self._chunk_first[chunk + 1] if chunk + 1 < len(self._chunk_first) else len(self._starts)
        stop = self._starts[index + 1] if index + 1 < following else len(data)
        own = _decode(memoryview(data)[self._starts[index]:stop])
        late = self._late.get(index)
        if late:
            own.update(late)
        element = element_from_fields(index, self.parents[index], self.depths[index], own, self.children(index), self.end(index))
        if self.ends[index]:  # an element still being read gains children: not kept
            with self._lock:
                self._built[index] = element
                if len(self._built) > ELEMENT_CACHE:
                    self._built.popitem(last=False)
        return element

    def lookup(self, element_id: str) -> int | None:
        """The first element with this id, among those known."""
        index = self.by_id.get(element_id)
        return index if index is not None and index < self.count else None

    def path(self, index: int) -> list[int]:
        """Indexes from a root down to the element (inclusive)."""
        path = []
        while index != -1:
            path.append(index)
            index = self.parents[index]
        return path[::-1]

    def find(self, query: str, start: int, forward: bool = True) -> int | None:
        """The next element after `start` (wrapping around) whose id, tag, attributes or text
        hold `query` (smart case: ids differ by case only)."""
        needle = query.strip()
        count = self.count
        if not needle or not count:
            return None
        holds = text_matcher(needle)
        maybe = self._frame_filter(needle)
        return next_match(count, start, forward,
                          lambda index: maybe(index) and holds(self.element(index).haystack()))

    def _frame_filter(self, needle: str) -> Callable[[int], bool]:
        """Whether an element may match, from the bytes of its fields: each word of the query
        (a run between the haystack's separators) must be in them, when the words are text
        JSON writes as it is. An element that cannot match is never built."""
        words = [word for word in _SEPARATORS.split(needle) if word]
        if not words or not all(_PLAIN_QUERY.fullmatch(word) for word in words):
            return lambda index: True
        lower = needle == needle.lower()
        keys = [word.encode() for word in words]
        longest = max(keys, key=len)
        chosen: dict[int, set[int] | None] = {}  # chunk -> its elements that may match (None: all)

        def candidates(chunk: int) -> set[int] | None:
            data = self._chunks[chunk]
            first = self._chunk_first[chunk]
            following = self._chunk_first[chunk + 1] if chunk + 1 < len(self._chunk_first) else len(self._starts)
            # Fields read after a node's children are kept apart: those nodes are always looked at.
            found = {index for index in self._late if first <= index < following}
            if lower and not data.isascii():  # str.lower, as the haystack is (a Kelvin sign lowers to "k")
                text = data.decode("utf-8", "replace").lower()
                return None if all(word in text for word in words) else found
            hay = data.lower() if lower else data
            if not all(key in hay for key in keys):
                return found
            starts = self._starts[first:following]
            at = hay.find(longest)
            while at >= 0:
                position = bisect.bisect_right(starts, at) - 1
                found.add(first + position)
                at = hay.find(longest, starts[position + 1]) if position + 1 < len(starts) else -1
            return found

        def maybe(index: int) -> bool:
            chunk = bisect.bisect_right(self._chunk_first, index) - 1
            if chunk not in chosen:
                chosen[chunk] = candidates(chunk)
            found = chosen[chunk]
            return found is None or index in found

        return maybe

    def subtree_size(self, index: int) -> int:
        """Elements below `index`."""
        return self.end(index) - index - 1


def element_from_fields(index: int, parent: int, depth: int, node: dict[str, Any], children: list[int],
                        end: int) -> Element:
    """An Element from a node's own fields (what element_frames sends)."""
    attributes = node.get("attributes")
    attributes = {_s(k): _s(v) for k, v in attributes.items()} if isinstance(attributes, dict) else {}
    return Element(
        index=index,
        parent=parent,
        depth=depth,
        tag=_s(node.get("tagName")) or "?",
        element_id=_s(node.get("id")) or attributes.get("unique_id", ""),
        attributes=attributes,
        text=_s(node.get("text")),
        before=_s(node.get("beforePseudoText")),
        after=_s(node.get("afterPseudoText")),
        interactable=bool(node.get("interactable")),
        hover_only=bool(node.get("hoverOnly")),
        frame=_s(node.get("frame")),
        options=_options(node.get("options")),
        raw={k: v for k, v in node.items() if k not in _KNOWN},
        children=children,
        end=end,
    )


def tree_from_json(nodes: Any) -> ElementTree:
    """Flatten a decoded element tree (a list of root nodes; a single root object is tolerated)."""
    tree = ElementTree()
    for frame in value_frames(nodes):
        tree.add_frame(frame)
    tree.finish()
    return tree


def read_frame_kind(frame: bytes) -> bytes:
    return frame[:1]


class TreeReader:
    """An element tree being read from its bytes, in a child process when they are big: `tree`
    grows as `read` takes frames; `close` stops the reading (and the child)."""

    def __init__(self, data: bytes | None = None, fd: int | None = None) -> None:
        """From the bytes, or from a file (an open descriptor, the reader's to close): a big
        one's bytes are then read by the child alone."""
        self.tree = ElementTree()
        # The first frame is made here, at once; the child goes on from where it stopped.
        first = first_frame(data if data is not None else os.pread(fd, FIRST_BYTES, 0) if fd is not None else b"")
        if first is not None:
            self.tree.add_frame(first[0])
        self._offload = Offload("element_tree", data, None if first is None else {"resume": first[1]}, fd=fd)
        self._offload.start()
        self._frames = iter(self._offload)
        self._stopped = False
        # After a RESET (the bytes read again whole) the nodes come again, into this tree, which
        # replaces `tree` once complete (`adopt`): what is on show does not change under it.
        self._again: ElementTree | None = None

    @property
    def child_peak(self) -> int | None:
        """The child process's peak memory (bytes), once it has finished."""
        return self._offload.child_peak

    def read(self, enough: Callable[[ElementTree], bool] = lambda tree: False,
             cancelled: Callable[[], bool] = lambda: False, adopt: bool = True) -> bool:
        """Take frames until `enough(tree)` (asked after each) says so, `cancelled()` or the
        end: True once the tree is complete. A tree read again whole replaces `tree` at the
        end (with `adopt`; else when `adopt()` is called, from the thread that shows it).
        Raises ParseError (the bytes are not a tree)."""
        if self._again is None and len(self.tree) and enough(self.tree):
            return False  # the first frame, made at once, is enough
        try:
            for frame in self._frames:
                if read_frame_kind(frame) == RESET:
                    self._again = ElementTree()
                    continue
                self._target.add_frame(frame)
                if cancelled():
                    self.close()
                    return False
                if self._again is None and enough(self.tree):
                    return False
        except RecursionError:
            raise ParseError(f"The element tree is {TOO_DEEP}.") from None
        if self._stopped:
            return False
        self._target.finish()
        if adopt:
            self.adopt()
        return True

    @property
    def _target(self) -> ElementTree:
        return self._again if self._again is not None else self.tree

    def adopt(self) -> None:
        """Show the tree read again whole, if it was (call it where the tree is shown)."""
        again, self._again = self._again, None
        if again is not None and again.complete:
            self.tree.adopt(again)

    def close(self) -> None:
        """Stop reading: the tree keeps what it has (safe from another thread)."""
        self._stopped = True
        self._offload.close()


@nesting_guard("The element tree")
def parse_tree(data: bytes) -> ElementTree:
    """The whole tree (read in a child process when big: the GIL is held only to take frames)."""
    reader = TreeReader(data)
    del data
    reader.read()
    return reader.tree


@nesting_guard("The map")
def parse_id_map(data: bytes) -> list[tuple[str, str]]:
    """An id map (`{"AAAB": "[unique_id='AAAB']"}`, frame, xpath or href map) as (key, value) rows."""
    decoded = load_json(data, "The map")
    if not isinstance(decoded, dict):
        raise ParseError(f"A map is a JSON object of key to value, not a {type(decoded).__name__}.")
    return [(_s(key), _s(value)) for key, value in decoded.items()]


def id_map(data: bytes) -> dict[str, str]:
    """An id map as a dict; empty when it cannot be read (it only adds detail to a tree)."""
    try:
        return dict(parse_id_map(data))
    except ParseError:
        return {}


def attribute_text(value: object) -> str:
    """An attribute value as one string: text as it is, anything else as compact JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)

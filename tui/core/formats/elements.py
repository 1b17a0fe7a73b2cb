"""Skyvern's element trees (`visible_elements_tree`, `_trimmed`) and id maps, parsed into flat models.

A real page gives tens of thousands of nodes nested deeply, so the tree is flattened once into
a list in document order (pre-order): a node is its index, children are index lists, and
search is a plain scan of the list. Nothing here builds per-node UI objects; the viewer builds
those only for the nodes the user expands.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..errors import ParseError
from ..search import next_match, text_matcher
from ..textsafe import safe_value, visible_controls
from .jsonload import load_json, nesting_guard

# Attributes worth showing in a one-line label, in this order (the detail panel shows all).
KEY_ATTRIBUTES = (
    "type", "name", "role", "aria-label", "placeholder", "value", "selected", "href", "for", "title", "alt",
)
LABEL_TEXT = 60  # characters of text in a label
LABEL_ATTR = 40  # characters of one attribute value in a label


def _s(value: Any) -> str:
    """A field as display-safe text (data from a web page: no control characters)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False)
    return visible_controls(value)


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


@dataclass
class ElementTree:
    elements: list[Element]
    roots: list[int]
    by_id: dict[str, int]

    def __len__(self) -> int:
        return len(self.elements)

    def path(self, index: int) -> list[int]:
        """Indexes from a root down to the element (inclusive)."""
        path = []
        while index != -1:
            path.append(index)
            index = self.elements[index].parent
        return path[::-1]

    def children(self, index: int) -> list[int]:
        return self.roots if index == -1 else self.elements[index].children

    def find(self, query: str, start: int, forward: bool = True) -> int | None:
        """The next element after `start` (wrapping around) whose id, tag, attributes or text
        hold `query` (smart case: ids differ by case only)."""
        needle = query.strip()
        if not needle or not self.elements:
            return None
        holds = text_matcher(needle)
        return next_match(len(self.elements), start, forward, lambda index: holds(self.elements[index].haystack()))

    def subtree_size(self, index: int) -> int:
        """Elements below `index`."""
        return self.elements[index].end - index - 1


def _options(value: Any) -> list[tuple[str, str, str]]:
    if not isinstance(value, list):
        return []
    return [
        (_s(o.get("optionIndex")), _s(o.get("text")), _s(o.get("value")))
        for o in value
        if isinstance(o, dict)
    ]


def tree_from_json(nodes: Any) -> ElementTree:
    """Flatten a decoded element tree (a list of root nodes; a single root object is tolerated)."""
    if isinstance(nodes, dict):
        nodes = [nodes]
    if not isinstance(nodes, list):
        raise ParseError(f"An element tree is a JSON list of nodes, not a {type(nodes).__name__}.")
    elements: list[Element] = []
    roots: list[int] = []
    by_id: dict[str, int] = {}
    # Iterative (an explicit stack), since real pages nest deeper than Python's recursion limit.
    stack: list[tuple[Any, int, int]] = [(node, -1, 0) for node in reversed(nodes)]
    while stack:
        node, parent, depth = stack.pop()
        if not isinstance(node, dict):
            raise ParseError(f"Element tree node {len(elements)} is a {type(node).__name__}, not an object.")
        index = len(elements)
        attributes = node.get("attributes")
        attributes = {_s(k): _s(v) for k, v in attributes.items()} if isinstance(attributes, dict) else {}
        element_id = _s(node.get("id")) or attributes.get("unique_id", "")
        element = Element(
            index=index,
            parent=parent,
            depth=depth,
            tag=_s(node.get("tagName")) or "?",
            element_id=element_id,
            attributes=attributes,
            text=_s(node.get("text")),
            before=_s(node.get("beforePseudoText")),
            after=_s(node.get("afterPseudoText")),
            interactable=bool(node.get("interactable")),
            hover_only=bool(node.get("hoverOnly")),
            frame=_s(node.get("frame")),
            options=_options(node.get("options")),
            raw={k: v for k, v in node.items() if k not in _KNOWN},
        )
        elements.append(element)
        (roots if parent == -1 else elements[parent].children).append(index)
        if element_id and element_id not in by_id:
            by_id[element_id] = index
        children = node.get("children")
        if isinstance(children, list):
            stack.extend((child, index, depth + 1) for child in reversed(children))
    _set_ends(elements)
    return ElementTree(elements, roots, by_id)


def _set_ends(elements: list[Element]) -> None:
    """Pre-order makes a subtree one run of indexes: it ends where an element no deeper starts."""
    open_: list[Element] = []
    for element in elements:
        while open_ and open_[-1].depth >= element.depth:
            open_.pop().end = element.index
        open_.append(element)
    for element in open_:
        element.end = len(elements)


@nesting_guard("The element tree")
def parse_tree(data: bytes) -> ElementTree:
    return tree_from_json(load_json(data, "The element tree"))


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

"""The element an action acted on, from the step's element tree (formats.elements) and its
id-to-css map, or, where the tree does not hold it, from what Skyvern recorded with the action
(`skyvern_element_data`: the same node as the tree has it).

A step's tree can be 80 MB: it is read (in a child process) only as far as the last element
looked for, and only those elements are built (`tree_nodes`)."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from ..formats.element_frames import read_lookup
from ..formats.elements import Element as TreeElement
from ..formats.elements import attribute_text, element_from_fields
from ..offload import offloaded
from ..model import Artifact
from .model import Element, Place

TEXT_CHARS = 80  # of an element's text, on one line
_DISPLAY_NONE = re.compile(r"(?:^|;)\s*display\s*:\s*none\b", re.IGNORECASE)
_FALSE = ("false", "0")


def _flag(attributes: Mapping[str, str], name: str) -> bool:
    """A boolean attribute: present means on, except a literal false (Skyvern writes JSON values)."""
    return name in attributes and attributes[name].strip().lower() not in _FALSE


def _trimmed(text: str) -> str:
    one = " ".join(text.split())
    return one if len(one) <= TEXT_CHARS else one[: TEXT_CHARS - 1].rstrip() + "…"


def element(element_id: str, tag: str, attributes: Mapping[str, str], text: str, css: str,
            place: Place | None) -> Element:
    return Element(
        element_id=element_id,
        tag=tag if tag != "?" else "",
        dom_id=attributes.get("id", ""),
        text=_trimmed(text),
        href=attributes.get("href", ""),
        css=css,
        disabled=_flag(attributes, "disabled") or attributes.get("aria-disabled", "").lower() == "true",
        hidden=(_flag(attributes, "hidden") or attributes.get("aria-hidden", "").lower() == "true"
                or bool(_DISPLAY_NONE.search(attributes.get("style", "")))),
        readonly=_flag(attributes, "readonly") or attributes.get("aria-readonly", "").lower() == "true",
        place=place,
    )


def from_tree(node: TreeElement, tree: Artifact, css: str) -> Element:
    return element(node.element_id, node.tag, node.attributes, node.text, css, Place(tree, node.element_id))


def from_record(element_id: str, data: Mapping[str, Any], css: str) -> Element | None:
    """From an action's `skyvern_element_data` (the actions API and the step's output carry it)."""
    if not data:
        return None
    raw = data.get("attributes")
    attributes = {str(k): attribute_text(v) for k, v in raw.items()} if isinstance(raw, Mapping) else {}
    tag = data.get("tagName")
    text = data.get("text")
    return element(element_id, str(tag) if tag else "", attributes, str(text) if text else "", css, None)


def tree_nodes(data: bytes, wanted: Collection[str]) -> dict[str, TreeElement]:
    """The first element of each wanted id the tree has (as ElementTree.by_id would give).
    The child process that reads the tree keeps those alone and stops at the last of them:
    nothing else of the tree reaches this process. Raises ParseError (as parse_tree) when
    the bytes up to there are not a tree."""
    if not wanted:
        return {}
    found: dict[str, TreeElement] = {}
    # Niced: the run model is built in the background, while the person looks at an artifact.
    for frame in offloaded("element_lookup", data, {"wanted": sorted(wanted)}, nice=10):
        for index, parent, depth, fields in read_lookup(frame):
            node = element_from_fields(index, parent, depth, fields if isinstance(fields, dict) else {}, [], 0)
            found.setdefault(node.element_id, node)
    return {element_id: node for element_id, node in found.items() if element_id in wanted}

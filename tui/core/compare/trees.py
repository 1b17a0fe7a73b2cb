"""Two element trees compared as trees: the nodes added, removed and changed.

A node is matched by its element id (Skyvern's `unique_id`), else by its path: its parent's key
and its place among the siblings of its tag that have no id (an xpath of sorts, which an id
above it keeps stable). A changed node lists what changed: its tag, text, attributes, flags
and parent, as lines compared one by one. Each node is reported once, in document order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..formats.elements import Element, ElementTree
from .lines import Cancelled, add_lines
from .result import Builder, Comparison, Side, plural

CHECK_EVERY = 500  # nodes between two looks at `cancelled`


def node_keys(tree: ElementTree) -> list[str]:
    """Each node's key, in document order: `#id`, else `parent/tag[n]`."""
    keys: list[str] = []
    seen: dict[str, int] = {}
    siblings: dict[tuple[str, str], int] = {}
    for index in range(len(tree)):
        parent = tree.parents[index]
        above = keys[parent] if parent >= 0 else ""
        element_id = tree.ids[index]
        if element_id:
            key = f"#{element_id}"
        else:
            tag = tree.tags[index] or "?"
            place = siblings.get((above, tag), 0) + 1
            siblings[(above, tag)] = place
            key = f"{above}/{tag}[{place}]"
        count = seen.get(key, 0) + 1
        seen[key] = count
        keys.append(key if count == 1 else f"{key}~{count}")  # an id used twice: told apart by order
    return keys


def node_facts(element: Element, parent_key: str) -> list[str]:
    """What a node is, a line a fact, in a fixed order (so two versions compare line by line)."""
    facts = [f"tag: {element.tag}"]
    if element.text:
        facts.append(f"text: {element.text}")
    for name in sorted(element.attributes):
        facts.append(f"@{name}: {element.attributes[name]}")
    for label, value in (("before", element.before), ("after", element.after), ("frame", element.frame)):
        if value:
            facts.append(f"{label}: {value}")
    if element.options:
        facts.extend(f"option {index}: {text} ({value})" for index, text, value in element.options)
    flags = [name for name, on in (("interactable", element.interactable), ("hover only", element.hover_only)) if on]
    if flags:
        facts.append(f"flags: {', '.join(flags)}")
    facts.append(f"parent: {parent_key or '(root)'}")
    return facts


def _what(facts: list[str]) -> str:
    return facts[0].split(": ", 1)[0] if facts else ""


def node_label(element: Element, key: str) -> str:
    text = f' "{element.short_text}"' if element.text else ""
    return f"{key} <{element.tag}>{text}"


@dataclass(frozen=True)
class NodeChange:
    kind: str  # "added", "removed", "changed"
    key: str
    label: str
    what: tuple[str, ...] = ()  # for a changed node: the names of what changed ("text", "@value")
    before: tuple[str, ...] = ()  # facts
    after: tuple[str, ...] = ()


def tree_changes(left: ElementTree, right: ElementTree, cancelled: Callable[[], bool] = lambda: False) -> list[NodeChange]:
    """The nodes added and changed (in the right's order), then those removed (in the left's)."""
    left_keys, right_keys = node_keys(left), node_keys(right)
    left_at = {key: index for index, key in enumerate(left_keys)}
    right_set = set(right_keys)
    changes: list[NodeChange] = []

    def facts(tree: ElementTree, keys: list[str], index: int) -> list[str]:
        parent = tree.parents[index]
        return node_facts(tree.element(index), keys[parent] if parent >= 0 else "")

    for index, key in enumerate(right_keys):
        if index % CHECK_EVERY == 0 and cancelled():
            raise Cancelled
        after = facts(right, right_keys, index)
        label = node_label(right.element(index), key)
        old = left_at.get(key)
        if old is None:
            changes.append(NodeChange("added", key, label, after=tuple(after)))
            continue
        before = facts(left, left_keys, old)
        if before != after:
            names = {line.split(": ", 1)[0] for line in set(before) ^ set(after)}
            ordered = [n for n in dict.fromkeys(_what([line]) for line in before + after) if n in names]
            changes.append(NodeChange("changed", key, label, tuple(ordered), tuple(before), tuple(after)))
    for index, key in enumerate(left_keys):
        if index % CHECK_EVERY == 0 and cancelled():
            raise Cancelled
        if key not in right_set:
            before = facts(left, left_keys, index)
            changes.append(NodeChange("removed", key, node_label(left.element(index), key), before=tuple(before)))
    return changes


def compare_trees(left: ElementTree, right: ElementTree, cancelled: Callable[[], bool] = lambda: False) -> Comparison:
    changes = tree_changes(left, right, cancelled)
    builder = Builder("tree")
    counts = {"added": 0, "removed": 0, "changed": 0}
    for change in changes:
        counts[change.kind] += 1
        if change.kind == "changed":
            builder.header(f"changed {change.label} · {', '.join(change.what)}", change=True)
            add_lines(builder, change.before, change.after, numbered=False)
        elif change.kind == "added":
            builder.header(f"added {change.label}", change=True)
            builder.change([], [Side(line) for line in change.after])
        else:
            builder.header(f"removed {change.label}", change=True)
            builder.change([Side(line) for line in change.before], [])
    if not changes:
        return builder.finish(f"No differences ({plural(len(right), 'node')}, matched by id or path)")
    return builder.finish(f"{plural(len(changes), 'node')} differ: {counts['added']:,} added, "
                          f"{counts['removed']:,} removed, {counts['changed']:,} changed "
                          f"(of {len(left):,} and {len(right):,}; matched by id or path)")

"""What a comparison of two artifacts gives the UI to walk: rows for a unified view, paired rows
for a side by side one, and where each change starts in both (for `n`/`N`).

Every comparison (lines, element trees, parsed actions) is built with one `Builder`, so the
views draw them all the same way. Texts in rows are already safe to print: they come from the
openers' models (made safe when built) or from `visible_controls` here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Kind(str, Enum):
    SAME = "same"
    REMOVED = "removed"  # only on the left
    ADDED = "added"  # only on the right
    CHANGED = "changed"  # a side by side row whose two sides differ
    HEADER = "header"  # what the rows below are about (a node, an action)


Marks = tuple[tuple[int, int], ...]  # character ranges that changed within a line


@dataclass(frozen=True, slots=True)
class Side:
    text: str
    number: int | None = None  # 1-based line number, where the side has lines
    marks: Marks = ()


@dataclass(frozen=True, slots=True)
class Row:
    """A row of the unified view: one side's line (a removed line is the left's)."""

    kind: Kind
    side: Side
    left: int | None = None  # line numbers, for the gutter
    right: int | None = None


@dataclass(frozen=True, slots=True)
class Pair:
    """A row of the side by side view (a header fills both sides with the same text)."""

    kind: Kind
    left: Side | None
    right: Side | None


@dataclass
class Comparison:
    what: str  # "lines", "tree", "actions"
    rows: list[Row] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)
    row_changes: list[int] = field(default_factory=list)  # first row of each change
    pair_changes: list[int] = field(default_factory=list)
    summary: str = ""  # "3 changes: 4 lines removed, 6 added"
    note: str | None = None  # how the comparison was bounded ("too different to align ...")
    width: int = 0  # characters of the longest text, for sideways scrolling
    last_number: int = 0  # the largest line number of either side (0: lines are not numbered)

    @property
    def same(self) -> bool:
        return not self.row_changes

    @property
    def change_count(self) -> int:
        return len(self.row_changes)


class Builder:
    """Rows and pairs made together, so a change starts at a known row of both views."""

    def __init__(self, what: str) -> None:
        self.result = Comparison(what)
        self._in_change = False  # under a header that started a change: its lines are part of it

    def _width(self, *sides: Side | None) -> None:
        result = self.result
        for side in sides:
            if side is not None:
                if len(side.text) > result.width:
                    result.width = len(side.text)
                if side.number is not None and side.number > result.last_number:
                    result.last_number = side.number

    def _mark_change(self) -> None:
        self.result.row_changes.append(len(self.result.rows))
        self.result.pair_changes.append(len(self.result.pairs))

    def header(self, text: str, change: bool = False) -> None:
        """A row about what follows; `change`: it starts a change (the rows after it belong to
        it, n/N land on the header)."""
        if change:
            self._mark_change()
        side = Side(text)
        self.result.rows.append(Row(Kind.HEADER, side))
        self.result.pairs.append(Pair(Kind.HEADER, side, side))
        self._width(side)
        self._in_change = change

    def same(self, left: Side, right: Side) -> None:
        self.result.rows.append(Row(Kind.SAME, left, left.number, right.number))
        self.result.pairs.append(Pair(Kind.SAME, left, right))
        self._width(left, right)

    def change(self, removed: list[Side], added: list[Side]) -> None:
        """Lines of the left replaced by lines of the right (either list may be empty)."""
        if not removed and not added:
            return
        if not self._in_change:
            self._mark_change()
        rows, pairs = self.result.rows, self.result.pairs
        rows.extend(Row(Kind.REMOVED, side, side.number, None) for side in removed)
        rows.extend(Row(Kind.ADDED, side, None, side.number) for side in added)
        for index in range(max(len(removed), len(added))):
            left = removed[index] if index < len(removed) else None
            right = added[index] if index < len(added) else None
            kind = Kind.CHANGED if left and right else Kind.REMOVED if left else Kind.ADDED
            pairs.append(Pair(kind, left, right))
        self._width(*removed, *added)

    def finish(self, summary: str, note: str | None = None) -> Comparison:
        self.result.summary = summary
        self.result.note = note
        return self.result


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"

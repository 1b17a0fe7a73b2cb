"""A line diff of two texts (the lines their viewers show), bounded so that it never hangs.

difflib's matcher is quadratic at worst, so the work is bounded: lines become integers first
(one dict look-up each; equal lines, equal numbers), the common head and tail are taken off in
a linear pass, lines found once on each side cut what remains into small ranges (as patience
diff does), and difflib aligns those; a big range with no such line is aligned only under
ALIGN_LIMIT lines, else it is said to be too different to align and shown as removed then
added. Changed lines paired one to one get their changed characters marked when both are short.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from .result import Builder, Comparison, Marks, Side, plural

ALIGN_LIMIT = 20_000  # lines of a range with no line found once on each side, at most, to align
SMALL = 2_000  # lines of a range that difflib aligns at once, anchors or not
MARK_LINE = 2_000  # characters of each of two paired lines, at most, to mark within
MARK_PAIRS = 500  # paired lines of one change, at most, to mark within
MARK_SIMILAR = 0.5  # how alike (difflib's ratio) two lines are, at least, to mark what changed


class Cancelled(Exception):
    """The comparison was given up (the person left)."""


@dataclass(frozen=True, slots=True)
class Hunk:
    """Left lines [a0, a1) become right lines [b0, b1) (`lines`: the right's)."""

    a0: int
    a1: int
    b0: int
    b1: int
    lines: tuple[str, ...]


@dataclass(frozen=True)
class LineDiff:
    hunks: list[Hunk]  # the changes only, in order
    too_different: bool = False  # the middle was not aligned (see ALIGN_LIMIT)


def _numbers(left: Sequence[str], right: Sequence[str]) -> tuple[list[int], list[int]]:
    ids: dict[str, int] = {}
    return ([ids.setdefault(line, len(ids)) for line in left], [ids.setdefault(line, len(ids)) for line in right])


def _unique_pairs(a: list[int], b: list[int], a0: int, a1: int, b0: int, b1: int) -> list[tuple[int, int]]:
    """Lines found once on each side of the ranges, as (left, right) positions in left order,
    kept where they also rise on the right (a longest increasing run, patience-style)."""
    count: dict[int, int] = {}
    where_b: dict[int, int] = {}
    for j in range(b0, b1):
        count[b[j]] = count.get(b[j], 0) + 1
        where_b[b[j]] = j
    once_a: dict[int, int] = {}
    for i in range(a0, a1):
        if count.get(a[i]) == 1:
            once_a[a[i]] = -1 if a[i] in once_a else i
    pairs = [(i, where_b[line]) for line, i in once_a.items() if i >= 0]
    pairs.sort()
    # The longest run of pairs whose right positions rise (patience sorting, n log n).
    tails: list[int] = []  # index into pairs of the smallest tail of each length
    back: list[int] = [-1] * len(pairs)
    for n, (_, j) in enumerate(pairs):
        length = _bisect_tails(pairs, tails, j)
        if length > 0:
            back[n] = tails[length - 1]
        if length == len(tails):
            tails.append(n)
        else:
            tails[length] = n
    chain: list[tuple[int, int]] = []
    at = tails[-1] if tails else -1
    while at >= 0:
        chain.append(pairs[at])
        at = back[at]
    return chain[::-1]


def _bisect_tails(pairs: list[tuple[int, int]], tails: list[int], j: int) -> int:
    low, high = 0, len(tails)
    while low < high:
        middle = (low + high) // 2
        if pairs[tails[middle]][1] < j:
            low = middle + 1
        else:
            high = middle
    return low


def diff_lines(left: Sequence[str], right: Sequence[str], cancelled: Callable[[], bool] = lambda: False,
               limit: int = ALIGN_LIMIT, small: int = SMALL) -> LineDiff:
    """The hunks that turn `left` into `right`. Raises Cancelled when `cancelled()` says so.

    Lines found once on each side anchor the alignment (patience diff): between two anchors the
    ranges are small and difflib aligns them; a range over `limit` lines with no anchor in it is
    too different to align and is one change."""
    a, b = _numbers(left, right)
    spans: list[tuple[int, int, int, int]] = []  # unequal ranges, in order
    too_different = False
    todo = [(0, len(a), 0, len(b))]
    while todo:
        if cancelled():
            raise Cancelled
        a0, a1, b0, b1 = todo.pop()
        while a0 < a1 and b0 < b1 and a[a0] == b[b0]:
            a0, b0 = a0 + 1, b0 + 1
        while a0 < a1 and b0 < b1 and a[a1 - 1] == b[b1 - 1]:
            a1, b1 = a1 - 1, b1 - 1
        if a0 == a1 and b0 == b1:
            continue
        if a0 == a1 or b0 == b1:
            spans.append((a0, a1, b0, b1))
            continue
        if max(a1 - a0, b1 - b0) > small:
            anchors = _unique_pairs(a, b, a0, a1, b0, b1)
            if anchors:
                # Ranges between anchors, pushed last first so they come off in order.
                edges = [(a0 - 1, b0 - 1), *anchors, (a1, b1)]
                for (i, j), (k, m) in reversed(list(zip(edges, edges[1:], strict=False))):
                    todo.append((i + 1, k, j + 1, m))
                continue
            if a1 - a0 > limit or b1 - b0 > limit:
                spans.append((a0, a1, b0, b1))
                too_different = True
                continue
        matcher = SequenceMatcher(None, a[a0:a1], b[b0:b1], autojunk=True)
        for tag, i0, i1, j0, j1 in matcher.get_opcodes():
            if tag != "equal":
                spans.append((a0 + i0, a0 + i1, b0 + j0, b0 + j1))
    spans.sort()
    merged: list[list[int]] = []
    for a0, a1, b0, b1 in spans:  # touching ranges are one change
        if merged and merged[-1][1] == a0 and merged[-1][3] == b0:
            merged[-1][1], merged[-1][3] = a1, b1
        else:
            merged.append([a0, a1, b0, b1])
    hunks = [Hunk(a0, a1, b0, b1, tuple(right[b0:b1])) for a0, a1, b0, b1 in merged]
    return LineDiff(hunks, too_different)


def apply_hunks(left: Sequence[str], hunks: Sequence[Hunk]) -> list[str]:
    """The right text again, from the left and the hunks."""
    out: list[str] = []
    at = 0
    for hunk in hunks:
        out.extend(left[at:hunk.a0])
        out.extend(hunk.lines)
        at = hunk.a1
    out.extend(left[at:])
    return out


def char_marks(before: str, after: str) -> tuple[Marks, Marks]:
    """The character ranges that differ between two versions of a line (none when either is long,
    or when the two are too unlike to be one line edited)."""
    if len(before) > MARK_LINE or len(after) > MARK_LINE:
        return (), ()
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    if matcher.ratio() < MARK_SIMILAR:
        return (), ()  # two different lines, not one edited: marks scattered over them would say nothing
    left: list[tuple[int, int]] = []
    right: list[tuple[int, int]] = []
    for tag, i0, i1, j0, j1 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if i1 > i0:
            left.append((i0, i1))
        if j1 > j0:
            right.append((j0, j1))
    return tuple(left), tuple(right)


def add_change(builder: Builder, removed: Sequence[str], added: Sequence[str], left_start: int | None,
               right_start: int | None) -> None:
    """One change into the builder: its lines, with the changed characters of paired lines marked.
    `*_start`: the 0-based number of the first line of each side (None: lines are not numbered)."""
    left = [Side(text, None if left_start is None else left_start + n + 1) for n, text in enumerate(removed)]
    right = [Side(text, None if right_start is None else right_start + n + 1) for n, text in enumerate(added)]
    for n in range(min(len(left), len(right), MARK_PAIRS)):
        marks = char_marks(left[n].text, right[n].text)
        left[n] = Side(left[n].text, left[n].number, marks[0])
        right[n] = Side(right[n].text, right[n].number, marks[1])
    builder.change(left, right)


def add_lines(builder: Builder, left: Sequence[str], right: Sequence[str], numbered: bool = True,
              cancelled: Callable[[], bool] = lambda: False) -> LineDiff:
    """A line diff of `left` and `right` into the builder (equal lines too)."""
    diff = diff_lines(left, right, cancelled)
    at = bt = 0
    for hunk in diff.hunks:
        for n in range(hunk.a0 - at):
            builder.same(Side(left[at + n], at + n + 1 if numbered else None),
                         Side(right[bt + n], bt + n + 1 if numbered else None))
        add_change(builder, left[hunk.a0:hunk.a1], hunk.lines, hunk.a0 if numbered else None,
                   hunk.b0 if numbered else None)
        at, bt = hunk.a1, hunk.b1
    for n in range(len(left) - at):
        builder.same(Side(left[at + n], at + n + 1 if numbered else None),
                     Side(right[bt + n], bt + n + 1 if numbered else None))
    return diff


def compare_lines(left: Sequence[str], right: Sequence[str], cancelled: Callable[[], bool] = lambda: False) -> Comparison:
    """Two texts compared line by line."""
    builder = Builder("lines")
    diff = add_lines(builder, left, right, cancelled=cancelled)
    removed = sum(h.a1 - h.a0 for h in diff.hunks)
    added = sum(h.b1 - h.b0 for h in diff.hunks)
    if not diff.hunks:
        return builder.finish(f"No differences ({plural(len(left), 'line')})")
    note = None
    if diff.too_different:
        note = (f"Too different to align line by line (more than {ALIGN_LIMIT:,} lines differ on a side): "
                "the part that differs is shown removed, then added.")
    summary = f"{plural(len(diff.hunks), 'change')}: {plural(removed, 'line')} removed, {added:,} added"
    return builder.finish(summary, note)

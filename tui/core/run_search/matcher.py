"""What a run-wide search looks for: a string (smart case, as find within one artifact), or a
regular expression after `re:` (smart case too: a pattern without a capital letter, escapes
such as \\S left aside, ignores case).

A string is searched in whole lines (linear: `str.find`). A regex is Python's `re`, which
backtracks and holds the GIL for the whole of one call, so its work is bounded three ways:
- it looks at the first REGEX_LINE characters of a line, in windows of REGEX_WINDOW characters
  that overlap by REGEX_OVERLAP (a match longer than that across a window's edge is missed or
  cut; a line's text after REGEX_LINE is found by a plain string only);
- patterns that backtrack exponentially are refused, with a message: a repeat of something that
  repeats (`(a+)+`, `(a*)*`), a repeat of alternatives that can start alike (`(a|aa)*`);
- so are patterns of more than MAX_OPEN_REPEATS open-ended repeats (`.*a.*b.*z`): each one
  multiplies the work on a line that does not match (measured: `.*a.*b.*z` takes some 45 ms on
  a window of 250 characters, 9 s on one of 1000).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..search import find_all, text_matcher

REGEX_PREFIX = "re:"
REGEX_WINDOW = 256  # characters of a line one regex call looks at
REGEX_OVERLAP = 64  # characters two windows of a long line share
REGEX_LINE = 16_384  # characters of a line a regex looks at
MAX_OPEN_REPEATS = 2
MAX_PATTERN = 500  # characters of a pattern


class BadQuery(ValueError):
    """A query that cannot be searched for; its message says why, for the person who typed it."""


Span = tuple[int, int]


@dataclass(frozen=True)
class Matcher:
    """Where a query matches in a line: `spans(line)`, left to right, not overlapping."""

    query: str  # as typed
    text: str  # the string or the pattern, without `re:`
    pattern: re.Pattern[str] | None  # None: a plain string

    @property
    def is_regex(self) -> bool:
        return self.pattern is not None

    def spans(self, line: str, limit: int = 1 << 30) -> list[Span]:
        """Up to `limit` matches in `line` (start, end)."""
        if self.pattern is None:
            if not self._holds(line):
                return []
            size = len(self.text)
            return [(start, start + size) for start in find_all(line, self.text)[:limit]]
        return _regex_spans(self.pattern, line, limit)

    @property
    def _holds(self) -> Callable[[str], bool]:
        return _holder(self.text)


_HOLDERS: dict[str, Callable[[str], bool]] = {}


def _holder(text: str) -> Callable[[str], bool]:
    # The quick test before positions are wanted: most lines do not match.
    holder = _HOLDERS.get(text)
    if holder is None:
        if len(_HOLDERS) > 64:
            _HOLDERS.clear()
        holder = _HOLDERS[text] = text_matcher(text)
    return holder


def _regex_spans(pattern: re.Pattern[str], line: str, limit: int) -> list[Span]:
    spans: list[Span] = []
    start, size = 0, min(len(line), REGEX_LINE)
    while start < size or (start == 0 and size == 0):
        end = min(size, start + REGEX_WINDOW)
        for match in pattern.finditer(line, start, end):
            if match.end() == match.start():
                continue  # an empty match marks nothing
            if spans and match.start() < spans[-1][1]:
                continue  # found again in the overlap of two windows
            spans.append(match.span())
            if len(spans) >= limit:
                return spans
        if end >= size:
            break
        start = end - REGEX_OVERLAP
    return spans


def smart_case_flags(pattern: str) -> int:
    """re.IGNORECASE unless the pattern holds a capital letter outside its escapes."""
    letters = re.sub(r"\\.", "", pattern)
    return 0 if letters != letters.lower() else re.IGNORECASE


def compile_query(query: str) -> Matcher:
    """The matcher of a query as typed; BadQuery when it is empty or a bad or risky regex."""
    if query.startswith(REGEX_PREFIX):
        text = query[len(REGEX_PREFIX):]
        if not text:
            raise BadQuery("Type a regular expression after re:")
        if len(text) > MAX_PATTERN:
            raise BadQuery(f"The regular expression is longer than {MAX_PATTERN} characters.")
        flags = smart_case_flags(text)
        try:
            pattern = re.compile(text, flags)
        except re.error as exc:
            raise BadQuery(f"Not a regular expression: {exc}") from None
        except (RecursionError, OverflowError, ValueError) as exc:
            raise BadQuery(f"Not a regular expression the search can run: {exc}") from None
        risk = backtracking_risk(text, flags)
        if risk:
            raise BadQuery(f"This regular expression {risk}: rewrite it.")
        return Matcher(query, text, pattern)
    if not query.strip():
        raise BadQuery("Type something to search for.")
    return Matcher(query, query, None)


# --- exponential backtracking ------------------------------------------------------------------
def backtracking_risk(text: str, flags: int = 0) -> str | None:
    """Why the pattern may backtrack exponentially, or None. Walks Python's parse of it."""
    from re import _parser  # type: ignore[attr-defined]  # Python 3.11+ (the project's floor)
    try:
        parsed = _parser.parse(text, flags)
    except Exception:  # compiled above: a parse that fails here only skips the check
        return None
    found = _walk(list(parsed))
    if found is None and _open_repeats(list(parsed)) > MAX_OPEN_REPEATS:
        found = f"has more than {MAX_OPEN_REPEATS} open-ended repeats (*, +, {{n,}}), which take long on a long line"
    return found


def _open_repeats(items: list[tuple[Any, Any]]) -> int:
    count = 0
    for op, av in items:
        name = str(op)
        if name in _REPEATS:
            count += (str(av[1]) == "MAXREPEAT") + _open_repeats(list(av[2]))
        elif name == "SUBPATTERN":
            count += _open_repeats(list(av[-1]))
        elif name == "BRANCH":
            count += max((_open_repeats(list(alt)) for alt in av[1]), default=0)
        elif name in ("ASSERT", "ASSERT_NOT"):
            count += _open_repeats(list(av[1]))
    return count


_REPEATS = {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}


def _walk(items: list[tuple[Any, Any]]) -> str | None:
    for op, av in items:
        name = str(op)
        if name in _REPEATS:
            _low, high, sub = av
            repeats = high is None or high > 1
            if repeats and _can_repeat(list(sub)):
                return "repeats a group that itself repeats, which can take exponential time"
            found = _walk(list(sub))
            if found:
                return found
            if repeats and _overlapping_branch(list(sub)):
                return "repeats alternatives that can start alike, which can take exponential time"
        elif name == "SUBPATTERN":
            found = _walk(list(av[-1]))
            if found:
                return found
        elif name == "BRANCH":
            for alternative in av[1]:
                found = _walk(list(alternative))
                if found:
                    return found
        elif name in ("ASSERT", "ASSERT_NOT"):
            found = _walk(list(av[1]))
            if found:
                return found
    return None


def _can_repeat(items: list[tuple[Any, Any]]) -> bool:
    """Whether the items hold a repeat of more than once (at any depth)."""
    for op, av in items:
        name = str(op)
        if name in _REPEATS:
            if av[1] is None or av[1] > 1:
                return True
            if _can_repeat(list(av[2])):
                return True
        elif name == "SUBPATTERN" and _can_repeat(list(av[-1])):
            return True
        elif name == "BRANCH" and any(_can_repeat(list(alt)) for alt in av[1]):
            return True
    return False


def _overlapping_branch(items: list[tuple[Any, Any]]) -> bool:
    """Whether a branch directly in these items has two alternatives that may start with the
    same character (or one that starts with something other than a literal)."""
    for op, av in items:
        name = str(op)
        if name == "SUBPATTERN":
            if _overlapping_branch(list(av[-1])):
                return True
        elif name == "BRANCH":
            firsts: list[str] = []  # compared without case: the pattern may ignore it
            for alternative in av[1]:
                parts = list(alternative)
                if not parts or str(parts[0][0]) != "LITERAL":
                    return True
                firsts.append(chr(parts[0][1]).lower())
            if len(set(firsts)) != len(firsts):
                return True
    return False

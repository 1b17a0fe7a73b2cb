"""Find-next, shared by every viewer: wrap around, and smart case.

Smart case (as in vim and less): a query with a capital letter matches case exactly, one in
lower case ignores it. Element ids differ by case only (AAAh and AAAH are two elements), so
"AAAh" must not find "AAAH", while "sign in" should find "Sign in".
"""

from __future__ import annotations

from collections.abc import Callable


def text_matcher(query: str) -> Callable[[str], bool]:
    """Whether a text holds the query, with smart case."""
    if query != query.lower():
        return lambda text: query in text
    return lambda text: query in text.lower()


def next_match(count: int, start: int, forward: bool, matches: Callable[[int], bool]) -> int | None:
    """The first index after `start` (before it, going back), wrapping around, that matches."""
    step = 1 if forward else -1
    for offset in range(1, count + 1):
        index = (start + step * offset) % count
        if matches(index):
            return index
    return None


def find_all(text: str, query: str) -> list[int]:
    """Where `query` starts in `text`, left to right, not overlapping (smart case). Linear:
    str.find over the text, never a regex built from the query."""
    if not query:
        return []
    if query == query.lower():
        lowered = text.lower()
        if len(lowered) != len(text):  # a letter such as 'İ' lowers to two: keep the offsets
            lowered = "".join(char.lower()[:1] for char in text)
        text = lowered
    found: list[int] = []
    start = text.find(query)
    while start >= 0:
        found.append(start)
        start = text.find(query, start + len(query))
    return found

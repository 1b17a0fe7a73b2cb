"""A search over every text artifact of a run, artifact by artifact in the run's order (its
groups: step by step, then the run's own), yielding what it finds as it goes.

Blocks (reads through the source, which fetches what a server run has not cached and caches
it; parses): iterate it in a worker. Between artifacts and every few hundred lines it asks
`cancelled()`; it stops at a cap of matches per artifact and in all, and says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..errors import TuiError
from ..model import Artifact, RunDetail
from ..opening import kind_name, open_artifact
from ..sources.base import Source, is_remote
from .lines import SEARCHED, lines_of
from .matcher import Matcher, Span

PER_ARTIFACT = 200  # matches kept of one artifact
TOTAL = 5000  # matches kept in all
WINDOW = 160  # characters of a matched line kept around its first match
BEFORE = 40  # of them before the match
CHECK_EVERY = 256  # lines between two asks of cancelled()


@dataclass(frozen=True)
class Hit:
    """One matching line: its place, and a window of it around the match (a line may be 10 MB)."""

    target: str | None  # for Viewer.go_to; None: the artifact's start
    where: str  # "line 12", "entry 3 · response body"
    text: str  # the window, safe, on one line
    spans: tuple[Span, ...]  # the matches inside `text`
    cut_left: bool  # the line goes on before the window
    cut_right: bool  # and after it
    match: str  # the first match's text, whole (what the viewer's find bar gets for a regex)


@dataclass(frozen=True)
class Found:
    """The matches of one artifact, in its order."""

    artifact: Artifact
    step: str  # its group's label: "Step 2", "Task 1 · Step 1 (retry 1)", "Run"
    hits: tuple[Hit, ...]
    capped: bool  # stopped at PER_ARTIFACT (or at TOTAL)


@dataclass(frozen=True)
class Unsearched:
    """An artifact that could not be read or parsed: why."""

    artifact: Artifact
    step: str
    why: str


@dataclass(frozen=True)
class Progress:
    done: int  # artifacts searched
    total: int  # artifacts to search
    artifact: Artifact | None  # the one being read now
    fetching: bool  # read through a server (what it has not cached is fetched)


@dataclass(frozen=True)
class Finished:
    searched: int
    matches: int
    artifacts: int  # with a match
    capped: bool  # stopped at TOTAL
    cancelled: bool


Event = Found | Unsearched | Progress | Finished


def searched_artifacts(detail: RunDetail) -> list[tuple[str, Artifact]]:
    """(step label, artifact) of every text artifact, in the run's order."""
    return [
        (group.label, artifact)
        for group in detail.groups()
        for artifact in group.artifacts
        if kind_name(artifact.kind) in SEARCHED
    ]


def window(line: str, spans: list[Span], width: int = WINDOW, before: int = BEFORE) -> tuple[str, tuple[Span, ...], bool, bool]:
    """A piece of `line` at most `width` long around its first match, on one line, and the
    spans that fall in it (cut to it), relative to it."""
    first = spans[0][0] if spans else 0
    start = max(0, min(first - before, len(line) - width))
    end = min(len(line), start + width)
    # Same length: tabs and newlines become spaces, so the spans still fit.
    text = line[start:end].replace("\t", " ").replace("\n", " ").replace("\r", " ")
    inside = tuple((max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start)
    return text, inside, start > 0, end < len(line)


def search_run(
    source: Source,
    detail: RunDetail,
    matcher: Matcher,
    cancelled: Callable[[], bool] = lambda: False,
    per_artifact: int = PER_ARTIFACT,
    total: int = TOTAL,
) -> Iterator[Event]:
    """Progress before each artifact, then its Found (when it matches) or Unsearched; Finished last."""
    todo = searched_artifacts(detail)
    remote = is_remote(source)
    matches = with_matches = searched = 0
    for done, (step, artifact) in enumerate(todo):
        if cancelled() or matches >= total:
            break
        yield Progress(done, len(todo), artifact, remote)
        try:
            opened = open_artifact(artifact, source, detail)
            hits, full = _hits(lines_of(opened, artifact, cancelled), matcher, cancelled, min(per_artifact, total - matches))
        except TuiError as exc:
            yield Unsearched(artifact, step, str(exc))
            continue
        except (RecursionError, MemoryError, OSError, ValueError) as exc:  # a parser's or the disk's
            yield Unsearched(artifact, step, f"{type(exc).__name__}: {exc}")
            continue
        if cancelled():
            break
        searched += 1
        if hits:
            matches += sum(len(hit.spans) for hit in hits)
            with_matches += 1
            yield Found(artifact, step, tuple(hits), full)
    stopped = cancelled()
    if not stopped:
        yield Progress(searched, len(todo), None, remote)
    yield Finished(searched, matches, with_matches, matches >= total, stopped)


def _hits(lines, matcher: Matcher, cancelled: Callable[[], bool], limit: int) -> tuple[list[Hit], bool]:
    """The hits of an artifact's lines, up to `limit` matches: (hits, whether it stopped there)."""
    hits: list[Hit] = []
    count = 0
    for number, line in enumerate(lines):
        if number % CHECK_EVERY == 0 and cancelled():
            break
        spans = matcher.spans(line.text, limit - count)
        if not spans:
            continue
        text, inside, left, right = window(line.text, spans)
        first = spans[0]
        hits.append(Hit(line.target, line.where, text, inside, left, right, line.text[first[0]:first[1]]))
        count += len(spans)
        if count >= limit:
            return hits, True
    return hits, False

"""What an artifact can be compared with: the artifacts of its kind in its own run (step by
step), then in the other runs of the app's sources, found run by run. Blocks: a worker walks
`other_runs`, which lists each source a page at a time and loads one run per step."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from ..errors import describe_error
from ..located import Located
from ..model import Artifact, Run, RunDetail
from ..run_model.model import Place
from ..sources.base import Source, is_remote
from ..textsafe import visible_controls
from .sides import same_kind

PAGE = 50  # runs asked of a server at a time
MAX_RUNS = 200  # other runs looked at, at most (a server may hold thousands)


@dataclass(frozen=True)
class Candidate:
    located: Located
    run: str  # "this run", or the other run's id and status
    step: str  # the artifact's group in its run ("Step 2", "Run")

    @property
    def artifact(self) -> Artifact:
        return self.located.artifact


def run_candidates(origin: Artifact, source: Source, detail: RunDetail, run_label: str, own_run: bool = True) -> list[Candidate]:
    """The artifacts of `detail` offered to compare with `origin`, step by step (in its own run,
    itself left out; ids are a run's own: another run may reuse them)."""
    found = []
    for group in detail.groups():
        for artifact in group.artifacts:
            if not (own_run and artifact.artifact_id == origin.artifact_id) and same_kind(origin, artifact):
                found.append(Candidate(Located(source, detail, Place(artifact)), run_label, group.label))
    return found


def run_label(run: Run) -> str:
    return f"{run.run_id} · {run.status or 'status unknown'}"


def _runs(source: Source, cancelled: Callable[[], bool]) -> Iterator[Run]:
    if is_remote(source):
        page = 1
        while not cancelled():
            runs = source.list_runs_page(page=page, page_size=PAGE)
            yield from runs
            if len(runs) < PAGE:
                return
            page += 1
    else:
        yield from source.list_runs()


@dataclass(frozen=True)
class Progress:
    """One step of the walk: a run looked at (its candidates), or a source or run that failed."""

    looked: int  # runs looked at so far
    candidates: list[Candidate]
    problem: str | None = None  # safe to print (a source's label is data too)
    capped: bool = False  # MAX_RUNS reached: the walk stops here


def other_runs(origin: Located, sources: Sequence[Source], cancelled: Callable[[], bool] = lambda: False) -> Iterator[Progress]:
    """The candidates of every other run of `sources`, a run at a time (newest first, as listed)."""
    looked = 0
    mine = origin.detail.run.run_id
    for source in sources:
        try:
            for run in _runs(source, cancelled):
                if cancelled():
                    return
                if run.run_id == mine and source is origin.source:
                    continue
                if looked >= MAX_RUNS:
                    yield Progress(looked, [], capped=True)
                    return
                looked += 1
                try:
                    detail = source.load_run(run.run_id)
                except Exception as exc:  # one run that does not load leaves the others
                    yield Progress(looked, [], visible_controls(f"{run.run_id}: {describe_error(exc)}"))
                    continue
                yield Progress(looked, run_candidates(origin.artifact, source, detail, run_label(detail.run), own_run=False))
        except Exception as exc:  # a source that does not list: said, the next one is asked
            yield Progress(looked, [], visible_controls(f"{source.label}: {describe_error(exc)}"))

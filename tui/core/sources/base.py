"""What every source of runs offers. Methods block: the app calls them from worker threads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeGuard

from ..model import Artifact, Run, RunDetail


class Source(Protocol):
    # Shown in the run picker's source column: "demo", a folder, a server.
    label: str

    def list_runs(self) -> list[Run]:
        """The runs this source holds, newest first."""
        ...

    def load_run(self, run_id: str) -> RunDetail:
        """One run with its steps and artifacts; RunNotFound when it has no such run."""
        ...

    def read_bytes(self, artifact: Artifact) -> bytes:
        """An artifact's content; ArtifactUnavailable when it cannot be had."""
        ...


class PagedSource(Source, Protocol):
    """A server: it lists its runs a page at a time, filtered and searched on its side."""

    def list_runs_page(
        self, page: int = 1, page_size: int = 20, statuses: Sequence[str] = (), search: str | None = None
    ) -> list[Run]:
        ...


def is_remote(source: Source) -> TypeGuard[PagedSource]:
    """A server (it pages its run list): runs there can still change and bytes cost a fetch."""
    return hasattr(source, "list_runs_page")

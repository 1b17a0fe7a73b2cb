"""What every source of runs offers. Methods block: the app calls them from worker threads."""

from __future__ import annotations

from typing import Protocol

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


def is_remote(source: Source) -> bool:
    """A server (it pages its run list): runs there can still change and bytes cost a fetch."""
    return hasattr(source, "list_runs_page")

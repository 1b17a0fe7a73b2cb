"""What an opener may look at: the artifact's own bytes, the run, and the other artifacts."""

from __future__ import annotations

from typing import Protocol

from ..errors import ArtifactUnavailable
from ..model import Artifact, RunDetail


class Reader(Protocol):
    """The part of a Source an opener uses."""

    def read_bytes(self, artifact: Artifact) -> bytes: ...


class GivenBytes:
    """A reader of bytes already at hand (one artifact's), for opening without a source."""

    def __init__(self, artifact: Artifact, data: bytes) -> None:
        self.artifact = artifact
        self.data = data

    def read_bytes(self, artifact: Artifact) -> bytes:
        if artifact is not self.artifact:
            raise ArtifactUnavailable(f"{artifact.artifact_id} is not at hand")
        return self.data


class Opening:
    """One artifact being opened. Every method may block: openers run in a worker thread."""

    def __init__(self, artifact: Artifact, source: Reader, detail: RunDetail | None = None) -> None:
        self.artifact = artifact
        self.source = source
        self.detail = detail
        # Bytes of the artifact as read now: a log's file_size on a real server is stale.
        self.size: int | None = None

    def data(self) -> bytes:
        """The artifact's own bytes (their count becomes its true size)."""
        data = self.source.read_bytes(self.artifact)
        self.size = len(data)
        return data

    def siblings(self, artifact_type: str) -> list[Artifact]:
        """Artifacts of a type from the same step (or the same run when it has no step)."""
        if self.detail is None:
            return []
        return [
            a for a in self.detail.artifacts
            if a.artifact_type == artifact_type and a.step_id == self.artifact.step_id
        ]

    def read(self, other: Artifact) -> bytes:
        """Bytes of another artifact of the run (a sibling map or tree)."""
        return self.source.read_bytes(other)

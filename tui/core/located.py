"""An artifact together with the run and the source it belongs to: what a comparison holds on
each side, and what search, info, copy and save act on (they may span runs and sources)."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Artifact, RunDetail
from .run_model.model import Place
from .sources.base import Source


@dataclass(frozen=True)
class Located:
    source: Source
    detail: RunDetail
    place: Place  # the artifact, and where in it (None: its start)

    @property
    def artifact(self) -> Artifact:
        return self.place.artifact

"""A deep link: where a run opens from the command line (`--open ID`, `--type TYPE`, `--step N`),
and which artifact or step of the run that is. Pure: the run screen asks, the UI shows."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Artifact, RunDetail, newest
from .textsafe import visible_controls


@dataclass(frozen=True)
class DeepLink:
    """One of the three: an artifact id, the newest artifact of a type, or a step counted from 1
    (the row of the overview's step table; the story's title says "step N/M")."""

    artifact_id: str | None = None
    artifact_type: str | None = None
    step: int | None = None


def linked_artifact(link: DeepLink, detail: RunDetail) -> Artifact | str | None:
    """The artifact the link names, or a sentence saying why there is none (None: the link
    names a step, not an artifact)."""
    if link.artifact_id is not None:
        found = next((a for a in detail.artifacts if a.artifact_id == link.artifact_id), None)
        return found or f"No artifact {visible_controls(link.artifact_id)} in run {detail.run.run_id}."
    if link.artifact_type is not None:
        found = newest([a for a in detail.artifacts if a.artifact_type == link.artifact_type])
        return found or f"No {link.artifact_type} artifact in run {detail.run.run_id}."
    return None


def step_index(link: DeepLink, steps: int) -> int | str:
    """The index into the run model's steps for `--step N`, or why N is not one of them."""
    assert link.step is not None
    if 1 <= link.step <= steps:
        return link.step - 1
    if not steps:
        return "This run has no steps."
    return f"No step {link.step}: the run has {steps} step{'s' if steps != 1 else ''} (counted from 1)."

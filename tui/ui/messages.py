"""Messages that screens send up to the app, so that no screen needs to know the app's class."""

from __future__ import annotations

from textual.message import Message

from ..core.located import Located
from ..core.model import Artifact
from ..core.sources.base import Source


class OpenRun(Message):
    """Open a run: from `source`, or, with no source, from whichever source has it (a pasted id)."""

    def __init__(self, run_id: str, source: Source | None = None) -> None:
        super().__init__()
        self.run_id = run_id
        self.source = source


class BackToPicker(Message):
    """Leave the run for the run picker."""


class ShowStory(Message):
    """Tell the story of the step an artifact belongs to (`t` over a full-size artifact)."""

    def __init__(self, artifact: Artifact) -> None:
        super().__init__()
        self.artifact = artifact


class CompareArtifacts(Message):
    """Show the diff of two artifacts of one kind (of one run or of two): `D`, or enter on a row
    of a run comparison."""

    def __init__(self, left: Located, right: Located) -> None:
        super().__init__()
        self.left = left
        self.right = right

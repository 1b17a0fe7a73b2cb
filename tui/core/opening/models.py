"""The models openers build for viewers, besides the formats' own (TextDocument, Har, Trace, ...)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..formats.elements import ElementTree, TreeReader
from ..formats.files import FileContent
from ..formats.llm import ActionsDocument, LlmDocument
from ..textsafe import safe_fields
from ..formats.media import Picture
from ..formats.text import TextDocument
from ..formats.video import FrameDecoder, VideoInfo
from ..model import Artifact


@dataclass(frozen=True)
class Opened:
    """What opening gave: the viewer kind, its model, and the size of the bytes read now."""

    kind: str
    model: object
    size: int | None


@dataclass(frozen=True)
class Shot:
    artifact: Artifact
    step: str  # the step label of the artifact list ("Step 2 (retry 1)", "Run")


@dataclass(frozen=True)
class Screenshot:
    image: Picture
    shots: tuple[Shot, ...]  # every screenshot of the run, in time order
    index: int | None  # of this one in shots

    @property
    def size(self) -> tuple[int, int]:
        return self.image.size


@dataclass(frozen=True)
class Recording:
    info: VideoInfo
    decoder: FrameDecoder | None
    first: tuple[float, Picture] | None  # the first frame, decoded when opened
    why_no_frames: str | None  # PyAV missing, or unable to read this file
    size: int | None = None  # bytes, as read


@dataclass(frozen=True)
class FileModel:
    content: FileContent | None  # None: too big to read for what is shown
    size: int | None  # bytes, measured when opened (file_size can be stale)


@dataclass(frozen=True)
class HtmlModel:
    pretty: TextDocument
    original: TextDocument


@dataclass(frozen=True)
class ElementsModel:
    tree: ElementTree
    css: dict[str, str] = field(default_factory=dict)  # element id -> CSS selector, same step
    reader: TreeReader | None = None  # reads the rest of a tree shown before it was all read


@dataclass(frozen=True)
class PromptModel:
    """A prompt, request or response, and the step's element tree the LLM saw."""

    doc: LlmDocument
    tree: Artifact | None  # the step's visible_elements_tree, for "show the element"


@dataclass(frozen=True)
class ActionsModel:
    doc: ActionsDocument
    hrefs: dict[str, str]
    tree: Artifact | None  # the step's visible_elements_tree, for "go to element"
    # What came of each action, in the answer's order, where Skyvern recorded it (the actions
    # API, the step's results): "completed", "failed: InteractWithDisabledElement: …"; None: unknown.
    outcomes: tuple[str | None, ...] = ()

    def __post_init__(self) -> None:
        safe_fields(self, keep=("doc", "hrefs", "tree"))

    def outcome(self, row: int) -> str | None:
        return self.outcomes[row] if 0 <= row < len(self.outcomes) else None


@dataclass(frozen=True)
class IdMapModel:
    rows: list[tuple[str, str]]  # (element id or hash, value) in the file's order

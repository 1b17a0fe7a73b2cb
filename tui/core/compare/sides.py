"""What is compared of an artifact, read through core's openers: the lines its viewer shows (JSON
pretty-printed, HTML indented, prompts with their hrefs resolved), its element tree, or its
parsed actions. Blocks (reads, parses): call it from a worker."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..errors import TuiError
from ..formats.elements import ElementTree
from ..formats.llm import ActionsDocument
from ..formats.text import text_document
from ..located import Located
from ..model import Artifact
from ..opening import (
    ActionsModel,
    ElementsModel,
    HtmlModel,
    IdMapModel,
    PromptModel,
    kind_name,
    open_artifact,
)
from ..formats.text import TextDocument
from .actions import compare_actions
from .lines import Cancelled, compare_lines
from .result import Comparison
from .trees import compare_trees

TREE_KINDS = frozenset({"element_tree"})
# Viewer kinds compared as the lines their viewer shows, with the opener's model.
OPENED_LINES = frozenset({"text", "json", "python", "html", "id_map", "llm_prompt", "llm_request", "llm_response"})
# Compared as their text (a log's lines, a HAR's JSON indented): their viewers show rows of their own.
RAW_LINES = frozenset({"skyvern_log", "skyvern_log_raw", "console_log", "har"})
COMPARABLE = TREE_KINDS | OPENED_LINES | RAW_LINES | {"llm_actions"}
WHAT_COMPARES = "D compares text, element trees, JSON and HTML (logs, prompts, parsed actions, scripts...)"


class CannotCompare(TuiError):
    """Two artifacts that have nothing to be compared by."""


def comparable(artifact: Artifact) -> bool:
    return kind_name(artifact.kind) in COMPARABLE


def same_kind(origin: Artifact, other: Artifact) -> bool:
    """Whether `other` is offered to compare with `origin`: the same type, or for an element
    tree any element tree (the whole one or the trimmed one)."""
    if other.artifact_type == origin.artifact_type:
        return True
    return kind_name(origin.kind) in TREE_KINDS and kind_name(other.kind) in TREE_KINDS


@dataclass(frozen=True)
class Lines:
    lines: list[str]
    note: str | None = None  # the viewer's warning (JSON that does not parse) or note


Content = Lines | ElementTree | ActionsDocument


def _lines(doc: TextDocument) -> Lines:
    return Lines(doc.lines, doc.warning)


def read_content(side: Located, cancelled: Callable[[], bool] = lambda: False) -> Content:
    """What is compared of one side. Raises TuiError when it cannot be read or parsed."""
    artifact = side.artifact
    name = kind_name(artifact.kind)
    if name not in COMPARABLE:
        raise CannotCompare(f"{artifact.artifact_type} is not compared ({WHAT_COMPARES}).")
    if name in RAW_LINES:
        return _lines(text_document(side.source.read_bytes(artifact), artifact.kind.format))
    model = open_artifact(artifact, side.source, side.detail).model
    if isinstance(model, ElementsModel):
        if model.reader is not None:  # a big tree opens with its first nodes: read the rest
            model.reader.read(cancelled=cancelled)
            if cancelled():
                raise Cancelled
        return model.tree
    if isinstance(model, ActionsModel):
        return model.doc
    if isinstance(model, PromptModel):
        return Lines(model.doc.lines, model.doc.warning)
    if isinstance(model, HtmlModel):
        return _lines(model.pretty)
    if isinstance(model, IdMapModel):
        return Lines([f"{key}: {value}" for key, value in model.rows])
    if isinstance(model, TextDocument):
        return _lines(model)
    raise CannotCompare(f"{artifact.artifact_type} opened as {type(model).__name__}, which is not compared.")


def compare_contents(left: Content, right: Content, cancelled: Callable[[], bool] = lambda: False) -> Comparison:
    """The comparison of two sides read by read_content. Raises CannotCompare for two kinds of content."""
    if isinstance(left, ElementTree) and isinstance(right, ElementTree):
        return compare_trees(left, right, cancelled)
    if isinstance(left, ActionsDocument) and isinstance(right, ActionsDocument):
        return compare_actions(left, right, cancelled)
    if isinstance(left, Lines) and isinstance(right, Lines):
        result = compare_lines(left.lines, right.lines, cancelled)
        notes = [n for n in (result.note, _side_note("left", left), _side_note("right", right)) if n]
        result.note = " ".join(notes) or None
        return result
    raise CannotCompare(f"A {_what(left)} and a {_what(right)} cannot be compared.")


def _side_note(which: str, side: Lines) -> str | None:
    return f"The {which} side: {side.note}" if side.note else None


def _what(content: Content) -> str:
    return "element tree" if isinstance(content, ElementTree) else "parsed answer" if isinstance(content, ActionsDocument) else "text"

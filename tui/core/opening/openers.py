"""The openers, one per viewer kind, in one explicit table.

An opener takes an `Opening` (the artifact, the source, the run) and returns the typed model
its viewer shows. Openers run in a worker thread: they read, parse, decode and bound the
work here so a viewer only shows.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timezone

from ..catalog import ArtifactKind, Category, Format
from ..errors import ParseError, TuiError
from ..formats import llm
from ..formats.elements import TreeReader, id_map, parse_id_map
from ..formats.files import sniff
from ..formats.har import Har, har_head
from ..formats.html import pretty_html_bytes
from ..formats.logs import (
    ConsoleMessage,
    RawEvent,
    SkyvernLog,
    browser_console_log,
    index_rest,
    skyvern_log,
    skyvern_log_head,
    skyvern_log_raw,
)
from ..formats.media import open_image
from ..formats.text import TextDocument, text_document
from ..formats.trace import Trace, parse_trace
from ..formats.video import INSTALL_HINT, FrameDecoder, have_decoder, probe_video
from ..model import Artifact, RunDetail
from ..run_model.actions import recorded_actions
from .context import GivenBytes, Opening, Reader
from .models import (
    ActionsModel,
    ElementsModel,
    FileModel,
    HtmlModel,
    IdMapModel,
    Opened,
    PromptModel,
    Recording,
    Screenshot,
    Shot,
)

# --- sizes ----------------------------------------------------------------------------------------
BIG_LOG = 16 << 20  # from this size a log file on this disk is shown before it is all read
CONTENT_LIMIT = 8 << 20  # a file is read to be shown up to this size; above it, its details alone

HTML_PRETTY_NOTE = "indented for reading · r shows the original"
HTML_ORIGINAL_NOTE = "original text · r indents it for reading"


def local_size(artifact: Artifact) -> int | None:
    """The size of the artifact's file on this disk now, None when it has none (a bundled
    member's path is its archive's: its size is not the member's)."""
    if artifact.path is None or artifact.bundle_key:
        return None
    try:
        return artifact.path.stat().st_size
    except OSError:
        return None


def _big_local_log(artifact: Artifact) -> int | None:
    size = local_size(artifact)
    return size if size is not None and size >= BIG_LOG else None


# --- text ------------------------------------------------------------------------------------------
def open_text(job: Opening) -> TextDocument:
    return text_document(job.data(), job.artifact.kind.format)


def open_html(job: Opening) -> HtmlModel:
    data = job.data()
    lines = pretty_html_bytes(data)
    pretty = TextDocument(lines, "html", note=HTML_PRETTY_NOTE, width=max(map(len, lines), default=0))
    original = text_document(data, Format.HTML)
    return HtmlModel(pretty, TextDocument(original.lines, "html", note=HTML_ORIGINAL_NOTE, width=original.width))


def open_file(job: Opening) -> FileModel:
    """A file's content when it is small enough to read for what is shown (else its details
    alone), and its true size."""
    size = local_size(job.artifact)
    if size is None:
        size = job.artifact.file_size
    if size is not None and size > CONTENT_LIMIT:
        return FileModel(None, size)
    data = job.data()
    return FileModel(sniff(data), len(data))


# --- images and recordings ---------------------------------------------------------------------------
_NO_TIME = datetime.min.replace(tzinfo=timezone.utc)


def run_screenshots(detail: RunDetail | None) -> tuple[Shot, ...]:
    """The run's images in time order, each with the label of its group in the artifact list.

    Mostly the list's order too; a screenshot without a step (taken before the first one)
    sits in the list's "Run" group at the end but comes first here.
    """
    if detail is None:
        return ()
    shots = [
        Shot(artifact, group.label)
        for group in detail.groups(Category.VISUAL)
        for artifact in group.artifacts
        if artifact.kind.format is Format.IMAGE
    ]
    # Stable: artifacts captured in the same second keep the list's order.
    shots.sort(key=lambda shot: shot.artifact.captured_at or _NO_TIME)
    return tuple(shots)


def open_screenshot(job: Opening) -> Screenshot:
    image = open_image(job.data())
    shots = run_screenshots(job.detail)
    me = job.artifact.artifact_id
    index = next((i for i, s in enumerate(shots) if s.artifact.artifact_id == me), None)
    return Screenshot(image, shots, index)


def open_recording(job: Opening) -> Recording:
    data = job.data()
    return replace(_recording(data), size=len(data))


def _recording(data: bytes) -> Recording:
    info = probe_video(data)
    if not have_decoder():
        return Recording(info, None, None, f"To step through its frames, install PyAV:\n  {INSTALL_HINT}")
    try:
        decoder = FrameDecoder(data)
        first = decoder.frame_at(0.0)
    except ParseError as exc:
        return Recording(info, None, None, str(exc))
    except Exception as exc:  # PyAV has many ways to fail on odd files: the facts still show
        return Recording(info, None, None, f"PyAV cannot decode this recording: {type(exc).__name__}: {exc}")
    if first is None:
        return Recording(info, None, None, "PyAV found no frame in this recording.")
    return Recording(info, decoder, first, None)


# --- page structure ------------------------------------------------------------------------------------
FIRST_ELEMENTS = 1000  # a tree is shown once this many nodes are read; its viewer reads the rest
BIG_TREE = 8 << 20  # from this size a tree file on this disk is read by the child alone
_TREE_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def _big_local_tree(job: Opening) -> int | None:
    """A big tree file on this disk, opened (a descriptor) for the child to map; None to read
    it through the source. Opened as the source reads (a regular file, no last link)."""
    size = local_size(job.artifact)
    if size is None or size < BIG_TREE or job.artifact.path is None:
        return None
    try:
        fd = os.open(job.artifact.path, _TREE_FLAGS)
    except OSError:
        return None  # the source says why, as for any file
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    job.size = size
    return fd


def open_element_tree(job: Opening) -> ElementsModel:
    """A tree's first nodes (all of a small one), and the reader of the rest."""
    fd = _big_local_tree(job)
    reader = TreeReader(job.data()) if fd is None else TreeReader(fd=fd)
    reader.read(enough=lambda tree: len(tree) >= FIRST_ELEMENTS)
    tree = reader.tree
    css: dict[str, str] = {}
    for sibling in job.siblings("visible_elements_id_css_map")[:1]:
        try:
            css = id_map(job.read(sibling))
        except TuiError:
            css = {}  # the selectors only add detail; the tree shows without them
    return ElementsModel(tree, css, None if tree.complete else reader)


def open_id_map(job: Opening) -> IdMapModel:
    rows = parse_id_map(job.data())
    return IdMapModel(rows)  # a virtual table: its size does not matter


# --- AI reasoning ----------------------------------------------------------------------------------------
def step_hrefs(job: Opening) -> dict[str, str]:
    """The step's hashed_href_maps merged (a step has one per prompt; a hash names one URL)."""
    hrefs: dict[str, str] = {}
    for found in job.siblings("hashed_href_map"):
        try:
            hrefs.update(llm.parse_href_map(job.read(found)))
        except TuiError:
            continue  # a broken or missing map only leaves its placeholders unresolved
    return hrefs


def step_tree(job: Opening) -> Artifact | None:
    """The step's element tree the LLM saw: the newest one made before this artifact."""
    trees = job.siblings("visible_elements_tree")
    if not trees:
        return None
    stamp = job.artifact.captured_at
    before = [t for t in trees if stamp is None or t.captured_at is None or t.captured_at <= stamp]
    return (before or trees)[-1]


def open_prompt(job: Opening) -> PromptModel:
    return PromptModel(llm.prompt_document(job.data(), step_hrefs(job)), step_tree(job))


def open_request(job: Opening) -> PromptModel:
    return PromptModel(llm.request_document(job.data(), step_hrefs(job)), step_tree(job))


def open_response(job: Opening) -> PromptModel:
    return PromptModel(llm.response_document(job.data(), step_hrefs(job)), step_tree(job))


def open_actions(job: Opening) -> ActionsModel:
    doc = llm.actions_document(job.data())
    return ActionsModel(doc, step_hrefs(job), step_tree(job), action_outcomes(job, doc))


def action_outcomes(job: Opening, doc: llm.ActionsDocument) -> tuple[str | None, ...]:
    """What came of each action of an answer: the step's recorded action in the same place, when it
    is the same action (type and element); an answer no step carried out has none."""
    detail, step_id = job.detail, job.artifact.step_id
    step = next((s for s in detail.steps if s.step_id == step_id), None) if detail and step_id else None
    if step is None or detail is None:
        return ()
    recorded = [a for a, _ in recorded_actions(step, [i for i in detail.actions if i.get("step_id") == step_id])]
    outcomes: list[str | None] = []
    for n, decided in enumerate(doc.actions):
        done = recorded[n] if n < len(recorded) else None
        same = done is not None and done.action_type == decided.action_type.lower() and \
            (done.element_id or None) == (decided.element_id or None)
        if not same or done is None or (done.status is None and done.success is None):
            outcomes.append(None)
            continue
        status = done.status or ("failed" if done.success is False else "completed")
        outcomes.append(": ".join([status, *done.errors[:1]]) if done.failed else status)
    return tuple(outcomes)


# --- logs ------------------------------------------------------------------------------------------------
def open_skyvern_log(job: Opening) -> SkyvernLog:
    """A log; a big file on this disk opens with its first lines (read_rest_of_log indexes the rest)."""
    big = _big_local_log(job.artifact)
    if big is not None and job.artifact.path is not None:
        job.size = big
        try:
            return skyvern_log_head(job.artifact.path, big)
        except OSError as exc:
            raise ParseError(f"cannot read {job.artifact.path}: {exc.strerror or exc}") from exc
    return skyvern_log(job.data())


def read_rest_of_log(
    artifact: Artifact,
    log: SkyvernLog,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> None:
    """Index the lines of a log opened early (its head only). Blocks: call it from a worker.
    Raises OSError when the file cannot be read any more."""
    if artifact.path is not None and not log.complete:
        index_rest(log, artifact.path, progress, cancelled)


def open_raw_log(job: Opening) -> list[RawEvent]:
    return skyvern_log_raw(job.data())


def open_console_log(job: Opening) -> list[ConsoleMessage]:
    return browser_console_log(job.data())


# --- network ------------------------------------------------------------------------------------------------
def open_har(job: Opening) -> Har:
    """The HAR with its first entries: the viewer reads the others (formats.har.read_rest)."""
    return har_head(job.data())


def open_trace(job: Opening) -> Trace:
    trace = parse_trace(job.data())
    # The first frame is decoded here so the viewer opens with a picture and no wait.
    try:
        trace.first_image = open_image(trace.frame_bytes(trace.frames[0])) if trace.frames else None
    except ParseError:
        trace.first_image = None  # a damaged frame: the actions, console and network still show
    return trace


Opener = Callable[[Opening], object]

# Viewer kind (catalog.ArtifactKind.viewer, or a format's value for the fallback) -> opener.
OPENERS: Mapping[str, Opener] = {
    "text": open_text,
    "json": open_text,
    "python": open_text,
    "html": open_html,
    "binary": open_file,
    "zip": open_file,
    "pdf": open_file,
    "image": open_screenshot,
    "video": open_recording,
    "element_tree": open_element_tree,
    "id_map": open_id_map,
    "llm_prompt": open_prompt,
    "llm_request": open_request,
    "llm_response": open_response,
    "llm_actions": open_actions,
    "skyvern_log": open_skyvern_log,
    "skyvern_log_raw": open_raw_log,
    "console_log": open_console_log,
    "har": open_har,
    "trace": open_trace,
}


def kind_name(kind: ArtifactKind, known: Mapping[str, object] = OPENERS) -> str:
    """The name a kind is opened and shown under: its viewer kind, else its format's, else binary."""
    if kind.viewer in known:
        return kind.viewer
    if kind.format.value in known:
        return kind.format.value
    return "binary"


def open_artifact(artifact: Artifact, source: Reader, detail: RunDetail | None = None) -> Opened:
    """The model the artifact's viewer shows. Blocks (reads, parses): call it from a worker.
    Raises TuiError (ParseError, a source's error) when the artifact cannot be opened."""
    name = kind_name(artifact.kind)
    job = Opening(artifact, source, detail)
    model = OPENERS[name](job)
    return Opened(name, model, job.size)


def open_data(artifact: Artifact, data: bytes, detail: RunDetail | None = None) -> Opened:
    """Open bytes already at hand as the artifact (tests, a diff of two files). Blocks."""
    return open_artifact(artifact, GivenBytes(artifact, data), detail)

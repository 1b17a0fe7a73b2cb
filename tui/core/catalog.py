"""Every Skyvern artifact type: its sidebar category, file extension, format and viewer kind.

Adding a type is one line in TYPES. A type this table does not know still opens: it lands in
"files" and is shown by the format guessed from its file name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class Category(str, Enum):
    VISUAL = "visual"
    AI = "ai"
    STRUCTURE = "structure"
    LOGS = "logs"
    NETWORK = "network"
    FILES = "files"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    Category.VISUAL: "Visual",
    Category.AI: "AI reasoning",
    Category.STRUCTURE: "Page structure",
    Category.LOGS: "Logs",
    Category.NETWORK: "Network",
    Category.FILES: "Files",
}
CATEGORIES: tuple[Category, ...] = tuple(Category)


class Format(str, Enum):
    """How the bytes are encoded; decides the fallback viewer."""

    IMAGE = "image"
    VIDEO = "video"
    TEXT = "text"
    JSON = "json"
    HTML = "html"
    PYTHON = "python"
    ZIP = "zip"
    PDF = "pdf"
    BINARY = "binary"


@dataclass(frozen=True)
class ArtifactKind:
    """What the catalogue knows of one artifact type."""

    name: str
    category: Category
    ext: str
    format: Format
    # The specialised viewer for this type. Until one is registered for it, the viewer of
    # the type's format is used, so a kind can be named here before its viewer exists.
    viewer: str
    known: bool = True

    @property
    def run_level(self) -> bool:
        """Belongs to the run as a whole rather than to the step it is attached to."""
        return self.name in RUN_LEVEL_TYPES


def _k(name: str, category: Category, ext: str, fmt: Format, viewer: str) -> ArtifactKind:
    return ArtifactKind(name, category, ext, fmt, viewer)


V, A, S, L, N, F = (
    Category.VISUAL,
    Category.AI,
    Category.STRUCTURE,
    Category.LOGS,
    Category.NETWORK,
    Category.FILES,
)

TYPES: dict[str, ArtifactKind] = {
    k.name: k
    for k in (
        # visual
        _k("recording", V, "webm", Format.VIDEO, "video"),
        _k("screenshot", V, "png", Format.IMAGE, "image"),
        _k("screenshot_llm", V, "png", Format.IMAGE, "image"),
        _k("screenshot_action", V, "png", Format.IMAGE, "image"),
        _k("screenshot_final", V, "png", Format.IMAGE, "image"),
        _k("screenshot_pre_submit", V, "png", Format.IMAGE, "image"),
        # AI reasoning
        _k("llm_prompt", A, "txt", Format.TEXT, "llm_prompt"),
        _k("llm_request", A, "json", Format.JSON, "llm_request"),
        _k("llm_response", A, "json", Format.JSON, "llm_response"),
        _k("llm_response_parsed", A, "json", Format.JSON, "llm_actions"),
        _k("llm_response_rendered", A, "json", Format.JSON, "llm_actions"),
        # page structure
        _k("visible_elements_tree", S, "json", Format.JSON, "element_tree"),
        _k("visible_elements_tree_trimmed", S, "json", Format.JSON, "element_tree"),
        _k("visible_elements_tree_in_prompt", S, "txt", Format.HTML, "html"),
        _k("visible_elements_id_css_map", S, "json", Format.JSON, "id_map"),
        _k("visible_elements_id_frame_map", S, "json", Format.JSON, "id_map"),
        _k("visible_elements_id_xpath_map", S, "json", Format.JSON, "id_map"),
        _k("hashed_href_map", S, "json", Format.JSON, "id_map"),
        _k("html", S, "html", Format.HTML, "html"),
        _k("html_scrape", S, "html", Format.HTML, "html"),
        _k("html_action", S, "html", Format.HTML, "html"),
        _k("html_pre_submit", S, "html", Format.HTML, "html"),
        # logs
        _k("skyvern_log", L, "log", Format.TEXT, "skyvern_log"),
        _k("skyvern_log_raw", L, "json", Format.JSON, "skyvern_log_raw"),
        _k("browser_console_log", L, "log", Format.TEXT, "console_log"),
        # network
        _k("har", N, "har", Format.JSON, "har"),
        _k("trace", N, "zip", Format.ZIP, "trace"),
        # files
        _k("script_file", F, "py", Format.PYTHON, "python"),
        _k("pdf", F, "pdf", Format.PDF, "binary"),
        _k("download", F, "bin", Format.BINARY, "binary"),
        _k("step_archive", F, "zip", Format.ZIP, "binary"),
        _k("task_archive", F, "zip", Format.ZIP, "binary"),
        _k("audio", F, "bin", Format.BINARY, "binary"),
    )
}

# Attached by Skyvern to the last step when the run ends, but about the whole run.
RUN_LEVEL_TYPES = frozenset({"recording", "har", "browser_console_log", "trace", "script_file"})

# Written to until the run ends (logs, network captures, the recording): while a run is live
# their bytes are not cached and a followed one is read again at each check.
GROWING_TYPES = frozenset({"skyvern_log", "skyvern_log_raw", "browser_console_log", "har", "recording", "trace"})

_FORMAT_BY_EXT = {
    "png": Format.IMAGE,
    "jpg": Format.IMAGE,
    "jpeg": Format.IMAGE,
    "gif": Format.IMAGE,
    "webp": Format.IMAGE,
    "webm": Format.VIDEO,
    "mp4": Format.VIDEO,
    "txt": Format.TEXT,
    "log": Format.TEXT,
    "md": Format.TEXT,
    "csv": Format.TEXT,
    "json": Format.JSON,
    "har": Format.JSON,
    "html": Format.HTML,
    "htm": Format.HTML,
    "py": Format.PYTHON,
    "skyvern": Format.PYTHON,  # a generated script's block (blocks/{label}.skyvern): Python text
    "zip": Format.ZIP,
    "pdf": Format.PDF,
}


def format_for_ext(ext: str) -> Format:
    return _FORMAT_BY_EXT.get(ext.lower().lstrip("."), Format.BINARY)


def kind_of(artifact_type: str, ext: str = "") -> ArtifactKind:
    """The catalogue entry of a type; unknown types become a "files" entry that still opens."""
    kind = TYPES.get(artifact_type)
    if kind is not None:
        return kind
    fmt = format_for_ext(ext) if ext else Format.BINARY
    return ArtifactKind(
        artifact_type, Category.FILES, ext or "bin", fmt, fmt.value, known=False
    )


ARCHIVE_TYPES = frozenset({"step_archive", "task_archive"})

# The members of Skyvern's bundled archives (ARTIFACT_CONTENT_HMAC_KEYRING set): a step_archive
# zip per step, a task_archive zip per task. A member's name says its type; `{prefix}_{N}` names
# carry a number (Skyvern's artifact manager, 1.0.56).
BUNDLE_MEMBERS: dict[str, str] = {
    "scrape.html": "html_scrape",
    "id_css_map.json": "visible_elements_id_css_map",
    "id_frame_map.json": "visible_elements_id_frame_map",
    "id_xpath_map.json": "visible_elements_id_xpath_map",
    "element_tree.json": "visible_elements_tree",
    "element_tree_trimmed.json": "visible_elements_tree_trimmed",
    "element_tree_in_prompt.txt": "visible_elements_tree_in_prompt",
    "har.har": "har",
    "browser_console.log": "browser_console_log",
    "trace.zip": "trace",
}
NUMBERED_MEMBERS: frozenset[str] = frozenset({
    "screenshot_llm", "screenshot_action", "screenshot_final", "screenshot_pre_submit",
    "llm_prompt", "llm_request", "llm_response", "llm_response_parsed", "llm_response_rendered",
    "hashed_href_map", "html_action",
})
# Of the numbered members, those whose N counts the step's LLM calls (screenshots count
# screenshots, html_action counts actions): N groups one LLM call's prompt, request, responses.
LLM_CALL_MEMBERS: frozenset[str] = frozenset({
    "llm_prompt", "llm_request", "llm_response", "llm_response_parsed", "llm_response_rendered",
    "hashed_href_map",
})
_NUMBERED = re.compile(r"^(?P<prefix>[a-z_]+)_(?P<n>\d{1,6})\.[A-Za-z0-9]+$")


@dataclass(frozen=True)
class MemberName:
    """What an archive member's name says: its artifact type and its `_N`, if any."""

    artifact_type: str
    number: int | None = None

    @property
    def call_index(self) -> int | None:
        """The LLM call it belongs to, for the members named by the step's call counter."""
        return self.number if self.artifact_type in LLM_CALL_MEMBERS else None


def member_name(name: str) -> MemberName:
    """The type of an archive member from its name; an unknown member keeps its stem as type
    (it lands in "files", shown by its extension), as an unknown type from the API does."""
    base = name.rsplit("/", 1)[-1]
    if base in BUNDLE_MEMBERS:
        return MemberName(BUNDLE_MEMBERS[base])
    match = _NUMBERED.match(base)
    if match and match["prefix"] in NUMBERED_MEMBERS:
        return MemberName(match["prefix"], int(match["n"]))
    return MemberName(base.rsplit(".", 1)[0] or base)

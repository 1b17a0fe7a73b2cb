"""Which viewer shows each viewer kind: one explicit table (the openers' table is in core).

The table names each viewer's module and class; a module is imported when its viewer is first
asked for (a few ms each, once every parser is in). Importing all of them up front cost a
quarter of the start-up (Pygments, Pillow, Textual's tree and table widgets)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from importlib import import_module

from ...core.catalog import ArtifactKind
from .base import Viewer

# Viewer kind (catalog.ArtifactKind.viewer, or a format's value for the fallback) -> (module of
# this package, viewer class).
TABLE: Mapping[str, tuple[str, str]] = {
    "text": ("text", "TextViewer"),
    "json": ("text", "TextViewer"),
    "python": ("files", "ScriptViewer"),
    "html": ("html", "HtmlViewer"),
    "binary": ("files", "FileViewer"),
    "zip": ("files", "FileViewer"),
    "pdf": ("files", "FileViewer"),
    "image": ("image", "ImageViewer"),
    "video": ("video", "VideoViewer"),
    "element_tree": ("elements", "ElementTreeViewer"),
    "id_map": ("tables", "IdMapViewer"),
    "llm_prompt": ("llm", "LlmPromptViewer"),
    "llm_request": ("llm", "LlmRequestViewer"),
    "llm_response": ("llm", "LlmResponseViewer"),
    "llm_actions": ("llm", "LlmActionsViewer"),
    "skyvern_log": ("logs", "SkyvernLogViewer"),
    "skyvern_log_raw": ("logs", "SkyvernLogRawViewer"),
    "console_log": ("logs", "ConsoleLogViewer"),
    "har": ("network", "HarViewer"),
    "trace": ("trace", "TraceViewer"),
}


class _Viewers(Mapping[str, type[Viewer]]):
    """TABLE with each class imported on first use."""

    def __getitem__(self, kind: str) -> type[Viewer]:
        module, name = TABLE[kind]
        viewer = getattr(import_module(f"{__package__}.{module}"), name)
        assert isinstance(viewer, type) and issubclass(viewer, Viewer), (kind, viewer)
        return viewer

    def __iter__(self) -> Iterator[str]:
        return iter(TABLE)

    def __len__(self) -> int:
        return len(TABLE)


VIEWERS: Mapping[str, type[Viewer]] = _Viewers()


def viewer_for(kind: ArtifactKind) -> type[Viewer]:
    """The viewer of the kind: the one of its viewer kind, else of its format, else file details.

    The rule of core's `opening.kind_name` (the two tables have the same keys, a test checks),
    here so that choosing a viewer does not import every parser."""
    if kind.viewer in TABLE:
        return VIEWERS[kind.viewer]
    return VIEWERS[kind.format.value if kind.format.value in TABLE else "binary"]

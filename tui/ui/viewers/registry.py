"""Which viewer shows each viewer kind: one explicit table (the openers' table is in core)."""

from __future__ import annotations

from collections.abc import Mapping

from ...core.catalog import ArtifactKind
from ...core.opening import kind_name
from .base import Viewer
from .elements import ElementTreeViewer
from .files import FileViewer, ScriptViewer
from .html import HtmlViewer
from .image import ImageViewer
from .llm import LlmActionsViewer, LlmPromptViewer, LlmRequestViewer, LlmResponseViewer
from .logs import ConsoleLogViewer, SkyvernLogRawViewer, SkyvernLogViewer
from .network import HarViewer
from .tables import IdMapViewer
from .text import TextViewer
from .trace import TraceViewer
from .video import VideoViewer

# Viewer kind (catalog.ArtifactKind.viewer, or a format's value for the fallback) -> viewer.
VIEWERS: Mapping[str, type[Viewer]] = {
    "text": TextViewer,
    "json": TextViewer,
    "python": ScriptViewer,
    "html": HtmlViewer,
    "binary": FileViewer,
    "zip": FileViewer,
    "pdf": FileViewer,
    "image": ImageViewer,
    "video": VideoViewer,
    "element_tree": ElementTreeViewer,
    "id_map": IdMapViewer,
    "llm_prompt": LlmPromptViewer,
    "llm_request": LlmRequestViewer,
    "llm_response": LlmResponseViewer,
    "llm_actions": LlmActionsViewer,
    "skyvern_log": SkyvernLogViewer,
    "skyvern_log_raw": SkyvernLogRawViewer,
    "console_log": ConsoleLogViewer,
    "har": HarViewer,
    "trace": TraceViewer,
}


def viewer_for(kind: ArtifactKind) -> type[Viewer]:
    """The viewer of the kind: the one of its viewer kind, else of its format, else file details."""
    return VIEWERS[kind_name(kind, VIEWERS)]

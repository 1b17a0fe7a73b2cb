"""Viewers, one module per viewer kind. Importing this package registers them all."""

from . import files, image, logs, text  # noqa: F401  (registration side effect)
from . import video  # noqa: F401  (recordings: the "video" viewer kind)
from . import elements, html, tables  # noqa: F401  (page structure viewers)
from . import llm  # noqa: F401  (AI reasoning viewers)
from . import network, trace  # noqa: F401  (network viewers: HAR, Playwright traces)
from .base import VIEWERS, Viewer, ViewerContext, viewer_for

__all__ = ["VIEWERS", "Viewer", "ViewerContext", "viewer_for"]

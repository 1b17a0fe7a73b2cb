"""Viewers, one module per viewer kind. Importing this package registers them all."""

from . import files, image, logs, text  # noqa: F401  (registration side effect)
from .base import VIEWERS, Viewer, ViewerContext, viewer_for

__all__ = ["VIEWERS", "Viewer", "ViewerContext", "viewer_for"]

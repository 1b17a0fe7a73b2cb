"""Viewers, one module per viewer kind; `registry.VIEWERS` lists them."""

from .base import Viewer
from .registry import VIEWERS, viewer_for

__all__ = ["VIEWERS", "Viewer", "viewer_for"]

"""The errors the core raises. Each carries a message meant for the person reading the screen."""

from __future__ import annotations


class TuiError(Exception):
    """Base of every error the app knows how to explain."""


class SourceError(TuiError):
    """A source could not be read (missing folder, unreadable index, server fault)."""


class RunNotFound(SourceError):
    pass


class ArtifactUnavailable(SourceError):
    """An artifact's bytes cannot be had from this source."""


class ParseError(TuiError):
    """Bytes that do not hold what their artifact type promises."""

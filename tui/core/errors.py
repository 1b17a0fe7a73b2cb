"""The errors the core raises. Each carries a message meant for the person reading the screen."""

from __future__ import annotations

from typing import Any

from .textsafe import safe_value, visible_controls


class TuiError(Exception):
    """Base of every error the app knows how to explain. Its message is safe to print: it
    quotes server details, file names and ids, so control characters are made visible here."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*(safe_value(arg) for arg in args))


class SourceError(TuiError):
    """A source could not be read (missing folder, unreadable index, server fault)."""


class RunNotFound(SourceError):
    pass


class ArtifactUnavailable(SourceError):
    """An artifact's bytes cannot be had from this source."""


class ParseError(TuiError):
    """Bytes that do not hold what their artifact type promises."""


class ApiError(SourceError):
    """The Skyvern API (or a storage host it pointed at) failed; the message says what, why
    and what to do. It never contains the API key or a signed URL's query string."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AuthError(ApiError):
    """The server refused the API key."""


class RateLimited(ApiError):
    """The server kept answering 429 after every retry."""


class InvalidRequest(ApiError):
    """The server refused a parameter (422): a filter value it does not know, for example."""


class ApiUnavailable(ApiError):
    """No usable answer: refused connection, DNS failure, timeout, cut-off body, 5xx."""


def describe_error(exc: BaseException) -> str:
    """A failure as safe text for a person: our own errors by their message, anything else (a
    bug, an OSError naming a file) by its type and message, control characters made visible."""
    if isinstance(exc, TuiError):
        return str(exc)
    return visible_controls(f"{type(exc).__name__}: {exc}")

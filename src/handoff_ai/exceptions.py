"""One exception tree for everything handoff_ai raises.

Catch ``HandoffError`` to handle every failure of the library; catch a leaf to
handle one kind. Messages name *what* and *where* but never quote transcript
text, because transcripts are personal data::

    HandoffError
    ├── UsageError                 the caller asked for something impossible
    │   ├── UnknownFormatError     no parser for this input / format name
    │   ├── UnknownBackendError    no backend of that name
    │   └── ConfigError            a taxonomy, rules file or setting is invalid
    ├── ParseError                 input of a known format is malformed
    ├── BackendError               a backend failed to answer (status, body)
    ├── ExtractionError            a backend answered, but not with a usable record
    └── RenderError                a record could not be rendered
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "BackendError",
    "ConfigError",
    "ExtractionError",
    "HandoffError",
    "ParseError",
    "RenderError",
    "UnknownBackendError",
    "UnknownFormatError",
    "UsageError",
]


class HandoffError(Exception):
    """Root of every error raised by handoff_ai."""


class UsageError(HandoffError, ValueError):
    """The caller asked for something that cannot work (a bad argument or setting)."""


class UnknownFormatError(UsageError):
    """No registered parser accepts the input, or the format name is unknown."""

    def __init__(self, message: str, *, known: Sequence[str] = ()) -> None:
        self.known = tuple(known)
        if self.known:
            message = f"{message} (known formats: {', '.join(self.known)})"
        super().__init__(message)


class UnknownBackendError(UsageError):
    """No backend is registered under the requested name."""


class ConfigError(UsageError):
    """A taxonomy, rules file or configuration value is invalid.

    Attributes:
        source: the file or object the bad value came from, when known.
    """

    def __init__(self, message: str, *, source: str | None = None) -> None:
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)


class ParseError(HandoffError, ValueError):
    """Input of a known format is malformed.

    Attributes:
        format: the parser that rejected the input.
        location: where in the input (``line 12``, ``messages[3].role``, ...).
    """

    def __init__(self, message: str, *, format: str | None = None, location: str | None = None) -> None:
        self.format = format
        self.location = location
        where = " at ".join(p for p in (format, location) if p)
        super().__init__(f"{where}: {message}" if where else message)


class BackendError(HandoffError):
    """A backend could not produce an answer (network, HTTP status, quota, timeout).

    Attributes:
        backend: name of the backend that failed.
        status_code: HTTP status if the failure was an HTTP answer.
        body: the error body returned by the server (never the prompt).
    """

    def __init__(
        self,
        message: str,
        *,
        backend: str | None = None,
        status_code: int | None = None,
        body: object = None,
    ) -> None:
        self.backend = backend
        self.status_code = status_code
        self.body = body
        super().__init__(message)


class ExtractionError(HandoffError):
    """A backend answered, but no valid record could be built from the answer.

    Attributes:
        attempts: how many times the backend was asked.
        last_output: the last raw model output (model text, not the transcript).
    """

    def __init__(self, message: str, *, attempts: int = 1, last_output: str | None = None) -> None:
        self.attempts = attempts
        self.last_output = last_output
        super().__init__(message)


class RenderError(HandoffError):
    """A record could not be rendered in the requested output format."""

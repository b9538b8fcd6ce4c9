"""The transport boundary shared by ``OpenAIBackend`` and ``AsyncOpenAIBackend``: no I/O here.

* **error translation** — ``translate_error``: every ``openai`` exception becomes a
  ``BackendError`` once, through one table (``_ERROR_TABLE``);
* **the transport layer** — ``RetryPolicy`` builds tenacity retryers (429 honouring
  ``Retry-After``/``retry-after-ms``, 5xx, 408/409, timeouts, connection errors;
  exponential backoff with jitter; bounded attempts *and* a ``Deadline``).

``exchange`` re-exports every public name here. ``openai`` and ``tenacity`` are
imported lazily, so ``import handoff_ai`` does not pay for them.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..exceptions import BackendError

__all__ = [
    "Deadline",
    "RetryPolicy",
    "is_response_format_rejection",
    "retry_after_seconds",
    "translate_error",
]

logger = logging.getLogger("handoff_ai.backends.openai")

# -- error translation -----------------------------------------------------------------------

# (openai exception class name, what it means); the first isinstance match wins, so
# subclasses come before their bases.
_ERROR_TABLE: tuple[tuple[str, str], ...] = (
    ("APITimeoutError", "request timed out"),
    ("APIConnectionError", "could not connect to the server"),
    ("AuthenticationError", "authentication failed (check the API key)"),
    ("PermissionDeniedError", "permission denied"),
    ("NotFoundError", "not found (check the model name and base_url)"),
    ("RateLimitError", "rate limited or out of quota"),
    ("BadRequestError", "the server rejected the request"),
    ("UnprocessableEntityError", "the server could not process the request"),
    ("ConflictError", "conflict"),
    ("InternalServerError", "server error"),
    ("APIResponseValidationError", "the server's response did not match the API"),
    ("APIStatusError", "HTTP error"),
    ("LengthFinishReasonError", "the answer hit the output token limit"),
    ("ContentFilterFinishReasonError", "the answer was stopped by a content filter"),
    ("APIError", "API error"),
    ("OpenAIError", "OpenAI client error"),
)


def _server_message(exc: BaseException) -> str:
    text = str(getattr(exc, "message", "") or exc)
    text = " ".join(text.split())
    return text[:200] + ("..." if len(text) > 200 else "")


def translate_error(exc: BaseException, *, backend: str, attempts: int = 1) -> BackendError:
    """The ``BackendError`` for an ``openai`` exception (status and body kept)."""
    import openai

    label = "unexpected client error"
    for name, meaning in _ERROR_TABLE:
        cls = getattr(openai, name, None)
        if isinstance(cls, type) and isinstance(exc, cls):
            label = meaning
            break
    status = getattr(exc, "status_code", None)
    status = status if isinstance(status, int) else None
    parts = [f"{backend}: {label}"]
    if status is not None:
        parts.append(f"(HTTP {status})")
    if attempts > 1:
        parts.append(f"after {attempts} attempts")
    detail = _server_message(exc)
    message = " ".join(parts) + (f": {detail}" if detail else "")
    return BackendError(message, backend=backend, status_code=status, body=getattr(exc, "body", None))


def is_response_format_rejection(error: BackendError) -> bool:
    """Whether a 400 says the server does not support our ``response_format``/schema."""
    if error.status_code not in (400, 422):
        return False
    text = f"{error} {json.dumps(error.body, default=str) if error.body is not None else ''}".lower()
    return any(
        hint in text
        for hint in ("response_format", "json_schema", "schema", "structured output", "grammar", "parser")
    )


# -- the transport layer ---------------------------------------------------------------------


def retry_after_seconds(headers: Mapping[str, str] | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``retry-after`` (seconds or HTTP date)."""
    if not headers:
        return None
    lowered = {k.lower(): v for k, v in headers.items()}
    raw_ms = lowered.get("retry-after-ms")
    if raw_ms is not None:
        try:
            return max(0.0, float(raw_ms) / 1000)
        except ValueError:
            pass
    raw = lowered.get("retry-after")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class Deadline:
    """A bound on the total time of one extraction (``None``: unbounded)."""

    def __init__(self, seconds: float | None, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._end = None if seconds is None else clock() + seconds

    def remaining(self) -> float | None:
        return None if self._end is None else self._end - self._clock()

    def allows(self, seconds: float) -> bool:
        left = self.remaining()
        return left is None or seconds < left


def _headers_of(exc: BaseException) -> Mapping[str, str] | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    return headers if isinstance(headers, Mapping) else None


@dataclass(frozen=True)
class RetryPolicy:
    """Transport retries: which errors, how long to wait, when to give up.

    Retried: 429, 408, 409 and 5xx answers, timeouts and connection errors. The wait
    is the server's ``retry-after-ms``/``retry-after`` when given, else exponential
    backoff ``initial * 2**(n-1)`` capped at ``max_backoff``, with up to ``jitter`` of
    it taken off at random. Gives up after ``attempts`` tries, when the server asks
    for a wait longer than ``max_retry_after``, or when the wait would pass the deadline.
    """

    attempts: int = 3
    initial: float = 0.5
    max_backoff: float = 20.0
    jitter: float = 0.5
    max_retry_after: float = 60.0

    def is_retryable(self, exc: BaseException) -> bool:
        import openai

        if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
            return True
        if isinstance(exc, openai.APIStatusError):
            return exc.status_code in (408, 409, 429) or exc.status_code >= 500
        return False

    def wait_seconds(self, attempt: int, exc: BaseException | None) -> float:
        """The wait after failed attempt number ``attempt`` (1-based)."""
        hinted = retry_after_seconds(_headers_of(exc)) if exc is not None else None
        if hinted is not None:
            return hinted
        base: float = min(self.max_backoff, self.initial * 2.0 ** max(attempt - 1, 0))
        return base * (1 - self.jitter * random.random())

    def _tenacity_args(self, deadline: Deadline) -> dict[str, Any]:
        import tenacity

        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome is not None else None
            seconds = self.wait_seconds(state.attempt_number, exc)
            logger.info(
                "transport retry %d after %s; waiting %.2fs",
                state.attempt_number,
                type(exc).__name__ if exc is not None else "?",
                seconds,
            )
            return seconds

        def stop(state: tenacity.RetryCallState) -> bool:
            upcoming = float(getattr(state, "upcoming_sleep", 0.0) or 0.0)
            return (
                state.attempt_number >= self.attempts
                or upcoming > self.max_retry_after
                or not deadline.allows(upcoming)
            )

        return {
            "retry": tenacity.retry_if_exception(self.is_retryable),
            "wait": wait,
            "stop": stop,
            "reraise": True,
        }

    def retrying(self, deadline: Deadline, sleep: Callable[[float], None]) -> Any:
        """A ``tenacity.Retrying`` for sync calls."""
        import tenacity

        return tenacity.Retrying(sleep=sleep, **self._tenacity_args(deadline))

    def async_retrying(self, deadline: Deadline, sleep: Callable[[float], Awaitable[None]]) -> Any:
        """A ``tenacity.AsyncRetrying`` for async calls."""
        import tenacity

        return tenacity.AsyncRetrying(sleep=sleep, **self._tenacity_args(deadline))

"""The pure core shared by ``OpenAIBackend`` and ``AsyncOpenAIBackend``: no I/O here.

* **requests** — ``request_kwargs`` builds the ``chat.completions.create`` arguments
  for each structured-output mode (``json_schema`` strict, ``json_object`` with the
  schema in the prompt, or one forced ``tools`` function);
* **responses** — ``parse_completion`` (``completion``) turns a completion into an
  ``LLMAnswer`` or a short, transcript-free error to feed back to the model;
* **the validation layer** — ``Exchange`` is a small state machine (sans-I/O): it says
  which request to send next and decides, from each completion or error, whether the
  answer is done, needs a re-ask (at most ``max_reasks``), or needs the json_schema →
  json_object downgrade. The sync and async backends drive it with their own client;
* **the transport layer** — ``RetryPolicy`` builds tenacity retryers (429 honouring
  ``Retry-After``/``retry-after-ms``, 5xx, 408/409, timeouts, connection errors;
  exponential backoff with jitter; bounded attempts *and* a ``Deadline``);
* **error translation** — ``translate_error``: every ``openai`` exception becomes a
  ``BackendError`` once, through one table (``_ERROR_TABLE``) — these two live in
  ``transport`` and are re-exported here;
* **map-then-merge helpers** — ``combine_answers`` (``combine``) merges grounded chunk
  answers in code when the model's merge step fails.

``openai`` itself is imported lazily, so ``import handoff_ai`` does not pay for it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..exceptions import BackendError, ExtractionError
from ..models.llm import LLMAnswer
from .answer_schema import answer_schema
from .combine import combine_answers
from .completion import TOOL_NAME, Reply, Wire, parse_completion
from .prompting import instructions_text
from .transport import _ERROR_TABLE as _ERROR_TABLE
from .transport import (
    Deadline,
    RetryPolicy,
    is_response_format_rejection,
    retry_after_seconds,
    translate_error,
)
from .transport import _headers_of as _headers_of
from .transport import _server_message as _server_message

__all__ = [
    "DEFAULT_MAX_TOKENS",
    "DEFAULT_MODEL",
    "MODES",
    "TOOL_NAME",
    "Deadline",
    "Exchange",
    "Mode",
    "Reply",
    "RetryPolicy",
    "answer_schema",
    "combine_answers",
    "context_budget",
    "is_response_format_rejection",
    "parse_completion",
    "request_kwargs",
    "retry_after_seconds",
    "translate_error",
]

logger = logging.getLogger("handoff_ai.backends.openai")

Mode = Literal["auto", "json_schema", "json_object", "tools"]
MODES: tuple[str, ...] = ("auto", "json_schema", "json_object", "tools")
DEFAULT_MODEL = "gpt-4.1-mini"
DEFAULT_MAX_TOKENS = 2048
"""Completion cap per call; a looping model stops here and the answer is re-asked."""
SCHEMA_NAME = "handoff_answer"
MAX_ERROR_CHARS = 600

# -- budgets ---------------------------------------------------------------------------------

# Context windows (prompt + completion tokens) by model-name prefix, longest prefix wins.
# Unknown models (local servers, aliases) get the conservative default.
_CONTEXT_WINDOWS: dict[str, int] = {
    "gpt-4.1": 1_047_576,
    "gpt-4o": 128_000,
    "gpt-4-turbo": 128_000,
    "gpt-4.5": 128_000,
    "gpt-4": 8_192,
    "gpt-3.5-turbo": 16_385,
    "gpt-5": 400_000,
    "o1": 200_000,
    "o3": 200_000,
    "o4": 200_000,
}
DEFAULT_CONTEXT = 8_192
MAX_DEFAULT_BUDGET = 100_000
"""Default prompt budgets are capped: a support thread needing more is better selected."""


def context_budget(model: str, completion_reserve: int) -> int:
    """The default prompt-token budget for ``model``.

    ``min(context window - completion_reserve, MAX_DEFAULT_BUDGET)``, where the context
    window comes from a small prefix table (``DEFAULT_CONTEXT`` = 8,192 for unknown
    names such as a local server's model), and never below 1,024.
    """
    base = model.rsplit("/", 1)[-1].lower()
    matches = [key for key in _CONTEXT_WINDOWS if base.startswith(key)]
    window = _CONTEXT_WINDOWS[max(matches, key=len)] if matches else DEFAULT_CONTEXT
    return max(1_024, min(window - completion_reserve, MAX_DEFAULT_BUDGET))


# -- requests --------------------------------------------------------------------------------


def request_kwargs(
    *,
    model: str,
    messages: Sequence[Mapping[str, str]],
    wire: Wire,
    schema: Mapping[str, Any],
    temperature: float | None,
    max_tokens: int | None,
    timeout: float | None,
) -> dict[str, Any]:
    """Keyword arguments for ``client.chat.completions.create`` in one wire mode."""
    kwargs: dict[str, Any] = {"model": model, "messages": [dict(m) for m in messages]}
    if temperature is not None:
        kwargs["temperature"] = temperature
    if max_tokens is not None:
        kwargs["max_completion_tokens"] = max_tokens
    if timeout is not None:
        kwargs["timeout"] = timeout
    if wire == "json_schema":
        kwargs["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": SCHEMA_NAME, "schema": dict(schema), "strict": True},
        }
    elif wire == "json_object":
        kwargs["response_format"] = {"type": "json_object"}
    else:
        kwargs["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": TOOL_NAME,
                    "description": "Record the handoff note for the human agent taking over.",
                    "parameters": dict(schema),
                    "strict": True,
                },
            }
        ]
        kwargs["tool_choice"] = {"type": "function", "function": {"name": TOOL_NAME}}
    return kwargs


# -- the validation layer: one exchange ------------------------------------------------------


@dataclass
class Exchange:
    """The validation re-ask loop of one model question, without I/O.

    ``steps`` drives it: ``answer = yield from exchange.steps()`` yields the ``create``
    keyword arguments to send, and takes back each completion, or the ``BackendError``
    the transport layer raised (thrown in).

    Args:
        build: returns the chat messages; called with ``schema_in_prompt``.
        request: turns messages and a wire mode into ``create`` keyword arguments.
        wire: the wire mode to start with.
        downgrade: on a 400 rejecting ``response_format``, switch json_schema →
            json_object (mode ``auto``).
        max_reasks: validation re-asks allowed after the first answer.
        check: extra validation of a parsed answer (strict grounding); returns an
            error to re-ask with, or ``None``.
    """

    build: Callable[[bool], list[dict[str, str]]]
    request: Callable[[list[dict[str, str]], Wire], dict[str, Any]]
    wire: Wire
    downgrade: bool = False
    max_reasks: int = 1
    check: Callable[[LLMAnswer], str | None] | None = None
    attempts: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    server_models: list[str] = field(default_factory=list)
    downgraded: bool = False
    errors: list[str] = field(default_factory=list)
    last_output: str | None = None
    _messages: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._messages = self.build(self.wire == "json_object")

    def next_request(self) -> dict[str, Any]:
        return self.request(self._messages, self.wire)

    @property
    def instructions(self) -> str:
        """The prompt's own words (data blocks and the model's replies left out), for the echo check."""
        return instructions_text([m for m in self._messages if m.get("role") != "assistant"])

    def steps(self) -> Generator[dict[str, Any], Any, LLMAnswer]:
        """Yields each request; receives its completion or has its ``BackendError`` thrown in.

        Raises:
            BackendError: a transport error that no downgrade answers (or the deadline).
            ExtractionError: no valid answer after ``1 + max_reasks`` answers.
        """
        while True:
            kwargs = self.next_request()
            try:
                completion = yield kwargs
            except BackendError as error:
                if self.on_error(error):
                    continue
                raise
            answer = self.on_completion(completion)
            if answer is not None:
                return answer

    def on_error(self, error: BackendError) -> bool:
        """Whether to send again after a transport-level ``error`` (the mode downgrade)."""
        if self.downgrade and self.wire == "json_schema" and is_response_format_rejection(error):
            logger.info("server rejected json_schema response_format; using json_object")
            self.wire = "json_object"
            self.downgraded = True
            self._messages = self.build(True)
            return True
        return False

    def on_completion(self, completion: Any) -> LLMAnswer | None:
        """The answer when this completion is usable; ``None`` when a re-ask was queued.

        Raises:
            ExtractionError: no valid answer after ``1 + max_reasks`` answers.
        """
        self.attempts += 1
        reply = parse_completion(completion, self.wire)
        self.prompt_tokens += reply.prompt_tokens
        self.completion_tokens += reply.completion_tokens
        if reply.server_model and reply.server_model not in self.server_models:
            self.server_models.append(reply.server_model)
        self.last_output = reply.raw
        error = reply.error
        if reply.answer is not None and self.check is not None:
            error = self.check(reply.answer)
        if reply.answer is not None and error is None:
            return reply.answer
        error = (error or "unusable answer")[:MAX_ERROR_CHARS]
        self.errors.append(_one_line(error))
        if self.attempts > self.max_reasks:
            raise ExtractionError(
                f"no valid answer after {self.attempts} attempt(s): {self.errors[-1]}",
                attempts=self.attempts,
                last_output=reply.raw,
            )
        logger.info("re-asking the model (attempt %d): %s", self.attempts + 1, self.errors[-1])
        from .prompting import reask_message

        self._messages = [
            *self._messages,
            {"role": "assistant", "content": _mask_cards(reply.raw) or "(empty)"},
            reask_message(error),
        ]
        return None


_CARD_RUN = re.compile(r"\d(?:[ -]?\d){12,18}")


def _mask_cards(text: str) -> str:
    """The model's output as echoed in a re-ask, with Luhn-valid 13-19 digit runs masked:
    no card number goes back to a model, even one the model wrote."""
    from ..privacy.pii import luhn_ok

    def mask(match: re.Match[str]) -> str:
        return "[card number]" if luhn_ok(re.sub(r"\D", "", match.group())) else match.group()

    return _CARD_RUN.sub(mask, text)


def _one_line(error: str, limit: int = 200) -> str:
    text = " ".join(error.replace(":\n", ": ").split())
    return text if len(text) <= limit else text[:limit] + "..."

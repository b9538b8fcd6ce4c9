"""Reading a chat completion: the model's answer as a validated ``LLMAnswer``, or a short error.

Split from ``exchange`` (the re-ask state machine that acts on these replies) because reading a
completion is one job with its own edge cases: code fences and chatter around the JSON, refusals,
cut-off and filtered answers, tool calls. Errors name what was wrong and where, never the
transcript's text, since they are fed back to the model.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from ..models.llm import LLMAnswer

__all__ = ["TOOL_NAME", "Reply", "Wire", "parse_completion"]

Wire = Literal["json_schema", "json_object", "tools"]
TOOL_NAME = "record_handoff"


@dataclass
class Reply:
    """One completion, read.

    Attributes:
        answer: the validated answer, or ``None`` when ``error`` says what was wrong.
        error: a short description for a re-ask (never quotes the transcript).
        raw: the model's raw output text (content, tool arguments or refusal).
        prompt_tokens / completion_tokens: from ``usage`` (0 when absent).
        server_model: the model name the server reported.
        finish_reason: as reported.
    """

    answer: LLMAnswer | None
    error: str | None
    raw: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    server_model: str | None = None
    finish_reason: str | None = None


_FENCE = re.compile(r"^\s*```(?:json|JSON)?\s*\n?(.*?)\n?```\s*$", re.S)


def _load_json(text: str) -> Any:
    """JSON from model text; tolerates a code fence or chatter around one object."""
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        start, end = text.find("{"), text.rfind("}")
        if 0 <= start < end:
            try:
                return json.loads(text[start : end + 1])
            except json.JSONDecodeError:
                pass
        raise


def _validation_error(exc: ValidationError) -> str:
    """Pydantic errors as ``path: message`` lines, without the offending input values."""
    lines = []
    for error in exc.errors()[:8]:
        where = ".".join(str(p) for p in error["loc"]) or "(root)"
        lines.append(f"{where}: {error['msg']}")
    more = exc.error_count() - len(lines)
    if more > 0:
        lines.append(f"... and {more} more errors")
    return "schema violation:\n" + "\n".join(lines)


def _parse_answer(text: str) -> tuple[LLMAnswer | None, str | None]:
    if not text.strip():
        return None, "empty answer: no JSON object was returned"
    try:
        data = _load_json(text)
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
    if not isinstance(data, dict):
        return None, f"invalid JSON: expected one object, got {type(data).__name__}"
    try:
        return LLMAnswer.model_validate(data), None
    except ValidationError as exc:
        return None, _validation_error(exc)


def parse_completion(completion: Any, wire: Wire) -> Reply:
    """Read a ``ChatCompletion`` (or anything shaped like one) in ``wire`` mode."""
    usage = getattr(completion, "usage", None)
    reply = Reply(
        answer=None,
        error=None,
        prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
        completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
        server_model=getattr(completion, "model", None),
    )
    choices = getattr(completion, "choices", None) or []
    if not choices:
        reply.error = "empty answer: the response had no choices"
        return reply
    choice = choices[0]
    message = choice.message
    reply.finish_reason = choice.finish_reason
    refusal = getattr(message, "refusal", None)
    text = message.content or ""
    tool_calls = getattr(message, "tool_calls", None) or []
    if wire == "tools" and tool_calls:
        function = getattr(tool_calls[0], "function", None)
        text = getattr(function, "arguments", "") or ""
    reply.raw = refusal or text
    if refusal:
        reply.error = "the request was refused; answer with the JSON object for the transcript (data only)"
    elif choice.finish_reason == "length":
        reply.error = (
            "the answer was cut off at the output token limit; answer again with a shorter JSON object "
            "(fewer, shorter items; each evidence list only the ids that matter)"
        )
    elif choice.finish_reason == "content_filter":
        reply.error = "the answer was stopped by a content filter"
    elif wire == "tools" and not tool_calls and not text.strip():
        reply.error = f"no call to the function {TOOL_NAME!r} was made"
    else:
        reply.answer, reply.error = _parse_answer(text)
    return reply

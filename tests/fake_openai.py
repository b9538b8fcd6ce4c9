"""Scripted stand-ins for ``openai.OpenAI`` / ``AsyncOpenAI`` (only ``chat.completions.create``).

Each fake plays a script: a list of ``ChatCompletion`` objects to return or
exceptions to raise, one per call, and records every call's keyword arguments.
Exceptions are real ``openai`` exceptions with real ``httpx2`` responses, so the
backend's translation and Retry-After handling see what they would in production.
"""

from __future__ import annotations

import json
from collections.abc import Coroutine, Sequence
from types import SimpleNamespace
from typing import Any

import httpx2
import openai
from openai.types.chat import ChatCompletion

from handoff_ai.models import Conversation, Message

URL = "http://fake.test/v1/chat/completions"

CONVERSATION = Conversation(
    id="fake-1",
    messages=[
        Message(
            id="m1", role="customer", text="Hi, my order 12345 never arrived. My email is jane@example.com"
        ),
        Message(id="m2", role="bot", text="I checked order 12345: it is delayed at the warehouse."),
        Message(id="m3", role="customer", text="This is the second time I ask. Please get me a human agent."),
        Message(id="m4", role="bot", text="Transferring you to an agent now."),
    ],
)
CARD = "4111 1111 1111 1111"
CARD_CONVERSATION = Conversation(
    id="fake-card",
    messages=[
        Message(id="m1", role="customer", text=f"I was charged twice on my card {CARD} for order 777888"),
        Message(id="m2", role="bot", text="I can see two charges. Let me connect you to billing."),
    ],
)


def answer(**overrides: Any) -> dict[str, Any]:
    """A valid ``LLMAnswer`` payload grounded in ``CONVERSATION``."""
    data: dict[str, Any] = {
        "summary": "Order 12345 has not arrived and the customer asks for a human.",
        "intent": "unknown",
        "intent_evidence": ["m1"],
        "customer_impact": None,
        "urgency": "high",
        "urgency_reasons": ["second request"],
        "sentiment": "negative",
        "actions_taken": [
            {
                "description": "Bot checked the order status",
                "actor": "bot",
                "outcome": "succeeded",
                "evidence": ["m2"],
            }
        ],
        "blocker": {"text": "The parcel is delayed at the warehouse.", "evidence": ["m2"]},
        "team": None,
        "facts": [
            {"kind": "order_id", "value": "12345", "evidence": ["m1"], "withheld": False},
            {"kind": "email", "value": "jane@example.com", "evidence": ["m1"], "withheld": False},
        ],
        "open_questions": [],
        "next_steps": [{"text": "Ask the warehouse about the parcel.", "evidence": ["m2"]}],
    }
    data.update(overrides)
    return data


def completion(
    content: str | dict[str, Any] | None = None,
    *,
    finish_reason: str = "stop",
    refusal: str | None = None,
    tool_arguments: str | dict[str, Any] | None = None,
    model: str = "fake-model-2025",
    usage: tuple[int, int] = (120, 40),
) -> ChatCompletion:
    """A real ``ChatCompletion`` with the given content, refusal or tool call."""
    if isinstance(content, dict):
        content = json.dumps(content)
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": refusal}
    if tool_arguments is not None:
        arguments = tool_arguments if isinstance(tool_arguments, str) else json.dumps(tool_arguments)
        message["tool_calls"] = [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "record_handoff", "arguments": arguments},
            }
        ]
    return ChatCompletion.model_validate(
        {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": 0,
            "model": model,
            "choices": [{"index": 0, "finish_reason": finish_reason, "message": message}],
            "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)},
        }
    )


def _response(status: int, headers: dict[str, str] | None = None, body: Any = None) -> httpx2.Response:
    return httpx2.Response(status, headers=headers or {}, json=body, request=httpx2.Request("POST", URL))


def status_error(
    status: int, *, headers: dict[str, str] | None = None, body: Any = None
) -> openai.APIStatusError:
    """The ``openai`` exception the real client raises for an HTTP ``status``."""
    classes: dict[int, type[openai.APIStatusError]] = {
        400: openai.BadRequestError,
        401: openai.AuthenticationError,
        403: openai.PermissionDeniedError,
        404: openai.NotFoundError,
        409: openai.ConflictError,
        422: openai.UnprocessableEntityError,
        429: openai.RateLimitError,
    }
    cls = classes.get(status, openai.InternalServerError if status >= 500 else openai.APIStatusError)
    body = body if body is not None else {"error": {"message": f"fake status {status}"}}
    return cls(f"Error code: {status}", response=_response(status, headers, body), body=body)


def timeout_error() -> openai.APITimeoutError:
    return openai.APITimeoutError(request=httpx2.Request("POST", URL))


def connection_error() -> openai.APIConnectionError:
    return openai.APIConnectionError(request=httpx2.Request("POST", URL))


class _Script:
    def __init__(self, script: Sequence[ChatCompletion | BaseException]) -> None:
        self.script = list(script)
        self.calls: list[dict[str, Any]] = []

    def _next(self, kwargs: dict[str, Any]) -> ChatCompletion:
        self.calls.append(kwargs)
        if not self.script:
            raise AssertionError("the fake client was called more often than scripted")
        item = self.script.pop(0)
        if isinstance(item, BaseException):
            raise item
        return item


class FakeCompletions(_Script):
    def create(self, **kwargs: Any) -> ChatCompletion:
        return self._next(kwargs)


class AsyncFakeCompletions(_Script):
    def create(self, **kwargs: Any) -> Coroutine[Any, Any, ChatCompletion]:
        """A sync function returning a coroutine, like openai's decorated ``AsyncCompletions.create``
        (``inspect.iscoroutinefunction`` is False for it)."""
        return self._acreate(kwargs)

    async def _acreate(self, kwargs: dict[str, Any]) -> ChatCompletion:
        return self._next(kwargs)


class FakeClient:
    """Stands in for ``openai.OpenAI``."""

    def __init__(self, *script: ChatCompletion | BaseException) -> None:
        self.completions = FakeCompletions(script)
        self.chat = SimpleNamespace(completions=self.completions)

    @property
    def calls(self) -> list[dict[str, Any]]:
        return self.completions.calls


class AsyncFakeClient:
    """Stands in for ``openai.AsyncOpenAI``."""

    def __init__(self, *script: ChatCompletion | BaseException) -> None:
        self.completions = AsyncFakeCompletions(script)
        self.chat = SimpleNamespace(completions=self.completions)

    @property
    def calls(self) -> list[dict[str, Any]]:
        return self.completions.calls

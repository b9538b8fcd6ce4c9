"""OpenAI chat ``messages`` — what most LLM support bots keep as their transcript.

It differs from generic JSON in what matters for a handoff: the bot's actions
are ``tool_calls`` inside an assistant message and their results are separate
``tool`` messages. Each call becomes its own bot ``event`` message
(``called lookup_order(order_id="A123")``), so "what the bot already tried" is
visible and citable; system/developer prompts become internal notes, not
words said to the customer. Sniffing is strict (only OpenAI roles and keys) so
generic exports that merely use ``role`` fall through to the ``json`` parser.
"""

from __future__ import annotations

import json
from typing import Any, Final

from ..exceptions import ParseError
from ..models import Conversation, Message, MessageKind, Role
from ._common import (
    FieldError,
    IdAllocator,
    build_conversation,
    default_id,
    make_message,
    source_ref,
    text_from_parts,
)
from ._input import NOT_JSON, JsonLines, ParserInput
from ._registry import register_parser

__all__ = ["OpenAIParser", "format_call"]

FORMAT: Final = "openai"

_ROLES: dict[str, tuple[Role, MessageKind]] = {
    "user": ("customer", "message"),
    "assistant": ("bot", "message"),
    "system": ("system", "note"),
    "developer": ("system", "note"),
    "tool": ("system", "event"),
    "function": ("system", "event"),
}
_KEYS: Final = frozenset(
    (
        "role",
        "content",
        "name",
        "tool_calls",
        "tool_call_id",
        "function_call",
        "refusal",
        "audio",
        "annotations",
    )
)
_ANY_TEXT_KEYS: Final = ("content", "tool_calls", "function_call", "refusal")


def _is_openai_message(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and item.get("role") in _ROLES
        and any(key in item for key in _ANY_TEXT_KEYS)
        and all(key in _KEYS for key in item)
    )


def _messages_of(value: Any) -> list[Any] | None:
    if isinstance(value, JsonLines):
        return None
    if isinstance(value, dict):
        value = value.get("messages")
    return value if isinstance(value, list) else None


def format_call(name: str, arguments: Any) -> str:
    """``called name(key="value", n=2)`` — one readable line for a tool call."""
    if isinstance(arguments, dict):
        rendered = ", ".join(
            f"{key}={json.dumps(value, ensure_ascii=False)}" for key, value in arguments.items()
        )
    elif arguments in (None, ""):
        rendered = ""
    elif isinstance(arguments, str):
        rendered = arguments
    else:
        rendered = json.dumps(arguments, ensure_ascii=False)
    return f"called {name}({rendered})"


def _decode_arguments(raw: Any) -> Any:
    """Tool arguments arrive as a JSON string; decode it when it is valid JSON, else keep it."""
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except (json.JSONDecodeError, RecursionError):
            return raw
    return raw


class OpenAIParser:
    """OpenAI chat completion ``messages`` (a list, or ``{"messages": [...], ...}``)."""

    def sniff(self, data: ParserInput) -> bool:
        value = data.try_json()
        if value is NOT_JSON:
            return False
        messages = _messages_of(value)
        return bool(messages) and all(_is_openai_message(item) for item in messages or ())

    def parse(self, data: ParserInput, *, id: str | None, file: str | None) -> Conversation:
        value = data.json(FORMAT)
        messages = _messages_of(value)
        if messages is None:
            raise ParseError(
                "expected a list of messages or an object with a 'messages' list",
                format=FORMAT,
                location=data.prefix,
            )
        if not messages and not isinstance(value, dict):
            raise ParseError("input is empty", format=FORMAT, location=data.prefix)
        base = "messages" if isinstance(value, dict) else ""
        metadata: dict[str, Any] = {}
        found_id: Any = None
        if isinstance(value, dict):
            metadata = {k: v for k, v in value.items() if k != "messages"}
            found_id = metadata.pop("id", None)
        out: list[Message] = []
        ids = IdAllocator()
        call_names: dict[str, str] = {}
        for index, item in enumerate(messages):
            pointer = data.where(f"{base}[{index}]")
            out.extend(self._message(item, pointer, ids, out, call_names, file))
        return build_conversation(out, id=id or default_id(found_id, data), metadata=metadata, format=FORMAT)

    def _message(
        self,
        item: Any,
        pointer: str,
        ids: IdAllocator,
        out: list[Message],
        call_names: dict[str, str],
        file: str | None,
    ) -> list[Message]:
        if not isinstance(item, dict):
            raise ParseError(
                f"a message must be an object, got {type(item).__name__}", format=FORMAT, location=pointer
            )
        role_name = item.get("role")
        if not isinstance(role_name, str) or role_name not in _ROLES:
            problem = (
                "role is null"
                if role_name is None
                else (f"unknown role (expected one of: {', '.join(_ROLES)})")
            )
            raise ParseError(problem, format=FORMAT, location=f"{pointer}.role")
        role, kind = _ROLES[role_name]
        metadata: dict[str, Any] = {} if role_name in ("user", "assistant") else {"openai_role": role_name}
        content = item.get("content")
        if content is None or isinstance(content, str):
            text = content or ""
        elif isinstance(content, list):
            try:
                text, other = text_from_parts(content)
            except FieldError as exc:
                raise ParseError(str(exc), format=FORMAT, location=f"{pointer}.content") from None
            if other:
                metadata["attachments"] = other
        else:
            raise ParseError(
                f"content must be a string or a list of parts, got {type(content).__name__}",
                format=FORMAT,
                location=f"{pointer}.content",
            )
        refusal = item.get("refusal")
        if not text and isinstance(refusal, str) and refusal:
            text = refusal
            metadata["refusal"] = True
        author = item.get("name") if isinstance(item.get("name"), str) else None
        if role_name in ("tool", "function"):
            call_id = item.get("tool_call_id")
            if call_id is not None:
                metadata["tool_call_id"] = call_id
            name = author or (call_names.get(call_id) if isinstance(call_id, str) else None)
            if name:
                metadata["name"] = name
            author = None

        calls = self._calls(item, pointer)
        result: list[Message] = []
        if not calls or text:
            message_id, original = ids.take(None, len(out) + 1)
            if original is not None:
                metadata["original_id"] = original
            result.append(
                make_message(
                    FORMAT,
                    pointer,
                    id=message_id,
                    role=role,
                    kind=kind,
                    text=text,
                    author=author,
                    metadata=metadata,
                    source=source_ref(FORMAT, file, pointer),
                )
            )
        for call_pointer, call_id, name, arguments in calls:
            if call_id:
                call_names[call_id] = name
            call_meta: dict[str, Any] = {"name": name, "arguments": arguments}
            if call_id:
                call_meta["tool_call_id"] = call_id
            message_id, original = ids.take(None, len(out) + len(result) + 1)
            if original is not None:
                call_meta["original_id"] = original
            result.append(
                make_message(
                    FORMAT,
                    call_pointer,
                    id=message_id,
                    role="bot",
                    kind="event",
                    text=format_call(name, arguments),
                    author=author,
                    metadata=call_meta,
                    source=source_ref(FORMAT, file, call_pointer),
                )
            )
        return result

    @staticmethod
    def _calls(item: dict[str, Any], pointer: str) -> list[tuple[str, str | None, str, Any]]:
        """``(pointer, call id, function name, decoded arguments)`` for each call in a message."""
        calls: list[tuple[str, str | None, str, Any]] = []
        raw_calls = item.get("tool_calls")
        if raw_calls is not None and not isinstance(raw_calls, list):
            raise ParseError("tool_calls must be a list", format=FORMAT, location=f"{pointer}.tool_calls")
        for index, call in enumerate(raw_calls or ()):
            where = f"{pointer}.tool_calls[{index}]"
            if not (
                isinstance(call, dict)
                and isinstance(function := call.get("function"), dict)
                and isinstance(name := function.get("name"), str)
                and name
            ):
                raise ParseError("tool call has no function name", format=FORMAT, location=where)
            call_id = call.get("id")
            calls.append(
                (
                    where,
                    call_id if isinstance(call_id, str) else None,
                    name,
                    _decode_arguments(function.get("arguments")),
                )
            )
        legacy = item.get("function_call")
        if legacy is not None:
            where = f"{pointer}.function_call"
            if not (isinstance(legacy, dict) and isinstance(name := legacy.get("name"), str) and name):
                raise ParseError("function call has no name", format=FORMAT, location=where)
            calls.append((where, None, name, _decode_arguments(legacy.get("arguments"))))
        return calls


register_parser(
    FORMAT,
    description="OpenAI chat messages with tool calls, a list or {'messages': [...]}",
    extensions=(".json",),
    priority=20,
)(OpenAIParser())

"""OpenAI Assistants: a thread's messages, as ``GET /v1/threads/{thread_id}/messages`` lists them.

Input: ``{"object": "list", "data": [...], "first_id", "last_id", "has_more"}``
where each item is a ``thread.message`` (``id``, ``created_at`` in epoch
seconds, ``thread_id``, ``role``, ``content[]`` parts, ``assistant_id``,
``run_id``, ``attachments``, ``metadata``). Reference:
https://platform.openai.com/docs/api-reference/messages/listMessages

Order: the API lists **newest first** by default (``order=desc``); the
timeline is oldest first. A list that runs backwards in time is reversed
first, so messages created within the same second keep their true order, then
every message is placed by ``created_at`` (stable). No message is dropped.

Roles: ``user`` → customer, ``assistant`` → bot. Text: the ``text.value`` of
the text parts, joined by newlines; other parts (``image_file``,
``image_url``) are listed in ``metadata["attachments"]``, text annotations
(file citations) in ``metadata["annotations"]``. The thread id is the
conversation id. Channel: ``openai``. Auto-detected by ``object: "list"`` with
``thread.message`` items.
"""

from __future__ import annotations

import itertools
from typing import Any, Final

from ..models import Conversation, Role
from ._common import FieldError, default_id, text_from_parts
from ._input import ParserInput
from ._registry import register_parser
from ._vendor import (
    Timeline,
    as_dict,
    as_list,
    fail,
    json_value,
    opt_list,
    rest,
    sniff_items,
    sniff_value,
    stamp,
)

__all__ = ["OpenAIThreadParser"]

FORMAT: Final = "openai_thread"
CHANNEL: Final = "openai"
_ROLES: Final[dict[str, Role]] = {"user": "customer", "assistant": "bot"}
_CONSUMED: Final = frozenset(("object", "role", "content", "created_at"))


def _is_message(item: Any) -> bool:
    return isinstance(item, dict) and item.get("object") == "thread.message"


def _annotations(parts: list[Any]) -> list[Any]:
    found: list[Any] = []
    for part in parts:
        text = part.get("text") if isinstance(part, dict) else None
        if isinstance(text, dict) and isinstance(text.get("annotations"), list):
            found.extend(text["annotations"])
    return found


class OpenAIThreadParser:
    """OpenAI Assistants thread messages list."""

    def sniff(self, data: ParserInput) -> bool:
        value = sniff_value(data)
        if not isinstance(value, dict) or value.get("object") != "list":
            return False
        return sniff_items(value.get("data"), _is_message)

    def parse(self, data: ParserInput, *, id: str | None, file: str | None) -> Conversation:
        value = as_dict(json_value(data, FORMAT), FORMAT, data.prefix or "", "a list object")
        items = as_list(value.get("data"), FORMAT, data.where("data"))
        checked = [as_dict(item, FORMAT, data.where(f"data[{i}]")) for i, item in enumerate(items)]
        times = [
            stamp(item.get("created_at"), FORMAT, data.where(f"data[{i}].created_at"))
            for i, item in enumerate(checked)
        ]
        known = [t for t in times if t is not None]
        descending = (
            len(known) > 1 and all(a >= b for a, b in itertools.pairwise(known)) and known[0] > known[-1]
        )
        order = range(len(checked) - 1, -1, -1) if descending else range(len(checked))
        timeline = Timeline(FORMAT, data, file)
        thread: Any = None
        for index in order:
            pointer = f"data[{index}]"
            at = data.where(pointer)
            item = checked[index]
            role_name = item.get("role")
            if not isinstance(role_name, str) or role_name not in _ROLES:
                fail(FORMAT, "role must be user or assistant", f"{at}.role")
            parts = opt_list(item, "content", FORMAT, f"{at}.content")
            try:
                text, other = text_from_parts(parts)
            except FieldError as exc:
                raise fail(FORMAT, str(exc), f"{at}.content") from None
            metadata = rest(item, _CONSUMED)
            if other:
                metadata["attachments"] = other
            if annotations := _annotations(parts):
                metadata["annotations"] = annotations
            thread = thread or item.get("thread_id")
            timeline.add(
                pointer,
                role=_ROLES[role_name],
                text=text.strip(),
                timestamp=times[index],
                channel=CHANNEL,
                metadata=metadata,
            )
        metadata = rest(value, {"data", "object"})
        if descending:
            metadata["reversed"] = True
        return timeline.build(id or default_id(thread, data), metadata)


register_parser(
    FORMAT,
    description="OpenAI Assistants thread messages list (newest-first lists are read oldest first)",
    extensions=(".json",),
    priority=40,
)(OpenAIThreadParser())

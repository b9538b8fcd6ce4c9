"""Help Scout: the threads of one conversation (Mailbox API 2.0).

Input: the list-threads response ``{"_embedded": {"threads": [...]}}`` (``GET
/v2/conversations/{id}/threads``), a conversation fetched with
``?embed=threads`` (the same ``_embedded.threads`` inside the conversation
object), or a bare list of threads (auto-detected when its items carry Help Scout's
thread ``type`` and ``createdBy``/``state``). Reference:
https://developer.helpscout.com/mailbox-api/endpoints/conversations/threads/list/

The API lists threads newest first; the timeline is read oldest first (by
``createdAt``, see :mod:`._vendor`).

Roles: ``type: note`` → internal note (role ``agent``, kind ``note``);
``lineitem`` (assignments, status changes, workflows) → ``system`` event whose
text is ``action.text`` (else the type); every other thread (``customer``,
``message``, ``reply``, ``chat``, ``beaconchat``, ``phone``, ``forwardparent``,
``forwardchild``) takes its role from ``createdBy.type``: ``customer`` →
customer, ``user`` / ``team`` → agent, ``system_user`` (Help Scout's AI users,
v3 API) → bot; without ``createdBy``, ``type: customer`` → customer, other
types → agent.

``body`` is HTML and becomes text. Author: ``createdBy`` first and last name,
else its email. Channel: ``source.type`` (``email``, ``chat``, ``phone``,
``api``, …), else ``helpscout``. Attachment names go to
``metadata["attachments"]``; other keys stay in metadata. Auto-detected by the
HAL ``_embedded.threads`` list of objects with a ``type`` and ``createdAt``.
"""

from __future__ import annotations

from typing import Any, Final

from ..models import Conversation, MessageKind, Role
from ._common import default_id
from ._input import ParserInput
from ._registry import register_parser
from ._vendor import (
    Timeline,
    fail,
    html_text,
    item_list,
    json_value,
    objects,
    opt_dict,
    opt_list,
    opt_str,
    rest,
    sniff_items,
    sniff_value,
    stamp,
)

__all__ = ["HelpScoutParser"]

FORMAT: Final = "helpscout"
_CREATORS: Final[dict[str, Role]] = {
    "customer": "customer",
    "user": "agent",
    "team": "agent",
    "system_user": "bot",
}
_CONSUMED: Final = frozenset(("body", "createdAt", "_embedded"))


def _find(value: Any) -> tuple[Any, str, dict[str, Any]] | None:
    """(threads, their pointer, the object around them)."""
    if isinstance(value, list):
        return value, "", {}
    if isinstance(value, dict):
        embedded = value.get("_embedded")
        if isinstance(embedded, dict) and "threads" in embedded:
            return embedded["threads"], "_embedded.threads", value
    return None


_THREAD_TYPES: Final = frozenset((
    "customer", "message", "reply", "note", "lineitem", "chat", "beaconchat", "phone",
    "forwardparent", "forwardchild",
))  # fmt: skip


def _is_thread(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("type"), str) and "createdAt" in item


def _name(person: dict[str, Any]) -> str | None:
    parts = [person[k] for k in ("first", "last") if isinstance(person.get(k), str) and person[k]]
    if parts:
        return " ".join(parts)
    email = person.get("email")
    return email if isinstance(email, str) and email else None


class HelpScoutParser:
    """Help Scout conversation threads."""

    def sniff(self, data: ParserInput) -> bool:
        found = _find(sniff_value(data))
        if found is None:
            return False
        if found[1]:
            return sniff_items(found[0], _is_thread)
        # A bare list of threads: also require Help Scout's thread types and its createdBy / state fields.
        return sniff_items(
            found[0],
            lambda item: (
                _is_thread(item)
                and item["type"] in _THREAD_TYPES
                and ("createdBy" in item or "state" in item)
            ),
        )

    def parse(self, data: ParserInput, *, id: str | None, file: str | None) -> Conversation:
        found = _find(json_value(data, FORMAT))
        if found is None:
            fail(FORMAT, "expected {'_embedded': {'threads': [...]}} or a list of threads", data.prefix)
        raw_items, base, wrapper = found
        items = item_list(data, FORMAT, raw_items, base)
        timeline = Timeline(FORMAT, data, file)
        for pointer, at, item in objects(data, FORMAT, items, base):
            creator = opt_dict(item, "createdBy", FORMAT, f"{at}.createdBy")
            role, kind = self._role(item, creator, at)
            body = html_text(opt_str(item, "body", FORMAT, f"{at}.body") or "")
            if kind == "event":
                action = opt_dict(item, "action", FORMAT, f"{at}.action")
                text = opt_str(action, "text", FORMAT, f"{at}.action.text")
                body = "\n".join(part for part in (text or str(item["type"]), body) if part)
            metadata = rest(item, _CONSUMED)
            embedded = opt_dict(item, "_embedded", FORMAT, f"{at}._embedded")
            attachments = opt_list(embedded, "attachments", FORMAT, f"{at}._embedded.attachments")
            if attachments:
                metadata["attachments"] = [
                    a["filename"]
                    if isinstance(a, dict) and isinstance(a.get("filename"), str)
                    else "attachment"
                    for a in attachments
                ]
            source = opt_dict(item, "source", FORMAT, f"{at}.source")
            channel = opt_str(source, "type", FORMAT, f"{at}.source.type") or FORMAT
            timeline.add(
                pointer,
                role=role,
                kind=kind,
                text=body,
                timestamp=stamp(item.get("createdAt"), FORMAT, f"{at}.createdAt"),
                author=_name(creator) if kind != "event" else None,
                channel=channel,
                metadata=metadata,
            )
        return timeline.build(id or default_id(wrapper.get("id"), data), rest(wrapper, {"_embedded"}))

    @staticmethod
    def _role(item: dict[str, Any], creator: dict[str, Any], at: str) -> tuple[Role, MessageKind]:
        kind = opt_str(item, "type", FORMAT, f"{at}.type")
        if kind is None:
            fail(FORMAT, "thread has no type", f"{at}.type")
        if kind == "note":
            return "agent", "note"
        if kind == "lineitem":
            return "system", "event"
        made_by = opt_str(creator, "type", FORMAT, f"{at}.createdBy.type")
        if made_by is None:
            return ("customer" if kind == "customer" else "agent"), "message"
        if made_by not in _CREATORS:
            fail(
                FORMAT,
                f"unknown createdBy.type (expected one of: {', '.join(_CREATORS)})",
                f"{at}.createdBy.type",
            )
        return _CREATORS[made_by], "message"


register_parser(
    FORMAT,
    description="Help Scout conversation threads (customer, replies, notes, line items), HTML bodies",
    extensions=(".json",),
    priority=40,
)(HelpScoutParser())

"""Facebook Messenger and Instagram messaging: webhook event payloads.

Input: one webhook delivery ``{"object": "page" | "instagram", "entry": [...]}``
or a list of them (a log of deliveries). Each entry holds ``messaging[]`` (and
``standby[]`` for a secondary receiver under the handover protocol) events
with ``sender.id``, ``recipient.id``, ``timestamp`` (epoch ms) and one of
``message`` (``mid``, ``text``, ``attachments``, ``is_echo``, ``app_id``,
``quick_reply``, ``reply_to``), ``postback``, ``reaction``, ``read``,
``delivery``, ``referral``, ``optin``. Reference:
https://developers.facebook.com/docs/messenger-platform/reference/webhook-events
and its ``messages`` / ``message_echoes`` pages.

Roles: the page side is told apart by ids: a page id is the ``recipient.id``
of any non-echo event (and the ``entry.id``). An echo (``is_echo: true``, a
message the page sent) is the page's: ``bot`` when sent by an app
(``app_id`` present, other than the Page Inbox's 263902037430900), ``agent``
when a person sent it from the inbox (no ``app_id``, or the inbox app). A
non-echo message from a page id is an ``agent`` message; from anyone else, the
customer's. A ``postback`` (the customer tapped a button) is a customer
message whose text is the button's ``title`` (payload in metadata). A
``reaction`` is a ``system`` event; ``referral`` and ``optin`` are ``system``
events too. ``read`` and ``delivery`` receipts say nothing about the
conversation: they are counted in ``conversation.metadata["skipped"]``.

Attachments: ``type`` and ``payload.url`` in ``metadata["attachments"]`` (an
attachment-only message has empty text). The ``mid`` is kept in metadata.
Channel: ``messenger`` or ``instagram`` (from ``object``). Author: the
sender's id. Auto-detected by ``object`` page/instagram with an ``entry`` list.
"""

from __future__ import annotations

from typing import Any, Final

from ..models import Conversation, MessageKind, Role
from ._common import default_id
from ._input import ParserInput
from ._registry import register_parser
from ._vendor import (
    Timeline,
    as_dict,
    as_list,
    fail,
    ident,
    json_value,
    opt_dict,
    opt_list,
    opt_str,
    sniff_value,
    stamp,
)

__all__ = ["MessengerParser"]

FORMAT: Final = "messenger"
_OBJECTS: Final = {"page": "messenger", "instagram": "instagram"}
_PAGE_INBOX_APP: Final = "263902037430900"
_RECEIPTS: Final = ("read", "delivery")
_EVENTS: Final = (
    "reaction",
    "referral",
    "optin",
    "account_linking",
    "pass_thread_control",
    "take_thread_control",
)


def _is_delivery(item: Any) -> bool:
    return isinstance(item, dict) and item.get("object") in _OBJECTS and isinstance(item.get("entry"), list)


def _events(
    deliveries: list[tuple[str, dict[str, Any]]], data: ParserInput
) -> list[tuple[str, str, dict[str, Any]]]:
    """(pointer, channel, event) for every messaging/standby event, in input order."""
    found: list[tuple[str, str, dict[str, Any]]] = []
    for base, delivery in deliveries:
        kind = delivery.get("object")
        channel = _OBJECTS.get(kind, "") if isinstance(kind, str) else ""
        if not channel:
            fail(FORMAT, "object must be page or instagram", data.where(f"{base}object"))
        entries = as_list(delivery.get("entry"), FORMAT, data.where(f"{base}entry"))
        for e, raw_entry in enumerate(entries):
            entry = as_dict(raw_entry, FORMAT, data.where(f"{base}entry[{e}]"))
            for key in ("messaging", "standby"):
                where = f"{base}entry[{e}].{key}"
                for m, raw in enumerate(opt_list(entry, key, FORMAT, data.where(where))):
                    found.append(
                        (f"{where}[{m}]", channel, as_dict(raw, FORMAT, data.where(f"{where}[{m}]")))
                    )
    return found


def _account(event: dict[str, Any], key: str, at: str) -> str | None:
    return ident(opt_dict(event, key, FORMAT, f"{at}.{key}").get("id"))


class MessengerParser:
    """Messenger / Instagram webhook events."""

    def sniff(self, data: ParserInput) -> bool:
        value = sniff_value(data)
        if isinstance(value, list):
            return bool(value) and all(map(_is_delivery, value[:20]))
        return _is_delivery(value)

    def parse(self, data: ParserInput, *, id: str | None, file: str | None) -> Conversation:
        value = json_value(data, FORMAT)
        if isinstance(value, list):
            deliveries = [(f"[{i}].", as_dict(v, FORMAT, data.where(f"[{i}]"))) for i, v in enumerate(value)]
        else:
            deliveries = [("", as_dict(value, FORMAT, data.prefix or "", "a webhook payload"))]
        events = _events(deliveries, data)
        pages = {
            ident(d.get("id")) for _, v in deliveries for d in v.get("entry") or () if isinstance(d, dict)
        }
        for pointer, _, event in events:
            message = event.get("message")
            if not (isinstance(message, dict) and message.get("is_echo")):
                pages.add(_account(event, "recipient", data.where(pointer)))
        pages.discard(None)
        timeline = Timeline(FORMAT, data, file)
        for pointer, channel, event in events:
            at = data.where(pointer)
            if any(key in event for key in _RECEIPTS) and "message" not in event:
                timeline.skip(next(key for key in _RECEIPTS if key in event))
                continue
            sender = _account(event, "sender", at)
            role, kind, text, metadata = self._read(event, sender in pages, at)
            metadata.update({"sender_id": sender, "recipient_id": _account(event, "recipient", at)})
            if pointer.split(".")[-1].startswith("standby"):
                metadata["standby"] = True
            timeline.add(
                pointer,
                role=role,
                kind=kind,
                text=text,
                timestamp=stamp(event.get("timestamp"), FORMAT, f"{at}.timestamp"),
                author=sender if role == "customer" else None,
                channel=channel,
                metadata=metadata,
            )
        return timeline.build(id or default_id(None, data), {"page_ids": sorted(p for p in pages if p)})

    @staticmethod
    def _read(
        event: dict[str, Any], from_page: bool, at: str
    ) -> tuple[Role, MessageKind, str, dict[str, Any]]:
        """(role, kind, text, metadata) of one messaging event."""
        if "message" in event:
            message = as_dict(event["message"], FORMAT, f"{at}.message")
            text = (opt_str(message, "text", FORMAT, f"{at}.message.text") or "").strip()
            metadata = {k: v for k, v in message.items() if k not in ("text", "attachments")}
            attachments = []
            for raw in opt_list(message, "attachments", FORMAT, f"{at}.message.attachments"):
                if isinstance(raw, dict):
                    payload = raw.get("payload")
                    url = payload.get("url") if isinstance(payload, dict) else None
                    attachments.append({"type": raw.get("type"), "url": url})
            if attachments:
                metadata["attachments"] = attachments
            if message.get("is_echo"):
                app = ident(message.get("app_id"))
                return ("bot" if app and app != _PAGE_INBOX_APP else "agent"), "message", text, metadata
            return ("agent" if from_page else "customer"), "message", text, metadata
        if "postback" in event:
            postback = as_dict(event["postback"], FORMAT, f"{at}.postback")
            title = opt_str(postback, "title", FORMAT, f"{at}.postback.title") or ""
            return "customer", "message", title.strip(), {"postback": postback}
        for key in _EVENTS:
            if key in event:
                detail = event[key]
                label = key.replace("_", " ")
                if key == "reaction" and isinstance(detail, dict):
                    emoji = detail.get("emoji") or detail.get("reaction") or ""
                    label = f"{detail.get('action', 'react')} {emoji}"
                return "system", "event", label.strip(), {key: detail}
        fail(FORMAT, "event has no message, postback or known event field", at)


register_parser(
    FORMAT,
    description="Messenger / Instagram webhook events (messages, echoes, postbacks, reactions)",
    extensions=(".json",),
    priority=40,
)(MessengerParser())

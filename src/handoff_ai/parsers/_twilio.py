"""Twilio Programmable Messaging: a Messages list (SMS, MMS, WhatsApp via Twilio).

Input: the list response ``{"messages": [...], "page", "page_size", "uri",
"next_page_uri", ...}`` of ``GET /2010-04-01/Accounts/{AccountSid}/Messages.json``,
or a bare list of Message resources (auto-detected too).  Reference:
https://www.twilio.com/docs/messaging/api/message-resource (``sid``, ``from``,
``to``, ``body``, ``direction``, ``status``, ``date_sent``, ``date_created``,
``num_media``).

Roles, from ``direction``: ``inbound`` → customer; ``outbound-reply`` (sent in
answer to an incoming message, typically by a person or a reply flow) → agent;
``outbound-api`` (created through the REST API) and ``outbound-call`` (sent
during a call by TwiML) → bot: automated unless you know otherwise (pass
``TwilioSmsParser(api_role="agent")`` when humans send through the API).

Times: ``date_sent`` (RFC 2822, GMT), else ``date_created`` (a queued message
has no ``date_sent``). Twilio lists newest first; the timeline is oldest
first. One list is one conversation: filter by ``To``/``From`` before
exporting. Author: the sender's number (``from``). Channel: ``sms``, or
``whatsapp`` when the numbers are ``whatsapp:+…`` addresses; ``num_media`` is
in metadata with the rest of the resource. Auto-detected when every message
has an ``SM``/``MM`` ``sid`` and a Twilio ``direction``.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, Final

from ..models import Conversation, Role
from ._common import default_id
from ._input import ParserInput
from ._registry import register_parser
from ._vendor import (
    Timeline,
    fail,
    objects,
    opt_str,
    rest,
    sniff_items,
    sniff_value,
    stamp,
    wrapped_list,
)

__all__ = ["TwilioSmsParser"]

FORMAT: Final = "twilio_sms"
_DIRECTIONS: Final = ("inbound", "outbound-reply", "outbound-api", "outbound-call")
_CONSUMED: Final = frozenset(("body", "direction", "date_sent", "date_created"))


def _is_message(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and isinstance(item.get("sid"), str)
        and item["sid"].startswith(("SM", "MM"))
        and item.get("direction") in _DIRECTIONS
    )


def _when(value: Any, at: str) -> datetime | None:
    """An RFC 2822 date (Twilio's format), or ISO / epoch as a courtesy."""
    if isinstance(value, str) and value[:1].isalpha():
        try:
            return parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            fail(FORMAT, "date is not an RFC 2822 date", at)
    return stamp(value, FORMAT, at)


class TwilioSmsParser:
    """Twilio Messages list.

    Args:
        api_role: the role of ``outbound-api`` messages: ``bot`` (default) or ``agent``.
    """

    def __init__(self, *, api_role: Role = "bot") -> None:
        self.roles: dict[str, Role] = {
            "inbound": "customer",
            "outbound-reply": "agent",
            "outbound-api": api_role,
            "outbound-call": "bot",
        }

    def sniff(self, data: ParserInput) -> bool:
        value = sniff_value(data)
        items = value.get("messages") if isinstance(value, dict) else value  # a page, or its bare list
        return sniff_items(items, _is_message)

    def parse(self, data: ParserInput, *, id: str | None, file: str | None) -> Conversation:
        items, base, around = wrapped_list(data, FORMAT, "messages", "a list of messages")
        timeline = Timeline(FORMAT, data, file)
        for pointer, at, item in objects(data, FORMAT, items, base):
            direction = item.get("direction")
            if not isinstance(direction, str) or direction not in self.roles:
                fail(FORMAT, f"direction must be one of: {', '.join(_DIRECTIONS)}", f"{at}.direction")
            sender = opt_str(item, "from", FORMAT, f"{at}.from")
            receiver = opt_str(item, "to", FORMAT, f"{at}.to")
            whatsapp = any(n and n.startswith("whatsapp:") for n in (sender, receiver))
            key = "date_sent" if item.get("date_sent") is not None else "date_created"
            timeline.add(
                pointer,
                role=self.roles[direction],
                text=(opt_str(item, "body", FORMAT, f"{at}.body") or "").strip(),
                timestamp=_when(item.get(key), f"{at}.{key}"),
                author=sender,
                channel="whatsapp" if whatsapp else "sms",
                metadata={"direction": direction, **rest(item, _CONSUMED)},
            )
        return timeline.build(id or default_id(None, data), around)


register_parser(
    FORMAT,
    description="Twilio Messages list (SMS/MMS/WhatsApp): inbound → customer, outbound → agent or bot",
    extensions=(".json",),
    priority=40,
)(TwilioSmsParser())

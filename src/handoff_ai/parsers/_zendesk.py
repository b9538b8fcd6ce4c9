"""Zendesk Support: a ticket and its comments, as the Ticket Comments API returns them.

Input: ``{"ticket": {...}, "comments": [...], "users": [...]}`` — the ticket
(``GET /api/v2/tickets/{id}``), its comments (``GET
/api/v2/tickets/{id}/comments``) and, optionally, the users side-load
(``?include=users``). Reference:
https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_comments/

Each comment is one message (``created_at``, ``author_id``, ``body`` /
``plain_body`` / ``html_body``, ``public``, ``attachments``, ``via``).

Input: the ticket with its comments (``{"ticket": {...}, "comments": [...],
"users": [...]}``), or the Ticket Comments API page alone (``GET
/api/v2/tickets/{id}/comments``: ``{"comments": [...], "next_page",
"previous_page", "count"}``, with ``users`` when side-loaded); both are
auto-detected by comment objects carrying ``author_id`` and a ``public`` flag.
The requester's ``id``, ``email`` and ``phone`` (from the users side-load,
else the ticket's ``via.source.from``) go to ``metadata["requester"]`` for
merging.

Roles: the ticket's requester (``author_id == ticket.requester_id``) is the
customer; an author the users side-load calls ``end-user`` (a CC'd colleague)
is a customer too; every other author is an agent. Without a ``requester_id``
the first author is taken as the requester. A comment with ``public: false``
is an internal note: role ``agent``, kind ``note``.

Text: ``body``, else ``plain_body``, else ``html_body`` converted to text.
Channel: the comment's ``via.channel`` (``email``, ``web``, ``chat``, ``api``,
…), else the ticket's, else ``zendesk``. Author: the side-loaded user's name,
else the author id. Attachment file names go to ``metadata["attachments"]``;
every other key of the comment is kept in metadata. Auto-detected when the
input has a ``ticket`` object and a ``comments`` list whose objects carry
``author_id`` and ``public``.
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
    attachment_names,
    fail,
    html_text,
    ident,
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

__all__ = ["ZendeskParser"]

FORMAT: Final = "zendesk"
_CONSUMED: Final = frozenset(("body", "html_body", "plain_body", "public", "created_at", "attachments"))


def _is_comment(item: Any) -> bool:
    return isinstance(item, dict) and "author_id" in item and isinstance(item.get("public"), bool)


class ZendeskParser:
    """Zendesk ticket + comments (+ users side-load)."""

    def sniff(self, data: ParserInput) -> bool:
        # The ticket with its comments, or the comments endpoint's page alone
        # ({"comments", "next_page", "previous_page", "count"}, maybe "users"): comment
        # objects with ``author_id`` and a ``public`` flag are Zendesk's own shape.
        value = sniff_value(data)
        if not isinstance(value, dict) or not isinstance(value.get("ticket", {}), dict):
            return False
        return sniff_items(value.get("comments"), _is_comment)

    def parse(self, data: ParserInput, *, id: str | None, file: str | None) -> Conversation:
        value = as_dict(json_value(data, FORMAT), FORMAT, data.prefix or "", "a ticket object")
        comments = as_list(value.get("comments"), FORMAT, data.where("comments"))
        ticket = opt_dict(value, "ticket", FORMAT, data.where("ticket"))
        users = self._users(opt_list(value, "users", FORMAT, data.where("users")))
        requester = ident(ticket.get("requester_id"))
        ticket_via = opt_dict(ticket, "via", FORMAT, data.where("ticket.via"))
        ticket_channel = opt_str(ticket_via, "channel", FORMAT, data.where("ticket.via.channel"))
        timeline = Timeline(FORMAT, data, file)
        for pointer, at, item in objects(data, FORMAT, comments, "comments"):
            author = ident(item.get("author_id"))
            if requester is None:
                requester = author
            metadata = rest(item, _CONSUMED)
            attachments = opt_list(item, "attachments", FORMAT, f"{at}.attachments")
            if attachments:
                metadata["attachments"] = attachment_names(attachments, "file_name")
            via = opt_dict(item, "via", FORMAT, f"{at}.via")
            role, kind = self._role(item, author, requester, users, at)
            timeline.add(
                pointer,
                role=role,
                kind=kind,
                text=self._text(item, at),
                timestamp=stamp(item.get("created_at"), FORMAT, f"{at}.created_at"),
                author=users[author][0] if author in users else author,
                channel=opt_str(via, "channel", FORMAT, f"{at}.via.channel") or ticket_channel or FORMAT,
                metadata=metadata,
            )
        metadata = rest(value, {"comments"})
        person = self._requester(requester, opt_list(value, "users", FORMAT, data.where("users")), ticket_via)
        if person and "requester" not in metadata:
            metadata["requester"] = person  # the merge links inputs by this person's email / phone / id
        return timeline.build(id or default_id(ticket.get("id"), data), metadata)

    @staticmethod
    def _requester(requester: str | None, users: list[Any], via: dict[str, Any]) -> dict[str, Any]:
        """The requester's ``id``, ``email`` and ``phone`` (users side-load, else the ticket's ``via``)."""
        person: dict[str, Any] = {"id": requester} if requester else {}
        for user in users:
            if isinstance(user, dict) and requester is not None and ident(user.get("id")) == requester:
                person.update(
                    {k: user[k] for k in ("email", "phone") if isinstance(user.get(k), str) and user[k]}
                )
        origin = via.get("source")
        sender = origin.get("from") if isinstance(origin, dict) else None
        if isinstance(sender, dict):
            for key, field in (("email", "address"), ("phone", "phone")):
                found = sender.get(field)
                if key not in person and isinstance(found, str) and found:
                    person[key] = found
        return person

    @staticmethod
    def _users(items: list[Any]) -> dict[str, tuple[str, str]]:
        """Side-loaded users: id → (name, role)."""
        users: dict[str, tuple[str, str]] = {}
        for user in items:
            if isinstance(user, dict) and (key := ident(user.get("id"))) is not None:
                name, role = user.get("name"), user.get("role")
                users[key] = (
                    name if isinstance(name, str) and name else key,
                    role if isinstance(role, str) else "",
                )
        return users

    @staticmethod
    def _role(
        item: dict[str, Any],
        author: str | None,
        requester: str | None,
        users: dict[str, tuple[str, str]],
        where: str,
    ) -> tuple[Role, MessageKind]:
        public = item.get("public", True)
        if not isinstance(public, bool):
            fail(FORMAT, "public must be true or false", f"{where}.public")
        if not public:
            return "agent", "note"
        if author is not None and (author == requester or users.get(author, ("", ""))[1] == "end-user"):
            return "customer", "message"
        return "agent", "message"

    @staticmethod
    def _text(item: dict[str, Any], where: str) -> str:
        for key in ("body", "plain_body"):
            text = opt_str(item, key, FORMAT, f"{where}.{key}")
            if text is not None:
                return text.strip()
        html = opt_str(item, "html_body", FORMAT, f"{where}.html_body")
        return html_text(html) if html is not None else ""


register_parser(
    FORMAT,
    description="Zendesk ticket + comments (Ticket Comments API): public replies and internal notes",
    extensions=(".json",),
    priority=40,
)(ZendeskParser())

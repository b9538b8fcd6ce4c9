"""Email: one mail (RFC 5322 / MIME) read into its parts, before threading and roles.

Headers are parsed with a caching policy (the stdlib re-parses a header on
every access), the readable body is chosen (text/plain, else HTML turned into
text), quoted replies and signatures are cut out (:mod:`._email_body`) and the
threading headers are kept as message ids. The result, :class:`Mail`, is what
:mod:`._email_mbox` threads and :mod:`._email` turns into messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.message import Message as MailMessage
from email.policy import EmailPolicy
from functools import lru_cache
from typing import Any, Final

from ..exceptions import ParseError
from ._email_body import Reply, split_reply
from ._html import html_to_text

__all__ = ["EARLIEST", "FORMAT", "HEADER_ERRORS", "POLICY", "UTC", "Mail", "message_ids", "read_mail"]

FORMAT: Final = "email"

UTC: Final = timezone.utc
EARLIEST: Final = datetime.min.replace(tzinfo=UTC)
_MSGID = re.compile(r"<([^<>\s]+)>")
HEADER_ERRORS: Final = (ValueError, TypeError, IndexError, AttributeError, LookupError)
"""What the stdlib raises on a malformed header."""


class _CachingPolicy(EmailPolicy):
    """``policy.default`` that parses each distinct header value once.

    The stdlib re-parses a header on every access (``get_body`` alone reads each
    part's Content-Type a dozen times), which dominated mbox parsing; header
    objects are immutable, so equal ``(name, value)`` pairs can share one. The
    cache is small on purpose: a parsed header holds its whole token tree (KBs).
    """

    def header_fetch_parse(self, name: str, value: str) -> Any:
        if hasattr(value, "name"):
            return value
        return _parse_header(self, name, value)  # a small cache: repeats are within one mail


@lru_cache(maxsize=128)
def _parse_header(policy_: EmailPolicy, name: str, value: str) -> Any:
    return EmailPolicy.header_fetch_parse(policy_, name, value)


class _HeaderClasses(HeaderRegistry):
    """The stdlib builds a new header class on every header it parses; classes are
    cyclic garbage (about 1 KB each) that only a full collection frees, so a long mbox
    grew with the file in a process with a large heap. Each class is built once here."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        found = self._classes.get(key)
        if found is None:
            found = self._classes[key] = super().__getitem__(name)
        return found


POLICY: Final = _CachingPolicy(header_factory=_HeaderClasses())


@dataclass
class Mail:
    """One parsed mail, before roles and order are decided."""

    position: int
    pointer: str
    key: str
    links: list[str]
    timestamp: datetime | None
    address: str
    name: str | None
    auto: bool
    metadata: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    order_time: datetime = EARLIEST


def message_ids(value: Any) -> list[str]:
    return _MSGID.findall(str(value)) if value is not None else []


def _header(message: MailMessage, name: str, pointer: str) -> Any:
    try:
        return message.get(name)
    except HEADER_ERRORS:
        raise ParseError(f"invalid {name} header", format=FORMAT, location=f"{pointer}, {name}") from None


def _addresses(message: MailMessage, name: str, pointer: str) -> list[tuple[str, str]]:
    value = _header(message, name, pointer)
    if value is None:
        return []
    try:
        return [(a.display_name, a.addr_spec) for a in getattr(value, "addresses", ())]
    except HEADER_ERRORS:
        raise ParseError(f"invalid {name} header", format=FORMAT, location=f"{pointer}, {name}") from None


def _body(message: EmailMessage) -> tuple[str, dict[str, Any]]:
    """The readable body and notes about it (``html``, ``undecodable``, ``attachments``)."""
    notes: dict[str, Any] = {}
    part = message.get_body(preferencelist=("plain", "html"))
    text = ""
    if part is not None:
        try:
            if part.get_param("charset") is None:  # undeclared: 8-bit bodies in practice are UTF-8
                raw = part.get_payload(decode=True)
                content = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else ""
            else:
                content = part.get_content()
        except (LookupError, ValueError, AssertionError):
            payload = part.get_payload(decode=True)
            content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
            notes["undecodable"] = True
        text = content if isinstance(content, str) else ""
        if part.get_content_subtype() == "html":
            text = html_to_text(text)
            notes["html"] = True
    names: list[str] = []
    for attachment in message.iter_attachments():
        name = attachment.get_filename() if isinstance(attachment, EmailMessage) else None
        names.append(name or attachment.get_content_type())
    if names:
        notes["attachments"] = names
    return text.replace("\r\n", "\n"), notes


def _unescaped(text: str, charset: str | None) -> str:
    """Header text with raw 8-bit bytes (surrogate escapes) decoded in the mail's declared charset."""
    if not any("\udc80" <= c <= "\udcff" for c in text):
        return text
    raw = text.encode("utf-8", "surrogateescape")
    for encoding in (charset, "utf-8", "latin-1"):
        if encoding:
            try:
                return raw.decode(encoding)
            except (LookupError, UnicodeDecodeError):
                continue
    return raw.decode("latin-1")  # pragma: no cover - latin-1 decodes every byte


def _declared_charset(message: EmailMessage) -> str | None:
    part = message.get_body(preferencelist=("plain", "html")) or message
    charset = part.get_content_charset()
    return charset if isinstance(charset, str) else None


def read_mail(message: EmailMessage, position: int, pointer: str) -> Mail:
    senders = _addresses(message, "From", pointer)
    if not senders or not senders[0][1]:
        raise ParseError("mail has no From address", format=FORMAT, location=f"{pointer}, From")
    name, address = senders[0]
    charset = _declared_charset(message)
    name, address = _unescaped(name, charset), _unescaped(address, charset)
    date = _header(message, "Date", pointer)
    timestamp: datetime | None = None
    if date is not None:
        timestamp = getattr(date, "datetime", None)
        if timestamp is None:
            raise ParseError("invalid Date header", format=FORMAT, location=f"{pointer}, Date")
        if timestamp.tzinfo is None:
            timestamp = timestamp.replace(tzinfo=UTC)
    own = message_ids(_header(message, "Message-ID", pointer))
    replied = message_ids(_header(message, "In-Reply-To", pointer))
    references = message_ids(_header(message, "References", pointer))
    auto = str(_header(message, "Auto-Submitted", pointer) or "no").strip().lower() not in ("", "no")
    try:
        body, notes = _body(message)
    except (LookupError, ValueError, TypeError, AttributeError, AssertionError):
        raise ParseError("unreadable MIME body", format=FORMAT, location=pointer) from None
    reply: Reply = split_reply(body)
    metadata: dict[str, Any] = {"from": address.lower()}
    recipients = _addresses(message, "To", pointer)
    if recipients:
        metadata["to"] = [a for _, a in recipients]
    copied = _addresses(message, "Cc", pointer)
    if copied:
        metadata["cc"] = [a for _, a in copied]
    subject = _header(message, "Subject", pointer)
    if subject is not None:
        metadata["subject"] = _unescaped(str(subject), charset)
    if own:
        metadata["message_id"] = own[0]
    if replied:
        metadata["in_reply_to"] = replied[0]
    if auto:
        metadata["auto_submitted"] = True
    metadata.update(notes)
    if reply.quoted is not None:
        metadata["quoted"] = reply.quoted
    if reply.signature is not None:
        metadata["signature"] = reply.signature
    if reply.forwarded:
        metadata["forwarded"] = True
    return Mail(
        position=position,
        pointer=pointer,
        key=own[0] if own else f"#{position}",
        links=[*references, *replied],
        timestamp=timestamp,
        address=address.lower(),
        name=name or None,
        auto=auto,
        metadata=metadata,
        text=reply.text,
    )

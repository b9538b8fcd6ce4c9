"""Email: one ``.eml`` message (RFC 5322) or an mbox file of many, read with the stdlib ``email``.

Each mail becomes one message: the text/plain body (or the HTML body turned
into text when there is no plain one), with quoted replies and signatures cut
out and kept in ``metadata["quoted"]``/``metadata["signature"]`` (see
:mod:`._email_body`); a forwarded message stays in the text and sets
``metadata["forwarded"]``. Attachments are listed by name, not read.

Threads come from ``Message-ID``, ``In-Reply-To`` and ``References``: mails
linked through any of them (even through a mail missing from the file) form one
thread; the subject alone never joins threads ("Re: Order" is everywhere).
Within a thread mails are ordered by ``Date`` (a zone-less date is UTC, the
model's rule); a mail without a date stays right after the mail before it in
the file; ties keep file order. :func:`load` returns every thread of an mbox in
one conversation, thread after thread (the thread whose first mail is earliest
first), each message tagged with ``metadata["thread"]``; :func:`iter_mbox_threads`
streams a large mbox as one conversation per thread with bounded memory.

Roles: an auto-reply (``Auto-Submitted`` other than ``no``) is ``bot``. With
``support_addresses``/``support_domains`` those senders are agents and every
other sender a customer. Without them the customer is the thread's first sender
whose address does not look like a support mailbox (``support@``, ``help@``,
``noreply@``, ...; else simply the first sender), and every other sender is an
agent. Author is the display name, else the address; the address is in
``metadata["from"]``.
"""

from __future__ import annotations

import email
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.message import EmailMessage
from email.message import Message as MailMessage
from email.parser import BytesHeaderParser
from email.policy import EmailPolicy, compat32
from email.utils import parsedate_to_datetime
from functools import lru_cache
from os import PathLike
from pathlib import Path
from typing import Any, Final

from ..exceptions import ParseError, UsageError
from ..models import Conversation, Message, Role
from ._common import IdAllocator, build_conversation, default_id, make_message, source_ref
from ._email_body import Reply, split_reply
from ._html import html_to_text
from ._input import ParserInput
from ._registry import register_parser

__all__ = ["EmailParser", "iter_mbox_threads"]

FORMAT: Final = "email"
CHANNEL: Final = "email"

_UTC = timezone.utc
_EARLIEST: Final = datetime.min.replace(tzinfo=_UTC)
_HEADER = re.compile(r"^[!-9;-~]+:")
_MBOX_FROM = re.compile(r"^From \S")
_MSGID = re.compile(r"<([^<>\s]+)>")
_SNIFF_HEADERS: Final = frozenset(("date", "subject", "message-id", "to", "received", "mime-version"))
_SUPPORT_LOCALS: Final = frozenset(
    (
        "support", "help", "helpdesk", "service", "customerservice", "customer.service", "care",
        "billing", "noreply", "no-reply", "donotreply", "do-not-reply", "team", "hello", "info",
        "contact", "sales", "orders", "returns", "cs", "feedback", "notifications",
    )
)  # fmt: skip
_HEADER_ERRORS: Final = (ValueError, TypeError, IndexError, AttributeError, LookupError)


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


_POLICY: Final = _CachingPolicy()


@dataclass
class _Mail:
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
    order_time: datetime = _EARLIEST


def _ids(value: Any) -> list[str]:
    return _MSGID.findall(str(value)) if value is not None else []


def _header(message: MailMessage, name: str, pointer: str) -> Any:
    try:
        return message.get(name)
    except _HEADER_ERRORS:
        raise ParseError(f"invalid {name} header", format=FORMAT, location=f"{pointer}, {name}") from None


def _addresses(message: MailMessage, name: str, pointer: str) -> list[tuple[str, str]]:
    value = _header(message, name, pointer)
    if value is None:
        return []
    try:
        return [(a.display_name, a.addr_spec) for a in getattr(value, "addresses", ())]
    except _HEADER_ERRORS:
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


def _read(message: EmailMessage, position: int, pointer: str) -> _Mail:
    senders = _addresses(message, "From", pointer)
    if not senders or not senders[0][1]:
        raise ParseError("mail has no From address", format=FORMAT, location=f"{pointer}, From")
    name, address = senders[0]
    date = _header(message, "Date", pointer)
    timestamp: datetime | None = None
    if date is not None:
        timestamp = getattr(date, "datetime", None)
        if timestamp is None:
            raise ParseError("invalid Date header", format=FORMAT, location=f"{pointer}, Date")
        if timestamp.tzinfo is None:
            timestamp = timestamp.replace(tzinfo=_UTC)
    own = _ids(_header(message, "Message-ID", pointer))
    replied = _ids(_header(message, "In-Reply-To", pointer))
    references = _ids(_header(message, "References", pointer))
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
        metadata["subject"] = str(subject)
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
    return _Mail(
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


def _threads(mails: list[_Mail]) -> list[list[_Mail]]:
    """Group linked mails (union-find over message ids) and order threads and mails in time."""
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        root = parent.setdefault(key, key)
        while root != parent[root]:
            root = parent[root]
        while parent[key] != root:
            parent[key], key = root, parent[key]
        return root

    for mail in mails:
        for link in mail.links:
            first, second = find(mail.key), find(link)
            if first != second:
                parent[max(first, second)] = min(first, second)
    last = _EARLIEST
    for mail in mails:  # an undated mail stays right after the mail before it
        last = mail.timestamp or last
        mail.order_time = last
    groups: dict[str, list[_Mail]] = {}
    for mail in mails:
        groups.setdefault(find(mail.key), []).append(mail)
    threads = [sorted(group, key=lambda m: (m.order_time, m.position)) for group in groups.values()]
    threads.sort(key=lambda t: (t[0].order_time, t[0].position))
    return threads


def _looks_like_support(address: str) -> bool:
    return address.partition("@")[0] in _SUPPORT_LOCALS


class EmailParser:
    """``.eml`` files and mbox files.

    Args:
        support_addresses: addresses of the support side (case-insensitive).
        support_domains: domains of the support side (``acme.com`` also
            matches ``eu.acme.com``). With either option, those senders are
            agents and all others customers; without, see the module docstring.
    """

    def __init__(self, *, support_addresses: Iterable[str] = (), support_domains: Iterable[str] = ()) -> None:
        self.support_addresses = frozenset(a.strip().lower() for a in support_addresses)
        self.support_domains = tuple(d.strip().lower().lstrip("@") for d in support_domains)

    def sniff(self, data: ParserInput) -> bool:
        if data.text is None:
            return False
        names: set[str] = set()
        lines = data.text.lstrip("\r\n").splitlines()
        for number, line in enumerate(lines[:200]):
            if number == 0 and _MBOX_FROM.match(line):
                continue
            if not line.strip():
                break
            if line[0] in " \t" and names:
                continue
            if not _HEADER.match(line):
                return False
            names.add(line.split(":", 1)[0].strip().lower())
        return "from" in names and bool(names & _SNIFF_HEADERS)

    def parse(self, data: ParserInput, *, id: str | None, file: str | None) -> Conversation:
        if data.text is None:
            raise ParseError("expected email text, got a JSON value", format=FORMAT, location=data.prefix)
        chunks = list(_mbox_chunks(data.text))
        if not chunks:
            raise ParseError("input is empty", format=FORMAT, location=data.prefix)
        mails: list[_Mail] = []
        for position, (line, raw) in enumerate(chunks, start=1):
            pointer = data.where(
                f"message {position}" if line is None else f"message {position}, line {line}"
            )
            first = raw.lstrip("\n").split("\n", 1)[0]
            if not _HEADER.match(first):
                raise ParseError("expected mail headers (e.g. 'From: ...')", format=FORMAT, location=pointer)
            # bytes, not str: the stdlib mangles 8-bit (non-ASCII) bodies parsed from a str
            message = email.message_from_bytes(raw.encode("utf-8", "surrogateescape"), policy=_POLICY)
            assert isinstance(message, EmailMessage)
            mails.append(_read(message, position, pointer))
        threads = _threads(mails)
        return self._conversation(threads, id=id or default_id(None, data), file=file)

    def _roles(self, thread: list[_Mail]) -> list[Role]:
        def support(address: str) -> bool:
            domain = address.rpartition("@")[2]
            return address in self.support_addresses or any(
                domain == d or domain.endswith(f".{d}") for d in self.support_domains
            )

        if self.support_addresses or self.support_domains:
            return ["bot" if m.auto else ("agent" if support(m.address) else "customer") for m in thread]
        humans = [m.address for m in thread if not m.auto]
        customer = next((a for a in humans if not _looks_like_support(a)), humans[0] if humans else None)
        return ["bot" if m.auto else ("customer" if m.address == customer else "agent") for m in thread]

    def _conversation(self, threads: list[list[_Mail]], *, id: str, file: str | None) -> Conversation:
        ids = IdAllocator()
        messages: list[Message] = []
        for thread in threads:
            for mail, role in zip(thread, self._roles(thread), strict=True):
                metadata = dict(mail.metadata)
                if len(threads) > 1:
                    metadata["thread"] = thread[0].key
                message_id, original = ids.take(None, len(messages) + 1)
                if original is not None:
                    metadata["original_id"] = original
                fields: dict[str, Any] = {}
                if mail.timestamp is not None:
                    fields["timestamp"] = mail.timestamp
                messages.append(
                    make_message(
                        FORMAT,
                        mail.pointer,
                        id=message_id,
                        role=role,
                        text=mail.text,
                        channel=CHANNEL,
                        author=mail.name or mail.address,
                        metadata=metadata,
                        source=source_ref(FORMAT, file, mail.pointer),
                        **fields,
                    )
                )
        info: dict[str, Any] = {}
        subject = threads[0][0].metadata.get("subject") if threads else None
        if subject is not None:
            info["subject"] = subject
        if len(threads) > 1:
            info["threads"] = [
                {"thread": t[0].key, "subject": t[0].metadata.get("subject"), "messages": len(t)}
                for t in threads
            ]
        return build_conversation(messages, id=id, metadata=info, format=FORMAT)


def _unescape_from(line: str) -> str:
    """mboxrd: ``>From `` (any number of ``>``) in a body loses one ``>``."""
    stripped = line.lstrip(">")
    return line[1:] if line.startswith(">") and stripped.startswith("From ") else line


def _mbox_chunks(text: str) -> Iterator[tuple[int | None, str]]:
    """``(line of the From_ line, raw mail)`` per mail; ``(None, text)`` when it is a single mail."""
    lines = text.replace("\r\n", "\n").split("\n")
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start == len(lines):
        return
    if not _MBOX_FROM.match(lines[start]):
        yield None, "\n".join(lines[start:])
        return
    current: list[str] = []
    line_number = start + 1
    for index in range(start + 1, len(lines)):
        line = lines[index]
        if _MBOX_FROM.match(line) and (not lines[index - 1].strip()):
            yield line_number, "\n".join(current)
            current, line_number = [], index + 1
            continue
        current.append(_unescape_from(line))
    yield line_number, "\n".join(current)


def iter_mbox_threads(
    path: str | PathLike[str],
    *,
    support_addresses: Iterable[str] = (),
    support_domains: Iterable[str] = (),
) -> Iterator[Conversation]:
    """Stream an mbox file as one conversation per thread, with bounded memory.

    A first pass reads the file once, line by line, keeping only the byte
    offsets and threading headers (ids, links, date) of every mail; threads are
    formed from those, and each thread's mails are then read back by offset,
    parsed and yielded on their own, so memory holds one thread's mails at a
    time plus a few hundred bytes per mail. Conversation ids are
    ``<file stem>-<n>`` in thread order (see the module docstring).

    Raises:
        UsageError: the file cannot be read.
        ParseError: a mail is malformed (the location names it and its line).
    """
    file = Path(path)
    parser = EmailParser(support_addresses=support_addresses, support_domains=support_domains)
    try:
        handle = file.open("rb")
    except OSError as exc:
        raise UsageError(f"cannot read {file}: {exc.strerror or type(exc).__name__}") from None
    with handle:
        headers = BytesHeaderParser(policy=compat32)  # raw strings: no per-header parsing cost
        spans: list[tuple[int, int]] = []
        stubs: list[_Mail] = []
        for position, (line, offset, length, head) in enumerate(_byte_spans(handle), start=1):
            spans.append((offset, length))
            message = headers.parsebytes(head)
            pointer = f"message {position}, line {line}"
            own = _ids(message.get("Message-ID"))
            links = [*_ids(message.get("References")), *_ids(message.get("In-Reply-To"))]
            stubs.append(
                _Mail(
                    position, pointer, own[0] if own else f"#{position}", links,
                    _stub_date(message.get("Date")), "", None, False,
                )
            )  # fmt: skip
        for number, thread in enumerate(_threads(stubs), start=1):
            mails: list[_Mail] = []
            for stub in thread:
                offset, length = spans[stub.position - 1]
                handle.seek(offset)
                raw = b"\n".join(_unescape_from_bytes(part) for part in handle.read(length).split(b"\n"))
                message = email.message_from_bytes(raw, policy=_POLICY)
                assert isinstance(message, EmailMessage)
                mail = _read(message, stub.position, stub.pointer)
                mail.order_time = stub.order_time
                mails.append(mail)
            yield parser._conversation([mails], id=f"{file.stem}-{number}", file=str(file))


def _unescape_from_bytes(line: bytes) -> bytes:
    return line[1:] if line.startswith(b">") and line.lstrip(b">").startswith(b"From ") else line


def _stub_date(value: Any) -> datetime | None:
    """A raw ``Date`` header as an aware datetime (zone-less: UTC), or ``None`` if absent or invalid."""
    if value is None:
        return None
    try:
        stamp = parsedate_to_datetime(str(value))
    except (*_HEADER_ERRORS, OverflowError):
        return None
    return stamp.replace(tzinfo=_UTC) if stamp.tzinfo is None else stamp


def _byte_spans(handle: Any) -> Iterator[tuple[int, int, int, bytes]]:
    """``(From_ line number, offset after it, length, header bytes)`` for every mail in an mbox.

    One sequential pass; the header block (up to the first blank line) is kept
    only until the mail's span is yielded.
    """
    offset = 0
    start: int | None = None
    line_number = 0
    previous_blank = True
    head: list[bytes] = []
    in_head = False
    for number, line in enumerate(handle, start=1):
        blank = not line.strip()
        if previous_blank and line.startswith(b"From "):
            if start is not None:
                yield line_number, start, offset - start, b"".join(head)
            start, line_number, head, in_head = offset + len(line), number, [], True
        elif in_head:
            if blank:
                in_head = False
            else:
                head.append(line)
        previous_blank = blank
        offset += len(line)
    if start is not None:
        yield line_number, start, offset - start, b"".join(head)


register_parser(
    FORMAT,
    description="Email: .eml or mbox; HTML to text, quoted replies and signatures stripped, threads",
    extensions=(".eml", ".mbox", ".mbx"),
    priority=5,
)(EmailParser())

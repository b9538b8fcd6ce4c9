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
from email.message import EmailMessage
from os import PathLike
from pathlib import Path
from typing import Any, Final

from ..exceptions import ParseError, UsageError
from ..models import Conversation, Message, Role
from ._common import IdAllocator, build_conversation, default_id, make_message, source_ref
from ._email_mail import FORMAT, POLICY, Mail, read_mail
from ._email_mbox import MBOX_FROM, byte_spans, group_threads, mbox_chunks, read_span, stub_mail
from ._input import ParserInput
from ._registry import register_parser

__all__ = ["EmailParser", "iter_mbox_threads"]

CHANNEL: Final = "email"

_HEADER = re.compile(r"^[!-9;-~]+:")
_SNIFF_HEADERS: Final = frozenset(("date", "subject", "message-id", "to", "received", "mime-version"))
_SUPPORT_LOCALS: Final = frozenset(
    (
        "support", "help", "helpdesk", "service", "customerservice", "customer.service", "care",
        "billing", "noreply", "no-reply", "donotreply", "do-not-reply", "team", "hello", "info",
        "contact", "sales", "orders", "returns", "cs", "feedback", "notifications",
    )
)  # fmt: skip


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
            if number == 0 and MBOX_FROM.match(line):
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
        chunks = list(mbox_chunks(data.text))
        if not chunks:
            raise ParseError("input is empty", format=FORMAT, location=data.prefix)
        mails: list[Mail] = []
        for position, (line, raw) in enumerate(chunks, start=1):
            pointer = data.where(
                f"message {position}" if line is None else f"message {position}, line {line}"
            )
            first = raw.lstrip("\n").split("\n", 1)[0]
            if not _HEADER.match(first):
                raise ParseError("expected mail headers (e.g. 'From: ...')", format=FORMAT, location=pointer)
            # bytes, not str: the stdlib mangles 8-bit (non-ASCII) bodies parsed from a str
            message = email.message_from_bytes(raw.encode("utf-8", "surrogateescape"), policy=POLICY)
            assert isinstance(message, EmailMessage)
            mails.append(read_mail(message, position, pointer))
        threads = group_threads(mails)
        return self._conversation(threads, id=id or default_id(None, data), file=file)

    def _roles(self, thread: list[Mail]) -> list[Role]:
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

    def _conversation(self, threads: list[list[Mail]], *, id: str, file: str | None) -> Conversation:
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
        spans: list[tuple[int, int]] = []
        stubs: list[Mail] = []
        for position, (line, offset, length, head) in enumerate(byte_spans(handle), start=1):
            spans.append((offset, length))
            stubs.append(stub_mail(position, line, head))
        for number, thread in enumerate(group_threads(stubs), start=1):
            mails: list[Mail] = []
            for stub in thread:
                raw = read_span(handle, *spans[stub.position - 1])
                message = email.message_from_bytes(raw, policy=POLICY)
                assert isinstance(message, EmailMessage)
                mail = read_mail(message, stub.position, stub.pointer)
                mail.order_time = stub.order_time
                mails.append(mail)
            yield parser._conversation([mails], id=f"{file.stem}-{number}", file=str(file))


register_parser(
    FORMAT,
    description="Email: .eml or mbox; HTML to text, quoted replies and signatures stripped, threads",
    extensions=(".eml", ".mbox", ".mbx"),
    priority=5,
)(EmailParser())

"""Email: an mbox split into its mails, and mails grouped into threads.

Two ways to split an mbox: :func:`mbox_chunks` cuts text already in memory;
:func:`byte_spans` makes one pass over a file keeping only byte offsets and
header blocks, so :func:`._email.iter_mbox_threads` can thread a large file from
:func:`stub_mail` stubs and then :func:`read_span` one thread's mails at a time.
Both undo mboxrd's ``>From `` quoting. :func:`group_threads` links mails through
their message ids and orders threads and mails in time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import parsedate_to_datetime
from typing import IO, Any, Final

from ._email_mail import EARLIEST, HEADER_ERRORS, UTC, Mail, message_ids

__all__ = ["MBOX_FROM", "byte_spans", "group_threads", "mbox_chunks", "read_span", "stub_mail"]

MBOX_FROM: Final = re.compile(r"^From \S")
_HEADERS: Final = BytesHeaderParser(policy=compat32)  # raw strings: no per-header parsing cost


def group_threads(mails: list[Mail]) -> list[list[Mail]]:
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
    last = EARLIEST
    for mail in mails:  # an undated mail stays right after the mail before it
        last = mail.timestamp or last
        mail.order_time = last
    groups: dict[str, list[Mail]] = {}
    for mail in mails:
        groups.setdefault(find(mail.key), []).append(mail)
    threads = [sorted(group, key=lambda m: (m.order_time, m.position)) for group in groups.values()]
    threads.sort(key=lambda t: (t[0].order_time, t[0].position))
    return threads


def _unescape_from(line: str) -> str:
    """mboxrd: ``>From `` (any number of ``>``) in a body loses one ``>``."""
    stripped = line.lstrip(">")
    return line[1:] if line.startswith(">") and stripped.startswith("From ") else line


def mbox_chunks(text: str) -> Iterator[tuple[int | None, str]]:
    """``(line of the From_ line, raw mail)`` per mail; ``(None, text)`` when it is a single mail."""
    lines = text.replace("\r\n", "\n").split("\n")
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start == len(lines):
        return
    if not MBOX_FROM.match(lines[start]):
        yield None, "\n".join(lines[start:])
        return
    current: list[str] = []
    line_number = start + 1
    for index in range(start + 1, len(lines)):
        line = lines[index]
        if MBOX_FROM.match(line) and (not lines[index - 1].strip()):
            yield line_number, "\n".join(current)
            current, line_number = [], index + 1
            continue
        current.append(_unescape_from(line))
    yield line_number, "\n".join(current)


def _unescape_from_bytes(line: bytes) -> bytes:
    return line[1:] if line.startswith(b">") and line.lstrip(b">").startswith(b"From ") else line


def read_span(handle: IO[bytes], offset: int, length: int) -> bytes:
    """The raw mail at ``offset`` (a :func:`byte_spans` span), mboxrd quoting undone."""
    handle.seek(offset)
    return b"\n".join(_unescape_from_bytes(part) for part in handle.read(length).split(b"\n"))


def stub_mail(position: int, line: int, head: bytes) -> Mail:
    """A mail known by its threading headers only: enough to thread it before reading its body."""
    message = _HEADERS.parsebytes(head)
    own = message_ids(message.get("Message-ID"))
    links = [*message_ids(message.get("References")), *message_ids(message.get("In-Reply-To"))]
    return Mail(
        position, f"message {position}, line {line}", own[0] if own else f"#{position}", links,
        _stub_date(message.get("Date")), "", None, False,
    )  # fmt: skip


def _stub_date(value: Any) -> datetime | None:
    """A raw ``Date`` header as an aware datetime (zone-less: UTC), or ``None`` if absent or invalid."""
    if value is None:
        return None
    try:
        stamp = parsedate_to_datetime(str(value))
    except (*HEADER_ERRORS, OverflowError):
        return None
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp


def byte_spans(handle: Any) -> Iterator[tuple[int, int, int, bytes]]:
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

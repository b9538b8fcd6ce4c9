"""WhatsApp "Export chat" ``.txt`` files, as the iOS and Android apps write them.

Two line shapes start a message, in every locale seen in exports::

    [31/12/2023, 21:41:05] Maya: text          iOS (brackets, seconds)
    [12/31/23, 9:41:05 PM] Maya: text          iOS, US locale
    31/12/2023, 21:41 - Maya: text             Android
    31.12.23, 21:41 - Maya: text               Android, German locale

Every other line continues the message above it (multi-line messages). The
export has no time zone: times are the phone's local time and, having no zone,
are read as UTC (the model's rule for naive times). Day/month order is decided
once per file: a first field above 12 anywhere means DMY, a second field above
12 means MDY; when every date is ambiguous, dots mean DMY, an AM/PM clock means
MDY (the US locale), anything else DMY. The decision is in
``metadata["date_order"]`` with ``metadata["date_order_certain"]``.

Roles: the export does not say who the business is. Senders named in
``business_names`` are agents and everyone else a customer; without that option
the first sender of a real message is the customer and every other sender an
agent (a group chat with several customers needs the option). System lines
(encryption notice, joins, deleted messages, missed calls) become ``system``
events; media placeholders keep their text with ``metadata["media"] = True``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from ..exceptions import ParseError
from ..models import Conversation, Message
from ._common import IdAllocator, build_conversation, default_id, make_message, source_ref
from ._input import ParserInput
from ._registry import register_parser

__all__ = ["WhatsAppParser"]

FORMAT: Final = "whatsapp"
CHANNEL: Final = "whatsapp"

_MARKS: Final = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
_STRIP_MARKS: Final = str.maketrans("", "", _MARKS)
_DATE = r"(?P<date>\d{1,4}(?P<sep>[./-])\d{1,2}(?P=sep)\d{1,4})"
_TIME = r"(?P<time>\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:[ \u202f\u00a0]?(?P<half>[AaPp])\.?[ \u202f\u00a0]?[Mm]\.?)?)"
_IOS = re.compile(rf"^\[{_DATE},?[ \u202f\u00a0]{_TIME}\][ \u202f\u00a0](?P<rest>.*)$")
_ANDROID = re.compile(rf"^{_DATE},?[ \u202f\u00a0]{_TIME}[ \u202f\u00a0][-–][ \u202f\u00a0](?P<rest>.*)$")
_NAME = re.compile(r"^(?P<name>[^:\n]{1,80}?): (?P<text>.*)$")
_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?")

_MEDIA = re.compile(
    r"^(?:<Media omitted>|(?:image|video|audio|sticker|GIF|document|Contact card) omitted"
    r"|<attached: (?P<attached>[^>]+)>|(?P<file>.+) \(file attached\)|null)$",
    re.IGNORECASE,
)
_DELETED = re.compile(r"^(?:You deleted this message|This message was deleted)\.?$", re.IGNORECASE)
_SYSTEM = re.compile(
    r"(?:Messages and calls are end-to-end encrypted|Messages to this group are now secured"
    r"|created (?:the )?group|created this group|joined using this group's invite link"
    r"|\b(?:added|removed) |^(?:.+ )?left$|^(?:.+ )?joined$|changed the subject|changed this group's icon"
    r"|deleted this group's icon|changed the group description|changed their phone number"
    r"|security code (?:with .+ )?changed|^Missed (?:voice|video|group) call|disappearing messages"
    r"|This business (?:uses|is using)|This chat is with a business account|is a contact\.?$"
    r"|You (?:blocked|unblocked) this contact|registered as a standard account|Tap to learn more)",
    re.IGNORECASE,
)
_STRONG = re.compile(
    r"^(?:Messages and calls are end-to-end encrypted|Messages to this group are now secured"
    r"|Missed (?:voice|video|group) call|Your security code with|This business (?:uses|is using)"
    r"|This chat is with a business account)",
    re.IGNORECASE,
)
_SNIFF_LINES: Final = 5


@dataclass
class _Line:
    number: int
    date: str
    sep: str
    time: str
    half: str | None
    name: str | None
    text: str
    system: bool
    rest: list[str] = field(default_factory=list)


def _header(line: str) -> re.Match[str] | None:
    clean = line.translate(_STRIP_MARKS).lstrip()
    return _IOS.match(clean) or _ANDROID.match(clean)


def _split(match: re.Match[str], number: int, marked: bool) -> _Line:
    rest = match.group("rest")
    name: str | None = None
    text = rest
    system = True
    found = _NAME.match(rest)
    if found is not None and not _SYSTEM.search(found.group("name")):
        name, text = found.group("name").strip(), found.group("text")
        plain = text.strip()
        system = bool(
            _DELETED.match(plain)
            or (not _MEDIA.match(plain) and _SYSTEM.search(plain) and (marked or _STRONG.match(plain)))
        )
    return _Line(
        number=number,
        date=match.group("date"),
        sep=match.group("sep"),
        time=match.group("time"),
        half=match.group("half"),
        name=name,
        text=text,
        system=system,
    )

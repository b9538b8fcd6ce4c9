"""Plain-text transcripts: ``Customer: ...`` / ``Bot: ...`` lines, as pasted or exported.

A speaker line is an optional timestamp, a known speaker label and a colon;
every other line continues the message above it, so multi-line messages
(addresses, pasted error output) stay whole. Only known labels start a message:
treating any ``Word:`` as a speaker would split a customer's "Error: E42" into
a fake turn. A line of text before the first speaker is an error rather than
silently dropped, because dropping it could lose what the customer said.
A time without a date (``[10:32]``) is kept in ``metadata["time"]``; no date is
invented for it.
"""

from __future__ import annotations

import re
import textwrap
from datetime import datetime
from pathlib import PurePath
from typing import Any, Final

from ..exceptions import ParseError
from ..models import Conversation, Message, MessageKind, Role
from ._common import (
    IdAllocator,
    build_conversation,
    default_id,
    make_message,
    normalize_role,
    source_ref,
)
from ._input import ParserInput
from ._registry import register_parser

__all__ = ["SPEAKER_LABELS", "TextParser", "single_customer_message", "unlabelled_note"]

FORMAT: Final = "text"

SPEAKER_LABELS: dict[str, tuple[Role, MessageKind]] = {
    **dict.fromkeys(
        ("customer", "user", "client", "visitor", "human", "end user", "end-user"), ("customer", "message")
    ),
    **dict.fromkeys(
        ("bot", "assistant", "ai", "chatbot", "virtual agent", "virtual assistant"), ("bot", "message")
    ),
    **dict.fromkeys(
        (
            "agent",
            "human agent",
            "live agent",
            "support agent",
            "operator",
            "support",
            "customer support",
            "customer service",
            "representative",
            "rep",
        ),
        ("agent", "message"),
    ),
    "system": ("system", "event"),
    # The same speakers in German, French, Spanish and Portuguese transcripts.
    **dict.fromkeys(
        (
            "kunde", "kundin", "cliente", "clienta", "visiteur", "visitante", "besucher",
        ),
        ("customer", "message"),
    ),
    **dict.fromkeys(
        (
            "asistente", "asistente virtual", "assistente", "assistente virtual", "assistant virtuel",
            "virtueller assistent", "chatbot ia", "robô", "robot",
        ),
        ("bot", "message"),
    ),
    **dict.fromkeys(
        (
            "mitarbeiter", "mitarbeiterin", "berater", "beraterin", "kundenservice", "kundendienst", "agente",
            "asesor", "asesora", "operador", "operadora", "atendente", "conseiller", "conseillère",
            "opérateur", "opératrice", "service client", "servicio al cliente", "atención al cliente",
            "suporte", "atendimento", "soporte",
        ),
        ("agent", "message"),
    ),
}  # fmt: skip
# Not "Usuario:", "Benutzer:", "Sistema:": customers write "Usuario: jperez" inside a message.
"""Bare labels that start a message (case-insensitive). ``Name (role):`` accepts any known role."""

_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AaPp]\.?[Mm]\.?)?"
_DATETIME = r"\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s?(?:Z|[+-]\d{2}:?\d{2}))?"
_STAMP = rf"(?:{_DATETIME}|{_TIME})"
_LABELS = "|".join(sorted((re.escape(k) for k in SPEAKER_LABELS), key=len, reverse=True))
_LINE = re.compile(
    rf"""^[ \t]*
    (?:\[[ \t]*(?P<s1>{_STAMP})[ \t]*\][ \t]*[-–—|]?[ \t]*
      |\([ \t]*(?P<s2>{_STAMP})[ \t]*\)[ \t]*[-–—|]?[ \t]*
      |(?P<s3>{_STAMP})(?:[ \t]+[-–—|,]?[ \t]*|[ \t]*[-–—|,][ \t]*)
    )?
    (?:(?P<label>{_LABELS})
      |(?P<name>[^\s:()\[\]][^:()\[\]]{{0,40}}?)[ \t]*\([ \t]*(?P<role>[^\W\d_][\w _-]{{0,29}})[ \t]*\)
    )
    [ \t]*:[ \t]?(?P<text>.*)$""",
    re.IGNORECASE | re.VERBOSE,
)
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s?(?:([AaPp])\.?[Mm]\.?)?$")
_SNIFF_LINES: Final = 50


def _clock(stamp: str) -> str:
    """``10:32 PM`` → ``22:32``; raises ValueError for an impossible time."""
    match = _CLOCK.match(stamp)
    if match is None:
        raise ValueError(stamp)
    hour, minute, second, half = match.groups()
    h, m = int(hour), int(minute)
    if half:
        if not 1 <= h <= 12:
            raise ValueError(stamp)
        h = h % 12 + (12 if half in "Pp" else 0)
    if h > 23 or m > 59 or (second is not None and int(second) > 59):
        raise ValueError(stamp)
    return f"{h:02d}:{m:02d}" + (f":{second}" if second is not None else "")


def _datetime(stamp: str) -> datetime:
    text = stamp.strip().replace(",", ".")
    if text[-1] in "Zz":
        text = text[:-1].rstrip() + "+00:00"
    elif text[-5] in "+-" and text[-4:].isdigit():  # +0200 → +02:00
        text = f"{text[:-5].rstrip()}{text[-5:-2]}:{text[-2:]}"
    else:
        text = re.sub(r"\s(?=[+-]\d{2}:\d{2}$)", "", text)
    return datetime.fromisoformat(text)


def _speaker(match: re.Match[str]) -> tuple[Role, MessageKind, str | None] | None:
    label = match.group("label")
    if label is not None:
        role, kind = SPEAKER_LABELS[label.lower()]
        return role, kind, None
    found = normalize_role(match.group("role")) or SPEAKER_LABELS.get(match.group("role").strip().lower())
    if found is None:
        return None
    return found[0], found[1], match.group("name").strip()


def _is_speaker_line(line: str) -> bool:
    match = _LINE.match(line)
    return match is not None and _speaker(match) is not None


class TextParser:
    """``Customer: ...`` / ``[10:32] Bot: ...`` transcripts."""

    def sniff(self, data: ParserInput) -> bool:
        # Any speaker line near the top claims the input; a header line before it
        # is then reported by ``parse`` as an error with its line number.
        if data.text is None:
            return False
        checked = 0
        for line in data.text.splitlines():
            if not line.strip():
                continue
            if _is_speaker_line(line):
                return True
            checked += 1
            if checked >= _SNIFF_LINES:
                break
        return False

    def parse(self, data: ParserInput, *, id: str | None, file: str | None) -> Conversation:
        if data.text is None:
            raise ParseError("expected text, got a JSON value", format=FORMAT, location=data.prefix)
        turns: list[tuple[int, tuple[Role, MessageKind, str | None], str | None, str, list[str]]] = []
        for number, line in enumerate(data.text.splitlines(), start=1):
            match = _LINE.match(line)
            speaker = _speaker(match) if match is not None else None
            if match is not None and speaker is not None:
                stamp = match.group("s1") or match.group("s2") or match.group("s3")
                turns.append((number, speaker, stamp, match.group("text").strip(), []))
            elif turns:
                turns[-1][4].append(line.rstrip())
            elif line.strip():
                raise ParseError(
                    "text before the first speaker label (expected e.g. 'Customer: ...')",
                    format=FORMAT,
                    location=data.where(f"line {number}"),
                )
        if not turns:
            raise ParseError("input is empty", format=FORMAT, location=data.prefix)
        ids = IdAllocator()
        messages = [
            self._message(turn, position, ids, data, file) for position, turn in enumerate(turns, start=1)
        ]
        return build_conversation(messages, id=id or default_id(None, data), metadata={}, format=FORMAT)

    @staticmethod
    def _message(
        turn: tuple[int, tuple[Role, MessageKind, str | None], str | None, str, list[str]],
        position: int,
        ids: IdAllocator,
        data: ParserInput,
        file: str | None,
    ) -> Message:
        number, (role, kind, author), stamp, first, rest = turn
        pointer = data.where(f"line {number}")
        while rest and not rest[-1]:
            rest.pop()
        body = textwrap.dedent("\n".join(rest)) if rest else ""
        text = f"{first}\n{body}" if first and body else first or body
        metadata: dict[str, Any] = {}
        timestamp: datetime | None = None
        if stamp is not None:
            try:
                if "-" in stamp[:5]:
                    timestamp = _datetime(stamp)
                else:
                    metadata["time"] = _clock(stamp)
            except (ValueError, IndexError):
                raise ParseError("invalid timestamp", format=FORMAT, location=pointer) from None
        message_id, original = ids.take(None, position)
        if original is not None:
            metadata["original_id"] = original
        return make_message(
            FORMAT,
            pointer,
            id=message_id,
            role=role,
            kind=kind,
            text=text.strip(),
            timestamp=timestamp,
            author=author,
            metadata=metadata,
            source=source_ref(FORMAT, file, pointer),
        )


_NOTE_LIMIT: Final = 4000
_NOTE_SUFFIXES: Final = frozenset(("", ".txt", ".text"))
READ_AS: Final = "one customer message: no speaker labels or known format found"


def unlabelled_note(data: ParserInput) -> bool:
    """Whether unrecognised input reads as a person's note (a pasted complaint), not a file of another kind.

    Text only, short (≤ 4,000 characters), not JSON or markup, with some letters,
    and from no file or a ``.txt`` one: a stray ``README.md`` or CSV in a folder
    is still refused rather than summarized as if a customer had written it.
    """
    text = data.text
    if text is None or len(text) > _NOTE_LIMIT or data.json_syntax_error:
        return False
    if data.file is not None and PurePath(data.file).suffix.lower() not in _NOTE_SUFFIXES:
        return False
    stripped = text.strip()
    if not stripped or stripped[0] in "{[<" or "\x00" in stripped or "\ufffd" in stripped:
        return False
    if any("\ud800" <= c <= "\udfff" for c in stripped):  # undecodable bytes kept as escapes
        return False
    if not any(c.isspace() for c in stripped) and ("/" in stripped or "\\" in stripped):
        return False  # one word with folder separators: a path, not a sentence
    return sum(c.isalpha() for c in stripped) >= 3


def single_customer_message(data: ParserInput, *, id: str | None, file: str | None) -> Conversation:
    """Unlabelled text as one customer message, as a person reads a pasted complaint.

    ``conversation.metadata["read_as"]`` says so (provenance): nothing in the
    input named the speaker.
    """
    text = (data.text or "").strip()
    pointer = data.where("line 1")
    message = make_message(
        FORMAT,
        pointer,
        id="m1",
        role="customer",
        text=text,
        metadata={"read_as": READ_AS},
        source=source_ref(FORMAT, file, pointer),
    )
    return build_conversation(
        [message], id=id or default_id(None, data), metadata={"read_as": READ_AS}, format=FORMAT
    )


register_parser(
    FORMAT,
    description="Plain-text transcript: 'Customer: ...' / 'Bot: ...' lines, optional timestamps",
    extensions=(".txt", ".log", ".md"),
    priority=0,
)(TextParser())

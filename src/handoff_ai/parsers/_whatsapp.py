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
Both are recognised in the app's languages seen in exports (English, German,
French, Spanish, Portuguese, Italian, Dutch): "Se eliminó este mensaje" is a
system event, "<Multimedia omitido>" a media placeholder, never customer text.
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
_TIME = (
    r"(?P<time>\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:[ \u202f\u00a0]?(?P<half>[AaPp])\.?[ \u202f\u00a0]?[Mm]\.?)?)"
)
_IOS = re.compile(rf"^\[{_DATE},?[ \u202f\u00a0]{_TIME}\][ \u202f\u00a0](?P<rest>.*)$")
_ANDROID = re.compile(rf"^{_DATE},?[ \u202f\u00a0]{_TIME}[ \u202f\u00a0][-–][ \u202f\u00a0](?P<rest>.*)$")
_NAME = re.compile(r"^(?P<name>[^:\n]{1,80}?): (?P<text>.*)$")
_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?")

# Platform text in the export's language: English, German, French, Spanish, Portuguese (BR and
# PT), Italian and Dutch, as the Android ("<Media omitted>") and iOS ("image omitted") apps write it.
_MEDIA_WORDS = (
    r"image|video|audio|sticker|GIF|document|Contact card|photo"
    r"|Bild|Video|Audio|Sticker|GIF|Dokument|Kontaktkarte|Foto"
    r"|image|vidéo|audio|autocollant|sticker|GIF|document|fiche contact|photo"
    r"|imagen|video|audio|sticker|GIF|documento|tarjeta de contacto|foto"
    r"|imagem|vídeo|áudio|figurinha|autocolante|GIF|documento|cartão de contato|foto"
    r"|immagine|video|audio|sticker|GIF|documento|scheda contatto|afbeelding|video|audio|sticker|document"
)
_MEDIA = re.compile(
    r"^(?:<(?:Media omitted|Medien ausgeschlossen|Médias omis|Multimedia omitido|Mídia oculta"
    r"|Multimédia omitido"
    r"|Ficheiro multimédia omitido|Media omessi|Media weggelaten)>"
    rf"|(?:{_MEDIA_WORDS}) (?:omitted|weggelassen|ausgeschlossen|absente?|omise?s?|omitid[oa]|ocultad[oa]"
    r"|oculto|omess[oa]|weggelaten)"
    r"|<(?:attached|angehängt|pièce jointe|adjunto|anexado|anexo|allegato|bijlage) ?: (?P<attached>[^>]+)>"
    r"|(?P<file>.+) \((?:file attached|Datei angehängt|fichier joint|archivo adjunto|arquivo anexado"
    r"|ficheiro anexado|file allegato|bestand bijgevoegd)\)|null)$",
    re.IGNORECASE,
)
_DELETED = re.compile(
    r"^(?:You deleted this message|This message was deleted"
    r"|Diese Nachricht wurde gelöscht|Du hast diese Nachricht gelöscht|Sie haben diese Nachricht gelöscht"
    r"|Ce message a été supprimé|Vous avez supprimé ce message"
    r"|Se eliminó este mensaje|Eliminaste este mensaje|Este mensaje fue eliminado|Mensaje eliminado"
    r"|Esta mensagem foi apagada|Mensagem apagada|Você apagou esta mensagem|Apagou esta mensagem"
    r"|Apagaste esta mensagem|Esta mensagem foi eliminada"
    r"|Questo messaggio è stato eliminato|Hai eliminato questo messaggio"
    r"|Dit bericht is verwijderd|Je hebt dit bericht verwijderd)\.?$",
    re.IGNORECASE,
)
_ENCRYPTED = (
    r"Messages and calls are end-to-end encrypted|Messages to this group are now secured"
    r"|Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt"
    r"|Les messages et les appels sont chiffrés de bout en bout"
    r"|Los mensajes y las llamadas están cifrados de extremo a extremo"
    r"|As mensagens e as chamadas (?:são protegidas com a criptografia|estão encriptadas) de ponta a ponta"
    r"|As mensagens e chamadas (?:são protegidas com a criptografia|estão encriptadas) de ponta a ponta"
    r"|I messaggi e le chiamate sono crittografati end-to-end"
    r"|Berichten en oproepen zijn end-to-end versleuteld"
)
_MISSED = (
    r"Missed (?:voice|video|group) call|Verpasster (?:Sprach|Video|Gruppen)anruf|Appel (?:vocal|vidéo) manqué"
    r"|Llamada (?:de voz |de video |grupal )?perdida|Chamada (?:de voz |de vídeo )?perdida"
    r"|Chiamata (?:vocale |video )?persa|Gemiste (?:spraak|video)oproep"
)
_BUSINESS = (
    r"This business (?:uses|is using)|This chat is with a business account"
    r"|Dieses Unternehmen (?:nutzt|verwendet)|Dieser Chat ist mit einem Unternehmenskonto"
    r"|Cette entreprise utilise|Cette discussion est avec un compte"
    r"|Esta empresa (?:usa|utiliza)|Este chat es con una cuenta de empresa"
    r"|Esta conversa é com uma conta comercial"
    r"|Questa azienda usa|Dit bedrijf gebruikt"
)
_SECURITY = (
    r"Your security code with|Deine Sicherheitsnummer (?:für|mit)|Votre code de sécurité avec"
    r"|Tu código de seguridad con|Seu código de segurança com|O seu código de segurança com"
    r"|Il tuo codice di sicurezza con|Je beveiligingscode met"
)
_SYSTEM = re.compile(
    rf"(?:{_ENCRYPTED}|{_BUSINESS}|{_SECURITY}"
    r"|created (?:the )?group|created this group|joined using this group's invite link"
    r"|\b(?:added|removed) |^(?:.+ )?left$|^(?:.+ )?joined$|changed the subject|changed this group's icon"
    r"|deleted this group's icon|changed the group description|changed their phone number"
    rf"|security code (?:with .+ )?changed|^(?:{_MISSED})|disappearing messages"
    r"|is a contact\.?$"
    r"|You (?:blocked|unblocked) this contact|registered as a standard account|Tap to learn more"
    r"|Tippe, um mehr zu erfahren|Appuyez pour en savoir plus|Toca para obtener más información"
    r"|Toque para saber mais|Toca para más información|hat die Gruppe erstellt|a créé le groupe"
    r"|creó el grupo|criou o grupo|(?:hat|ha) .+ hinzugefügt|a ajouté|añadió a|adicionou)",
    re.IGNORECASE,
)
_STRONG = re.compile(
    rf"^(?:{_ENCRYPTED}|{_MISSED}|{_SECURITY}|{_BUSINESS})",
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


def _date_order(lines: list[_Line]) -> tuple[str, bool]:
    """``("DMY" | "MDY" | "YMD", certain)`` for the whole file (see the module docstring)."""
    firsts: list[str] = []
    seconds: list[int] = []
    for line in lines:
        first, second, _ = line.date.split(line.sep)
        firsts.append(first)
        seconds.append(int(second))
    if any(len(first) == 4 for first in firsts):
        return "YMD", True
    if any(int(first) > 12 for first in firsts):
        return "DMY", True
    if any(second > 12 for second in seconds):
        return "MDY", True
    if any(line.sep == "." for line in lines):
        return "DMY", False
    if any(line.half for line in lines):
        return "MDY", False
    return "DMY", False


def _timestamp(line: _Line, order: str) -> datetime:
    """The line's naive local time; raises ValueError for an impossible date or time."""
    a, b, c = (int(part) for part in line.date.split(line.sep))
    year, month, day = {"YMD": (a, b, c), "DMY": (c, b, a), "MDY": (c, a, b)}[order]
    if year < 100:
        year += 2000
    clock = _CLOCK.match(line.time)
    if clock is None:  # the header pattern guarantees a clock; kept for the type checker
        raise ValueError(line.time)
    hour, minute = int(clock.group(1)), int(clock.group(2))
    second = int(clock.group(3) or 0)
    if line.half:
        if not 1 <= hour <= 12:
            raise ValueError(line.time)
        hour = hour % 12 + (12 if line.half in "Pp" else 0)
    return datetime(year, month, day, hour, minute, second)


class WhatsAppParser:
    """WhatsApp chat exports (``.txt``), iOS and Android, any of the common date locales.

    Args:
        business_names: sender names (case-insensitive) that are the business;
            they become agents and every other sender a customer. Without it
            the first sender of a real message is the customer, the rest agents.
    """

    def __init__(self, *, business_names: Iterable[str] = ()) -> None:
        self.business_names = frozenset(name.strip().casefold() for name in business_names)

    def sniff(self, data: ParserInput) -> bool:
        if data.text is None:
            return False
        checked = 0
        for line in data.text.splitlines():
            clean = line.translate(_STRIP_MARKS).lstrip()
            if not clean.strip():
                continue
            match = _header(line)
            if match is not None:
                # "2024-05-01 10:32 - Customer: ..." is a plain transcript: WhatsApp writes a
                # comma after the date, or separates its parts with slashes or dots
                return match.group("sep") != "-" or "," in clean[: match.start("time")]
            checked += 1
            if checked >= _SNIFF_LINES:
                break
        return False

    def parse(self, data: ParserInput, *, id: str | None, file: str | None) -> Conversation:
        if data.text is None:
            raise ParseError("expected text, got a JSON value", format=FORMAT, location=data.prefix)
        lines: list[_Line] = []
        for number, raw in enumerate(data.text.splitlines(), start=1):
            match = _header(raw)
            if match is not None:
                lines.append(_split(match, number, ": \u200e" in raw))
            elif lines:
                lines[-1].rest.append(raw.translate(_STRIP_MARKS).rstrip())
            elif raw.translate(_STRIP_MARKS).strip():
                raise ParseError(
                    "text before the first dated line (expected e.g. '31/12/2023, 21:41 - Name: text')",
                    format=FORMAT,
                    location=data.where(f"line {number}"),
                )
        if not lines:
            raise ParseError("input is empty", format=FORMAT, location=data.prefix)
        order, certain = _date_order(lines)
        customer = None
        if not self.business_names:
            customer = next((line.name for line in lines if not line.system), None)
        ids = IdAllocator()
        messages = [
            self._message(line, position, order, customer, ids, data, file)
            for position, line in enumerate(lines, start=1)
        ]
        metadata = {"date_order": order, "date_order_certain": certain}
        return build_conversation(messages, id=id or default_id(None, data), metadata=metadata, format=FORMAT)

    def _message(
        self,
        line: _Line,
        position: int,
        order: str,
        customer: str | None,
        ids: IdAllocator,
        data: ParserInput,
        file: str | None,
    ) -> Message:
        pointer = data.where(f"line {line.number}")
        try:
            timestamp = _timestamp(line, order)
        except ValueError:
            raise ParseError(
                f"invalid date or time (read as {order})", format=FORMAT, location=pointer
            ) from None
        rest = line.rest
        while rest and not rest[-1].strip():
            rest.pop()
        text = "\n".join([line.text.translate(_STRIP_MARKS).strip(), *rest]).strip()
        metadata: dict[str, Any] = {}
        fields: dict[str, Any] = {"timestamp": timestamp, "channel": CHANNEL}
        if line.system:
            fields["role"], fields["kind"] = "system", "event"
            metadata["notice"] = True  # a platform notice (encryption, joins, deletions), not an action
            if line.name is not None:
                metadata["sender"] = line.name
            if _DELETED.match(text):
                metadata["deleted"] = True
        else:
            name = line.name or ""
            business = name.casefold() in self.business_names if self.business_names else name != customer
            fields["role"] = "agent" if business else "customer"
            fields["author"] = name
            media = _MEDIA.match(text)
            if media is not None:
                metadata["media"] = True
                attached = media.group("attached") or media.group("file")
                if attached:
                    metadata["attachment"] = attached
        message_id, original = ids.take(None, position)
        if original is not None:
            metadata["original_id"] = original
        if metadata:
            fields["metadata"] = metadata
        return make_message(
            FORMAT, pointer, id=message_id, text=text, source=source_ref(FORMAT, file, pointer), **fields
        )


register_parser(
    FORMAT,
    description="WhatsApp 'Export chat' .txt (iOS and Android, common date locales)",
    extensions=(".txt",),
    priority=5,
)(WhatsAppParser())

"""Split an email body into what the sender wrote now, what they quoted, and their signature.

A reply usually carries the whole thread below it; kept as message text it
would repeat every earlier message (and its facts) once per reply. What is cut
is never thrown away: the caller keeps it in ``metadata["quoted"]`` and
``metadata["signature"]``.

Recognized, in this order:
- a forwarded message (``---------- Forwarded message ---------``, Apple's
  ``Begin forwarded message:``): it *is* the content, so it stays in the text
  and only what is written above it is cleaned;
- a reply header that starts the quoted tail: ``On <date>, <name> wrote:``
  (also split over two lines, and the French/German/Spanish/Portuguese/Italian/Dutch
  forms: ``Am 05.03.2026 um 14:30 schrieb X:``, ``Em 5 de mar. de 2026, às 14:30, X
  escreveu:``), Outlook's ``-----Original Message-----`` (``Ursprüngliche Nachricht``,
  ``Mensaje original``...) and its ``From: … / Sent: …`` block (``Von: / Gesendet:``,
  ``De : / Envoyé :``, ``De: / Enviado:``);
  when text is interleaved with the quote (inline replies), only the header
  and the ``>`` lines are cut;
- ``>`` quoted lines anywhere;
- a signature after the ``-- `` delimiter, or a trailing mobile signature
  (``Sent from my iPhone``, ``Get Outlook for Android``, ...).
A body that would be empty after cutting is kept whole: a message must not
lose everything its author sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

__all__ = ["Reply", "split_reply"]

_FORWARD = re.compile(
    r"^\s*(?:-{2,}\s*(?:Forwarded message|Weitergeleitete Nachricht|Message transféré|Mensaje reenviado"
    r"|Mensagem encaminhada|Messaggio inoltrato|Doorgestuurd bericht)"
    r"\s*-{2,}|Begin forwarded message:)\s*$",
    re.IGNORECASE,
)
_WROTE = re.compile(
    r"^\s*(?:On\s.{1,250}\swrote|Le\s.{1,250}\sa\sécrit|Am\s.{1,250}\sschrieb\s?.{0,120}"
    r"|El\s.{1,250}\sescribió|Op\s.{1,250}\sschreef\s?.{0,120}|Em\s.{1,250}\sescreveu"
    r"|Il\s.{1,250}\sha\sscritto)\s?:\s*$",
    re.IGNORECASE,
)
_WROTE_START = re.compile(r"^\s*(?:On|Le|Am|El|Op|Em|Il)\s", re.IGNORECASE)
_ORIGINAL = re.compile(
    r"^\s*-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original"
    r"|Mensagem original|Messaggio originale|Oorspronkelijk bericht)\s*-{2,}\s*$",
    re.I,
)
_OUTLOOK_FROM = re.compile(r"^\s*\*?(?:From|Von|De|Da|Van)\s?:\*?\s", re.IGNORECASE)
_OUTLOOK_NEXT = re.compile(
    r"^\s*\*?(?:Sent|Date|Gesendet|Datum|Envoyé|Enviado|Enviada|Fecha|Data|Inviato|Verzonden)\s?:\*?\s",
    re.IGNORECASE,
)
_RULE = re.compile(r"^\s*_{8,}\s*$")
_MOBILE = re.compile(
    r"^\s*(?:Sent from my \w[\w ]{0,30}|Sent from (?:Yahoo Mail|Mail for Windows|Outlook)\b.{0,40}"
    r"|Get Outlook for (?:iOS|Android)|Sent from Samsung\b.{0,40}|Sent via .{1,40}"
    r"|Envoyé de mon \w+|Von meinem \w+ gesendet|Enviado desde mi \w+|Enviado do meu \w+"
    r"|Inviato da(?:l mio)? \w+|Verzonden (?:vanaf|met) (?:mijn )?\w+)\s*$",
    re.IGNORECASE,
)
_OUTLOOK_WINDOW: Final = 5
_BLANKS = re.compile(r"\n(?:[ \t]*\n){2,}")


@dataclass(frozen=True)
class Reply:
    """A body split into parts (``quoted``/``signature`` are ``None`` when there are none)."""

    text: str
    quoted: str | None = None
    signature: str | None = None
    forwarded: bool = False


def _is_quote(line: str) -> bool:
    return line.lstrip().startswith(">")


def _reply_header(lines: list[str], index: int) -> tuple[int, int] | None:
    """``(first line, lines it spans)`` when a reply header starts at ``index``."""
    line = lines[index]
    if _ORIGINAL.match(line):
        return index, 1
    if _WROTE.match(line):
        return index, 1
    if index + 1 < len(lines) and _WROTE_START.match(line) and _WROTE.match(f"{line} {lines[index + 1]}"):
        return index, 2
    if _OUTLOOK_FROM.match(line) and any(
        _OUTLOOK_NEXT.match(later) for later in lines[index + 1 : index + 1 + _OUTLOOK_WINDOW]
    ):
        start = index - 1 if index and _RULE.match(lines[index - 1]) else index
        return start, index + 1 - start
    return None


def _join(lines: list[str]) -> str | None:
    text = "\n".join(lines).strip("\n")
    return text if text.strip() else None


def split_reply(body: str) -> Reply:
    """Split ``body`` (plain text) into new text, quoted text and signature."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    forwarded: list[str] = []
    for index, line in enumerate(lines):
        if _FORWARD.match(line):
            lines, forwarded = lines[:index], lines[index:]
            break

    kept: list[str] = []
    quoted: list[str] = []
    index = 0
    while index < len(lines):
        header = None if _is_quote(lines[index]) else _reply_header(lines, index)
        if header is not None:
            start, span = header
            if start < index:  # the Outlook rule line above the header was already kept
                kept.pop()
            after = lines[start + span :]
            inline = _WROTE_START.match(lines[start]) is not None and any(
                line.strip() and not _is_quote(line) for line in after
            )
            if not inline:
                quoted.extend(lines[start:])
                break
            quoted.extend(lines[start : start + span])
            index = start + span
            continue
        (quoted if _is_quote(lines[index]) else kept).append(lines[index])
        index += 1

    signature: list[str] = []
    for index in range(len(kept) - 1, -1, -1):
        if index > 0 and kept[index].rstrip(" \t") == "--":
            kept, signature = kept[:index], kept[index:]
            break
    if not signature:
        end = len(kept)
        while end and not kept[end - 1].strip():
            end -= 1
        if end and _MOBILE.match(kept[end - 1]):
            kept, signature = kept[: end - 1], kept[end - 1 :]

    text = _BLANKS.sub("\n\n", "\n".join(kept)).strip()
    if forwarded:
        text = f"{text}\n\n{chr(10).join(forwarded).strip()}" if text else "\n".join(forwarded).strip()
    if not text:
        return Reply(body.strip(), forwarded=bool(forwarded))
    return Reply(text, _join(quoted), _join(signature), bool(forwarded))

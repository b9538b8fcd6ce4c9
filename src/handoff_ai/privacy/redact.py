"""Redaction: personal data out before a conversation reaches any model, back in for the human.

    from handoff_ai.privacy.redact import Redactor
    redaction = Redactor().redact(conversation)
    record = backend.extract(redaction.conversation, taxonomy)   # the model sees <EMAIL_1>
    record = redaction.rehydrate(record)                         # the human sees the address
    record.provenance.warnings.append(f"redacted: {redaction.report()}")

Every value found becomes a placeholder ``<KIND_n>``, stable within one
conversation: the same address (case-insensitive), phone (same digits) or card
(same digits) gets the same placeholder each time, numbered in order of first
appearance. Re-hydration puts values back, except full card numbers (``[card
ending 1234]``) and secrets (``[withheld]``), which never leave the original
conversation. ``report()`` gives kinds and counts only, never values.

Recognizers, their checksums and their limits are listed in ``docs/privacy.md``;
the patterns live in ``handoff_ai.privacy.pii``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

from ..exceptions import UsageError
from ..models.conversation import Conversation
from ..models.record import HandoffRecord
from .pii import PATTERNS, Accept, Candidate

__all__ = [
    "KINDS",
    "WITHHELD_KINDS",
    "FunctionRecognizer",
    "PatternRecognizer",
    "PiiSpan",
    "Redaction",
    "Redactor",
    "redact",
]

KINDS: tuple[str, ...] = tuple(dict.fromkeys(c.kind for c in PATTERNS))
"""The packaged kinds, in priority order."""

WITHHELD_KINDS = frozenset({"CARD", "SECRET"})
"""Kinds never re-hydrated: cards come back as ``[card ending 1234]``, secrets as ``[withheld]``."""

_KIND_NAME = re.compile(r"[A-Z][A-Z0-9_]{0,31}")
_PLACEHOLDER = re.compile(r"[<\[]\s?([A-Z][A-Z0-9_]{0,31}_\d{1,6})\s?[>\]]")


@dataclass(frozen=True, slots=True)
class PiiSpan:
    """One value found in a text: its kind, offsets, the text, and the recognizer's name."""

    kind: str
    start: int
    end: int
    value: str
    recognizer: str


def _kind(kind: str) -> str:
    kind = kind.upper()
    if not _KIND_NAME.fullmatch(kind):
        raise UsageError(f"recognizer kind must match [A-Z][A-Z0-9_]*, got {kind!r}")
    return kind


class PatternRecognizer:
    """A user recognizer: a kind and a regex, with an optional check on each match.

    Args:
        kind: placeholder kind (``EMPLOYEE_ID`` gives ``<EMPLOYEE_ID_1>``).
        pattern: a regex; group ``value`` (or group 1) if present, else the whole match.
            Keep it linear: no nested quantifiers over overlapping classes.
        validate: ``validate(value) -> bool``; a falsy answer drops the match.
        name: the name reported in ``PiiSpan.recognizer`` (default ``user.<kind>``).
        flags: ``re`` flags when ``pattern`` is a string.
    """

    def __init__(
        self,
        kind: str,
        pattern: str | re.Pattern[str],
        *,
        validate: Callable[[str], bool] | None = None,
        name: str | None = None,
        flags: int = 0,
    ) -> None:
        self.kind = _kind(kind)
        self.name = name or f"user.{self.kind.lower()}"
        try:
            self.regex = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern, flags)
        except re.error as exc:
            raise UsageError(f"recognizer {self.name}: invalid pattern ({exc})") from exc
        self.validate = validate

    def find(self, text: str) -> Iterator[PiiSpan]:
        group: str | int = "value" if "value" in self.regex.groupindex else (1 if self.regex.groups else 0)
        for match in self.regex.finditer(text):
            start, end = match.span(group)
            if start < 0 or start == end:
                continue
            value = text[start:end]
            if self.validate is None or self.validate(value):
                yield PiiSpan(self.kind, start, end, value, self.name)


class FunctionRecognizer:
    """A user recognizer backed by a callable returning ``(start, end)`` offsets in the text."""

    def __init__(
        self, kind: str, func: Callable[[str], Iterable[tuple[int, int]]], *, name: str | None = None
    ) -> None:
        self.kind = _kind(kind)
        self.name = name or f"user.{self.kind.lower()}"
        self.func = func

    def find(self, text: str) -> Iterator[PiiSpan]:
        for start, end in self.func(text):
            if 0 <= start < end <= len(text):
                yield PiiSpan(self.kind, start, end, text[start:end], self.name)


class _Packaged:
    """A packaged ``Candidate`` behind the recognizer interface."""

    def __init__(self, candidate: Candidate) -> None:
        self.kind = candidate.kind
        self.name = candidate.name
        self.regex = candidate.regex
        self.accept: Accept | None = candidate.accept
        self._group = "value" if "value" in self.regex.groupindex else 0

    def find(self, text: str) -> Iterator[PiiSpan]:
        for match in self.regex.finditer(text):
            base, end = match.span(self._group)
            if self.accept is not None:
                kept = self.accept(text[base:end], match)
                if kept is None:
                    continue
                base, end = base + kept[0], base + kept[1]
            if end > base:
                yield PiiSpan(self.kind, base, end, text[base:end], self.name)


RecognizerLike = PatternRecognizer | FunctionRecognizer | tuple[str, "str | re.Pattern[str]"]


def _user(recognizer: RecognizerLike) -> PatternRecognizer | FunctionRecognizer:
    if isinstance(recognizer, tuple):
        kind, pattern = recognizer
        return PatternRecognizer(kind, pattern)
    if isinstance(recognizer, PatternRecognizer | FunctionRecognizer):
        return recognizer
    raise UsageError(f"not a recognizer: {type(recognizer).__name__}")


def _digits_only(value: str) -> str:
    return re.sub(r"\D", "", value)


def normalize(kind: str, value: str) -> str:
    """The key that makes two mentions "the same value" for placeholder numbering."""
    if kind in ("PHONE", "CARD", "US_SSN", "BR_CPF", "NL_BSN"):
        return re.sub(r"\D", "", value)
    if kind in ("IBAN", "UK_NINO", "ES_DNI", "ES_NIE", "IT_CF", "FR_NIR"):
        return re.sub(r"[\s.-]", "", value).upper()
    return " ".join(value.split()).casefold()


class Redactor:
    """Finds personal data and secrets in text and replaces them with placeholders.

    Args:
        kinds: packaged kinds to run (default all, see ``KINDS``); unknown names are an error.
        recognizers: user recognizers (``PatternRecognizer``, ``FunctionRecognizer`` or a
            ``(kind, regex)`` pair). They run before the packaged ones, so on overlap
            the user's span wins.
    """

    def __init__(
        self, *, kinds: Iterable[str] | None = None, recognizers: Sequence[RecognizerLike] = ()
    ) -> None:
        wanted = set(KINDS) if kinds is None else {k.upper() for k in kinds}
        unknown = wanted - set(KINDS)
        if unknown:
            raise UsageError(
                f"unknown redaction kinds: {', '.join(sorted(unknown))} (known: {', '.join(KINDS)})"
            )
        self.recognizers: tuple[PatternRecognizer | FunctionRecognizer | _Packaged, ...] = (
            *(_user(r) for r in recognizers),
            *(_Packaged(c) for c in PATTERNS if c.kind in wanted),
        )

    def find(self, text: str) -> list[PiiSpan]:
        """Non-overlapping spans in text order; an earlier recognizer wins an overlap."""
        taken: list[PiiSpan] = []
        starts: list[int] = []
        for recognizer in self.recognizers:
            for span in recognizer.find(text):
                at = bisect_right(starts, span.start)
                # Only the neighbours can overlap: linear even with many spans.
                if at and taken[at - 1].end > span.start:
                    continue
                if at < len(taken) and taken[at].start < span.end:
                    continue
                starts.insert(at, span.start)
                taken.insert(at, span)
        return taken

    def redact(self, conversation: Conversation) -> Redaction:
        """The conversation with every value replaced by its placeholder (same ids, same order)."""
        redaction = Redaction(conversation)
        messages = []
        for message in conversation.messages:
            text = redaction._replace(message.text, self.find(message.text))
            author = message.author and redaction._replace(message.author, self.find(message.author))
            messages.append(message.model_copy(update={"text": text, "author": author}))
        participants = [
            p.model_copy(update={"name": redaction._replace(p.name, self.find(p.name), count=False)})
            for p in conversation.participants
        ]
        redaction.conversation = conversation.model_copy(
            update={"messages": messages, "participants": participants}
        )
        return redaction

    def redact_text(self, text: str) -> tuple[str, Redaction]:
        """One text on its own (a ticket subject, a free-form note)."""
        redaction = Redaction(Conversation())
        return redaction._replace(text, self.find(text)), redaction


_R = TypeVar("_R", str, HandoffRecord)


@dataclass
class Redaction:
    """The result of ``Redactor.redact``: the redacted conversation and how to undo it.

    Attributes:
        conversation: the redacted conversation (send this to a model).
        values: placeholder -> the value as first written. Holds personal data: keep it
            in memory beside the original conversation, never log or persist it.
        kinds: placeholder -> kind.
        counts: kind -> number of mentions replaced (message texts and authors; the
            derived participant list is redacted too but not counted again).
    """

    conversation: Conversation
    values: dict[str, str] = field(default_factory=dict, repr=False)
    kinds: dict[str, str] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    _keys: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:  # never print values
        return f"Redaction(conversation={self.conversation.id!r}, report={self.report()!r})"

    def _placeholder(self, kind: str, value: str, *, count: bool = True) -> str:
        key = (kind, normalize(kind, value))
        placeholder = self._keys.get(key)
        if placeholder is None:
            number = sum(1 for k in self.kinds.values() if k == kind) + 1
            placeholder = f"<{kind}_{number}>"
            self._keys[key] = placeholder
            self.values[placeholder] = value
            self.kinds[placeholder] = kind
        if count:
            self.counts[kind] += 1
        return placeholder

    def _replace(self, text: str, spans: Sequence[PiiSpan], *, count: bool = True) -> str:
        parts: list[str] = []
        position = 0
        for span in spans:
            parts.append(text[position : span.start])
            parts.append(self._placeholder(span.kind, span.value, count=count))
            position = span.end
        parts.append(text[position:])
        return "".join(parts)

    def report(self) -> dict[str, int]:
        """Kinds and mention counts, never values (``{"CARD": 1, "EMAIL": 2}``); JSON-ready."""
        return {kind: self.counts[kind] for kind in sorted(self.counts)}

    def shown(self, placeholder: str) -> str | None:
        """What a human sees for ``placeholder``: the value, ``[card ending 1234]`` or ``[withheld]``."""
        value = self.values.get(placeholder)
        if value is None:
            return None
        kind = self.kinds[placeholder]
        if kind == "CARD":
            return f"[card ending {_digits_only(value)[-4:]}]"
        if kind == "SECRET":
            return "[withheld]"
        return value

    @overload
    def rehydrate(self, target: str) -> str: ...
    @overload
    def rehydrate(self, target: HandoffRecord) -> HandoffRecord: ...
    def rehydrate(self, target: _R) -> _R:
        """Put values back into text or into every string of a record (a new record).

        Placeholders this redaction did not make are left as they are. A fact whose
        whole value is a card or secret placeholder becomes ``value=None, withheld=True``.
        """
        if isinstance(target, str):
            return self._text(target)
        data = target.model_dump(mode="python")
        for fact in data.get("facts", []):
            found = _PLACEHOLDER.fullmatch((fact.get("value") or "").strip())
            if found and self.kinds.get(f"<{found.group(1)}>") in WITHHELD_KINDS:
                fact["value"], fact["withheld"] = None, True
        return HandoffRecord.model_validate(self._walk(data))

    def _text(self, text: str) -> str:
        if "<" not in text and "[" not in text:
            return text

        def put(match: re.Match[str]) -> str:
            return self.shown(f"<{match.group(1)}>") or match.group()

        return _PLACEHOLDER.sub(put, text)

    def _walk(self, node: Any) -> Any:
        if isinstance(node, str):
            return self._text(node)
        if isinstance(node, dict):
            return {key: self._walk(value) for key, value in node.items()}
        if isinstance(node, list | tuple):
            return type(node)(self._walk(value) for value in node)
        return node


def redact(conversation: Conversation, *, redactor: Redactor | None = None) -> Redaction:
    """``Redactor().redact(conversation)`` with the packaged recognizers (or ``redactor``)."""
    return (redactor or Redactor()).redact(conversation)

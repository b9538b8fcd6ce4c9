"""Facts the customer already gave: the "do not ask again" list.

Two sources:

* typed recognizers over each customer message (emails, ids, dates, ...);
* question context: when the bot or agent asks for something ("Could I get your
  zip code?"), the customer's reply until the next bot/agent turn is read as the
  answer, so a bare "14224" becomes a postal code and "David Williams" a name.

Every value is an exact substring of the message it cites. Secrets (PINs,
passwords, security answers, one-time codes, full card numbers) become facts
with ``value=None, withheld=True`` and their values are remembered so no other
part of the record can repeat them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from ..models import Conversation, Fact, Message
from .agent_facts import AgentFacts
from .fact_answers import _SECRET_LOOKALIKES, GENERIC_KINDS, _answer
from .fact_asks import _ASK_KEYS, ASK_PHRASES, SECRET_KINDS, asked_kinds
from .fact_language import fact_words, secret_labels
from .fact_secrets import _names_secret, _proper_nouns, _protect_secrets
from .phrases import CueReader, tokens
from .recognizer_set import RecognizerSet
from .recognizers import Recognizer, Span
from .stated_facts import StatedFacts

__all__ = [
    "ASK_PHRASES",
    "GENERIC_KINDS",
    "SECRET_KINDS",
    "FactResult",
    "asked_kinds",
    "extract_facts",
    "normalize",
]


def normalize(value: str) -> str:
    """Case- and space-insensitive form used to compare values."""
    return " ".join(value.casefold().split()).strip(".,;:!?\"'()[]{}")


@dataclass
class FactResult:
    """Facts plus what later stages need: secret values and per-message spans."""

    facts: list[Fact]
    secrets: set[str] = field(default_factory=set)
    secret_messages: set[str] = field(default_factory=set)


_ENGLISH = (None, "en")
_NO_LANGUAGES: frozenset[str] = frozenset()


def _codes(language: str | None, own: str | None) -> tuple[str, ...]:
    """The conversation's and a message's language, English left out (it is always read)."""
    return tuple(dict.fromkeys(c for c in (language, own) if c and c != "en"))


def _active_languages(language: str | None, own: str | None) -> frozenset[str]:
    """Codes whose recognizers run on a message: its language and the conversation's, and
    "*" (formats any language but English writes: "1.234,50 €") — none for English."""
    codes = {c for c in (language, own) if c and c != "en"}
    if not codes:
        return frozenset()
    # A message of its own language in an English conversation still reads English ("en").
    return frozenset({*codes, "*", "en"}) if language in (None, "en") else frozenset({*codes, "*"})


def extract_facts(
    conversation: Conversation,
    recognizers: Iterable[Recognizer],
    cues: CueReader | None = None,
    *,
    language: str | None = None,
    message_languages: Mapping[str, str] | None = None,
) -> FactResult:
    """All facts the customer gave, deduplicated, each citing its messages.

    ``cues``: the conversation's cue reader, to share its tokenizing of bot/agent turns.
    ``language`` and ``message_languages`` (``languages.detect_languages``): the conversation's
    and each message's language, whose question words, labels, dates and formats are read
    (English's always are; secrets' labels of every language too).
    """
    own = message_languages or {}
    secret_words = secret_labels().single
    english = language in _ENGLISH  # the common case: no other language's words to read
    pending: list[str] = []  # kinds asked by the last bot/agent question, still unanswered
    outstanding_secret: str | None = None  # a secret asked for earlier and not given yet
    prompt: tuple[str | None, Sequence[str], str | None] = (None, (), None)  # the last bot/agent turn
    prompt_mentions_secret: bool | None = False  # it talked about a PIN/password/code (None: not read yet)
    answered_in_turn = 0
    ordered: list[tuple[Span, str]] = []  # (span, message id)
    result = FactResult(facts=[])
    if not isinstance(recognizers, RecognizerSet):
        recognizers = RecognizerSet(recognizers)
    tokenize = tokens if cues is None else cues.words

    stated: list[Fact] = []  # what a bot/agent stated, in a conversation in another language
    for message in conversation.messages:
        # Each field read once: a pydantic attribute costs three times a local's.
        role, kind, text = message.role, message.kind, message.text
        if role in ("bot", "agent"):
            if language not in (None, "en") and kind in ("message", "note"):
                active = _active_languages(language, own.get(message.id))
                stated += _stated(message, recognizers, tokenize, active)
            if kind == "message":
                code = own.get(message.id, language) if own else language
                words = tokenize(text)
                if english and code in _ENGLISH:  # most turns name no cue word: no call
                    asked = [] if _ASK_KEYS.isdisjoint(words) else asked_kinds(text, words, ())
                else:
                    asked = asked_kinds(text, words, _codes(language, code))
                prompt = (text, words, code)  # whether it names a secret: read when needed
                prompt_mentions_secret = None
                # Consecutive bot/agent turns add up ("Name and order id?" / "Also your zip?").
                if answered_in_turn:
                    pending = asked
                elif asked:
                    pending = [*pending, *(k for k in asked if k not in pending)]
                answered_in_turn = 0
                if asked:  # only a question asking for nothing but a secret leaves one outstanding
                    secret_only = all(k in SECRET_KINDS for k in asked)
                    outstanding_secret = asked[0] if secret_only else None
            continue
        if role != "customer" or kind == "note":
            continue
        message_id = message.id
        code = own.get(message_id, language) if own else language
        active = _NO_LANGUAGES if english and code in _ENGLISH else _active_languages(language, code)
        words = tokenize(text)
        spans = recognizers.find(text, words, active)
        if pending:
            security_asked = "security_answer" in pending
            local = (fact_words().get(code or "") or fact_words().get(language or "")) if active else None
            added, pending = _answer(message, pending, spans, single=answered_in_turn == 0, local=local)
            spans.extend(added)
            if security_asked and not any(s.withheld for s in spans):
                # "I think I used Skippy or maybe Buddy": the names in the reply are the answer.
                spans = [s for s in spans if s.kind not in _SECRET_LOOKALIKES]
                spans.extend(_proper_nouns(text))
            answered_in_turn += 1
            if any(s.withheld and s.rule.startswith("answer.") for s in added) and len(text.split()) <= 6:
                # A short reply to a secret question: keep only what is clearly typed.
                spans = [s for s in spans if s.withheld or s.kind not in GENERIC_KINDS]

        if not spans and outstanding_secret is None:
            continue  # nothing to withhold, nothing to record

        def mentions(
            words: Sequence[str] = words,
            active: frozenset[str] = active,
            prompt: tuple[str | None, Sequence[str], str | None] = prompt,
        ) -> bool:
            nonlocal prompt_mentions_secret
            if prompt_mentions_secret is None:
                said, said_words, said_code = prompt
                prompt_mentions_secret = said is not None and (
                    _names_secret(said, said_words)
                    or (said_code not in (None, "en") and not secret_words.isdisjoint(said_words))
                )
            return prompt_mentions_secret or (bool(active) and not secret_words.isdisjoint(words))

        _protect_secrets(text, words, spans, outstanding_secret, mentions)
        if any(s.withheld for s in spans):
            outstanding_secret = None
        ordered += [(span, message_id) for span in spans]

    agent = _AGENT_READERS.get(recognizers)
    if agent is None:
        agent = _AGENT_READERS[recognizers] = AgentFacts(recognizers)
        _STATED_READERS[recognizers] = StatedFacts(recognizers)
    agent_facts, echoes = agent.read(conversation, tokenize)
    if english:  # other languages: ``_stated`` above
        support_secrets: list[str] = []
        stated = _STATED_READERS[recognizers].read(conversation, tokenize, support_secrets)
        result.secrets.update(n for n in map(normalize, support_secrets) if n)
    return _assemble([*ordered, *echoes], result, [*agent_facts, *stated])


_STATED_KINDS = frozenset(
    """date amount phone email card_last4 tracking_number ticket_id claim_id rma_number booking_reference
    reference order_id invoice_id account_id id app_version error_code exception postal_code""".split()
)
"""Kinds a bot/agent turn states for the next human (a date, an amount, a reference, a number to call)."""


def _stated(
    message: Message, recognizers: RecognizerSet, tokenize: Callable[[str], list[str]], active: frozenset[str]
) -> list[Fact]:
    """Values a bot or agent turn states ("Ihr Paket wurde am 11. April zugestellt", "Su número de
    incidencia es INC-60731"), read in conversations in a language other than English; rule
    ``agent.stated``. English turns keep the narrower ``agent_facts`` reading."""
    text = message.text
    if not any(c.isdigit() for c in text) and "@" not in text and "_" not in text and "xception" not in text:
        return []  # EXC_BAD_ACCESS, NullPointerException: no digit
    return [
        Fact(kind=span.kind, value=span.value, evidence=[message.id], rule="agent.stated")
        for span in recognizers.find(text, tokenize(text), active)
        if span.kind in _STATED_KINDS and not span.withheld and span.value
    ]


_AGENT_READERS: WeakKeyDictionary[RecognizerSet, AgentFacts] = WeakKeyDictionary()
_STATED_READERS: WeakKeyDictionary[RecognizerSet, StatedFacts] = WeakKeyDictionary()


def _assemble(
    ordered: list[tuple[Span, str]], result: FactResult, agent_facts: Sequence[Fact] = ()
) -> FactResult:
    by_value: dict[str, int] = {}
    withheld_seen: dict[tuple[str, str], int] = {}
    secret_seen: dict[str, int] = {}  # one withheld fact per secret, however often it is typed
    facts: list[Fact] = []
    for span, message_id in ordered:
        if span.withheld:
            kind = span.kind
            secret = normalize(span.value) if span.value else ""
            if secret:
                result.secrets.add(secret)
                digits = re.sub(r"\D", "", span.value or "")
                if kind == "card_number" and len(digits) >= 13:
                    result.secrets.add(digits)
            result.secret_messages.add(message_id)
            index = secret_seen.get(secret) if secret else None
            if index is None:
                index = withheld_seen.get((kind, message_id))
            if index is None:
                index = withheld_seen[(kind, message_id)] = len(facts)
                facts.append(
                    Fact(kind=kind, value=None, evidence=[message_id], withheld=True, rule=span.rule)
                )
            elif message_id not in facts[index].evidence and len(facts[index].evidence) < 5:
                facts[index].evidence.append(message_id)
            if secret:
                secret_seen.setdefault(secret, index)
            if kind == "card_number" and span.value:
                last4 = re.sub(r"\D", "", span.value)[-4:]
                if last4 and last4 in span.value:
                    # Recorded like any other value, so a card typed twice gives one last-4 fact.
                    span = Span("card_last4", span.start, span.end, last4, "card.last4")
                else:
                    continue
            else:
                continue
        value = span.value or ""
        norm = normalize(value)
        if not norm:
            continue
        if norm in by_value:
            fact = facts[by_value[norm]]
            if message_id not in fact.evidence and len(fact.evidence) < 5:
                fact.evidence.append(message_id)
            if fact.kind in GENERIC_KINDS and span.kind not in GENERIC_KINDS:
                fact.kind, fact.rule = span.kind, span.rule
            continue
        by_value[norm] = len(facts)
        facts.append(Fact(kind=span.kind, value=value, evidence=[message_id], rule=span.rule))
    for fact in agent_facts:  # after the customer's own: a value the customer gave keeps its fact
        norm = normalize(fact.value or "")
        if not norm:
            continue
        if norm not in by_value:
            by_value[norm] = len(facts)
            facts.append(fact)
        elif facts[by_value[norm]].kind in GENERIC_KINDS and fact.kind not in GENERIC_KINDS:
            # "still DRM-110" (an id) / the agent's "Playback error DRM-110": the agent names its kind.
            facts[by_value[norm]].kind = fact.kind
    if result.secrets:
        facts = [f for f in facts if f.value is None or not _contains_secret(f.value, result.secrets)]
    result.facts = facts
    return result


def _contains_secret(value: str, secrets: set[str]) -> bool:
    norm = normalize(value)
    # The substring test first: compiling a pattern per secret thrashes the re cache.
    return any(s in norm and re.search(rf"(?<!\w){re.escape(s)}(?!\w)", norm) for s in secrets if s)

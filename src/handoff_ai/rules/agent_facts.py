"""Facts a bot or agent turn establishes, which the next human must not re-ask.

Customer facts (``facts.py``) cover what the customer typed. More is settled in
the conversation without the customer typing the value:

* a slot the agent proposed and the customer accepted ("Dr. Alexis has an
  opening Friday at 8 am. Shall I book it?" / "yes") — rule ``agent.accepted``,
  citing the proposal and the acceptance;
* a slot the agent booked or confirmed ("your meeting ... scheduled for Monday,
  9 am-11 am") — ``agent.confirmed``;
* the day the agent resolved a relative one to ("tomorrow" -> "It will be sunny
  on Saturday") — ``agent.resolved``; the day the agent answered a question
  that named none — ``agent.answered``;
* a reference the agent created and the customer will quote later (claim
  ``DC-5531``, a case, ticket or RMA number) — ``agent.reference``.

These facts cite the agent's message first; their rule starts with ``agent.``,
which is how a reader tells them from customer-given facts (the record has no
source field). A value the customer typed keeps the customer's fact. Separately,
a slot the agent echoes from the customer's previous turns ("detroit" -> "in
Detroit") is recorded as the customer's own words, citing the customer's
message (``echo.<kind>``).

Cheap by construction: an agent turn with no digit, no capital after a place
preposition and no day, place or reference word is skipped after one character
scan and one set test; the slot recognizers run only when a rule or an echo applies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from ..models import Conversation, Fact, Message
from .phrases import PhraseIndex, tokens
from .recognizer_set import RecognizerSet
from .recognizers import STOPWORDS, Recognizer, Span

__all__ = ["REFERENCE_KINDS", "SLOT_KINDS", "AgentFacts"]

SLOT_KINDS = frozenset({"day", "date", "time", "place", "address", "room_number"})
"""Kinds an agent turn can settle for the customer (when accepted, booked or resolved)."""
REFERENCE_KINDS = frozenset({"claim_id", "ticket_id", "rma_number", "booking_reference", "reference"})
"""Kinds of a reference the agent creates and gives the customer."""
_ECHO_KINDS = frozenset({"day", "date", "time", "place"})
_RULE_KINDS = {"agent.resolved": frozenset({"day", "date"}), "agent.answered": frozenset({"day"})}
_SLOT_RECOGNIZERS = frozenset({"place.named", "place.noun", "date", "time", "day", "address.street", "room"})

_FILLERS = frozenset("hmm hm oh ah ahh well um uh wow so then".split())
# "Strong" phrases agree to what the agent proposed wherever they open the reply; a bare
# "yes" / "ok" / "great" only after a question or an offer ("ok thanks" after a statement
# acknowledges, it does not accept).
_ACCEPT_PHRASES = {
    "strong": (
        "sounds good", "sounds great", "sounds perfect", "sounds right", "that works", "that would work",
        "that will work", "that'll work", "that should work", "that's fine", "that is fine", "that's great",
        "that is great", "that would be great", "that will be great", "that'll be great", "that's good",
        "that's perfect", "that's right", "that's correct", "works for me", "book it", "book that",
        "please book", "please do", "go ahead", "do it", "let's do it", "lets do it", "i'll take it",
        "i'll take that", "that would be fine", "that would be wonderful", "that would be perfect",
        "sounds fine", "sounds alright", "yes please", "please do that",
    ),
    "weak": (
        "yes", "yeah", "yep", "yup", "yea", "ya", "sure", "ok", "okay", "alright", "perfect", "great", "fine",
        "good", "excellent", "awesome", "wonderful", "correct", "right", "absolutely", "definitely",
        "of course", "please",
    ),
}  # fmt: skip
_ACCEPT = PhraseIndex(_ACCEPT_PHRASES)
_REJECT_WORDS = (
    "no nope not don't dont can't cannot instead different another other earlier later wrong rather but "
    "actually wait"
)
_REJECT_IN = re.compile(r"\b(?:" + "|".join(map(re.escape, _REJECT_WORDS.split())) + r")\b", re.IGNORECASE)
_ACCEPT_FIRST = frozenset(tokens(p)[0] for phrases in _ACCEPT_PHRASES.values() for p in phrases)
_OFFERS = ("would you like", "shall i", "should i", "do you want", "want me to", "how about", "what about")
# A question opening with one of these can be answered "yes"; "How can I help?" cannot.
_YES_NO = frozenset("would shall should can could do does did is are was will may that's it's".split())
_BOOKED = frozenset(
    "booked scheduled confirmed reserved successfully rescheduled arranged booking reservation".split()
)
_DAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
_RELATIVE_DAY = frozenset("today tomorrow tonight weekend yesterday tmrw tmr".split())
_REFERENCE_LABELS = frozenset(
    "claim case ticket rma reference ref confirmation booking reservation return incident".split()
)
_SLOT_WORDS = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday noon midnight room airport hospital
    university station downtown mall hotel office library museum stadium beach campus""".split()
)
_GATE_WORDS = _SLOT_WORDS | _REFERENCE_LABELS
_DIGIT = re.compile(r"\d")
# A digit, or a capital (or quote) after a place preposition ("to Forbes and Murray", "in
# Detroit"): what the slot recognizers need. Anchored on the rarer capital, the prepositions
# checked behind it, so most text is skipped by a character test.
_PREPOSITIONS = ("[Ff]rom", "[Tt]o", "[Ii]n", "[Aa]t", "[Nn]ear", "[Tt]he", "[Tt]owards", "[Aa]round")
_AFTER_PREPOSITION = "|".join(rf"(?<={word}\s.)" for word in _PREPOSITIONS)
_CANDIDATE = re.compile(rf"[\"'A-Z\d](?:(?<=\d)|{_AFTER_PREPOSITION})")
_LAST_LETTERS = "".join(sorted({word[-1] for word in _PREPOSITIONS}))
_CANDIDATE_ASCII = re.compile(rf"[\"'A-Z0-9](?:(?<=[0-9])|(?<=[{_LAST_LETTERS}]\s.)(?:{_AFTER_PREPOSITION}))")
"""``_CANDIDATE`` for ASCII text (where ``\\d`` is ``[0-9]``), 40 % faster: a class of ASCII
characters alone is one table look-up per character, a Unicode category is not; and a capital
(or quote) not two characters after a preposition's last letter ("I'm", a sentence's first
word) fails one look-behind instead of eight."""
_SENTENCE_END = re.compile(r"[.!?\n]")
_MAX_ACCEPT_WORDS = 4
"""Only the first words of a reply are read for acceptance ("Yes please. Also ...")."""


def _offers(text: str) -> bool:
    """Whether an agent turn proposes something: a yes/no question or an offer phrase."""
    lower = text.lower()
    if any(o in lower for o in _OFFERS):
        return True
    end = lower.rfind("?")
    if end < 0:
        return False
    start = max(lower.rfind(c, 0, end) for c in ".!?\n") + 1
    question = tokens(lower[start:end])
    return bool(question) and question[0] in _YES_NO


def _accepts(reply: str, words: Sequence[str], offer: str) -> bool:
    """Whether a customer ``reply`` (``words``: its tokens) accepts the agent's turn ``offer``
    and its first sentence does not turn it down ("Yes please. I hope it's not serious" accepts)."""
    start = 0
    while start < min(len(words), 2) and words[start] in _FILLERS:
        start += 1
    if start >= len(words) or words[start] not in _ACCEPT_FIRST:
        return False
    found = _ACCEPT.scan(words[start : start + _MAX_ACCEPT_WORDS])
    if found.get("strong") != 0 and (found.get("weak") != 0 or not _offers(offer)):
        return False
    first = _SENTENCE_END.split(reply.strip(), maxsplit=1)[0]
    return _REJECT_IN.search(first) is None


def _next_turn(messages: Sequence[Message], index: int) -> Message | None:
    """The customer message right after ``messages[index]`` (events and system lines skipped)."""
    for position in range(index + 1, len(messages)):  # no slice: a 10k-message thread stays linear
        message = messages[position]
        if message.kind == "message" and message.role != "system":
            return message if message.role == "customer" else None
    return None


class AgentFacts:
    """Reads bot/agent turns for settled slots and created references.

    Args:
        recognizers: the backend's recognizers; the packaged slot and name
            recognizers among them (by name) are the ones used here.
    """

    def __init__(self, recognizers: RecognizerSet) -> None:
        chosen: list[Recognizer] = [r for r in recognizers if r.name in _SLOT_RECOGNIZERS]
        self._slots = RecognizerSet(chosen)
        self._refs = RecognizerSet([r for r in recognizers if r.name == "id.labelled"])

    def read(
        self, conversation: Conversation, words: Callable[[str], list[str]]
    ) -> tuple[list[Fact], list[tuple[Span, str]]]:
        """Agent-sourced facts, and echoed customer spans as ``(span, customer message id)``."""
        messages = conversation.messages
        facts: list[Fact] = []
        echoes: list[tuple[Span, str]] = []
        before: list[Message] = []  # customer turns since the previous bot/agent turn
        for index, message in enumerate(messages):
            role = message.role  # read once: a pydantic attribute costs three times a local's
            if role == "system" or message.kind != "message":
                continue
            if role == "customer":
                before.append(message)
                continue
            text = message.text
            tokens = words(text)
            # Most agent turns name no day, time, number, place or reference: nothing to read.
            candidate = (_CANDIDATE_ASCII if text.isascii() else _CANDIDATE).search(text) is not None
            if not candidate and _GATE_WORDS.isdisjoint(tokens):
                before = []
                continue
            if candidate or not _SLOT_WORDS.isdisjoint(tokens):
                has_digit = _DIGIT.search(text) is not None
                reply = _next_turn(messages, index)
                facts.extend(self._settled(message, reply, before, tokens, has_digit, words, echoes))
            if not _REFERENCE_LABELS.isdisjoint(tokens):
                facts.extend(
                    Fact(kind=s.kind, value=s.value, evidence=[message.id], rule="agent.reference")
                    for s in self._refs.find(text, tokens)
                    if s.kind in REFERENCE_KINDS
                )
            before = []
        return facts, echoes

    def _settled(
        self,
        message: Message,
        reply: Message | None,
        before: Sequence[Message],
        tokens: Sequence[str],
        has_digit: bool,
        words: Callable[[str], list[str]],
        echoes: list[tuple[Span, str]],
    ) -> list[Fact]:
        """Slots one agent turn settles (accepted, booked, resolved, answered); echoes go to ``echoes``."""
        text = message.text
        said: set[str] = set().union(*(words(m.text) for m in before))
        has_day = not _DAYS.isdisjoint(tokens)
        rule = None
        if reply is not None and _accepts(reply.text, words(reply.text), text):
            rule = "agent.accepted"
        elif not _BOOKED.isdisjoint(tokens):
            rule = "agent.confirmed"
        elif (has_day or has_digit) and any(not _RELATIVE_DAY.isdisjoint(words(m.text)) for m in before):
            rule = "agent.resolved"
        elif has_day and _DAYS.isdisjoint(said) and any("?" in m.text for m in before):
            rule = "agent.answered"  # the day the agent answered a question for
        echo = bool(before) and self._may_echo(text, tokens, said)
        if rule is None and not echo:
            return []
        spans = self._slots.find(text, tokens)
        if echo:
            echoes.extend(self._echoed(spans, before))
        if rule is None:
            return []
        kinds = _RULE_KINDS.get(rule, SLOT_KINDS)
        evidence = [message.id] + ([reply.id] if rule == "agent.accepted" and reply else [])
        return [
            Fact(kind=s.kind, value=s.value, evidence=list(evidence), rule=rule)
            for s in spans
            if s.kind in kinds
        ]

    @staticmethod
    def _may_echo(text: str, tokens: Sequence[str], said: set[str]) -> bool:
        """Cheap gate: a word of the agent's turn, capitalised there or a number or a day,
        also occurs in the customer's turns before it."""
        return any(
            len(w) > 2 and (w[0].isdigit() or w.endswith("day") or w.capitalize() in text)
            for w in said.intersection(tokens).difference(STOPWORDS)
        )

    @staticmethod
    def _echoed(spans: Sequence[Span], before: Sequence[Message]) -> list[tuple[Span, str]]:
        """Slots the agent repeats from the customer's last turns, as the customer wrote them."""
        found: list[tuple[Span, str]] = []
        for span in spans:
            if span.kind not in _ECHO_KINDS or not span.value or len(span.value) < 3:
                continue
            needle = re.compile(rf"(?<!\w){re.escape(span.value)}(?!\w)", re.IGNORECASE)
            for message in before:
                hit = needle.search(message.text)
                if hit is not None:
                    found.append(
                        (
                            Span(span.kind, hit.start(), hit.end(), hit.group(), f"echo.{span.kind}"),
                            message.id,
                        )
                    )
                    break
        return found

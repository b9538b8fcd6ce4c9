"""The triggers, read one message at a time: what each message adds to the evidence.

``TurnState.add(message)`` is the only per-message work the decision does, so a
decision on every new message costs one message's worth of reading (see
``live.py``). Each trigger keeps the ids of the messages behind it, so every
reason cites messages:

* **human_request** — the customer asks for a person: this package's phrases and the
  engine's request cues (``handoff_request``, ``escalation_request``), unless the
  words are a role ("sales representative"), a refusal ("don't transfer me"), the
  past ("the agent yesterday") or a question about the bot ("are you a bot?").
* **bot_loop** — rounds where the bot replied with a fallback ("I didn't
  understand"), repeated an earlier reply or menu word for word, or the customer sent
  the same request again or rephrased it; at most one per customer turn.
* **failed_actions** — failed tool calls, system events and bot/agent statements of
  failure (the engine's ``extract_actions`` on the message); a statement that reports a
  failure the same turn already logged is not counted twice.
* **frustration** — per customer message: negative words or "third time" (1 each),
  repeating themselves ("as I said", 1), shouting in capitals (1), ``!!!``/``???`` (1),
  a threat to leave (2); capped at 3 per message, summed, reset when the customer says
  it is solved.
* **policy** — a legal threat or an account takeover (phrase lists).
* **out_of_scope** — the bot says it cannot help with this.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import cast

from ..models import Conversation, Message
from ..models.record import Intent
from ..rules._text import STOPWORDS
from ..rules.actions import extract_actions
from ..rules.catalog import default_recognizers
from ..rules.facts import GENERIC_KINDS, extract_facts
from ..rules.intent import classify
from ..rules.languages import language_votes, leading_language
from ..rules.phrases import CueReader, tokens
from ..rules.recognizer_set import RecognizerSet
from ..rules.recognizers import user_recognizers
from ..rules.ruleset import RuleSet, load_rules
from ..taxonomy import Taxonomy
from .phrases import Match, WordIndex, phrase_data

__all__ = ["INTENT_CUSTOMER_TURNS", "GivenFact", "TurnState"]

INTENT_CUSTOMER_TURNS = 3
"""The intent is classified on the conversation up to the customer's third message (or
later while it is still unknown): people say what they want first, and re-classifying
every turn would cost more than the rest of the decision."""
_INTENT_RETRY_TURNS = 6
_REPHRASE_OVERLAP = 0.5
_MIN_CONTENT_WORDS = 3
_MIN_REPEAT_CHARS = 12
_EVIDENCE_CAP = 5
_CAPS_WORD = re.compile(r"\b[A-Z]{3,}\b")
_PUNCT_RUN = re.compile(r"[!?]{3,}")
_HAS_DIGIT = re.compile(r"\d")
_NUMBER = re.compile(r"\S*\d\S*")
_FRUSTRATION_CAP = 3
_FRUSTRATION_WEIGHTS = {"negative": 1, "frustration": 1, "as_i_said": 1, "threat": 2}
_BOT_ROLES = ("bot", "agent")


@dataclass(frozen=True)
class _Part:
    """The slice of a conversation an engine function reads (``id`` and ``messages``):
    a plain object, because building a ``Conversation`` per message would cost more
    than the reading itself."""

    id: str
    messages: list[Message]


def _part(conversation_id: str, messages: list[Message]) -> Conversation:
    return cast(Conversation, _Part(conversation_id, messages))


@dataclass
class GivenFact:
    """A fact the customer gave (value ``None`` when it is a withheld secret)."""

    kind: str
    value: str | None
    evidence: list[str]


@dataclass
class TurnState:
    """Everything the decision reads, accumulated message by message.

    Only ids, counts and the facts' values are kept: no message text.
    """

    taxonomy: Taxonomy
    rules: RuleSet
    recognizers: RecognizerSet
    conversation_id: str = ""
    message_count: int = 0
    human_request: list[str] = field(default_factory=list)
    loop: list[tuple[str, str]] = field(default_factory=list)  # (kind, message id)
    failed: list[str] = field(default_factory=list)
    frustration: list[tuple[str, int]] = field(default_factory=list)  # (message id, score)
    out_of_scope: list[str] = field(default_factory=list)
    policy: dict[str, list[str]] = field(default_factory=dict)
    facts: dict[tuple[str, str | None], GivenFact] = field(default_factory=dict)
    intent: Intent = field(default_factory=Intent)
    intent_hint: tuple[str, str] | None = None  # (intent, message id) from the de/es hints
    # intent -> the customer messages that contain one of its taxonomy keywords
    keyword_ids: dict[str, list[str]] = field(default_factory=dict)
    language_votes: dict[str, int] = field(default_factory=dict)
    # private bookkeeping
    _messages: list[Message] = field(default_factory=list, repr=False)
    _customer_turns: int = 0
    _turn_looped: bool = False
    _turn_failed_event: bool = False
    _last_customer: frozenset[str] = frozenset()
    _customer_texts: set[str] = field(default_factory=set)
    _last_bot: str = ""
    _failures: set[str] = field(default_factory=set)
    _customer_since_bot: bool = False
    _news_since_bot: bool = False
    _last_numbers: frozenset[str] = frozenset()
    _replied: bool = False  # the bot or an agent answered since the customer's last message
    _answered: set[str] = field(default_factory=set)  # content words of those answers
    _vocabulary: set[str] = field(default_factory=set)  # the customer's content words so far
    _since_customer: list[Message] = field(default_factory=list, repr=False)
    _calls: dict[str, Message] = field(default_factory=dict, repr=False)
    _cues: CueReader = field(default=None, repr=False)  # type: ignore[assignment]  # shared tokenizing
    _keywords: WordIndex = field(default=None, repr=False)  # type: ignore[assignment]
    _keyword_intents: dict[str, list[str]] = field(default_factory=dict, repr=False)

    @classmethod
    def start(cls, taxonomy: Taxonomy, conversation_id: str = "") -> TurnState:
        recognizers = taxonomy.cached(
            "escalation:recognizers",
            lambda t: RecognizerSet([*user_recognizers(t.recognizers), *default_recognizers()]),
        )
        keywords, owners = taxonomy.cached("escalation:keywords", _keyword_index)
        rules = load_rules()
        return cls(
            taxonomy=taxonomy, rules=rules, recognizers=recognizers, conversation_id=conversation_id,
            _cues=CueReader(rules.phrases), _keywords=keywords, _keyword_intents=owners,
        )  # fmt: skip

    # -- reading one message ---------------------------------------------------------

    def add(self, message: Message) -> None:
        self.message_count += 1
        self._messages.append(message)
        if message.kind == "note":
            return
        if message.kind == "event" or message.role == "system":
            self._event(message)
        elif message.role == "customer":
            self._customer(message)
        elif message.role in _BOT_ROLES:
            self._bot(message)

    def _event(self, message: Message) -> None:
        call_id = message.metadata.get("tool_call_id")
        if isinstance(call_id, str) and message.role != "system":
            self._calls[call_id] = message  # a call: its result says how it went
            return
        window = [message]
        if isinstance(call_id, str) and call_id in self._calls:
            window.insert(0, self._calls.pop(call_id))
        if self._outcome(window) == "failed":
            self.failed.append(message.id)
            self._turn_failed_event = True

    def _outcome(self, window: list[Message]) -> str | None:
        part = _part(self.conversation_id, window)
        actions = extract_actions(part, self.rules, self._cues)
        return actions[-1].outcome if actions else None

    def _bot(self, message: Message) -> None:
        self._since_customer.append(message)
        if message.kind != "message" or not message.text:
            return
        text = message.text
        words = self._cues.words(text)
        labels = {m.label for m in phrase_data().index.matches(words)}
        normal = " ".join(words)
        if "out_of_scope" in labels:
            self.out_of_scope.append(message.id)
        if (
            len(normal) >= _MIN_REPEAT_CHARS
            and normal == self._last_bot
            and self._customer_since_bot
            and not self._news_since_bot
        ):
            # The bot's previous reply again, word for word, after the customer answered
            # without saying anything new (the same menu after "4", the same answer to the
            # same question): a round of its own. A repeat after new details ("how about no
            # balcony?" -> "no apartments match") is an answer, not a loop.
            self.loop.append(("repeated_reply", message.id))
            self._turn_looped = True
        elif "fallback" in labels and "out_of_scope" not in labels:
            self._loop("fallback", message.id)
        self._last_bot = normal
        self._replied = True
        self._answered.update(_content(words))
        self._customer_since_bot = False
        self._news_since_bot = False
        # A failure the turn's tool call already logged, or the same failure said again, is not new.
        new = not self._turn_failed_event and normal not in self._failures
        if new and self._outcome([message]) == "failed":
            self.failed.append(message.id)
            self._failures.add(normal)

    def _loop(self, kind: str, message_id: str) -> None:
        if not self._turn_looped:
            self._turn_looped = True
            self.loop.append((kind, message_id))

    def _customer(self, message: Message) -> None:
        text = message.text
        self._customer_turns += 1
        self._customer_since_bot = True
        self._turn_looped = False
        self._turn_failed_event = False
        words = self._cues.words(text)
        matches = phrase_data().index.matches(words)
        labels = {m.label for m in matches}
        self._vote_language(text)
        if ("human_request" in labels or "engine_request" in labels) and _asks_for_person(matches):
            self.human_request.append(message.id)
        for match in self._keywords.matches(words):
            for intent in self._keyword_intents[match.label]:
                self.keyword_ids.setdefault(intent, []).append(message.id)
        for kind in ("legal_threat", "account_takeover"):
            if kind in labels:
                self.policy.setdefault(kind, []).append(message.id)
        if self.intent_hint is None and self._customer_turns <= INTENT_CUSTOMER_TURNS:
            hints = phrase_data().intent_hints.matches(words)
            if hints:
                self.intent_hint = (hints[0].label, message.id)
        self._frustration(message, matches, labels)
        self._repetition(message.id, words, thanked="positive" in labels or "resolved" in labels)
        self._facts(message)
        if self._customer_turns <= INTENT_CUSTOMER_TURNS or (
            self.intent.label == "unknown" and self._customer_turns <= _INTENT_RETRY_TURNS
        ):
            so_far = _part(self.conversation_id, self._messages)
            self.intent = classify(so_far, self.taxonomy)
        self._since_customer = []
        self._replied = False
        self._answered = set()

    def _frustration(self, message: Message, matches: list[Match], labels: set[str]) -> None:
        if "resolved" in labels:
            self.frustration.clear()
            return
        score = sum(_FRUSTRATION_WEIGHTS.get(m.label, 0) for m in matches)
        text = message.text
        if _shouting(text):
            score += 1
        if ("!!" in text or "??" in text or "?!" in text or "!?" in text) and _PUNCT_RUN.search(text):
            score += 1
        if score:
            self.frustration.append((message.id, min(score, _FRUSTRATION_CAP)))

    def _repetition(self, message_id: str, words: list[str], *, thanked: bool) -> None:
        """The same request again (word for word, or mostly the same words) after a reply
        that did not take it up (the reply used under half of the request's words).

        "Hilton in the East?" after "found the Hilton in the Center" is a new query the bot
        answered, not a rephrasing; a thank-you said twice is not a loop either.
        """
        normal = " ".join(words)
        content = _content(words)
        answered = self._answered
        previous = self._last_customer
        replied = self._replied and not thanked and len(previous & answered) * 2 < max(len(previous), 1)
        same_request = False
        if replied and len(content) >= _MIN_CONTENT_WORDS and normal in self._customer_texts:
            self._loop("customer_repeat", message_id)
            same_request = True
        elif (
            replied
            and min(len(content), len(previous)) >= _MIN_CONTENT_WORDS
            and _numbers(normal) <= self._last_numbers  # a new number ("order 6" after "order 5"): news
        ):
            overlap = len(content & self._last_customer) / len(content | self._last_customer)
            if overlap >= _REPHRASE_OVERLAP:
                self._loop("rephrased", message_id)
                same_request = True
        self._customer_texts.add(normal)
        self._last_customer = content
        self._last_numbers = _numbers(normal)
        if not content <= self._vocabulary:
            # The same request in other words ("I asked if...") brings nothing new.
            self._news_since_bot = self._news_since_bot or not same_request
            self._vocabulary.update(content)

    def _facts(self, message: Message) -> None:
        window = [*self._since_customer, message]
        part = _part(self.conversation_id, window)
        for fact in extract_facts(part, self.recognizers, self._cues).facts:
            kind = fact.kind
            if kind in GENERIC_KINDS and fact.value:
                kind = _labelled_kind(message.text, fact.value) or kind
            key = (kind, fact.value)
            if key not in self.facts:
                self.facts[key] = GivenFact(kind, fact.value, [message.id])

    def _vote_language(self, text: str) -> None:
        for language, hits in language_votes(text, self._cues.words).items():
            self.language_votes[language] = self.language_votes.get(language, 0) + hits

    # -- what the decision reads -----------------------------------------------------

    @property
    def language(self) -> str:
        """The customer's language (``rules.languages`` word profiles); ``en`` until one tells."""
        return leading_language(self.language_votes) or "en"

    def fingerprint(self) -> tuple[object, ...]:
        """Changes whenever something the decision reads changes (every list only grows,
        except frustration, which a "solved" clears: its ids are part of the key)."""
        return (
            len(self.human_request), len(self.loop), len(self.failed), tuple(self.frustration),
            len(self.out_of_scope), tuple((k, len(v)) for k, v in self.policy.items()), len(self.facts),
            self.intent.label, tuple(self.intent.evidence), self.intent_hint, self.language,
            tuple((k, len(v)) for k, v in self.keyword_ids.items()),
        )  # fmt: skip

    def effective_intent(self) -> Intent:
        """The engine's intent; for a German or Spanish customer, the hint when one was found."""
        if self.intent_hint is not None and self.language != "en":
            name, message_id = self.intent_hint
            if self.taxonomy.intent(name) is not None:
                return Intent(label=name, confidence=1.0, evidence=[message_id])
        return self.intent

    @property
    def frustration_score(self) -> int:
        return sum(score for _, score in self.frustration)

    def given_kinds(self) -> set[str]:
        return {kind for kind, _ in self.facts}


def _shouting(text: str) -> bool:
    """Two or more all-caps words, and most letters upper case (as the engine reads it)."""
    if not _CAPS_WORD.search(text) or len(_CAPS_WORD.findall(text)) < 2:
        return False
    return sum(c.isupper() for c in text) > 0.5 * sum(c.isalpha() for c in text)


def _numbers(normal: str) -> frozenset[str]:
    return frozenset(_NUMBER.findall(normal)) if _HAS_DIGIT.search(normal) else frozenset()


def _content(words: list[str]) -> frozenset[str]:
    return frozenset(w for w in words if len(w) > 2 and w not in STOPWORDS)


def _keyword_index(taxonomy: Taxonomy) -> tuple[WordIndex, dict[str, list[str]]]:
    """Every intent keyword as a phrase, and which intents each belongs to."""
    owners: dict[str, list[str]] = {}
    for spec in taxonomy.intents:
        for keyword in spec.keywords:
            key = " ".join(tokens(keyword))
            if key and spec.name not in owners.setdefault(key, []):
                owners[key].append(spec.name)
    return WordIndex([(key, key) for key in owners]), owners


def _labelled_kind(text: str, value: str) -> str | None:
    """The kind a label word right before ``value`` names ("Bestellung 4471-DE")."""
    at = text.find(value)
    if at < 0:
        return None
    labels = phrase_data().fact_labels
    for word in reversed(tokens(text[:at])[-3:]):
        if word in labels:
            return labels[word]
    return None


def _asks_for_person(matches: list[Match]) -> bool:
    """A request phrase that is not part of a role, refusal, past event or bot question.

    Matches are leftmost-longest, so a request phrase inside an exclusion ("sales
    representative", "don't transfer me") was consumed by the exclusion already; a
    request after a refusal in the same message still counts ("no bot. a human please").
    """
    return any(m.label in ("human_request", "engine_request") for m in matches)


def evidence(ids: list[str]) -> list[str]:
    """Distinct ids, in order, at most five."""
    return list(dict.fromkeys(ids))[:_EVIDENCE_CAP]

"""Deterministic intent classification for the rules backend.

The taxonomy is compiled once (``taxonomy.cached("intent-index", ...)``) into a
sparse TF-IDF nearest-centroid model over three feature spaces, one per voice
of the conversation:

* **customer** words and bigrams -- the customer's first messages weigh more
  than later ones, because that is where people state what they want;
* **agent** (and bot) words and bigrams -- what the agent asks and says is a
  strong hint of the case (``"what is the refund method"``);
* **event** words and bigrams -- logged system actions (``"Identity
  verification in progress"``).

Each intent's centroid mixes its examples, its keywords (and its name) and its
description; utterance examples then pull confusable centroids apart (one
leave-one-out drag-and-push pass, see ``_intent_build._push_apart``). Numbers
are one token, except the number of a duration ("8 days" vs "2 days", see
``_intent_words.intent_words``). An example is normally one customer utterance; an example whose
lines start with ``customer:``, ``agent:``, ``bot:`` or ``system:`` is read as
a whole example conversation, so a user can configure intents with real
transcripts. Keywords and descriptions live in the customer space (and, at a
lower weight, in the agent space: an agent often restates the problem). Next to
utterance examples, keywords weigh as one more utterance, and when no example
is a transcript agent and event text is also matched against the customer
space (a taxonomy of a few short utterances per intent is the common case).

Scoring a conversation is one tokenizing pass, a set intersection per group of
messages and one sum of packed integers (see ``_intent_index``), so it costs
about a hundred microseconds for a 22-turn chat in pure Python; the result is
a pure function of the conversation and the taxonomy, ties broken by taxonomy
order. The confidence is calibrated per taxonomy (see ``_intent_calibration``):
it estimates the chance that the label is right.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import chain, repeat

from ..models import Conversation, Intent
from ..taxonomy import Taxonomy
from ._intent_calibration import calibrated_index, confidences
from ._intent_index import Index, score
from ._intent_words import Term, split_example, texts_tokens, with_durations
from .languages import example_language, language_section
from .phrases import tokens as phrase_tokens

__all__ = ["classify", "split_example"]

_MAX_ALTERNATIVES = 3
_MAX_EVIDENCE = 3
_ZEROS = repeat(0.0)


def classify(
    conversation: Conversation, taxonomy: Taxonomy, *, language: str | None = None, supported: bool = True
) -> Intent:
    """The most likely intent of ``conversation`` among ``taxonomy``'s intents.

    Returns ``Intent(label="unknown", confidence=0)`` when the conversation has
    no customer text, when nothing in it overlaps any intent, or when the
    taxonomy has no intents. ``evidence`` names the customer messages that
    contributed most; ``alternatives`` the runners-up, best first.

    ``language``: the conversation's language; the intents' ``translations`` for it
    join their keywords. When the rules do not read it (``supported=False``), its
    words can match the taxonomy's only by accident (an English keyword inside an
    Italian word), so the answer is ``unknown`` unless the winning intent has an
    example in that language.
    """
    index = _index(taxonomy, language)
    if not index.labels:
        return Intent()
    ids: list[str] = []
    texts: list[str] = []
    agent: list[str] = []
    event: list[str] = []
    for message in conversation.messages:
        text = message.text
        if not text:
            continue
        role = message.role
        if message.kind == "event" or role == "system":
            event.append(text)
        elif role == "customer":
            ids.append(message.id)
            texts.append(text)
        else:
            agent.append(text)
    if not texts:
        return Intent()
    customer = texts_tokens(texts)
    if not all(customer):  # a message of punctuation alone is no customer message here
        kept = [i for i, tokens in enumerate(customer) if tokens]
        if not kept:
            return Intent()
        ids, texts, customer = [ids[i] for i in kept], [texts[i] for i in kept], [customer[i] for i in kept]
    # "8 days ago" keeps its number (see _intent_words.intent_words)
    for i, tokens in enumerate(customer):
        if "0" in tokens:
            customer[i] = with_durations(texts[i], tokens)

    scored = score(index, customer, agent, event)
    if scored is None:
        return Intent()
    intent = _decide(*scored, ids, customer, index)
    if not supported and language not in _example_languages(taxonomy).get(intent.label, ()):
        return Intent()
    return intent


def _index(taxonomy: Taxonomy, language: str | None) -> Index:
    """The compiled taxonomy, with the intents' keywords in ``language`` when it has any."""
    if language is None or language not in taxonomy.cached("translation-languages", _translation_languages):
        index: Index = taxonomy.cached("intent-index", calibrated_index)
        return index

    function_words = frozenset(language_section("detect").get(language, {}).get("words", ()))

    def content(keyword: str) -> str:
        # "fermer mon compte" -> "fermer compte": the intent index knows English function
        # words only, and "mon" alone must not signal cancellation.
        return " ".join(word for word in phrase_tokens(keyword) if word not in function_words)

    def localized(t: Taxonomy) -> Index:
        data = t.model_dump()
        for spec in data["intents"]:
            extra = [content(k) for k in spec["translations"].get(language, [])]
            spec["examples"] = [*spec["examples"], *(k for k in extra if k)]
        return calibrated_index(Taxonomy.model_validate(data))

    index = taxonomy.cached(f"intent-index:{language}", localized)
    return index


def _translation_languages(taxonomy: Taxonomy) -> frozenset[str]:
    """The languages some intent has keyword translations for (looked up on every call,
    so computed once per taxonomy)."""
    return frozenset(code for spec in taxonomy.intents for code in spec.translations)


def _example_languages(taxonomy: Taxonomy) -> dict[str, frozenset[str]]:
    """Per intent, the languages its examples are written in (computed once per taxonomy)."""

    def build(t: Taxonomy) -> dict[str, frozenset[str]]:
        found: dict[str, frozenset[str]] = {}
        for spec in t.intents:
            codes = {example_language(example) for example in spec.examples}
            found[spec.name] = frozenset(code for code in codes if code)
        return found

    languages: dict[str, frozenset[str]] = taxonomy.cached("example-languages", build)
    return languages


def _decide(
    scores: tuple[int, ...],
    unit: float,
    ids: list[str],
    customer: list[list[str]],
    index: Index,
) -> Intent:
    """Label, confidence, alternatives and evidence from the intents' packed scores.

    ``unit`` turns a packed score into a cosine.
    """
    # A stable sort: equal scores keep taxonomy order.
    ranked = sorted(range(len(scores)), key=scores.__getitem__, reverse=True)
    best = ranked[0]
    if scores[best] <= 0:
        return Intent()
    ranked_confidences = [
        (index.labels[i], round(c, 4))
        for i, c in confidences(scores, unit, ranked[: _MAX_ALTERNATIVES + 1], index.calibration)
    ]
    # Evidence: the customer messages whose terms weigh most for the winner.
    chosen = _evidence(customer, index, best) or [0]
    return Intent(
        label=ranked_confidences[0][0],
        confidence=ranked_confidences[0][1],
        evidence=[ids[p] for p in chosen],
        alternatives=[item for item in ranked_confidences[1:] if item[1] > 0.0],
    )


def _evidence(customer: list[list[str]], index: Index, best: int) -> list[int]:
    """Positions of the (at most ``_MAX_EVIDENCE``) customer messages whose terms weigh most
    for intent ``best``, in order; ties go to the earlier message.

    Every message that holds a term of the intent weighs something (weights are positive):
    when no more than ``_MAX_EVIDENCE`` do (three chats in four), they are the evidence and no
    weight is summed.
    """
    heads = index.customer_heads[best]
    terms = index.customer_terms[best] if index.customer_terms else None
    if terms is None:
        candidates = [p for p, tokens in enumerate(customer) if not heads.isdisjoint(tokens)]
    else:
        words, bigrams = terms
        candidates = [
            p
            for p, tokens in enumerate(customer)
            if not words.isdisjoint(tokens)
            or (not heads.isdisjoint(tokens) and not bigrams.isdisjoint(zip(tokens, tokens[1:])))  # noqa: B905, RUF007
        ]
        if len(candidates) <= _MAX_EVIDENCE:
            return candidates
    weights: Callable[[Term, float], float] = index.customer_weights[best].get
    contributions = []
    for position in candidates:
        tokens = customer[position]
        # the pairs as _intent_index.score makes them
        terms_of: Iterable[Term] = chain(tokens, zip(tokens, tokens[1:]))  # noqa: B905, RUF007
        weight = sum(map(weights, terms_of, _ZEROS))
        if weight > 0.0:
            contributions.append((-weight, position))
    contributions.sort()
    return sorted(position for _, position in contributions[:_MAX_EVIDENCE])

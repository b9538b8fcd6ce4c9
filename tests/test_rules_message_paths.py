"""The per-conversation fast paths of intent, language detection and injection cues give what
the per-message readings they replace give (speed round 4)."""

from __future__ import annotations

import random
from itertools import chain, pairwise, repeat

import pytest

from handoff_ai.models import Conversation, Message
from handoff_ai.rules import injection_cues, languages
from handoff_ai.rules._intent_words import texts_tokens, tokens_of
from handoff_ai.rules._text import words
from handoff_ai.rules.intent import _evidence, _index
from handoff_ai.rules.phrases import tokens
from handoff_ai.taxonomy import Taxonomy

_ASCII = [chr(code) for code in range(128)] + list("abcdefghij klmnopqrstuvwxyz ABCDEFG 0123 .,!?'\n") * 5


def _text(rng: random.Random, longest: int) -> str:
    return "".join(rng.choice(_ASCII) for _ in range(rng.randint(0, longest)))


def test_texts_tokens_is_words_of_each_text() -> None:
    rng = random.Random(7)
    for _ in range(20_000):
        texts = [_text(rng, 10) for _ in range(rng.randint(1, 4))]
        assert texts_tokens(texts) == [words(text) for text in texts], texts
        assert [tokens_of(text) for text in texts] == [words(text) for text in texts]
    # A text holding the separator, and texts in other scripts, are read one by one.
    for texts in (["a\x00b", "c"], ["Straße", "ORDER 12"], ["\x00"], [""], ["", ""]):
        assert texts_tokens(texts) == [words(text) for text in texts]


def _reference_evidence(customer: list[list[str]], weights: dict[object, float]) -> list[int]:
    """The evidence before the fast path: every message's weight summed, the top three kept."""
    contributions = []
    for position, message in enumerate(customer):
        weight = sum(map(weights.get, chain(message, pairwise(message)), repeat(0.0)))
        if weight > 0.0:
            contributions.append((-weight, position))
    contributions.sort()
    return sorted(position for _, position in contributions[:3])


def test_evidence_is_the_heaviest_messages() -> None:
    index = _index(Taxonomy.default(), None)
    vocabulary = sorted({t for w in index.customer_weights for t in w if isinstance(t, str)})
    vocabulary += ["order", "the", "my", "unknown", "0", "refund", "please"]
    rng = random.Random(11)
    for _ in range(3_000):
        customer = [rng.choices(vocabulary, k=rng.randint(1, 8)) for _ in range(rng.randint(1, 9))]
        best = rng.randrange(len(index.labels))
        expected = _reference_evidence(customer, index.customer_weights[best])
        assert _evidence(customer, index, best) == expected


def _reference_winner(votes: dict[str, int], order: tuple[str, ...]) -> str | None:
    if not votes:
        return None
    ranked = sorted(votes.items(), key=lambda item: (-item[1], order.index(item[0])))
    best, count = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    return best if count >= 2 and count > runner_up else None


def test_winner_needs_a_lead_and_two_votes() -> None:
    order = languages._profiles().order
    rng = random.Random(5)
    for _ in range(20_000):
        votes = {code: rng.randint(1, 6) for code in rng.sample(order, rng.randint(0, 4))}
        assert languages._winner(votes, order) == _reference_winner(votes, order)


@pytest.mark.parametrize(
    "texts",
    [
        ["hi there, I need to return my shirt", "it is too small", "thanks"],
        ["hola, necesito devolver mi camisa", "es demasiado pequeña"],
        ["bonjour", "je voudrais annuler ma commande", "merci beaucoup"],
        ["こんにちは、注文をキャンセルしたい", "ok"],
        ["ok", "yes", "the the the the the the the the the the"],
        [],
    ],
)
def test_first_tally_is_the_tally_of_customer_messages(texts: list[str]) -> None:
    messages = [Message(id="a0", role="agent", text="how can I help?")]
    for n, text in enumerate(texts):
        messages.append(Message(id=f"c{n}", role="customer", text=text))
        messages.append(Message(id=f"e{n}", role="customer", kind="event", text="clicked"))
    profiles = languages._profiles()
    customer = (m for m in messages if m.role == "customer" and m.text and m.kind != "event")
    expected = languages._tally(customer, tokens, profiles)
    assert languages._first_tally(Conversation(messages=messages).messages, tokens, profiles) == expected


def test_cue_candidates_are_the_cues_of_every_cue_word_held() -> None:
    def reference(sentence: str) -> list[int]:
        chosen = set(injection_cues._UNROUTED)
        for word, indices in injection_cues._BY_CUE_WORD.items():
            if word in sentence:
                chosen.update(indices)
        return sorted(chosen)

    parts = [
        *injection_cues._CUE_WORDS,
        "a",
        "x",
        "the ",
        "urgency",
        "priority",
        "ignored",
        "notes",
        "logfile",
    ]
    parts += ["prioritize", " ", ". ", "you are not", "acting as", "###", "<"]
    rng = random.Random(3)
    for _ in range(20_000):
        sentence = "".join(rng.choice(parts) for _ in range(rng.randint(0, 6)))
        assert injection_cues._cue_candidates(sentence) == reference(sentence), sentence

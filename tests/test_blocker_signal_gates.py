"""The blocker's and the signals' cheaper tests must rule out only what the plain ones rule out.

Word gates before a phrase scan (two key words of each phrase, a cue list's key words), substring
tests before a regex: on real phrases, their neighbours and random strings, a gate that says
"no" must agree with a scan or a search that finds nothing.
"""

from __future__ import annotations

import random

from handoff_ai.models import Message
from handoff_ai.rules import blocker, handoff_cues
from handoff_ai.rules.blocker_text import blocker_phrases, phrase_gate
from handoff_ai.rules.dialogue_data import dialogue_phrases
from handoff_ai.rules.phrases import PhraseIndex, tokens
from handoff_ai.rules.ruleset import load_rules

TEXTS = [
    "",
    "Account has been pulled up for David Williams.",
    "Escalated to Tier 2 — passed this to billing. Notified the customer.",
    "I'm afraid we would not be able to refund an order outside the return window.",
    "Unfortunately that item is out of stock; we can't offer a discount either.",
    "Our logs show your certificate was revoked, which causes the crash.",
    "The ticket was re-assigned to Maria; hand-off done. REASSIGNED, Transferred, ſtatus",
    "VERIFIED the address, RECORDED the call, forwarded it — notif sent",
]


def _random_texts(alphabet: str, count: int = 2000, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24))) for _ in range(count)]


def _phrase_texts(index: PhraseIndex, seed: int = 5) -> list[list[str]]:
    """Each phrase's words, the phrase without one word, and shuffled pairs of phrases."""
    rng = random.Random(seed)
    phrases = [list(words) for _, words in index.phrase_words()]
    found: list[list[str]] = []
    for words in phrases:
        found.append(words)
        found.append(["so", *words, "now"])
        if len(words) > 1:
            found.append(words[: rng.randrange(len(words))] + words[rng.randrange(len(words)) + 1 :])
    for _ in range(2000):
        mixed = rng.choice(phrases) + rng.choice(phrases)
        rng.shuffle(mixed)
        found.append(mixed[: rng.randint(1, len(mixed))])
    return found


def test_a_phrase_gate_that_says_no_means_no_phrase() -> None:
    cases = [
        (dialogue_phrases().index, ("dialogue.refusal",)),
        (
            dialogue_phrases().index,
            ("dialogue.not_tried", "dialogue.succeeded", "dialogue.failed", "dialogue.partial"),
        ),
        (blocker_phrases().index, ("finding",)),
    ]
    for index, labels in cases:
        gate = phrase_gate(index, labels)
        texts = _phrase_texts(index) + [tokens(t) for t in TEXTS]
        passed = 0
        for words in texts:
            if gate.may_hold(words):
                passed += 1
            else:
                assert not set(labels).intersection(index.scan(words)), words
        assert passed < len(texts)  # the gate rules some out


def test_the_bot_failure_key_words_rule_out_only_texts_without_one() -> None:
    index = load_rules().phrases
    words_of_failure = handoff_cues.key_words(index, frozenset({"bot_failure"}))
    phrases = [list(words) for label, words in index.phrase_words() if label == "bot_failure"]
    assert phrases
    for words in _phrase_texts(index) + phrases:
        if words_of_failure.isdisjoint(words):
            assert "bot_failure" not in index.scan(words), words


def test_not_a_fix_as_the_regex() -> None:
    for text in TEXTS + _random_texts("escalatrnsfowdpulyVERIFIEDſK ", 3000):
        assert blocker._not_a_fix(text) == (blocker._NOT_A_FIX.search(text) is not None), text


def test_ownership_words_before_the_regex() -> None:
    for text in TEXTS + _random_texts("asignedtrfhovuoREASIGN-_ ſK", 3000):
        message = Message(id="e1", role="system", kind="event", text=text or ".")
        match = handoff_cues._OWNERSHIP.search(message.text)
        found = handoff_cues.ownership_change(message)
        assert (found is not None) == (match is not None), text

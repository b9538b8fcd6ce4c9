"""Speed round 5, summary: the word gates in front of two case-ignoring regexes find what the
regexes alone find, on realistic and ugly text (mixed case, emoji, HTML-ish, other scripts, huge)."""

from __future__ import annotations

import random

import pytest

from handoff_ai.rules import restate

_CLOSING_PIECES = [
    "have", "HAVE", "Have", "a", "an", "nice", "GREAT", "day", "Day.", "evening", "one", "is", "was", "there",
    "THERE", "anything", "Something", "else", "ELSE?", "more", "can", "I", "i", "may", "help", "you", "out",
    "with", "you're", "You’re", "your", "very", "welcome", "WELCOME!", "my", "our", "pleasure", "hope", "thanks",
    "Thank", "for", "contacting", "bye", "Good", "good-bye", "GOODBYE", "take", "care", "of", "see", "soon", "reaching", "your", "patience", "so", "much", "order", "refund", "<b>", "</b>",
    "&nbsp;", "😀", "🙏", "Grüße", "ſo", "K", "\u212a", "İ", "ı", "日本", "ok,", "-", "...", "\n", "\t", "",
]  # fmt: skip

_BRANCHES = [
    "Okay, then have a nice day",
    "Is there anything else I can do for you?",
    "Was there something more you needed",
    "Can I help you with anything else today?",
    "Do you need something else",
    "You're very welcome",
    "It was my pleasure",
    "Hope you have fun with it",
    "Thank you so much for contacting us",
    "THANKS FOR YOUR PATIENCE",
    "Ok great, goodbye!",
    "Take care now",
    "See you soon",
]


def _branches(pattern: str) -> list[str]:
    """The top-level alternatives of a regex source (split at ``|`` outside any group)."""
    parts, depth, start, escaped = [], 0, 0, False
    for i, char in enumerate(pattern):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
    return [*parts, pattern[start:]]


def test_every_closing_branch_holds_a_gate_word() -> None:
    """A branch added to CLOSING without a word of CLOSING_WORDS would be let go unread."""
    branches = _branches(restate.CLOSING.pattern)
    assert len(branches) >= 8
    for branch in branches:
        assert any(word in branch for word in restate.CLOSING_WORDS), branch


def _sentences(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(_CLOSING_PIECES) for _ in range(rng.randint(0, 14))) for _ in range(count)]


def test_closing_gate_finds_what_the_regex_finds() -> None:
    texts = [*_sentences(20_000, 11), *_BRANCHES, "x" * 50_000 + " have a good day", "have " * 5_000]
    for text in texts:
        if text.isascii():  # the fast path's domain: the summary asks it of ASCII sentences only
            expected = restate.CLOSING.search(text) is not None
            assert restate.closing_in_lowered(text.lower()) is expected, text


@pytest.mark.parametrize("sentence", _BRANCHES)
def test_closing_gate_lets_every_branch_through(sentence: str) -> None:
    """One sentence a branch of CLOSING: a gate word missing from the fast test fails here."""
    assert restate.CLOSING.search(sentence) is not None
    assert restate.closing_in_lowered(sentence.lower())


def test_closing_gate_lets_plain_statements_go() -> None:
    for sentence in ["I have refunded your order", "Your refund will arrive in 5 days", "I sent the link"]:
        assert restate.closing_in_lowered(sentence.lower()) is (restate.CLOSING.search(sentence) is not None)


_AGENT_PIECES = [
    "you", "You", "YOU", "are", "ARE", "were", "have", "Have", "don't", "do", "Do", "need", "want", "will",
    "would", "I'll", "to", "can", "let", "me", "your", "u", "ur", "the", "customer", "order.", "(you)", "—you—",
    "you’re", "😀", "<i>", "K", "\u212a", "İ", "ſ", "Grüße", "", "\n",
]  # fmt: skip


def _third_person_ungated(text: str, *, agent: bool = False) -> str:
    """:func:`restate.third_person` as it was before the agreement regex had a gate."""
    gate = restate._may_agree
    restate._may_agree = lambda text: True  # type: ignore[assignment]
    try:
        return restate.third_person(text, agent=agent)
    finally:
        restate._may_agree = gate  # type: ignore[assignment]


def test_agreement_gate_changes_nothing() -> None:
    rng = random.Random(7)
    texts = [" ".join(rng.choice(_AGENT_PIECES) for _ in range(rng.randint(0, 12))) for _ in range(20_000)]
    texts += ["you are " * 3_000, "Do you have your order?", "I'll have you try again"]
    for text in texts:
        assert restate.third_person(text, agent=True) == _third_person_ungated(text, agent=True), text


@pytest.mark.parametrize(
    ("said", "restated"),
    [
        ("You are all set", "the customer is all set"),
        ("Do you have the receipt?", "does the customer have the receipt?"),
        ("YOU HAVE a credit", "the customer has a credit"),
        ("I'll have you try again", "they'll have the customer try again"),
        ("Were you charged twice 😀", "was the customer charged twice 😀"),
    ],
)
def test_agreement_still_made(said: str, restated: str) -> None:
    """The verb still agrees where the gate lets the substitution run (fails if it wrongly skips)."""
    assert restate.third_person(said, agent=True).lower() == restated.lower()


@pytest.mark.parametrize("word", restate.CLOSING_WORDS)
def test_the_gate_spells_out_every_closing_word(word: str) -> None:
    """``closing_in_lowered`` lists the words inline: a sentence holding only one of them is read."""
    sentence = {"have": "have a nice day", "thing": "is there anything else?", "welcome": "you're welcome",
                "pleasure": "my pleasure", "thank": "thanks for contacting us", "bye": "bye",
                "care": "take care", "see": "see you soon"}[word]  # fmt: skip
    assert restate.closing_in_lowered(sentence)

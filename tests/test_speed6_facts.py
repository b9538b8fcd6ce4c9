"""Round-6 gate: a support turn is read for asks only when it holds the last word of an ask phrase.

``asked_kinds`` used to scan every turn holding a phrase's *first* word ("the", "your", "what",
"a": most turns); it now returns at once unless the turn holds a phrase's *last* word. A phrase
matches word for word, so a match always holds its last word: the gate may only skip turns the
scan finds nothing in. These tests hold the gated reader to the ungated one on ugly text.
"""

from __future__ import annotations

import random

from handoff_ai.rules import fact_asks
from handoff_ai.rules.fact_asks import _ASK_KEYS, _ASKS, _asks, _keys, asked_kinds
from handoff_ai.rules.fact_language import fact_words
from handoff_ai.rules.phrases import PhraseIndex, scan_longest, tokens

_FILLERS = (
    "Could", "you", "please", "give", "me", "the", "your", "a", "what", "which", "is", "I", "need", "to",
    "verify", "?", "!", ".", ",", "\n", "\t", "  ", "é", "ſ", "ß", "İ", "😀", "<b>", "</b>", "&amp;", "'",
    "’", "-", "ok", "THE", "Your", "WHAT", "code", "number", "zip", "12345", "AB-12", "mother's", "pets",
    "e", "mail", "as", "child", "first", "one", "time", "street", "you", "grew", "up", "on", "ihre", "votre",
    "código", "postleitzahl", "Geburtsdatum", "numéro", "de", "commande", "pedido",
)  # fmt: skip


def _phrases(index: PhraseIndex) -> list[str]:
    return [" ".join(words) for _, words in index.phrase_words()]


def _turns(seed: int, phrases: list[str], count: int = 4000) -> list[str]:
    """Turns of filler words, mixed case and markup, most holding an ask phrase somewhere."""
    rng = random.Random(seed)
    turns = []
    for _ in range(count):
        parts = [rng.choice(_FILLERS) for _ in range(rng.randint(0, 9))]
        for _ in range(rng.randint(0, 2)):
            phrase = rng.choice(phrases)
            phrase = rng.choice((phrase, phrase.upper(), phrase.title(), phrase.replace(" ", "  ")))
            parts.insert(rng.randint(0, len(parts)), phrase)
        turns.append(rng.choice((" ", "", "\n")).join(parts) + rng.choice(("", "?", ".", " ?")))
    turns.append("x" * 20_000 + " zip code?")  # huge
    turns.append("")
    return turns


def _ungated(text: str, words: list[str], languages: tuple[str, ...]) -> list[str]:
    """``asked_kinds`` as it read before the gate: every turn's words are scanned."""
    index, _, keys = _asks(languages)
    everything = frozenset().union(keys, words)  # a gate that lets every turn through
    saved = fact_asks._asks
    try:
        fact_asks._asks = lambda codes: (index, saved(codes)[1], everything)  # type: ignore[assignment]
        return asked_kinds(text, words, languages)
    finally:
        fact_asks._asks = saved


def test_every_phrase_holds_a_key_word() -> None:
    for languages in ((), *((code,) for code in fact_words())):
        index, _, keys = _asks(languages)
        for _, words in index.phrase_words():
            assert not keys.isdisjoint(words), (languages, words)


def test_the_gate_skips_only_turns_the_scan_finds_nothing_in() -> None:
    for languages in ((), *((code,) for code in sorted(fact_words()))):
        index, _, _ = _asks(languages)
        for text in _turns(len(languages) + 7, _phrases(index)):
            words = tokens(text)
            assert asked_kinds(text, words, languages) == _ungated(text, words, languages), (languages, text)


def test_most_turns_with_a_first_word_lack_every_last_word() -> None:
    # What the gate is for: "What else can I do for you?" holds "what" (a first word), no last word.
    text = "What else can I do for you today? Is there a problem with the order?"
    words = tokens(text)
    assert not _ASKS.heads.isdisjoint(words)
    assert _ASK_KEYS.isdisjoint(words)
    assert asked_kinds(text, words) == []
    assert asked_kinds("What is the code?", tokens("What is the code?")) == ["code"]


def test_a_gate_of_first_words_only_would_be_caught() -> None:
    # The equivalence check above is sharp: keys missing one phrase's last word ("code") are wrong.
    broken = _keys(_ASKS) - {"code"}
    text = "Please enter the verification code"
    words = tokens(text)
    assert scan_longest(_ASKS, words)  # the scan finds the ask...
    assert broken.isdisjoint(words)  # ...which the broken gate would have skipped
    assert asked_kinds(text, words) == ["code"]


_PLACE_PIECES = (
    "from", "From", "to", "To", "TO", "into", "in", "In", "at", "At", "near", "Near", "the", "The", "towards",
    "Towards", "around", "Around", "X", "Detroit", "'", '"', "I'm", "don't", "a", "ok", "5", "0", "\t", "\n",
    "\x1c", "\x1f", "\x0b", ".", ",", "<br>", "&nbsp;", "ʼ", "٣", "é", "Ä", "—", "  ",
)  # fmt: skip


def test_agent_turn_candidate_on_ascii_text_is_the_unicode_regex() -> None:
    from handoff_ai.rules.agent_facts import _CANDIDATE, _CANDIDATE_ASCII

    rng = random.Random(6)
    texts = [
        "".join(
            rng.choice(_PLACE_PIECES) + rng.choice(("", " ", " ", "\u00a0")) for _ in range(rng.randint(1, 9))
        )
        for _ in range(20_000)
    ]
    texts += ["towards Y", "aroundX", "in 'Paris", 'at "Q', "the\x1cZ", "x" * 50_000 + " to Paris"]
    ascii_texts = [t for t in texts if t.isascii()]
    assert len(ascii_texts) > 3_000
    found = 0
    for text in ascii_texts:
        expected = _CANDIDATE.search(text) is not None
        assert (_CANDIDATE_ASCII.search(text) is not None) == expected, repr(text)
        found += expected
    assert 1_000 < found < len(ascii_texts)  # both answers are well represented
    # Non-ASCII digits are digits only to the Unicode regex, which such text keeps.
    assert _CANDIDATE.search("٣") is not None and _CANDIDATE_ASCII.search("٣") is None

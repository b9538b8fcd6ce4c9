"""The shared modules' fast paths give what the forms they replace give."""

from __future__ import annotations

import re

import pytest

from handoff_ai.rules.phrases import _TOKEN, PhraseIndex, fold, scan_longest, tokens
from handoff_ai.rules.ruleset import PATTERN_NAMES, LanguagePatterns, case_sensitive_twin, load_rules
from handoff_ai.taxonomy import IntentSpec, Taxonomy, TeamSpec

TEXTS = [
    "I have already reset the router, it still doesn't work.",
    "We've REFUNDED the order #A-1234_x; you'll see it in 3-5 days!",
    "ich habe den Router neu gestartet",
    "J'ai déjà redémarré la box, rien n'a changé",
    "tab\tand\x0bvertical\x0cfeed\r\nlines",
    "under_score__words and 'quoted' words, rock'n'roll, a''b",
    "The refund was processed. It is now complete.",
    "KELVIN \u212a sign and long s \u017f",
    "",
    "!!!",
]


def _reference_tokens(text: str) -> list[str]:
    lowered = text.lower()
    if not lowered.isascii():
        lowered = fold(lowered.replace("’", "'"))
    return _TOKEN.findall(lowered)


@pytest.mark.parametrize("text", TEXTS + [chr(code) * 3 + " x" for code in range(128)])
def test_tokens_match_the_regex(text: str) -> None:
    assert tokens(text) == _reference_tokens(text)


@pytest.mark.parametrize("name", PATTERN_NAMES)
def test_language_patterns_search_as_without_the_twin(name: str) -> None:
    pattern = load_rules().patterns[name]
    assert isinstance(pattern, LanguagePatterns)
    plain = LanguagePatterns(pattern.main, pattern.others)
    plain._twin = None  # the case-ignoring search throughout: the reference
    for text in TEXTS:
        for pos in (0, 3):
            fast, slow = pattern.search(text, pos), plain.search(text, pos)
            assert (fast and (fast.span(), fast.group())) == (slow and (slow.span(), slow.group()))


def test_no_twin_when_case_matters() -> None:
    assert case_sensitive_twin(re.compile("Reset", re.IGNORECASE)) is None
    assert case_sensitive_twin(re.compile("\u017ftop", re.IGNORECASE)) is None  # "ſ" is an "s"
    assert case_sensitive_twin(re.compile("reset")) is None  # case already matters
    twin = case_sensitive_twin(re.compile(r"\breset[’']s\b", re.IGNORECASE))
    assert twin is not None and twin.search("the reset’s") is not None


def test_phrase_scans_unchanged() -> None:
    index = PhraseIndex({"a": ["user name", "name"], "b": ["email address", "i have tried"]})
    words = tokens("I have tried my user name and email address, then the name")
    assert index.scan(words) == {"b": 0, "a": 4}
    assert scan_longest(index, words) == [(0, "b"), (4, "a"), (7, "b"), (11, "a")]


def test_taxonomy_lookups_follow_a_replaced_list() -> None:
    taxonomy = Taxonomy(intents=[IntentSpec(name="billing")], teams=[TeamSpec(name="money")])
    assert taxonomy.intent("billing") is taxonomy.intents[0] and taxonomy.intent("nope") is None
    assert taxonomy.team("money") is taxonomy.teams[0] and taxonomy.team(None) is None
    taxonomy.intents = [IntentSpec(name="refund")]
    assert taxonomy.intent("billing") is None and taxonomy.intent("refund") is taxonomy.intents[0]
    taxonomy.intents.append(IntentSpec(name="billing"))
    assert taxonomy.intent("billing") is taxonomy.intents[1]


def test_phrase_words_and_heads() -> None:
    index = PhraseIndex({"a": ["user name", "name"], "b": ["email address", "I have tried"]})
    assert sorted(index.phrase_words()) == [
        ("a", ("name",)),
        ("a", ("user", "name")),
        ("b", ("email", "address")),
        ("b", ("i", "have", "tried")),
    ]
    assert index.heads == frozenset({"user", "name", "email", "i"})


def test_a_part_of_an_index_finds_its_labels_where_the_whole_index_does() -> None:
    import random

    index = PhraseIndex(
        {
            "refusal": ["not eligible", "cannot refund", "no"],
            "worked": ["it works", "fixed", "works now"],
            "other": ["no idea", "refund", "it"],
        }
    )
    part = index.part(("refusal", "worked"))
    assert part is index.part(("refusal", "worked"))  # built once
    rnd = random.Random(3)
    vocabulary = "it works now no idea not eligible cannot refund fixed the".split()
    for _ in range(500):
        words = [rnd.choice(vocabulary) for _ in range(rnd.randint(0, 12))]
        whole = index.scan(words)
        assert part.scan(words) == {k: v for k, v in whole.items() if k in ("refusal", "worked")}

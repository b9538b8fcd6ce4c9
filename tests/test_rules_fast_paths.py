"""The shortcuts that make intent, signals and injection checks cheap give the answers of the
slow ways they replace: the same tokens, the same shouting test, no skipped cue."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handoff_ai.rules._intent_words import tokens_of
from handoff_ai.rules._text import words
from handoff_ai.rules.handoff_cues import _SCANNED, _key_words
from handoff_ai.rules.injection_cues import _UNROUTED, INJECTION_CUES, _other_script
from handoff_ai.rules.phrases import CueReader, tokens
from handoff_ai.rules.ruleset import load_rules
from handoff_ai.rules.signals import _CAPS_WORD, _shouting

_TEXT = st.text(
    alphabet=st.sampled_from([*map(chr, range(128)), "é", "’", "Σ", "İ", "ß", "\u00a0", "\ud800", "😊"]),
    max_size=40,
)


@settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))
@given(_TEXT)
def test_intent_tokens_are_the_shared_tokenizers(text: str) -> None:
    assert tokens_of(text) == words(text)


@settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))
@given(_TEXT)
def test_the_capitals_count_never_rules_out_shouting(text: str) -> None:
    slow = bool(
        _CAPS_WORD.search(text)
        and len(_CAPS_WORD.findall(text)) >= 2
        and sum(c.isupper() for c in text) > 0.5 * sum(c.isalpha() for c in text)
    )
    assert _shouting(text) == slow
    assert _shouting("MY ORDER IS LATE") and not _shouting("My ORDER is not HERE yet, still waiting")


def test_every_agent_phrase_holds_a_key_word() -> None:
    """A message holding a phrase of a list an agent's or bot's message is read for holds one of
    that role's key words, so the scan is never skipped where it would find something."""
    rules = load_rules()
    cues = CueReader(rules.phrases)
    for role, wanted in _SCANNED.items():
        keys = _key_words(rules.phrases, wanted)
        for head, (labels, pairs) in rules.phrases._heads.items():
            phrases = [(head,)] * bool(wanted.intersection(labels))
            phrases += [(head, second, *rest) for second, group in pairs.items() for rest, label in group
                        if label in wanted]  # fmt: skip
            for phrase in phrases:
                text = "so " + " ".join(phrase) + " now"
                assert not keys.isdisjoint(cues.words(text)), (role, phrase)
                assert not keys.isdisjoint(tokens(text))


def test_only_cues_in_other_scripts_leave_the_ascii_candidates() -> None:
    """The cues never tried on ASCII text are the ones written in other scripts, and what they
    match always holds a character outside ASCII."""
    others = [index for index, cue in enumerate(INJECTION_CUES) if _other_script(cue)]
    assert len(others) == 5 and not set(others) & set(_UNROUTED)
    for index in others:
        assert not re.search(r"[A-Za-z]", re.sub(r"\[[^\]]*\]|\\.", "", INJECTION_CUES[index]))

        @settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
        @given(st.from_regex(re.compile(INJECTION_CUES[index], re.IGNORECASE), fullmatch=True))
        def check(text: str) -> None:
            assert not text.isascii(), text

        check()

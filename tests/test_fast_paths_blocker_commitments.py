"""Fast paths of the blocker and commitment stages give what the forms they replace give.

``blocker_text.error_token`` / ``error_name`` / ``error_names`` / ``search_error_name`` rule out
ASCII text by substring tests before the regex; ``blocker_read.phrase_spans`` skips the figure-of-
speech scan by a word-set test; a reply's refusal and a customer line's outcome are read with an
index of those phrases alone; ``commitments._readers`` takes the words the guard already folded.
Each is compared with the plain form on texts built from the pieces a match is made of.
"""

from __future__ import annotations

import random

from handoff_ai.rules import blocker_text

PIECES = (
    "Error|error|ERROR|eRRor|Exception|Fault|Null|_|0x|0X1f|FF|AUTH|-|4012|401|503| |  |:|#|"
    "HTTP|http|Status|code|Code|fehler|Erreur|returns|RETURNED|throws|responds with|"
    'answers  with|Responds With|"code"|"error_code"|:|"api_key_revoked"|.|x|E|A1|'
    "my order 12345|é|ſ"
).split("|")


def _texts(count: int = 6000, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 7))) for _ in range(count)]


def test_error_searches_as_the_regexes() -> None:
    for text in _texts():
        token, name = blocker_text.ERROR_TOKEN.search(text), blocker_text.ERROR_NAME.search(text)
        hinted = blocker_text._ERROR_HINT.search(text) is not None
        found = blocker_text.error_token(text)
        assert (found and found.span()) == (token and token.span() if hinted else None)
        found = blocker_text.error_name(text)
        assert (found and found.span()) == (name and name.span() if hinted else None)
        found = blocker_text.search_error_name(text)
        assert (found and found.span()) == (name and name.span())
        spans = [m.span() for m in blocker_text.error_names(text)]
        assert spans == [m.span() for m in blocker_text.ERROR_NAME.finditer(text)]


def test_a_megabyte_without_errors_is_ruled_out() -> None:
    text = " ".join(["my order 12345 never arrived and the app crashes"] * 20_000)
    assert blocker_text.error_token(text) is None
    assert not blocker_text._may_be_error_token(text, text.lower())


def test_figure_spans_as_the_regex() -> None:
    from handoff_ai.rules import blocker_read
    from handoff_ai.rules.dialogue_data import dialogue_phrases
    from handoff_ai.rules.phrases import tokens

    pattern = dialogue_phrases().not_problem
    assert blocker_read._phrase_keys(pattern)  # the test is made
    words = "can't|CAN'T|wait|no|No|problem|problems|worries|issue|lost|not|never|mind|de|nada|x".split("|")
    glue = [" ", "  ", "\n", ",", ".", "'", "_", "-", "’", "é", ""]
    rng = random.Random(5)
    for _ in range(6000):
        text = "".join(rng.choice(words) + rng.choice(glue) for _ in range(rng.randint(0, 5)))
        expected = [m.span() for m in pattern.finditer(text)]
        assert blocker_read.phrase_spans(pattern, text, tokens(text)) == expected


def test_refusal_found_as_by_the_whole_dialogue_index() -> None:
    from handoff_ai.rules import blocker_candidates
    from handoff_ai.rules.dialogue_data import dialogue_phrases, dialogue_reader
    from handoff_ai.rules.phrases import CueReader
    from handoff_ai.rules.ruleset import load_rules

    phrases = dialogue_phrases()
    refusals = [" ".join(w) for label, w in phrases.index.phrase_words() if label == "dialogue.refusal"]
    rng = random.Random(3)
    texts = [f"Thanks for waiting. {p} because of our policy." for p in refusals]
    texts += [" ".join([*rng.choice(refusals).split()[:2], "we", "can", "not"]) for _ in range(300)]
    texts += ["We are unable to refund it.", "I can't do that, sorry", "no refusal here"]
    cues = CueReader(load_rules().phrases)
    reader = dialogue_reader(cues, phrases)
    for text in texts:
        expected = reader.labels(text, "refusal").get("dialogue.refusal")
        assert blocker_candidates.refusal_at(reader, text) == expected


def test_outcome_read_as_from_the_whole_dialogue_index() -> None:
    from handoff_ai.rules import blocker_candidates
    from handoff_ai.rules.dialogue_data import dialogue_phrases, dialogue_reader
    from handoff_ai.rules.phrases import CueReader
    from handoff_ai.rules.ruleset import load_rules
    from handoff_ai.rules.step_text import reply_outcome

    phrases = dialogue_phrases()
    pieces = [
        " ".join(w) for label, w in phrases.index.phrase_words() if label in blocker_candidates.OUTCOMES
    ]
    pieces += ["it", "not", "but", "the export", "still", "same", "error", "thanks", "now", "didn't"]
    rng = random.Random(9)
    cues = CueReader(load_rules().phrases)
    reader = dialogue_reader(cues, phrases)
    for _ in range(3000):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
        expected = reply_outcome(reader.labels(text), reader.words(text), phrases)
        assert blocker_candidates.outcome(reader, text) == expected


def test_commitment_readers_from_the_folded_words_as_from_the_text() -> None:
    from handoff_ai.rules import commitments

    langs = commitments.languages()
    guard = commitments._ascii_guard()
    assert guard is not None
    forms, ending = guard
    pieces = "I|'ll|will|We|WILL|should|llamaremos|ligarei|call|you|back|,|.|-|Tuesday|going to|shall|r|emos".split(
        "|"
    )
    rng = random.Random(4)
    for _ in range(3000):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        folded = text.encode().translate(commitments._FOLD)
        words = folded.split()
        ended = ending is not None and ending.search(folded) is not None
        if not ended and forms.isdisjoint(words):
            assert commitments._readers(text, langs) == []
        else:
            assert commitments._readers(text, langs, (words, ended)) == commitments._readers(text, langs)

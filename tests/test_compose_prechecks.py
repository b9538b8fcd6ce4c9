"""Cheaper tests in the summary, blocker and commitment stages must find what the plain ones find.

Each fast path (bytes word splits, case-sensitive regexes on lower-cased ASCII, literal pre-tests,
a space-led sentence split) is compared with the form it replaces on ugly text (curly quotes,
underscores, digits that are no ``\\d``, characters that ignoring case equates with ASCII letters)
and on random strings of the characters that matter.
"""

from __future__ import annotations

import random
import re

from handoff_ai.rules import blocker, blocker_read, blocker_text, commitments, due, summary
from handoff_ai.rules.dialogue_data import dialogue_phrases
from handoff_ai.rules.ruleset import load_rules

TEXTS = [
    "",
    "   ",
    "I'll call you back Tuesday. We will ship it by Friday!",
    "You’ll get a confirmation email within 2–3 business days…",
    "Le llamaremos el martes; nous vous rappellerons demain • Wir melden uns",
    "my PIN is 4455 and the Security Question was ſanders; KELVIN K sign, İstanbul ı",
    "Password reset didn't work. ERR_CONNECTION_RESET then NullPointerException",
    "it returns 403 on every upload\n\nsee log\nnext line\n  - item",
    "Escalated to Tier 2 — passed this to billing. Notified the customer. ²³ superscripts",
    "bis zum 5. März kommt die Lieferung. VERIFIED, Transfer done.",
    'payload {"code":"api_key_revoked"} → HTTP 503, "error": 1213',
    "It still doesn't work!! My order hasn't arrived and the app keeps crashing",
]


def _random_texts(alphabet: str, count: int = 3000, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16))) for _ in range(count)]


def test_commitment_words_are_the_regex_words() -> None:
    for text in TEXTS + _random_texts("ab Rr_9.!?\n\t•·'’-émosKſ²"):
        low = text.lower()
        words = commitments._words(low)
        as_text = [w.decode() if isinstance(w, bytes) else w for w in words]
        assert as_text == commitments._WORDS.findall(low)


OLD_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n[ \t]*\n\s*|\n+(?![a-z])|\s+[•·]\s+")


def test_sentence_ends_split_as_before() -> None:
    for text in TEXTS + _random_texts("ab .!?\n\n \t•·xA\r\u00a0"):
        assert commitments._SENTENCE.split(text) == OLD_SENTENCE.split(text)


def test_due_words_and_digits_as_before() -> None:
    for text in TEXTS + _random_texts("aZ9_ -.,²٣ßſİK\u212a\t\n’'é"):
        assert due._letter_words(text.lower()) == set(due._WORDS.findall(text.lower()))
        assert due._has_digit(text) == any(ch.isdigit() for ch in text)


def test_a_sentence_without_forms_is_never_a_promise() -> None:
    for lang in commitments.languages():
        for text in TEXTS:
            for sentence in commitments._sentences(text):
                low = sentence.lower()
                if not commitments._may_promise(lang, low, commitments._words(low)):
                    assert lang.promise_at(sentence) is None


def test_credential_test_as_before() -> None:
    for text in TEXTS + _random_texts("pinasword cyeqtu PINSECURITYſıK 2fa-", 2000):
        plain = (
            summary._CREDENTIAL_HINT.search(text) is not None and summary._CREDENTIAL.search(text) is not None
        )
        assert summary._credential(text) == plain


def test_case_ignoring_blocker_tests_as_before() -> None:
    for text in TEXTS + _random_texts("escalatrnsfowdpuly VERIFIEDſK", 2000):
        for pattern, lowered in (
            (blocker._NOT_A_FIX, blocker._NOT_A_FIX_LOW),
            (blocker._HANDED_ON, blocker._HANDED_ON_LOW),
        ):
            assert blocker._says(pattern, lowered, text) == (pattern.search(text) is not None)


def test_error_tokens_as_before() -> None:
    for text in TEXTS + _random_texts("Error Exception Fault _ 09xAHTTP→-", 2000):
        for fast, pattern in (
            (blocker_text.error_token, blocker_text.ERROR_TOKEN),
            (blocker_text.error_name, blocker_text.ERROR_NAME),
        ):
            found, plain = fast(text), pattern.search(text)
            assert (found and found.span()) == (plain and plain.span())


def test_problem_cues_found_where_the_case_ignoring_regex_finds_them() -> None:
    texts = [*TEXTS, "It Doesn't Work and I was CHARGED TWICE", "NOT WORKING since Tuesday, still broken"]
    texts += ["I Can't Wait to get it", "No Worries, it's FINE now", "kann es kaum erwarten"]
    for pattern in (load_rules().cues["problem"], dialogue_phrases().not_problem):
        assert blocker_read._case_sensitive(pattern) is not None  # the fast path is taken
        for text in texts:
            fast = [m.span() for m in blocker_read.cue_matches(pattern, text)]
            assert fast == [m.span() for m in pattern.finditer(text)]


def test_no_case_sensitive_twin_when_ignoring_case_equates_other_letters() -> None:
    assert blocker_read._case_sensitive(re.compile("ſecure", re.IGNORECASE)) is None
    assert blocker_read._case_sensitive(re.compile("Broken", re.IGNORECASE)) is None
    assert blocker_read._case_sensitive(re.compile("broken")) is None
    twin = blocker_read._case_sensitive(re.compile(r"(?<!\w)still\s+broken(?!\w)", re.IGNORECASE))
    assert twin is not None and twin.search("it is still broken") is not None

"""The shortcuts of the actions stage read exactly what the plain readers did.

Events are read lower-cased once by case-sensitive copies of the outcome regexes; openers are
walked as a word trie; a message's sentences are cut once per conversation. Each must give what
the original reading gives, on any text (mixed case, non-ASCII, JSON, tool-call shapes).
"""

from __future__ import annotations

import re

import pytest

from handoff_ai.rules import events
from handoff_ai.rules.dialogue_data import DialogueReader, dialogue_phrases
from handoff_ai.rules.phrases import CueReader, tokens
from handoff_ai.rules.ruleset import load_rules
from handoff_ai.rules.sentences import sentence_at, sentence_spans

_TEXTS = [
    "Account has been pulled up for David Williams.",
    "Identity verification in progess ...",
    "Shipping status of in transit has been noted.",
    "Order status: NOT FOUND",
    "lookup_order(id=42) -> 404 Not Found",
    "change_plan(...) -> 409 CONFLICT",
    "HTTP/1.1 503 Service Unavailable",
    "hTTP 500",
    "Status Code = 502",
    '{"status": 429, "error": {"code": "RATE_LIMITED", "message": "Too many requests"}}',
    '{"ok": true, "items": [1, 2]}',
    "[]",
    "KeyError: 'account'",
    "ValueERROR raised",
    "TimeOut after 30s",
    "RATE-LIMITED",
    "Payment DECLINED by issuer",
    "Refund was issued",
    "Refund IS NOW complete",
    "Pending…",
    "Waiting for the courier...",
    "Ünable to reach the server",
    "İnvalid token",
    "Ticket ſent to billing",
    "Temperature: 300 K",  # the Kelvin sign
    "OK",
    "",
    "   ",
    "called resend_activation_email(user=7)",
]


def _plain_outcome(text: str) -> str:
    """``event_outcome`` as it read before: every regex case-insensitive on the text itself."""
    if events._EVENT_FAILED.regex.search(text):
        return "failed"
    payload = events._payload(text)
    if payload is not None:
        found: dict[str, object] = {}
        events._read(payload, found)
        if found.get("status", 0) >= 400:  # type: ignore[operator]
            return "failed"
    elif any(hint in text for hint in events._STATUS_HINTS) and (
        (status := events._HTTP.search(text) or events._ARROW_STATUS.search(text))
        and int(status.group(1)) >= 400
    ):
        return "failed"
    if events._EVENT_PENDING.regex.search(text):
        return "pending"
    if events._EVENT_DONE.regex.search(text):
        return "succeeded"
    return "unknown"


@pytest.mark.parametrize("text", _TEXTS)
def test_an_event_reads_as_the_case_insensitive_regexes_read_it(text: str) -> None:
    assert events.event_outcome(text) == _plain_outcome(text)
    assert events.event_outcome(text.upper()) == _plain_outcome(text.upper())
    assert events.event_outcome(text.lower()) == _plain_outcome(text.lower())


def test_a_lowered_copy_keeps_escapes_and_lowers_letters_and_ranges() -> None:
    lowered = events._lowered(re.compile(r"\bA[A-Z]\w*(?:Error)\S\b", re.IGNORECASE))
    assert lowered.pattern == r"\ba[a-z]\w*(?:error)\S\b"
    assert not lowered.flags & re.IGNORECASE


def _longest_opener(words: list[str], i: int) -> tuple[str | None, int]:
    """The opener lookup the trie replaced: every length from the longest down."""
    phrases = dialogue_phrases()
    for n in range(min(phrases.longest_opener, len(words) - i), 0, -1):
        label = phrases.openers.get(tuple(words[i : i + n]))
        if label is not None:
            return label, n
    return None, 0


def _trie_opener(words: list[str], i: int) -> tuple[str | None, int]:
    node = dialogue_phrases().opener_trie.get(words[i])
    label, size, end = None, 0, i
    while node is not None:
        end += 1
        if None in node:
            label, size = node[None], end - i
        node = node.get(words[end]) if end < len(words) else None
    return label, size


def test_the_opener_trie_finds_the_longest_opener_at_every_word() -> None:
    phrases = dialogue_phrases()
    samples = [" ".join(opener) for opener in phrases.openers] + [
        "Have you tried restarting the router? If not, could you try clearing the cache",
        "You could also try to log out and back in, then please reinstall the app",
        "¿Ha limpiado el filtro? Puede intentar reiniciar el router",
        "Haben Sie schon den Cache geleert? Bitte starten Sie den Router neu",
    ]
    for sample in samples:
        words = tokens(sample)
        for i, word in enumerate(words):
            if word in phrases.opener_heads:
                assert _trie_opener(words, i) == _longest_opener(words, i), (sample, i)


@pytest.mark.parametrize(
    "text",
    [
        "I have reset your session, please log in again. Anything else?",
        "Done. Refund issued… and the label was sent!\nThanks",
        "no terminator here",
        "",
        "Mr. Smith called at 3 p.m. today. He said: ok.",
    ],
)
def test_memoized_sentences_are_the_sentences(text: str) -> None:
    reader = DialogueReader(dialogue_phrases(), CueReader(load_rules().phrases))
    assert reader.spans(text) == sentence_spans(text)
    for position in range(len(text) + 2):
        assert reader.sentence_at(text, position) == sentence_at(text, position)

"""The words of a step: its key, its clause, and the quote of the reply that says how it went.

Small text helpers for :mod:`.dialogue`, kept apart so the turn-pair logic reads on its own.
A step's *key* is its verb stem (with a particle: "log out") and the stem of its first object
word, so "restarted the router" and "Have you tried restarting the router?" are one step.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from ._text import stem
from .dialogue_data import DialoguePhrases
from .sentences import sentence_at, sentence_spans, shorten

__all__ = [
    "ATTEMPT_END",
    "CLAUSE_END",
    "QUOTE_CHARS",
    "TRY_WORDS",
    "VAGUE",
    "StepKey",
    "clause",
    "described",
    "offset",
    "quote",
    "reply_outcome",
    "same_step",
    "stem_of",
    "step_key",
    "unhandled",
    "with_breaks",
]

StepKey = tuple[str, str]
"""(verb stem, first object stem); an empty object matches any object of the same verb."""

_STEP_CHARS = 64
QUOTE_CHARS = 64
_TOKEN = re.compile(r"\w+(?:'\w+)*")
_HANDLES = re.compile(r"^(?:[@^]\w+[\s,:]*)+")
CLAUSE_END = re.compile(
    r"[.!?\n,:(]|(?<!&[a-z]{2})(?<!&[a-z]{3})(?<!&[a-z]{4});|\s(?:&amp;|&)\s|\s[-–—]\s|\b(?:and\s+)?(?:see|check)\s+(?:if|whether)\b|\band\s+let\s+(?:me|us)\b|"
    r"\b(?:to\s+see|so\s+that|so\s+we|if\s+that|which\s+should|that\s+should|but|because|then)\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[,;:]\s|\s(?:but|and|so)\s", re.IGNORECASE)
ATTEMPT_END = re.compile(
    r"[.!?\n,:(]|(?<!&[a-z]{2})(?<!&[a-z]{3})(?<!&[a-z]{4});|\s(?:&amp;|&)\s|"
    r"\b(?:and|but|then|because|so|still|it|which)\b",
    re.IGNORECASE,
)
VAGUE = frozenset(
    {
        "something",
        "anything",
        "else",
        "this",
        "that",
        "it",
        "these",
        "those",
        "again",
        "another",
        "other",
        "one",
        "thing",
        "things",
        "few",
        "more",
        "steps",
        "step",
        "troubleshooting",
        "a",
        "the",
        "some",
    }
)
_CONJUNCTIONS = frozenset(
    {"and", "but", "or", "then", "so", "because", "still", "until", "while", "which", "if"}
)
TRY_WORDS = frozenset({"try", "tried", "tries", "trying"})
_OUTCOME_LABELS = ("dialogue.failed", "dialogue.succeeded", "dialogue.partial")


def offset(text: str, index: int) -> int | None:
    """Where the ``index``-th token (as ``phrases.tokens`` counts them) starts in ``text``."""
    lowered = text.lower().replace("’", "'")
    for n, match in enumerate(_TOKEN.finditer(lowered)):
        if n == index:
            return match.start()
    return None


@lru_cache(maxsize=8192)
def stem_of(word: str) -> str:
    """``stem``, memoized (the same few verbs come back in every chat)."""
    return stem(word)


def step_key(words: Sequence[str], phrases: DialoguePhrases) -> StepKey:
    """Verb stem (with its particle) and the first object word's stem."""
    words = [w for w in words[:12] if w not in TRY_WORDS and w not in phrases.try_forms] or list(words[:1])
    verb = ""
    rest: Sequence[str] = words
    filler = phrases.filler
    for i, word in enumerate(words[:3]):
        base = phrases.verb_bases.get(word) or stem_of(word)
        if base in phrases.step_stems or word in phrases.attempt_words:
            verb = base
            if word in phrases.verb_bases:
                filler = phrases.native_filler  # "reinicié el router": the object is "router"
            rest = words[i + 1 :]
            if (
                rest
                and rest[0] in ("out", "in", "off", "on", "up", "down")
                and base in ("log", "sign", "turn", "switch")
            ):
                verb = f"{base} {rest[0]}"
                rest = rest[1:]
            break
    obj = ""
    for word in rest[:6]:
        if word in _CONJUNCTIONS:
            break
        if word not in filler and word not in VAGUE:
            obj = stem_of(word)
            break
    if not verb:
        verb, obj = obj, ""
    return verb, obj


@lru_cache(maxsize=16)
def with_breaks(end_pattern: re.Pattern[str], breaks: str) -> re.Pattern[str]:
    """``end_pattern`` that also ends at an inflecting language's clause breaks ("y", "mas")."""
    return re.compile(f"{end_pattern.pattern}|{breaks}", end_pattern.flags) if breaks else end_pattern


def clause(text: str, start: int, end_pattern: re.Pattern[str], prefix: str = "") -> str:
    match = end_pattern.search(text, start + 1)
    clause = prefix + text[start : match.start() if match else len(text)].strip(" \t\"'“”")
    clause = shorten(clause, _STEP_CHARS)
    return clause[:1].upper() + clause[1:]


def unhandled(text: str) -> str:
    """Without the leading @handles and ^signatures of a tweet."""
    return _HANDLES.sub("", text.strip())


def reply_outcome(labels: dict[str, int], words: list[str], phrases: DialoguePhrases) -> str | None:
    """``failed``, ``succeeded``, ``partial``, ``not_tried`` or ``None`` for one reply."""
    if "dialogue.not_tried" in labels and labels["dialogue.not_tried"] <= 2:
        return "not_tried"
    succeeded = labels.get("dialogue.succeeded")
    if succeeded is not None and phrases.negations.intersection(words[max(0, succeeded - 3) : succeeded]):
        return "failed"
    after = words[succeeded + 1 : succeeded + 4] if succeeded is not None else ()
    if phrases.trailing_negations.intersection(after):
        return "failed"  # "ça marche pas", "funktioniert jetzt nicht"
    if succeeded is not None:
        failed = labels.get("dialogue.failed")
        if "dialogue.partial" in labels or (failed is not None and failed > succeeded):
            return "partial"  # "worked for the login but not the export"
        return "failed" if failed is not None else "succeeded"
    if "dialogue.failed" in labels:
        return "failed"
    return None


def quote(text: str, labels: dict[str, int], tight: bool = False) -> str:
    """The sentence of a reply that carries its outcome (or the first one); ``tight``: its clause."""
    at = min((labels[k] for k in _OUTCOME_LABELS if k in labels), default=0)
    position = offset(text, at) or 0
    for start, end in sentence_spans(text):
        if start <= position < end:
            # From the last clause break before the cue: "..., it fails at 90%".
            cut = start
            if tight or end - start > QUOTE_CHARS:
                cut = max((m.end() for m in _CLAUSE_BREAK.finditer(text, start, position)), default=start)
            return shorten(unhandled(text[cut:end]), QUOTE_CHARS)
    return shorten(unhandled(sentence_at(text, position)), QUOTE_CHARS)


def same_step(a: StepKey, b: StepKey) -> bool:
    return a[0] == b[0] and (a[1] == b[1] or not a[1] or not b[1])


def described(step: str, detail: str) -> str:
    return shorten(f"{step} ({detail})")

"""The words of a step: its key, its clause, and the quote of the reply that says how it went.

Small text helpers for :mod:`.dialogue`, kept apart so the turn-pair logic reads on its own.
A step's *key* is its verb stem (with a particle: "log out") and the stem of its first object
word, so "restarted the router" and "Have you tried restarting the router?" are one step.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice

from ..models import Action
from ._text import stem
from .dialogue_data import DialoguePhrases
from .sentences import sentence_at, sentence_spans, shorten

__all__ = [
    "ATTEMPT_END",
    "CLAUSE_END",
    "QUOTE_CHARS",
    "TRY_WORDS",
    "VAGUE",
    "Step",
    "StepKey",
    "clause",
    "described",
    "object_stems",
    "offset",
    "quote",
    "reply_outcome",
    "same_step",
    "stem_of",
    "step_key",
    "unhandled",
    "verb_base",
    "with_breaks",
]

StepKey = tuple[str, str]
"""(verb stem, first object stem); an empty object matches any object of the same verb."""


@dataclass
class Step:
    """One step tried (or suggested), before it becomes an :class:`Action`."""

    key: StepKey
    action: Action
    position: int
    """Index of the message the step is first evidenced in."""
    mentions: int = 1
    quotes: list[str] = field(default_factory=list)


_STEP_CHARS = 64
QUOTE_CHARS = 64
_TOKEN = re.compile(r"\w+(?:'\w+)*")
_HANDLES = re.compile(r"^(?:[@^]\w+[\s,:]*)+")
CLAUSE_END = re.compile(
    r"[!?\n(]|[.,](?!\w)|:(?!\w|[^\n.!?]*\s[>›→]\s)|(?<!&[a-z]{2})(?<!&[a-z]{3})(?<!&[a-z]{4});|\s(?:&amp;|&)\s|\s[-–—]\s|\b(?:and\s+)?(?:see|check)\s+(?:if|whether)\b|\band\s+let\s+(?:me|us)\b|"
    r"\b(?:to\s+see|so\s+that|so\s+we|if\s+that|which\s+should|that\s+should|but|because|then(?!\s+back\b))\b",
    re.IGNORECASE,
)
_DANGLING = re.compile(r"[\s,]+(?:and|or|yet|already)$", re.IGNORECASE)  # "have you reset it yet?"
_CLAUSE_BREAK = re.compile(r"[,;:]\s|\s(?:but|and|so)\s", re.IGNORECASE)
ATTEMPT_END = re.compile(
    r"[!?\n(]|[.,:](?!\w)|(?<!&[a-z]{2})(?<!&[a-z]{3})(?<!&[a-z]{4});|\s(?:&amp;|&)\s|"
    r"\b(?:and|but|then|because|so|still|which)\b",
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
    match = next(islice(_TOKEN.finditer(lowered), index, None), None) if index >= 0 else None
    return None if match is None else match.start()


@lru_cache(maxsize=8192)
def stem_of(word: str) -> str:
    """``stem``, memoized (the same few verbs come back in every chat)."""
    return stem(word)


def verb_base(word: str, phrases: DialoguePhrases) -> str:
    """The step verb a word is a form of ("ran" -> "run", "rebooted" -> "restart"), else ``""``."""
    base = phrases.verb_bases.get(word) or phrases.english_verbs.get(word)
    if base is None:
        stemmed = stem_of(word)
        base = stemmed if stemmed in phrases.step_stems or word in phrases.attempt_words else ""
    return phrases.synonyms.get(base, base)


def step_key(words: Sequence[str], phrases: DialoguePhrases) -> StepKey:
    """Verb (a base form, synonyms folded: reboot = restart) and the stems of its object's words.

    The object is up to three content words before a conjunction or a preposition
    ("restarted the wifi router twice" -> ``("restart", "router wifi")``); numbers do not
    count. Without a step verb, a "try X" step is keyed ``("try", X)``.
    """
    tried = bool(words) and (words[0] in TRY_WORDS or words[0] in phrases.try_forms)
    words = [w for w in words[:12] if w not in TRY_WORDS and w not in phrases.try_forms] or list(words[:1])
    verb = ""
    rest: Sequence[str] = words
    filler = phrases.filler
    for i, word in enumerate(words[:3]):
        if word == "re" and i + 1 < len(words):
            continue  # "re-inserted": the verb is the next word
        base = verb_base(word, phrases)
        if not base and i and words[i - 1] == "re":
            base = verb_base(f"re{word}", phrases)
        if base:
            verb = base
            if word in phrases.verb_bases:
                filler = phrases.native_filler  # "reinicié el router": the object is "router"
            rest = words[i + 1 :]
            if rest and rest[0] in _PARTICLES and base in _PARTICLE_VERBS:
                verb = f"{base} {rest[0]}"
                rest = rest[1:]
            break
    objects = object_stems(rest, filler)
    if not verb:
        if tried or not objects:
            verb = "try"
        else:
            verb, objects = objects[0], objects[1:]
    return verb, " ".join(sorted(objects))


def object_stems(words: Sequence[str], filler: frozenset[str]) -> list[str]:
    """Stems of up to three content words of the object at the start of ``words``, before a
    conjunction or (after the first) a preposition; numbers and ``filler`` do not count."""
    objects: list[str] = []
    for word in words[:8]:
        if word in _CONJUNCTIONS or (objects and word in _PREPOSITIONS):
            break
        if word not in filler and word not in VAGUE and word not in _PREPOSITIONS:
            stemmed = stem_of(word)
            if stemmed != "0" and stemmed not in objects:
                objects.append(stemmed)
                if len(objects) == 3:
                    break
    return objects


_PARTICLES = frozenset({"out", "in", "off", "on", "up", "down"})
_PARTICLE_VERBS = frozenset({"log", "sign", "turn", "switch", "power"})
_PREPOSITIONS = frozenset(
    """on in with for from to at of by near until via per into onto over under after before within
    using through about behind""".split()
)


@lru_cache(maxsize=16)
def with_breaks(end_pattern: re.Pattern[str], breaks: str) -> re.Pattern[str]:
    """``end_pattern`` that also ends at an inflecting language's clause breaks ("y", "mas")."""
    return re.compile(f"{end_pattern.pattern}|{breaks}", end_pattern.flags) if breaks else end_pattern


def clause(text: str, start: int, end_pattern: re.Pattern[str], prefix: str = "") -> str:
    match = end_pattern.search(text, start + 1)
    clause = prefix + text[start : match.start() if match else len(text)].strip(" \t\"'“”")
    clause = shorten(_DANGLING.sub("", clause), _STEP_CHARS)  # "log out and" + "then ..."
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
    if "dialogue.failed" in labels or _same_again(words):
        return "failed"
    return None


_SAME_AS_BEFORE = frozenset(
    {"error", "errors", "problem", "issue", "thing", "message", "result", "crash", "code"}
)


def _same_again(words: list[str]) -> bool:
    """ "same ERR_OTP_EXPIRED", "gives the same AUTH-4012", a bare "same": the problem did not change
    ("the same month" is no outcome)."""
    if "same" not in words:
        return False
    at = words.index("same")
    after = words[at + 1] if at + 1 < len(words) else ""
    return not after or after in _SAME_AS_BEFORE or any(c.isdigit() or c == "_" for c in after)


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
    """Same verb, and objects that share a word (or one without an object: "tried it again")."""
    if a[0] != b[0]:
        return False
    if a[1] == b[1] or not a[1] or not b[1]:
        return True
    return not set(a[1].split()).isdisjoint(b[1].split())


def described(step: str, detail: str) -> str:
    return shorten(f"{step} ({detail})")

"""The audit's cue lists and the small text measures every audit step shares.

Phrases are data: ``data/audit.toml`` beside the rules engine's ``rules.toml`` (its
``as_i_said``, ``transfer``, ``negative``, ``positive``, ``impact`` lists are reused,
so one edit to the engine's cues improves the audit too). Both are matched by words
with the engine's :class:`~handoff_ai.rules.phrases.PhraseIndex`: one scan per message.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from importlib import resources

from ..rules.phrases import CueReader, PhraseIndex, tokens
from ..rules.recognizers import STOPWORDS
from ..rules.ruleset import load_rules

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

__all__ = [
    "AuditCues",
    "content_words",
    "cues",
    "mood",
    "normalize",
    "sentences",
]

_SENTENCE = re.compile(r"(?<=[.!?¿¡])\s+|\n+")
_CAPS_WORD = re.compile(r"\b[A-Z]{3,}\b")
_ANGRY_EMOJI = frozenset("😡😤🤬😠👎😞😢😭")
_HAPPY_EMOJI = frozenset("😀😃😄😊🙂👍❤🙏🎉")
_EXTRA_STOP = frozenset(
    """about after again all any been before being both but can't cannot didn't doesn't don't even get got
    hasn't haven't isn't it's just know let me more much never only over same some than that's them they
    this through time twice until was wasn't were what's when which while won't you'd you'll you're
    you've""".split()
)
_STOP = STOPWORDS | _EXTRA_STOP


def normalize(value: str) -> str:
    """Case- and space-insensitive form used to compare values (as the facts engine does)."""
    return " ".join(value.casefold().split()).strip(".,;:!?\"'()[]{}#")


@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """A crude stem, enough to match "update"/"updates"/"updated" and "bill"/"billing"."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def content_words(words: list[str]) -> set[str]:
    """Stems of the words that carry meaning (no stopwords, no one- or two-letter words)."""
    stem = _stem
    return {stem(w) for w in words if len(w) > 2 and w not in _STOP and not w.isdigit()}


def sentences(text: str) -> list[str]:
    """``text`` cut at sentence ends and line breaks (questions keep their "?")."""
    return [s for s in _SENTENCE.split(text) if s.strip()]


class AuditCues:
    """The engine's cue lists and the audit's own, each message scanned once per index."""

    def __init__(self) -> None:
        raw = tomllib.loads(resources.files(__package__).joinpath("data/audit.toml").read_text("utf-8"))
        own = raw["cues"]
        self.own = PhraseIndex({k: v for k, v in own.items() if isinstance(v, list)})
        self.events = PhraseIndex(raw["events"])
        self.note = PhraseIndex(raw["note"])
        # Literal pre-check for logged events: the first letters of each phrase's first word.
        self.event_stems = tuple(sorted({p.split()[0][:5] for ps in raw["events"].values() for p in ps}))
        self.engine = load_rules().phrases

    def reader(self) -> tuple[CueReader, CueReader]:
        """Fresh per-conversation readers (engine cues, audit cues): memoized per text object."""
        return CueReader(self.engine), CueReader(self.own)


@lru_cache(maxsize=1)
def cues() -> AuditCues:
    """The packaged cues, read once per process."""
    return AuditCues()


def mood(text: str, engine_labels: dict[str, int], own_labels: dict[str, int]) -> int:
    """-1, 0 or +1: the customer's mood in one message, from the engine's sentiment cues
    plus shouting, ``!!!``/``???`` and angry emoji."""
    negative = (
        any(label in engine_labels for label in ("negative", "as_i_said", "threat_to_leave"))
        or "repeat" in own_labels
    )
    if not negative:
        negative = "!!!" in text or "??" in text or not _ANGRY_EMOJI.isdisjoint(text)
        if not negative and len(_CAPS_WORD.findall(text)) >= 2:
            letters = sum(c.isalpha() for c in text)
            negative = letters >= 8 and sum(c.isupper() for c in text) > 0.5 * letters
    if negative:
        return -1
    if "positive" in engine_labels or not _HAPPY_EMOJI.isdisjoint(text):
        return 1
    return 0


__all__ += ["tokens"]

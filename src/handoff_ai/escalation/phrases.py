"""The decision's phrase data, compiled once: one word index over the escalation lists
(``escalation/data/escalation.toml``) and the rules engine's cue lists it reuses.

Matching is leftmost-longest on whole words (``handoff_ai.rules.phrases.tokens``), so
"sales representative" is one match — a role, not a request for a person — and never
also "representative".
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from ..exceptions import ConfigError
from ..rules.phrases import tokens
from ..rules.ruleset import load_rules

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

__all__ = ["ENGINE_CUES", "Match", "PhraseData", "WordIndex", "phrase_data"]

# Rules-engine cue lists the decision reads, under the label it gives them. The engine's
# request cues are the record's handoff-request signal; the other lists add frustration,
# fallback replies and transfers on top of this package's own lists.
ENGINE_CUES = {
    "handoff_request": "engine_request",
    "escalation_request": "engine_request",
    "bot_failure": "fallback",
    "as_i_said": "as_i_said",
    "threat_to_leave": "threat",
    "negative": "negative",
    "resolved": "resolved",
    "positive": "positive",
}
# Engine phrases too loose for a handoff decision ("switch to the annual plan", "Sue").
_SKIP_ENGINE = frozenset({
    "switch to", "switching to", "last time i", "sue", "lawyer", "joke", "connect me", "i'm leaving",
    "i will leave", "going to leave",
})  # fmt: skip
_OWN = ("human_request", "not_human_request", "fallback", "out_of_scope", "frustration", "threat",
        "legal_threat", "account_takeover")  # fmt: skip


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    label: str


class WordIndex:
    """Phrases by first word; ``matches`` is one pass, leftmost-longest, non-overlapping."""

    def __init__(self, labelled: Sequence[tuple[str, str]]) -> None:
        heads: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        seen: set[tuple[str, ...]] = set()
        for label, phrase in labelled:
            words = tuple(tokens(phrase))
            if words and words not in seen:  # the first label of a phrase wins
                seen.add(words)
                heads.setdefault(words[0], []).append((words[1:], label))
        for group in heads.values():
            group.sort(key=lambda item: -len(item[0]))  # longest first
        self._heads = heads

    def matches(self, words: Sequence[str]) -> list[Match]:
        found: list[Match] = []
        heads = self._heads
        count = len(words)
        done = 0
        for position, word in enumerate(words):
            if position < done or word not in heads:
                continue
            for rest, label in heads[word]:
                end = position + 1 + len(rest)
                if end <= count and (not rest or tuple(words[position + 1 : end]) == rest):
                    found.append(Match(position, end, label))
                    done = end
                    break
        return found


@dataclass(frozen=True)
class PhraseData:
    index: WordIndex
    intent_hints: WordIndex
    ask: Mapping[str, Mapping[str, str]]
    handoff: Mapping[str, Mapping[str, str]]
    fact_labels: Mapping[str, str]
    """A label word (``bestellung``) -> the fact kind it names (``order_id``)."""


def _load(package: str, name: str) -> dict[str, Any]:
    raw = resources.files(package).joinpath(name).read_bytes()
    try:
        data: dict[str, Any] = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:  # pragma: no cover - packaged data
        raise ConfigError(f"not valid TOML: {exc}", source=f"{package}/{name}") from None
    return data


@lru_cache(maxsize=1)
def phrase_data() -> PhraseData:
    """The compiled packaged data (built once per process)."""
    own = _load("handoff_ai.escalation", "data/escalation.toml")
    engine = load_rules().lists  # every language's cue lists
    labelled: list[tuple[str, str]] = []
    phrases = own.get("phrases", {})
    for label in _OWN:
        labelled.extend((label, p) for p in phrases.get(label, []))
    for cue, label in ENGINE_CUES.items():
        labelled.extend((label, p) for p in engine.get(cue, []) if p.lower() not in _SKIP_ENGINE)
    return PhraseData(
        index=WordIndex(labelled),
        intent_hints=WordIndex(
            [(intent, p) for intent, hints in own.get("intent_hints", {}).items() for p in hints]
        ),
        ask=own.get("ask", {}),
        handoff=own.get("handoff", {}),
        fact_labels={word: kind for kind, words in own.get("fact_labels", {}).items() for word in words},
    )

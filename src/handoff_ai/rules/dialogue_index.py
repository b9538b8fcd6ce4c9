"""The dialogue phrase indexes: what a message is read against, built once per process.

:class:`DialoguePhrases` holds every language block's phrases merged into one phrase index
and the word sets, verb-form tables and tries the readers test a message with (a set test
first, a scan only when one can match). :mod:`.dialogue_data` builds it from the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .phrases import PhraseIndex

__all__ = ["PREFIX", "DialoguePhrases"]

PREFIX = "dialogue."
"""Label prefix of the dialogue phrase lists (kept apart from the rules' cue lists)."""


@dataclass(frozen=True)
class DialoguePhrases:
    """Indexes and word sets built from every language block."""

    index: PhraseIndex
    """Every phrase list under its label, prefixed ``dialogue.``: ``suggestion``, ``request`` (a
    request needs a step verb after it), ``failed``, ``succeeded``, ``partial``, ``not_tried``,
    ``acknowledged``, ``anaphora``, ``refusal``, ``reason``, ``note_finding``, ``not_problem``,
    ``accepted``, ``reaction``. One scan of a message finds them all."""
    openers: dict[tuple[str, ...], str]
    """Suggestion and request openers by their words, to find every one in a message."""
    longest_opener: int
    opener_heads: frozenset[str]
    step_forms: frozenset[str]
    """Inflected forms of the step verbs: a cheap test before looking for a request."""
    keywords: dict[str, frozenset[str]]
    """Per label, one word of each phrase (its longest): no match without one of them."""
    step_stems: frozenset[str]
    attempt_words: frozenset[str]
    filler: frozenset[str]
    negations: frozenset[str]
    not_problem: re.Pattern[str]
    """Any ``not_problem`` phrase ("can't wait"), to tell a figure of speech from a problem."""
    languages: tuple[str, ...]
    past_words: frozenset[str] = frozenset()
    yes_words: frozenset[str] = frozenset()
    skip_words: frozenset[str] = frozenset()
    lead_words: frozenset[str] = frozenset()
    """Words before a bare step verb of the word-order languages (``attempt_leads`` of de/fr)."""
    trailing_negations: frozenset[str] = frozenset()
    not_before_imperative: frozenset[str] = frozenset()
    clause_links: frozenset[str] = frozenset()
    prefixes: dict[tuple[str, ...], str] = field(default_factory=dict)
    """Opener words -> the ``try_prefix`` of its language (English's "try " when absent)."""
    verb_bases: dict[str, str] = field(default_factory=dict)
    """Inflected form -> infinitive, from the blocks with ``verb_endings`` ("reinicie" ->
    "reiniciar"): the verb of a step's key, where the English stemmer cannot see it."""
    attempt_leads: dict[str, frozenset[str]] = field(default_factory=dict)
    """Attempt form of an inflecting language -> the words that may stand before it."""
    done_forms: dict[str, bool] = field(default_factory=dict)
    """A form stating work done -> whether it needs an auxiliary right before it."""
    done_aux: frozenset[str] = frozenset()
    imperatives: frozenset[str] = frozenset()
    native_filler: frozenset[str] = frozenset()
    try_forms: frozenset[str] = frozenset()
    """Forms of the inflecting languages' ``try_verbs`` ("probé", "tentei")."""
    clause_breaks: str = ""
    sentence_imperatives: frozenset[str] = frozenset()
    provide_verbs: frozenset[str] = frozenset()
    artifacts: frozenset[str] = frozenset()
    english_verbs: dict[str, str] = field(default_factory=dict)
    """A form of a step verb of the blocks without endings -> its base ("rebooted" -> "reboot",
    "ran" -> "run")."""
    synonyms: dict[str, str] = field(default_factory=dict)
    work_forms: dict[str, str] = field(default_factory=dict)
    """Past form of a work verb -> its base ("rebooked" -> "rebook", "sent" -> "send")."""
    request_forms: dict[str, str] = field(default_factory=dict)
    verb_set: frozenset[str] = frozenset()
    """Every base form of a step or work verb ("waive", "restart")."""
    delivery: re.Pattern[str] = re.compile(r"(?!)")
    """Any ``delivery_openers`` phrase ("here is your", "please find attached")."""
    work_gate: frozenset[str] = frozenset()
    """Words one of which a bot/agent message needs to state work (a past work or request verb, a
    delivery opener's key word, "can't"/"unable"): no such word, no further look."""
    """Past form of a request verb ("asked", "requested") -> its base."""
    statement_words: frozenset[str] = frozenset()
    """Words one of which a bot/agent sentence needs to state work by verb ending or by a
    ``work_failed`` / ``work_pending`` phrase: no such word, no further look."""
    """Regex alternation of the inflecting languages' ``clause_breaks`` (empty: none)."""
    """``filler`` and the inflecting languages' filler: the object words skipped after their verbs."""
    """Forms that suggest a step when they open a bot/agent sentence."""
    # Derived once from the fields above (``__post_init__``), for the per-message reading.
    opener_trie: dict[str | None, Any] = field(init=False, repr=False, compare=False)
    """The openers as a word trie: word -> node, a node maps the next word to its node and ``None``
    to the label of the opener that ends there. One walk finds the longest opener at a word."""
    suggestion_gate: frozenset[str] = field(init=False, repr=False, compare=False)
    """Words one of which a bot/agent message needs to suggest a step (a step verb's form, a verb of
    giving, an opener's key word): no such word, no further look."""
    suggestion_heads: frozenset[str] = field(init=False, repr=False, compare=False)
    """The words a suggestion starts at: an opener's first word, an imperative."""
    suggestion_starts: frozenset[str] = field(init=False, repr=False, compare=False)
    """The head words that may start a suggestion whatever follows: a one-word opener ("please"),
    an imperative that is no opener's first word."""
    _key_words: dict[tuple[str, ...], frozenset[str]] = field(init=False, repr=False, compare=False)
    opener_seconds: dict[str, frozenset[str]] = field(init=False, repr=False, compare=False)
    """Every other head word (the first of longer openers only: "you", "the") -> the words that
    may follow it in an opener: a head before any other word starts nothing."""

    def key_words(self, labels: tuple[str, ...]) -> frozenset[str]:
        """The key words of these labels together (``keywords``, built once per set of labels):
        a message with none of them holds none of their phrases."""
        found = self._key_words.get(labels)
        if found is None:
            found = frozenset().union(*(self.keywords[f"{PREFIX}{label}"] for label in labels))
            self._key_words[labels] = found
        return found

    def __post_init__(self) -> None:
        trie: dict[str | None, Any] = {}
        for opener, label in self.openers.items():
            node = trie
            for word in opener:
                node = node.setdefault(word, {})
            node[None] = label
        derived = {
            "opener_trie": trie,
            "suggestion_gate": self.step_forms
            | self.provide_verbs
            | self.keywords.get(f"{PREFIX}suggestion", frozenset()),
            "suggestion_heads": self.opener_heads | self.imperatives | self.sentence_imperatives,
            "suggestion_starts": frozenset(word for word, node in trie.items() if None in node)
            | ((self.imperatives | self.sentence_imperatives) - trie.keys()),
            "_key_words": {},
            "opener_seconds": {
                word: frozenset(k for k in node if k is not None)
                for word, node in trie.items()
                if None not in node
            },
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)  # a frozen dataclass: set once, here

"""Verb forms for the dialogue phrases: the inflections the phrase indexes are built from.

``rules/data/dialogue.toml`` lists verbs once ("restart", "reiniciar"); reading a chat needs
every form a customer or agent writes ("restarted", "reinicié", "foi reiniciado"). English-like
blocks inflect by rule (:func:`inflections`, :func:`english_forms`), the inflecting languages by
their ending tables (:func:`inflected_forms`). Kept apart from :mod:`.dialogue_data`, which
validates the file and assembles the indexes from these forms.
"""

from __future__ import annotations

import re
from typing import Any

from .dialogue_schema import DialogueBlock
from .phrases import tokens

__all__ = [
    "ATTEMPT_LEAD_WORDS",
    "alternation",
    "ending_forms",
    "english_forms",
    "inflected_forms",
    "inflections",
    "past_forms",
    "phrase_words",
]

ATTEMPT_LEAD_WORDS = frozenset(
    {
        "and",
        "i",
        "we",
        "yes",
        "yeah",
        "yep",
        "also",
        "already",
        "even",
        "just",
        "have",
        "i've",
        "we've",
        "i'd",
        "had",
        "both",
        "then",
        "but",
        "ok",
        "okay",
        "so",
    }
)
"""Words that may stand before a bare attempt verb in a reply ("yes, reinstalled it")."""


def phrase_words(phrases: list[str]) -> frozenset[str]:
    return frozenset(word for phrase in phrases for word in tokens(phrase))


def inflections(verb: str) -> set[str]:
    """``restart`` -> restart, restarts, restarted, restarting (and doubled / e-dropped forms)."""
    forms = {verb, f"{verb}s", f"{verb}es", f"{verb}ed", f"{verb}d", f"{verb}ing"}
    forms |= {f"{verb}{verb[-1]}ing", f"{verb}{verb[-1]}ed"}
    if verb.endswith("e"):
        forms.add(f"{verb[:-1]}ing")
    if verb.endswith("y"):
        forms |= {f"{verb[:-1]}ies", f"{verb[:-1]}ied"}
    return forms


def alternation(phrases: list[str]) -> re.Pattern[str]:
    parts = sorted(
        {re.escape(p.strip().lower()).replace(r"\ ", r"\s+") for p in phrases if p.strip()}, key=len
    )
    if not parts:
        return re.compile(r"(?!)")
    return re.compile(rf"(?<!\w)(?:{'|'.join(reversed(parts))})(?!\w)", re.IGNORECASE)


def past_forms(verb: str) -> set[str]:
    """Past forms of a regular verb ("rebook" -> "rebooked", "requeue" -> "requeued")."""
    return {f for f in inflections(verb) if f.endswith("ed")}


def english_forms(blocks: dict[str, DialogueBlock]) -> dict[str, Any]:
    """Verb forms of the blocks that do not inflect by ending (English): steps, work, requests."""
    verbs: dict[str, str] = {}
    work: dict[str, str] = {}
    requests: dict[str, str] = {}
    synonyms: dict[str, str] = {}
    for block in blocks.values():
        if block.verb_endings:
            continue
        irregular = {form: base for form, base in block.past_forms.items()}
        synonyms.update(block.verb_synonyms)
        for verb in phrase_words(block.step_verbs):
            for form in inflections(verb):
                verbs.setdefault(form, verb)
        for form, base in irregular.items():
            verbs.setdefault(form, base)
        for target, names in ((work, block.work_verbs), (requests, block.request_verbs)):
            for name in names:
                verb = name.replace("-", "")
                for form in past_forms(verb):
                    target.setdefault(form, verb)
                target.update({form: base for form, base in irregular.items() if base == verb})
    return {
        "english_verbs": verbs,
        "synonyms": synonyms,
        "work_forms": work,
        "request_forms": requests,
        "verb_set": frozenset(verbs.values()) | frozenset(work.values()),
    }


def ending_forms(verbs: list[str], endings: dict[str, list[str]]) -> dict[str, str]:
    """Every form of each infinitive by its ending's table ("reiniciar" -> "reinicie", ...)."""
    found: dict[str, str] = {}
    for verb in verbs:
        for word in tokens(verb):
            for key, tails in endings.items():
                if word.endswith(key) and len(word) > len(key) + 1:
                    root = word[: -len(key)]
                    for tail in tails:
                        found.setdefault(tokens(root + tail)[0], word)
    return found


def inflected_forms(blocks: dict[str, DialogueBlock]) -> dict[str, Any]:
    """``verb_bases`` and ``attempt_leads`` of the blocks that inflect by ending.

    A form that is also a word of a block without endings (English "use", "pulse") is
    left out, so those blocks read exactly as they do alone.
    """
    plain: set[str] = set()
    for block in blocks.values():
        plain |= phrase_words(block.skip_forms)
        if not block.verb_endings:
            for name in ("step_verbs", "attempt_verbs", "object_filler"):
                plain |= phrase_words(getattr(block, name))
            plain |= {f for verb in phrase_words(block.step_verbs) for f in inflections(verb)}
    bases: dict[str, str] = {}
    leads: dict[str, frozenset[str]] = {}
    done: dict[str, bool] = {}
    aux: set[str] = set()
    imperatives: set[str] = set()
    tries: set[str] = set()
    breaks: list[str] = []
    for block in blocks.values():
        if not block.verb_endings:
            continue
        for endings in (block.verb_endings, block.attempt_endings):
            tries |= {form for form in ending_forms(block.try_verbs, endings) if form not in plain}
        breaks += block.clause_breaks
        for form, verb in ending_forms(block.step_verbs, block.imperative_endings).items():
            if form not in plain:
                imperatives.add(form)
                bases.setdefault(form, verb)
        finite = ending_forms(block.done_verbs, block.done_endings)
        participles = ending_forms(block.done_verbs, block.done_participles)
        participles.update(
            {w: w for w in phrase_words(block.done_verbs) if w not in participles and w not in finite}
        )
        for form in participles:
            if form not in plain and form not in finite:
                done.setdefault(form, True)
        for form in finite:
            if form not in plain:
                done.setdefault(form, False)
        aux |= phrase_words(block.done_auxiliaries)
        forms = ending_forms(block.step_verbs, block.verb_endings)
        attempts = ending_forms(block.step_verbs, block.attempt_endings)
        attempts.update({w: w for w in phrase_words(block.attempt_verbs) if w not in attempts})
        lead = ATTEMPT_LEAD_WORDS | phrase_words(block.attempt_lead)
        for form, verb in {**forms, **attempts}.items():
            if form not in plain:
                bases.setdefault(form, verb)
        for form in attempts:
            if form not in plain:
                leads.setdefault(form, lead)
    return {
        "verb_bases": bases,
        "attempt_leads": leads,
        "done_forms": done,
        "done_aux": frozenset(aux),
        "imperatives": frozenset(imperatives),
        "try_forms": frozenset(tries),
        "clause_breaks": alternation(breaks).pattern if breaks else "",
    }

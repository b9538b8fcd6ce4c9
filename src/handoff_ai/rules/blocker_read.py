"""How the blocker reads what it quotes: a tool call's error result, a diagnosis in a reply,
an internal note's finding, where a customer states the problem, and the problem and error
that lead a blocker of failed steps.

Split from :mod:`.blocker`, which chooses among the candidates these give.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from ..models import Action, Blocker, Message
from .blocker_text import BlockerPhrases, error_name, error_names, error_token, phrase_gate, search_error_name
from .cue_places import first_runs, tried_at_runs
from .dialogue import reply_outcome
from .dialogue_data import DialoguePhrases, DialogueReader
from .phrases import CueReader, char_offset, tokens
from .ruleset import RuleSet, case_sensitive_twin
from .sentences import sentence_at, sentence_spans, shorten, unaddressed

__all__ = [
    "MAX_EVIDENCE",
    "acknowledged",
    "cue_matches",
    "diagnosis",
    "may_state_problem",
    "note_finding",
    "phrase_spans",
    "problem_sentences",
    "problem_starts",
    "says_what_still_fails",
    "tool_error",
    "with_problem",
    "with_reported_error",
]

MAX_EVIDENCE = 5

_RESULT_ERROR = re.compile(
    r"(?:->|→|=>)\s*\"?(?:HTTP\s*)?[45]\d\d\b|(?:->|→|=>)\s*\"?[A-Z_]*(?:ERROR|CONFLICT|FAIL\w*|DENIED|INVALID"
    r"|TIME[DO]?_?OUT|REJECTED|FORBIDDEN|UNAUTHORI[SZ]ED|NOT_FOUND|UNAVAILABLE|LIMITED)\b"
)


_DIGIT = re.compile(r"[\d_]")
_FINDING = ("finding",)


def tool_error(action: Action) -> bool:
    """A logged tool call whose result is an error, whatever else it says ("-> 409 CONFLICT:
    pending order exists" is no pending step)."""
    text = action.description
    return (
        action.rule == "event"
        and ("->" in text or "→" in text or "=>" in text)
        and _RESULT_ERROR.search(text) is not None
    )


def diagnosis(text: str, words: list[str], found: BlockerPhrases) -> str | None:
    """The sentence of a bot/agent reply that states what is wrong ("Our logs show your certificate
    was revoked", "that confirms the charger is faulty"): a finding phrase beside a fault word or
    an error code, not a question."""
    if not phrase_gate(found.index, _FINDING).may_hold(words):
        return None  # the words of no finding phrase: most replies
    labels = found.index.scan(words)
    if "finding" not in labels or ("fault" not in labels and not error_token(text)):
        return None  # the whole reply first: most say nothing of the kind
    for start, end in sentence_spans(text):
        sentence = " ".join(text[start:end].split())
        if sentence.endswith("?"):
            continue
        labels = found.in_text(sentence, "finding")
        if "finding" in labels and ("fault" in labels or error_token(sentence)):
            return shorten(sentence, 200)
    return None


_CONDITIONS = frozenset({"if", "unless", "when", "once", "whether"})


def note_finding(text: str, reader: DialogueReader, found: BlockerPhrases) -> str | None:
    """The first sentence of an agent's internal note that states a finding: not one that only
    routes the case ("Escalated to Tier 2."), which says nothing of what blocks it, nor a
    condition ("follow up if he hasn't confirmed")."""
    words = reader.words(text)
    dialogue = reader.labels(text, "note_finding")
    if "dialogue.note_finding" not in dialogue and not found.labels(words, "note_finding"):
        return None
    for start, end in sentence_spans(text):
        sentence = " ".join(text[start:end].split())
        sentence_words = tokens(sentence)
        labels = found.labels(sentence_words)
        if "routing" in labels or not _CONDITIONS.isdisjoint(sentence_words):
            continue
        if (
            "note_finding" in labels
            or "dialogue.note_finding" in reader.phrases.index.scan(sentence_words)
            or error_name(sentence)
        ):
            return shorten(sentence, 200)
    return None


def says_what_still_fails(message: Message, reader: DialogueReader, found: BlockerPhrases) -> bool:
    """A reply that says a step worked and what still does not ("ok on 4G it works! but signal is
    bad, we need wifi back"): a contrast word after the success, or a failed/partial reading."""
    words = reader.words(message.text)
    if found.keywords["contrast"].isdisjoint(words):
        return False  # "worked for the login but not the export" has its "but" too
    if reply_outcome(reader.labels(message.text), words, reader.phrases) in ("failed", "partial"):
        return True
    return message.role == "customer" and "contrast" in found.labels(words[1:], "contrast")


def acknowledged(message: Message, cues: CueReader, found: BlockerPhrases) -> bool:
    """A message that opens by acknowledging ("ok.", "great, and if it's late?") with no "but",
    "still" nor problem in it."""
    words = cues.words(message.text)
    if not words or found.keywords["ack"].isdisjoint(words[:2]):
        return False
    labels = found.labels(words)
    return labels.get("ack") == 0 and "contrast" not in labels and not cues.has("problem", message.text)


def may_state_problem(message: Message, cues: CueReader, found: BlockerPhrases) -> bool:
    """A customer line that may state a problem: a problem cue, a word of the blocker's own, or
    an error code (the literal and word-set tests first: most lines have none of them)."""
    text = message.text
    return (
        cues.has("problem", text)
        or not found.keywords["open_problem"].isdisjoint(cues.words(text))
        or (_DIGIT.search(text) is not None and search_error_name(text) is not None)
    )


def problem_starts(
    message: Message, text: str, rules: RuleSet, cues: CueReader, found: BlockerPhrases
) -> Iterator[int]:
    """Where a problem is said, lazily: each problem cue, then the first place the blocker's own
    words say one ("nothing is at the door")."""
    if cues.has("problem", message.text):
        for match in cue_matches(rules.cues["problem"], text):
            yield match.start()
    extra = found.labels(cues.words(message.text), "open_problem").get("open_problem")
    if extra is not None:
        yield char_offset(text.lower(), extra)
    if _DIGIT.search(text):  # "your API returns 403 on every upload", "DRIVER_IRQL_NOT_LESS…"
        yield from (match.start() for match in error_names(text))


def cue_matches(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)``; for ASCII text, its case-sensitive twin on the lower-cased text
    (same spans, about four times cheaper) when :func:`_case_sensitive` has one, and for a phrase
    regex that twin tried only where a phrase's first word is (:mod:`.cue_places`: a few places a
    message, not every character)."""
    twin = _case_sensitive(pattern) if text.isascii() else None
    if twin is None:
        return pattern.finditer(text)
    runs = first_runs(pattern)
    return twin.finditer(text.lower()) if runs is None else tried_at_runs(twin, runs, text.lower())


def phrase_spans(pattern: re.Pattern[str], text: str, words: Sequence[str]) -> list[tuple[int, int]]:
    """``[m.span() for m in cue_matches(pattern, text)]`` for a phrase alternation (``words``:
    ``tokens(text)``, memoized by the caller). ASCII text with no apostrophe is split into words
    exactly where such a phrase's words end, so one without every word of some phrase holds
    none: no scan of it (a pasted megabyte, a long line)."""
    if text.isascii() and "'" not in text and _case_sensitive(pattern) is not None:
        keys = _phrase_keys(pattern)
        if keys is not None:
            present = keys[0].intersection(words)
            if not any(phrase <= present for phrase in keys[1]):
                return []
    return [m.span() for m in cue_matches(pattern, text)]


_PHRASE_WORD = re.compile(r"[a-z0-9_]+")
_Keys = tuple[frozenset[str], tuple[frozenset[str], ...]]
_KEYS: dict[int, tuple[re.Pattern[str], _Keys | None]] = {}


def _phrase_keys(pattern: re.Pattern[str]) -> _Keys | None:
    r"""(all their words, each one's words) of the phrases of ``pattern`` that ASCII text without an
    apostrophe can match, when the pattern is ``(?<!\w)(?:phrase|…)(?!\w)`` of lower-case words
    joined by ``\s+``; ``None`` when it is not (no test can be made)."""
    known = _KEYS.get(id(pattern))
    if known is not None and known[0] is pattern:
        return known[1]
    if len(_KEYS) >= 64:
        _KEYS.clear()
    keys: _Keys | None = None
    source = pattern.pattern
    head, tail = "(?<!\\w)(?:", ")(?!\\w)"
    if source.startswith(head) and source.endswith(tail):
        body = source[len(head) : -len(tail)].replace("\\s+", " ")
        keys = None if "\\" in body else _phrase_words(body.split("|"))
    _KEYS[id(pattern)] = (pattern, keys)
    return keys


def _phrase_words(phrases: list[str]) -> _Keys | None:
    """The words of each phrase (split by a space) that can match ASCII text without an apostrophe,
    and all of them; ``None`` when a phrase has a word of other characters than ``[a-z0-9_]``."""
    found: list[frozenset[str]] = []
    for phrase in phrases:
        if "'" in phrase or not phrase.isascii():
            continue  # matches no such text (the case-sensitive twin equates no letter with ASCII)
        words = phrase.split(" ")
        if not all(_PHRASE_WORD.fullmatch(word) for word in words):
            return None
        found.append(frozenset(words))
    return frozenset().union(*found), tuple(found)


_TWINS: dict[int, tuple[re.Pattern[str], re.Pattern[str] | None]] = {}
"""id(pattern) -> (pattern, its twin): keyed by identity, as hashing a compiled pattern hashes its
whole program (25 µs for the problem cues' regex)."""


def _case_sensitive(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """``pattern`` (case ignored) without ``re.IGNORECASE``, to search lower-cased ASCII text: the same
    matches when its source has no capital letter (a cue regex is written in lower case) and no
    character that ignoring case would equate with an ASCII letter ("ſ", "ı", the Kelvin sign)."""
    known = _TWINS.get(id(pattern))
    if known is not None and known[0] is pattern:
        return known[1]
    if len(_TWINS) >= 64:
        _TWINS.clear()
    twin = case_sensitive_twin(pattern)
    _TWINS[id(pattern)] = (pattern, twin)
    return twin


def problem_positions(
    message: Message, rules: RuleSet, cues: CueReader, found: BlockerPhrases, every: bool = False
) -> list[int]:
    """Where a problem is said in a customer message: each problem cue, and the first sentence
    (``every``: each sentence) that says it in the blocker's own words ("nothing is at the
    door", "calls go straight to …")."""
    text = message.text
    at = (
        [m.start() for m in cue_matches(rules.cues["problem"], text.replace("’", "'"))]
        if cues.has("problem", text)
        else []
    )
    extra = found.labels(cues.words(text), "open_problem").get("open_problem")
    if extra is not None and not every:  # its first place is enough: the sentence around it is read
        at.append(char_offset(text.lower().replace("’", "'"), extra))
    elif extra is not None:
        at += [
            s for s, e in sentence_spans(text) if "open_problem" in found.in_text(text[s:e], "open_problem")
        ]
    at.sort()
    return at


def problem_sentences(
    message: Message, rules: RuleSet, cues: CueReader, phrases: DialoguePhrases, found: BlockerPhrases
) -> list[tuple[int, str]]:
    """The sentences of a customer message that state the problem, with where they start."""
    text = message.text.replace("’", "'")
    at = problem_positions(message, rules, cues, found, every=True)
    at += [m.start() for m in error_names(text)][:3]  # "blue-screens with DRIVER_IRQL_…"
    if not at:
        return []
    figures = phrase_spans(phrases.not_problem, text, cues.words(message.text))
    spans = list(sentence_spans(message.text))
    chosen: dict[int, str] = {}
    for position in sorted(at):
        if any(start <= position < end for start, end in figures):
            continue
        for start, end in spans:
            if start <= position < end or (position < start and not chosen):
                chosen.setdefault(start, unaddressed(" ".join(message.text[start:end].split())))
                break
    return sorted(chosen.items())


def with_problem(
    blocker: Blocker,
    problems: Sequence[tuple[int, Message]],
    rules: RuleSet,
    cues: CueReader,
    phrases: DialoguePhrases,
    found: BlockerPhrases,
) -> tuple[Blocker, str]:
    """Steps that did not help, after the problem they were meant to fix: the customer's first
    problem statement leads ("My voicemail stopped working … — still not working after 2 steps
    tried; latest: …"), with its next problem sentence when both are short. Also the lead."""
    for _, message in problems:
        sentences = [s for _, s in problem_sentences(message, rules, cues, phrases, found)]
        sentences = [s for s in sentences if not s.rstrip().endswith("?")][:2]
        if not sentences:
            continue
        if len(sentences) > 1 and len(sentences[0]) + len(sentences[1]) > 140:
            sentences = sentences[:1]
        problem = shorten(" ".join(sentences), 160).rstrip(" .")
        description = blocker.description
        if description.startswith("Customer tried: "):
            description = f"{problem} — tried: {description[len('Customer tried: ') :]}"
        else:
            description = f"{problem} — {description[:1].lower()}{description[1:]}"
        evidence = list(dict.fromkeys([message.id, *blocker.evidence]))[:MAX_EVIDENCE]
        return Blocker(description=shorten(description, 320), evidence=evidence), problem
    return blocker, ""


def with_reported_error(blocker: Blocker, problems: Sequence[tuple[int, Message]], lead: str = "") -> Blocker:
    """Failed steps say what was tried; add the error the customer reported, when they gave one
    (right after ``lead``, the problem statement, when the description starts with it)."""
    for _, message in reversed(problems):
        match = error_token(message.text)
        if match is None:
            continue
        sentence = shorten(sentence_at(message.text, match.start()), 160)
        if (
            sentence
            and sentence.rstrip(" .") not in blocker.description
            and match.group() not in blocker.description
        ):
            evidence = list(dict.fromkeys([message.id, *blocker.evidence[-(MAX_EVIDENCE - 1) :]]))
            text = blocker.description
            if lead and text.startswith(lead):
                description = shorten(f"{lead} — reported: {sentence}{text[len(lead) :]}", 360)
            else:
                description = shorten(f"{text} — reported: {sentence}", 320)
            return Blocker(description=description, evidence=evidence)
        break
    return blocker

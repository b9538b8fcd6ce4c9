"""Suggestions: the steps a bot or agent suggests in one message.

"Have you tried reinstalling the app?", "Please restart the router.", "You could try
clearing the cache, then re-pair it": an opener ("have you tried", "please", "you could
try"; per language, in ``rules/data/dialogue.toml``) or an imperative that opens a
sentence, before a step verb, is a suggested step. :mod:`.dialogue` reads each against
the customer's replies.
"""

from __future__ import annotations

import re

from ..models import Message
from .dialogue_data import DialoguePhrases
from .phrases import tokens
from .sentences import sentence_at
from .step_text import CLAUSE_END, TRY_WORDS, VAGUE, verb_base
from .step_text import clause as _clause
from .step_text import offset as _offset
from .step_text import stem_of as _stem

__all__ = ["SKIP_AFTER_OPENER", "chain_steps", "find_suggestions"]

SKIP_AFTER_OPENER = frozenset(
    {"please", "just", "also", "quickly", "maybe", "perhaps", "to", "kindly", "first"}
)


_PAST_QUESTION = frozenset({"have", "did"})  # "have you tried ...?" asks about the past


_SENTENCE_END = re.compile(r"[.!?\n]")


def find_suggestions(
    message: Message, words: list[str], phrases: DialoguePhrases, has_verb: bool = True
) -> list[tuple[int, bool, str]]:
    """``(char offset of the step, asks about the past, step text)`` for each suggestion."""
    trie, starts, seconds = phrases.opener_trie, phrases.suggestion_starts, phrases.opener_seconds
    message_text = message.text  # read once: a field of a pydantic model costs more than a local
    found: list[tuple[int, bool, str]] = []
    i, count = 0, len(words)
    last = count - 1
    # Only a head word (an opener's first word, an imperative) can start a suggestion, and the
    # first word of longer openers only before one of their second words: the others are passed
    # over at once (a plain comprehension: on 3.11 faster than picking in C with compress/map,
    # 2.8 vs 3.6 us a chat). ``i`` is where reading resumes after a suggestion.
    head_words = phrases.suggestion_heads
    heads = [
        k
        for k, word in enumerate(words)
        if word in head_words and (word in starts or (k < last and words[k + 1] in seconds[word]))
    ]
    for head in heads:
        if head < i:
            continue
        i = head
        node = trie.get(words[i])
        if node is None:
            if words[i] in phrases.imperatives and _opens_sentence(message_text, i):
                label, size = "request", 0  # "Actualiza la app a la versión 7.3.1"
            elif words[i] in phrases.sentence_imperatives and _imperative(message_text, words, i):
                label, size = "request", 0  # "Restart the router.", "… - rotate that password"
            else:
                continue
        else:
            label, size = None, 0
            end = i
            while node is not None:  # the longest opener that starts here
                end += 1
                if None in node:
                    label, size = node[None], end - i
                node = node.get(words[end]) if end < count else None
        if label is not None and words[i] in TRY_WORDS and i and words[i - 1] in _SUBJECTS:
            label = None  # "What happens when you try to activate?" suggests nothing
        if label is None or (label in ("request", "question") and not has_verb):
            continue
        if label == "imperative":  # the opener is the verb: "Nettoyez le port", "Starten Sie ..."
            if i and words[i - 1] in phrases.not_before_imperative:
                continue
            size = 0
        j = i + size
        while j < count and (words[j] in SKIP_AFTER_OPENER or words[j] in phrases.skip_words):
            j += 1
        past = words[i] in _PAST_QUESTION or words[i] in phrases.past_words
        if label == "late":  # the step verb may close the clause: "Haben Sie schon den Cache geleert?"
            found.extend(_late(message, words, j, past, phrases))
            i = j + 1
            continue
        if j < count and (words[j] in TRY_WORDS or words[j] in phrases.try_forms) and j + 1 < count:
            j += 1
        if j >= count:
            break
        filler = phrases.native_filler if words[j] in phrases.verb_bases else phrases.filler
        verb = words[j] in phrases.verb_bases or _stem(words[j]) in phrases.step_stems
        if not verb and words[j] in phrases.provide_verbs:
            verb = not phrases.artifacts.isdisjoint(words[j + 1 : j + 7])  # "send me the diagnostics bundle"
        if label == "question":  # "¿Ha limpiado el filtro?": its own language's verb, only asked
            at = _offset(message_text, j) if words[j] in phrases.verb_bases else None
            verb = at is not None and sentence_at(message_text, at).rstrip().endswith("?")
        if verb or (
            label == "suggestion" and any(w not in filler and w not in VAGUE for w in words[j : j + 6])
        ):
            start = _offset(message_text, j)
            if start is not None:
                prefix = "" if verb else phrases.prefixes.get(tuple(words[i : i + size]), "try ")
                text = _clause(message_text, start, CLAUSE_END, prefix)
                if " " not in text.strip() and phrases.clause_links:
                    text = _linked(message_text, start, text, phrases)
                if " " in text.strip() and any(w not in VAGUE for w in words[j : j + 4]):
                    step = _named_step(message_text, start, text, bool(found))
                    if step is not None:
                        found.append((start, past or label == "question", step))
            i = j + 1
        else:
            i += size or 1
    return found


_LINK = re.compile(r"https?://\S+|www\.\S+")
_LINK_WORDS = frozenset({"https", "http", "www"})
_GUIDE_WORDS = frozenset({"steps", "step", "these", "this", "here", "following", "troubleshooting"})
_DIRECT_MESSAGE = frozenset({"dm", "dms", "dm's"})
_ONLY_DIRECT_MESSAGE = _DIRECT_MESSAGE | frozenset(
    """follow and us please check your for further more instructions details when you get a chance then via
    in with send me our""".split()
)


def _named_step(text: str, start: int, step: str, after_step: bool) -> str | None:
    """``step`` as the note should show it, or ``None`` when it names nothing to do: "try again"
    after a step of the same message ("power cycle the router and try again"), or "follow and
    DM us" (a move to private messages, not a step). A guide given by its link ("try these
    steps: https://t.co/x", "try: https://t.co/x") is named by the link: "try the linked steps
    https://t.co/x"."""
    words = tokens(step)
    if not _DIRECT_MESSAGE.isdisjoint(words) and _ONLY_DIRECT_MESSAGE.issuperset(words):
        return None
    rest = [w for w in words if w not in VAGUE and w not in TRY_WORDS]
    if rest and rest[0] not in _LINK_WORDS:
        return step
    link = _LINK.search(text, start)
    if link is None or link.start() - start > 40 or (not rest and _GUIDE_WORDS.isdisjoint(words)):
        return None if after_step else step
    return f"{step[:4] if step[:3].lower() == 'try' else ''}the linked steps {link.group().rstrip('.,;:)')}"


def _linked(text: str, start: int, clause: str, phrases: DialoguePhrases) -> str:
    """A one-word step that a subordinate clause completes: "testen, ob es mit WLAN geht"."""
    rest = text[start + len(clause) :].lstrip(" ,")
    head = tokens(rest[:20])[:1]
    if head and head[0] in phrases.clause_links:
        return _clause(text, start, _SENTENCE_END)
    return clause


def _late(
    message: Message, words: list[str], j: int, past: bool, phrases: DialoguePhrases
) -> list[tuple[int, bool, str]]:
    """The step after a late-verb opener, when its clause holds a step verb or participle."""
    start = _offset(message.text, j) if j < len(words) else None
    if start is None:
        return []
    text = _clause(message.text, start, _SENTENCE_END)
    clause_words = tokens(text)
    stems, participles = phrases.step_stems, phrases.attempt_words
    if len(clause_words) < 2 or not any(w in participles or _stem(w) in stems for w in clause_words):
        return []
    return [(start, past, text)]


_SUBJECTS = frozenset({"you", "i", "we", "they", "u", "he", "she"})


_NOT_AFTER_IMPERATIVE = frozenset("is are was were will has have had of to and or".split())


def _imperative(text: str, words: list[str], index: int) -> bool:
    """An English step verb that opens a sentence or follows a dash, before its object: a step."""
    if index + 1 >= len(words) or words[index + 1] in _NOT_AFTER_IMPERATIVE:
        return False
    start = _offset(text, index)
    if start is None:
        return False
    after = text[start : start + 24].split(" ", 1)[0]
    if after.endswith((":", "?")):  # "Update: …", a heading
        return False
    before = text[:start].rstrip(" \t\"'“”¡¿")
    return not before or before[-1] in ".!?:\n-–—•*"


def _opens_sentence(text: str, index: int) -> bool:
    """Whether the ``index``-th token starts a sentence (or the message)."""
    start = _offset(text, index)
    if start is None:
        return False
    before = text[:start].rstrip(" \t\"'“”¡¿")
    return not before or before[-1] in ".!?:\n"


_THEN = re.compile(r"(?:,\s*|\s+)(?:and\s+)?then\s+", re.IGNORECASE)


def chain_steps(message: Message, found: list[tuple[int, bool, str]], phrases: DialoguePhrases) -> None:
    """Add the steps chained after a suggested one: "hold the reset button…, then re-pair it"."""
    text = message.text
    for start, past, _ in list(found):
        stop = CLAUSE_END.search(text, start + 1)
        match = _THEN.match(text, stop.start()) if stop else None
        if match is None:
            continue
        after = match.end()
        words = tokens(text[after : after + 40])
        if words and words[0] == "re" and len(words) > 1:
            words = [f"re{words[1]}", *words[2:]]
        if words and verb_base(words[0], phrases):
            found.append((after, past, _clause(text, after, CLAUSE_END)))

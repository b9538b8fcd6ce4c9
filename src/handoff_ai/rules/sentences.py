"""Sentence boundaries in chat text, without cutting a value in half.

Every stage that quotes a customer or an agent (summary, blocker, actions,
history) needs a whole sentence, never "1 the app crashes" out of "Since
version 2.3.1 the app crashes" or "$84" out of "$84.50". A boundary is a
terminator (``.``, ``!``, ``?``, ``…``, a run of them, with closing quotes or
brackets) followed by white space or the end, or a line break; so a period
inside a token — decimals, versions, amounts, emails, URLs, ids, times — is
never one. A period after a known abbreviation ("Dr.", "e.g.", "No. 5", "a.m.")
or an initial ("J. Smith") is not one either, and a line break inside a
wrapped line (the next line goes on in lower case) is joined.

Why not a library: pysbd, syntok and blingfire were measured on ABCD and
TweetSumm messages (``docs/rules.md``, *Sentences*): pysbd costs about a
millisecond per message, the whole rules engine's budget for a conversation,
and the others still split chat text at line-internal values or need a
native wheel. One compiled regex over candidate terminators and a dictionary
check per period keeps this at a few microseconds per message.
"""

from __future__ import annotations

import re

__all__ = [
    "MAX_DESCRIPTION",
    "ends_before",
    "first_sentence",
    "sentence_at",
    "sentence_spans",
    "sentences",
    "shorten",
    "split_sentences",
    "unaddressed",
]

# A candidate end: terminators with closing quotes/brackets, then white space or the end
# (a CJK full stop needs none); or a line break. A period inside a token never matches.
_END = re.compile(r"[。！？]+[」』）]*|[.!?…]+[\"'”’)\]»]*(?=\s|$)|\n")
# The same ends in ASCII text (no CJK or curly closers there), led by one character class: Python's
# ``re`` then skips in C to the next ".", "!", "?" or line break, where ``_END`` tries its three
# branches at every position (about 8x slower on chat text). After a line break the empty
# look-behind branch matches it alone, as ``_END``'s last branch does.
_ASCII_END = re.compile(r"[.!?\n](?:(?<=\n)|[.!?]*[\"')\]]*(?=\s|$))")

# Never the end of a sentence: a title, a Latin abbreviation, "vs.".
_NEVER_ENDS = frozenset(
    """mr mrs ms mx dr prof sr jr st mt ft rev gen col lt sgt capt hon e.g eg i.e ie cf vs viz approx
    appt apt dept est misc attn incl min max avg no.of""".split()
)
# Not an end when a number follows ("No. 5", "ext. 204", "Ref. 1234", "p. 12").
_BEFORE_NUMBER = frozenset("no nos nr num ref ext tel ph p pp pg vol sec art fig ch acct inv ord op".split())
# Not an end when a lower-case word follows ("etc. and", "Inc. has", "approx. two").
_BEFORE_LOWER = frozenset(
    """etc inc ltd co corp llc plc bros jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed
    thu thur thurs fri sat sun a.m p.m am pm u.s u.k e.u""".split()
)
_INITIAL = re.compile(r"^(?:[A-Za-z]\.)*[A-Z]$")  # "J" of "J. Smith", "U.S" of "U.S."
_LIST_MARK = re.compile(r"(?:^|\n)[ \t]*\d{1,2}$")  # "1." starting a line: a list item
_MAX_SHORT = 200
MAX_DESCRIPTION = 160
"""How long a quoted action or blocker may be."""
_CLOSERS = ".!?…。！？\"'”’)]»」』）"
_ANY_END = re.compile(r"[.!?…。！？]")
_ALWAYS_ENDS = "!?。！？"  # a run starting with one of these always closes a sentence (``_is_end``)
_WRAPPED = 50  # a line this long that breaks mid-sentence was wrapped (e-mail)


_TERMINATOR_AT_END = re.compile(r"[.!?…]+[\"'”’)\]»]*$")


def ends_before(word: str, following: str) -> bool:
    """Whether ``word`` (a piece of text split on spaces) closes a sentence before ``following`` (the
    next piece): ``_is_end`` on the two, so "Mr.", "e.g.", "5 p.m. my time" and "tried... my" do not."""
    terminator = _TERMINATOR_AT_END.search(word)
    if terminator is None:
        return False
    # a word in front, so that a number closing a sentence ("flight 52. My name…") is not read as
    # a list marker opening a line
    return _is_end(f"_ {word} {following}", terminator.start() + 2, terminator.end() + 2)


def _is_end(text: str, start: int, end: int) -> bool:
    """Whether the terminator ``text[start:end]`` really closes a sentence."""
    if text[start] != "." or end - start > 1:  # "!", "?", "...", "?!", '."' close (an ellipsis: below)
        if text.startswith("...", start) or text[start] == "…":
            following = text[end : end + 2].lstrip()
            return not following[:1].islower()  # "I tried... it didn't" goes on
        return True
    begin = max(text.rfind(" ", 0, start), text.rfind("\n", 0, start), text.rfind("\t", 0, start)) + 1
    raw = text[begin:start].lstrip("(\"'“‘[")
    if not raw:
        return True
    word = raw.lower()
    following = text[end : end + 3].lstrip()[:1]
    if word in _NEVER_ENDS:
        return False
    if word in _BEFORE_NUMBER and following.isdigit():
        return False
    initial = len(raw) <= 7 and _INITIAL.match(raw) is not None
    if following.islower() and (word in _BEFORE_LOWER or initial):
        return False
    if initial and len(raw) == 1 and following.isupper():
        return False  # "J. Smith"; a one-letter sentence end is rarer than an initial
    return not (word.isdigit() and len(word) <= 2 and _LIST_MARK.search(text, max(begin - 8, 0), start))


def split_sentences(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text``, white space trimmed, in order.

    Spans cover every non-blank character of ``text`` exactly once; a text with
    no terminator is one sentence. Deterministic, linear in the length.
    """
    spans: list[tuple[int, int]] = []
    if "\n" not in text and not _ANY_END.search(text.rstrip().rstrip(_CLOSERS)):
        _add(text, 0, len(text), spans)  # no terminator before the end: one sentence (most chat lines)
        return spans
    start = 0
    for match in (_ASCII_END if text.isascii() else _END).finditer(text):
        begin, cut = match.span()
        char = text[begin]
        if char == "\n":
            if _joins_line(text, begin):
                continue
            cut = begin
        elif char not in _ALWAYS_ENDS and not _is_end(text, begin, cut):
            continue
        piece = text[start:cut]  # as ``_add``, inlined: a few calls per message
        kept = piece.strip()
        if kept:
            first = start + len(piece) - len(piece.lstrip())
            spans.append((first, first + len(kept)))
        start = match.end()
    _add(text, start, len(text), spans)
    return spans


def _joins_line(text: str, newline: int) -> bool:
    """A line wrapped mid-sentence: a long line ending on a word, the next going on in lower case."""
    line_start = text.rfind("\n", 0, newline) + 1
    if newline - line_start < _WRAPPED:
        return False  # short lines are list items and chat lines, each its own sentence
    after = text[newline + 1 : newline + 3].lstrip(" \t")
    return after[:1].islower() and text[newline - 1 : newline].isalnum()


def _add(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    piece = text[start:end]
    kept = piece.strip()
    if kept:
        start += len(piece) - len(piece.lstrip())
        spans.append((start, start + len(kept)))


sentence_spans = split_sentences  # the name the action and blocker modules use


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` as strings (inner white space kept)."""
    return [text[a:b] for a, b in split_sentences(text)]


def shorten(text: str, limit: int = _MAX_SHORT) -> str:
    """``text`` on one line, cut at a word boundary with "…" when longer than ``limit``."""
    words = text.split(None, limit + 1) if limit > 0 else text.split()
    if len(words) > limit + 1 > 1:
        # ``limit + 1`` words take more than ``limit`` characters: the rest of a long paste
        # (the last item, unsplit) cannot change the cut, so it is neither split nor joined.
        words.pop()
    text = " ".join(words)
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    head = text[: cut if cut > limit // 2 else limit - 1].rstrip(" ,;:-–—")
    return head + "…"


_LEADING_HANDLES = re.compile(r"(?:@\w+[:,]?\s+)+")


def unaddressed(sentence: str) -> str:
    """``sentence`` without the @handles a social post opens with ("@AskPlayStation I cannot log
    in"): they address the post, and a note that quotes it needs only what was said."""
    if sentence[:1] != "@":
        return sentence
    head = _LEADING_HANDLES.match(sentence)
    return sentence[head.end() :] if head is not None and head.end() < len(sentence) else sentence


def sentence_at(text: str, position: int, limit: int = _MAX_SHORT) -> str:
    """The sentence of ``text`` that holds ``position`` (shortened to ``limit``; without the
    @handles it opens with)."""
    spans = split_sentences(text)
    for start, end in spans:
        if position < end:  # inside this sentence, or in the white space just before it
            return shorten(unaddressed(text[start:end]), limit)
    return shorten(unaddressed(text[spans[-1][0] : spans[-1][1]]), limit) if spans else ""


_GREETING_ONLY = re.compile(
    r"^\s*(?:hi|hello|hey|hiya|good\s+(?:morning|afternoon|evening|day)|greetings|ok(?:ay)?|yes|no|thanks?|"
    r"thank\s+you|sure|hola|bonjour|hallo)(?:\s+(?:there|team|all|guys|folks))?[\s!.,]*$",
    re.IGNORECASE,
)


def first_sentence(text: str, limit: int = _MAX_SHORT) -> str:
    """The first sentence that says something (a lone "Hi!" is skipped)."""
    spans = split_sentences(text)
    for start, end in spans:
        sentence = unaddressed(text[start:end])
        if not _GREETING_ONLY.match(sentence):
            return shorten(sentence, limit)
    return shorten(unaddressed(text[spans[0][0] : spans[0][1]]), limit) if spans else ""

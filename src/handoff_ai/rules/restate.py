"""Restating chat text for a summary: third person, without handles, links or filler.

The summary quotes no one: it gives the conversation's own words in the third
person ("my order" → "their order"; in an agent's sentence "you" → "the
customer"), by a fixed table, so the same words always come out the same. Before
that, ``clean`` drops what a reader of the note does not need: Twitter handles,
links, emoji, agent signatures ("^KJ"), list markers and leading filler ("ok,",
"hi team").
"""

from __future__ import annotations

import re
from itertools import compress, repeat

from .lowered_twins import lowered_twin
from .sentences import ends_before

__all__ = [
    "CLOSING",
    "CLOSING_WORDS",
    "EDGE",
    "FILLER_FIRST",
    "clean",
    "closing_in_lowered",
    "first_word",
    "strip_signature",
    "third_person",
]

_MENTION = re.compile(r"(?<![\w.@])@\w+[:,]?")
_URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE)
_SIGNATURE = re.compile(
    r"(?:\s*\^\s?[A-Z][A-Za-z]{0,5}\.?|\s+[-–—~]\s?[A-Z][A-Za-z]{0,3}\.?|\s+/[A-Z]{1,3}\.?"
    r"|(?<=[.!,\s])(?i:thanks|thank\s+you|cheers|regards)[!.,]?\s*[-–—~]\s?[A-Z][A-Za-z]{0,10}\.?)+\s*$"
)
"""An agent's signature closing a post: "^KJ", "-Bob", "/DF", glued on too ("…help.^Raj"), or after
a sign-off ("…change.Thanks- Ed")."""
_MARKER = re.compile(r"^\s*(?:\(?\d{1,2}[.)]|[-*•])\s+")  # "(2) ", "1. ", "- " starting a line
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u200b-\u200d\ufe0f]+")
_FILLER = re.compile(
    r"^(?:(?:(?:hi|hello|hey)\s+\w+(?=\s*,)|hi|hello|hey|hiya|ok(?:ay)?|so|well|yes|yeah|yep|um+|uh+|oh|ah|hmm+|greetings|good\s+"
    r"(?:morning|afternoon|evening|day)|dear\s+\w+|got\s+it|right|great|thanks|thank\s+you|sure|perfect|"
    r"awesome|alright|excellent|wonderful|cool|certainly|absolutely|omg|ugh|wow|yup|oops|darn|dang|geez|gosh|"
    r"whoa|welp|lol)"
    r"(?:\s+(?:there|team|all|guys|folks|again))?\b[\s,!.:;-]*)+",
    re.IGNORECASE,
)
_FILLER_LOW = lowered_twin(_FILLER)
"""``_FILLER`` for lower-cased ASCII text: the same match, case-sensitive (cheaper)."""
CLOSING = re.compile(
    r"\bhave\s+an?\s+(?:\w+\s+){0,2}(?:day|evening|night|weekend|afternoon|morning|week|holiday|one)\b|"
    r"\b(?:is|was)\s+there\s+(?:\w+\s+){0,3}(?:anything|something)\s+(?:else|more)\b|"
    r"\b(?:will\s+there\s+be|can\s+i|could\s+i|may\s+i|do\s+you\s+need|help\s+(?:you\s+)?(?:out\s+)?with)\s+"
    r"(?:\w+\s+){0,3}(?:anything|something)\s+else\b|"
    r"\b(?:you['’]?re|your|you\s+are)\s+(?:so\s+|very\s+|most\s+|quite\s+|more\s+than\s+)?welcome\b|"
    r"\b(?:my|a|our)\s+pleasure\b|\bhope\s+you\s+have\b|"
    r"\b(?:good\s*-?\s*)?bye\b|\btake\s+care\b(?!\s+of)|\bsee\s+you\s+(?:soon|later|next|again|tomorrow)\b|"
    r"\bthanks?(?:\s+you)?\s+(?:so\s+much\s+)?for\s+(?:contacting|reaching|shopping|choosing|being|your\s+"
    r"(?:patience|business|patronage|message|time|understanding))",
    re.IGNORECASE,
)
"""A closing courtesy anywhere in a sentence ("Okay, then have a nice day", "Thanks for reaching
out and have a great day", "can I help out with anything else?", "Ok great, goodbye!", "take care"
but not "we'll take care of it"): where the case stands is never
in it. Also ends a statement of work: "Your ride has been booked, is there anything
else I can do for you?" is work done."""
_CLOSING_LOW = lowered_twin(CLOSING)
CLOSING_WORDS = ("have", "thing", "welcome", "pleasure", "thank", "bye", "care", "see")
"""One of these is in every branch of ``CLOSING`` (as written in its pattern)."""


def closing_in_lowered(low: str) -> bool:
    """``CLOSING.search(text) is not None`` for ASCII ``text``, given ``low = text.lower()``.

    Every branch of ``CLOSING`` holds one of ``CLOSING_WORDS`` ("anything" and "something" share
    "thing"; tests/test_speed5_summary.py checks each branch): most sentences hold none, and are
    let go by a few substring tests instead of a case-ignoring search that tries every position
    (four times as costly)."""
    if not (
        "have" in low
        or "thing" in low
        or "welcome" in low
        or "pleasure" in low
        or "thank" in low
        or "bye" in low
        or "care" in low
        or "see" in low
    ):  # CLOSING_WORDS, spelled out: eight substring tests, no generator
        return False
    if _CLOSING_LOW is None:  # pragma: no cover - CLOSING is written so that it has a twin
        return CLOSING.search(low) is not None
    return _CLOSING_LOW.search(low) is not None


_MARKER_START = frozenset("(0123456789-*•")
FILLER_FIRST = frozenset(
    """hi hello hey hiya ok okay so well yes yeah yep um umm uh uhh oh ah hmm greetings good dear got right
    great thanks thank sure perfect awesome alright excellent wonderful cool certainly absolutely omg ugh wow
    yup oops darn dang geez gosh whoa welp lol""".split()
)

# First person -> third person (the customer, or the agent's team); replacements are lower case.
_CUSTOMER_WORDS = {
    "i": "they", "i'm": "they're", "im": "they're", "i've": "they've", "ive": "they've", "i'll": "they'll",
    "i'd": "they'd", "me": "them", "my": "their", "mine": "theirs", "myself": "themselves", "we": "they",
    "we're": "they're", "we've": "they've", "we'll": "they'll", "we'd": "they'd", "us": "them",
    "our": "their", "ours": "theirs", "ourselves": "themselves", "am": "are",
}  # fmt: skip
_AGENT_WORDS = {
    **_CUSTOMER_WORDS,
    "you": "the customer", "your": "their", "yours": "theirs", "yourself": "themselves",
    "you're": "the customer is", "youre": "the customer is", "you've": "the customer has",
    "you'll": "the customer will", "you'd": "the customer would", "u": "the customer", "ur": "their",
}  # fmt: skip


def third_person(text: str, *, agent: bool = False) -> str:
    """``text`` with first-person words in the third person (and, for an agent, "you" as the customer).

    Words are the text's space-separated pieces without surrounding punctuation, so
    ``me@example.com`` or ``a.me.com`` is never a pronoun; "US" in capitals (the
    country) is left alone.
    """
    table = _AGENT_LOOKUP if agent else _CUSTOMER_LOOKUP
    # each word's core lower-cased, as ``word.strip(EDGE).lower()``, with no Python step a word
    # (lower-casing neither makes nor removes a space or an EDGE character)
    keys = list(map(str.strip, text.lower().split(" "), repeat(EDGE)))
    hits = list(compress(range(len(keys)), map(table.__contains__, keys)))
    if not hits:
        return text
    words = text.split(" ")
    for index in reversed(hits):  # "am" before the "I" in front of it changes
        core = words[index].strip(EDGE)
        key = keys[index]
        if core == "US" or (key == "am" and (index == 0 or keys[index - 1] != "i")):
            continue  # the country; "am" only after "I"
        new = table[key]
        if index and ends_before(words[index - 1], core):  # "…today. I need" -> "…today. They need"
            new = new[0].upper() + new[1:]
        words[index] = words[index].replace(core, new, 1)
    text = " ".join(words)
    if "hey was" in text:
        text = text.replace("they was", "they were").replace("They was", "They were")
    if agent and "the customer " in text and _may_agree(text):
        text = _AGREE.sub(_agree, text)  # "you are" -> "the customer is", "do you" -> "does the customer"
    return text


def _may_agree(text: str) -> bool:
    """Whether ``_AGREE`` may match ``text``: on ASCII text its lower-case twin is asked first, as
    most agent sentences with "the customer" in them need no verb changed ("…sent the customer a
    link") and the case-ignoring substitution costs several times the twin's search."""
    if _AGREE_LOW is None or not text.isascii():
        return True
    return _AGREE_LOW.search(text.lower()) is not None


_CAUSATIVE_BEFORE = ("'ll ", "’ll ", "will ", "would ", "to ", "can ", "could ", "must ", "let me ")


def _agree(match: re.Match[str]) -> str:
    """The verb agreeing with "the customer" — except a causative "have": "I'll have you try"
    is "they'll have the customer try", not "has"."""
    key = match.group(0).lower()
    before = match.string[max(0, match.start() - 8) : match.start()].lower()
    if key == "have the customer" and before.endswith(_CAUSATIVE_BEFORE):
        return match.group(0)
    if key.startswith("the customer ") and before.endswith(_AUXILIARY_BEFORE):
        return match.group(0)  # "did you have" -> "did the customer have", not "has"
    return _AGREEMENT[key]


_AUXILIARY_BEFORE = ("did ", "does ", "do ", "will ", "would ", "can ", "could ", "should ", "may ", "might ")
"""Words before "the customer" that keep its verb bare ("does the customer need")."""


_AGREEMENT = {
    "the customer are": "the customer is", "the customer were": "the customer was",
    "the customer have": "the customer has", "the customer don't": "the customer doesn't",
    "the customer do": "the customer does", "do the customer": "does the customer",
    "are the customer": "is the customer", "were the customer": "was the customer",
    "have the customer": "has the customer", "the customer need": "the customer needs",
    "the customer want": "the customer wants",
}  # fmt: skip
_AGREE = re.compile("|".join(rf"\b{re.escape(k)}\b" for k in _AGREEMENT), re.IGNORECASE)
_AGREE_LOW = lowered_twin(_AGREE)


EDGE = '.,;:!?()[]{}"“”‘*…-–—'  # punctuation around a word (apostrophes belong to it: "I'm")


def _lookup(table: dict[str, str]) -> dict[str, str]:
    """``table`` with each key also under curly and backtick apostrophes ("I’m", "I`m")."""
    found = dict(table)
    for key, value in table.items():
        if "'" in key:
            found[key.replace("'", "’")] = found[key.replace("'", "`")] = value
    return found


_CUSTOMER_LOOKUP = _lookup(_CUSTOMER_WORDS)
_AGENT_LOOKUP = _lookup(_AGENT_WORDS)


def clean(text: str) -> str:
    """Message text fit to quote in a summary: no handles, links, emoji, signatures or leading filler."""
    if "@" in text:
        text = _MENTION.sub("", text)
    if "http" in text or "www." in text:
        text = _URL.sub("", text)
    if not text.isascii():
        text = _EMOJI.sub("", text)
    text = " ".join(text.split())
    text = strip_signature(text)
    if text[:1] in _MARKER_START:
        text = _MARKER.sub("", text)
    if text[:12].split(" ", 1)[0].rstrip(",.!:;-").lower() in FILLER_FIRST:  # :func:`first_word`
        if _FILLER_LOW is not None and text.isascii():
            found = _FILLER_LOW.match(text.lower())
            text = text[found.end() :] if found is not None else text
        else:
            text = _FILLER.sub("", text)
    return text.strip(" ,;:-–—")


def strip_signature(text: str) -> str:
    """``text`` without the agent's signature at its end ("…asap ^HP" -> "…asap"); most texts end with
    none of its marks and are left at once."""
    tail = text[-8:]
    if "^" in tail or "-" in tail or "~" in tail or "/" in tail or not tail.isascii():
        return _SIGNATURE.sub("", text).rstrip()
    return text


def first_word(text: str) -> str:
    return text[:12].split(" ", 1)[0].rstrip(",.!:;-").lower()

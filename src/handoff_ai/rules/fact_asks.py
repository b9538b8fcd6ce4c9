"""What a bot or agent turn asks the customer for: the kinds of value its question names.

Fact extraction reads a customer reply as the answer to the last question ("Could I get your
zip code?" / "14224"), so it needs the kinds each support turn asks for. Those are read from
the turn's tokens: ask phrases matched leftmost-longest by words (``ASK_PHRASES``, plus each
language's ``[facts.asks]``), and a single cue or a long statement only counts when a request
word or "?" makes it a question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from .fact_language import fact_words
from .phrases import PhraseIndex, scan_longest

__all__ = ["ASK_PHRASES", "SECRET_KINDS", "asked_kinds"]


SECRET_KINDS = frozenset(
    {"pin", "password", "security_answer", "code", "card_number", "secret", "cvv", "api_key"}
)


# Question cues -> the kind of value asked for. Matched leftmost-longest by words,
# so "user name" is a username and "email address" an email, never a name or an address.
ASK_PHRASES: dict[str, tuple[str, ...]] = {
    "username": ("user name", "username", "user id", "userid", "login id", "login name"),
    "email": ("email", "e mail", "email address", "e mail address"),
    "phone": ("phone", "phone number", "mobile", "cell", "telephone", "contact number"),
    "postal_code": ("zip", "zipcode", "zip code", "postal", "postal code", "post code", "postcode"),
    "account_id": (
        "account id", "account number", "account no", "account num", "accountid", "customer id",
        "customer number", "member id", "member number", "acct",
    ),
    "order_id": ("order id", "order number", "order no", "order num", "orderid"),
    "tracking_number": ("tracking",),
    "ticket_id": ("ticket id", "ticket number", "ticket no", "case id", "case number", "case no"),
    "date_of_birth": ("date of birth", "birth date", "birthdate", "birthday", "dob"),
    "pin": ("pin",),
    "password": ("password", "passcode"),
    "security_answer": (
        "security question", "security questions", "security answer", "maiden name", "mother's maiden name",
        "first pet", "pet's name", "pets name", "childhood", "first school", "street you grew", "pet",
        "as a child", "favorite color", "favourite colour", "favorite food", "favorite teacher",
        "favorite movie", "favorite book",
    ),
    "code": (
        "verification code", "one time code", "onetime code", "access code", "security code",
        "authentication code", "auth code", "2fa code", "sms code", "door code", "lock code", "entry code",
        "clearance code", "the code", "your code", "a code",
    ),
    "name": ("name",),
    "day": ("day", "what day", "which day"),
    "date": ("date",),
    "time": ("time", "what time", "which time", "when"),
    "city": ("city", "town"),
    "address": ("address",),
    "place": ("where", "location", "destination"),
    "room_number": ("room",),
    "membership": ("membership", "member level", "membership level", "tier", "member", "members"),
}  # fmt: skip


_ASKS = PhraseIndex(ASK_PHRASES)


def _keys(index: PhraseIndex) -> frozenset[str]:
    """The last word of every phrase of ``index``: a turn whose words hold none of them matches
    no phrase (a match holds all its phrase's words), so it asks for nothing. The last word is
    the phrase's noun as a rule ("zip code", "the code", "what day"): on ABCD dev, 6,139 of 9,600
    support turns hold a first word ("the", "your", "what", "a"), 3,573 a last word."""
    return frozenset(words[-1] for _, words in index.phrase_words())


_ASK_KEYS = _keys(_ASKS)


_REQUEST = re.compile(
    r"\?|\b(?:please|provide|need|confirm|verify|enter|share|give|tell|what|may\s+i|can\s+i|could\s+i|"
    r"could\s+you|can\s+you|type|send|get|getting|let\s+me|know|start\s+by|your\s+full)\b",
    re.IGNORECASE,
)


_REQUEST_WORDS = frozenset(
    "please provide need confirm verify enter share give tell what type send get getting know".split()
)


_REQUEST_PAIRS = frozenset("may can could let start your".split())
"""``_REQUEST``'s words, and the first words of its two-word requests ("can you", "let me")."""


def _requests(text: str, words: Sequence[str]) -> bool:
    """``_REQUEST.search(text) is not None`` (``words``: ``tokens(text)``), read from the tokens
    on ASCII text: there each of its words is a whole run of word characters, that is a token or
    a part of one between apostrophes; only a two-word request's first word sends it to the regex."""
    if "?" in text:
        return True
    if not text.isascii():
        return _REQUEST.search(text) is not None
    parts = words if "'" not in text else [part for word in words for part in word.split("'")]
    if not _REQUEST_WORDS.isdisjoint(parts):
        return True
    return not _REQUEST_PAIRS.isdisjoint(parts) and _REQUEST.search(text) is not None


_MAX_VERBLESS_ASK = 10
"""Words in the longest message read as a question without "?" or a request word."""


@lru_cache(maxsize=32)
def _asks(languages: tuple[str, ...]) -> tuple[PhraseIndex, PhraseIndex | None, frozenset[str]]:
    """The ask index for a turn in ``languages``: English's, plus those languages' phrases,
    and their request words; and the last words of its phrases (a turn with none asks nothing)."""
    local = [fact_words()[code] for code in languages if code in fact_words()]
    if not local:
        return _ASKS, None, _ASK_KEYS
    kinds = {**ASK_PHRASES, **{kind: () for words in local for kind in words.asks}}
    merged = {
        kind: (*ASK_PHRASES.get(kind, ()), *(p for words in local for p in words.asks.get(kind, ())))
        for kind in kinds
    }
    requests = PhraseIndex({"request": [p for w in local for p in w.request_phrases]})
    index = PhraseIndex(merged)
    return index, requests, _keys(index)


def asked_kinds(text: str, words: Sequence[str], language: str | tuple[str, ...] | None = None) -> list[str]:
    """The kinds of value a bot/agent turn asks for (``words``: its ``tokens``).

    ``language``: the turn's language(s); their ``[facts.asks]`` and request words are read too.
    """
    codes = (language,) if isinstance(language, str) else tuple(language or ())
    index, local, keys = _asks(codes)
    if keys.isdisjoint(words):  # most turns: no phrase's last word at all
        return []
    kinds: list[str] = []
    for _, kind in scan_longest(index, words):
        if kind not in kinds:
            kinds.append(kind)
    if not kinds:
        return []
    # "Your name, username and order id" asks without a verb; one cue needs one, and a
    # long statement ("no room is available at the Old Town Inn") asks nothing.
    if ((len(kinds) < 2 and kinds[0] not in SECRET_KINDS) or len(text.split()) > _MAX_VERBLESS_ASK) and not (
        _requests(text, words) or (local is not None and bool(local.scan(words)))
    ):
        return []
    if "security_answer" in kinds and "name" in kinds:  # "the name of your first pet" is the secret
        kinds.remove("name")
    return kinds

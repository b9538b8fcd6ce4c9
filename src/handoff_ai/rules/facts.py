"""Facts the customer already gave: the "do not ask again" list.

Two sources:

* typed recognizers over each customer message (emails, ids, dates, ...);
* question context: when the bot or agent asks for something ("Could I get your
  zip code?"), the customer's reply until the next bot/agent turn is read as the
  answer, so a bare "14224" becomes a postal code and "David Williams" a name.

Every value is an exact substring of the message it cites. Secrets (PINs,
passwords, security answers, one-time codes, full card numbers) become facts
with ``value=None, withheld=True`` and their values are remembered so no other
part of the record can repeat them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from weakref import WeakKeyDictionary

from ..models import Conversation, Fact, Message
from .agent_facts import AgentFacts
from .fact_language import FactWords, fact_words, secret_labels
from .lowered_twins import lowered_twin
from .phrases import CueReader, PhraseIndex, scan_longest, tokens
from .prechecks import GuardedPattern
from .recognizer_set import RecognizerSet
from .recognizers import STOPWORDS, Recognizer, Span, is_placeholder
from .stated_facts import StatedFacts

__all__ = [
    "ASK_PHRASES",
    "GENERIC_KINDS",
    "SECRET_KINDS",
    "FactResult",
    "asked_kinds",
    "extract_facts",
    "normalize",
]

SECRET_KINDS = frozenset(
    {"pin", "password", "security_answer", "code", "card_number", "secret", "cvv", "api_key"}
)
GENERIC_KINDS = frozenset({"number", "id", "reference"})

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


def _heads(phrases: Mapping[str, Iterable[str]]) -> frozenset[str]:
    """The first words of ``phrases``: where ``scan_longest`` can find one."""
    return frozenset(words[0] for group in phrases.values() for p in group if (words := tokens(p)))


_ASK_HEADS = _heads(ASK_PHRASES)
_REQUEST = re.compile(
    r"\?|\b(?:please|provide|need|confirm|verify|enter|share|give|tell|what|may\s+i|can\s+i|could\s+i|"
    r"could\s+you|can\s+you|type|send|get|getting|let\s+me|know|start\s+by|your\s+full)\b",
    re.IGNORECASE,
)
# A split starts only at the first white space of a run, so long runs of spaces
# (a masked span, padding) are scanned once, not once per position.
_SEGMENT_SPLIT = re.compile(r"[,;\n]|(?<!\s)\s+(?:and|also|&)\s+|(?<!\s)\s+-\s+|\.\s+")
_FILLER_HEAD = re.compile(
    r"^\s*(?:(?:sure|yes|yeah|yep|yup|yea|ok(?:ay)?|hi|hello|hey|of\s+course|certainly|here\s+you\s+go|here\s+it\s+is|"
    r"no\s+problem|thanks?|thank\s+you|well|um+|uh+|good|fine|great|alright|all\s+right)\b[\s,.!:-]*)*"
    r"(?:(?:my|the|our)\s+(?:full\s+|first\s+|last\s+)?(?:name|username|user\s+name|account(?:\s+(?:id|number))?|"
    r"order(?:\s+(?:id|number))?|zip(?:\s+code)?|postal\s+code|e-?mail(?:\s+address)?|phone(?:\s+number)?|"
    r"number|pin|password|id|city|address|location|membership(?:\s+level)?)s?\b\s*(?:is|are|:|would\s+be)?\s*)?"
    r"(?:(?:it'?s|it\s+is|it\s+was|that'?s|that\s+is|that\s+was|i'?m|i\s+am|this\s+is|is|was|im)\s+)?",
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


_FILLER_TWIN = lowered_twin(_FILLER_HEAD, allow_empty=True)
"""``_FILLER_HEAD`` for a lower-cased ASCII piece (the same end: ``lowered_twins``)."""
_MAX_VERBLESS_ASK = 10
"""Words in the longest message read as a question without "?" or a request word."""
_TAIL_PUNCT = " \t\n\r,.!?:;"
_TAIL_WORDS = ("please", "thanks", "thank you", "thx")


def _tail_stop(piece: str, lead: int) -> int:
    """End of ``piece`` without trailing punctuation and politeness ("..., thanks!")."""
    stop = len(piece)
    while True:
        trimmed = piece[lead:stop].rstrip(_TAIL_PUNCT)
        stop = lead + len(trimmed)
        lower = trimmed.lower()
        word = next(
            (w for w in _TAIL_WORDS if lower.endswith(w) and lower[: -len(w)].endswith((" ", ","))), None
        )
        if word is None:
            return stop
        stop -= len(word)


_LOOSE_KINDS = GENERIC_KINDS | {"phone"}
"""Kinds an answer in another language may relabel: "Qual é o seu CPF?" / "123.456.789-09" is no phone."""
_TIER_IN = re.compile(r"\b(?:gold|silver|bronze|platinum|diamond|premium|guest|vip|elite)\b", re.IGNORECASE)
_SECRET_LOOKALIKES = frozenset({"name", "date", "day", "place", "number", "id", "reference", "account_id"})
_SECRET_LITERALS = ("pin", "pass", "code", "secur")
_SECRET_WORD = GuardedPattern(
    re.compile(
        r"\b(?:pin|password|passcode|(?<!zip\s)(?<!promo\s)(?<!error\s)(?<!postal\s)(?<!area\s)(?<!discount\s)"
        r"(?<!coupon\s)(?<!country\s)(?<!tracking\s)(?<!status\s)code|security\s+answer)\b",
        re.IGNORECASE,
    ),
    " ".join(_SECRET_LITERALS),
)
_MEMO_LIMIT = 100_000


class _SecretLiteral(dict[str, bool]):
    """Token -> whether it holds one of ``_SECRET_WORD``'s literals, filled on first sight."""

    def __missing__(self, token: str) -> bool:
        if len(self) >= _MEMO_LIMIT:
            self.clear()
        value = self[token] = any(literal in token for literal in _SECRET_LITERALS)
        return value


_SECRET_TOKEN = _SecretLiteral()


def _names_secret(text: str, words: Sequence[str]) -> bool:
    """``_SECRET_WORD.search(text) is not None`` (``words``: ``tokens(text)``), its literal pre-check
    read from the tokens: on ASCII text a literal of word characters is in the lower-cased text
    exactly when it is inside one of its tokens."""
    if text.isascii() and not any(map(_SECRET_TOKEN.__getitem__, words)):
        return False
    return _SECRET_WORD.regex.search(text) is not None  # other text: the regex decides, as there


_BARE_TOKEN = re.compile(r"\s*[A-Za-z]*\d[\w-]*[.!]?\s*")
_NOT_A_PLACE_START = frozenset("yes no ok okay sure i thanks thank that what how can is it".split())
_TRAILING_ZIP = re.compile(r"(?<!\d)\d{5}(?:-\d{4})?$")
_WEEKDAY = re.compile(r"^(?:mon|tues|wednes|thurs|fri|satur|sun)day$", re.IGNORECASE)
_TIER = re.compile(
    r"^(?:gold|silver|bronze|platinum|diamond|premium|basic|standard|pro|plus|business|enterprise|free|guest|vip|elite)$",
    re.IGNORECASE,
)


def normalize(value: str) -> str:
    """Case- and space-insensitive form used to compare values."""
    return " ".join(value.casefold().split()).strip(".,;:!?\"'()[]{}")


@dataclass
class FactResult:
    """Facts plus what later stages need: secret values and per-message spans."""

    facts: list[Fact]
    secrets: set[str] = field(default_factory=set)
    secret_messages: set[str] = field(default_factory=set)


@lru_cache(maxsize=32)
def _asks(languages: tuple[str, ...]) -> tuple[PhraseIndex, PhraseIndex | None, frozenset[str]]:
    """The ask index for a turn in ``languages``: English's, plus those languages' phrases,
    and their request words; and the first words of its phrases (a turn with none asks nothing)."""
    local = [fact_words()[code] for code in languages if code in fact_words()]
    if not local:
        return _ASKS, None, _ASK_HEADS
    kinds = {**ASK_PHRASES, **{kind: () for words in local for kind in words.asks}}
    merged = {
        kind: (*ASK_PHRASES.get(kind, ()), *(p for words in local for p in words.asks.get(kind, ())))
        for kind in kinds
    }
    requests = PhraseIndex({"request": [p for w in local for p in w.request_phrases]})
    return PhraseIndex(merged), requests, _heads(merged)


def asked_kinds(text: str, words: Sequence[str], language: str | tuple[str, ...] | None = None) -> list[str]:
    """The kinds of value a bot/agent turn asks for (``words``: its ``tokens``).

    ``language``: the turn's language(s); their ``[facts.asks]`` and request words are read too.
    """
    codes = (language,) if isinstance(language, str) else tuple(language or ())
    index, local, heads = _asks(codes)
    if heads.isdisjoint(words):  # most turns: no cue word at all
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


_COUNTED_THINGS = re.compile(
    r"\d+(?:st|nd|rd|th)?\s+(?:(?:more|other|extra|whole|full|long|short)\s+)?(?:seconds?|minutes?|mins?|hours?|"
    r"hrs?|days?|nights?|weeks?|wks?|months?|years?|yrs?|times?|tries|attempts?|calls?|emails?|messages?|items?|"
    r"orders?|people|persons?|users?|seats?|pieces?|pcs|units?|boxes|bags?|pounds?|dollars?|euros?|percent)\b",
    re.IGNORECASE,
)


_SHAPED = frozenset(
    """name security_answer username account_id ticket_id tracking_number order_id postal_code phone pin code
    password city place address room_number membership day""".split()
)
"""The kinds ``_shape_fits`` can say yes to (no other kind fits any value)."""


_POSTAL = re.compile(r"\d{5}(?:-\d{4})?|[A-Za-z0-9]{2,4}\s?[A-Za-z0-9]{3}|\d{4,5}-\d{3}")


def _shape_fits(kind: str, value: str) -> bool:
    """Whether a bare answer segment can be a value of ``kind`` (only kinds of ``_SHAPED``)."""
    words = value.split()
    compact = value.replace(" ", "").replace("-", "")
    if not words or is_placeholder(value):
        return False
    if kind in ("name", "security_answer"):
        return (
            len(words) <= 4
            and all(w.replace("'", "").replace("-", "").replace(".", "").isalpha() for w in words)
            and not all(w.lower() in STOPWORDS for w in words)
            and words[0].lower() not in STOPWORDS
            and not _WEEKDAY.match(value)
        )
    if kind == "username":
        return len(words) == 1 and len(value) >= 3 and value.lower() not in STOPWORDS
    if kind in ("account_id", "ticket_id", "tracking_number", "order_id"):
        return (len(words) == 1 and len(compact) >= 5 and any(c.isdigit() for c in compact)) or (
            kind == "account_id" and len(words) == 1 and value.isupper() and len(value) >= 5
        )
    if kind == "postal_code":  # US, UK/CA, Brazil (01310-100) and Portugal (4000-123)
        return bool(_POSTAL.fullmatch(value))
    if kind == "phone":
        return 7 <= sum(c.isdigit() for c in value) <= 15 and not any(c.isalpha() for c in value)
    if kind in ("pin", "code"):
        return len(words) == 1 and len(value) >= 3 and any(c.isdigit() for c in value)
    if kind == "password":
        return len(words) == 1 and len(value) >= 3 and value.lower().strip(":") not in STOPWORDS
    if kind in ("city", "place"):
        return (
            len(words) <= 6
            and any(c.isalpha() for c in value)
            and not all(w.lower() in STOPWORDS for w in words)
            and words[0].lower() not in _NOT_A_PLACE_START
        )
    if kind == "address":  # "8 weeks", "3 times", "2 more days": a number of things, no address
        return 2 <= len(words) <= 14 and words[0][0].isdigit() and not _COUNTED_THINGS.match(value)
    if kind == "room_number":
        return value.isdigit() and len(value) <= 5
    if kind == "membership":
        return bool(_TIER.match(value))  # longer answers: see _tier_in
    if kind == "day":
        return bool(_WEEKDAY.match(value))
    return False


def _segments(text: str, spans: Sequence[Span], local: FactWords | None = None) -> list[tuple[int, int]]:
    """Offsets of answer pieces not already covered by a typed span, fillers trimmed."""
    parts: list[str] = []
    done = 0
    for span in sorted(spans, key=lambda s: s.start):
        if span.start < done:
            continue
        parts += [text[done : span.start], "\n", "\x00" * (span.end - span.start - 1)]
        done = span.end
    masked = "".join([*parts, text[done:]])  # a span becomes "\n" + filler: a split, never a word
    pieces: list[tuple[int, int]] = []
    start = 0
    splits = list(_SEGMENT_SPLIT.finditer(masked))
    if local is not None:  # "28013 y 612345678": the language's "and" splits too
        splits = sorted([*splits, *local.joins.finditer(masked)], key=lambda m: m.start())
        splits = [m for i, m in enumerate(splits) if not i or m.start() >= splits[i - 1].end()]
    for match in [*splits, None]:
        end = match.start() if match else len(masked)
        piece = masked[start:end]
        if piece.startswith("\x00"):  # the rest of a span that ends just before this piece
            start = end - len(piece.lstrip("\x00"))
            piece = masked[start:end]
        if not piece or piece.isspace():
            if match:
                start = match.end()
            continue
        if _FILLER_TWIN is not None and piece.isascii():
            head = _FILLER_TWIN.match(piece.lower())
        else:
            head = _FILLER_HEAD.match(piece)
        lead = head.end() if head else 0
        if local is not None and (own := local.filler_head.match(piece, lead)):
            lead = own.end()  # "ja klar, meine PLZ ist 10115"
        stop = _tail_stop(piece, lead)
        if stop > lead:
            pieces.append((start + lead, start + stop))
        if match:
            start = match.end()
    return pieces


def _answer(
    message: Message, kinds: list[str], spans: list[Span], *, single: bool, local: FactWords | None = None
) -> tuple[list[Span], list[str]]:
    """Read ``message`` as an answer to a question asking for ``kinds``.

    Returns new spans to add (relabelled generic spans are changed in place)
    and the kinds still unanswered.
    """
    given = {s.kind for s in spans}
    remaining = [k for k in kinds if k not in given]
    # Relabel generic spans (a bare 10-digit number answering "order id?"); when a
    # secret was asked, a name/date/number the reply volunteers is taken as the secret.
    secret_asked = any(k in SECRET_KINDS for k in remaining)
    loose = GENERIC_KINDS if local is None or "phone" in kinds else _LOOSE_KINDS
    for span in spans:
        if span.kind in loose or (
            secret_asked and span.kind in _SECRET_LOOKALIKES and span.kind not in kinds and not span.withheld
        ):
            fit = next((k for k in remaining if k in _SHAPED and _shape_fits(k, span.value or "")), None)
            if fit:
                span.kind = fit
                span.rule = f"answer.{fit}"
                span.withheld = fit in SECRET_KINDS
                remaining.remove(fit)
    added: list[Span] = []
    if _SHAPED.isdisjoint(remaining) and SECRET_KINDS.isdisjoint(remaining):
        return added, remaining  # no piece can fit: no shape to read, no secret to take as said
    text = message.text
    for start, end in _segments(text, spans, local):
        value = text[start:end]
        if "membership" in remaining and (tier := _TIER_IN.search(value)):
            start, end = start + tier.start(), start + tier.end()
            value = tier.group()
        fit = next((k for k in remaining if k in _SHAPED and _shape_fits(k, value)), None)
        if fit is None and single and len(remaining) == 1 and len(value.split()) <= 3:
            secret = remaining[0] in SECRET_KINDS
            fit = remaining[0] if secret else None
        if fit is None:
            continue
        added.append(Span(fit, start, end, value, f"answer.{fit}", withheld=fit in SECRET_KINDS))
        remaining.remove(fit)
        if fit == "address" and (zip_code := _TRAILING_ZIP.search(value)):
            added.append(
                Span(
                    "postal_code",
                    start + zip_code.start(),
                    start + zip_code.end(),
                    zip_code.group(),
                    "answer.address",
                )
            )
        if not remaining:
            break
    return added, remaining


_ENGLISH = (None, "en")
_NO_LANGUAGES: frozenset[str] = frozenset()


def _codes(language: str | None, own: str | None) -> tuple[str, ...]:
    """The conversation's and a message's language, English left out (it is always read)."""
    return tuple(dict.fromkeys(c for c in (language, own) if c and c != "en"))


def _active_languages(language: str | None, own: str | None) -> frozenset[str]:
    """Codes whose recognizers run on a message: its language and the conversation's, and
    "*" (formats any language but English writes: "1.234,50 €") — none for English."""
    codes = {c for c in (language, own) if c and c != "en"}
    if not codes:
        return frozenset()
    # A message of its own language in an English conversation still reads English ("en").
    return frozenset({*codes, "*", "en"}) if language in (None, "en") else frozenset({*codes, "*"})


def extract_facts(
    conversation: Conversation,
    recognizers: Iterable[Recognizer],
    cues: CueReader | None = None,
    *,
    language: str | None = None,
    message_languages: Mapping[str, str] | None = None,
) -> FactResult:
    """All facts the customer gave, deduplicated, each citing its messages.

    ``cues``: the conversation's cue reader, to share its tokenizing of bot/agent turns.
    ``language`` and ``message_languages`` (``languages.detect_languages``): the conversation's
    and each message's language, whose question words, labels, dates and formats are read
    (English's always are; secrets' labels of every language too).
    """
    own = message_languages or {}
    secret_words = secret_labels().single
    english = language in _ENGLISH  # the common case: no other language's words to read
    pending: list[str] = []  # kinds asked by the last bot/agent question, still unanswered
    outstanding_secret: str | None = None  # a secret asked for earlier and not given yet
    prompt: tuple[str | None, Sequence[str], str | None] = (None, (), None)  # the last bot/agent turn
    prompt_mentions_secret: bool | None = False  # it talked about a PIN/password/code (None: not read yet)
    answered_in_turn = 0
    ordered: list[tuple[Span, str]] = []  # (span, message id)
    result = FactResult(facts=[])
    if not isinstance(recognizers, RecognizerSet):
        recognizers = RecognizerSet(recognizers)
    tokenize = tokens if cues is None else cues.words

    stated: list[Fact] = []  # what a bot/agent stated, in a conversation in another language
    for message in conversation.messages:
        if message.role in ("bot", "agent"):
            if language not in (None, "en") and message.kind in ("message", "note"):
                active = _active_languages(language, own.get(message.id))
                stated += _stated(message, recognizers, tokenize, active)
            if message.kind == "message":
                code = own.get(message.id, language)
                words = tokenize(message.text)
                if english and code in _ENGLISH:  # most turns name no cue word: no call
                    asked = [] if _ASK_HEADS.isdisjoint(words) else asked_kinds(message.text, words, ())
                else:
                    asked = asked_kinds(message.text, words, _codes(language, code))
                prompt = (message.text, words, code)  # whether it names a secret: read when needed
                prompt_mentions_secret = None
                # Consecutive bot/agent turns add up ("Name and order id?" / "Also your zip?").
                if answered_in_turn:
                    pending = asked
                elif asked:
                    pending = [*pending, *(k for k in asked if k not in pending)]
                answered_in_turn = 0
                if asked:  # only a question asking for nothing but a secret leaves one outstanding
                    secret_only = all(k in SECRET_KINDS for k in asked)
                    outstanding_secret = asked[0] if secret_only else None
            continue
        if message.role != "customer" or message.kind == "note":
            continue
        code = own.get(message.id, language)
        active = _NO_LANGUAGES if english and code in _ENGLISH else _active_languages(language, code)
        words = tokenize(message.text)
        spans = recognizers.find(message.text, words, active)
        if pending:
            security_asked = "security_answer" in pending
            local = (fact_words().get(code or "") or fact_words().get(language or "")) if active else None
            added, pending = _answer(message, pending, spans, single=answered_in_turn == 0, local=local)
            spans.extend(added)
            if security_asked and not any(s.withheld for s in spans):
                # "I think I used Skippy or maybe Buddy": the names in the reply are the answer.
                spans = [s for s in spans if s.kind not in _SECRET_LOOKALIKES]
                spans.extend(_proper_nouns(message.text))
            answered_in_turn += 1
            if (
                any(s.withheld and s.rule.startswith("answer.") for s in added)
                and len(message.text.split()) <= 6
            ):
                # A short reply to a secret question: keep only what is clearly typed.
                spans = [s for s in spans if s.withheld or s.kind not in GENERIC_KINDS]

        if not spans and outstanding_secret is None:
            continue  # nothing to withhold, nothing to record

        def mentions(
            words: Sequence[str] = words,
            active: frozenset[str] = active,
            prompt: tuple[str | None, Sequence[str], str | None] = prompt,
        ) -> bool:
            nonlocal prompt_mentions_secret
            if prompt_mentions_secret is None:
                said, said_words, said_code = prompt
                prompt_mentions_secret = said is not None and (
                    _names_secret(said, said_words)
                    or (said_code not in (None, "en") and not secret_words.isdisjoint(said_words))
                )
            return prompt_mentions_secret or (bool(active) and not secret_words.isdisjoint(words))

        _protect_secrets(message.text, words, spans, outstanding_secret, mentions)
        if any(s.withheld for s in spans):
            outstanding_secret = None
        for span in spans:
            ordered.append((span, message.id))

    agent = _AGENT_READERS.get(recognizers)
    if agent is None:
        agent = _AGENT_READERS[recognizers] = AgentFacts(recognizers)
        _STATED_READERS[recognizers] = StatedFacts(recognizers)
    agent_facts, echoes = agent.read(conversation, tokenize)
    if english:  # other languages: ``_stated`` above
        support_secrets: list[str] = []
        stated = _STATED_READERS[recognizers].read(conversation, tokenize, support_secrets)
        result.secrets.update(n for n in map(normalize, support_secrets) if n)
    return _assemble([*ordered, *echoes], result, [*agent_facts, *stated])


_STATED_KINDS = frozenset(
    """date amount phone email card_last4 tracking_number ticket_id claim_id rma_number booking_reference
    reference order_id invoice_id account_id id app_version error_code exception postal_code""".split()
)
"""Kinds a bot/agent turn states for the next human (a date, an amount, a reference, a number to call)."""


def _stated(
    message: Message, recognizers: RecognizerSet, tokenize: Callable[[str], list[str]], active: frozenset[str]
) -> list[Fact]:
    """Values a bot or agent turn states ("Ihr Paket wurde am 11. April zugestellt", "Su número de
    incidencia es INC-60731"), read in conversations in a language other than English; rule
    ``agent.stated``. English turns keep the narrower ``agent_facts`` reading."""
    text = message.text
    if not any(c.isdigit() for c in text) and "@" not in text and "_" not in text and "xception" not in text:
        return []  # EXC_BAD_ACCESS, NullPointerException: no digit
    return [
        Fact(kind=span.kind, value=span.value, evidence=[message.id], rule="agent.stated")
        for span in recognizers.find(text, tokenize(text), active)
        if span.kind in _STATED_KINDS and not span.withheld and span.value
    ]


_AGENT_READERS: WeakKeyDictionary[RecognizerSet, AgentFacts] = WeakKeyDictionary()
_STATED_READERS: WeakKeyDictionary[RecognizerSet, StatedFacts] = WeakKeyDictionary()
_PROPER_NOUN = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z'’-]+\b")


def _proper_nouns(text: str) -> list[Span]:
    """Capitalised words that do not start a sentence, as withheld security answers."""
    return [
        Span("security_answer", m.start(), m.end(), m.group(), "answer.security_answer", withheld=True)
        for m in _PROPER_NOUN.finditer(text)
        if m.group() not in ("I", "I'm", "I've", "I'll", "I'd")
    ]


def _protect_secrets(
    text: str, words: Sequence[str], spans: list[Span], outstanding: str | None, prompted: Callable[[], bool]
) -> None:
    """Withhold bare numbers that are most likely a secret.

    A digit run in a message that talks about a PIN/password/code, or a message
    that is nothing but a number while a secret is still outstanding, is taken
    as the secret rather than recorded as an id. ``prompted``: whether the prompt (or the turn's
    language's secret words) named a secret, asked only when a span could be withheld.
    """
    bare = outstanding is not None and _BARE_TOKEN.fullmatch(text) is not None
    if not bare and not any(
        s.kind in GENERIC_KINDS and not s.withheld and any(c.isdigit() for c in s.value or "") for s in spans
    ):
        return  # nothing to withhold: whether the turn or its prompt names a secret does not matter
    if not bare and not prompted() and not _names_secret(text, words):
        return
    for span in spans:
        if span.kind in GENERIC_KINDS and not span.withheld and any(c.isdigit() for c in span.value or ""):
            span.kind, span.withheld, span.rule = outstanding or "code", True, "secret.context"
    if bare and not spans:
        stripped = text.strip()
        start = text.find(stripped)
        spans.append(
            Span(outstanding or "code", start, start + len(stripped), stripped, "secret.context", True)
        )


def _assemble(
    ordered: list[tuple[Span, str]], result: FactResult, agent_facts: Sequence[Fact] = ()
) -> FactResult:
    by_value: dict[str, int] = {}
    withheld_seen: dict[tuple[str, str], int] = {}
    secret_seen: dict[str, int] = {}  # one withheld fact per secret, however often it is typed
    facts: list[Fact] = []
    for span, message_id in ordered:
        if span.withheld:
            kind = span.kind
            secret = normalize(span.value) if span.value else ""
            if secret:
                result.secrets.add(secret)
                digits = re.sub(r"\D", "", span.value or "")
                if kind == "card_number" and len(digits) >= 13:
                    result.secrets.add(digits)
            result.secret_messages.add(message_id)
            index = secret_seen.get(secret) if secret else None
            if index is None:
                index = withheld_seen.get((kind, message_id))
            if index is None:
                index = withheld_seen[(kind, message_id)] = len(facts)
                facts.append(
                    Fact(kind=kind, value=None, evidence=[message_id], withheld=True, rule=span.rule)
                )
            elif message_id not in facts[index].evidence and len(facts[index].evidence) < 5:
                facts[index].evidence.append(message_id)
            if secret:
                secret_seen.setdefault(secret, index)
            if kind == "card_number" and span.value:
                last4 = re.sub(r"\D", "", span.value)[-4:]
                if last4 and last4 in span.value:
                    # Recorded like any other value, so a card typed twice gives one last-4 fact.
                    span = Span("card_last4", span.start, span.end, last4, "card.last4")
                else:
                    continue
            else:
                continue
        value = span.value or ""
        norm = normalize(value)
        if not norm:
            continue
        if norm in by_value:
            fact = facts[by_value[norm]]
            if message_id not in fact.evidence and len(fact.evidence) < 5:
                fact.evidence.append(message_id)
            if fact.kind in GENERIC_KINDS and span.kind not in GENERIC_KINDS:
                fact.kind, fact.rule = span.kind, span.rule
            continue
        by_value[norm] = len(facts)
        facts.append(Fact(kind=span.kind, value=value, evidence=[message_id], rule=span.rule))
    for fact in agent_facts:  # after the customer's own: a value the customer gave keeps its fact
        norm = normalize(fact.value or "")
        if not norm:
            continue
        if norm not in by_value:
            by_value[norm] = len(facts)
            facts.append(fact)
        elif facts[by_value[norm]].kind in GENERIC_KINDS and fact.kind not in GENERIC_KINDS:
            # "still DRM-110" (an id) / the agent's "Playback error DRM-110": the agent names its kind.
            facts[by_value[norm]].kind = fact.kind
    if result.secrets:
        facts = [f for f in facts if f.value is None or not _contains_secret(f.value, result.secrets)]
    result.facts = facts
    return result


def _contains_secret(value: str, secrets: set[str]) -> bool:
    norm = normalize(value)
    # The substring test first: compiling a pattern per secret thrashes the re cache.
    return any(s in norm and re.search(rf"(?<!\w){re.escape(s)}(?!\w)", norm) for s in secrets if s)

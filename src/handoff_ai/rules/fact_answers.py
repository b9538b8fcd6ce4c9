"""A customer reply read as the answer to what the bot or agent asked.

When a question asked for kinds of value ("your order id and zip code?"), the reply's typed
spans are relabelled to fit them (a bare 10-digit number becomes the order id) and the rest
of the reply is cut into pieces (at commas, "and", sentence ends), fillers trimmed ("sure,
it's ..."), each piece kept when its shape fits a kind still asked (``_shape_fits``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..models import Message
from .catalog_prechecks import _PLACE_NOUNS
from .fact_asks import SECRET_KINDS
from .fact_language import FactWords
from .lowered_twins import lowered_twin
from .recognizers import STOPWORDS, Span, is_placeholder
from .sentences import unaddressed

__all__ = ["GENERIC_KINDS"]


GENERIC_KINDS = frozenset({"number", "id", "reference"})


# A split starts only at the first white space of a run, so long runs of spaces
# (a masked span, padding) are scanned once, not once per position.
_SEGMENT_SPLIT = re.compile(r"[,;\n]|(?<!\s)(?<!\d(?:st|nd|rd|th))\s+(?:and|also|&)\s+|(?<!\s)\s+-\s+|\.\s+")
"""Where an answer splits into pieces: punctuation, "and", " - ", a sentence end; not the "and" of
a crossing ("5th and Main")."""


_FILLER_HEAD = re.compile(
    r"^\s*(?:(?:sure|yes|yeah|yep|yup|yea|ok(?:ay)?|hi|hello|hey|of\s+course|certainly|here\s+you\s+go|here\s+it\s+is|"
    r"no\s+problem|thanks?|thank\s+you|well|um+|uh+|good|fine|great|alright|all\s+right)\b[\s,.!:-]*)*"
    r"(?:(?:my|the|our)\s+(?:full\s+|first\s+|last\s+)?(?:name|username|user\s+name|account(?:\s+(?:id|number))?|"
    r"order(?:\s+(?:id|number))?|zip(?:\s+code)?|postal\s+code|e-?mail(?:\s+address)?|phone(?:\s+number)?|"
    r"number|pin|password|id|city|address|location|membership(?:\s+level)?)s?\b\s*(?:is|are|:|would\s+be)?\s*)?"
    r"(?:(?:it'?s|it\s+is|it\s+was|that'?s|that\s+is|that\s+was|i'?m|i\s+am|this\s+is|is|was|im)\s+)?",
    re.IGNORECASE,
)


_FILLER_TWIN = lowered_twin(_FILLER_HEAD, allow_empty=True)
"""``_FILLER_HEAD`` for a lower-cased ASCII piece (the same end: ``lowered_twins``)."""


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


_NOT_A_PLACE_START = frozenset(
    "yes no ok okay sure i thanks thank that what how can is it oh ah all through for so but and also".split()
)
_NOT_IN_A_PLACE = frozenset(
    """i i'm me my you your we us it it's that's thats did didn't do does don't is was isn't wasn't am talk
    know think tried want need perfect awesome thanks thank proceed goodbye bye ok okay sure cool details
    yes yeah yep nope nevermind wonderful excellent alright please pls plz lol haha she he they seems
    confused lost forth trivia membership""".split()
)
"""A word no place name holds: a reply with one is a sentence ("I did", "That's it") or an
acknowledgement ("Perfect!", "Proceed", "More details please", "thats good thanks. Goodbye"),
not a place."""


_PLACE_WORDS = frozenset(
    noun.split()[-1] for noun in re.sub(r"\(\?:er\|re\)", "er", _PLACE_NOUNS).split("|")
) | frozenset(
    """home house work school uptown park street st avenue ave road rd center centre restaurant church
    gym store shop market bank apartment apartments venue club bar cafe theater theatre zoo port harbor
    harbour bridge square plaza terminal city town village north south east west side part clinic
    pharmacy building""".split()
)
"""Words that make a reply a place ("the hospital", "the west side"): the place nouns of the
``place.noun`` recognizer, and more that a bare answer uses."""


def _names_a_place(words: list[str]) -> bool:
    """A reply opening with a common word ("the hospital", "a lot", "here but lost") names a place only
    with a place noun, a number ("the 5th and Main") or a capitalized word after the first."""
    return any(
        w.strip(".,!?'\"").lower() in _PLACE_WORDS or any(c.isdigit() for c in w) or w[:1].isupper()
        for w in words[1:]
    )


_TRAILING_ZIP = re.compile(r"(?<!\d)\d{5}(?:-\d{4})?$")


_WEEKDAY = re.compile(r"^(?:mon|tues|wednes|thurs|fri|satur|sun)day$", re.IGNORECASE)


_TIER = re.compile(
    r"^(?:gold|silver|bronze|platinum|diamond|premium|basic|standard|pro|plus|business|enterprise|free|guest|vip|elite)$",
    re.IGNORECASE,
)


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
            and _NOT_IN_A_PLACE.isdisjoint(w.lower().replace("’", "'").strip(".,!?") for w in words)
            and (words[0].lower() not in STOPWORDS or _names_a_place(words))
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
        if value[:1] == "@":  # a reply's leading @handles address it ("@Delta Henrietta"): no part of a value
            bare = unaddressed(value)
            if bare[:1] == "@":
                continue  # handles and nothing else
            start, value = end - len(bare), bare
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

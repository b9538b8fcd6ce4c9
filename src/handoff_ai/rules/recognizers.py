"""Fact recognizers: small objects that find typed values in one message.

Each recognizer returns ``Span`` objects (kind, offsets, the exact text, and
the rule that matched). Recognizers run in priority order and a later match
that overlaps an earlier one is discarded, so an email is never also a URL and
a date is never also a phone number. Secret-bearing spans (PINs, passwords,
one-time codes, full card numbers) are marked ``withheld``: the record keeps
that they were given, never their value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..taxonomy import RecognizerSpec

__all__ = ["Recognizer", "Span", "default_recognizers", "find_spans", "luhn_ok", "user_recognizers"]


@dataclass(slots=True)
class Span:
    """A recognized value inside one message's text."""

    kind: str
    start: int
    end: int
    value: str | None
    rule: str
    withheld: bool = False


_TRAILING = ".,;:!?)]}'\""

# Words that end a name or are never a value on their own.
STOPWORDS = frozenset(
    """a an and or but the my your our his her their its it it's is was are were be been am i i'm im me we you
    to of in on at for from with by as so if then than that this these those there here what which who whom
    when where why how please thanks thank thx ok okay yes yeah yep no nope not sure hi hello hey also just
    really very too still already again now today tomorrow yesterday account email order number id username
    user name zip code phone pin password address is's would like need want have has had do does did can could
    will shall should may might must help sorry trying looking calling writing contacting having getting going
    good great fine well new old first last full same other another""".split()
)

_NAME_BLOCKLIST = STOPWORDS | frozenset(
    """sorry happy glad upset angry frustrated confused worried here back done ready available interested
    unable able afraid annoyed disappointed tired calling writing contacting following waiting stuck locked
    customer member client agent bot human person support service team manager supervisor guest phone level
    address email order zip number account date birth morning evening afternoon night day""".split()
)


class Recognizer:
    """Finds spans of one kind with one regex (group ``value`` if present)."""

    def __init__(
        self,
        name: str,
        kind: str,
        pattern: str | re.Pattern[str],
        *,
        flags: int = re.IGNORECASE,
        needs: tuple[str, ...] = (),
        digit: bool = False,
        withheld: bool = False,
    ) -> None:
        self.name = name
        self.kind = kind
        self.regex = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern, flags)
        self.needs = needs  # cheap pre-check: one of these substrings must be in the lower-cased text
        self.digit = digit  # pre-check: a digit passes it (with needs: either passes)
        self.max_len: int | None = None
        self.withheld = withheld
        names = [g for g in ("value", "v2", "v3") if g in self.regex.groupindex]
        self._value_groups: tuple[str | int, ...] = tuple(names) or ((1,) if self.regex.groups else ())

    def applies(self, text: str, lower: str, has_digit: bool) -> bool:
        """Cheap pre-check before running the regex (most messages fail it)."""
        if self.max_len is not None and len(text) > self.max_len:
            return False
        if not self.needs and not self.digit:
            return True
        return (self.digit and has_digit) or any(n in lower for n in self.needs)

    def value_span(self, match: re.Match[str]) -> tuple[int, int]:
        """The ``value`` group (or its alternative ``v2``), else group 1, else the match."""
        for group in self._value_groups:
            if match.group(group) is not None:
                return match.span(group)
        return match.span()

    def accept(self, value: str, match: re.Match[str]) -> str | None:
        """The kind to record for ``value``, or ``None`` to reject the match."""
        return self.kind

    def find(self, text: str, lower: str) -> Iterable[Span]:
        for match in self.regex.finditer(text):
            start, end = self.value_span(match)
            while end > start and text[end - 1] in _TRAILING:
                end -= 1
            value = text[start:end]
            if not value.strip():
                continue
            kind = self.accept(value, match)
            if kind is not None:
                yield Span(kind, start, end, value, self.name, self.withheld)


def luhn_ok(digits: str) -> bool:
    """True if ``digits`` passes the Luhn checksum (payment card numbers)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = ord(char) - 48
        if index % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


class _SecretInline(Recognizer):
    """'my PIN is 1234', 'password: hunter2' -> withheld."""

    def accept(self, value: str, match: re.Match[str]) -> str | None:
        if value.lower().strip(_TRAILING) in STOPWORDS or value.lower() in _NOT_A_SECRET or "@" in value:
            return None
        label = match.group("label").lower()
        has_digit = any(c.isdigit() for c in value)
        if "pin" in label:
            return "pin" if has_digit else None
        if "pet" in label:
            return "security_answer"
        if "pass" in label or label == "pwd":
            return "password"
        if "maiden" in label or "security answer" in label or "question" in label:
            return "security_answer"
        return "code" if has_digit else None


_NOT_A_SECRET = frozenset(
    "wrong incorrect invalid expired working reset changed forgotten missing correct right locked blocked "
    "sent required needed different same new old".split()
)


class _Card(Recognizer):
    def accept(self, value: str, match: re.Match[str]) -> str | None:
        digits = re.sub(r"\D", "", value)
        if re.fullmatch(r"\d{4}([ -]\d{4}){3}", value):
            return "card_number"
        if not 13 <= len(digits) <= 19 or not luhn_ok(digits):
            return None
        if len(digits) in (15, 16):
            return "card_number"
        before = match.string[max(0, match.start() - 40) : match.start()].lower()
        return "card_number" if re.search(r"card|visa|master|amex|credit|debit|cc\b", before) else None


class _Phone(Recognizer):
    def accept(self, value: str, match: re.Match[str]) -> str | None:
        digits = sum(c.isdigit() for c in value)
        if not 7 <= digits <= 15:
            return None
        if value.startswith("+") or "(" in value or digits >= 9:
            return "phone"
        # 7-8 digits with separators: only with a phone word nearby.
        before = match.string[max(0, match.start() - 30) : match.start()].lower()
        return "phone" if re.search(r"phone|mobile|cell|call|tel|text|whatsapp|number", before) else None


_ID_KIND = {
    "order": "order_id", "account": "account_id", "acct": "account_id", "customer": "account_id",
    "member": "account_id", "ticket": "ticket_id", "case": "ticket_id", "tracking": "tracking_number",
    "shipment": "tracking_number", "package": "tracking_number", "parcel": "tracking_number",
    "invoice": "invoice_id", "subscription": "account_id",
}  # fmt: skip


class _LabelledId(Recognizer):
    def accept(self, value: str, match: re.Match[str]) -> str | None:
        if not any(c.isdigit() for c in value) and not (value.isupper() and len(value) >= 5):
            return None
        return _ID_KIND.get(match.group("label").lower(), "reference")


class _Name(Recognizer):
    """'my name is Sarah Brown', "I'm Alexis" -> the name, trimmed at the first non-name word."""

    def accept(self, value: str, match: re.Match[str]) -> str | None:
        lead = match.groupdict().get("lead") or ""
        strict = not re.match(r"(?:my\s+)?(?:full\s+|first\s+|last\s+)?name", lead, re.I)
        return "name" if _trim_name(value, strict=strict) else None

    def find(self, text: str, lower: str) -> Iterable[Span]:
        for span in super().find(text, lower):  # noqa: UP028 - spans are edited on the way
            trimmed = _trim_name(span.value or "", strict=False)
            if trimmed:
                span.value = trimmed
                span.end = span.start + len(trimmed)
                yield span


def _trim_name(value: str, *, strict: bool) -> str:
    """Leading name words of ``value`` (stop at the first common word); '' if none.

    ``strict`` requires capitalised words (for "I'm X", where X is often an adjective).
    """
    words: list[str] = []
    for word in value.split():
        bare = word.strip(_TRAILING)
        if not bare or bare.lower() in _NAME_BLOCKLIST or not bare.replace("-", "").replace("'", "").isalpha():
            break
        if strict and not bare[0].isupper():
            break
        words.append(bare)
        if bare != word:  # punctuation ends the name
            break
    if not words or len(words) > 4:
        return ""
    first = value.find(words[0])
    last = value.find(words[-1], first) + len(words[-1])
    return value[first:last]


class _Generic(Recognizer):
    """Id-looking tokens with no label: long digit runs, mixed letters and digits."""

    def accept(self, value: str, match: re.Match[str]) -> str | None:
        digits = sum(c.isdigit() for c in value)
        if digits == len(value.replace("-", "")):
            return "number" if digits >= 6 else None
        letters = sum(c.isalpha() for c in value)
        if letters and (any(c.isupper() for c in value) or digits >= 2 or re.fullmatch(r"[a-z]{3,}\d{1,4}", value)):
            return "id"
        return None


_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ORD = r"(?:st|nd|rd|th)"
_TIERS = r"gold|silver|bronze|platinum|diamond|premium|basic|standard|pro|plus|business|enterprise|free|guest|vip|elite"
_PLACE_NOUNS = (
    r"airport|hospital|university|train station|bus station|station|downtown|mall|hotel|office|library|"
    r"museum|stadium|beach|campus|city cent(?:er|re)|town cent(?:er|re)"
)
_CAP = r"[A-Z][a-zA-Z'’]+"


def default_recognizers() -> list[Recognizer]:
    """The packaged recognizers, highest priority first."""
    return _with_prefilters([
        _SecretInline(
            "secret.inline",
            "secret",
            r"\b(?P<label>pin(?:\s*(?:number|code|no|#))?|pass(?:word|code|phrase)|pwd|security\s+answer|"
            r"answer\s+to\s+(?:my|the)\s+security\s+question|one[-\s]?time\s+(?:code|password|passcode|pin)|otp|"
            r"(?:verification|access|auth(?:entication)?|2fa|login|sms|security|clearance|unlock|door|entry|lock)\s+code|cvv2?|cvc|"
            r"(?:mother'?s\s+)?maiden\s+name|(?:childhood\s+|first\s+)?pet'?s?\s+name|(?:the|my)\s+code)(?!\w)(?:\s+(?:is|was|would\s+be|should\s+be))?\s*[:=\-.]?\s*"
            r"(?P<value>[^\s,;]+)",
            withheld=True,
        ),
        Recognizer(
            "email", "email", r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", needs=("@",)
        ),
        Recognizer("url", "url", r"\b(?:https?://|www\.)[^\s<>\"']+"),
        _Card("card", "card_number", r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])", withheld=True),
        Recognizer(
            "card_last4",
            "card_last4",
            r"\b(?:card|visa|mastercard|amex|account)\s+(?:number\s+)?(?:ending|ends|that\s+ends)\s+(?:in|with)?\s*"
            r"(?P<value>\d{4})\b|\blast\s+(?:four|4)(?:\s+digits)?(?:\s+(?:are|is|of\s+my\s+card\s+are))?\s*:?\s*"
            r"(?P<v2>\d{4})\b",
        ),
        Recognizer(
            "place.named",
            "place",
            rf"\b(?:[Ff]rom|[Tt]o|[Ii]n|[Aa]t|[Nn]ear|[Tt]owards|[Aa]round)\s+(?:the\s+)?"
            rf"['\"]?(?P<value>{_CAP}(?:\s+(?:(?:and|&|of)\s+)?{_CAP}){{0,3}}|\d+{_ORD}\s+(?:and|&)\s+[A-Za-z]+)",
            flags=0,
        ),
        Recognizer(
            "place.noun",
            "place",
            rf"\b(?:from|to|at|near|towards)\s+(?:the\s+)?['\"]?(?P<value>{_PLACE_NOUNS}|\d+{_ORD}\s+and\s+[a-z]+)\b",
        ),
        Recognizer(
            "date",
            "date",
            rf"\b(?:\d{{4}}-\d{{1,2}}-\d{{1,2}}|\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}|\d{{1,2}}-\d{{1,2}}-\d{{4}}|"
            rf"{_MONTHS}\.?\s+\d{{1,2}}{_ORD}?(?:,?\s+\d{{4}})?|\d{{1,2}}{_ORD}?\s+(?:of\s+)?{_MONTHS}\b(?:,?\s+\d{{4}})?|"
            rf"\d{{1,2}}{_ORD})\b",
        ),
        Recognizer(
            "time",
            "time",
            r"(?<![\w:])(?:\d{1,2}(?::[0-5]\d)?\s?[ap]\.?m\.?(?!\w)|(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?!\d)|"
            r"noon\b|midnight\b)",
        ),
        Recognizer(
            "amount",
            "amount",
            r"(?:[$€£¥₹]\s?\d[\d,]*(?:\.\d{1,2})?|\b\d[\d,]*(?:\.\d{1,2})?\s?(?:usd|eur|gbp|cad|aud|inr|dollars?|"
            r"euros?|pounds?|bucks|rupees?|yen)\b|\b(?:usd|eur|gbp|cad|aud)\s?\d[\d,]*(?:\.\d{1,2})?)",
        ),
        _Phone(
            "phone",
            "phone",
            r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)\s?)?\d{1,5}(?:[\s.-]\d{2,5}){1,4}(?![\w])|"
            r"(?<![\w+])\+\d{7,15}(?!\w)|(?<![\w+])\(\d{3}\)\s?\d{3}[\s.-]?\d{4}(?!\w)",
        ),
        _LabelledId(
            "id.labelled",
            "reference",
            r"\b(?P<label>order|account|acct|ticket|case|tracking|invoice|reference|ref|confirmation|booking|"
            r"reservation|transaction|claim|policy|serial|customer|member|subscription|shipment|package|parcel)"
            r"(?:\s+(?:number|no\.?|num|#|id|code))?(?:\s+(?:is|was|:))?\s*[:#]?\s*"
            r"(?P<value>[A-Za-z0-9][A-Za-z0-9-]{2,}[A-Za-z0-9])\b",
        ),
        Recognizer(
            "error_code",
            "error_code",
            r"\b(?:(?i:error|err|status|http)\s*(?i:code\s*)?[:#]?\s*(?P<value>[A-Z]{0,5}[-_]?\d{2,6}[A-Z]?\b|"
            r"0x[0-9a-fA-F]{4,8}\b)|(?P<v2>ERR_[A-Z_]{3,}|E[-_]?\d{3,6}|0x[0-9A-F]{8})\b)",
            flags=0,
        ),
        Recognizer("room", "room_number", r"\broom\s*(?:number|no\.?|#)?\s*(?:is\s+)?#?(?P<value>\d{1,5}[A-Za-z]?)\b"),
        Recognizer(
            "postal_code.labelled",
            "postal_code",
            r"\b(?:zip|zipcode|postal\s+code|postcode|post\s+code)(?:\s+code)?\s*(?:is|:)?\s*"
            r"(?P<value>\d{5}(?:-\d{4})?|[A-Z]\d[A-Z]\s?\d[A-Z]\d|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})\b",
        ),
        Recognizer(
            "postal_code.us",
            "postal_code",
            r"\b(?:A[LKZR]|C[AOT]|DE|DC|FL|GA|HI|I[DLNA]|K[SY]|LA|M[EDAINSOT]|N[EVHJMYCD]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|"
            r"V[TA]|W[AVIY]),?\s+(?P<value>\d{5}(?:-\d{4})?)\b|"
            r"\b(?i:a[lkzr]|c[aot]|de|fl|ga|hi|i[dlna]|k[sy]|la|m[edainsot]|n[evhjmycd]|o[hkr]|pa|ri|s[cd]|t[nx]|ut|"
            r"v[ta]|w[aviy]),\s*(?P<v2>\d{5}(?:-\d{4})?)\b",
            flags=0,
        ),
        Recognizer(
            "address.street",
            "address",
            r"\b\d{1,6}\s+(?:[A-Z][a-z]+\.?\s+){1,3}(?:Ave(?:nue)?|St(?:reet)?|R(?:oa)?d|Blvd|Boulevard|Dr(?:ive)?|"
            r"L(?:a)?ne?|Way|C(?:our)?t|Pl(?:ace)?|Terrace|Pkwy|Parkway|Hwy|Highway|Circle|Cir|Square|Sq)\b\.?"
            r"(?:,?\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2})?(?:,?\s+[A-Z]{2}\b)?",
            flags=0,
        ),
        Recognizer("postal_code.uk", "postal_code", r"\b[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b", flags=0),
        Recognizer(
            "username.labelled",
            "username",
            r"\b(?:user\s*name|user\s*id|login\s+(?:name|id)|handle)\s*(?:is|:)?\s*[:=]?\s*@?"
            r"(?P<value>(?!is\b)[A-Za-z0-9._-]{3,})",
        ),
        _Name(
            "name.labelled",
            "name",
            r"(?P<lead>\b(?:my\s+)?(?:full\s+|first\s+|last\s+)?name\s+is(?:\s+(?:listed|registered|saved)\s+(?:as|under))?|"
            r"\bsupposed\s+to\s+be|\bmy\s+(?:daughter|son|wife|husband|mother|father|mom|dad|friend|partner|"
            r"brother|sister|child|kid|boss|colleague|grandson|granddaughter)(?:'s\s+name\s+is|,)?|\bmy\s+name's|\bname\s*:|\bthis\s+is|"
            r"\bi\s+am|\bi'm|\bim|\bcall\s+me)\s+(?P<value>[A-Za-z][A-Za-z'’-]*(?:\s+[A-Za-z][A-Za-z'’-]*){0,3})",
        ),
        _Name(
            "name.trailing",
            "name",
            r"\b(?P<value>[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){0,2})\s+is\s+(?:my|the)\s+(?:full\s+)?name\b",
            flags=0,
        ),
        _Name("name.bare", "name", r"^\s*(?P<value>[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){1,2})\s*[.!]?\s*$", flags=0),
        Recognizer(
            "membership",
            "membership",
            rf"\b(?:(?P<value>{_TIERS})\s+(?:member|membership|level|tier|plan|status|subscriber|customer)\b|"
            rf"(?:membership|member|tier|plan|level)\s*(?:level\s*)?:?\s*(?:is\s+)?(?P<v2>{_TIERS})\b|"
            r"\b(?:be|am|i'm|im|are|is|was|a|an)\s+(?P<v3>gold|silver|bronze|platinum|diamond|vip)\b)",
        ),
        Recognizer("day", "day", r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b"),
        _Generic("id.generic", "id", r"(?<![\w@.-])(?=[A-Za-z0-9-]*\d)[A-Za-z0-9][A-Za-z0-9-]{4,}[A-Za-z0-9](?![\w@])"),
    ])


_NOT_PLACES = frozenset(
    """I The A An My Your Our This That It Hi Hello Thanks Thank Please Yes No Ok Okay Customer Support Agent
    Bot Order Account January February March April May June July August September October November December
    Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Monday Tuesday Wednesday Thursday Friday Saturday Sunday Today Tomorrow Dr Mr Mrs Ms""".split()
)


_DIGIT = re.compile(r"\d")
_TIER_WORDS = tuple(_TIERS.split("|"))
_PREFILTERS: dict[str, tuple[tuple[str, ...], bool]] = {
    "secret.inline": (("pin", "pass", "pwd", "secur", "otp", "code", "cvv", "cvc", "maiden", "pet"), False),
    "url": (("http", "www."), False),
    "card_last4": (("end", "last"), False),
    "card": ((), True),
    "place.noun": (tuple(_PLACE_NOUNS.replace("(?:er|re)", "").split("|")), True),
    "date": ((), True),
    "time": (("noon", "midnight"), True),
    "amount": ((), True),
    "phone": ((), True),
    "id.labelled": (
        ("order", "account", "acct", "ticket", "case", "tracking", "invoice", "ref", "confirmation", "booking",
         "reservation", "transaction", "claim", "policy", "serial", "customer", "member", "subscription",
         "shipment", "package", "parcel"),
        False,
    ),  # fmt: skip
    "error_code": (("err_",), True),
    "room": (("room",), False),
    "postal_code.labelled": (("zip", "postal", "postcode", "post code"), False),
    "postal_code.us": ((), True),
    "address.street": ((), True),
    "postal_code.uk": ((), True),
    "username.labelled": (("user", "login", "handle"), False),
    "name.labelled": (("name", "this is", "i am", "i'm", "im ", "call me", "supposed", "my "), False),
    "name.trailing": (("name",), False),
    "membership": (_TIER_WORDS, False),
    "day": (("day",), False),
    "id.generic": ((), True),
}


def _with_prefilters(recognizers: list[Recognizer]) -> list[Recognizer]:
    for recognizer in recognizers:
        needs, digit = _PREFILTERS.get(recognizer.name, ((), False))
        recognizer.needs, recognizer.digit = needs, digit
        if recognizer.name == "name.bare":
            recognizer.max_len = 60
    return recognizers


def user_recognizers(specs: Sequence[RecognizerSpec]) -> list[Recognizer]:
    """Recognizers from a taxonomy or rules file (``kind`` + regex)."""
    return [
        Recognizer(f"user.{spec.kind}", spec.kind, spec.pattern, flags=re.IGNORECASE if spec.ignore_case else 0)
        for spec in specs
    ]


def find_spans(text: str, recognizers: Sequence[Recognizer]) -> list[Span]:
    """Every non-overlapping span in ``text``, earlier recognizers winning, in text order."""
    lower = text.lower()
    has_digit = _DIGIT.search(text) is not None
    taken: list[Span] = []
    for recognizer in recognizers:
        if not recognizer.applies(text, lower, has_digit):
            continue
        for span in recognizer.find(text, lower):
            if span.kind == "place" and (span.value or "").split()[0] in _NOT_PLACES:
                continue
            if any(span.start < other.end and other.start < span.end for other in taken):
                continue
            taken.append(span)
    taken.sort(key=lambda s: s.start)
    return taken

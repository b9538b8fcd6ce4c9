"""Fact recognizers: small objects that find typed values in one message.

Each recognizer returns ``Span`` objects (kind, offsets, the exact text, and
the rule that matched). Recognizers run in priority order and a later match
that overlaps an earlier one is discarded, so an email is never also a URL and
a date is never also a phone number. Secret-bearing spans (PINs, passwords,
one-time codes, full card numbers) are marked ``withheld``: the record keeps
that they were given, never their value. Running them together over a message is
:mod:`.recognizer_set`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import ClassVar

from ..privacy.pii import luhn_ok
from ..taxonomy import RecognizerSpec
from .lowered_twins import lowered_twin
from .phrases import tokens

__all__ = ["STOPWORDS", "Recognizer", "Span", "is_placeholder", "luhn_ok", "stands_alone", "user_recognizers"]


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
    """a an and or but the my your our his her their its it it's is was are were be been am i i'm im me we
    you to of in on at for from with by as so if then than that this these those there here what which
    who whom when where why how please thanks thank thx ok okay yes yeah yep no nope not sure hi hello
    hey also just really very too still already again now today tomorrow yesterday account email order
    number id username user name zip code phone pin password address is's would like need want have has
    had do does did can could will shall should may might must help sorry trying looking calling writing
    contacting having getting going good great fine well new old first last full same other another""".split()
)

_NAME_BLOCKLIST = STOPWORDS | frozenset(
    """sorry happy glad upset angry frustrated confused worried here back done ready available interested
    unable able afraid annoyed disappointed tired calling writing contacting following waiting stuck
    locked customer member client agent bot human person support service team manager supervisor guest
    phone level address email order zip number account date birth morning evening afternoon night
    day""".split()
)


_PLACEHOLDERS = frozenset(
    """number num no id none null nil n/a na tbd tba unknown redacted placeholder hidden masked example sample
    value your order account xxx""".split()
)
_MASK_CHARS = "xX*#•_-"


def is_placeholder(value: str) -> bool:
    """A template slot or a masked value, not a real one: NUMBER, XXXX, ****1234, <order id>, N/A."""
    bare = value.strip(_TRAILING + "<>[]{}")
    if not bare or bare.lower() in _PLACEHOLDERS or value.startswith(("<", "[", "{")):
        return True
    if "x" not in bare and "X" not in bare and "*" not in bare and "#" not in bare and "•" not in bare:
        return False  # the common case: nothing masked
    masked = sum(map(bare.count, _MASK_CHARS))
    return masked >= 3 and masked * 2 >= len(bare) and not any(c.isdigit() for c in bare[:2])


def stands_alone(bounded: frozenset[str], text: str, words: Sequence[str]) -> bool:
    """Whether one of the ``bounded`` words (lower-case, of word characters) may stand in ``text``
    between non-word characters (``words``: ``phrases.tokens(text)``); always true on text that is
    not ASCII, where case folding and accents make tokens no exact guide.

    On ASCII text a token is a run of word characters, or several joined by apostrophes
    ("rock'n'roll"), so such a word is a token or a token's part after an apostrophe."""
    if not text.isascii() or not bounded.isdisjoint(words):
        return True
    return "'" in text and any(w.rpartition("'")[2] in bounded for w in words if "'" in w)


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
        self.prefilter(needs, digit=digit)
        self.withheld = withheld
        self.language: str | None = None
        """Run only in conversations in this language ("*": any but English; "en": English only);
        ``None``: always."""
        names = [g for g in ("value", "v2", "v3") if g in self.regex.groupindex]
        self._value_groups: tuple[str | int, ...] = tuple(names) or ((1,) if self.regex.groups else ())
        self._twin: re.Pattern[str] | bool | None = False  # not made yet

    def twin(self) -> re.Pattern[str] | None:
        """The regex's ``lowered_twin`` (made on first use): searched in lower-cased ASCII text."""
        if self._twin is False:
            self._twin = lowered_twin(self.regex)
        return self._twin  # type: ignore[return-value]

    def prefilter(
        self,
        needs: Sequence[str] = (),
        *,
        digit: bool = False,
        max_len: int | None = None,
        requires: str | None = None,
        words: Iterable[str] = (),
        bounded: Iterable[str] = (),
        starts: Iterable[str] = (),
        ascii_needs: Iterable[str] = (),
        pieces: tuple[int, int] | None = None,
        probe: str | None = None,
    ) -> None:
        """Skip this recognizer unless the text has one of ``needs`` (lower-cased
        substrings) or, with ``digit``, a digit; and is at most ``max_len`` long;
        and ``requires`` finds something in it (a cheap regex, run on the text as
        is, that every match of the recognizer's regex contains); and, when
        ``words`` are given, one of them is a word of the text (``phrases.tokens``,
        shared with the other passes: a set test, cheaper than a substring scan);
        and, when ``bounded`` words are given, one of them stands alone (``stands_alone``):
        for a regex every match of which holds one between non-word characters
        (``\\b(?:from|to)\\s``); ``starts``: lower-cased beginnings one of which every match's
        first word (a run of word characters) has, so on ASCII text the search starts at the first
        token (or part of one after an apostrophe) that begins with one (``\\b(?:order|account)``), or is
        one ending in "$" without it (``\\b(?:my|this)\\s``); ``ascii_needs``: lower-cased
        literals one of which every match holds, trusted on ASCII text only (where ignoring case
        equates no other character with an ASCII letter); ``pieces``: the fewest and most
        white-space-separated pieces a text it matches has (a whole-text pattern); ``probe``: a
        quick regex (no leading ``\\b``: Python's ``re`` then skips to its first characters) that
        matches, in ASCII text, wherever a match of the recognizer's regex begins: the regex is
        searched from the probe's first hit, or not at all without one."""
        self.needs = tuple(needs)
        self.digit = digit
        self.max_len = max_len
        self.words = frozenset(words) if words else None
        self.bounded = frozenset(bounded) if bounded else None
        self.starts = tuple(starts) or None
        self.ascii_needs = tuple(ascii_needs) or None
        self.pieces = pieces
        self.probe = re.compile(probe) if probe else None
        self._needs_re = re.compile("|".join(map(re.escape, self.needs))) if self.needs else None
        self._requires_re = re.compile(requires) if requires else None

    def applies(self, text: str, lower: str, has_digit: bool, words: Sequence[str] | None = None) -> bool:
        """Cheap pre-check before running the regex (most messages fail it)."""
        if self.max_len is not None and len(text) > self.max_len:
            return False
        if self.pieces is not None and not self.pieces[0] <= len(text.split()) <= self.pieces[1]:
            return False
        if self.ascii_needs is not None and text.isascii() and not any(n in lower for n in self.ascii_needs):
            return False
        if self.probe is not None and text.isascii() and self.probe.search(text) is None:
            return False
        if self.words is not None and self.words.isdisjoint(tokens(text) if words is None else words):
            return False
        if self.bounded is not None and not stands_alone(
            self.bounded, text, tokens(text) if words is None else words
        ):
            return False
        if self._needs_re is None:
            found = has_digit or not self.digit
        else:
            found = (self.digit and has_digit) or self._needs_re.search(lower) is not None
        return found and (self._requires_re is None or self._requires_re.search(text) is not None)

    def value_span(self, match: re.Match[str]) -> tuple[int, int]:
        """The ``value`` group (or its alternative ``v2``), else group 1, else the match."""
        for group in self._value_groups:
            if match.group(group) is not None:
                return match.span(group)
        return match.span()

    def accept(self, value: str, match: re.Match[str]) -> str | None:
        """The kind to record for ``value``, or ``None`` to reject the match."""
        return self.kind

    def matches(
        self, text: str, first: re.Match[str] | None = None, lower: str | None = None
    ) -> Iterator[re.Match[str]]:
        """``self.regex.finditer(text)``; ``first``: its first match when the caller already has it
        (``self.regex.search(text)``), so the scan goes on from its end instead of starting over
        (the same matches: a scan after a non-empty match resumes at its end). ``lower``:
        ``text.lower()``, in which the twin (``twin``) scans on, on ASCII text."""
        if first is None or first.end() == first.start():
            return self.regex.finditer(text)
        twin = self.twin() if lower is not None and text.isascii() else None
        if twin is None:
            return chain((first,), self.regex.finditer(text, first.end()))
        match = self.regex.match  # where the twin found one, the regex gives it in the text's case
        return chain((first,), (match(text, hit.start()) for hit in twin.finditer(lower, first.end())))  # type: ignore[misc]

    def find(self, text: str, lower: str, first: re.Match[str] | None = None) -> Iterable[Span]:
        """The spans in ``text`` (``lower``: ``text.lower()``; ``first``: see ``matches``)."""
        for match in self.matches(text, first, lower):
            start, end = self.value_span(match)
            while end > start and text[end - 1] in _TRAILING:
                end -= 1
            value = text[start:end]
            if not value.strip():
                continue
            kind = self.accept(value, match)
            if kind is not None:
                yield Span(kind, start, end, value, self.name, self.withheld)


class _SecretInline(Recognizer):
    """'my PIN is 1234', 'password: hunter2', 'pw: x', 'the code on the back is 987' -> withheld."""

    def accept(self, value: str, match: re.Match[str]) -> str | None:
        if value.lower().strip(_TRAILING) in STOPWORDS or value.lower() in _NOT_A_SECRET or "@" in value:
            return None
        label = match.group("label").lower()
        has_digit = any(c.isdigit() for c in value)
        if "key" in label or "token" in label or "secret" in label:  # random-looking values only
            keyish = len(value) >= 12 and has_digit and any(c.isalpha() for c in value)
            return "api_key" if keyish else None
        if "pin" in label:
            return "pin" if has_digit else None
        if "back" in label or "digit" in label or label.startswith(("cvv", "cvc")):
            return "cvv" if has_digit else None
        if "pet" in label:
            return "security_answer"
        if "pass" in label or label in ("pwd", "pw"):
            return "password"
        if any(part in label for part in ("maiden", "answer", "question", "word", "phrase")):
            return "security_answer"
        return "code" if has_digit else None


class _SecretAssignment(Recognizer):
    """'DB_PASSWORD=x', 'SYNC_TOKEN: x' in a pasted config; a prefixed random key
    ('whsec_live_8fK2mQ9xR4tZ') anywhere -> withheld."""

    def accept(self, value: str, match: re.Match[str]) -> str | None:
        label = (match.group("label") or "").lower()
        if label and (value.lower() in STOPWORDS or value.lower() in _NOT_A_SECRET or value.startswith("$")):
            return None  # "PASSWORD=$DB_PASS": a reference to a variable, not the value
        return "password" if "pass" in label or "pwd" in label else "api_key"


class _LoginPair(Recognizer):
    """'login bob / Summer2024!': the user name is a fact, the password a withheld one."""

    def find(self, text: str, lower: str, first: re.Match[str] | None = None) -> Iterable[Span]:
        for match in self.matches(text, first, lower):
            user, secret = match.group("user"), match.group("value")
            if user.lower() in STOPWORDS or secret.lower().strip(_TRAILING) in _NOT_A_SECRET:
                continue
            # "login bob@x.example / pw": an email used as the login is an email, not a user name.
            kind = "email" if _EMAIL_LIKE.fullmatch(user) else "username"
            yield Span(kind, match.start("user"), match.end("user"), user, "login_pair.user")
            start, end = match.span("value")
            while end > start + 1 and text[end - 1] in ".,;:)]}'\"":  # "!" and "?" can end a password
                end -= 1
            yield Span("password", start, end, text[start:end], self.name, withheld=True)


_NOT_A_SECRET = frozenset(
    """wrong incorrect invalid expired working reset changed forgotten missing correct right locked blocked
    sent required needed different same new old""".split()
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


_WEEKDAY_BEFORE = re.compile(  # "Wednesday", "wednesday", "Wed.", never "sun" or "sat"
    r"\b(?:(?i:mon|tues|wednes|thurs|fri|satur|sun)(?i:day)|(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\.?)"
    r",?\s+(?i:the\s+)?$"
)


class _Date(Recognizer):
    """Dates; a weekday written just before one is part of it ("Wednesday 11 June", "Thu 4 Sept").

    Read behind each match rather than in the pattern: a weekday alternative in front of the
    pattern would be tried at every word of every message with a digit."""

    def find(self, text: str, lower: str, first: re.Match[str] | None = None) -> Iterable[Span]:
        for span in super().find(text, lower, first):
            if span.start > 3 and text[span.start - 1].isspace():
                weekday = _WEEKDAY_BEFORE.search(text, max(0, span.start - 16), span.start)
                if weekday is not None:
                    span.start = weekday.start()
                    span.value = text[span.start : span.end]
            yield span


_ID_LABEL_BEFORE = re.compile(
    r"\b(?P<label>invoice|order|ref|reference|ticket|case|tracking|confirmation|booking|reservation|transaction|claim|"
    r"policy|serial|receipt|rma|po|sku|model|part|build|version|id|account|acct|customer|member|contract|"
    r"subscriber|meter|mpan|mprn)\s*(?:number|no\.?|num|#|id)?\s*(?:is|was|:)?\s*[:#=]?\s*$"
)
_ACCOUNT_LABELS = frozenset("account acct customer member subscriber contract".split())
_YEAR_ID = re.compile(r"(?:19|20)\d\d-\d{3,6}")


_PHONE_WORD = re.compile(r"phone|mobile|cell|call|tel|text|whatsapp|number")


class _Phone(Recognizer):
    def find(self, text: str, lower: str, first: re.Match[str] | None = None) -> Iterable[Span]:
        for span in super().find(text, lower, first):
            if span.kind == "account_id":
                span.rule = "id.labelled"  # read as a phone's shape, named by its label
            yield span

    def accept(self, value: str, match: re.Match[str]) -> str | None:
        digits = sum(c.isdigit() for c in value)
        if not 7 <= digits <= 15:
            return None
        before = match.string[max(0, match.start() - 30) : match.start()].lower()
        label = _ID_LABEL_BEFORE.search(before)
        if label is not None and label.group("label") in _ACCOUNT_LABELS:
            return "account_id"  # "account 300-771-2290", "account number is 300 771 2290"
        if label is not None or _YEAR_ID.fullmatch(value):
            return None  # "invoice 2024-03311" is the invoice's number, not a phone
        if value.startswith("+") or "(" in value or digits >= 9:
            return "phone"
        # 7-8 digits with separators: only with a phone word nearby.
        return "phone" if _PHONE_WORD.search(before) else None


_ID_KIND = {
    "order": "order_id", "account": "account_id", "acct": "account_id", "customer": "account_id",
    "member": "account_id", "merchant": "account_id", "ticket": "ticket_id", "case": "ticket_id",
    "tracking": "tracking_number",
    "shipment": "tracking_number", "package": "tracking_number", "parcel": "tracking_number",
    "invoice": "invoice_id", "subscription": "account_id", "claim": "claim_id", "rma": "rma_number",
    "incident": "ticket_id", "confirmation": "booking_reference", "booking": "booking_reference",
    "reservation": "booking_reference", "serial": "serial", "service tag": "serial", "imei": "serial",
}  # fmt: skip


class _LabelledId(Recognizer):
    def accept(self, value: str, match: re.Match[str]) -> str | None:
        if is_placeholder(value):
            return None
        if not any(c.isdigit() for c in value) and not (value.isupper() and len(value) >= 5):
            return None
        return _ID_KIND.get(" ".join(match.group("label").lower().split()), "reference")


_TENANT_KIND = {
    "tenant": "tenant_id", "realm": "tenant_id", "workspace": "workspace_id", "subdomain": "workspace_id",
    "org": "org_id", "organization": "org_id", "organisation": "org_id", "project": "project_id",
    "instance": "instance_id", "cluster": "cluster_id",
}  # fmt: skip


class _TenantId(Recognizer):
    """'tenant id: acme-prod-eu', 'workspace acme-42': ids of the customer's space in a SaaS product."""

    def accept(self, value: str, match: re.Match[str]) -> str | None:
        if value.lower() in STOPWORDS or is_placeholder(value):
            return None
        # Without "id"/"name" after the label, only an id-looking value ("project 7", not "project is late").
        if not match.group("id") and not any(c.isdigit() or c in "-_." for c in value):
            return None
        return _TENANT_KIND.get(match.group("label").lower(), "tenant_id")


_NAME_LEAD = re.compile(r"(?:my\s+)?(?:full\s+|first\s+|last\s+)?name", re.IGNORECASE)


class _Name(Recognizer):
    """'my name is Sarah Brown', "I'm Alexis" -> the name, trimmed at the first non-name word."""

    def accept(self, value: str, match: re.Match[str]) -> str | None:
        lead = match.groupdict().get("lead") or ""
        strict = not _NAME_LEAD.match(lead)
        return "name" if _trim_name(value, strict=strict) else None

    def find(self, text: str, lower: str, first: re.Match[str] | None = None) -> Iterable[Span]:
        for span in super().find(text, lower, first):
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
        if (
            not bare
            or bare.lower() in _NAME_BLOCKLIST
            or not bare.replace("-", "").replace("'", "").isalpha()
        ):
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


_LOWER_THEN_DIGITS = re.compile(r"[a-z]{3,}\d{1,4}")


class _Generic(Recognizer):
    """Id-looking tokens with no label: long digit runs, mixed letters and digits."""

    def accept(self, value: str, match: re.Match[str]) -> str | None:
        if value[:2].lower() == "0x" or is_placeholder(value):  # a memory address, a masked id
            return None
        digits = sum(c.isdigit() for c in value)
        if digits == len(value.replace("-", "")):
            return "number" if digits >= 6 else None
        letters = sum(c.isalpha() for c in value)
        if letters and (
            any(c.isupper() for c in value) or digits >= 2 or _LOWER_THEN_DIGITS.fullmatch(value)
        ):
            return "id"
        return None


def user_recognizers(specs: Sequence[RecognizerSpec]) -> list[Recognizer]:
    """Recognizers from a taxonomy or rules file (``kind`` + regex)."""
    return [
        Recognizer(
            f"user.{spec.kind}", spec.kind, spec.pattern, flags=re.IGNORECASE if spec.ignore_case else 0
        )
        for spec in specs
    ]


# -- the languages the rules read (data: each language file's [facts]) --------------------------

_EMAIL_LIKE = re.compile(r"[^@\s]+@[\w-]+(?:\.[\w-]+)+[.,;:!?]?")
_SECRET_SHAPE = re.compile(r"\d|[^\w\s]|\w[A-Z]")
"""A value that looks like a password: a digit, a symbol or an inner capital ("Sommer2024!")."""


class _LangSecret(Recognizer):
    """'Mein Passwort ist Sommer2024!', 'mot de passe : x', 'TAN 482913', 'senha: x' -> withheld.

    Reads every language's secret labels (``fact_language.secret_labels``). After a copula
    ("ist", "es", "é") a password must look like one (``_SECRET_SHAPE``); after a colon any
    word that is not a stop word is taken; codes, PINs and CVVs need a digit.
    """

    def __init__(self, name: str, pattern: str, kinds: dict[str, str], not_secret: frozenset[str]) -> None:
        super().__init__(name, "secret", pattern, withheld=True)
        self._kinds = kinds
        self._not_secret = not_secret

    def find(self, text: str, lower: str, first: re.Match[str] | None = None) -> Iterable[Span]:
        for match in self.matches(text, first, lower):
            start, end = match.span("value")
            while end > start + 1 and text[end - 1] in ".,;:)]}'\"":  # "!" and "?" can end a password
                end -= 1
            value = text[start:end]
            kind = self.accept(value, match)
            if kind is not None:
                yield Span(kind, start, end, value, self.name, withheld=True)

    def accept(self, value: str, match: re.Match[str]) -> str | None:
        bare = value.lower().strip(_TRAILING)
        if not bare or bare in STOPWORDS or bare in _NOT_A_SECRET or _EMAIL_LIKE.fullmatch(value):
            return None
        if fold_word(bare) in self._not_secret:
            return None
        kind = self._kinds.get(" ".join(tokens(match.group("label"))), "code")
        has_digit = any(c.isdigit() for c in value)
        if kind in ("pin", "code", "cvv"):
            return kind if has_digit else None
        if match.group("cop") is not None and kind == "password" and not _SECRET_SHAPE.search(value):
            return None  # "mein Passwort ist abgelaufen" names no password
        return kind


_PHONE_AFTER = re.compile(r"(?:\+\s?\d{1,3}[ ./-]?|0|[6-9])\d*(?:[ ./-]?\d{2,5}){2,5}(?![\w-])")


class _LangLabelled(Recognizer):
    """'Kundennummer 55-201', 'n° de commande 4711', 'CEP 01310-100', 'Tel. 0711 98 76 54 32'.

    One language's labels (``[facts.labels]``); the label says the kind, and the kind the
    shape of the value read after it.
    """

    _VALUES: ClassVar[dict[str, re.Pattern[str]]] = {
        "postal_code": re.compile(r"\d{4,5}(?:-\d{3,4})?(?![\w-])|[A-Z]\d[A-Z]\s?\d[A-Z]\d(?!\w)"),
        "phone": re.compile(r"(?:\+\s?)?(?:\(\d{1,4}\)\s?)?\d[\d ./-]{4,20}\d(?![\w-])"),
        "card_last4": re.compile(r"\d{4}(?![\w-])"),
        "username": re.compile(r"@?(?=[\w.-]*[^\W\d_])[\w.-]{2,}\w"),
        "app_version": re.compile(r"\d+(?:\.\d+){1,3}(?![\w.])"),
        "error_code": re.compile(r"(?-i:[A-Z]{0,5}[-_]?\d{2,6}[A-Z]?)(?![\w-])"),
        # A model: capitalised brand words, then tokens with a digit ("HP LaserJet M404", "Frío-3500").
        "device": re.compile(
            r"(?-i:(?:[A-Z][\w]*[ ]){0,3}(?=[\w-]*\d)[A-Z0-9][\w-]*"
            r"(?:[ ](?:[A-Z]*\d[\w-]*|[A-Z][A-Z0-9-]+))*)(?![\w-])"
        ),
        "": re.compile(
            r"\d{1,3}(?:\.\d{3})+(?:-\d{1,2})?(?![\w.-])|\d{3,}(?:\s\d{3,})+(?![\w-])|"
            r"(?-i:[A-Z0-9]+(?:-[A-Z0-9]+)*\s[A-Z]{2,3})(?![\w-])|[A-Za-z0-9][A-Za-z0-9/-]*[A-Za-z0-9](?![\w-])"
        ),
    }

    def __init__(
        self, name: str, pattern: str, labels: dict[str, str], language: str, *, default: str | None = None
    ) -> None:
        super().__init__(name, "reference", pattern)
        self._labels = labels
        self._default = default
        self.language = language

    def find(self, text: str, lower: str, first: re.Match[str] | None = None) -> Iterable[Span]:
        for match in self.matches(text, first, lower):
            label = match.group("label")
            key = " ".join(tokens(label.replace("°", " ").replace("º", " ")))
            kind = self._labels.get(key, self._default)
            if kind is None:
                continue
            if kind == "reference" and (phone := _PHONE_AFTER.match(text, match.end())):
                # "mon numéro : 0781223344", "meine Nummer 0171 2345678": a number to call
                value = phone.group()
                if 9 <= sum(c.isdigit() for c in value) <= 15:
                    yield Span("phone", phone.start(), phone.end(), value, self.name)
                    continue
            shape = self._VALUES.get(kind, self._VALUES[""])
            found = shape.match(text, match.end())
            if found is None:
                continue
            value = found.group().rstrip(_TRAILING)
            if not value or is_placeholder(value):
                continue
            digits = sum(c.isdigit() for c in value)
            if kind == "phone" and not 6 <= digits <= 15:
                continue
            if kind == "device" and not any(c.isdigit() for c in value.split()[-1]):
                continue
            if kind not in ("phone", "postal_code", "card_last4", "username", "device", "error_code") and (
                len(value) < 4 or (not digits and not (value.isupper() and len(value) >= 5))
            ):
                continue
            yield Span(kind, found.start(), found.start() + len(value), value, self.name)


def fold_word(word: str) -> str:
    """``word`` without accents (``phrases.fold``), for a lookup in folded word sets."""
    return word if word.isascii() else " ".join(tokens(word))

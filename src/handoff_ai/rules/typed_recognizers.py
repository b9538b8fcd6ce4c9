"""The English recognizers that check or relabel what their regex found.

Most packaged recognizers are a plain ``Recognizer`` (a regex and a kind). These read more
than the match: a secret's label says its kind, a card number must pass the Luhn check, a
weekday just before a date belongs to it, a phone after an account label is the account's
number, a name stops at its first common word, an unlabelled id needs a digit. The catalog
(``catalog``) puts them in priority order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .recognizers import _TRAILING, STOPWORDS, Recognizer, Span, is_placeholder, luhn_ok

_NAME_BLOCKLIST = STOPWORDS | frozenset(
    """sorry happy glad upset angry frustrated confused worried here back done ready available interested
    unable able afraid annoyed disappointed tired calling writing contacting following waiting stuck
    locked customer member client agent bot human person support service team manager supervisor guest
    phone level address email order zip number account date birth morning evening afternoon night
    day""".split()
)


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


_BARE_ORDINAL = re.compile(r"\d{1,2}(?:st|nd|rd|th)", re.IGNORECASE)
_RANK_BEFORE = re.compile(r"\b(?:my|your|his|her|our|their|its|a|an)\s+$", re.IGNORECASE)


class _Date(Recognizer):
    """Dates; a weekday written just before one is part of it ("Wednesday 11 June", "Thu 4 Sept").

    Read behind each match rather than in the pattern: a weekday alternative in front of the
    pattern would be tried at every word of every message with a digit. A bare ordinal after a
    possessive or an article is a rank, never a day: "my 4th flight this week", "her 3rd marriage".
    """

    def find(self, text: str, lower: str, first: re.Match[str] | None = None) -> Iterable[Span]:
        for span in super().find(text, lower, first):
            if _BARE_ORDINAL.fullmatch(span.value or "") and _RANK_BEFORE.search(
                text, max(0, span.start - 8), span.start
            ):
                continue
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


class _Place(Recognizer):
    """A named place, unless the capitals only shout a word ("look in YOUR files") or the name is
    the head of a hyphenated word ("I want to PORT-IN")."""

    def accept(self, value: str, match: re.Match[str]) -> str | None:
        end = match.end("value")
        if end < len(match.string) - 1 and match.string[end] == "-" and match.string[end + 1].isalpha():
            return None
        if len(value) >= 4 and value.isupper() and value.isalpha():
            return None  # a place in capitals is a code ("JFK", "NYC"); a longer word is shouted
        return self.kind


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
        if not any(map(str.isdigit, value)) and not (value.isupper() and len(value) >= 5):
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
        digits = sum(map(str.isdigit, value))  # map: no generator frame per character
        if digits == len(value.replace("-", "")):
            return "number" if digits >= 6 else None
        if any(map(str.isalpha, value)) and (
            any(map(str.isupper, value)) or digits >= 2 or _LOWER_THEN_DIGITS.fullmatch(value)
        ):
            return "id"
        return None


_EMAIL_LIKE = re.compile(r"[^@\s]+@[\w-]+(?:\.[\w-]+)+[.,;:!?]?")

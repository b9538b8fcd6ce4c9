"""Values the support side states about this customer's case, in English conversations.

Much of what a tier-2 agent needs is never typed by the customer: the bot quotes "an open
balance of £42.17", a tool result holds the pending order ``ORD-55120`` or a ``KeyError``,
an internal note says "Refund $349.00 issued 10 Nov (txn re_3QX81)", "rebill RB-7741
queued", "firmware 2.1.0". These are facts too, citing the turn that states them:

* ``agent.stated``: a bot/agent turn or an agent's internal note;
* ``tool.stated``: a tool call or result (a bot or system event).

What is read: references (labelled, or shaped like ``RMA-66120``), technical context
(device, OS, app version, build, update, browser, error code, exception), meter readings,
domains, vehicle registrations, amounts and dates. A turn's suggestion, question or
hypothetical is no fact about the case ("Please update to 5.4.2", "Do you see E-12?",
"If you spend $501 on January 23…"): in a bot/agent *message* a technical value, an
amount or a date counts only in a sentence that states, and an amount or a date only in
one about this case ("your", "you", "I", "we"; not "our annual sale ended on January
31st"). Notes and tool results state the case's own values. A system prompt (a system
note: "You are the billing assistant…") is never read. Contact values (phones, emails,
URLs, times) an agent gives are the company's, not the customer's, and are not read;
secrets are never facts.

Cheap by construction: one scan over all support turns finds those with a digit, an
underscore or "rror"/"xception"; a few character and word-set tests pick which
recognizer groups may match; only those run, behind their own pre-checks.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence

from ..models import Conversation, Fact, Message
from .recognizer_set import RecognizerSet
from .recognizers import Span
from .sentences import split_sentences
from .tech_recognizers import ERROR_CUES

__all__ = ["STATED_KINDS", "StatedFacts"]

_TECHNICAL = frozenset("device os app_version build update browser error_code exception".split())
_ADDRESSED = frozenset({"amount", "date"})
_REFERENCES = frozenset(
    """order_id account_id ticket_id tracking_number invoice_id claim_id rma_number booking_reference
    reference serial reading domain vehicle_registration tenant_id workspace_id org_id project_id
    instance_id cluster_id""".split()
)
STATED_KINDS = _TECHNICAL | _ADDRESSED | _REFERENCES
"""Kinds a support-side turn can state about the case."""
# The recognizers read, in groups, each run only when a cheap test on the turn (a character,
# a word of its memoized tokens) says its kind can be there: most support turns with a digit
# ("within 90 days", "Details of 14 have been entered") run one group or none.
_GROUPS: dict[str, tuple[str, ...]] = {
    "amount": ("amount",),
    "date": ("date",),
    "reference": ("id.labelled", "id.generic"),
    "error": ("exception", "error_code", "error_code.context"),
    "technical": (
        "device",
        "device.model",
        "os",
        "app_version",
        "build",
        "update.kb",
        "browser",
        "tenant_id",
    ),
    "other": ("reading", "domain", "vehicle_registration"),
}
# Run with any group, so their spans win over a look-alike inside them (a code inside a URL
# or an email, anything inside a secret); never recorded from these turns.
_BLOCKING = ("secret.inline", "secret.phrased", "secret.token", "secret.login_pair", "email", "url")
_SECRET_WORDS = frozenset(
    """pin pass password passcode passphrase pw pwd code otp cvv cvv2 cvc security maiden pet pet's pets back
    digit digits sent texted emailed api apikey api_key secret_key access_token auth_token api_token
    refresh_token client_secret bearer token key secret login log signin sign credentials credential user
    username u answer""".split()
)
"""A word of every secret recognizer's label (their pre-checks, as words)."""
_RUN = 16
_TOKEN_RUN = re.compile(rf"[A-Za-z0-9_-]{{{_RUN}}}")
_CURRENCY_SIGNS = "$€£¥₹"
_MONTHS = frozenset(
    """jan january feb february mar march apr april may jun june jul july aug august sep sept september oct
    october nov november dec december""".split()
)
_WORDS: dict[str, frozenset[str]] = {
    "amount": frozenset("usd eur gbp cad aud dollar dollars euro euros pound pounds bucks".split()),
    "reference": frozenset(
        """order account acct ticket case tracking invoice ref reference confirmation booking reservation
        transaction txn claim policy serial tag imei customer member merchant subscription shipment package
        parcel rma incident""".split()
    ),
    "error": ERROR_CUES | frozenset("code status http smtp exit returns returned".split()),
    "other": frozenset("reading domain hostname host website site reg registration plate".split()),
}
_TICKET = re.compile(r"[A-Z]{1,6}-\d{3,10}")
"""A reference's shape: letters, a hyphen, digits (``RMA-66120``, ``J-55871``)."""
_DIGIT = re.compile(r"\d")
_DIGIT_OR_UNDERSCORE = re.compile(r"[\d_]")
_NUMERIC_DATE = re.compile(r"\d[-/.]\d{1,2}[-/.]\d")
_LETTER_DASH_DIGIT = re.compile(r"[A-Z]-\d")
_DOTTED = re.compile(r"\d\.\d")
_NOT_STATED = re.compile(
    r"^\W*(?:please|pls|plz|try|kindly|make\s+sure|you\s+(?:can|could|should|may|might|need\s+to|will\s+need\s+to)|"
    r"if|when|once|whenever|go\s+to|tap|click|select|open|install|download|update|upgrade|reinstall|restart|"
    r"uninstall|check|could\s+you|can\s+you|would\s+you|will\s+you|let\s+me\s+know|do\s+you|did\s+you|have\s+you|"
    r"are\s+you|is\s+it|does\s+it|is\s+there)\b",
    re.IGNORECASE,
)
_HYPOTHETICAL = re.compile(
    r"\b(?:if|unless|whether|for\s+example|for\s+instance|e\.g\.|suppose|assuming)\b", re.IGNORECASE
)
_EXAMPLE_BEFORE = re.compile(
    r"\b(?:looks?\s+like|e\.\s?g\.?|for\s+example|for\s+instance|such\s+as|format(?:ted)?(?:\s+(?:is|as|like))?|"
    r"example|sample)\s*[:,]?\s*[\"'“‘(]?\s*$",
    re.IGNORECASE,
)
"""What a bot says right before a value that only shows the shape it wants."""
_ABOUT_CASE = re.compile(
    r"\b(?:you|your|yours|you're|you've|you'll|i|i've|i'm|i'll|we|we've|we're)\b", re.IGNORECASE
)


class StatedFacts:
    """Reads support-side turns (module doc) with the backend's recognizers of the kinds above.

    Args:
        recognizers: the backend's recognizers; the packaged ones among them (by name) are used.
    """

    def __init__(self, recognizers: RecognizerSet) -> None:
        self._recognizers = {r.name: r for r in recognizers if r.language in (None, "en")}
        self._technical = frozenset().union(
            *(self._recognizers[n].words or () for n in _GROUPS["technical"] if n in self._recognizers)
        )
        self._sets: dict[tuple[str, ...], _SmallSet] = {}

    def read(
        self, conversation: Conversation, words: Callable[[str], list[str]], secrets: list[str] | None = None
    ) -> list[Fact]:
        """The facts support-side turns state; a secret one of them holds (a key in a tool
        payload, a password an agent typed) is added to ``secrets``, to be masked everywhere."""
        support = [
            m
            for m in conversation.messages
            if (role := m.role) != "customer" and not (role == "system" and m.kind == "note")
        ]
        if not support:
            return []
        # One scan over every support turn for the first character a stated value needs (a
        # digit; an underscore or "rror"/"xception" for a failure name): the turns without one,
        # most of them, cost no call at all.
        texts = [m.text for m in support]
        joined = "\x00".join(texts)
        starts: list[int] = []
        at = 0
        for text in texts:
            starts.append(at)
            at += len(text) + 1
        facts: list[Fact] = []
        ascii_text = joined.isascii()
        at = _next_candidate(joined, 0, ascii_text)
        while at >= 0:
            index = bisect_right(starts, at) - 1
            message = support[index]
            facts.extend(self._read(message, words, secrets))
            at = _next_candidate(joined, starts[index] + len(texts[index]) + 1, ascii_text)
        return facts

    def _read(
        self, message: Message, words: Callable[[str], list[str]], secrets: list[str] | None
    ) -> list[Fact]:
        """The facts one support turn states."""
        text = message.text
        groups = self._groups(text, words(text))
        if not groups:
            return []
        found = self._set(groups).find(text, words(text))
        if secrets is not None:
            secrets.extend(s.value for s in found if s.withheld and s.value)
        # "It looks like AB-123456", "e.g. 12345" (a bot's words or a bot action's log): the shape
        # it asks for, not a value of the case.
        spans = [
            s
            for s in found
            if _kind(s) is not None and _EXAMPLE_BEFORE.search(text, max(0, s.start - 40), s.start) is None
        ]
        if spans and message.kind == "message" and message.role in ("bot", "agent"):
            spans = _statements(text, spans)
        rule = "tool.stated" if message.kind == "event" or message.role == "system" else "agent.stated"
        return [Fact(kind=_kind(s) or s.kind, value=s.value, evidence=[message.id], rule=rule) for s in spans]

    def _groups(self, text: str, tokens: Sequence[str]) -> tuple[str, ...]:
        """The recognizer groups whose kinds ``text`` may hold (cheap tests, no recognizer run;
        single-class patterns and substring tests: an alternation scans much slower)."""
        digit = _DIGIT.search(text) is not None
        found = set(tokens)
        code = (
            "_" in text
            or "rror" in text
            or "xception" in text
            or "0x" in text
            or ("-" in text and _LETTER_DASH_DIGIT.search(text) is not None)
        )
        groups = []
        if digit:
            if any(c in text for c in _CURRENCY_SIGNS) or not _WORDS["amount"].isdisjoint(found):
                groups.append("amount")
            if not _MONTHS.isdisjoint(found) or _NUMERIC_DATE.search(text) is not None:
                groups.append("date")
            if code or (
                not _WORDS["reference"].isdisjoint(found)
                and any(len(t) > 3 and not t.isalpha() for t in found)
            ):
                groups.append("reference")
        if code or not _WORDS["error"].isdisjoint(found):
            groups.append("error")
        versioned = digit and (("." in text and _DOTTED.search(text) is not None) or "KB" in text)
        if versioned or not self._technical.isdisjoint(found):
            groups.append("technical")
        if digit and not _WORDS["other"].isdisjoint(found):
            groups.append("other")
        if (
            not _SECRET_WORDS.isdisjoint(found)
            or "@" in text
            or "http" in text
            or "www." in text
            or _has_token_run(text, tokens)
        ):
            groups.append("blocking")  # only then can a secret, an email or a URL be there (read even
            # alone: a secret found is masked in the whole record)
        return tuple(groups)

    def _set(self, groups: tuple[str, ...]) -> _SmallSet:
        """The recognizers of ``groups`` (``"blocking"``: the secrets', emails' and URLs'), in the
        backend's priority order."""
        chosen = self._sets.get(groups)
        if chosen is None:
            names = {n for g in groups for n in _GROUPS.get(g, _BLOCKING if g == "blocking" else ())}
            chosen = _SmallSet(r for name, r in self._recognizers.items() if name in names)
            self._sets[groups] = chosen
        return chosen


class _SmallSet(RecognizerSet):
    """A few recognizers run together (``RecognizerSet``: priority, pre-checks, no overlaps, no
    values in file names), without the set scan a long message gets: compiling one set per
    group would cost more than these few recognizers' own pre-checks save."""

    def _candidates(self, text: str) -> frozenset[int] | None:
        return None


def _has_token_run(text: str, tokens: Sequence[str]) -> bool:
    """``_TOKEN_RUN.search(text) is not None``, read from the tokens on ASCII text without a hyphen:
    there such a run is inside a run of word characters, a token or a part of one between
    apostrophes."""
    if "-" in text or not text.isascii():
        return _TOKEN_RUN.search(text) is not None
    if "'" in text:
        return any(len(part) >= _RUN for token in tokens for part in token.split("'"))
    return max(map(len, tokens), default=0) >= _RUN


def _next_candidate(joined: str, start: int, ascii_text: bool = False) -> int:
    """Where the next turn worth reading may be: a digit or an underscore, or "rror" /
    "xception" (a failure name without one) at or after ``start``; -1 when none. On ASCII text
    (``ascii_text``) a digit is one of ten characters: each found by a substring search (the
    class regex steps through every character, several times slower)."""
    if ascii_text:
        at = -1
        end = len(joined)
        for char in "0123456789_":  # each search stops at the earliest hit so far
            found = joined.find(char, start, end)
            if found >= 0:
                at = end = found
    else:
        hit = _DIGIT_OR_UNDERSCORE.search(joined, start)
        at = hit.start() if hit is not None else -1
    for word in ("rror", "xception"):
        found = joined.find(word, start, at if at >= 0 else len(joined))
        if found >= 0:
            at = found
    return at


def _kind(span: Span) -> str | None:
    """The kind to record for a span read from a support-side turn, or ``None``."""
    if span.withheld or not span.value:
        return None
    if span.kind == "id":
        return "reference" if _TICKET.fullmatch(span.value) else None
    if span.kind == "date" and not any(c.isalpha() or c in "-/." for c in span.value.rstrip(".")[:-2]):
        return None  # "the 12th" alone: a day of which month?
    return span.kind if span.kind in STATED_KINDS else None


def _statements(text: str, spans: Sequence[Span]) -> list[Span]:
    """The spans of a bot/agent message that state the case: none in a question; references
    in any other sentence; technical values, amounts and dates only in one that is no suggestion or
    hypothetical ("if you spend $501 on January 23…"); amounts and dates only in one about
    this case ("your", "you", "I", "we": not "our annual sale ended on January 31st")."""
    kept: list[Span] = []
    bounds = split_sentences(text)
    for span in spans:
        kind = _kind(span)
        start, end = next(((a, b) for a, b in bounds if a <= span.start < b), (0, len(text)))
        sentence = text[start:end]
        if "?" in sentence:
            continue  # "Your order 12345678?": asked, not stated
        if kind not in _TECHNICAL and kind not in _ADDRESSED:
            kept.append(span)
            continue
        if _NOT_STATED.match(sentence):
            continue
        if _HYPOTHETICAL.search(text, start, span.start) is not None:
            continue
        if kind in _ADDRESSED and _ABOUT_CASE.search(sentence) is None:
            continue
        kept.append(span)
    return kept

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
"If the app shows 0x4E…"): in a bot/agent *message* a technical value, an amount or a
date counts only in a sentence that states, and an amount only in one about the customer
("your", "you"). Notes and tool results state the case's own values. A system
prompt (a system note: "You are the billing assistant…") is never read. Contact values
(phones, emails, URLs, times) an agent gives are the company's, not the customer's, and
are not read; secrets are never facts.

Cheap by construction: a turn with no digit, no underscore and no "rror"/"xception" is
skipped after one scan; the rest run only the recognizers above, behind their own
pre-checks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from ..models import Conversation, Fact
from .recognizer_set import RecognizerSet
from .recognizers import Span
from .sentences import split_sentences

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
_READ = frozenset(
    """device device.model os app_version build update.kb browser exception tenant_id id.labelled error_code
    error_code.context reading domain vehicle_registration date amount id.generic""".split()
)
# Run too, so their spans win over a look-alike inside them ("2025-10" inside a URL, a date
# inside a phone number, anything inside a secret); never recorded from these turns.
_BLOCKING = frozenset(
    """secret.inline secret.phrased secret.token secret.login_pair email url card card_last4 time
    phone""".split()
)
_TICKET = re.compile(r"[A-Z]{1,6}-\d{3,10}")
"""A reference's shape: letters, a hyphen, digits (``RMA-66120``, ``J-55871``)."""
_GATE = re.compile(r"\d|_|rror|xception")
_NOT_STATED = re.compile(
    r"^\W*(?:please|pls|plz|try|kindly|make\s+sure|you\s+(?:can|could|should|may|might|need\s+to|will\s+need\s+to)|"
    r"if|when|once|whenever|go\s+to|tap|click|select|open|install|download|update|upgrade|reinstall|restart|"
    r"uninstall|check|could\s+you|can\s+you|would\s+you|will\s+you|let\s+me\s+know|do\s+you|did\s+you|have\s+you|"
    r"are\s+you|is\s+it|does\s+it|is\s+there)\b",
    re.IGNORECASE,
)
_ABOUT_CUSTOMER = re.compile(r"\b(?:you|your|yours|you're|you've|you'll)\b", re.IGNORECASE)


class StatedFacts:
    """Reads support-side turns (module doc) with the backend's recognizers of the kinds above.

    Args:
        recognizers: the backend's recognizers; the packaged ones among them (by name) are used.
    """

    def __init__(self, recognizers: RecognizerSet) -> None:
        self._set = RecognizerSet([r for r in recognizers if r.name in _READ or r.name in _BLOCKING])

    def read(self, conversation: Conversation, words: Callable[[str], list[str]]) -> list[Fact]:
        facts: list[Fact] = []
        for message in conversation.messages:
            if message.role == "customer" or (message.role == "system" and message.kind == "note"):
                continue
            text = message.text
            if _GATE.search(text) is None:
                continue
            said = message.kind == "message" and message.role in ("bot", "agent")
            rule = "tool.stated" if message.kind == "event" or message.role == "system" else "agent.stated"
            spans = [s for s in self._set.find(text, words(text)) if _kind(s) is not None]
            if said and spans:
                spans = _statements(text, spans)
            facts.extend(
                Fact(kind=_kind(s) or s.kind, value=s.value, evidence=[message.id], rule=rule) for s in spans
            )
        return facts


def _kind(span: Span) -> str | None:
    """The kind to record for a span read from a support-side turn, or ``None``."""
    if span.withheld or not span.value:
        return None
    if span.kind == "id":
        return "reference" if _TICKET.fullmatch(span.value) else None
    return span.kind if span.kind in STATED_KINDS else None


def _statements(text: str, spans: Sequence[Span]) -> list[Span]:
    """The spans of a bot/agent message that state the case: references anywhere; technical
    values, amounts and dates only in a sentence that is no question, suggestion or
    hypothetical; amounts only in one about the customer."""
    kept: list[Span] = []
    bounds: list[tuple[int, int]] | None = None
    for span in spans:
        kind = _kind(span)
        if kind not in _TECHNICAL and kind not in _ADDRESSED:
            kept.append(span)
            continue
        if bounds is None:
            bounds = split_sentences(text)
        sentence = next((text[a:b] for a, b in bounds if a <= span.start < b), text)
        if "?" in sentence or _NOT_STATED.match(sentence):
            continue
        if kind == "amount" and _ABOUT_CUSTOMER.search(sentence) is None:
            continue
        kept.append(span)
    return kept

"""The dialogue-understanding fixture set (issue 11) and how a record is scored against it.

Shared by ``tests/test_understanding.py`` and ``bench/understanding.py``. Each conversation in
``tests/fixtures/understanding/`` (``CASES``) and in the held-out
``tests/fixtures/understanding_holdout/`` (``HOLDOUT_CASES``) is ``NAME.<ext>`` with
``NAME.expected.json``, written as a careful human agent taking over would write it, not from
any engine's output:

* ``category``, ``format`` (the parser that must read it), ``messages`` (how many messages
  the input holds, counted by hand);
* ``steps``: tried steps, each ``keywords`` (groups that must all occur in one action's
  description; ``a|b`` means either), ``outcome`` and ``actor`` (``a|b`` where a careful
  reader could honestly write either);
* ``blocker``: keyword groups for ``record.blocker.description``, ``null`` when nothing is
  left open (the record must then have no blocker);
* ``facts``: ``kind`` + ``value`` as written; kinds match through ``KIND_ALIASES``;
* ``not_facts``: values that must not become facts ("3rd time", attachment names), or
  ``{"value", "kind"}`` for a value that must not get that kind (an invoice id as a phone);
* ``commitments``: ``keywords`` for the text, ``due`` as written (``a|b``: either wording),
  optional ``due_iso`` (the date the promise falls on, from the message timestamps);
* ``handoff``: the handoff type (``a|b`` allowed), ``null`` when the conversation shows
  no handoff (not scored);
* ``secrets``: strings that must not occur anywhere in the record.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from handoff_ai import load
from handoff_ai.evaluation.metrics import find_on_word_boundaries, match_value, normalize
from handoff_ai.models import Blocker, Conversation, Handoff, HandoffRecord

__all__ = [
    "CASES",
    "CATEGORIES",
    "FIGURES",
    "FIXTURES",
    "HOLDOUT",
    "HOLDOUT_CASES",
    "KIND_ALIASES",
    "Case",
    "Score",
    "baseline_record",
    "figures",
    "kind_ok",
    "oracle_record",
    "score",
]

FIXTURES = Path(__file__).parent / "fixtures" / "understanding"
HOLDOUT = Path(__file__).parent / "fixtures" / "understanding_holdout"
"""Held-out conversations in the same layout, written after the issue 11 engine work began and
never used for tuning: only the bench and the set checks read them."""
CATEGORIES = ("tier_escalation", "bot_loop", "shift_change", "secret_trap", "refusal", "promise")
ACTORS = frozenset(("customer", "bot", "agent", "system"))
OUTCOMES = frozenset(("succeeded", "failed", "pending", "unknown"))
HANDOFF_TYPES = frozenset(("ai_to_human", "agent_to_agent", "tier_escalation", "channel_switch"))

_IDS = frozenset(("reference", "id"))
KIND_ALIASES: dict[str, frozenset[str]] = {
    "account_id": _IDS
    | {
        "account_id",
        "account",
        "account_number",
        "customer_id",
        "customer_number",
        "user_id",
        "member_id",
        "contract_id",
    },
    "order_id": _IDS | {"order_id", "order", "order_number"},
    "ticket_id": _IDS | {"ticket_id", "ticket", "case_id", "case", "case_number", "incident_id", "incident"},
    "tenant_id": _IDS
    | {
        "tenant_id",
        "tenant",
        "workspace_id",
        "workspace",
        "org_id",
        "organization_id",
        "organization",
        "org",
        "account_id",
    },
    "tracking_number": _IDS | {"tracking_number", "tracking", "tracking_id"},
    "booking_reference": _IDS
    | {"booking_reference", "booking", "booking_id", "pnr", "confirmation", "reservation", "order_id"},
    "invoice_id": _IDS | {"invoice_id", "invoice", "invoice_number"},
    "serial": _IDS | {"serial", "serial_number", "service_tag", "device_id"},
    "reading": _IDS | {"reading", "meter_reading"},
    "device": frozenset(("device", "device_model", "model", "hardware", "product")),
    "os_version": frozenset(("os", "os_version", "operating_system", "platform")),
    "app_version": frozenset(
        (
            "app_version",
            "version",
            "build",
            "app_build",
            "firmware",
            "firmware_version",
            "software_version",
            "update",
            "patch",
        )
    ),
    "browser": frozenset(("browser", "browser_version", "user_agent")),
    "error_code": frozenset(("error_code", "error", "code", "status_code", "http_status", "exception")),
    "exception": frozenset(("exception", "exception_name", "error_code", "error")),
    "date": frozenset(("date", "day", "date_of_birth")),
    "date_of_birth": frozenset(("date_of_birth", "dob", "date")),
    "amount": frozenset(("amount", "money", "price")),
    "phone": frozenset(("phone", "phone_number")),
    "username": frozenset(("username", "user_id", "login")),
    "domain": frozenset(("domain", "url", "hostname", "website")),
    "card_last4": frozenset(("card_last4", "last4")),
}
"""Expected kind → record kinds accepted for it. ``reference`` accepts any kind; a kind not
listed accepts only itself."""


def kind_ok(expected: str, got: str) -> bool:
    """Whether a record fact of kind ``got`` counts for an expected fact of kind ``expected``."""
    if expected == "reference":
        return True
    return got == expected or got in KIND_ALIASES.get(expected, frozenset())


@dataclass(frozen=True)
class Case:
    """One fixture conversation and what a careful human would note from it."""

    name: str
    path: Path
    expected: dict[str, Any]

    @property
    def category(self) -> str:
        return str(self.expected["category"])

    @property
    def format(self) -> str:
        return str(self.expected["format"])

    def conversation(self) -> Conversation:
        return load(str(self.path), format=self.format)


def _cases(directory: Path = FIXTURES) -> list[Case]:
    found = []
    for spec in sorted(directory.glob("*.expected.json")):
        name = spec.name.removesuffix(".expected.json")
        inputs = [p for p in directory.glob(f"{name}.*") if not p.name.endswith(".expected.json")]
        if len(inputs) != 1:
            raise ValueError(f"{spec.name}: expected one input file named {name}.*, found {len(inputs)}")
        found.append(Case(name, inputs[0], json.loads(spec.read_text(encoding="utf-8"))))
    return found


CASES: list[Case] = _cases()
HOLDOUT_CASES: list[Case] = _cases(HOLDOUT)


# -- matching ---------------------------------------------------------------------------


def _alternatives(value: str) -> list[str]:
    return [a.strip() for a in value.split("|") if a.strip()]


def _has_all(text: str, groups: Sequence[str]) -> bool:
    low = text.casefold()
    return all(any(a.casefold() in low for a in _alternatives(g)) for g in groups)


_DASHES = str.maketrans({"–": "-", "—": "-", "‑": "-"})


def _fold_due(text: str) -> str:
    return normalize(text.translate(_DASHES))


def _due_ok(expected: str, got: str | None) -> bool:
    if not got:
        return False
    g = _fold_due(got)
    return any(e == g or (e and (e in g or g in e)) for e in map(_fold_due, _alternatives(expected)))


def _get(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


def _commitments(record: HandoffRecord) -> list[Any]:
    return list(getattr(record, "commitments", None) or [])


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from _strings(item)


def _secret_forms(secret: str) -> set[str]:
    forms = {secret}
    if re.fullmatch(r"[\d\s-]+", secret):
        forms.add(re.sub(r"[\s-]", "", secret))
    return forms


def leaks(record: HandoffRecord, secrets: Iterable[str]) -> list[str]:
    """The secrets found (case-insensitive, not glued to letters or digits) in any string of the
    dumped record — every field, evidence ids included."""
    strings = list(_strings(record.model_dump(mode="json")))
    return [
        secret
        for secret in secrets
        if any(
            find_on_word_boundaries(s, form, ignore_case=True)
            for s in strings
            for form in _secret_forms(secret)
        )
    ]


def hallucinated(record: HandoffRecord, conversation: Conversation) -> list[str]:
    """Facts that cite no message, an unknown id, or a message whose text lacks the value
    (normalized, as in ``bench/quality.py``). Withheld facts need only a valid citation."""
    texts = {m.id: normalize(m.text) for m in conversation.messages}
    bad = []
    for fact in record.facts:
        if not fact.evidence or any(e not in texts for e in fact.evidence):
            bad.append(f"{fact.kind}: bad evidence {fact.evidence}")
        elif fact.value is not None:
            needle = normalize(fact.value)
            if not needle or not any(needle in texts[e] for e in fact.evidence):
                bad.append(f"{fact.kind}={fact.value!r} not in {fact.evidence}")
    return bad


# -- scoring ----------------------------------------------------------------------------


@dataclass
class Score:
    """Counts for one conversation (summed for a category); ``misses`` says what was missed."""

    steps: int = 0
    steps_found: int = 0
    steps_outcome: int = 0
    steps_actor: int = 0
    repeated: int = 0
    blockers: int = 0
    blocker_hits: int = 0
    facts: int = 0
    facts_kind: int = 0
    facts_value: int = 0
    junk: int = 0
    commitments: int = 0
    commitment_hits: int = 0
    due_iso: int = 0
    due_iso_hits: int = 0
    handoffs: int = 0
    handoff_hits: int = 0
    secrets: int = 0
    secrets_leaked: int = 0
    secrets_withheld: int = 0
    records_leaking: int = 0
    hallucinated: int = 0
    cases: int = 0
    misses: list[str] = field(default_factory=list)

    def __add__(self, other: Score) -> Score:
        out = Score()
        for f in fields(Score):
            setattr(out, f.name, getattr(self, f.name) + getattr(other, f.name))
        return out


def _score_steps(case: Case, record: HandoffRecord, s: Score) -> None:
    for step in case.expected.get("steps", []):
        s.steps += 1
        matching = [a for a in record.actions_taken if _has_all(a.description, step["keywords"])]
        outcomes, actors = _alternatives(step["outcome"]), _alternatives(step["actor"])
        right = [a for a in matching if a.outcome in outcomes]
        s.steps_found += bool(matching)
        s.steps_outcome += bool(right)
        s.steps_actor += any(a.actor in actors for a in right)
        s.repeated += max(0, len(matching) - 1)
        if not right:
            got = [(a.outcome, a.actor) for a in matching]
            s.misses.append(
                f"step {step['keywords']} {step['outcome']}/{step['actor']}: got {got or 'nothing'}"
            )


def _score_blocker(case: Case, record: HandoffRecord, s: Score) -> None:
    expected = case.expected.get("blocker", "unset")
    if expected == "unset":
        return
    s.blockers += 1
    hit = (
        record.blocker is None
        if expected is None
        else (record.blocker is not None and _has_all(record.blocker.description, expected))
    )
    s.blocker_hits += hit
    if not hit:
        got = record.blocker.description[:80] if record.blocker else None
        s.misses.append(f"blocker {expected}: got {got!r}")


def _score_facts(case: Case, record: HandoffRecord, s: Score) -> None:
    valued = [f for f in record.facts if f.value is not None]
    matched_expected = set()
    for gold in case.expected.get("facts", []):
        s.facts += 1
        hits = [f for f in valued if match_value(gold["value"], f.value or "")]
        matched_expected.update(id(f) for f in hits)
        s.facts_value += bool(hits)
        s.facts_kind += any(kind_ok(gold["kind"], f.kind) for f in hits)
        if not any(kind_ok(gold["kind"], f.kind) for f in hits):
            got = sorted({f.kind for f in hits})
            s.misses.append(
                f"fact {gold['kind']}={gold['value']!r}: {'kinds ' + str(got) if got else 'missing'}"
            )
    for junk in case.expected.get("not_facts", []):
        value, kind = (junk["value"], junk.get("kind")) if isinstance(junk, dict) else (junk, None)
        for f in valued:
            if id(f) in matched_expected and kind is None:
                continue
            if match_value(value, f.value or "") and (kind is None or kind_ok(kind, f.kind)):
                s.junk += 1
                s.misses.append(f"junk fact {f.kind}={f.value!r}")


def _score_commitments(case: Case, record: HandoffRecord, s: Score) -> None:
    got = _commitments(record)
    for gold in case.expected.get("commitments", []):
        s.commitments += 1
        hits = [
            c
            for c in got
            if _has_all(str(_get(c, "text") or ""), gold["keywords"]) and _due_ok(gold["due"], _get(c, "due"))
        ]
        s.commitment_hits += bool(hits)
        if gold.get("due_iso"):
            s.due_iso += 1
            s.due_iso_hits += any(str(_get(c, "due_iso") or "")[:10] == gold["due_iso"] for c in hits)
        if not hits:
            s.misses.append(f"commitment {gold['keywords']} due {gold['due']!r}: missing")


def _score_handoff(case: Case, record: HandoffRecord, s: Score) -> None:
    expected = case.expected.get("handoff")
    if expected is None:
        return
    s.handoffs += 1
    hit = record.handoff.type in _alternatives(expected)
    s.handoff_hits += hit
    if not hit:
        s.misses.append(f"handoff {expected}: got {record.handoff.type}")


def _score_secrets(case: Case, conversation: Conversation, record: HandoffRecord, s: Score) -> None:
    secrets = case.expected.get("secrets", [])
    s.secrets += len(secrets)
    leaked = leaks(record, secrets)
    s.secrets_leaked += len(leaked)
    s.records_leaking += bool(leaked)
    s.misses.extend(f"SECRET LEAK {secret[:2]}…" for secret in leaked)
    texts = {m.id: m.text for m in conversation.messages}
    withheld = [f for f in record.facts if f.withheld]
    for secret in secrets:
        s.secrets_withheld += any(secret in texts.get(e, "") for f in withheld for e in f.evidence)


def score(case: Case, conversation: Conversation, record: HandoffRecord) -> Score:
    """How well ``record`` notes what ``case`` expects."""
    s = Score(cases=1)
    _score_steps(case, record, s)
    _score_blocker(case, record, s)
    _score_facts(case, record, s)
    _score_commitments(case, record, s)
    _score_handoff(case, record, s)
    _score_secrets(case, conversation, record, s)
    bad = hallucinated(record, conversation)
    s.hallucinated = len(bad)
    s.misses.extend(f"HALLUCINATED {b}" for b in bad)
    return s


FIGURES: dict[str, str] = {
    "steps": "tried steps found with the right outcome",
    "steps_actor": "... and the right actor",
    "blocker": "blocker hit (keywords; no blocker when none is open)",
    "facts": "facts recall (value and kind, aliases)",
    "facts_value": "facts recall (value only)",
    "commitments": "commitments recall (text keywords and due as written)",
    "due_iso": "commitments with the right due_iso",
    "handoff": "handoff type accuracy",
    "withheld": "secrets recorded as withheld facts",
    "records_leaking": "records with a secret leak (count)",
    "hallucinated": "hallucinated facts (count)",
    "junk": "junk facts (count)",
    "repeated": "repeated step items (count)",
}
"""Figure name → what it measures. Rates are in 0..1 (``None`` when nothing to score)."""


def figures(s: Score) -> dict[str, tuple[float | int | None, int, int]]:
    """Each figure as (value, numerator, denominator); counts have denominator 0."""

    def rate(num: int, den: int) -> tuple[float | None, int, int]:
        return (num / den if den else None, num, den)

    return {
        "steps": rate(s.steps_outcome, s.steps),
        "steps_actor": rate(s.steps_actor, s.steps),
        "blocker": rate(s.blocker_hits, s.blockers),
        "facts": rate(s.facts_kind, s.facts),
        "facts_value": rate(s.facts_value, s.facts),
        "commitments": rate(s.commitment_hits, s.commitments),
        "due_iso": rate(s.due_iso_hits, s.due_iso),
        "handoff": rate(s.handoff_hits, s.handoffs),
        "withheld": rate(s.secrets_withheld, s.secrets),
        "records_leaking": (s.records_leaking, s.records_leaking, 0),
        "hallucinated": (s.hallucinated, s.hallucinated, 0),
        "junk": (s.junk, s.junk, 0),
        "repeated": (s.repeated, s.repeated, 0),
    }


# -- reference records ------------------------------------------------------------------


def baseline_record(conversation: Conversation) -> HandoffRecord:
    """The trivial baseline: blocker = the last customer message, no steps, no facts, no
    commitments, handoff type ``ai_to_human``."""
    last = next((m for m in reversed(conversation.messages) if m.role == "customer" and m.text.strip()), None)
    return HandoffRecord(
        conversation_id=conversation.id,
        message_count=len(conversation.messages),
        blocker=Blocker(description=last.text.strip(), evidence=[last.id]) if last else None,
        handoff=Handoff(type="ai_to_human"),
    )


def oracle_record(case: Case, conversation: Conversation) -> HandoffRecord:
    """A record written from the expectations (first alternative of everything): scores full
    marks by construction, so tests can check the scorer and the fixture texts agree."""
    first = conversation.messages[0].id
    e = case.expected

    def where(value: str) -> str:
        needle = normalize(value)
        return next((m.id for m in conversation.messages if needle in normalize(m.text)), first)

    data: dict[str, Any] = {
        "conversation_id": conversation.id,
        "actions_taken": [
            {
                "description": " ".join(_alternatives(g)[0] for g in step["keywords"]),
                "actor": _alternatives(step["actor"])[0],
                "outcome": _alternatives(step["outcome"])[0],
                "evidence": [first],
            }
            for step in e.get("steps", [])
        ],
        "facts": [
            {"kind": f["kind"], "value": f["value"], "evidence": [where(f["value"])]}
            for f in e.get("facts", [])
        ]
        + [
            {"kind": "secret", "value": None, "withheld": True, "evidence": [where(s)]}
            for s in e.get("secrets", [])
        ],
    }
    if e.get("blocker"):
        data["blocker"] = {
            "description": " ".join(_alternatives(g)[0] for g in e["blocker"]),
            "evidence": [first],
        }
    if e.get("handoff"):
        data["handoff"] = {"type": _alternatives(e["handoff"])[0]}
    if "commitments" in HandoffRecord.model_fields:
        data["commitments"] = [
            {
                "text": " ".join(_alternatives(g)[0] for g in c["keywords"]),
                "due": _alternatives(c["due"])[0],
                "due_iso": c.get("due_iso"),
                "actor": c.get("actor", "agent"),
                "evidence": [first],
            }
            for c in e.get("commitments", [])
        ]
    return HandoffRecord.model_validate(data)

"""The decision: escalate or not, why (citing messages), where to, and what to collect.

``decide(state, policy)`` turns the triggers' evidence (``triggers.TurnState``) into an
``EscalationDecision``. It is a pure function: no clock, no randomness, so the same
conversation gives a byte-identical decision (``decision.model_dump_json()``).
"""

from __future__ import annotations

from ..models.escalation import REASON_KINDS, EscalationDecision, Reason, ReasonKind
from .phrases import phrase_data
from .policy import EscalationPolicy
from .triggers import TurnState, evidence

__all__ = ["REASON_KINDS", "EscalationDecision", "Reason", "ReasonKind", "decide"]

_NAMED_FACTS = (
    "order_id", "account_id", "ticket_id", "tracking_number", "email", "username", "phone", "name",
)  # fmt: skip
_MAX_PASSED = 3
_LOOP_WORDS = {
    "fallback": "a fallback reply",
    "repeated_reply": "the same reply again",
    "customer_repeat": "the customer sending the same request again",
    "rephrased": "the customer rephrasing the request",
}


def _plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many.format(count=count)


def _reasons(
    state: TurnState, policy: EscalationPolicy, intent_evidence: list[str], *, escalate_intent: bool
) -> list[Reason]:
    triggers = policy.triggers
    found: list[Reason] = []
    if triggers.human_request and state.human_request:
        count = len(state.human_request)
        found.append(Reason.model_construct(
            kind="human_request",
            description=_plural(count, "Customer asked for a person", "Asked for a person {count} times"),
            evidence=evidence(state.human_request),
        ))  # fmt: skip
    if escalate_intent:
        found.append(Reason.model_construct(
            kind="policy",
            description=f"Policy: intent '{state.effective_intent().label}' always goes to a person",
            evidence=evidence(intent_evidence),
        ))  # fmt: skip
    if triggers.policy_phrases:
        for kind, ids in sorted(state.policy.items()):
            label = "legal threat" if kind == "legal_threat" else "possible account takeover"
            found.append(
                Reason.model_construct(kind="policy", description=f"Policy: {label}", evidence=evidence(ids))
            )
    if triggers.out_of_scope and state.out_of_scope:
        found.append(Reason.model_construct(
            kind="out_of_scope", description="The bot said it cannot help with this",
            evidence=evidence(state.out_of_scope),
        ))  # fmt: skip
    if triggers.failed_actions and len(state.failed) >= triggers.failed_actions:
        count = len(state.failed)
        found.append(Reason.model_construct(
            kind="failed_actions",
            description=_plural(count, "1 failed action", "{count} failed actions")
            + f" (threshold {triggers.failed_actions})",
            evidence=evidence(state.failed),
        ))  # fmt: skip
    if triggers.bot_loop and len(state.loop) >= triggers.bot_loop:
        kinds = ", ".join(dict.fromkeys(_LOOP_WORDS[kind] for kind, _ in state.loop))
        found.append(Reason.model_construct(
            kind="bot_loop",
            description=f"Bot loop, {len(state.loop)} rounds: {kinds}",
            evidence=evidence([mid for _, mid in state.loop]),
        ))  # fmt: skip
    score = state.frustration_score
    if triggers.frustration and score >= triggers.frustration:
        found.append(Reason.model_construct(
            kind="frustration",
            description=f"Rising frustration (score {score}, threshold {triggers.frustration})",
            evidence=evidence([mid for mid, _ in state.frustration]),
        ))  # fmt: skip
    return found


def _ask(missing: list[str], language: str) -> list[str]:
    questions = phrase_data().ask.get(language) or phrase_data().ask["en"]
    generic = questions["generic"]
    return [questions.get(kind) or generic.format(label=kind.replace("_", " ")) for kind in missing]


def _customer_message(state: TurnState, team: str | None, language: str) -> str:
    words = phrase_data().handoff.get(language) or phrase_data().handoff["en"]
    head = words["connect_team"].format(team=team.replace("_", " ")) if team else words["connect_generic"]
    items: list[str] = []
    for kind in _NAMED_FACTS:  # identifiers first, each kind once, secrets never
        fact = next((f for f in state.facts.values() if f.kind == kind and f.value), None)
        if fact is not None and len(items) < _MAX_PASSED:
            items.append(words[kind].format(value=fact.value))
    if not items and state.facts:
        items.append(words["other"])
    if state.failed:
        count = len(state.failed)
        items.append(words["failed_one"] if count == 1 else words["failed_many"].format(count=count))
    if not items:
        return head
    joined = items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {words['and']} {items[-1]}"
    return f"{head} {words['passed'].format(items=joined)}"


_SURE = 0.5
"""Intent confidence at which the policy's required facts apply without a keyword."""


def decide(state: TurnState, policy: EscalationPolicy) -> EscalationDecision:
    """The decision for the conversation ``state`` has read so far."""
    found = state.effective_intent()
    intent = found.label
    rule = policy.rule(intent, state.taxonomy)
    # "Always hand off" acts on what the customer said: the intent must be grounded in one
    # of its taxonomy keywords (or a de/es hint) in a customer message, not only in the
    # classifier's view (which also reads the bot's and agent's words).
    grounded = state.keyword_ids.get(intent) or (
        found.evidence if state.intent_hint is not None and state.intent_hint[0] == intent else []
    )
    reasons = _reasons(state, policy, grounded, escalate_intent=rule.escalate is True and bool(grounded))
    # "escalate = false" keeps an intent with the bot, unless the customer asks for a person.
    asked = any(r.kind == "human_request" for r in reasons)
    escalate = bool(reasons) and (rule.escalate is not False or asked)
    spec = state.taxonomy.intent(intent)
    team = rule.team or (spec.team if spec is not None else None)
    given = state.given_kinds()
    # Facts to collect first only for an intent the customer's words stand behind (or a
    # confident reading): asking a blender question for an order number helps nobody.
    sure = bool(grounded) or found.confidence >= _SURE
    missing = [kind for kind in rule.required if kind not in given] if sure else []
    language = state.language
    # Built from validated parts (no user input reaches these fields unchecked): constructing
    # without re-validation keeps a decision on every message cheap.
    return EscalationDecision.model_construct(
        escalate=escalate,
        reasons=reasons,
        team=team,
        intent=intent,
        missing=missing,
        ask=_ask(missing, language),
        customer_message=_customer_message(state, team, language) if escalate else None,
        language=language,
        message_count=state.message_count,
    )

"""What a model is asked to fill: the part of the record models are good at.

A model writes the summary, judges intent, urgency and sentiment, lists the
actions, the blocker, the facts, the open questions, the next steps and the
commitments — each citing message ids. It never fills ids, provenance, history,
confidence or a resolved due date: code does that (``handoff_ai.llm.grounding.merge``)
after every citation and fact value has been checked against the conversation
(``handoff_ai.llm.grounding.ground``).

Field descriptions are sent to the model as part of the JSON Schema, so they
are written for a model that sees only the schema and the transcript.
"""

from __future__ import annotations

import copy
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["LLMAction", "LLMAnswer", "LLMCommitment", "LLMFact", "LLMItem"]

_EVIDENCE = 'Ids of the transcript messages that support this, exactly as shown in brackets, e.g. "m4".'


def _lower(value: Any) -> Any:
    """Accept ``"High"`` or ``" urgent "`` for a lower-case enum (small models vary the case)."""
    return value.strip().lower() if isinstance(value, str) else value


class _Part(BaseModel):
    # Extra keys a model adds ("confidence", ...) are ignored rather than failing the answer;
    # the strict schema sent to the model still forbids them.
    model_config = ConfigDict(extra="ignore")


class LLMItem(_Part):
    """A short statement with the messages behind it."""

    text: str = Field(description="One short sentence.")
    evidence: list[str] = Field(default_factory=list, description=_EVIDENCE)


class LLMAction(_Part):
    """Something already done about the problem."""

    description: str = Field(
        description='What was done, in a few words (e.g. "Bot sent a password reset link").'
    )
    actor: Literal["customer", "bot", "agent", "system"] = Field(
        description="Who did it: the customer, the bot, a human agent, or the system (a logged event)."
    )
    outcome: Literal["succeeded", "failed", "pending", "unknown"] = Field(
        "unknown", description='How it went, as the transcript shows; "unknown" when it does not say.'
    )
    evidence: list[str] = Field(default_factory=list, description=_EVIDENCE)

    _case = field_validator("actor", "outcome", mode="before")(_lower)


class LLMFact(_Part):
    """A piece of information the customer already gave (so the agent does not ask again)."""

    kind: str = Field(
        description=(
            "Short snake_case kind: email, phone, name, order_id, account_id, ticket_id, tracking_number, "
            "error_code, amount, date, address, postal_code, device, plan, product, or similar. Secrets use "
            "pin, password, security_answer, code or card_number."
        )
    )
    value: str | None = Field(
        description=(
            "The value copied character for character from the cited message. null for a secret "
            "(PIN, password, security answer, one-time code, full card number): never copy a secret."
        )
    )
    evidence: list[str] = Field(
        default_factory=list, description="Id of the message where the customer gave it. " + _EVIDENCE
    )
    withheld: bool = Field(
        False, description="true when this is a secret the customer gave; then value must be null."
    )


class LLMCommitment(_Part):
    """A promise the bot or an agent made, which whoever takes over must keep."""

    text: str = Field(
        description='What was promised, in the words of the message (e.g. "I\'ll call you back Tuesday").'
    )
    due: str | None = Field(
        None,
        description='When, copied exactly as written (e.g. "Tue 10:00", "in 5-7 business days"), or null.',
    )
    actor: Literal["bot", "agent"] = Field(description="Who made the promise: the bot or a human agent.")
    evidence: list[str] = Field(
        default_factory=list, description="Id of the message that made it. " + _EVIDENCE
    )

    _case = field_validator("actor", mode="before")(_lower)


class LLMAnswer(_Part):
    """The handoff note for the human agent taking over the conversation."""

    summary: str = Field(
        description="The customer's problem and where it stands, in one or two clear sentences for the agent."
    )
    intent: str = Field(
        "unknown",
        description='What the customer wants: exactly one intent name from the list given, or "unknown".',
    )
    intent_evidence: list[str] = Field(
        default_factory=list, description="Messages that show the intent. " + _EVIDENCE
    )
    customer_impact: str | None = Field(
        None, description="What is blocked or at risk for the customer, if they said so; otherwise null."
    )
    urgency: Literal["low", "normal", "high", "urgent"] = Field(
        "normal",
        description=(
            "How fast a human should act: urgent (security, money being lost now, a hard deadline today), "
            "high (customer blocked, angry, or threatening to leave), normal, or low (a question)."
        ),
    )
    urgency_reasons: list[str] = Field(
        default_factory=list, description="Short reasons for the urgency, from what the customer said."
    )
    sentiment: Literal["negative", "neutral", "positive"] = Field(
        "neutral", description="The customer's mood at the end of the conversation."
    )
    actions_taken: list[LLMAction] = Field(
        default_factory=list,
        description="What the customer, bot, agents or system already tried or did, in order.",
    )
    blocker: LLMItem | None = Field(
        None, description="The exact thing stopping progress right now, with its messages; null if none."
    )
    team: str | None = Field(
        None,
        description="The team that should take over: exactly one team name from the list given, or null.",
    )
    facts: list[LLMFact] = Field(
        default_factory=list,
        description=(
            "Everything the customer already gave: ids, emails, phones, names, error codes, amounts, dates, "
            "devices, plans. Each value copied exactly from the message it cites."
        ),
    )
    open_questions: list[LLMItem] = Field(
        default_factory=list,
        description="What the agent still has to find out (not what the customer already gave).",
    )
    next_steps: list[LLMItem] = Field(
        default_factory=list, description="The next actions the agent should take, most important first."
    )
    commitments: list[LLMCommitment] = Field(
        default_factory=list,
        description=(
            "Promises the bot or an agent made (a callback, an email, a refund by a date, an internal note's "
            "'Next:'). Not questions, not 'I'll check', nothing the customer said."
        ),
    )

    _case = field_validator("urgency", "sentiment", mode="before")(_lower)

    @classmethod
    def strict_json_schema(cls) -> dict[str, Any]:
        """The JSON Schema for OpenAI structured outputs with ``"strict": true``.

        Differences from ``model_json_schema()``: ``$ref``s are inlined (the model is
        flat and not recursive, and a ``$ref`` with sibling keywords is rejected in
        strict mode), ``title`` and ``default`` are removed, every object lists all
        its properties as ``required`` and sets ``additionalProperties: false``;
        optional values stay expressible as ``anyOf`` with ``{"type": "null"}``.
        """
        raw = cls.model_json_schema()
        defs = raw.pop("$defs", {})
        strict: dict[str, Any] = _strict(raw, defs)
        return strict


_DROP_KEYS = frozenset({"title", "default", "examples"})


def _strict(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_strict(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = copy.deepcopy(defs[node["$ref"].rsplit("/", 1)[-1]])
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        return _strict({**target, **siblings}, defs)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties":  # a map of field names: keep every name, even "title"
            out[key] = {name: _strict(schema, defs) for name, schema in value.items()}
        elif key not in _DROP_KEYS:
            out[key] = _strict(value, defs)
    if out.get("type") == "object" or "properties" in out:
        properties = out.setdefault("properties", {})
        out["required"] = list(properties)
        out["additionalProperties"] = False
    return out

"""The escalation decision as data: part of the record's ``handoff`` block when asked for.

Built by :mod:`handoff_ai.escalation`; here so the contract carries it without importing
the stage that computes it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["REASON_KINDS", "EscalationDecision", "Reason", "ReasonKind"]

ReasonKind = Literal["human_request", "bot_loop", "failed_actions", "frustration", "policy", "out_of_scope"]
REASON_KINDS: tuple[str, ...] = (
    "human_request", "policy", "out_of_scope", "failed_actions", "bot_loop", "frustration",
)  # fmt: skip
"""Reason kinds, in the order a decision lists them (most decisive first)."""


class Reason(BaseModel):
    """One trigger that fired, with the messages behind it."""

    model_config = ConfigDict(extra="forbid")

    kind: ReasonKind
    description: str = Field(description="What fired, in a few words (never quotes the customer).")
    evidence: list[str] = Field(default_factory=list, description="Ids of the messages behind it.")


class EscalationDecision(BaseModel):
    """Whether a bot should hand off now, why, to whom, and what to ask first."""

    model_config = ConfigDict(extra="forbid")

    escalate: bool = False
    reasons: list[Reason] = Field(default_factory=list)
    team: str | None = Field(None, description="Team from the taxonomy routing (or the policy).")
    intent: str = "unknown"
    missing: list[str] = Field(
        default_factory=list, description="Fact kinds the policy requires for this intent, not given yet."
    )
    ask: list[str] = Field(
        default_factory=list, description="Questions for what is missing, in the customer's language."
    )
    customer_message: str | None = Field(None, description="A warm handoff line, built only from the record.")
    language: str = "en"
    message_count: int = 0

    @property
    def reason_kinds(self) -> list[str]:
        return [reason.kind for reason in self.reasons]

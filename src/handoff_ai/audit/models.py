"""What the audit finds in one conversation: re-asks, repeats, transfers.

Every finding cites message ids, never message text, so an audit can be shared
without the transcripts (and never carries a value the customer typed).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ConversationAudit", "Mood", "Reask", "Repeat", "Transfer", "TransferKind"]

Mood = Literal["negative", "neutral", "positive"]
TransferKind = Literal[
    "bot_to_agent", "agent_to_bot", "agent_to_agent", "bot_to_bot", "team_change", "announced"
]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Reask(_Part):
    """A bot/agent asking again for something the customer had already given."""

    kind: str = Field(description="The fact kind asked for (email, order_id, ...) or 'issue'.")
    asked: str = Field(description="Id of the message asking for it again.")
    given: str = Field(description="Id of the customer message that had already given it.")
    after_transfer: bool = Field(
        False, description="The asker is not the owner the customer gave it to (lost in a handoff)."
    )


class Repeat(_Part):
    """A customer message restating what they had already said."""

    message: str = Field(description="Id of the customer message that repeats.")
    of: list[str] = Field(default_factory=list, description="Ids of the earlier messages it repeats.")
    reasons: list[str] = Field(
        default_factory=list,
        description="cue ('as I said ...'), reanswer (answers a re-ask), fact (gives a value again), "
        "issue (restates the problem).",
    )
    kinds: list[str] = Field(default_factory=list, description="Fact kinds given again, if any.")


class Transfer(_Part):
    """One change of owner: one handoff, however many messages announce or follow it."""

    kind: TransferKind
    from_owner: str | None = None
    to_owner: str | None = Field(None, description="None when the new owner never wrote (announced only).")
    evidence: list[str] = Field(
        default_factory=list, description="The announcing message/event and the new owner's first message."
    )
    channel_change: bool = False
    wait_minutes: float | None = Field(
        None, description="From the transfer to the new owner's first message (timestamps only)."
    )
    sentiment_before: Mood | None = None
    sentiment_after: Mood | None = None
    warm: bool | None = Field(
        None, description="The transfer message or the new owner's first message shows the context."
    )
    context_evidence: list[str] = Field(default_factory=list, description="Messages that showed the context.")


class ConversationAudit(_Part):
    """The audit of one conversation."""

    conversation_id: str
    messages: int = 0
    reasks: list[Reask] = Field(default_factory=list)
    repeats: list[Repeat] = Field(default_factory=list)
    transfers: list[Transfer] = Field(default_factory=list)
    warm: bool | None = Field(None, description="Every handoff was warm; None without a handoff.")
    bot: bool = Field(False, description="A bot took part.")
    contained: bool | None = Field(
        None, description="The bot handled it without a human (None when no bot took part)."
    )

    @property
    def severity(self) -> float:
        """How badly context was lost: re-asks weigh most, then repeats, cold handoffs, hops."""
        cold = sum(1 for t in self.transfers if t.warm is False)
        hops = max(0, len(self.transfers) - 1)
        return 3.0 * len(self.reasks) + 2.0 * len(self.repeats) + 1.5 * cold + hops

"""The handoff record: what a human needs to take over without asking twice.

Every item that claims something about the conversation carries ``evidence``:
the ids of the messages that support it. A field the conversation does not
support stays empty (``None`` or ``[]``); nothing is invented to fill it.

Field descriptions double as instructions for model backends, so they are
written for a reader who has only the schema.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..exceptions import RenderError
from .escalation import EscalationDecision

__all__ = [
    "SCHEMA_VERSION",
    "Action",
    "Blocker",
    "Commitment",
    "Expertise",
    "Fact",
    "Handoff",
    "HandoffRecord",
    "HistoryEvent",
    "Intent",
    "Item",
    "Provenance",
    "Sentiment",
    "Signal",
    "TokenUsage",
    "Truncation",
    "Urgency",
]

SCHEMA_VERSION = "1.2"
"""1.1 added ``commitments`` (promises made to the customer or between agents)."""

Evidence = list[str]
Actor = Literal["customer", "bot", "agent", "system"]
Outcome = Literal["succeeded", "failed", "pending", "unknown"]
UrgencyLevel = Literal["low", "normal", "high", "urgent"]
SentimentLabel = Literal["negative", "neutral", "positive"]
HandoffType = Literal["ai_to_human", "agent_to_agent", "tier_escalation", "channel_switch"]
FieldSource = Literal["rules", "llm", "merged"]

_EVIDENCE = "Ids of the messages that support this item."


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Intent(_Part):
    """What the customer wants, as a label from the taxonomy."""

    label: str = Field("unknown", description="Intent name from the taxonomy, or 'unknown'.")
    confidence: float = Field(0.0, ge=0.0, le=1.0, description="0..1; how sure the backend is.")
    evidence: Evidence = Field(default_factory=list, description=_EVIDENCE)
    alternatives: list[tuple[str, float]] = Field(
        default_factory=list, description="Runner-up labels with their confidence, best first."
    )


class Urgency(_Part):
    """How fast a human should act, and why."""

    level: UrgencyLevel = "normal"
    reasons: list[str] = Field(default_factory=list, description="Short reasons for the level.")
    evidence: Evidence = Field(default_factory=list, description=_EVIDENCE)


class Signal(_Part):
    """One observed cue, such as a repeated complaint or a threat to leave."""

    kind: str = Field(description="e.g. repeat, as_i_said, all_caps, threat_to_leave, handoff_request.")
    evidence: Evidence = Field(default_factory=list, description=_EVIDENCE)
    rule: str | None = Field(None, description="The rule that produced it (rules backend).")


class Sentiment(_Part):
    """The customer's mood and the cues of frustration behind it."""

    label: SentimentLabel = "neutral"
    frustration_signals: list[Signal] = Field(default_factory=list)
    repeat_contact: bool = Field(False, description="The customer says they contacted support before.")


class HistoryEvent(_Part):
    """A notable event on the conversation's timeline (transfer, channel switch, earlier contact)."""

    kind: str = Field(description="e.g. earlier_contact, channel_switch, transfer, handoff_request.")
    description: str
    evidence: Evidence = Field(default_factory=list, description=_EVIDENCE)


class Action(_Part):
    """Something already done about the problem, and how it went."""

    description: str = Field(description="What was done, in a few words.")
    actor: Actor = Field(description="Who did it.")
    outcome: Outcome = "unknown"
    evidence: Evidence = Field(default_factory=list, description=_EVIDENCE)
    rule: str | None = Field(None, description="The rule that produced it (rules backend).")


class Blocker(_Part):
    """The exact roadblock right now."""

    description: str
    evidence: Evidence = Field(default_factory=list, description=_EVIDENCE)


class Expertise(_Part):
    """Who should handle this next."""

    team: str | None = Field(None, description="Team name from the taxonomy.")
    skills: list[str] = Field(default_factory=list)
    reason: str = ""


class Fact(_Part):
    """A piece of information the customer already gave: do not ask for it again.

    ``value`` is copied exactly from the cited message. Secrets (PINs,
    passwords, security answers, one-time codes, full card numbers) are recorded
    as given with ``value=None`` and ``withheld=True``.
    """

    kind: str = Field(description="e.g. email, phone, order_id, account_id, name, date, amount.")
    value: str | None = Field(description="The value exactly as written in the cited message.")
    evidence: Evidence = Field(default_factory=list, description=_EVIDENCE)
    withheld: bool = Field(False, description="A secret was given; its value is not stored.")
    rule: str | None = Field(None, description="The rule that produced it (rules backend).")


class Item(_Part):
    """A short statement (an open question, a next step) with its support."""

    text: str
    evidence: Evidence = Field(default_factory=list, description=_EVIDENCE)


class Commitment(_Part):
    """A promise made to the customer or handed between agents: a callback, a refund
    "in 5–7 business days", "I'll email you by Friday", a shift note's "Next: call back
    Tue 10:00". Whoever takes over inherits it, so it must not be lost.
    """

    text: str = Field(description="What was promised, in the words of the cited message.")
    due: str | None = Field(
        None,
        description='When it is due, as written ("Tue 10:00", "in 5–7 business days"); null if unstated.',
    )
    due_iso: str | None = Field(
        None,
        description="The due date (or date and time) in ISO 8601, resolved against the cited message's "
        "timestamp; a range gives its last day. null when it cannot be resolved.",
    )
    actor: Actor = Field(description="Who made the promise (and must keep it).")
    evidence: Evidence = Field(default_factory=list, description=_EVIDENCE)
    rule: str | None = Field(None, description="The rule that produced it (rules backend).")


class Handoff(_Part):
    """Why and how the conversation is changing hands."""

    type: HandoffType | None = None
    trigger: str | None = Field(None, description="What caused the handoff, e.g. customer_request.")
    evidence: Evidence = Field(default_factory=list, description=_EVIDENCE)
    decision: EscalationDecision | None = Field(
        None,
        description="Should a bot hand off now, and why (filled when summarize is asked: escalation=).",
    )


class TokenUsage(_Part):
    prompt: int = 0
    completion: int = 0


class Truncation(_Part):
    """What was left out of a model's view, so nothing is cut silently."""

    omitted: Evidence = Field(default_factory=list, description="Ids of messages not sent to the model.")
    reason: str = ""


class Provenance(_Part):
    """Who produced the record and how. Rules-backend records carry no timings,
    so the same input gives a byte-identical record."""

    backend: str = "rules"
    model: str | None = None
    template: str | None = None
    fields: dict[str, FieldSource] = Field(default_factory=dict)
    fallback_reason: str | None = None
    tokens: TokenUsage | None = None
    cost_usd: float | None = None
    latency_ms: float | None = None
    truncation: Truncation | None = None
    warnings: list[str] = Field(default_factory=list)
    redaction: dict[str, int] | None = Field(
        None,
        description="What was redacted before the conversation reached a model: kind -> mentions "
        "(never values); None when nothing was redacted for a model (rules backend, redact=False).",
    )


class HandoffRecord(_Part):
    """Everything a human needs to take over a conversation."""

    schema_version: str = SCHEMA_VERSION
    conversation_id: str = ""
    message_count: int = Field(0, description="How many messages the record was built from.")
    language: str | None = Field(
        None, description="The customer's language (BCP-47, e.g. 'de'); None when nothing tells."
    )
    note_language: str = Field(
        "en", description="The language of the record's own words: summary frames, next steps, note labels."
    )
    summary: str = Field("", description="The problem in one clear sentence.")
    intent: Intent = Field(default_factory=Intent)
    customer_impact: str | None = Field(None, description="What is blocked or at risk, if stated.")
    urgency: Urgency = Field(default_factory=Urgency)
    sentiment: Sentiment = Field(default_factory=Sentiment)
    history: list[HistoryEvent] = Field(default_factory=list)
    actions_taken: list[Action] = Field(default_factory=list)
    blocker: Blocker | None = None
    needed_expertise: Expertise = Field(default_factory=Expertise)
    facts: list[Fact] = Field(default_factory=list)
    open_questions: list[Item] = Field(default_factory=list)
    next_steps: list[Item] = Field(default_factory=list)
    commitments: list[Commitment] = Field(
        default_factory=list, description="Promises made to the customer or between agents, still to keep."
    )
    handoff: Handoff = Field(default_factory=Handoff)
    provenance: Provenance = Field(default_factory=Provenance)

    # -- conveniences -------------------------------------------------------------

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """The record's JSON Schema (what ``handoff schema`` prints)."""
        return cls.model_json_schema()

    def evidence_ids(self) -> set[str]:
        """Every message id cited anywhere in the record."""
        found: set[str] = set()

        def walk(node: Any) -> None:
            if isinstance(node, BaseModel):
                for name in type(node).model_fields:
                    value = getattr(node, name)
                    if name == "evidence":
                        found.update(value)
                    else:
                        walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(self)
        return found

    def to_json(self, *, indent: int | None = 2) -> str:
        """The record as JSON (keys in schema order, stable across runs)."""
        return json.dumps(self.model_dump(mode="json"), indent=indent, ensure_ascii=False)

    def to_markdown(self) -> str:
        """The record as a Markdown internal note for a helpdesk."""
        return _hook("render")(self, "markdown")  # type: ignore[no-any-return]

    def to_text(self) -> str:
        """The record as plain text (for SMS-width or log-free consoles)."""
        return _hook("render")(self, "text")  # type: ignore[no-any-return]

    def to_html(self) -> str:
        """The record as a self-contained HTML fragment."""
        return _hook("render")(self, "html")  # type: ignore[no-any-return]

    def __rich__(self) -> Any:
        return _hook("rich")(self)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        return self.to_html()


# The record's render shortcuts call the renderers through hooks that
# ``handoff_ai.renderers`` installs when it is imported (``import handoff_ai`` does),
# so the contract imports nothing of the stage that reads it.
_RENDER_HOOKS: dict[str, Callable[..., Any]] = {}


def set_render_hooks(
    *, render: Callable[[HandoffRecord, str], str], rich: Callable[[HandoffRecord], Any]
) -> None:
    """Install the functions behind ``to_markdown``/``to_text``/``to_html`` and ``__rich__``."""
    _RENDER_HOOKS.update(render=render, rich=rich)


def _hook(name: str) -> Callable[..., Any]:
    try:
        return _RENDER_HOOKS[name]
    except KeyError:  # only if handoff_ai.models were loaded without the package
        raise RenderError("no renderers installed: import handoff_ai.renderers first") from None

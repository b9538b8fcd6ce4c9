"""Escalation: should a bot hand off now, why, and what must it collect first.

The stage reads a conversation message by message with cheap detectors (the rules
engine's cues, facts, actions and intent, plus this package's phrase lists in
``data/escalation.toml``) and turns what fired into an ``EscalationDecision``: the
reasons (each citing message ids), the team from the taxonomy's routing, the fact kinds
the team's ``EscalationPolicy`` requires that the customer has not given, the questions
to ask for them, and a warm handoff line for the customer. Deterministic: the same
input gives a byte-identical decision; no message text is logged.

Never imports: llm, backends, renderers, evaluation, apps, api, batch, incremental
(tests/test_layout.py pins it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..models import Conversation, HandoffRecord
from ..taxonomy import Taxonomy
from .decision import REASON_KINDS, EscalationDecision, Reason, decide
from .live import LiveEscalation
from .policy import EscalationPolicy, IntentRule, PolicyLike, Triggers, resolve_policy

__all__ = [
    "REASON_KINDS",
    "EscalationDecision",
    "EscalationPolicy",
    "IntentRule",
    "LiveEscalation",
    "Reason",
    "Triggers",
    "decide",
    "resolve_policy",
    "should_escalate",
]


def should_escalate(
    conversation: Conversation | Any,
    *,
    policy: PolicyLike = None,
    taxonomy: Taxonomy | str | Path | dict[str, Any] | None = None,
    record: HandoffRecord | None = None,
    format: str = "auto",
) -> EscalationDecision:
    """Should the bot hand this conversation to a person now?

    Args:
        conversation: a ``Conversation`` or anything ``handoff_ai.load`` reads (a path,
            bytes, OpenAI-style messages, ...) — the conversation so far.
        policy: an ``EscalationPolicy``, a TOML/JSON policy path, a dict, or ``None``
            for the packaged policy (``escalation/data/policy.toml``).
        taxonomy: intents and team routing (default: the packaged taxonomy).
        record: a handoff record built from the same messages: its intent and facts are
            used instead of the decision's own quick reading.
        format: input format when ``conversation`` is not a ``Conversation``.

    Raises:
        ConfigError: the policy or taxonomy is invalid.
        ParseError / UnknownFormatError: the conversation cannot be read.
    """
    if not isinstance(conversation, Conversation):
        from ..parsers import load

        conversation = load(conversation, format=format)
    if taxonomy is None or isinstance(taxonomy, Taxonomy):
        resolved = taxonomy
    elif isinstance(taxonomy, dict):
        resolved = Taxonomy.from_dict(taxonomy)
    else:
        resolved = Taxonomy.load(taxonomy)
    live = LiveEscalation(policy=policy, taxonomy=resolved, conversation_id=conversation.id)
    if record is None:
        return live.update(conversation.messages)
    live.update(conversation.messages)
    return live.with_record(record)

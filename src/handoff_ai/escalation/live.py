"""Live use: a decision on every new message, reading only the new message.

    live = LiveEscalation(policy=policy)
    for message in incoming:                 # as the chat goes on
        decision = live.update([message])
        if decision.escalate:
            ...

``LiveEscalation`` keeps the triggers' state (``triggers.TurnState``) between calls,
so an update costs the new messages' reading plus building the decision — not a pass
over the whole conversation. ``should_escalate(conversation)`` is this same fold over
every message at once, so the live decision after message *n* equals
``should_escalate`` on the first *n* messages, byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..models import Conversation, HandoffRecord, Message
from ..models.record import Intent
from ..taxonomy import Taxonomy
from .decision import EscalationDecision, decide
from .policy import PolicyLike, resolve_policy
from .triggers import GivenFact, TurnState

__all__ = ["LiveEscalation"]


class LiveEscalation:
    """Incremental escalation decisions for one conversation.

    Args:
        policy: an ``EscalationPolicy``, a TOML/JSON path, a dict, or ``None`` (packaged).
        taxonomy: intents and team routing (default: the packaged taxonomy).
        conversation_id: names the conversation (evidence ids are the messages' own).
    """

    def __init__(
        self, *, policy: PolicyLike = None, taxonomy: Taxonomy | None = None, conversation_id: str = ""
    ) -> None:
        self.policy = resolve_policy(policy)
        self.taxonomy = taxonomy if taxonomy is not None else Taxonomy.default()
        self.state = TurnState.start(self.taxonomy, conversation_id)
        self._last: tuple[tuple[object, ...], EscalationDecision] | None = None

    def update(self, messages: Iterable[Message] | Conversation) -> EscalationDecision:
        """Read ``messages`` (the ones after those already read) and decide."""
        for message in messages.messages if isinstance(messages, Conversation) else messages:
            self.state.add(message)
        return self.decision()

    def decision(self) -> EscalationDecision:
        """The decision on what has been read so far.

        Most messages change nothing the decision reads; then the previous decision is
        reused with the new message count (same result as deciding again, cheaper).
        """
        key = self.state.fingerprint()
        if self._last is not None and self._last[0] == key:
            return self._last[1].model_copy(update={"message_count": self.state.message_count})
        decision = decide(self.state, self.policy)
        self._last = (key, decision)
        return decision

    def with_record(self, record: HandoffRecord) -> EscalationDecision:
        """The decision using a record built from the same messages for the intent and the
        facts (the engine's whole-conversation view) instead of the live estimates."""
        state = self.state
        saved = (state.intent, state.facts)
        state.intent = record.intent.model_copy() if record.intent else Intent()
        state.facts = {(f.kind, f.value): GivenFact(f.kind, f.value, list(f.evidence)) for f in record.facts}
        try:
            return decide(state, self.policy)
        finally:
            state.intent, state.facts = saved

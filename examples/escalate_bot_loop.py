"""Wire the escalation decision into a bot loop: OpenAI-style messages in, a decision out.

Runs offline (rules only, no key, no network)::

    python examples/escalate_bot_loop.py

A real bot would call ``live.update(...)`` after each turn it receives or sends, exactly
as below; ``LiveEscalation`` reads only the new messages, so this is cheap enough for
every turn. When the decision says escalate, the bot asks what is still ``missing``
(``decision.ask``), then says ``decision.customer_message`` and hands over.
"""

from __future__ import annotations

import handoff_ai as ho
from handoff_ai.escalation import LiveEscalation

POLICY = {
    "triggers": {"failed_actions": 2, "bot_loop": 2, "frustration": True},
    "intents": {"refund": {"required": ["order_id", "email"]}, "fraud_security": {"escalate": True}},
}


# The chat as the bot sees it, one OpenAI chat message at a time (tool calls included).
def _refund(call_id: str) -> dict[str, object]:
    """The bot calling its refund tool (an assistant message with a tool call)."""
    call = {"id": call_id, "type": "function", "function": {"name": "issue_refund", "arguments": "{}"}}
    return {"role": "assistant", "content": None, "tool_calls": [call]}


CHAT = [
    {"role": "user", "content": "Hi, I returned a jacket two weeks ago and still no refund. Order A-20931."},
    _refund("call_1"),
    {"role": "tool", "tool_call_id": "call_1", "content": "error: 503 service unavailable"},
    {"role": "assistant", "content": "Hmm, that didn't go through. Let me try once more."},
    _refund("call_2"),
    {"role": "tool", "tool_call_id": "call_2", "content": "error: 503 service unavailable"},
    {"role": "user", "content": "seriously? what now"},
]  # fmt: skip


def main() -> None:
    live = LiveEscalation(policy=POLICY)
    seen = 0
    for turn in range(1, len(CHAT) + 1):
        # Parse the chat so far (a bot usually holds it anyway) and feed only the new messages.
        conversation = ho.load({"messages": CHAT[:turn]}, format="openai")
        decision = live.update(conversation.messages[seen:])
        seen = len(conversation.messages)
        if not decision.escalate:
            print(f"turn {turn}: keep going (intent {decision.intent})")
            continue
        why = "; ".join(f"{r.kind}: {r.description} {r.evidence}" for r in decision.reasons)
        print(f"turn {turn}: hand off to {decision.team or 'a person'} — {why}")
        for question in decision.ask:
            print(f"  bot asks first: {question}")
        print(f"  bot says: {decision.customer_message}")
        break


if __name__ == "__main__":
    main()

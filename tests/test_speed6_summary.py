"""Speed round 6, summary: with a promise the agent's statement is read only when a blocker is cited
(it then tells whether the blocker's message is quoted already); otherwise the summary cannot
depend on it, so it is not read. These tests show both halves, on realistic and ugly text."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import pytest

from handoff_ai import Conversation, Message
from handoff_ai.models import Blocker
from handoff_ai.rules import summary, summary_quoted
from handoff_ai.rules.note_words import note_words
from handoff_ai.rules.phrases import CueReader
from handoff_ai.rules.ruleset import load_rules


@dataclass
class _Promise:
    text: str


_CUES = load_rules().phrases

_UGLY = [
    "My refund for order A-1.2 never arrived 😩",
    "<b>HELP</b> the app CRASHES on login!!!",
    "Mein Paket ist seit 5. März nicht angekommen.",
    "I'll send you a confirmation email by Friday.",
    "Sorry about that, Dan. I have reset your session, please log in again.",
    "Is there anything else I can help you with?",
    "Have a nice day!",
    "注文した商品が届きません。",
    "ok",
    "We will refund the duplicate charge within 5 business days.",
    "Please DM us your booking reference &nbsp; and we'll look into it.",
    "My PIN is 1234 and my security question answer is sanders",
    "x" * 3000,
    "İstanbul office: the İ key on my keyboard is broken",
]


def _conv(turns: list[tuple[str, str]]) -> Conversation:
    return Conversation(messages=[Message(id=f"m{i}", role=r, text=t) for i, (r, t) in enumerate(turns, 1)])


def _random_conversation(rng: random.Random) -> Conversation:
    roles = ["customer", "agent", "bot"]
    return _conv([(rng.choice(roles), rng.choice(_UGLY)) for _ in range(rng.randint(1, 9))])


def test_a_blocker_in_the_statement_message_is_not_repeated_beside_a_promise() -> None:
    """The statement is still read when a blocker is cited: its message counts as quoted. This
    fails if the statement were skipped whenever there is a promise."""
    conversation = _conv(
        [
            ("customer", "My card was charged twice for the same order yesterday."),
            ("agent", "The billing system is down, so I cannot reverse the duplicate charge yet."),
        ]
    )
    promise = [_Promise("Refund the duplicate charge within 5 business days")]
    cited = Blocker(
        description="The billing system is down, so the charge cannot be reversed", evidence=["m2"]
    )
    quoted = summary.build_summary(conversation, CueReader(_CUES), blocker=cited, commitments=promise)
    assert "Promised: Refund the duplicate charge within 5 business days." in quoted
    assert "Still blocked" not in quoted  # the agent's statement is from m2: it is quoted already
    elsewhere = Blocker(description=cited.description, evidence=["m1"])
    elsewhere_summary = summary.build_summary(
        conversation, CueReader(_CUES), blocker=elsewhere, commitments=promise
    )
    assert "Still blocked" not in elsewhere_summary  # m1 is the message: quoted as well


def test_without_a_cited_blocker_a_promise_does_not_read_the_statement(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def unread(*_: Any) -> None:
        raise AssertionError("the agent's statement was read")

    conversation = _conv(
        [("customer", "My refund never arrived."), ("agent", "I have escalated it to billing.")]
    )
    monkeypatch.setattr(summary, "_agent_statement", unread)
    monkeypatch.setattr(summary_quoted, "_agent_statement", unread)
    promise = [_Promise("Call the customer back on Monday")]
    text = summary.build_summary(conversation, CueReader(_CUES), commitments=promise)
    assert text == "Customer says their refund never arrived. Promised: Call the customer back on Monday."
    quoted = summary_quoted.build_quoted_summary(
        conversation, CueReader(_CUES), note_words("de"), commitments=promise
    )
    assert "Call the customer back on Monday" in quoted


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("quoted", [False, True])
def test_the_statement_read_or_not_gives_the_same_summary(
    seed: int, quoted: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On random ugly conversations, with and without a promise and a blocker, the summary equals the
    one built with the statement always read (each call to it counted, then replayed unconditionally)."""
    rng = random.Random(seed)
    conversation = _random_conversation(rng)
    ids = [m.id for m in conversation.messages]
    blocker = rng.choice([None, Blocker(description=rng.choice(_UGLY), evidence=[rng.choice(ids)])])
    commitments = rng.choice([[], [_Promise(rng.choice(_UGLY))]])

    def build(module: Any) -> str:
        cues = CueReader(_CUES)
        if quoted:
            return str(
                summary_quoted.build_quoted_summary(
                    conversation, cues, note_words("fr"), blocker=blocker, commitments=commitments
                )
            )
        return str(module.build_summary(conversation, cues, blocker=blocker, commitments=commitments))

    lazy = build(summary)
    reads: list[object] = []
    real = summary._agent_statement

    def counted(*args: Any) -> Any:
        reads.append(real(*args))
        return reads[-1]

    monkeypatch.setattr(summary, "_agent_statement", counted)
    monkeypatch.setattr(summary_quoted, "_agent_statement", counted)
    assert build(summary) == lazy
    if commitments and blocker is None:
        assert not reads
    # The eager reference: the statement read first, whatever the promise (as before the change).
    eager_statement = real(conversation, (), CueReader(_CUES))
    monkeypatch.setattr(summary, "_agent_statement", lambda *_: eager_statement)
    monkeypatch.setattr(summary_quoted, "_agent_statement", lambda *_: eager_statement)
    assert build(summary) == lazy

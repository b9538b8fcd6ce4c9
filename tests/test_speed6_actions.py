"""The actions stage's round-6 fast paths give what the plain forms they replace give.

* a logged event's reading (outcome, description, key) is remembered for short texts: a repeat
  reads as the first sight did, and long texts are never kept;
* a plain event that trails off is settled as it is read, not in a pass at the end: the same
  outcomes as the end-of-conversation pass, tool calls included;
* the stage's gates are built once per rule set and phrases;
* ``_with_events`` and ``_fold_replies`` are skipped when nothing can be folded.
"""

from __future__ import annotations

import json
import random
from collections.abc import Hashable
from pathlib import Path

import pytest

from handoff_ai.models import Action, Conversation, Message
from handoff_ai.rules import actions, dialogue, events
from handoff_ai.rules.actions import extract_actions
from handoff_ai.rules.dialogue_data import dialogue_phrases
from handoff_ai.rules.phrases import CueReader
from handoff_ai.rules.ruleset import load_rules
from handoff_ai.rules.sentences import MAX_DESCRIPTION, shorten

_EVENTS = [
    "Identity verification in progress ...",
    "IDENTITY VERIFICATION IN PROGRESS ...",
    "Identity verification in progress ...  ",
    "Searching the FAQ pages …",
    "Account has been pulled up for Crystal Minh.",
    "A link will be sent.",
    "resend_activation_email(user=42) -> 429 Too Many Requests",
    "change_plan(...) -> 409 CONFLICT",
    '{"error": {"code": "FARE_RULE_VIOLATION", "message": "Fare   rules forbid it", "status": 422}}',
    '{"status": "ok", "items": [1, 2]}',
    "Traceback (most recent call last): KeyError: 'invoice_id'",
    "<b>Refund</b> pending review&nbsp;...",
    "Verificación de identidad en curso ...",
    "Überprüfung fehlgeschlagen: Kelvin-Zeichen K ſ",
    "🙂 Looking up your order…",
    "HTTP 503 Service Unavailable",
    "status=200",
    "",
    "   ",
    "Payment declined ... " * 40,  # longer than the memo keeps
    "ok\n\nline two\tand three",
]


def _plain_reading(text: str) -> tuple[str, str, str]:
    """An event's reading as ``read_event`` made it before the memo (the reference)."""
    outcome = events.event_outcome(text)
    one_line = " ".join(text.split())
    description = (one_line if len(one_line) <= MAX_DESCRIPTION else shorten(text)) or "(event with no text)"
    if outcome == "failed" and (reason := events.failure_reason(text)) and reason not in description:
        description = shorten(f"{description} → {reason}")
    return outcome, description, one_line.lower()


@pytest.mark.parametrize("text", _EVENTS)
def test_a_remembered_event_reads_as_the_first_sight(text: str) -> None:
    for _ in range(3):  # first sight, then from the memo
        found: list[tuple[int, Hashable, Action]] = []
        events.read_event(0, Message(id="m1", role="system", text=text, kind="event"), found, {})
        ((_, key, action),) = found
        outcome, description, line = _plain_reading(text)
        assert (action.outcome, action.description, key) == (outcome, description, ("event", line))


def test_a_long_event_is_not_kept() -> None:
    events._memo_reading.cache_clear()
    long_text = "Payment declined ... " * 40
    assert len(long_text) > events._MEMO_CHARS
    events.read_event(0, Message(id="m1", role="system", text=long_text, kind="event"), [], {})
    assert events._memo_reading.cache_info().currsize == 0
    events.read_event(0, Message(id="m1", role="system", text="Searching ...", kind="event"), [], {})
    assert events._memo_reading.cache_info().currsize == 1


def test_the_memo_is_bounded() -> None:
    events._memo_reading.cache_clear()
    for n in range(3000):
        events._memo_reading(f"Looking up order {n} ...")
    assert events._memo_reading.cache_info().currsize <= 1024


def _event_chat(rng: random.Random) -> Conversation:
    """Events, tool calls and their results (some missing, some late), and turns between."""
    messages = []
    for n in range(rng.randint(1, 9)):
        pick = rng.random()
        call = f"call_{rng.randint(1, 3)}"
        if pick < 0.3:
            messages.append(Message(id=f"m{n}", role="system", text=rng.choice(_EVENTS), kind="event"))
        elif pick < 0.5:
            text = rng.choice(["lookup_order(id=7) ...", "resend_activation_email(user=42)", "Looking up…"])
            role = rng.choice(["bot", "agent"])
            metadata = {"tool_call_id": call}
            messages.append(Message(id=f"m{n}", role=role, text=text, kind="event", metadata=metadata))
        elif pick < 0.7:
            text = rng.choice(["Processing ...", '{"status": 500}', '{"id": 1}', "done", "still pending…"])
            metadata = {"tool_call_id": call}
            messages.append(Message(id=f"m{n}", role="system", text=text, kind="event", metadata=metadata))
        else:
            role = rng.choice(["customer", "agent", "bot"])
            text = rng.choice(
                ["I've resent the activation email!", "still broken", "ok thanks", "Try restarting it."]
            )
            messages.append(Message(id=f"m{n}", role=role, text=text))
    return Conversation(id="c", messages=messages)


def _settled_at_the_end(conversation: Conversation) -> list[tuple[str, str]]:
    """The events read as before: every one read without settling, then one pass at the end."""
    found: list[tuple[int, Hashable, Action]] = []
    calls: dict[str, Action] = {}
    for index, message in enumerate(conversation.messages):
        if message.kind == "event":
            events.read_event(index, message, found, calls)
    actions._settle_spinners(found, len(conversation.messages))
    return [(a.description, a.outcome) for _, _, a in found]


def test_spinners_settled_as_read_as_at_the_end() -> None:
    rng = random.Random(6)
    rules = load_rules()
    reader_cues = CueReader(rules.phrases)
    for _ in range(2000):
        conversation = _event_chat(rng)
        read = actions._read_messages(conversation, rules, actions.dialogue_reader(reader_cues))
        if read.open_calls:
            actions._settle_spinners(read.found, len(conversation.messages))
        now = [(a.description, a.outcome) for _, key, a in read.found if key[0] == "event"]  # type: ignore[index]
        assert now == _settled_at_the_end(conversation), conversation


def test_a_spinner_would_show_if_left_unsettled() -> None:
    """The comparison above tells settled from unsettled: a spinner read with ``followed`` False
    stays pending where the end-of-conversation pass makes it unknown."""
    conversation = Conversation(
        id="c",
        messages=[
            Message(id="m1", role="system", text="Purchase validation in progress ...", kind="event"),
            Message(id="m2", role="agent", text="Found it."),
        ],
    )
    found: list[tuple[int, Hashable, Action]] = []
    events.read_event(0, conversation.messages[0], found, {}, followed=False)
    assert [(a.description, a.outcome) for _, _, a in found] != _settled_at_the_end(conversation)


def test_a_trailing_tool_call_is_settled_once_its_result_had_its_chance() -> None:
    """A tool call that trails off takes its result's outcome; with talk after it and no clear
    result, it is settled as unknown at the end; as the last message it is pending."""
    call = {"tool_call_id": "c1"}
    rules = load_rules()

    def read(*later: Message) -> list[tuple[str, str]]:
        messages = [Message(id="m1", role="bot", text="lookup_order(id=7) ...", kind="event", metadata=call)]
        conversation = Conversation(id="c", messages=[*messages, *later])
        return [
            (a.description, a.outcome) for a in extract_actions(conversation, rules, CueReader(rules.phrases))
        ]

    def result(text: str) -> Message:
        return Message(id="m2", role="system", text=text, kind="event", metadata=call)

    assert read(Message(id="m2", role="customer", text="hello?")) == [("lookup_order(id=7) ...", "unknown")]
    assert read(result("Processing")) == [("lookup_order(id=7) ...", "unknown")]
    assert read(result('{"id": 1}')) == [("lookup_order(id=7) ...", "succeeded")]
    assert read(result('{"status": 500}')) == [("lookup_order(id=7) ... → HTTP 500", "failed")]
    assert read() == [("lookup_order(id=7) ...", "pending")]


_UGLY = [
    "I've reset your password and sent a new link. Anything else?",
    "I've resent the activation email!",
    "Please restart the router, then re-pair it. Have you tried reinstalling the app?",
    "Hemos desbloqueado tu cuenta. Foi enviado o código.",
    "<p>Your refund of $349.00 was issued today</p> 🙂",
    "HERE IS YOUR INVOICE: https://example.com/x.pdf",
    "toggled it, no luck",
    "yes, reinstalled twice, no luck",
    "ok",
    "",
]


def _mixed_chat(rng: random.Random) -> Conversation:
    messages = []
    for n in range(rng.randint(1, 10)):
        pick = rng.random()
        if pick < 0.25:
            metadata = {"tool_call_id": f"c{rng.randint(1, 2)}"} if rng.random() < 0.5 else {}
            role = rng.choice(["system", "bot"]) if metadata else "system"
            text = rng.choice(
                ["resend_activation_email(user=42)", '{"error": "rate limited", "status": 429}']
            )
            messages.append(Message(id=f"m{n}", role=role, text=text, kind="event", metadata=metadata))
        else:
            role = rng.choice(["agent", "bot", "customer", "customer"])
            messages.append(Message(id=f"m{n}", role=role, text=rng.choice(_UGLY)))
    return Conversation(id="c", messages=messages)


def _dumped(merged: list[tuple[int, Action, int]]) -> str:
    return repr([(position, action.model_dump(), mentions) for position, action, mentions in merged])


def test_skipped_folds_would_have_changed_nothing() -> None:
    """Where the stage skips ``_with_events`` (no statement of work) or ``_fold_replies`` (no
    suggestion), running them leaves the items as they were; where it runs them, they do fold
    something in some conversations (the comparison can fail)."""
    rules = load_rules()
    rng = random.Random(8)
    skipped = {"events": 0, "replies": 0}
    folded = {"events": 0, "replies": 0}
    for _ in range(1500):
        conversation = _mixed_chat(rng)
        cues = CueReader(rules.phrases)
        reader = actions.dialogue_reader(cues)
        read = actions._read_messages(conversation, rules, reader)
        steps = actions.pair_steps(conversation.messages, read.suggestions, read.customers, rules, reader)
        merged = actions._dedupe(read.found, steps, read.works)
        for name, fold, gate in (
            ("events", actions._with_events, read.stated),
            ("replies", actions._fold_replies, bool(read.suggestions)),
        ):
            before = _dumped(merged)
            merged = fold(merged)
            if not gate:
                skipped[name] += 1
                assert _dumped(merged) == before, conversation
            elif _dumped(merged) != before:
                folded[name] += 1
    assert min(skipped.values()) > 100 and min(folded.values()) > 10, (skipped, folded)


def test_a_statement_beside_its_tool_call_is_still_folded() -> None:
    """The fold the gate guards happens: "I've resent the activation email!" beside the failing call."""
    rules = load_rules()
    conversation = Conversation(
        id="c",
        messages=[
            Message(id="m1", role="customer", text="I never got the activation email."),
            Message(
                id="m2",
                role="bot",
                text="resend_activation_email(user=42)",
                kind="event",
                metadata={"tool_call_id": "c1"},
            ),
            Message(
                id="m3",
                role="system",
                text=json.dumps({"error": "rate limited", "status": 429}),
                kind="event",
                metadata={"tool_call_id": "c1"},
            ),
            Message(id="m4", role="bot", text="I've resent the activation email!"),
        ],
    )
    found = extract_actions(conversation, rules, CueReader(rules.phrases))
    assert len(found) == 1 and found[0].outcome == "failed" and found[0].evidence == ["m2", "m3", "m4"]


def test_gates_are_built_per_rule_set(tmp_path: Path) -> None:
    """Each rule set has its own gates (as freshly built ones); a handful are kept."""
    phrases = dialogue_phrases()
    rules = load_rules()
    gates = actions._gates(rules, phrases)
    assert actions._gates(rules, phrases) is gates
    fresh = actions._Gates(rules, phrases)
    assert all(getattr(gates, name) == getattr(fresh, name) for name in actions._Gates.__slots__)
    for n in range(12):
        extra = tmp_path / f"rules{n}.toml"
        extra.write_text(
            f'[pattern_words]\npending = ["will", "soonish{n}"]\ntried = ["tried", "poked{n}"]\n',
            encoding="utf-8",
        )
        other = load_rules(extra)
        built = actions._gates(other, phrases)
        assert built.said is not None and f"soonish{n}" in built.said and "soonish0" not in (gates.said or ())
        assert built.reports is not None and f"poked{n}" in built.reports
        assert len(actions._gates) <= 8 and len(dialogue._customer_gate) <= 8

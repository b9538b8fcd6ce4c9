"""Facts the rules backend reads from a conversation, checked the way a user would.

Each case is a small conversation and the fact a human would expect in the
"do not ask again" list; secrets must never reach the record's JSON.
"""

from __future__ import annotations

from typing import Any

import pytest

import handoff_ai as ho
from handoff_ai import Conversation, HandoffRecord, Message


def _conv(*turns: tuple[Any, ...]) -> Conversation:
    """``(role, text)`` or ``(role, text, {extra Message fields})`` -> a conversation with ids m1, m2, ..."""
    return Conversation(
        messages=[
            Message(id=f"m{i}", role=t[0], text=t[1], **(t[2] if len(t) > 2 else {}))
            for i, t in enumerate(turns, start=1)
        ]
    )


def _facts(record: HandoffRecord) -> list[tuple[str, str | None]]:
    return [(f.kind, f.value) for f in record.facts]


def _check_grounded(conversation: Conversation, record: HandoffRecord) -> None:
    """Every fact value occurs exactly in the message it cites first; only customers give
    facts, except those an agent turn settled (rule ``agent.*``), which cite that turn first."""
    for fact in record.facts:
        assert fact.evidence, fact
        for message_id in fact.evidence:
            message = conversation.get(message_id)
            assert message is not None, fact
            if not (fact.rule or "").startswith(("agent.", "tool.")):
                assert message.role == "customer", fact
        first = conversation.get(fact.evidence[0])
        assert first is not None
        if fact.value is not None:
            assert fact.value in first.text, (fact, first.text)
        if (fact.rule or "").startswith("agent."):
            assert first.role in ("agent", "bot"), fact
        if (fact.rule or "").startswith("tool."):
            assert first.kind == "event" or first.role == "system", fact


# -- typed recognizers on one customer message -------------------------------------

SINGLE = [
    ("my email is jane.doe+test@example.co.uk", "email", "jane.doe+test@example.co.uk"),
    ("Email me: ALEX_99@Mail.Example.org.", "email", "ALEX_99@Mail.Example.org"),
    ("call me at +44 20 7946 0958 after six", "phone", "+44 20 7946 0958"),
    ("my number is (791) 582-4288", "phone", "(791) 582-4288"),
    ("reach me on +49 30 123456 please", "phone", "+49 30 123456"),
    ("my cell: +1 (555) 123-4567", "phone", "+1 (555) 123-4567"),
    ("order number 12345678 is missing", "order_id", "12345678"),
    ("where is order #A1B2C3D4?", "order_id", "A1B2C3D4"),
    ("account id: ACC-99812", "account_id", "ACC-99812"),
    ("see ticket 558812 from last week", "ticket_id", "558812"),
    ("tracking number 1Z999AA10123456784 shows nothing", "tracking_number", "1Z999AA10123456784"),
    ("I was charged $1,299.99 twice", "amount", "$1,299.99"),
    ("the fee was 20 EUR", "amount", "20 EUR"),
    ("please refund €15", "amount", "€15"),
    ("it shipped on 2024-05-01", "date", "2024-05-01"),
    ("it shipped on 05/01/2024", "date", "05/01/2024"),
    ("delivery was promised for May 3rd", "date", "May 3rd"),
    ("I ordered it on 3 May 2024", "date", "3 May 2024"),
    ("can the technician come Tuesday?", "day", "Tuesday"),
    ("call me back at 7 pm", "time", "7 pm"),
    ("the outage started at 14:30", "time", "14:30"),
    ("the page https://shop.example.com/cart?id=7 is blank", "url", "https://shop.example.com/cart?id=7"),
    ("I keep getting error 500", "error_code", "500"),
    ("the app shows E-5021 on start", "error_code", "E-5021"),
    ("Chrome says ERR_CONNECTION_REFUSED", "error_code", "ERR_CONNECTION_REFUSED"),
    ("I paid with the card ending in 4242", "card_last4", "4242"),
    ("my zip code is 94107", "postal_code", "94107"),
    ("ship to Austin, TX 78701", "postal_code", "78701"),
    ("the postcode is SW1A 1AA", "postal_code", "SW1A 1AA"),
    ("hi, my name is Sarah Brown and my parcel is late", "name", "Sarah Brown"),
    ("my username is jdoe_88", "username", "jdoe_88"),
    ("I'm a gold member and this is not ok", "membership", "gold"),
    ("I live at 8907 1st Ave, Raleigh", "address", "8907 1st Ave, Raleigh"),  # "1st" is no date here
    ("I moved to 455 W 42nd St last year", "address", "455 W 42nd St"),
    ("it arrived on the 21st", "date", "21st"),
]


@pytest.mark.parametrize(("text", "kind", "value"), SINGLE, ids=[c[0][:40] for c in SINGLE])
def test_typed_value_in_customer_message(text: str, kind: str, value: str) -> None:
    conversation = _conv(("customer", text))
    record = ho.summarize(conversation)
    assert (kind, value) in _facts(record)
    assert next(f for f in record.facts if f.value == value).evidence == ["m1"]
    _check_grounded(conversation, record)


# -- answers to questions ------------------------------------------------------------

ANSWERS = [
    ("bot", "What is your name?", "David Williams", "name", "David Williams"),
    ("agent", "Could I get your account number?", "351531510", "account_id", "351531510"),
    ("agent", "What's your zip code?", "14224", "postal_code", "14224"),
    ("agent", "Can you give me your username?", "jsmith42", "username", "jsmith42"),
    ("agent", "What membership level do you have?", "gold", "membership", "gold"),
    ("agent", "What is the order ID?", "sure it's 3569238606", "order_id", "3569238606"),
    (
        "bot",
        "Please provide your email address",
        "ok: ana.lopez@example.com",
        "email",
        "ana.lopez@example.com",
    ),
    ("agent", "May I have your full name please?", "My full names are Sarah Brown", "name", "Sarah Brown"),
]


@pytest.mark.parametrize(("role", "question", "reply", "kind", "value"), ANSWERS, ids=[a[1] for a in ANSWERS])
def test_reply_to_a_question_is_typed_by_the_question(
    role: str, question: str, reply: str, kind: str, value: str
) -> None:
    conversation = _conv((role, question), ("customer", reply))
    record = ho.summarize(conversation)
    assert _facts(record) == [(kind, value)]
    assert record.facts[0].evidence == ["m2"]
    _check_grounded(conversation, record)


@pytest.mark.parametrize(
    "question",
    [
        "Can I have your full name, account ID and order ID?",
        "Could I have your name, account ID and order ID please?",
    ],
)
def test_multi_field_reply(question: str) -> None:
    conversation = _conv(("agent", question), ("customer", "Chloe Zhang, 28WU4VR1GL, 3569238606"))
    record = ho.summarize(conversation)
    assert sorted(_facts(record)) == [
        ("account_id", "28WU4VR1GL"),
        ("name", "Chloe Zhang"),
        ("order_id", "3569238606"),
    ]
    _check_grounded(conversation, record)


def test_a_statement_naming_fields_is_not_a_question() -> None:
    """Words like "room" and "town" in a long statement ask for nothing: the next reply is not an answer."""
    conversation = _conv(
        (
            "agent",
            "I'm very sorry, but there is no room available at the Old Town Inn for your requested dates.",
        ),
        ("customer", "ugh okay, i really dont want to go anyway"),
        ("agent", "Sorry, no room is available at the Old Town Inn on those dates either."),
        ("customer", "5th-16th - in June?"),
    )
    facts = ho.summarize(conversation).facts
    assert [f for f in facts if f.kind in ("city", "place", "room_number")] == []
    assert {f.kind for f in facts} <= {"date"}  # "5th", "16th" are the customer's dates


def test_same_value_twice_is_one_fact_citing_both_messages() -> None:
    conversation = _conv(
        ("customer", "my email is kim@example.org"),
        ("agent", "Thanks, checking."),
        ("customer", "did you get it? KIM@example.org"),
    )
    record = ho.summarize(conversation)
    emails = [f for f in record.facts if f.kind == "email"]
    assert len(emails) == 1
    assert emails[0].value == "kim@example.org"
    assert emails[0].evidence == ["m1", "m3"]


def test_support_side_contact_details_are_no_facts() -> None:
    # The agent's contact details are the company's, not the customer's; the ticket the agent
    # gives is a reference the customer will quote (rule agent.reference); the order and its
    # date the bot states are the case's (agent.stated), and the tool call repeats the order.
    conversation = _conv(
        ("agent", "You can reach us at help@shop.example or +1 800 555 0199, ticket 99887766."),
        ("bot", "Your order 55443322 ships on 2024-06-01."),
        ("system", "lookup order 55443322 for bob@example.com", {"kind": "event"}),
        ("customer", "ok thanks"),
    )
    record = ho.summarize(conversation)
    assert [(f.kind, f.value, f.evidence, f.rule) for f in record.facts] == [
        ("ticket_id", "99887766", ["m1"], "agent.reference"),
        ("order_id", "55443322", ["m2"], "agent.stated"),
        ("date", "2024-06-01", ["m2"], "agent.stated"),
    ]


def test_every_fact_is_grounded_in_a_busy_conversation() -> None:
    conversation = _conv(
        ("bot", "Hi! What's your name and email?"),
        ("customer", "Ana Lopez, ana@example.com"),
        ("bot", "And the order number?"),
        ("customer", "it's 7974574621, paid $64 on 2019-09-14 with card ending in 4242"),
        ("customer", "my phone is (659) 706-2848, zip 78777"),
    )
    record = ho.summarize(conversation)
    assert {
        ("name", "Ana Lopez"),
        ("email", "ana@example.com"),
        ("order_id", "7974574621"),
        ("amount", "$64"),
        ("date", "2019-09-14"),
        ("card_last4", "4242"),
        ("phone", "(659) 706-2848"),
        ("postal_code", "78777"),
    } <= set(_facts(record))
    _check_grounded(conversation, record)
    values = [f.value for f in record.facts]
    assert len(values) == len(set(values))


# -- secrets -------------------------------------------------------------------------

SECRETS = [
    # (turns, secret strings that must not appear, withheld kind, cited message)
    ([("bot", "What is your PIN?"), ("customer", "3941")], ["3941"], "pin", "m2"),
    ([("customer", "my pin is 1234, why is my card blocked?")], ["1234"], "pin", "m1"),
    ([("customer", "password: hunter2! and it still says invalid")], ["hunter2"], "password", "m1"),
    (
        [("agent", "What was your mother's maiden name?"), ("customer", "Cooper")],
        ["Cooper"],
        "security_answer",
        "m2",
    ),
    ([("customer", "my first pet's name is Buddy")], ["Buddy"], "security_answer", "m1"),
    ([("customer", "the verification code is 482913 but it failed")], ["482913"], "code", "m1"),
    (
        [("agent", "Could I get your account number and PIN please?"), ("customer", "351531510 PIN: 5380")],
        ["5380"],
        "pin",
        "m2",
    ),
]


@pytest.mark.parametrize(
    ("turns", "secrets", "kind", "cited"), SECRETS, ids=[s[0][-1][1][:30] for s in SECRETS]
)
def test_secrets_are_withheld_everywhere(
    turns: list[tuple[str, str]], secrets: list[str], kind: str, cited: str
) -> None:
    record = ho.summarize(_conv(*turns))
    dumped = record.model_dump_json()
    for secret in secrets:
        assert secret not in dumped
        assert secret.lower() not in dumped.lower()
    withheld = [f for f in record.facts if f.withheld]
    assert [(f.kind, f.value, f.evidence) for f in withheld] == [(kind, None, [cited])]
    assert record.to_markdown().count(secrets[0]) == 0


@pytest.mark.parametrize("card", ["4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111"])
def test_full_card_number_is_withheld_and_masked(card: str) -> None:
    conversation = _conv(("customer", f"Payment failed with my card {card}, I can't pay my bill"))
    record = ho.summarize(conversation)
    dumped = record.model_dump_json()
    assert card not in dumped
    assert "4111111111111111" not in dumped
    assert ("card_number", None) in _facts(record)
    assert ("card_last4", "1111") in _facts(record)
    card_fact = next(f for f in record.facts if f.kind == "card_number")
    assert card_fact.withheld and card_fact.evidence == ["m1"]
    # The summary and the blocker quote the customer, with the number masked.
    assert record.blocker is not None and "Payment failed" in record.blocker.description
    assert card not in record.summary and card not in record.blocker.description


def test_a_non_luhn_long_number_is_not_a_card() -> None:
    # Ungrouped and failing the Luhn check: an id, kept. (Grouped 4-4-4-4 is withheld either way.)
    record = ho.summarize(_conv(("customer", "my tracking number is 1234567890123456")))
    assert _facts(record) == [("tracking_number", "1234567890123456")]


def test_secret_typed_twice_is_one_withheld_fact() -> None:
    record = ho.summarize(
        _conv(
            ("agent", "What is your PIN?"),
            ("customer", "3941"),
            ("agent", "Sorry, what is your PIN again?"),
            ("customer", "3941"),
        )
    )
    assert [(f.kind, f.withheld, f.evidence) for f in record.facts] == [("pin", True, ["m2", "m4"])]
    assert "3941" not in record.model_dump_json()


def test_secret_repeated_in_other_case_is_one_fact_and_masked() -> None:
    record = ho.summarize(_conv(("customer", "my password is Hunter2 and I can't log in, HUNTER2 is wrong")))
    assert [(f.kind, f.withheld) for f in record.facts] == [("password", True)]
    assert "hunter2" not in record.model_dump_json().lower()
    steps = [s for s in record.next_steps if "secure process" in s.text]
    assert steps and steps[0].evidence == ["m1"]

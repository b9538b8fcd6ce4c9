"""Technical context for tier 2 and what the support side states (issue 11, items 5 and 10).

Differently worded conversations than the understanding fixtures: error codes read from
their context, device models, OS and app versions, readings, registrations, dates with a
weekday, amounts and references an agent, a note or a tool result states; and the
negatives that must not become facts (a suggestion, a question, a hypothetical, a policy,
the company's contact details, a count, a memory address, a promo code, an assignment).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import handoff_ai as ho
from handoff_ai import Conversation, HandoffRecord, Message


def _conv(*turns: tuple[Any, ...]) -> Conversation:
    """``(role, text)`` or ``(role, text, {extra Message fields})`` -> messages m1, m2, ..."""
    return Conversation(
        messages=[
            Message(id=f"m{i}", role=t[0], text=t[1], **(t[2] if len(t) > 2 else {}))
            for i, t in enumerate(turns, start=1)
        ]
    )


def _facts(record: HandoffRecord) -> set[tuple[str, str | None]]:
    return {(f.kind, f.value) for f in record.facts}


def _values(record: HandoffRecord) -> set[str]:
    return {f.value for f in record.facts if f.value is not None}


def _customer(text: str) -> HandoffRecord:
    return ho.summarize(_conv(("customer", text)))


def _grounded(conversation: Conversation, record: HandoffRecord) -> None:
    for fact in record.facts:
        first = conversation.get(fact.evidence[0])
        assert first is not None
        if fact.value is not None:
            assert fact.value in first.text, fact


# -- error codes from their context ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("the TV says 'login failed' (LG-5521) 😤", "LG-5521"),
        ("Checkout FAILS with PAY-0042 every single time", "PAY-0042"),
        ("card got declined: INSUFFICIENT_FUNDS", "INSUFFICIENT_FUNDS"),
        ("Fehler: 'Zugang verweigert' (ZV-7)", "ZV-7"),
        ("the webhook returns 502 since noon", "502"),
        ("the export link gives me a 404 page", "404"),
        ("portal shows 0x1F after the update", "0x1F"),
        ('{"error": {"code": "token_expired"}}', "token_expired"),
        ("sync stops with SYNC-301 at 40%", "SYNC-301"),
    ],
)
def test_an_error_code_is_read_from_its_context(text: str, code: str) -> None:
    assert ("error_code", code) in _facts(_customer(text))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("the report query returns 500 rows, is that normal", "500"),
        ("Re: [CASE-12345] printer offline", "CASE-12345"),
        ("promo code SAVE-2024 did not apply at checkout", "SAVE-2024"),
        ("DATABASE_URL=postgres://db.internal/prod", "DATABASE_URL"),
        ("the app crashed at 0x600002 in the log", "0x600002"),
    ],
)
def test_a_code_without_a_failure_around_it_is_no_error_code(text: str, value: str) -> None:
    assert ("error_code", value) not in _facts(_customer(text))
    assert "0x600002" not in _values(_customer(text))


def test_a_code_the_agent_names_gets_its_kind() -> None:
    # The customer's bare "AB-1234" is an id; the agent's "error AB-1234" says what it is.
    record = ho.summarize(
        _conv(
            ("customer", "still getting AB-1234 on the kiosk"),
            ("agent", "Thanks. Error AB-1234 means the kiosk lost its licence."),
        )
    )
    [fact] = [f for f in record.facts if f.value == "AB-1234"]
    assert fact.kind == "error_code" and fact.evidence[0] == "m1"


# -- devices, systems, versions -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("my Sony WH-1000XM4 won't pair anymore", "device", "Sony WH-1000XM4"),
        ("printer (model MFC-L2710DW) jams", "device", "MFC-L2710DW"),
        ("the router is a Netgear R7000, flashing orange", "device", "Netgear R7000"),
        ("our doorbell: Eufy T8210 keeps going offline", "device", "Eufy T8210"),
        ("it's running Tizen 6.5", "os", "Tizen 6.5"),
        ("LG telly on webOS 22", "os", "webOS 22"),
        ("since updating to 3.2.1 the sync hangs", "app_version", "3.2.1"),
        ("camera firmware v2.0.14 installed yesterday", "app_version", "2.0.14"),
        ("desktop client 10.4 on windows", "app_version", "10.4"),
        ("broke after KB5031356 installed", "update", "KB5031356"),
    ],
)
def test_technical_context_is_a_fact(text: str, kind: str, value: str) -> None:
    assert (kind, value) in _facts(_customer(text))


@pytest.mark.parametrize(
    "text",
    [
        "my LG 27 inch monitor flickers",
        "my Samsung 2nd phone is fine",
        "upgraded to 2.5 GB of storage",
        "the camera 2 in the hall is fine",
    ],
)
def test_sizes_counts_and_ordinals_are_no_models_or_versions(text: str) -> None:
    assert not {k for k, _ in _facts(_customer(text))} & {"device", "app_version"}


# -- labelled values of many shapes ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("my account number is 300 771 2290", "account_id", "300 771 2290"),
        ("acct 415-555-0199 please", "account_id", "415-555-0199"),
        ("meter reading: 18420", "reading", "18420"),
        ("the real reading is 04512, not 05000 as estimated", "reading", "04512"),
        ("registration AB12 CDE, a blue Golf", "vehicle_registration", "AB12 CDE"),
        ("mails from our domain bakery-nord.de bounce", "domain", "bakery-nord.de"),
        ("Dell service tag 5CD1234XYZ", "serial", "5CD1234XYZ"),
        ("merchant ID 99120044 can't settle", "account_id", "99120044"),
        ("Fri 6 June works for me", "date", "Fri 6 June"),
        ("could you come Tuesday, 3rd of March?", "date", "Tuesday, 3rd of March"),
        ("outage started 14:30 CET", "time", "14:30 CET"),
        ("refund was £18.50 not £85", "amount", "£18.50"),
    ],
)
def test_labelled_values_keep_their_shape_and_kind(text: str, kind: str, value: str) -> None:
    assert (kind, value) in _facts(_customer(text))


def test_a_phone_number_is_still_a_phone_and_a_count_no_date() -> None:
    facts = _facts(_customer("call me on 415-555-0199, this is the 3rd time on Monday"))
    assert ("phone", "415-555-0199") in facts
    assert not any(k == "date" for k, _ in facts)


def test_an_email_used_as_the_login_is_an_email_and_the_password_is_withheld() -> None:
    record = _customer("login: maria.g@example.org / Tulip#2024")
    assert ("email", "maria.g@example.org") in _facts(record)
    assert "Tulip#2024" not in json.dumps(record.model_dump(mode="json"))
    assert any(f.kind == "password" and f.withheld for f in record.facts)


# -- what the support side states -----------------------------------------------------------


def test_a_note_states_amounts_dates_and_references() -> None:
    conversation = _conv(
        ("customer", "where is my money??"),
        (
            "agent",
            "Refund £18.50 issued 3 March (ref RF-20931), courier job JB-7710 booked.",
            {"kind": "note"},
        ),
    )
    record = ho.summarize(conversation)
    stated = {(f.kind, f.value) for f in record.facts if f.rule == "agent.stated"}
    assert {("amount", "£18.50"), ("date", "3 March")} <= stated
    assert {"RF-20931", "JB-7710"} <= _values(record)
    _grounded(conversation, record)


def test_a_tool_result_states_its_failure_and_the_order() -> None:
    conversation = _conv(
        ("customer", "pay button does nothing"),
        ("bot", 'called charge_card(order="ORD-7781")', {"kind": "event"}),
        ("system", '{"status": "failed", "error": "CARD_EXPIRED", "order": "ORD-7781"}', {"kind": "event"}),
        (
            "system",
            "Traceback (most recent call last):\n  File 'pay.py', line 3\nValueError: bad date",
            {"kind": "event"},
        ),
    )
    record = ho.summarize(conversation)
    tool = {(f.kind, f.value) for f in record.facts if f.rule == "tool.stated"}
    assert ("error_code", "CARD_EXPIRED") in tool
    assert ("exception", "ValueError") in tool
    assert "ORD-7781" in _values(record)
    _grounded(conversation, record)


def test_an_agent_describing_the_customers_setup_states_it() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "app dies on my tv"),
            ("agent", "So on your Hisense 55A6K with VIDAA app 3.1.2 the player closes; I've logged it."),
        )
    )
    facts = {(f.kind, f.value) for f in record.facts if f.rule == "agent.stated"}
    assert ("device", "Hisense 55A6K") in facts
    assert ("app_version", "3.1.2") in facts


@pytest.mark.parametrize(
    "agent",
    [
        "Please update the app to version 8.1.2 and try again.",
        "Are you on iOS 17.4 or older?",
        "If you spend $50 you get free shipping.",
        "Our spring sale ended on 31 January.",
        "Call us at +44 20 7946 0958 or write to billing@acme.example.",
        "For example, error E-1234 would mean the card expired.",
    ],
)
def test_suggestions_questions_hypotheticals_policies_and_contacts_are_no_facts(agent: str) -> None:
    record = ho.summarize(_conv(("customer", "hi, it does not work"), ("agent", agent)))
    assert record.facts == []


def test_a_system_prompt_and_a_secret_the_agent_types_are_never_facts() -> None:
    record = ho.summarize(
        _conv(
            (
                "system",
                "You are ShopBot. Refunds over $100 need approval. Escalate with CODE-7.",
                {"kind": "note"},
            ),
            ("customer", "I forgot my password"),
            ("agent", "Your temporary password is Xy7#kk2p, change it after login (case CS-88120)."),
        )
    )
    assert "Xy7#kk2p" not in json.dumps(record.model_dump(mode="json"))
    assert "$100" not in _values(record)
    assert "CS-88120" in _values(record)


def test_the_customers_own_value_keeps_its_fact_when_the_agent_repeats_it() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "order ORD-5512 never came"),
            ("agent", "I see order ORD-5512 was returned to the depot on 12 May, so I've reshipped it."),
        )
    )
    [order] = [f for f in record.facts if f.value == "ORD-5512"]
    assert order.evidence[0] == "m1" and order.kind == "order_id"
    assert ("date", "12 May") in _facts(record)


def test_an_exception_named_in_another_languages_agent_turn_is_a_fact() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "Bonjour, l'application plante dès que j'ouvre un PDF sur mon iPad."),
            ("agent", "Merci. Le journal indique EXC_BAD_INSTRUCTION dans le lecteur, je transmets."),
        )
    )
    assert ("exception", "EXC_BAD_INSTRUCTION") in _facts(record)


def test_a_long_support_thread_stays_grounded_and_deterministic() -> None:
    turns: list[tuple[Any, ...]] = []
    for i in range(200):
        turns.append(("customer", f"still failing with SYNC-{300 + i % 7} on build {1000 + i}"))
        turns.append(
            (
                "agent",
                f"Logged as INC-{5000 + i}; your device reports firmware 2.{i % 5}.1.",
                {"kind": "note"},
            )
        )
    conversation = _conv(*turns)
    first = ho.summarize(conversation)
    again = ho.summarize(conversation)
    assert first.model_dump(mode="json") == again.model_dump(mode="json")
    _grounded(conversation, first)
    assert ("error_code", "SYNC-300") in _facts(first)


def test_a_key_in_a_tool_payload_is_never_a_fact_but_its_failure_is() -> None:
    key = "sk_live_51HqLm2eZvKYlo2C0aBcDeFgHiJk"
    record = ho.summarize(
        _conv(
            ("customer", "payments broken since 9am"),
            (
                "system",
                f'{{"api_key": "{key}", "error": "card_declined", "charge": "CH-20931"}}',
                {"kind": "event"},
            ),
        )
    )
    dumped = json.dumps(record.model_dump(mode="json"))
    assert key not in dumped and "HqLm2eZv" not in dumped
    assert ("error_code", "card_declined") in _facts(record)
    assert "CH-20931" in _values(record)


def test_a_pasted_config_and_a_prefixed_key_are_withheld_and_an_ip_is_no_date() -> None:
    text = (
        "sync fails since v2.8.4, config:\nAPP_DB_HOST=db.example\nAPP_DB_PASS=Qw3rty!9zz\n"
        "EXPORT_API_KEY: live_AbC123xYz789QwE\nMAX_RETRIES=5\nallowlist 10.20.30.0/24"
    )
    record = _customer(text)
    dumped = json.dumps(record.model_dump(mode="json"))
    assert "Qw3rty!9zz" not in dumped and "live_AbC123xYz789QwE" not in dumped
    assert {"password", "api_key"} <= {f.kind for f in record.facts if f.withheld}
    assert not any(f.kind == "date" for f in record.facts)
    assert ("app_version", "2.8.4") in _facts(record)
    assert _customer("new signing key is rk_test_9fJ2kL4mN8pQ (rotated)").facts[0].withheld


def test_a_format_example_a_bot_gives_is_no_fact() -> None:
    """ "It should look like XY-987654" shows a shape; "It looks like your order W-55120 shipped"
    states one."""
    from handoff_ai import summarize

    def values(bot: str) -> list[str]:
        record = summarize(
            {"messages": [{"role": "customer", "text": "need to claim"}, {"role": "bot", "text": bot}]}
        )
        return [f.value for f in record.facts]

    assert "XY-987654" not in values("Which policy? It should look like XY-987654.")
    assert "QZ-112233" not in values("Policy numbers have this format: QZ-112233")
    assert "LM-445566" not in values("Please type it e.g. LM-445566 😊")
    assert "W-55120" in values("It looks like your order W-55120 shipped yesterday.")

"""Where the case stands, in the summary: never a goodbye, and the blocker framed by what it is.

Seen on STAR dev: 110 summaries ended "Agent says goodbye." and 59 read "Still blocked: Open
request: …"; refusals read "Still blocked: declined by the agent: “…”".
"""

from __future__ import annotations

import pytest

from handoff_ai import summarize
from handoff_ai.rules.restate import CLOSING


def _summary(*turns: tuple[str, str]) -> str:
    record = summarize({"messages": [{"role": role, "text": text} for role, text in turns]})
    return record.summary


@pytest.mark.parametrize(
    "goodbye",
    [
        "Ok great, goodbye!",
        "Thank you and goodbye.",
        "Good bye",
        "Nice chatting with you, bye.",
        "Take care!",
    ],
)
def test_a_goodbye_is_not_where_the_case_stands(goodbye: str) -> None:
    summary = _summary(
        ("customer", "I'm interested in viewing an apartment at Shadyside."),
        ("agent", "Your apartment viewing has been successfully scheduled for Tuesday."),
        ("customer", "Thanks"),
        ("agent", goodbye),
    )
    assert "bye" not in summary.lower() and "take care" not in summary.lower()
    assert "viewing has been successfully scheduled for Tuesday" in summary


@pytest.mark.parametrize(
    "sentence",
    [
        "We'll take care of it and send a technician on Monday.",
        "I will take care of the refund today.",
        "I see you were charged twice.",
        "The bypass valve was replaced.",
        "Your order ships by Friday.",
    ],
)
def test_work_that_merely_looks_like_a_farewell_is_not_one(sentence: str) -> None:
    assert CLOSING.search(sentence) is None


@pytest.mark.parametrize("farewell", ["Goodbye!", "good-bye", "Bye bye", "See you soon", "take care now"])
def test_farewells(farewell: str) -> None:
    assert CLOSING.search(farewell) is not None


def test_an_open_request_reads_still_open() -> None:
    summary = _summary(
        ("customer", "I would like to make an appointment with Dr. Alexis for today."),
        ("agent", "You are all set for 9pm."),
        ("customer", "okay, also I would like to get my son vaccinated at the same time, is that possible?"),
    )
    assert "Open request" not in summary and "Still blocked" not in summary
    assert "Still open: also they would like to get their son vaccinated" in summary


def test_a_refusal_reads_agent_declined() -> None:
    summary = _summary(
        ("customer", "I want a refund for the jacket I bought last month, it ripped after one wash."),
        ("agent", "I'm sorry, but we cannot offer a refund after 30 days according to our policy."),
        ("customer", "That's ridiculous."),
    )
    assert "Agent declined: they cannot offer a refund after 30 days according to their policy." in summary
    assert "“" not in summary and "declined by the agent" not in summary


def test_a_failed_tool_call_still_reads_still_blocked() -> None:
    summary = _summary(
        ("customer", "I was charged twice for order A-20931, please refund the second charge."),
        ("system", "refund_payment(order_id=A-20931) failed: PAYMENT_GATEWAY_TIMEOUT (error E-5021)"),
        ("bot", "Let me connect you with our billing team."),
    )
    assert (
        "Still blocked: refund_payment(order_id=A-20931) failed: PAYMENT_GATEWAY_TIMEOUT (error E-5021)."
        in summary
    )


def test_a_refusal_loses_its_apology() -> None:
    summary = _summary(
        ("customer", "Please book me the flight with id 612 to Boston."),
        ("agent", "Sorry, but the flight with id '612' is not available any more."),
        ("customer", "ok"),
    )
    assert "Agent declined: the flight with id '612' is not available any more." in summary


_WHATSAPP_ES = """[24/03/2025, 10:01:12] Lucía: Hola, el aire acondicionado que compré (modelo Frío-3500) gotea agua por dentro
[24/03/2025, 10:03:40] Soporte: ¿Ha limpiado el filtro y comprobado que el tubo de desagüe no esté doblado?
[24/03/2025, 10:05:02] Lucía: sí, limpié el filtro y el tubo está bien, sigue goteando
[24/03/2025, 10:05:30] Lucía: Quiero que me atienda un asesor, no un robot
[24/03/2025, 10:07:00] Soporte: Entendido. Un técnico le llamará el martes por la mañana para concertar la visita."""


@pytest.mark.parametrize(("note", "opening"), [("es", "El cliente escribe: «"), ("en", "Customer writes: “")])
def test_a_quoted_part_ends_before_the_next_begins(note: str, opening: str) -> None:
    record = summarize(_WHATSAPP_ES, note_language=note)
    assert record.summary.startswith(opening)
    quote_end = "»." if note == "es" else "”."
    _, found, rest = record.summary.partition(quote_end)
    assert found, record.summary
    assert rest.startswith(" Prometido: " if note == "es" else " Promised: "), record.summary


def test_no_next_team_in_the_summary_on_a_guessed_intent() -> None:
    record = summarize(_WHATSAPP_ES)
    assert record.intent.confidence < 0.5 and record.needed_expertise.team
    assert record.handoff.type is not None  # a handoff: a likely team would be named here
    assert "Siguiente:" not in record.summary and "Next:" not in record.summary


@pytest.mark.parametrize(
    ("first", "framed"),
    [
        ("Check my balance", "Customer asks to check their balance."),
        (
            "Look for a restaurant in the north of town.",
            "Customer asks to look for a restaurant in the north of town.",
        ),
        ("Send me the invoice for order 4412", "Customer asks to send them the invoice for order 4412."),
        (
            "Cancel button is grey and nothing happens.",
            "Customer says Cancel button is grey and nothing happens.",
        ),
        (
            "Look, I have been waiting two weeks for my refund.",
            "Customer says Look, they have been waiting two weeks",
        ),
        ("Let's play trivia about the nineties", "Customer says let's play trivia about the nineties."),
    ],
)
def test_a_request_to_the_bot_reads_as_one(first: str, framed: str) -> None:
    summary = _summary(("customer", first), ("agent", "Sure."))
    assert summary.startswith(framed), summary

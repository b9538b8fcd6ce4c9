"""Facts a bot or agent turn settles: an accepted proposal, a booking, a resolved day, a
reference the agent created. They cite the agent's message and carry a rule ``agent.*``."""

from __future__ import annotations

import handoff_ai as ho
from handoff_ai import Conversation, HandoffRecord, Message


def _conv(*turns: tuple[str, str]) -> Conversation:
    return Conversation(
        messages=[Message(id=f"m{i}", role=r, text=t) for i, (r, t) in enumerate(turns, start=1)]  # type: ignore[arg-type]
    )


def _agent_facts(record: HandoffRecord) -> list[tuple[str, str | None, list[str], str | None]]:
    return [
        (f.kind, f.value, f.evidence, f.rule) for f in record.facts if (f.rule or "").startswith("agent.")
    ]


def test_accepted_proposal_is_a_fact_citing_offer_and_yes() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "I need to see a doctor, my back hurts"),
            ("agent", "Dr. Alexis has an opening Friday at 8 am. Shall I book it?"),
            ("customer", "yes"),
        )
    )
    assert _agent_facts(record) == [
        ("day", "Friday", ["m2", "m3"], "agent.accepted"),
        ("time", "8 am", ["m2", "m3"], "agent.accepted"),
    ]


def test_accepted_after_a_polite_aside() -> None:
    record = ho.summarize(
        _conv(
            ("agent", "Alright, Dr. Johnson is available at 4 pm. Can I book the appointment for you?"),
            ("customer", "Please do. I hope it's not serious, I can't sleep"),
        )
    )
    assert [(k, v) for k, v, _, _ in _agent_facts(record)] == [("time", "4 pm")]


def test_rejected_or_countered_proposal_gives_nothing() -> None:
    for reply in ("no, something later please", "Can you do it for 9pm instead?", "Yes, but not on Friday"):
        record = ho.summarize(
            _conv(
                ("agent", "Dr. Alexis has an opening Friday at 8 am. Shall I book it?"), ("customer", reply)
            )
        )
        assert _agent_facts(record) == [], reply


def test_yes_to_an_open_question_or_ok_to_a_statement_accepts_nothing() -> None:
    record = ho.summarize(
        _conv(
            ("agent", "Thanks for contacting us at AcmeBrands. How can I help you?"),
            ("customer", "Yes, I need to return a shirt"),
            ("bot", "Your order 55443322 ships on Friday from Dallas."),
            ("customer", "ok thanks"),
        )
    )
    # Nothing accepted (no Friday, no Dallas); the order the bot names is stated, not accepted.
    assert _agent_facts(record) == [("order_id", "55443322", ["m3"], "agent.stated")]


def test_booking_the_agent_confirms_is_a_fact() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "set up a meeting with John please, Monday morning"),
            (
                "agent",
                "Fantastic, your meeting with John has been successfully scheduled for Monday, 9 am-11 am.",
            ),
        )
    )
    facts = {(k, v, r) for k, v, _, r in _agent_facts(record)}
    assert facts == {("time", "9 am", "agent.confirmed"), ("time", "11 am", "agent.confirmed")}
    # "Monday" was the customer's own word: kept as the customer's fact, not the agent's.
    monday = next(f for f in record.facts if f.value == "Monday")
    assert monday.evidence == ["m1"] and not (monday.rule or "").startswith("agent.")


def test_resolved_day_and_echoed_lowercase_city() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "hello show me the weather for tomorrow in detroit"),
            (
                "agent",
                "It will be Sunny all day on Saturday in Detroit, with temperatures of around 10 degrees.",
            ),
        )
    )
    assert ("day", "Saturday", ["m2"], "agent.resolved") in _agent_facts(record)
    # The agent repeated the customer's city: the fact is the customer's own text, citing them.
    city = next(f for f in record.facts if f.kind == "place")
    assert (city.value, city.evidence, city.rule) == ("detroit", ["m1"], "echo.place")


def test_reference_the_agent_created_is_a_fact() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "my blender arrived with a cracked jar"),
            ("agent", "So sorry! I've opened damage claim DC-5531 for you, and RMA #R-88231 for the return."),
            ("customer", "ok thanks"),
        )
    )
    assert _agent_facts(record) == [
        ("claim_id", "DC-5531", ["m2"], "agent.reference"),
        ("rma_number", "R-88231", ["m2"], "agent.reference"),
    ]


def test_reference_quoted_back_by_the_customer_is_one_fact() -> None:
    record = ho.summarize(
        _conv(
            ("agent", "Your case number is 4471-A. Please quote it if you write again."),
            ("customer", "Hi again, case 4471-A, still nothing"),
        )
    )
    cases = [f for f in record.facts if f.value == "4471-A"]
    assert len(cases) == 1 and cases[0].evidence == ["m2"]


def test_agent_facts_never_repeat_a_secret() -> None:
    record = ho.summarize(
        _conv(
            ("agent", "What is your PIN?"),
            ("customer", "4321"),
            ("agent", "Thanks, PIN 4321 verified. Your table is booked for 4321 Main St at 7 pm."),
        )
    )
    assert "4321" not in record.model_dump_json()
    assert ("time", "7 pm") in [(k, v) for k, v, _, _ in _agent_facts(record)]


def test_no_agent_turns_no_agent_facts() -> None:
    record = ho.summarize(
        _conv(("customer", "it's the 3rd time!!! book me for Friday at 8 am"), ("customer", "yes"))
    )
    assert _agent_facts(record) == []

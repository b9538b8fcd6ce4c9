"""Property tests: summarize never crashes, never invents evidence, never logs text."""

from __future__ import annotations

import contextlib
import logging

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import handoff_ai as ho

ROLES = st.sampled_from(["customer", "bot", "agent", "system"])
TEXT = st.one_of(
    st.text(max_size=300),
    st.text(alphabet="0123456789 -+()@.:/#$€", max_size=80),
    st.sampled_from(
        [
            "my pin is 1234",
            "Could I get your account number?",
            "I'm SO ANGRY!!! as I said, talk to a human",
            "card 4111 1111 1111 1111",
            "error 500 when I log in",
            "",
            "‮evil‬ \u200b zero width",
            "مرحبا، رقم الطلب 12345678",
            "注文番号は A-99812 です",
        ]
    ),
)
MESSAGES = st.lists(
    st.builds(lambda r, t, k: (r, t, k), ROLES, TEXT, st.sampled_from(["message", "event", "note"])),
    max_size=25,
)


def _conversation(items: list[tuple[str, str, str]]) -> ho.Conversation:
    return ho.Conversation(
        messages=[ho.Message(id=f"m{i}", role=r, text=t, kind=k) for i, (r, t, k) in enumerate(items)]  # type: ignore[arg-type]
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MESSAGES)
def test_summarize_any_conversation(items: list[tuple[str, str, str]]) -> None:
    conversation = _conversation(items)
    record = ho.summarize(conversation)
    assert record.message_count == len(items)
    assert record.evidence_ids() <= set(conversation.ids)
    for fact in record.facts:
        if fact.value is not None:
            assert any(fact.value in m.text for m in conversation.messages if m.id in fact.evidence)
    assert ho.summarize(conversation).to_json() == record.to_json()  # deterministic


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=400), st.binary(max_size=400)))
def test_summarize_any_raw_input_raises_only_handoff_errors(raw: str | bytes) -> None:
    with contextlib.suppress(ho.HandoffError):
        ho.summarize(raw)


def test_no_log_record_carries_message_text(caplog: object) -> None:
    secret_text = "my pin is 9931 and my email is zed@example.com"
    logger = logging.getLogger("handoff_ai")
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Collect(level=logging.DEBUG)
    logger.addHandler(handler)
    old = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        ho.summarize({"messages": [{"role": "user", "content": secret_text}]})
        try:
            ho.summarize("Customer: " + secret_text, format="json")
        except ho.HandoffError as exc:
            assert "9931" not in str(exc) and "zed@" not in str(exc)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)
    for record in records:
        message = record.getMessage()
        assert "9931" not in message and "zed@example.com" not in message


def test_library_logger_has_only_a_null_handler() -> None:
    handlers = logging.getLogger("handoff_ai").handlers
    assert handlers and all(isinstance(h, logging.NullHandler) for h in handlers)

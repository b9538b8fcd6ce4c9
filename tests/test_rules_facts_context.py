"""Facts tier 2 needs (device, OS, versions, exception names), secrets however they are
phrased, and values that look like facts but are not (placeholders, counts, file names)."""

from __future__ import annotations

import json

import pytest

import handoff_ai as ho
from handoff_ai import Conversation, HandoffRecord, Message


def _conv(*turns: tuple[str, str]) -> Conversation:
    return Conversation(
        messages=[Message(id=f"m{i}", role=r, text=t) for i, (r, t) in enumerate(turns, start=1)]  # type: ignore[arg-type]
    )


def _facts(record: HandoffRecord) -> set[tuple[str, str | None]]:
    return {(f.kind, f.value) for f in record.facts}


# -- technical context ----------------------------------------------------------------


def test_crash_report_gives_device_os_version_build_and_exception() -> None:
    text = (
        "App keeps crashing!!! iPhone 13 / iOS 17.2.1 / app 5.4.0 (build 812). Log says:\n"
        "*** Terminating app due to uncaught exception 'NSInvalidArgumentException' at 0x600002\n"
        "  0   CoreFoundation  0x0000000180a1b0f8 __exceptionPreprocess + 164"
    )
    record = ho.summarize(_conv(("customer", text)))
    assert {
        ("device", "iPhone 13"),
        ("os", "iOS 17.2.1"),
        ("app_version", "5.4.0"),
        ("build", "812"),
        ("exception", "NSInvalidArgumentException"),
    } <= _facts(record)
    values = [f.value or "" for f in record.facts]
    assert not any("0x6" in v or "0x0000" in v for v in values)  # memory addresses are not facts
    for fact in record.facts:
        assert fact.value is None or fact.value in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("using chrome 120 on Windows 11, tenant id: acme-prod-eu", {("browser", "chrome 120"), ("os", "Windows 11"), ("tenant_id", "acme-prod-eu")}),
        ("java.lang.NullPointerException at com.shop.Cart.total(Cart.java:42)", {("exception", "java.lang.NullPointerException")}),
        ("Mi galaxy s22 ultra con android 14 se cierra 😡 TypeError", {("device", "galaxy s22 ultra"), ("os", "android 14"), ("exception", "TypeError")}),
        ("<p>Safari 17.1 on macOS 14.2 shows <b>ERR_CONNECTION_REFUSED</b></p>", {("browser", "Safari 17.1"), ("os", "macOS 14.2"), ("error_code", "ERR_CONNECTION_REFUSED")}),
        ("workspace acme-42 cannot sync since version 3.2.1-beta", {("workspace_id", "acme-42"), ("app_version", "3.2.1-beta")}),
    ],
)  # fmt: skip
def test_technical_context_in_ugly_messages(text: str, expected: set[tuple[str, str]]) -> None:
    assert expected <= _facts(ho.summarize(_conv(("customer", text))))


@pytest.mark.parametrize(
    "text",
    [
        "the windows in my house are drafty",
        "can you handle that for me?",
        "the project is late and the org chart is a mess",
        "I'm on ie, no idea which one",
    ],
)
def test_ordinary_words_are_not_technical_facts(text: str) -> None:
    assert _facts(ho.summarize(_conv(("customer", text)))) == set()


# -- secrets in unusual phrasing ------------------------------------------------------

SECRETS = [
    ("pw: hunter22 and it still says wrong password", "hunter22", "password"),
    ("login bob / Summer2024! doesn't work since this morning", "Summer2024", "password"),
    ("the 3-digit code on the back is 987 and the card is still declined", "987", "cvv"),
    ("Security code on the back of my card: 4417", "4417", "cvv"),
    ("the code you sent me is 448812 but it says expired", "448812", "code"),
    ("our key sk-live-51HxYzAbCdEfGhIjKlMnOpQr stopped working in prod", "sk-live-51HxYzAbCdEfGhIjKlMnOpQr", "api_key"),
    ("api key: AbC123dEf456GhI789 returns 401", "AbC123dEf456GhI789", "api_key"),
    ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTYifQ.c2lnbmF0dXJlMTIz fails", "eyJhbGciOiJIUzI1NiJ9", "api_key"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "secret", "kind"), SECRETS, ids=[s[0][:24] for s in SECRETS])
def test_secret_in_any_phrasing_is_withheld_from_every_field(text: str, secret: str, kind: str) -> None:
    conversation = _conv(
        ("bot", "Hi! How can I help?"),
        ("customer", text),
        ("agent", "Thanks, I will look into why it fails."),
    )
    record = ho.summarize(conversation)
    dumped = record.model_dump_json()
    assert secret.lower() not in dumped.lower()
    assert secret.lower() not in record.to_markdown().lower()
    assert (kind, None) in _facts(record)
    fact = next(f for f in record.facts if f.kind == kind)
    assert fact.withheld and fact.evidence == ["m2"]


def test_login_pair_keeps_the_user_name() -> None:
    record = ho.summarize(_conv(("customer", "login bob.smith / Summer2024! fails")))
    assert ("username", "bob.smith") in _facts(record)
    assert "summer2024" not in record.model_dump_json().lower()


@pytest.mark.parametrize(
    "text", ["I use a pw manager", "why does it take so long to reset a password. 30 hours!"]
)
def test_secret_words_without_a_secret_withhold_nothing(text: str) -> None:
    assert not any(f.withheld for f in ho.summarize(_conv(("customer", text))).facts)


# -- junk that looks like a fact ------------------------------------------------------

JUNK = [
    ("Order ID: NUMBER", "NUMBER"),
    ("order number XXXX-XXXX please fix", "XXXX-XXXX"),
    ("this is the 3rd time I'm writing about this!!", "3rd"),
    ("we do not use 3rd party routers", "3rd"),
    ("the invoice 2024-03311 is wrong", None),  # kept as the invoice's id, never as a phone
    ("see attached scan-2024-03-01.pdf and photo 2024-02-11.jpg", "2024-03-01"),
    ("it crashed at 0x600002 again", "0x600002"),
]


@pytest.mark.parametrize(("text", "junk"), JUNK, ids=[j[0][:24] for j in JUNK])
def test_junk_is_not_a_fact(text: str, junk: str | None) -> None:
    record = ho.summarize(_conv(("customer", text)))
    assert all(f.kind != "phone" for f in record.facts)
    if junk is not None:
        assert junk not in [f.value for f in record.facts]
        assert all(f.kind != "date" for f in record.facts)


def test_invoice_number_is_an_invoice_id() -> None:
    record = ho.summarize(_conv(("customer", "the invoice 2024-03311 is wrong, call me on (791) 582-4288")))
    assert {("invoice_id", "2024-03311"), ("phone", "(791) 582-4288")} <= _facts(record)


def test_placeholder_answer_to_a_question_is_not_a_fact() -> None:
    record = ho.summarize(_conv(("agent", "What is your order id?"), ("customer", "NUMBER")))
    assert record.facts == []


def test_record_is_byte_identical_on_rerun() -> None:
    conversation = _conv(("customer", SECRETS[1][0]), ("customer", "iPhone 13 / iOS 17.2.1, the 3rd time!"))
    first = json.dumps(ho.summarize(conversation).model_dump(mode="json"), sort_keys=True)
    assert json.dumps(ho.summarize(conversation).model_dump(mode="json"), sort_keys=True) == first


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    "text",
    [
        "x" + "a." * 25_000 + "pdf",  # one 50k-character "file name"
        ".pdf" * 20_000,
        "a.b." * 12_000 + "NullPointerException",
        "iPhone " * 10_000,
        "login a/" * 8_000,
        "sk-" * 15_000,
    ],
    ids=["dotted-pdf", "pdf-run", "dotted-exception", "iphones", "login-pairs", "sk-run"],
)
def test_new_recognizers_stay_linear_on_pathological_text(text: str) -> None:
    record = ho.summarize(_conv(("customer", text), ("agent", text), ("customer", "yes")))
    assert record.evidence_ids() <= {"m1", "m2", "m3"}


def test_a_duration_answering_an_address_question_is_no_address() -> None:
    """Asked for an address, a reply that starts with a count of things ("2 more weeks",
    "3 times") gives no address; a real one still does."""
    from handoff_ai import summarize

    def address(reply: str) -> list[str]:
        record = summarize(
            {
                "messages": [
                    {"role": "agent", "text": "What's your new address, please?"},
                    {"role": "customer", "text": reply},
                ]
            }
        )
        return [f.value for f in record.facts if f.kind == "address"]

    assert address("2 more weeks in the hotel, then I move") == []
    assert address("tried 3 times already, the form won't take it") == []
    assert address("14 Elm Grove, Leeds") != []

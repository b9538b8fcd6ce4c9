"""Redaction: recognizers, checksums, stable placeholders, re-hydration, the PII test set."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from handoff_ai import Conversation, Fact, HandoffRecord, Message, UsageError
from handoff_ai.models.record import Item
from handoff_ai.privacy.pii import (
    PATTERNS,
    bsn_ok,
    codice_fiscale_ok,
    cpf_ok,
    dni_ok,
    iban_ok,
    nir_ok,
    ssn_ok,
)
from handoff_ai.privacy.redact import KINDS, FunctionRecognizer, PatternRecognizer, Redactor, redact

ROOT = Path(__file__).resolve().parents[1]
PII_SET = ROOT / "tests" / "data" / "pii_messages.jsonl"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_redaction", ROOT / "bench" / "redaction.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _found(text: str) -> list[tuple[str, str]]:
    return [(s.kind, s.value) for s in Redactor().find(text)]


# -- checksums ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("check", "good", "bad"),
    [
        (iban_ok, "DE89 3704 0044 0532 0130 00", "DE89 3704 0044 0532 0130 01"),
        (iban_ok, "GB82WEST12345698765432", "GB82WEST1234569876543"),  # wrong length
        (dni_ok, "12345678Z", "12345678A"),
        (dni_ok, "X1234567L", "X1234567A"),
        (codice_fiscale_ok, "RSSMRA85T10A562S", "RSSMRA85T10A562T"),
        (cpf_ok, "529.982.247-25", "529.982.247-26"),
        (cpf_ok, "52998224725", "11111111111"),
        (bsn_ok, "111222333", "111222334"),
        (ssn_ok, "123-45-6789", "666-45-6789"),
        (ssn_ok, "078-05-1120", "900-12-3456"),
    ],
)
def test_checksums(check: object, good: str, bad: str) -> None:
    assert callable(check)
    assert check(good) and not check(bad)


def test_nir_key() -> None:
    body = "1840576451089"
    key = 97 - int(body) % 97
    assert nir_ok(f"{body}{key:02d}") and not nir_ok(f"{body}{(key % 96) + 1:02d}")


# -- recognizers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail me: Jo.Doe+x@Example.co.uk.", [("EMAIL", "Jo.Doe+x@Example.co.uk")]),
        ("card 4111 1111 1111 1111 exp 12/26", [("CARD", "4111 1111 1111 1111")]),
        ("card 4111-1111-1111-1111", [("CARD", "4111-1111-1111-1111")]),
        ("amex 3782 822463 10005 ok", [("CARD", "3782 822463 10005")]),
        ("gift card 4111 1111 1111 1112", []),  # not Luhn
        ("IBAN: DE89 3704 0044 0532 0130 00 thanks", [("IBAN", "DE89 3704 0044 0532 0130 00")]),
        ("iban fr1420041010050500013m02606", [("IBAN", "fr1420041010050500013m02606")]),
        ("call +44 (0)20 7946 0958 now", [("PHONE", "+44 (0)20 7946 0958")]),
        ("call (212) 555-0142", [("PHONE", "(212) 555-0142")]),
        ("tel. 030 12345678", [("PHONE", "030 12345678")]),
        ("06 12 34 56 78 svp", [("PHONE", "06 12 34 56 78")]),
        ("móvil 612 345 678", [("PHONE", "612 345 678")]),
        ("ligue (11) 91234-5678", [("PHONE", "(11) 91234-5678")]),
        ("order number 4820193746 please", []),
        ("placed on 12.03.2024 for 1.299,00", []),
        ("SSN 123-45-6789", [("US_SSN", "123-45-6789")]),
        ("ssn 666-45-6789", []),
        ("NINO JG 10 37 53 A", [("UK_NINO", "JG 10 37 53 A")]),
        ("NINO QQ 12 34 56 C", []),  # QQ is the format example prefix: never issued
        ("NINO GB 12 34 56 C", []),
        ("DNI 12345678Z y NIE X1234567L", [("ES_DNI", "12345678Z"), ("ES_NIE", "X1234567L")]),
        ("CF RSSMRA85T10A562S", [("IT_CF", "RSSMRA85T10A562S")]),
        ("CPF 529.982.247-25", [("BR_CPF", "529.982.247-25")]),
        ("BSN 111222333", [("NL_BSN", "111222333")]),
        ("from 192.168.0.12 and 2001:db8::8a2e:370:7334", [
            ("IP_ADDRESS", "192.168.0.12"), ("IP_ADDRESS", "2001:db8::8a2e:370:7334")]),
        ("not an ip 256.1.1.1 or 10:30:00", []),
        ("ship to 742 Evergreen Terrace, Springfield", [("ADDRESS", "742 Evergreen Terrace")]),
        ("Lieferung an Hauptstraße 5, Berlin", [("ADDRESS", "Hauptstraße 5")]),
        ("my password is hunter22.", [("SECRET", "hunter22")]),
        ("I forgot my password yesterday", []),
        ("key sk-proj-abcdefghijklmnopqrstuvwxyz0123", [
            ("SECRET", "sk-proj-abcdefghijklmnopqrstuvwxyz0123")]),
        ("AKIAIOSFODNN7EXAMPLE leaked", [("SECRET", "AKIAIOSFODNN7EXAMPLE")]),
        ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3.SflKxwRJSMeKKF2QT4fwpM", [
            ("SECRET", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3.SflKxwRJSMeKKF2QT4fwpM")]),
        ("token: a8f5f167f44f4964e6c998dee827110c", [("SECRET", "a8f5f167f44f4964e6c998dee827110c")]),
        ("the token expired", []),
    ],
)  # fmt: skip
def test_recognizers(text: str, expected: list[tuple[str, str]]) -> None:
    assert _found(text) == expected


def test_every_packaged_kind_is_exercised() -> None:
    assert set(KINDS) == {c.kind for c in PATTERNS}
    assert {"EMAIL", "PHONE", "CARD", "IBAN", "IP_ADDRESS", "ADDRESS", "SECRET"} <= set(KINDS)


ADVERSARIAL = [
    "1" * 50_000,
    "1 " * 25_000,
    "1." * 25_000,
    "1-" * 25_000,
    "a" * 50_000,
    "A" * 50_000,
    "a." * 25_000,
    "a@" * 25_000,
    "@" * 50_000,
    ":" * 50_000,
    "a:" * 25_000,
    "1:" * 25_000,
    "+" * 25_000 + "1" * 25_000,
    "DE89 " * 10_000,
    "eyJ" + "a" * 50_000,
    "password " * 6_000,
    "1 Aa " * 10_000,
    "(1) " * 12_000,
    "Calle " + "Aa " * 16_000,
    "12 rue " + "de " * 16_000,
    "X" + "1" * 50_000,
]


@pytest.mark.timeout(10)
@pytest.mark.parametrize("index", range(len(ADVERSARIAL)))
def test_no_catastrophic_backtracking(index: int) -> None:
    text = ADVERSARIAL[index]
    for candidate in PATTERNS:
        for _ in candidate.regex.finditer(text):
            pass
    Redactor().find(text)


# -- redaction and placeholders ----------------------------------------------------


def _conversation() -> Conversation:
    return Conversation(
        id="c1",
        messages=[
            Message(id="a", role="customer", text="I'm Jo, jo@Example.com, call 020 7946 0958"),
            Message(id="b", role="bot", text="Thanks! Is jo@example.com right?"),
            Message(id="c", role="customer", text="yes. Also ann@example.com. card 4111 1111 1111 1111"),
            Message(id="d", role="customer", text="my password is Tr0ub4dor&3; phone +44 20 7946 0958"),
            Message(id="e", role="customer", text="same card: 4111111111111111", author="jo@example.com"),
        ],
    )


def test_redact_keeps_ids_and_numbers_placeholders_by_first_appearance() -> None:
    conversation = _conversation()
    redaction = redact(conversation)
    out = redaction.conversation
    assert out.ids == conversation.ids and out.id == "c1"
    assert [m.role for m in out.messages] == [m.role for m in conversation.messages]
    assert out.messages[0].text == "I'm Jo, <EMAIL_1>, call <PHONE_1>"
    assert out.messages[1].text == "Thanks! Is <EMAIL_1> right?"
    assert out.messages[2].text == "yes. Also <EMAIL_2>. card <CARD_1>"
    assert out.messages[3].text == "my password is <SECRET_1>; phone <PHONE_2>"
    assert out.messages[4].text == "same card: <CARD_1>"
    assert out.messages[4].author == "<EMAIL_1>"
    assert conversation.messages[0].text.startswith("I'm Jo, jo@")  # the caller's object is untouched
    assert redaction.report() == {"CARD": 2, "EMAIL": 4, "PHONE": 2, "SECRET": 1}
    dumped = json.dumps(redaction.report())
    assert "@" not in dumped and "4111" not in dumped
    assert "jo@" not in repr(redaction) and "4111" not in repr(redaction)


def test_same_digits_same_phone_placeholder() -> None:
    conversation = Conversation(
        messages=[
            Message(id="1", role="customer", text="call 555-201-0142"),
            Message(id="2", role="customer", text="or (555) 201 0142"),
        ]
    )
    texts = [m.text for m in redact(conversation).conversation.messages]
    assert texts == ["call <PHONE_1>", "or <PHONE_1>"]


def test_rehydrate_text_never_returns_cards_or_secrets() -> None:
    redaction = redact(_conversation())
    text = "Customer <EMAIL_1> (phone <PHONE_1>) paid with <CARD_1>, password <SECRET_1>; <EMAIL_9> unknown"
    assert redaction.rehydrate(text) == (
        "Customer jo@Example.com (phone 020 7946 0958) paid with [card ending 1111], "
        "password [withheld]; <EMAIL_9> unknown"
    )


def test_rehydrate_record() -> None:
    redaction = redact(_conversation())
    record = HandoffRecord(
        summary="<EMAIL_1> was charged twice on <CARD_1>",
        facts=[
            Fact(kind="email", value="<EMAIL_2>", evidence=["c"]),
            Fact(kind="card_number", value="<CARD_1>", evidence=["c"]),
            Fact(kind="password", value="<SECRET_1>", evidence=["d"]),
        ],
        next_steps=[Item(text="Call back on [PHONE_2]", evidence=["d"])],
    )
    out = redaction.rehydrate(record)
    assert out is not record and record.summary.startswith("<EMAIL_1>")
    assert out.summary == "jo@Example.com was charged twice on [card ending 1111]"
    assert [(f.value, f.withheld) for f in out.facts] == [
        ("ann@example.com", False), (None, True), (None, True)
    ]  # fmt: skip
    assert out.next_steps[0].text == "Call back on +44 20 7946 0958"
    assert "4111111111111111" not in out.to_json().replace(" ", "")


def test_user_recognizers_run_first() -> None:
    redactor = Redactor(
        recognizers=[
            ("EMPLOYEE_ID", r"\bEMP-\d{6}\b"),
            PatternRecognizer("ticket", r"\bTCK(?P<value>\d{5})\b", validate=lambda v: v != "00000"),
            FunctionRecognizer(
                "shout", lambda text: [(m.start(), m.end()) for m in re.finditer(r"ZORG", text)]
            ),
        ]
    )
    text, redaction = redactor.redact_text("EMP-123456 TCK12345 TCK00000 ZORG jo@example.com")
    assert text == "<EMPLOYEE_ID_1> TCK<TICKET_1> TCK00000 <SHOUT_1> <EMAIL_1>"
    assert redaction.report() == {"EMAIL": 1, "EMPLOYEE_ID": 1, "SHOUT": 1, "TICKET": 1}


def test_kinds_filter_and_errors() -> None:
    assert Redactor(kinds=["email"]).redact_text("jo@example.com 4111 1111 1111 1111")[0] == (
        "<EMAIL_1> 4111 1111 1111 1111"
    )
    with pytest.raises(UsageError):
        Redactor(kinds=["NOPE"])
    with pytest.raises(UsageError):
        PatternRecognizer("bad kind!", r"x")
    with pytest.raises(UsageError):
        PatternRecognizer("OK", r"(")


# -- the PII test set --------------------------------------------------------------


def test_pii_set_shape() -> None:
    rows = [json.loads(line) for line in PII_SET.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 300
    assert len({row["locale"] for row in rows}) >= 8
    assert sum(1 for row in rows if row.get("negative")) >= 50
    for row in rows:
        for span in row["spans"]:
            assert span["value"] in row["text"] and span["kind"] in KINDS


def test_pii_set_recall_targets_and_no_card_survives() -> None:
    bench = _bench()
    result = bench.score(bench.load(PII_SET))
    for kind, target in bench.TARGETS.items():
        assert result["kinds"][kind]["recall"] >= target, (kind, result["kinds"][kind])
    assert result["luhn_survivors"] == 0

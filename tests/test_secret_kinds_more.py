"""Secrets in phrasings a held-out conversation showed the rules missing: a memorable or secret
word, a password in a URL's user part, a one-time code typed in groups. Worded differently
from that conversation; never in any field of the record."""

from __future__ import annotations

import pytest

from handoff_ai import summarize
from handoff_ai.models import Conversation, Message


def _record(*turns: tuple[str, str]):  # type: ignore[no-untyped-def]
    return summarize(
        Conversation(messages=[Message(id=f"m{i}", role=r, text=t) for i, (r, t) in enumerate(turns, 1)])
    )


@pytest.mark.parametrize(
    "text, secret",
    [
        ("My Memorable Word is: ButterCup9 — does that help?", "ButterCup9"),
        ("secret word = lighthouse42", "lighthouse42"),
        ("security word is Zanzibar 🙂", "Zanzibar"),
        ("the memorable phrase would be bluemoon88", "bluemoon88"),
    ],
)
def test_a_memorable_or_secret_word_is_withheld(text: str, secret: str) -> None:
    record = _record(("customer", "I can't log in to online banking"), ("customer", text))
    dumped = record.model_dump_json()
    assert secret not in dumped
    assert any(f.withheld for f in record.facts)


@pytest.mark.parametrize(
    "url, password",
    [
        ("mysql://root:S3cr3tPass@10.0.0.5:3306/shop", "S3cr3tPass"),
        ("REDIS_URL=redis://default:aZ9-xQ_77@cache.internal:6379", "aZ9-xQ_77"),
        ("see https://deploy:tok3nValue@git.example.com/repo.git", "tok3nValue"),
    ],
)
def test_a_password_in_a_url_is_withheld_and_the_url_is_no_email(url: str, password: str) -> None:
    record = _record(("customer", f"the app can't connect since this morning, config has {url}"))
    assert password not in record.model_dump_json()
    assert not any(f.kind == "email" for f in record.facts), [(f.kind, f.value) for f in record.facts]
    assert any(f.withheld and f.kind == "password" for f in record.facts)


def test_a_plain_url_and_an_email_are_untouched() -> None:
    record = _record(("customer", "docs at https://example.com/a:b and mail me at ana@example.org"))
    assert any(f.kind == "email" and f.value == "ana@example.org" for f in record.facts)
    assert not any(f.withheld for f in record.facts)


def test_a_code_typed_in_groups_is_masked_wherever_it_was_withheld() -> None:
    record = _record(
        ("customer", "my card is blocked abroad, I got a text with a code 731 094 but the app shows nothing"),
        ("bot", "What is the one-time code you received?"),
        ("customer", "731094"),
        ("customer", "still blocked!!"),
    )
    dumped = record.model_dump_json()
    assert "731094" not in dumped and "731 094" not in dumped

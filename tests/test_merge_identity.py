"""Merge identity across example formats: emails and phones normalised by kind, refusals that name files.

Issue 16: ``chat.json`` + ``intercom_conversation.json`` merged Maya and Sam (the Intercom
author's email was not read); a helpdesk ``customer.phone`` never matched the SMS sender with
the same number; the refusal named channels, not files, and told a CLI user about ``identities=``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import handoff_ai as ho
from handoff_ai import Conversation, Message
from handoff_ai.apps.cli import main
from handoff_ai.exceptions import UsageError
from handoff_ai.merge import DifferentCustomersError, MergeReport

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _people(conversation: Conversation) -> list[str]:
    report = MergeReport.of(conversation)
    assert report is not None
    return report.people


# -- the reported cases ---------------------------------------------------------------------


def test_intercom_author_email_is_an_identity_so_two_customers_are_refused() -> None:
    chat, intercom = EXAMPLES / "chat.json", EXAMPLES / "intercom_conversation.json"
    with pytest.raises(DifferentCustomersError) as info:
        ho.merge([ho.load(chat), ho.load(intercom)])
    assert set(info.value.inputs) == {str(chat), str(intercom)}  # files, not channels
    assert "web_chat" not in str(info.value) and "example.com" not in str(info.value)


def test_cli_refusal_names_both_files_and_the_cli_flag(capsys: pytest.CaptureFixture[str]) -> None:
    chat, intercom = str(EXAMPLES / "chat.json"), str(EXAMPLES / "intercom_conversation.json")
    code = main(["summarize", chat, intercom, "-o", "json"])
    err = capsys.readouterr().err
    assert code == 2 and chat in err and intercom in err
    assert "--identity" in err and "identities=" not in err and "sam.reyes" not in err


def test_cli_identity_flag_links_inputs_the_data_cannot(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    chat, intercom = str(EXAMPLES / "chat.json"), str(EXAMPLES / "intercom_conversation.json")
    args = ["summarize", chat, intercom, "-o", "json"]
    code = main(
        [*args, "--identity", "maya.lindqvist@example.com=p1", "--identity", "Sam.Reyes@example.com=p1"]
    )
    out = capsys.readouterr().out
    assert code == 0 and json.loads(out)["message_count"] > 20
    mapping = tmp_path / "people.toml"
    mapping.write_text('"maya.lindqvist@example.com" = "p1"\n"sam.reyes@example.com" = "p1"\n')
    assert main([*args, "--identities", str(mapping)]) == 0
    capsys.readouterr()
    assert main([*args, "--identity", "no-equals-sign"]) == 2
    assert "ID=PERSON" in capsys.readouterr().err


def _sms(number: str) -> Conversation:
    return Conversation(
        id="sms",
        messages=[Message(id="s1", role="customer", text="meter reading 04512", metadata={"from": number})],
        channels=["sms"],
    )


def _desk(phone: str) -> Conversation:
    return Conversation(
        id="desk",
        messages=[Message(id="d1", role="customer", text="my bill is wrong", channel="email")],
        metadata={"customer": {"id": 4471, "phone": phone}},
    )


@pytest.mark.parametrize(
    "desk_phone", ["+13125550148", "+1 (312) 555-0148", "001 312 555 0148", "(312) 555-0148"]
)
def test_helpdesk_customer_phone_matches_the_sms_sender(desk_phone: str) -> None:
    merged = ho.merge([_desk(desk_phone), _sms("+13125550148")])
    assert _people(merged) == ["customer"]


def test_different_phones_are_different_customers() -> None:
    with pytest.raises(DifferentCustomersError):
        ho.merge([_desk("+13125550148"), _sms("+13125550149")])


def test_a_numeric_author_id_is_not_a_phone() -> None:
    """Freshdesk's first message is authored by the requester id ``47000123``: not a phone number."""
    from handoff_ai.merge.identity import _customer_keys

    keys, _ = _customer_keys(ho.load(EXAMPLES / "freshdesk_ticket.json"))
    assert not any(k.startswith("phone:") for k in keys) and "email:lee@example.com" in keys


# -- every pair of example formats, with one customer's identity put where each format keeps it --

MAYA = "maya.lindqvist@example.com"


def _replace(old: str) -> Callable[[str, str], str]:
    return lambda text, value: text.replace(old, value)


def _json_edit(edit: Callable[[dict[str, Any], str], None]) -> Callable[[str, str], str]:
    def apply(text: str, value: str) -> str:
        data = json.loads(text)
        edit(data, value)
        return json.dumps(data)

    return apply


def _chat(kind: str) -> Callable[[dict[str, Any], str], None]:
    def edit(data: dict[str, Any], value: str) -> None:
        data["customer"] = {"name": "Maya", kind: value}
        for message in data["messages"]:
            message["text"] = message["text"].replace(MAYA, "my address")

    return edit


def _zendesk(kind: str) -> Callable[[dict[str, Any], str], None]:
    def edit(data: dict[str, Any], value: str) -> None:
        data["ticket"]["via"] = {"channel": "web"}
        for comment in data["comments"]:
            comment["via"] = {"channel": "web"}
        data["users"][0].pop("email", None)
        data["users"][0][kind] = value

    return edit


def _chatwoot(key: str) -> Callable[[dict[str, Any], str], None]:
    def edit(data: dict[str, Any], value: str) -> None:
        for message in data["payload"]:
            sender = message.get("sender")
            if isinstance(sender, dict) and sender.get("type") == "contact":
                sender[key] = value

    return edit


def _intercom(key: str) -> Callable[[dict[str, Any], str], None]:
    def edit(data: dict[str, Any], value: str) -> None:
        data["source"]["author"].pop("email", None)
        data["source"]["author"][key] = value
        for part in data["conversation_parts"]["conversation_parts"]:
            if part["author"].get("email") == "sam.reyes@example.com":
                part["author"]["email"] = ""

    return edit


def _freshdesk_phone(data: dict[str, Any], value: str) -> None:
    data["ticket"]["requester"] = {"id": 47000123, "phone": value}
    for item in data["conversations"]:
        if item.get("from_email") == "lee@example.com":
            item["from_email"] = None


# file → (email injector, phone injector); None: the format has no place for that kind.
INJECT: dict[str, tuple[Callable[[str, str], str] | None, Callable[[str, str], str] | None]] = {
    "chat.json": (_json_edit(_chat("email")), _json_edit(_chat("phone"))),
    "support_thread.eml": (_replace(MAYA), None),
    "zendesk_ticket.json": (_json_edit(_zendesk("email")), _json_edit(_zendesk("phone"))),
    "freshdesk_ticket.json": (_replace("lee@example.com"), _json_edit(_freshdesk_phone)),
    "helpscout_threads.json": (_replace("jordan@example.com"), None),
    "intercom_conversation.json": (_json_edit(_intercom("email")), _json_edit(_intercom("phone"))),
    "chatwoot_messages.json": (_json_edit(_chatwoot("email")), _json_edit(_chatwoot("phone_number"))),
    "twilio_sms_messages.json": (None, _replace("+15558675310")),
    "whatsapp_chat.txt": (None, _replace("Maya Lindqvist")),
    "rasa_tracker.json": (None, _replace("c2f3a1e4-user-7711")),
}
WITH_EMAIL = sorted(name for name, (email, _) in INJECT.items() if email)
WITH_PHONE = sorted(name for name, (_, phone) in INJECT.items() if phone)

# (local part, domain) and (country code, national digits); each is rendered in several spellings.
_emails = st.tuples(
    st.sampled_from(["ann", "bo.lee", "c+tag"]), st.sampled_from(["example.com", "x.example"])
)
_phones = st.tuples(
    st.sampled_from(["1", "44", "46"]), st.sampled_from(["3125550148", "7700900123", "701234567"])
)


def _email_text(value: tuple[str, str], style: int) -> str:
    address = f"{value[0]}@{value[1]}"
    return address.upper() if style % 2 else address


def _phone_text(value: tuple[str, str], style: int, name: str) -> str:
    country, national = value
    if name in ("twilio_sms_messages.json", "rasa_tracker.json") or style % 3 == 0:
        return f"+{country}{national}"  # what an SMS gateway sends: E.164
    if style % 3 == 1:
        return f"+{country} {national[:3]} {national[3:6]} {national[6:]}"
    return f"00{country}-{national}"


def _write(tmp: Path, name: str, kind: int, value: str, slot: int) -> Path:
    inject = INJECT[name][kind]
    assert inject is not None
    path = tmp / f"{slot}-{name}"
    text = (EXAMPLES / name).read_bytes().decode("utf-8")
    changed = inject(text, value)
    assert changed != text, f"{name}: nothing injected"
    path.write_text(changed, encoding="utf-8")
    return path


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.data(),
    kind=st.sampled_from([0, 1]),
    styles=st.tuples(st.integers(0, 5), st.integers(0, 5)),
    same=st.booleans(),
)
def test_any_two_example_formats_merge_one_customer_and_refuse_two(
    tmp_path: Path, data: st.DataObject, kind: int, styles: tuple[int, int], same: bool
) -> None:
    names = WITH_EMAIL if kind == 0 else WITH_PHONE
    # Two different formats: two copies of one example share its other ids (a contact id), rightly linked.
    first, second = data.draw(st.lists(st.sampled_from(names), min_size=2, max_size=2, unique=True))
    values = data.draw(st.lists(_emails if kind == 0 else _phones, min_size=2, max_size=2, unique=True))
    if same:
        values[1] = values[0]
    render = (
        (lambda v, s, _n: _email_text(v, s)) if kind == 0 else _phone_text  # type: ignore[misc]
    )
    paths = [
        _write(tmp_path, name, kind, render(value, style, name), slot)
        for slot, (name, value, style) in enumerate(zip((first, second), values, styles, strict=True))
    ]
    conversations = [ho.load(p) for p in paths]
    if same:
        assert _people(ho.merge(conversations)) == ["customer"]
    else:
        with pytest.raises(DifferentCustomersError) as info:
            ho.merge(conversations)
        assert set(info.value.inputs) == {str(p) for p in paths}
        assert not re.search(r"\d{7}", str(info.value))  # no phone number in the message


def test_refusal_is_still_a_usage_error() -> None:
    assert issubclass(DifferentCustomersError, UsageError)


# -- every pair of the examples as shipped --------------------------------------------------

FILES = sorted(p for p in EXAMPLES.iterdir() if p.suffix in (".json", ".eml", ".txt"))
MAYA_BY_EMAIL = {"chat.json", "support_thread.eml", "zendesk_ticket.json"}
NO_IDENTIFIER = {  # nothing in the file identifies the customer: joins whoever the other input is
    "transcript.txt", "openai_messages.json", "openai_thread_messages.json",
    "dialogflow_cx_conversation.json", "whatsapp_chat.txt",
}  # fmt: skip


@pytest.fixture(scope="module")
def loaded() -> dict[str, Conversation]:
    return {p.name: ho.load(p) for p in FILES}


def test_every_pair_of_examples_merges_one_customer_or_names_both_files(
    loaded: dict[str, Conversation],
) -> None:
    assert len(FILES) >= 18  # every input example
    for index, first in enumerate(FILES):
        for second in FILES[index + 1 :]:
            names = {first.name, second.name}
            same = names <= MAYA_BY_EMAIL or bool(names & NO_IDENTIFIER)
            pair = [loaded[first.name], loaded[second.name]]
            if same:
                assert len(_people(ho.merge(pair))) == 1, names
            else:
                with pytest.raises(DifferentCustomersError) as info:
                    ho.merge(pair)
                assert set(info.value.inputs) == {str(first), str(second)}, names


def test_vendor_ids_are_compared_within_their_vendor_only(tmp_path: Path) -> None:
    """Chatwoot contact 88 and a Zendesk requester 88 are two people; two Zendesk tickets of 88 are one."""
    chatwoot = json.loads((EXAMPLES / "chatwoot_messages.json").read_text())
    zendesk = json.loads((EXAMPLES / "zendesk_ticket.json").read_text())
    zendesk["users"][0].pop("email")
    zendesk["ticket"]["via"] = {"channel": "web"}
    for comment in zendesk["comments"]:
        comment["via"] = {"channel": "web"}
        if comment["author_id"] == 20978392:
            comment["author_id"] = 88
    zendesk["ticket"]["requester_id"] = zendesk["users"][0]["id"] = 88
    with pytest.raises(DifferentCustomersError):
        ho.merge([ho.load(chatwoot), ho.load(zendesk)])
    second = json.loads(json.dumps(zendesk))
    second["ticket"]["id"] = 35437
    assert _people(ho.merge([ho.load(zendesk), ho.load(second)])) == ["customer"]
    linked = ho.merge([ho.load(chatwoot), ho.load(zendesk)], identities={"88": "p-88"})
    assert _people(linked) == ["p-88"]  # an identities entry names the raw id, whatever the vendor

"""Writer tests: each helpdesk / chat payload against the vendor's documented request shape.

Every writer is checked two ways:

* against a small JSON Schema per vendor, written from the vendor's API
  reference (cited next to each schema) and checked with a hand-rolled
  validator (the project does not depend on ``jsonschema``; when it happens to
  be installed, a second test runs the same schemas through it), and
* against exact golden files in ``tests/golden/writers/``.

Regenerate the golden files after an intended change with::

    UPDATE_GOLDEN=1 pytest tests/test_writers.py

then read the diff before committing it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from handoff_ai.apps.cli import main
from handoff_ai.exceptions import UsageError
from handoff_ai.models.record import Fact, HandoffRecord, Item, Urgency
from handoff_ai.renderers import render, renderer_descriptions, renderer_names
from handoff_ai.renderers._payload import TRUNCATED, isolate, truncate
from handoff_ai.renderers.freshdesk import freshdesk_payload
from handoff_ai.renderers.html_email import email_message, email_subject
from handoff_ai.renderers.intercom import ADMIN_ID_ENV, ADMIN_ID_PLACEHOLDER, intercom_payload
from handoff_ai.renderers.slack import MAX_BLOCKS, escape_slack, slack_payload
from handoff_ai.renderers.teams import teams_payload
from handoff_ai.renderers.zendesk import zendesk_payload, zendesk_tags

from .test_renderers import LONG, full_record, hostile_record, minimal_record

GOLDEN = Path(__file__).parent / "golden" / "writers"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

JSON_WRITERS = ("chatwoot", "freshdesk", "intercom", "slack", "teams", "zendesk")
WRITERS = (*JSON_WRITERS, "html_email")
HTML_BODY = {  # writers whose payload carries the note as helpdesk HTML: name -> path to it
    "zendesk": ("ticket", "comment", "html_body"),
    "intercom": ("body",),
    "freshdesk": ("body",),
}
RTL = "شارع الملك فهد 12، الرياض"


@pytest.fixture(autouse=True)
def _no_intercom_admin(monkeypatch: pytest.MonkeyPatch) -> None:
    """Writers read ``HANDOFF_AI_INTERCOM_ADMIN_ID``; tests start without it."""
    monkeypatch.delenv(ADMIN_ID_ENV, raising=False)


# -- records ---------------------------------------------------------------------------


def writer_hostile_record() -> HandoffRecord:
    """The renderer tests' hostile record plus what attacks chat and card formats."""
    base = hostile_record()
    extra = [
        Fact(
            kind="slack_ping", value="<!channel> <!here> @here <@U024BE7LH> <#C123|general>", evidence=["m1"]
        ),
        Fact(
            kind="slack_link",
            value="<http://evil.example|click here> &lt;b&gt; *bold* _it_ ~s~ `c`",
            evidence=["m1"],
        ),
        Fact(kind="teams_mention", value="<at>Adele</at> **bold** [x](http://evil.example)", evidence=["m2"]),
        Fact(
            kind="json",
            value='"}]}, {"type": "Action.OpenUrl", "url": "http://evil"} \\u0000',
            evidence=["m2"],
        ),
    ]
    return base.model_copy(
        update={
            "summary": "- " + base.summary + " @channel <https://evil.example>",
            "facts": [*base.facts, *extra],
            "open_questions": [*base.open_questions, Item(text="1. numbered? > quote & more")],
        }
    )


def many_facts_record() -> HandoffRecord:
    """More facts and text than any chat format allows in one message."""
    return HandoffRecord(
        summary="A very long conversation.",
        urgency=Urgency(level="urgent", reasons=["limits"]),
        facts=[Fact(kind=f"id_{i}", value=f"V-{i} & <{i}>", evidence=[f"m{i}"]) for i in range(600)],
    )


RECORDS: dict[str, Callable[[], HandoffRecord]] = {
    "full": full_record,
    "hostile": writer_hostile_record,
    "minimal": minimal_record,
}


# -- a small JSON Schema validator -------------------------------------------------------
#
# Enough of JSON Schema (2020-12) for request-body shapes: type, const, enum,
# properties / required / additionalProperties, items / minItems / maxItems,
# minLength / maxLength / pattern, anyOf, allOf.

_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "null": lambda v: v is None,
}


def schema_errors(value: Any, schema: dict[str, Any], path: str = "$") -> list[str]:
    """Every way ``value`` breaks ``schema``, as ``path: problem`` lines (empty when valid)."""
    errors: list[str] = []
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_TYPES[t](value) for t in types):
            return [f"{path}: expected {'/'.join(types)}, got {type(value).__name__}"]
    if "const" in schema and (value != schema["const"] or type(value) is not type(schema["const"])):
        errors.append(f"{path}: expected {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} not one of {schema['enum']}")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            errors.append(f"{path}: shorter than {schema['minLength']}")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errors.append(f"{path}: {len(value)} characters, more than {schema['maxLength']}")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{path}: does not match {schema['pattern']}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            errors.append(f"{path}: fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            errors.append(f"{path}: {len(value)} items, more than {schema['maxItems']}")
        if "items" in schema:
            for i, item in enumerate(value):
                errors += schema_errors(item, schema["items"], f"{path}[{i}]")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        errors += [f"{path}: missing {key!r}" for key in schema.get("required", []) if key not in value]
        for key, item in value.items():
            if key in props:
                errors += schema_errors(item, props[key], f"{path}.{key}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{path}: unexpected key {key!r}")
    if "anyOf" in schema:
        branches = [schema_errors(value, branch, path) for branch in schema["anyOf"]]
        if all(branches):
            errors.append(f"{path}: matches no allowed shape ({min(branches, key=len)[0]})")
    for branch in schema.get("allOf", []):
        errors += schema_errors(value, branch, path)
    return errors


def _object(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {**required, **(optional or {})},
        "required": list(required),
        "additionalProperties": False,
    }


_TEXT = {"type": "string", "minLength": 1}

# Zendesk — Tickets API "Update Ticket" (PUT /api/v2/tickets/{id}) with a comment object
# (Ticket Comments: html_body, public). Priority values from the Tickets JSON format.
ZENDESK_SCHEMA = _object(
    {
        "ticket": _object(
            {"comment": _object({"html_body": _TEXT, "public": {"const": False}})},
            {"priority": {"enum": ["urgent", "high", "normal", "low"]}},
        )
    }
)

# Intercom — "Reply to a conversation", admin_reply_conversation_request.
INTERCOM_SCHEMA = _object(
    {
        "message_type": {"const": "note"},  # enum comment | note (| quick_reply); a note is internal
        "type": {"const": "admin"},
        "admin_id": _TEXT,
        "body": _TEXT,
    },
    {"created_at": {"type": "integer"}, "attachment_urls": {"type": "array", "maxItems": 10}},
)

# Freshdesk — API v2 "Create a Note" (POST /api/v2/tickets/{id}/notes).
FRESHDESK_SCHEMA = _object(
    {"body": _TEXT, "private": {"const": True}},
    {
        "notify_emails": {"type": "array", "items": {"type": "string", "pattern": r"^[^@\s]+@[^@\s]+$"}},
        "incoming": {"type": "boolean"},
        "user_id": {"type": "integer"},
    },
)

# Chatwoot — "Create New Message", conversation_message_create.
CHATWOOT_SCHEMA = _object(
    {
        "content": _TEXT,
        "message_type": {"enum": ["outgoing", "incoming"]},
        "private": {"const": True},
        "content_type": {"enum": ["text", "input_email", "cards", "input_select", "form", "article"]},
    },
    {"content_attributes": {"type": "object"}},
)

# Slack — Block Kit: text object, header / section / divider / context blocks, 50 blocks.
_SLACK_PLAIN = _object(
    {"type": {"const": "plain_text"}, "text": {"type": "string", "minLength": 1, "maxLength": 3000}},
    {"emoji": {"type": "boolean"}},
)
_SLACK_MRKDWN = _object(
    {"type": {"const": "mrkdwn"}, "text": {"type": "string", "minLength": 1, "maxLength": 3000}},
    {"verbatim": {"type": "boolean"}},
)
_SLACK_TEXT = {"anyOf": [_SLACK_PLAIN, _SLACK_MRKDWN]}
_SLACK_FIELD = {"allOf": [_SLACK_TEXT, {"properties": {"text": {"maxLength": 2000}}}]}
_SLACK_HEADER = _object(
    {
        "type": {"const": "header"},
        "text": {"allOf": [_SLACK_PLAIN, {"properties": {"text": {"maxLength": 150}}}]},
    },
    {"block_id": {"type": "string", "maxLength": 255}},
)
_SLACK_SECTION = {
    "allOf": [
        _object(
            {"type": {"const": "section"}},
            {
                "text": _SLACK_TEXT,
                "fields": {"type": "array", "minItems": 1, "maxItems": 10, "items": _SLACK_FIELD},
                "block_id": {"type": "string", "maxLength": 255},
            },
        ),
        {"anyOf": [{"required": ["text"]}, {"required": ["fields"]}]},
    ]
}
_SLACK_DIVIDER = _object({"type": {"const": "divider"}}, {"block_id": {"type": "string"}})
_SLACK_CONTEXT = _object(
    {
        "type": {"const": "context"},
        "elements": {"type": "array", "minItems": 1, "maxItems": 10, "items": _SLACK_TEXT},
    },
    {"block_id": {"type": "string"}},
)
SLACK_SCHEMA = _object(
    {
        "text": {"type": "string", "minLength": 1},
        "blocks": {
            "type": "array",
            "minItems": 1,
            "maxItems": 50,
            "items": {"anyOf": [_SLACK_HEADER, _SLACK_SECTION, _SLACK_DIVIDER, _SLACK_CONTEXT]},
        },
    },
    {"channel": {"type": "string"}, "thread_ts": {"type": "string"}},
)

# Teams — "Send Adaptive Cards using an Incoming Webhook" + Adaptive Cards 1.4 TextBlock / FactSet.
_SPACING = {"enum": ["None", "Small", "Default", "Medium", "Large", "ExtraLarge", "Padding"]}
_TEXT_BLOCK = _object(
    {"type": {"const": "TextBlock"}, "text": {"type": "string"}},
    {
        "wrap": {"type": "boolean"},
        "size": {"enum": ["Small", "Default", "Medium", "Large", "ExtraLarge"]},
        "weight": {"enum": ["Lighter", "Default", "Bolder"]},
        "color": {"enum": ["Default", "Dark", "Light", "Accent", "Good", "Warning", "Attention"]},
        "isSubtle": {"type": "boolean"},
        "spacing": _SPACING,
        "separator": {"type": "boolean"},
    },
)
_FACT_SET = _object(
    {
        "type": {"const": "FactSet"},
        "facts": {
            "type": "array",
            "minItems": 1,
            "items": _object({"title": {"type": "string"}, "value": {"type": "string"}}),
        },
    },
    {"spacing": _SPACING, "separator": {"type": "boolean"}},
)
TEAMS_SCHEMA = _object(
    {
        "type": {"const": "message"},
        "attachments": {
            "type": "array",
            "minItems": 1,
            "items": _object(
                {
                    "contentType": {"const": "application/vnd.microsoft.card.adaptive"},
                    "content": _object(
                        {
                            "$schema": {"const": "http://adaptivecards.io/schemas/adaptive-card.json"},
                            "type": {"const": "AdaptiveCard"},
                            "version": {"type": "string", "pattern": r"^1\.[0-6]$"},
                            "body": {
                                "type": "array",
                                "minItems": 1,
                                "items": {"anyOf": [_TEXT_BLOCK, _FACT_SET]},
                            },
                        },
                        {"msteams": {"type": "object"}},
                    ),
                },
                {"contentUrl": {"type": ["string", "null"]}},
            ),
        },
    }
)

SCHEMAS = {
    "zendesk": ZENDESK_SCHEMA,
    "intercom": INTERCOM_SCHEMA,
    "freshdesk": FRESHDESK_SCHEMA,
    "chatwoot": CHATWOOT_SCHEMA,
    "slack": SLACK_SCHEMA,
    "teams": TEAMS_SCHEMA,
}


def payload(record: HandoffRecord, name: str) -> Any:
    return json.loads(render(record, name))


def strings(node: Any) -> Iterator[tuple[str, str]]:
    """Every ``(key, string)`` in a JSON document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str):
                yield key, value
            else:
                yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


# -- the validator itself --------------------------------------------------------------


def test_validator_catches_violations() -> None:
    good = {"ticket": {"comment": {"html_body": "<p>x</p>", "public": False}}}
    assert schema_errors(good, ZENDESK_SCHEMA) == []
    assert schema_errors({"ticket": {"comment": {"html_body": "x", "public": 0}}}, ZENDESK_SCHEMA)
    assert schema_errors({"ticket": {"comment": {"html_body": "x", "public": True}}}, ZENDESK_SCHEMA)
    assert schema_errors({"ticket": {"comment": {"body": "x", "public": False}}}, ZENDESK_SCHEMA)
    assert schema_errors({**good, "extra": 1}, ZENDESK_SCHEMA)
    header = {"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}
    assert schema_errors({"text": "t", "blocks": [header]}, SLACK_SCHEMA)
    fields = [{"type": "mrkdwn", "text": "f"}] * 11
    assert schema_errors({"text": "t", "blocks": [{"type": "section", "fields": fields}]}, SLACK_SCHEMA)
    assert schema_errors({"text": "t", "blocks": [{"type": "section"}]}, SLACK_SCHEMA)
    assert schema_errors({"text": "t", "blocks": [{"type": "divider"}] * 51}, SLACK_SCHEMA)
    assert schema_errors(
        {"message_type": "comment", "type": "admin", "admin_id": "1", "body": "b"}, INTERCOM_SCHEMA
    )
    assert schema_errors({"body": "b", "private": True, "notify_emails": ["not an email"]}, FRESHDESK_SCHEMA)


# -- every writer: schema, golden, determinism --------------------------------------------


@pytest.mark.parametrize("name", JSON_WRITERS)
@pytest.mark.parametrize("case", [*RECORDS, "many"])
def test_payload_matches_vendor_schema(case: str, name: str) -> None:
    record = many_facts_record() if case == "many" else RECORDS[case]()
    assert schema_errors(payload(record, name), SCHEMAS[name]) == []


@pytest.mark.parametrize("name", JSON_WRITERS)
def test_schemas_agree_with_jsonschema_when_installed(name: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(SCHEMAS[name])
    validator.check_schema(SCHEMAS[name])
    for factory in (*RECORDS.values(), many_facts_record):
        assert list(validator.iter_errors(payload(factory(), name))) == []


@pytest.mark.parametrize("name", WRITERS)
@pytest.mark.parametrize("case", sorted(RECORDS))
def test_golden(case: str, name: str) -> None:
    output = render(RECORDS[case](), name)
    path = GOLDEN / f"{case}.{name}.{'html' if name == 'html_email' else 'json'}"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes((output + "\n").encode("utf-8"))
    assert path.exists(), f"missing golden file {path.name}; run with UPDATE_GOLDEN=1"
    assert output + "\n" == path.read_bytes().decode("utf-8")


@pytest.mark.parametrize("name", WRITERS)
def test_deterministic_and_utf8(name: str) -> None:
    first = render(writer_hostile_record(), name)
    assert first == render(writer_hostile_record(), name)
    assert "😡🔥" in first and "شارع" in first  # non-ASCII kept as is (ensure_ascii=False)


@pytest.mark.parametrize("name", WRITERS)
def test_every_writer_says_the_same_things(name: str) -> None:
    out = render(full_record(), name)
    for needle in ("A-1042", "jane.doe@example.com", "CVV", "given (not stored)", "Already tried", "billing"):
        assert needle in out, needle


@pytest.mark.parametrize("name", WRITERS)
def test_long_values_are_cut_with_a_marker(name: str) -> None:
    out = render(writer_hostile_record(), name)
    assert "+4,501 chars" in out
    assert LONG[:600] not in out


def test_writers_make_no_http_calls() -> None:
    src = Path(__file__).resolve().parents[1] / "src" / "handoff_ai" / "renderers"
    for name in (*WRITERS, "_payload"):
        text = (src / f"{name}.py").read_text(encoding="utf-8")
        assert not re.search(
            r"^\s*(from|import) (httpx|requests|urllib|http\.client|socket|smtplib)", text, re.M
        )


# -- helpdesk HTML bodies (Zendesk, Intercom, Freshdesk) ---------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _html_body(name: str, record: HandoffRecord) -> str:
    node: Any = payload(record, name)
    for key in HTML_BODY[name]:
        node = node[key]
    assert isinstance(node, str)
    return node


@pytest.mark.parametrize("name", sorted(HTML_BODY))
def test_helpdesk_html_uses_only_safe_tags(name: str) -> None:
    body = _html_body(name, writer_hostile_record())
    parser = _Tags()
    parser.feed(body)
    assert {tag for tag, _ in parser.tags} <= {"p", "b", "i", "ul", "li", "br"}
    assert all(not attrs for _, attrs in parser.tags)  # no attribute can carry a handler or a style
    text = "".join(parser.text)
    assert "<script>alert('xss')</script>" in text  # shown as typed
    assert "<!channel>" in text and "<at>Adele</at>" in text
    assert f"\u2068{RTL}\u2069" in text  # isolated, not able to reorder the evidence ids
    assert "\u202e" not in text and "\u0007" not in text


def test_zendesk_options_and_tags() -> None:
    record = full_record()
    assert payload(record, "zendesk") == zendesk_payload(record)
    assert "priority" not in zendesk_payload(record)["ticket"]
    with_priority = zendesk_payload(record, priority=True)
    assert with_priority["ticket"]["priority"] == "high"
    assert schema_errors(with_priority, ZENDESK_SCHEMA) == []
    assert zendesk_tags(record) == ["handoff_ai", "intent_refund", "urgency_high", "team_billing"]
    assert zendesk_tags(minimal_record()) == ["handoff_ai", "urgency_normal"]
    assert zendesk_tags(writer_hostile_record()) == [
        "handoff_ai",
        "intent_complaint",
        "urgency_urgent",
        "team_customer_relations_b",
    ]


def test_intercom_admin_id_argument_env_placeholder(monkeypatch: pytest.MonkeyPatch) -> None:
    record = minimal_record()
    assert intercom_payload(record)["admin_id"] == ADMIN_ID_PLACEHOLDER
    assert payload(record, "intercom")["admin_id"] == "<ADMIN_ID>"
    monkeypatch.setenv(ADMIN_ID_ENV, " 3156780 ")
    assert payload(record, "intercom")["admin_id"] == "3156780"  # read at call time
    assert intercom_payload(record, admin_id="42")["admin_id"] == "42"  # argument wins
    monkeypatch.setenv(ADMIN_ID_ENV, "  ")
    assert intercom_payload(record)["admin_id"] == ADMIN_ID_PLACEHOLDER
    with pytest.raises(UsageError, match=ADMIN_ID_ENV):
        intercom_payload(record, strict=True)
    assert intercom_payload(record, admin_id="7", strict=True)["admin_id"] == "7"


def test_freshdesk_notify_emails() -> None:
    record = minimal_record()
    assert "notify_emails" not in freshdesk_payload(record)
    body = freshdesk_payload(record, notify_emails=["a@example.com", " b@example.com", "a@example.com"])
    assert body["notify_emails"] == ["a@example.com", "b@example.com"]
    assert schema_errors(body, FRESHDESK_SCHEMA) == []
    with pytest.raises(UsageError):
        freshdesk_payload(record, notify_emails="a@example.com")
    with pytest.raises(UsageError):
        freshdesk_payload(record, notify_emails=["not an address"])


def test_chatwoot_content_is_the_markdown_note() -> None:
    record = writer_hostile_record()
    assert payload(record, "chatwoot")["content"] == render(record, "markdown")
    assert r"\<script\>" in payload(record, "chatwoot")["content"]


# -- Slack -----------------------------------------------------------------------------------


def test_slack_escapes_every_text() -> None:
    body = payload(writer_hostile_record(), "slack")
    for _, text in strings(body):
        assert "<" not in text and ">" not in text, text[:80]
        assert re.search(r"&(?!amp;|lt;|gt;)", text) is None, text[:80]
    mrkdwn = [b.get("text") for b in body["blocks"] if b["type"] == "section"]
    mrkdwn += [f for b in body["blocks"] for f in b.get("fields", []) + b.get("elements", [])]
    assert mrkdwn and all(t["verbatim"] is True for t in mrkdwn if t and t["type"] == "mrkdwn")
    dumped = json.dumps(body, ensure_ascii=False)
    assert "&lt;!channel&gt;" in dumped and "&lt;@U024BE7LH&gt;" in dumped
    assert "&amp;lt;b&amp;gt;" in dumped  # a typed entity is shown as typed, not decoded
    assert f"\u2068{RTL}\u2069" in dumped
    assert body["text"].startswith("Handoff: - &lt;script&gt;")
    assert body["blocks"][1]["text"]["text"].startswith("*Summary:* - &lt;script&gt;")


def test_slack_stays_within_block_kit_limits() -> None:
    default = slack_payload(many_facts_record())  # 12 facts shown, then "+588 more"
    assert len(default["blocks"]) < MAX_BLOCKS
    assert "+588 more" in json.dumps(default)
    body = slack_payload(many_facts_record(), max_items=1000)  # uncapped sections: the block limit cuts
    assert len(body["blocks"]) == MAX_BLOCKS
    assert body["blocks"][-1]["type"] == "context"  # the provenance footer is kept
    notice = body["blocks"][-2]
    assert notice["type"] == "context" and "more blocks not shown" in notice["elements"][0]["text"]
    header = body["blocks"][0]
    assert header["type"] == "header" and len(header["text"]["text"]) <= 150
    fields = [b for b in body["blocks"] if "fields" in b]
    assert fields and all(len(b["fields"]) <= 10 for b in fields)


def test_slack_cuts_long_section_text() -> None:
    record = HandoffRecord(
        summary="Many long questions.",
        open_questions=[Item(text=f"Question {i}: " + "why & how " * 40) for i in range(12)],
    )
    body = slack_payload(record)
    start = next(
        i for i, b in enumerate(body["blocks"]) if b.get("text", {}).get("text", "").startswith("*Open")
    )
    texts = [body["blocks"][start]["text"]["text"], body["blocks"][start + 1]["text"]["text"]]
    assert all(len(text) <= 3000 for text in texts)  # the section continues in a second block, uncut
    assert "Question 7:" in texts[1] and "+4 more" in texts[1] and TRUNCATED not in "".join(texts)
    one = slack_payload(HandoffRecord(summary="x", open_questions=[Item(text="why & how " * 400)]))
    text = next(
        b["text"]["text"] for b in one["blocks"] if b.get("text", {}).get("text", "").startswith("*Open")
    )
    assert len(text) <= 3000
    assert re.search(r"&(?!amp;|lt;|gt;)", text) is None  # a cut keeps every entity whole


def test_slack_header_is_cut_to_150() -> None:
    record = full_record().model_copy(
        update={"intent": full_record().intent.model_copy(update={"label": "x" * 300})}
    )
    header = slack_payload(record)["blocks"][0]["text"]["text"]
    assert len(header) == 150 and header.endswith(TRUNCATED)


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("abcdefghij" * 3, 20, "abcdefg… [truncated]"),
        ("a b c &amp; d e f g h i j k", 20, "a b c… [truncated]"),  # never splits an entity
        ("abc &lt;", 8, "abc &lt;"),
    ],
)
def test_truncate(text: str, limit: int, expected: str) -> None:
    assert truncate(text, limit) == expected
    assert len(truncate(text, limit)) <= limit


def test_escape_slack_and_isolate() -> None:
    assert escape_slack("a & <b> &amp;") == "a &amp; &lt;b&gt; &amp;amp;"
    assert isolate("abc") == "abc"
    assert isolate(RTL) == f"\u2068{RTL}\u2069"


# -- Teams -----------------------------------------------------------------------------------


def _card_texts(body: dict[str, Any]) -> list[str]:
    card = body["attachments"][0]["content"]
    texts: list[str] = []
    for element in card["body"]:
        if element["type"] == "TextBlock":
            texts.append(element["text"])
        else:
            texts += [part for fact in element["facts"] for part in (fact["title"], fact["value"])]
    return texts


def test_teams_escapes_markdown() -> None:
    body = payload(writer_hostile_record(), "teams")
    texts = _card_texts(body)
    joined = "\n".join(texts)
    assert r"\*\*URGENT\*\*" in joined and r"\[click\]" in joined
    assert r"\<at\>Adele\</at\>" in joined
    assert texts[1].startswith(r"\- ")  # the summary would otherwise start a list
    assert r"1\. numbered?" in joined
    assert f"\u2068{RTL}\u2069" in joined
    assert len(json.dumps(body, ensure_ascii=False).encode("utf-8")) < 28 * 1024  # webhook size limit


def test_teams_markdown_renders_inert() -> None:
    """Through a CommonMark parser, customer text yields no links, images, headings or lists."""
    markdown_it = pytest.importorskip("markdown_it")
    parser = markdown_it.MarkdownIt("commonmark", {"html": False})
    for text in _card_texts(teams_payload(writer_hostile_record())):
        html = parser.render(text)
        for tag in ("<a ", "<img", "<h1", "<blockquote", "<ol", "<code"):
            assert tag not in html, (tag, text[:80])
        if not text.startswith("- "):
            assert "<ul" not in html, text[:80]


# -- HTML e-mail -------------------------------------------------------------------------------


class _Balance(HTMLParser):
    VOID = frozenset({"meta", "br", "hr", "img", "link", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.seen: set[str] = set()
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.add(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


@pytest.mark.parametrize("case", sorted(RECORDS))
def test_html_email_is_a_complete_safe_document(case: str) -> None:
    doc = render(RECORDS[case](), "html_email")
    assert doc.startswith('<!doctype html>\n<html lang="en">') and doc.endswith("</html>")
    parser = _Balance()
    parser.feed(doc)
    parser.close()
    assert parser.errors == [] and parser.stack == []
    assert {"html", "head", "meta", "title", "body"} <= parser.seen
    assert not {"script", "style", "link", "img", "iframe"} & parser.seen
    assert render(RECORDS[case](), "html") in doc  # the same fragment as the ``html`` renderer


def test_email_message_has_text_and_html_alternatives() -> None:
    record = full_record()
    message = email_message(record, sender="bot@example.com", to=["a@example.com", "b@example.com"])
    assert isinstance(message, EmailMessage)
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"] == email_subject(record)
    assert email_subject(record).startswith("Handoff [high] refund: Customer was charged twice")
    assert message["To"] == "a@example.com, b@example.com"
    plain, html = message.iter_parts()
    assert plain.get_content().rstrip("\n") == render(record, "text")
    assert html.get_content().rstrip("\n") == render(record, "html_email")
    hostile = email_subject(writer_hostile_record())
    assert "\n" not in hostile and len(hostile) < 140
    assert email_subject(minimal_record()) == "Handoff: Customer asks how to change the delivery address."


# -- registry and CLI ---------------------------------------------------------------------------


def test_writers_are_registered_with_descriptions() -> None:
    assert set(WRITERS) <= set(renderer_names())
    assert all(renderer_descriptions()[name] for name in WRITERS)


@pytest.mark.parametrize("name", WRITERS)
def test_cli_summarize_outputs_every_writer(capsys: pytest.CaptureFixture[str], name: str) -> None:
    code = main(["summarize", str(EXAMPLES / "chat.json"), "--output", name])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    assert "A-20931" in out
    if name in SCHEMAS:
        assert schema_errors(json.loads(out), SCHEMAS[name]) == []


def test_cli_zendesk_body(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summarize", str(EXAMPLES / "chat.json"), "--output", "zendesk"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["ticket"]["comment"]["public"] is False
    assert "maya.lindqvist@example.com" in body["ticket"]["comment"]["html_body"]

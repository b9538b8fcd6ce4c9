"""Identity resolution for a merge: which customer each input belongs to.

Inputs are linked when their customer shares an email, a phone number or a
customer/contact id, or when the ``identities`` mapping names the same person
(rules in :mod:`handoff_ai.merge`). Ids read from a vendor format are compared
within that vendor only (``id:zendesk:88`` is not ``id:chatwoot:88``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from ..exceptions import UsageError
from ..models import Conversation


class _Linkable(Protocol):
    """What identity resolution reads and sets on a prepared input (``inputs._Input``)."""

    rank: int
    label: str
    keys: set[str]
    names: set[str]
    mapped: set[str]
    person: str
    file: str


_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")
_PHONE = re.compile(r"\+?[\d\s().-]{7,}")
_PHONE_SCHEMES = ("tel:", "sms:", "whatsapp:", "mobile:")
# Message metadata of a customer message: keys that hold an address (email or phone).
_ADDRESS_KEYS = (
    "from", "email", "from_email", "sender_email", "phone", "phone_number", "msisdn", "from_number",
)  # fmt: skip
_ID_KEYS = (
    "customer_id",
    "contact_id",
    "user_id",
    "userId",
    "user",
    "author_id",
    "requester_id",
    "visitor_id",
    "sender_id",
    "wa_id",
)
# Conversation metadata, by kind: an email key never yields an id, a phone key never an id.
_CONVERSATION_EMAILS = ("customer_email", "requester_email", "email")
_CONVERSATION_PHONES = ("customer_phone", "requester_phone", "phone", "phone_number")
_CONVERSATION_IDS = ("customer_id", "contact_id", "user_id", "requester_id", "sender_id")
_PERSON_OBJECTS = ("customer", "contact", "requester", "user", "visitor", "sender")
# Person objects inside a customer message's metadata (the author's own record).
_MESSAGE_PERSONS = ("author", "sender", "from", "customer", "createdBy", "contact", "user")
_OBJECT_EMAILS = ("email", "email_address", "address")
_OBJECT_PHONES = ("phone", "phone_number", "mobile", "msisdn")
_OBJECT_IDS = ("id", "external_id")


def _email(value: Any) -> str | None:
    """``email:<case-folded address>`` for text holding an email address, else ``None``."""
    if not isinstance(value, str) or "@" not in value:
        return None
    found = _EMAIL.search(value)
    return "email:" + found.group().strip(".,;:'\"()[]<>").casefold() if found else None


def _phone(value: Any, *, national: bool = True) -> str | None:
    """``phone:+<digits>`` (E.164) for an international number, ``phone:<digits>`` for a national one.

    A leading ``+`` or ``00`` makes a number international; a national number
    drops its trunk ``0`` and is linked later to an international number that
    ends with it (:func:`_national_links`). ``national=False`` (a display name,
    an author field) accepts only international numbers: a bare ``47000123``
    there is a user id, not a phone.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = str(value).strip()
    lowered = text.lower()
    for scheme in _PHONE_SCHEMES:
        if lowered.startswith(scheme):
            text = text[len(scheme) :].strip()
            break
    if not _PHONE.fullmatch(text):
        return None
    digits = "".join(c for c in text if c.isdigit())
    international = text.startswith("+") or digits.startswith("00")
    if digits.startswith("00"):
        digits = digits[2:]
    if not 7 <= len(digits) <= 15:
        return None
    if international:
        return "phone:+" + digits
    if not national:
        return None
    return "phone:" + (digits.lstrip("0") or digits)


def _address(value: Any, *, national: bool = True) -> str | None:
    """The email or phone key of a value that is one, else ``None``."""
    return _email(value) or _phone(value, national=national)


def _identifier(value: Any) -> str | None:
    """An email or international phone key when the value is one, else ``id:<value>``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return f"id:{value}"
    if not isinstance(value, str) or not value.strip():
        return None
    return _address(value, national=False) or "id:" + value.strip()


def _lookup_keys(raw: str) -> list[str]:
    """Every key a raw ``identities`` entry or author name can match."""
    keys = [key for key in (_address(raw),) if key]
    stripped = raw.strip()
    return [*keys, "id:" + stripped, "name:" + stripped.casefold()]


# Formats whose ids are numbered by one vendor's system: Chatwoot contact 88 and Zendesk user 88
# are different people, so their ids are compared only within the same format.
_VENDOR_FORMATS = frozenset((
    "zendesk", "intercom", "freshdesk", "chatwoot", "helpscout", "rasa", "botpress", "dialogflow_cx",
    "botframework", "openai_thread", "twilio_sms", "messenger", "slack",
))  # fmt: skip


def _scoped(key: str | None, scope: str) -> str | None:
    """An ``id:`` key inside its vendor's namespace (``id:zendesk:88``); other keys unchanged."""
    if key is None or not scope or not key.startswith("id:"):
        return key
    return f"id:{scope}:{key[3:]}"


def _unscoped(key: str) -> str:
    """The key as an ``identities`` entry names it: ``id:zendesk:88`` → ``id:88``."""
    if key.startswith("id:"):
        scope, sep, value = key[3:].partition(":")
        if sep and scope in _VENDOR_FORMATS:
            return "id:" + value
    return key


def _add_keys(
    holder: Mapping[str, Any],
    fields: tuple[Sequence[str], Sequence[str], Sequence[str]],
    keys: set[str],
    scope: str = "",
) -> None:
    """Add the keys ``holder`` carries in its (email, phone, id) ``fields``, each read by its kind."""
    emails, phones, ids = fields
    found = [_email(holder.get(key)) for key in emails]
    found += [_phone(holder.get(key)) for key in phones]
    found += [_scoped(_identifier(holder.get(key)), scope) for key in ids]
    keys.update(key for key in found if key)


def _person_keys(person: Mapping[str, Any], keys: set[str], scope: str = "") -> None:
    """Add the email, phone and id keys of a person object (``{"id", "email", "phone"}``)."""
    _add_keys(person, (_OBJECT_EMAILS, _OBJECT_PHONES, _OBJECT_IDS), keys, scope)


def _customer_keys(conversation: Conversation) -> tuple[set[str], set[str]]:
    """(identity keys, lookup-only keys) of the input's customer.

    Identity keys (email, phone, id) link inputs by themselves; display names
    only match the ``identities`` mapping. Each value is read by its kind: an
    email field yields an email key, a phone field a phone key (never an
    opaque id), so the same person matches across formats.
    """
    keys: set[str] = set()
    names: set[str] = set()
    meta = conversation.metadata
    source = next((m.source.format for m in conversation.messages if m.source and m.source.format), "")
    scope = source if source in _VENDOR_FORMATS else ""
    _add_keys(meta, (_CONVERSATION_EMAILS, _CONVERSATION_PHONES, _CONVERSATION_IDS), keys, scope)
    nested = meta.get("meta")  # Chatwoot: {"meta": {"sender": {...}, "contact": {...}}}
    for holder in (meta, nested) if isinstance(nested, Mapping) else (meta,):
        for name in _PERSON_OBJECTS:
            person = holder.get(name)
            if isinstance(person, Mapping):
                _person_keys(person, keys, scope)
    for message in conversation.messages:
        if message.role != "customer":
            continue
        if message.author:
            address = _address(message.author, national=False)
            if address:
                keys.add(address)
            else:
                names.add("name:" + message.author.strip().casefold())
        data = message.metadata
        if not data:
            continue
        for key in _ADDRESS_KEYS:
            found = _address(data.get(key))
            if found:
                keys.add(found)
        for key in _ID_KEYS:
            found = _scoped(_identifier(data.get(key)), scope)
            if found:
                keys.add(found)
        for key in _MESSAGE_PERSONS:
            person = data.get(key)
            if isinstance(person, Mapping):
                _person_keys(person, keys, scope)
        via = data.get("via")  # Zendesk: {"via": {"source": {"from": {"address": ...}}}}
        origin = via.get("source") if isinstance(via, Mapping) else None
        sender = origin.get("from") if isinstance(origin, Mapping) else None
        if isinstance(sender, Mapping):
            _person_keys(sender, keys, scope)
    return keys, names


def _national_links(keys: set[str]) -> list[tuple[str, str]]:
    """Pairs (national key, international key) where the international number ends with the national one."""
    national = [k for k in keys if k.startswith("phone:") and not k.startswith("phone:+")]
    if not national:
        return []
    international = [k for k in keys if k.startswith("phone:+")]
    return [(n, i) for n in national for i in international if i.endswith(n[len("phone:") :])]


class DifferentCustomersError(UsageError):
    """Inputs whose identifiers name different customers (a ``UsageError``).

    ``inputs`` names the two inputs that disagree: their file when they were
    loaded from one, else their merge label. The message tells a Python caller
    about ``identities=``; the CLI words its own hint (``--identity``).
    """

    def __init__(self, inputs: tuple[str, str]) -> None:
        self.inputs = inputs
        super().__init__(
            f"inputs {inputs[0]!r} and {inputs[1]!r} belong to different customers (no shared "
            "email, phone or customer id); link them with identities={raw identifier: person id} "
            "or pass allow_multiple_customers=True"
        )


def _name(item: _Linkable) -> str:
    """How an error names an input: its file, else its label."""
    return item.file or item.label


class _Links:
    """Union-find over inputs and the identifiers they carry."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, node: str) -> str:
        parent = self.parent.setdefault(node, node)
        while parent != node:
            grand = self.parent[parent]
            self.parent[node] = grand
            node, parent = parent, grand
        return node

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _resolve_people(
    inputs: Sequence[_Linkable], identities: Mapping[str, str], allow_multiple: bool
) -> list[str]:
    """Set ``person`` on every input; the people found, in input order."""
    mapping: dict[str, str] = {}
    for raw, person in identities.items():
        for key in _lookup_keys(raw):
            mapping.setdefault(key, person)
    links = _Links()
    for item in inputs:
        node = f"input:{item.rank}"
        links.find(node)
        for key in item.keys:
            links.union(node, key)
        wanted = item.keys | item.names | {_unscoped(k) for k in item.keys}
        item.mapped = {mapping[k] for k in wanted if k in mapping}
        for person in item.mapped:
            links.union(node, "person:" + person)
    for national, international in _national_links({k for item in inputs for k in item.keys}):
        links.union(national, international)
    groups: dict[str, list[_Linkable]] = {}
    for item in inputs:
        groups.setdefault(links.find(f"input:{item.rank}"), []).append(item)
    identified = [g for g in groups.values() if any(i.keys or i.mapped for i in g)]
    if not allow_multiple:
        for group in identified:
            persons = sorted({p for i in group for p in i.mapped})
            if len(persons) > 1:
                raise UsageError(
                    f"the identities mapping names {len(persons)} different people in inputs "
                    f"{', '.join(repr(_name(i)) for i in group)}; pass allow_multiple_customers=True "
                    "to merge several customers"
                )
        if len(identified) > 1:
            raise DifferentCustomersError((_name(identified[0][0]), _name(identified[1][0])))
    people: list[str] = []
    anonymous = [g for g in groups.values() if g not in identified]
    for number, group in enumerate(identified, start=1):
        persons = sorted({p for i in group for p in i.mapped})
        name = persons[0] if persons else ("customer" if len(identified) == 1 else f"customer-{number}")
        people.append(name)
        for item in group:
            item.person = name
    if anonymous:
        name = people[0] if len(identified) == 1 else ("customer" if not identified else "unidentified")
        if name not in people:
            people.append(name)
        for group in anonymous:
            for item in group:
                item.person = name
    return people

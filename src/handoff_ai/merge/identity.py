"""Identity resolution for a merge: which customer each input belongs to.

Inputs are linked when their customer shares an email, a phone number or a
customer/contact id, or when the ``identities`` mapping names the same person
(rules in :mod:`handoff_ai.merge`).
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


_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")
_PHONE = re.compile(r"\+?[\d\s().-]{7,}")
_ADDRESS_KEYS = ("from", "email", "sender_email", "phone", "phone_number", "msisdn", "from_number")
_ID_KEYS = (
    "customer_id",
    "contact_id",
    "user_id",
    "user",
    "author_id",
    "requester_id",
    "visitor_id",
    "wa_id",
)
_CONVERSATION_KEYS = (
    "customer_id", "contact_id", "user_id", "requester_id", "customer_email", "requester_email",
    "email", "customer_phone", "phone",
)  # fmt: skip
_PERSON_OBJECTS = ("customer", "contact", "requester", "user", "visitor")
_OBJECT_KEYS = ("id", "email", "phone", "phone_number", "external_id")


def _address(value: Any) -> str | None:
    """``email:...`` or ``phone:<digits>`` for a value that is one, else ``None``."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    email = _EMAIL.search(text)
    if email is not None:
        return "email:" + email.group().strip(".,;:'\"()[]").casefold()
    if _PHONE.fullmatch(text):
        digits = "".join(c for c in text if c.isdigit())
        digits = digits[2:] if digits.startswith("00") else digits
        if 7 <= len(digits) <= 15:
            return "phone:" + digits
    return None


def _identifier(value: Any) -> str | None:
    """``email:...`` for an email, else ``id:<value>`` for a non-empty string or integer id."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return f"id:{value}"
    if not isinstance(value, str) or not value.strip():
        return None
    address = _address(value)
    return address if address and address.startswith("email:") else "id:" + value.strip()


def _lookup_keys(raw: str) -> list[str]:
    """Every key a raw ``identities`` entry or author name can match."""
    keys = [key for key in (_address(raw),) if key]
    stripped = raw.strip()
    return [*keys, "id:" + stripped, "name:" + stripped.casefold()]


def _customer_keys(conversation: Conversation) -> tuple[set[str], set[str]]:
    """(identity keys, lookup-only keys) of the input's customer.

    Identity keys (email, phone, id) link inputs by themselves; display names
    only match the ``identities`` mapping.
    """
    keys: set[str] = set()
    names: set[str] = set()
    meta = conversation.metadata
    for key in _CONVERSATION_KEYS:
        found = _identifier(meta.get(key))
        if found:
            keys.add(found)
    for name in _PERSON_OBJECTS:
        person = meta.get(name)
        if isinstance(person, Mapping):
            keys.update(k for k in (_identifier(person.get(key)) for key in _OBJECT_KEYS) if k)
    for message in conversation.messages:
        if message.role != "customer":
            continue
        if message.author:
            address = _address(message.author)
            if address:
                keys.add(address)
            else:
                names.add("name:" + message.author.strip().casefold())
        for key in _ADDRESS_KEYS:
            found = _address(message.metadata.get(key))
            if found:
                keys.add(found)
        for key in _ID_KEYS:
            found = _identifier(message.metadata.get(key))
            if found:
                keys.add(found)
    return keys, names


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
        item.mapped = {mapping[k] for k in item.keys | item.names if k in mapping}
        for person in item.mapped:
            links.union(node, "person:" + person)
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
                    f"{', '.join(repr(i.label) for i in group)}; pass allow_multiple_customers=True "
                    "to merge several customers"
                )
        if len(identified) > 1:
            first, second = identified[0][0], identified[1][0]
            raise UsageError(
                f"inputs {first.label!r} and {second.label!r} belong to different customers (no shared "
                "email, phone or customer id); link them with identities={raw identifier: person id} "
                "or pass allow_multiple_customers=True"
            )
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

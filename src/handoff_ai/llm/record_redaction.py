"""A record in and out of the placeholder space of a redaction (model backends only).

The model sees ``<KIND_n>`` placeholders, so the rules record is mapped onto the same
placeholders before the merge (``to_placeholders``), and the merged record is then
either re-hydrated for the human or kept redacted (``finish_record``).
"""

from __future__ import annotations

import copy
from typing import Any

from ..models import HandoffRecord
from ..privacy.redact import WITHHELD_KINDS, Redaction, Redactor

__all__ = ["finish_record", "to_placeholders"]


def finish_record(
    record: HandoffRecord, rules: HandoffRecord, redaction: Redaction, *, redacted: bool
) -> HandoffRecord:
    """The merged ``record`` for the caller: re-hydrated with the (original) ``rules`` values put
    back, or, with ``redacted``, kept in placeholders with card/secret facts withheld."""
    if redacted:
        return _withhold_facts(record, redaction)
    return _restore_rules_values(redaction.rehydrate(record), rules)


def to_placeholders(record: HandoffRecord, redaction: Redaction, redactor: Redactor) -> HandoffRecord:
    """The rules record with its values replaced by ``redaction``'s placeholders (the same
    ``<KIND_n>`` the model saw, so model and rules values meet in one space for the merge)."""

    known = {_squeeze(value): placeholder for placeholder, value in redaction.values.items()}

    def walk(node: Any) -> Any:
        if isinstance(node, str):
            squeezed = _squeeze(node)
            if len(squeezed) >= 6 and any(
                ch.isdigit() for ch in squeezed
            ):  # a fragment of a redacted value (a rule read part of an IBAN)
                for value, placeholder in known.items():
                    if squeezed in value:
                        return placeholder
            spans = redactor.find(node)
            return redaction._replace(node, spans, count=False) if spans else node
        if isinstance(node, dict):
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list | tuple):
            return type(node)(walk(value) for value in node)
        return node

    return HandoffRecord.model_validate(walk(record.model_dump(mode="python")))


_RULES_ONLY_FIELDS = (
    "summary",
    "customer_impact",
    "blocker",
    "open_questions",
    "next_steps",
    "commitments",
    "history",
    "handoff",
)


def _restore_rules_values(record: HandoffRecord, rules: HandoffRecord) -> HandoffRecord:
    """The re-hydrated record with the rules' own values put back where they came from.

    ``to_placeholders`` replaced a rules value that is a piece of a redacted value by the
    whole placeholder (a username read out of an email address), so re-hydration would
    give the whole email as the username. The merge keeps every rules fact first, in
    order, and fields it took from the rules are named in ``provenance.fields``.
    """
    for index, fact in enumerate(rules.facts):
        merged = record.facts[index] if index < len(record.facts) else None
        if merged is not None and (merged.kind, merged.rule) == (fact.kind, fact.rule):
            record.facts[index] = fact.model_copy(deep=True)
    for name in _RULES_ONLY_FIELDS:
        if record.provenance.fields.get(name) == "rules":
            setattr(record, name, copy.deepcopy(getattr(rules, name)))
    return record


def _squeeze(text: str) -> str:
    return "".join(text.split()).casefold()


def _withhold_facts(record: HandoffRecord, redaction: Redaction) -> HandoffRecord:
    """A redacted record: a fact whose whole value is a card or secret placeholder becomes
    ``value=None, withheld=True``, as ``Redaction.rehydrate`` does; other placeholders stay."""
    for fact in record.facts:
        value = (fact.value or "").strip()
        if redaction.kinds.get(value) in WITHHELD_KINDS:
            fact.value, fact.withheld = None, True
    return record

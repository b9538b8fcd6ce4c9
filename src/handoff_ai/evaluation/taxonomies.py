"""Taxonomies for the development data sets, built the way a user would build them.

A store running ABCD would write its intents from its own policy documents
(``ontology.json`` lists the intents, ``guidelines.json`` says what each one
is about, ``kb.json`` which actions it needs) and paste example conversations
from its history; a STAR user would do the same from past dialogues. These
builders do exactly that, taking example conversations only from the rows
they are given (the training half in a benchmark) and never looking at gold
labels other than those rows' own.

Rows are the dicts of the ``.jsonl`` files in ``shared/data`` (see its README):
``{"id", "gold", "turns": [{"speaker", "text"}]}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..models import Conversation, Message
from ..taxonomy import IntentSpec, Taxonomy

__all__ = ["abcd_taxonomy", "row_conversation", "row_transcript", "star_taxonomy", "utterance_taxonomy"]

_ROLE = {"customer": "customer", "agent": "agent", "action": "system"}
_MAX_EXAMPLES = 200


def row_conversation(row: Mapping[str, Any]) -> Conversation:
    """A data-set row as a ``Conversation`` (``action`` turns become system events)."""
    messages = []
    for i, turn in enumerate(row["turns"]):
        speaker = turn["speaker"]
        role = _ROLE.get(speaker, "agent")
        messages.append(
            Message(
                id=f"m{i + 1}",
                role=role,
                kind="event" if speaker == "action" else "message",
                text=turn["text"],
            )
        )
    return Conversation(id=str(row.get("id", "conversation")), messages=messages)


def row_transcript(row: Mapping[str, Any]) -> str:
    """A data-set row as an example transcript (``customer: ...`` lines)."""
    lines = []
    for turn in row["turns"]:
        role = _ROLE.get(turn["speaker"], "agent")
        text = " ".join(str(turn["text"]).split())
        if text:
            lines.append(f"{role}: {text}")
    return "\n".join(lines)


def _examples_by_label(rows: Iterable[Mapping[str, Any]], label_of: Any) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for row in rows:
        label = label_of(row)
        if label:
            found.setdefault(label, []).append(row_transcript(row))
    return {label: examples[:_MAX_EXAMPLES] for label, examples in found.items()}


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def abcd_taxonomy(train_rows: Iterable[Mapping[str, Any]], data_dir: str | Path) -> Taxonomy:
    """The ABCD store's taxonomy: one intent per subflow.

    Descriptions come from ``guidelines.json`` (the flow's description plus the
    subflow's instructions), keywords from the subflow's and flow's display
    names, examples from the training rows' transcripts (label
    ``gold.subflow``). A label seen in the training rows but missing from the
    ontology still becomes an intent, with examples only.
    """
    data_dir = Path(data_dir)
    ontology = json.loads((data_dir / "ontology.json").read_text(encoding="utf-8"))
    guidelines = json.loads((data_dir / "guidelines.json").read_text(encoding="utf-8"))
    examples = _examples_by_label(train_rows, lambda row: row["gold"].get("subflow"))

    # guidelines.json names flows and subflows for humans ("Product Defect" >
    # "Initiate Refund"); its subflows are listed in the ontology's order.
    by_flow = {_slug(name): entry for name, entry in guidelines.items()}
    intents: list[IntentSpec] = []
    for flow, subflows in ontology["intents"]["subflows"].items():
        guide = by_flow.get(flow, {})
        guide_subflows = list(guide.get("subflows", {}).items())
        if len(guide_subflows) != len(subflows):
            guide_subflows = []
        for position, subflow in enumerate(subflows):
            keywords = [flow.replace("_", " ")]
            description = [str(guide.get("description", ""))]
            if guide_subflows:
                display, entry = guide_subflows[position]
                keywords.append(display)
                description.extend(str(line) for line in entry.get("instructions", []))
            intents.append(
                IntentSpec(
                    name=subflow,
                    description=" ".join(d for d in description if d),
                    keywords=keywords,
                    examples=examples.get(subflow, []),
                )
            )
    known = {intent.name for intent in intents}
    for label in sorted(set(examples) - known):
        intents.append(IntentSpec(name=label, examples=examples[label]))
    return Taxonomy(intents=intents)


def star_taxonomy(train_rows: Iterable[Mapping[str, Any]]) -> Taxonomy:
    """The STAR taxonomy: one intent per task of ``gold.tasks[0]``.

    The task name gives the keywords (``bank_fraud_report`` -> "bank fraud
    report"); examples are the training rows' transcripts.
    """
    examples = _examples_by_label(train_rows, lambda row: (row["gold"].get("tasks") or [None])[0])
    intents = [
        IntentSpec(name=label, keywords=[label.replace("_", " ")], examples=examples[label])
        for label in sorted(examples)
    ]
    return Taxonomy(intents=intents)


def utterance_taxonomy(train_rows: Iterable[Mapping[str, Any]], label_of: Any, turns: int = 3) -> Taxonomy:
    """A sparse taxonomy, the way most users write one: a few short customer utterances.

    One example per training row: its first ``turns`` customer turns joined by
    spaces; the description is the intent name and there are no keywords.
    Intents are in order of first appearance.
    """
    examples: dict[str, list[str]] = {}
    for row in train_rows:
        label = label_of(row)
        if not label:
            continue
        said = [" ".join(str(t["text"]).split()) for t in row["turns"] if t["speaker"] == "customer"]
        utterance = " ".join(s for s in said[:turns] if s)
        if utterance:
            examples.setdefault(label, []).append(utterance)
    intents = [IntentSpec(name=label, description=label, examples=found) for label, found in examples.items()]
    return Taxonomy(intents=intents)

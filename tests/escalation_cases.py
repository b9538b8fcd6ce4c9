"""The escalation acceptance set (``tests/fixtures/escalation/cases.json``): loading,
rendering each conversation into its input format, and scoring decisions.

Shared by ``tests/test_escalation_cases.py`` and ``bench/escalation.py``. Each state is a
prefix of a conversation (the moment the bot decides) labelled by hand before the
decision ran on it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handoff_ai import load
from handoff_ai.models import Conversation

FIXTURES = Path(__file__).parent / "fixtures" / "escalation"


@dataclass(frozen=True)
class State:
    name: str
    conversation: str
    lang: str
    format: str
    policy: str | None
    policy_data: dict[str, Any] | None
    turns: tuple[str, ...]
    escalate: bool
    kinds: tuple[str, ...]
    missing: tuple[str, ...] | None


def _render(turns: list[str], fmt: str) -> Any:
    """The turns in ``fmt``'s own shape, so the real parser reads them."""
    if fmt == "openai":
        messages: list[dict[str, Any]] = []
        for index, turn in enumerate(turns):
            who, _, text = turn.partition(": ")
            if who == "T":
                name, _, result = (p.strip() for p in text.partition("|"))
                call = f"call_{index}"
                messages.append(
                    {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [
                            {"id": call, "type": "function", "function": {"name": name, "arguments": "{}"}}
                        ],
                    }
                )
                messages.append({"role": "tool", "tool_call_id": call, "content": result})
            else:
                messages.append(
                    {"role": {"C": "user", "B": "assistant", "A": "assistant"}[who], "content": text}
                )
        return {"messages": messages}
    if fmt == "json":
        rows = []
        for turn in turns:
            who, _, text = turn.partition(": ")
            if who == "T":
                name, _, result = (p.strip() for p in text.partition("|"))
                rows.append({"speaker": "action", "text": f"{name}: {result}"})
            else:
                rows.append({"speaker": {"C": "customer", "B": "bot", "A": "agent"}[who], "text": text})
        return rows
    if fmt == "text":
        lines = []
        for turn in turns:
            who, _, text = turn.partition(": ")
            if who == "T":
                name, _, result = (p.strip() for p in text.partition("|"))
                lines.append(f"System: {name}: {result}")
            else:
                lines.append(f"{ {'C': 'Customer', 'B': 'Bot', 'A': 'Agent'}[who] }: {text}")
        return ("\n".join(lines) + "\n").encode("utf-8")
    if fmt == "rasa":
        events = []
        for turn in turns:
            who, _, text = turn.partition(": ")
            if who not in ("C", "B"):
                raise ValueError("rasa cases have customer and bot turns only")
            events.append({"event": "user" if who == "C" else "bot", "text": text})
        return {"events": events}
    raise ValueError(f"unknown fixture format {fmt}")


def load_states(name: str) -> list[State]:
    """The states of ``tests/fixtures/escalation/NAME``."""
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    found = []
    for conv in data["conversations"]:
        for state in conv["states"]:
            found.append(State(
                name=f"{conv['id']}@{state['upto']}",
                conversation=conv["id"],
                lang=conv["lang"],
                format=conv["format"],
                policy=conv.get("policy"),
                policy_data=data["policies"][conv["policy"]] if conv.get("policy") else None,
                turns=tuple(conv["turns"][: state["upto"]]),
                escalate=state["escalate"],
                kinds=tuple(state["kinds"]),
                missing=tuple(state["missing"]) if "missing" in state else None,
            ))  # fmt: skip
    return found


STATES = load_states("cases.json")
"""The acceptance set: labelled by hand before the decision ran on it."""
HOLDOUT = load_states("holdout.json")
"""Written and labelled after the rules were tuned; measured once, then kept as a check."""


def conversation(state: State) -> Conversation:
    """The state's conversation, read by the parser of its format."""
    return load(_render(list(state.turns), state.format), format=state.format, id=state.conversation)


def policy(state: State) -> dict[str, Any] | None:
    return state.policy_data


def customer_text(state: State) -> str:
    return " ".join(t.partition(": ")[2] for t in state.turns if t.startswith("C: "))


def baseline(state: State) -> tuple[bool, list[str]]:
    """The trivial baseline: escalate when the customer's text contains 'agent' or 'human'."""
    text = customer_text(state).lower()
    hit = "agent" in text or "human" in text
    return hit, ["human_request"] if hit else []


@dataclass
class Figures:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    kinds_expected: int = 0
    kinds_found: int = 0
    missing_cases: int = 0
    missing_exact: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, state: State, escalate: bool, kinds: list[str], missing: list[str] | None) -> None:
        if state.escalate and escalate:
            self.tp += 1
        elif escalate:
            self.fp += 1
            self.misses.append(f"{state.name}: false escalation {kinds}")
        elif state.escalate:
            self.fn += 1
            self.misses.append(f"{state.name}: missed escalation, expected {list(state.kinds)}")
        else:
            self.tn += 1
        if state.escalate:
            self.kinds_expected += len(state.kinds)
            found = [k for k in state.kinds if k in kinds]
            self.kinds_found += len(found)
            if len(found) < len(state.kinds):
                self.misses.append(f"{state.name}: reasons {kinds}, expected {list(state.kinds)}")
        if state.missing is not None and missing is not None:
            self.missing_cases += 1
            if list(missing) == list(state.missing):
                self.missing_exact += 1
            else:
                self.misses.append(f"{state.name}: missing {missing}, expected {list(state.missing)}")

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def kind_recall(self) -> float:
        return self.kinds_found / self.kinds_expected if self.kinds_expected else 1.0

    @property
    def missing_rate(self) -> float:
        return self.missing_exact / self.missing_cases if self.missing_cases else 1.0

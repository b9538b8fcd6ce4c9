"""Reader of the hand-labelled audit cases (``tests/fixtures/audit/cases.txt``).

Shared by ``tests/test_audit_cases.py`` and ``bench/audit.py``; the format is in
``tests/fixtures/audit/README.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from handoff_ai.models import Conversation, Message

CASES = Path(__file__).resolve().parent / "fixtures" / "audit" / "cases.txt"
_ROLES = {"C": "customer", "B": "bot", "A": "agent", "E": "system", "N": "agent"}
_START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@dataclass
class Case:
    id: str
    title: str
    conversation: Conversation
    reasks: set[tuple[str, str, str]] = field(default_factory=set)  # (kind, asked id, given id)
    repeats: set[str] = field(default_factory=set)
    transfers: int = 0
    control: bool = False


def _delta(token: str) -> timedelta:
    unit = {"m": "minutes", "h": "hours", "d": "days"}[token[-1]]
    return timedelta(**{unit: float(token[1:-1])})


def load_cases(path: Path = CASES) -> list[Case]:
    cases: list[Case] = []
    messages: list[Message] = []
    header: tuple[str, str] | None = None
    labels: dict[str, object] = {}

    def finish() -> None:
        if header is None:
            return
        conversation = Conversation(id=header[0], messages=list(messages))
        cases.append(Case(header[0], header[1], conversation, **labels))  # type: ignore[arg-type]

    clock = _START
    channel = "chat"
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("==="):
            finish()
            ident, _, title = line[3:].strip().partition(":")
            header, messages, labels = (ident.strip(), title.strip()), [], {"reasks": set(), "repeats": set()}
            clock, channel = _START, "chat"
            continue
        if line.startswith("!"):
            word, *rest = line[1:].split()
            if word == "reask":
                labels["reasks"].add((rest[0], f"m{rest[1]}", f"m{rest[2]}"))  # type: ignore[union-attr]
            elif word == "repeat":
                labels["repeats"].add(f"m{rest[0]}")  # type: ignore[union-attr]
            elif word == "transfers":
                labels["transfers"] = int(rest[0])
            elif word == "control":
                labels["control"] = True
            continue
        head, _, text = line.partition("|")
        letter, *tokens = head.split()
        step = timedelta(minutes=1)
        author_words = []
        for token in tokens:
            if token.startswith("#"):
                channel = token[1:]
            elif token.startswith("+"):
                step = _delta(token)
            else:
                author_words.append(token)
        clock += step
        messages.append(
            Message(
                id=f"m{len(messages) + 1}",
                role=_ROLES[letter],  # type: ignore[arg-type]
                kind="event" if letter == "E" else "note" if letter == "N" else "message",
                text=text.strip(),
                author=" ".join(author_words) or None,
                channel=channel,
                timestamp=clock,
            )
        )
    finish()
    return cases

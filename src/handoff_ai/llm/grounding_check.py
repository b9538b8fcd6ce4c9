"""Checking a model's answer against the conversation and the taxonomy (``ground``).

The first half of :mod:`handoff_ai.llm.grounding`: whatever a model cites or states
that the conversation cannot back is dropped with a warning, before the answer is
merged with the rules' record. The value normalization here is shared with the
merge, so both halves compare fact values the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from ..models import Conversation
from ..models.llm import LLMAction, LLMAnswer, LLMFact, LLMItem
from ..privacy.pii import luhn_ok
from ..privacy.secrets import scrubber
from ..taxonomy import Taxonomy

__all__ = [
    "ECHO_WORDS", "MAX_ITEMS", "SECRET_KINDS", "Scrub", "ground", "hollow", "norm_value", "printable_kind",
]  # fmt: skip

SECRET_KINDS = frozenset({"pin", "password", "security_answer", "code", "card_number", "secret"})
MAX_ITEMS = 50
"""Items kept per list of a model answer; a model stuck in a loop cannot flood the record."""
_CARD = re.compile(r"\d(?:[ -]?\d){12,18}")
_SAFE_KIND = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_ID_WRAP = " \t\n[]()<>\"'`"

Scrub = Callable[[str], str]
_T = TypeVar("_T")


def _norm_text(text: str) -> str:
    """Casefolded, whitespace collapsed: how fact values are compared with messages."""
    return " ".join(text.casefold().split())


def norm_value(value: str) -> str:
    """A value as compared: normalized text without surrounding punctuation."""
    return _norm_text(value).strip(".,;:!?\"'()[]{}")


def _norm_name(name: str) -> str:
    return "_".join(name.casefold().replace("-", " ").split())


def printable_kind(kind: str) -> str:
    """The fact kind as safe to print in a warning (model-written, so checked)."""
    kind = kind.strip().lower()
    return kind if _SAFE_KIND.match(kind) else "?"


def _luhn_card(value: str) -> bool:
    """``value`` contains a 13–19 digit run that passes the Luhn check."""
    return any(luhn_ok(re.sub(r"\D", "", m.group())) for m in _CARD.finditer(value))


_PLACEHOLDER = re.compile(r"<[a-z][a-z0-9_]*_\d+>")
"""A redaction placeholder (``<EMAIL_1>``) in normalized text: a value may hold one whole, never a piece."""


def _occurs(needle: str, text: str) -> bool:
    """``needle`` occurs in ``text`` other than as a piece of a placeholder ("email_1" in "<email_1>")."""
    start = text.find(needle)
    if start < 0 or "<" not in text:
        return start >= 0
    tokens = [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(text)]
    while start >= 0:
        end = start + len(needle)
        if not any(s < end and start < e and not (start <= s and e <= end) for s, e in tokens):
            return True
        start = text.find(needle, start + 1)
    return False


def _ids_text(ids: Iterable[str]) -> str:
    return ", ".join(ids) or "none"


class _Evidence:
    """Resolves model-cited ids against the conversation, counting what it drops."""

    def __init__(self, conversation: Conversation) -> None:
        self.ids = set(conversation.ids)
        self.texts = {m.id: _norm_text(m.text) for m in conversation.messages}
        self.roles = {m.id: m.role for m in conversation.messages}

    def resolve(self, cited: Sequence[str], where: str, warnings: list[str]) -> list[str]:
        """Valid ids in citation order, deduplicated; ``"[m4]"`` is read as ``"m4"``."""
        kept: list[str] = []
        dropped = 0
        for raw in cited:
            found = raw if raw in self.ids else raw.strip(_ID_WRAP)
            if found in self.ids:
                if found not in kept:
                    kept.append(found)
            else:
                dropped += 1
        if dropped:
            warnings.append(f"{where}: {dropped} evidence id(s) not in the conversation dropped")
        return kept


def _capped(items: Sequence[_T], where: str, warnings: list[str]) -> list[_T]:
    if len(items) > MAX_ITEMS:
        warnings.append(f"{where}: {len(items) - MAX_ITEMS} item(s) beyond the first {MAX_ITEMS} dropped")
    return list(items[:MAX_ITEMS])


def _ground_fact(
    index: int, fact: LLMFact, evidence: _Evidence, warnings: list[str], secrets: set[str]
) -> LLMFact | None:
    where = f"fact[{index}] ({printable_kind(fact.kind)})"
    cited = evidence.resolve(fact.evidence, where, warnings)
    if not cited:
        warnings.append(f"{where}: no valid evidence, dropped")
        return None
    value = (fact.value or "").strip()
    kind = fact.kind.strip().lower() or "unknown"
    secret = fact.withheld or kind in SECRET_KINDS or (bool(value) and _luhn_card(value))
    if value:
        needle = norm_value(value)
        containing = [i for i in cited if needle and _occurs(needle, evidence.texts[i])]
        if not containing:
            warnings.append(f"{where}: value not found in cited messages {_ids_text(cited)}, dropped")
            return None
        if len(containing) < len(cited):
            warnings.append(
                f"{where}: evidence {_ids_text(i for i in cited if i not in containing)} "
                "does not contain the value, dropped"
            )
        cited = containing
    if secret:
        if value:
            secrets.add(norm_value(value))
            if _luhn_card(value):
                secrets.add(re.sub(r"\D", "", value))
                kind = kind if kind in SECRET_KINDS else "card_number"
            warnings.append(f"{where}: secret value withheld")
        elif not any(evidence.roles[i] == "customer" for i in cited):
            warnings.append(f"{where}: withheld secret not cited from a customer message, dropped")
            return None
        return LLMFact(kind=kind, value=None, evidence=cited, withheld=True)
    if not value:
        warnings.append(f"{where}: empty value, dropped")
        return None
    return LLMFact(kind=kind, value=value, evidence=cited, withheld=False)


_MARKER = re.compile(r"^[(\[]?(?:\d{1,3}|[a-z]|[ivx]{1,4})[.):\]]?$")
"""A list marker on its own: ``1.``, ``(a)``, ``iv)``, ``2``."""
_SCHEMA_WORDS = frozenset((
    "string", "str", "text", "null", "none", "nil", "n/a", "na", "tbd", "todo", "unknown", "example",
    "placeholder", "value", "type", "object", "array", "list", "boolean", "true", "false", "number",
    "integer", "description", "reason", "reasons", "item", "items", "field", "answer", "json", "schema",
))  # fmt: skip


def _schema_names() -> frozenset[str]:
    """Every field name of the answer schema (``customer_impact``, ``urgency_reasons``, ``evidence``…)."""
    names: set[str] = set()
    for model in (LLMAnswer, LLMAction, LLMFact, LLMItem):
        names.update(model.model_fields)
    return frozenset(names)


_FIELD_NAMES = _schema_names()


def hollow(text: str) -> bool:
    """Whether model text says nothing: no letters, a bare list marker or number, or a field name or
    schema word echoed as a value (``Impact: customer_impact``, ``Urgency: urgent — 1; 2; 3``)."""
    value = norm_value(text).strip("-*•·#>–— ")
    if not any(c.isalpha() for c in value) or _MARKER.match(value):
        return True
    word = _norm_name(value.replace("-", " "))
    return word in _FIELD_NAMES or word in _SCHEMA_WORDS or value in _SCHEMA_WORDS


ECHO_WORDS = 5
"""Words a model text must share verbatim with the prompt's instructions to count as an echo."""


class _Echo:
    """Free text that copies the prompt's instructions (and no message) says nothing about the case;
    the same text twice in one list says it once."""

    def __init__(self, instructions: str, evidence: _Evidence) -> None:
        self.instructions = _norm_text(instructions)
        self.messages = evidence.texts.values()

    def copied(self, text: str) -> bool:
        value = norm_value(text)
        return (
            bool(self.instructions)
            and len(value.split()) >= ECHO_WORDS
            and value in self.instructions
            and not any(value in message for message in self.messages)
        )

    def keep(self, texts: Sequence[str], where: str, warnings: list[str]) -> list[int]:
        """Indexes of ``texts`` to keep: not an echo, not a repeat of an earlier one."""
        kept: list[int] = []
        seen: set[str] = set()
        echoed = repeated = empty = 0
        for index, text in enumerate(texts):
            value = norm_value(text)
            if hollow(text):
                empty += 1
            elif self.copied(text):
                echoed += 1
            elif value in seen:
                repeated += 1
            else:
                seen.add(value)
                kept.append(index)
        if echoed:
            warnings.append(f"{where}: {echoed} item(s) copying the prompt's instructions dropped")
        if repeated:
            warnings.append(f"{where}: {repeated} repeated item(s) dropped")
        if empty:
            warnings.append(
                f"{where}: {empty} item(s) without content "
                "(a field name, schema word, number or list marker) dropped"
            )
        return kept


def ground(
    answer: LLMAnswer, conversation: Conversation, taxonomy: Taxonomy, *, instructions: str = ""
) -> tuple[LLMAnswer, list[str]]:
    """Drop everything in ``answer`` the conversation and taxonomy do not support.

    Returns a new answer (``answer`` is not changed) and one warning per drop. Rules:

    * evidence ids not in the conversation are dropped (``"[m4]"`` is read as ``"m4"``);
    * a fact is dropped when it cites no valid message, or when its value (casefolded,
      whitespace collapsed, surrounding punctuation ignored) occurs in none of the
      cited messages; cited messages without the value are removed from its evidence;
    * a fact of a secret kind (pin, password, security_answer, code, card_number,
      secret), marked withheld, or whose value holds a Luhn-valid card number is kept
      withheld with ``value=None``, and that value is masked in the answer's free text;
      a withheld fact with no value must cite a customer message;
    * an intent not in the taxonomy becomes ``"unknown"``, a team not in it ``None``
      (names match ignoring case, spaces and hyphens, and are returned as spelled in
      the taxonomy);
    * actions and the blocker need at least one valid evidence id; open questions and
      next steps keep their text when their evidence is dropped;
    * lists are capped at ``MAX_ITEMS`` items;
    * free text (summary, impact, actions, blocker, questions, next steps, urgency
      reasons) that says nothing — no letters, a bare number or list marker (``1``,
      ``(a)``), or a field name or schema word echoed as a value (``customer_impact``,
      ``string``, ``null``) — is dropped;
    * free text that copies ``instructions`` — the prompt without its data blocks — for
      ``ECHO_WORDS`` or more words and occurs in no message is dropped (a weak model
      parrots its prompt: "The conversation to summarize is between the tags..."), and
      an item repeating an earlier one in the same list is dropped.
    """
    warnings: list[str] = []
    evidence = _Evidence(conversation)
    echo = _Echo(instructions, evidence)
    secrets: set[str] = set()

    intents = {_norm_name(i.name): i.name for i in taxonomy.intents}
    intent = answer.intent.strip()
    if intent != "unknown":
        canonical = intents.get(_norm_name(intent))
        if canonical is None:
            warnings.append("intent: not in the taxonomy, set to unknown")
            intent = "unknown"
        else:
            intent = canonical
    intent_evidence = evidence.resolve(answer.intent_evidence, "intent", warnings)

    teams = {_norm_name(t.name): t.name for t in taxonomy.teams}
    team = answer.team.strip() if answer.team else None
    if team and team.lower() not in ("null", "none"):
        canonical_team = teams.get(_norm_name(team))
        if canonical_team is None:
            warnings.append("team: not in the taxonomy, dropped")
        team = canonical_team
    else:
        team = None

    facts = [
        kept
        for index, fact in enumerate(_capped(answer.facts, "facts", warnings))
        if (kept := _ground_fact(index, fact, evidence, warnings, secrets)) is not None
    ]

    actions: list[LLMAction] = []
    listed = _capped(answer.actions_taken, "actions_taken", warnings)
    for index in echo.keep([a.description for a in listed], "actions_taken", warnings):
        action = listed[index]
        cited = evidence.resolve(action.evidence, f"actions_taken[{index}]", warnings)
        if not cited:
            warnings.append(f"actions_taken[{index}]: no valid evidence, dropped")
            continue
        actions.append(action.model_copy(update={"evidence": cited}))

    blocker = answer.blocker
    if blocker is not None and blocker.text.strip() and hollow(blocker.text):
        warnings.append(
            "blocker: without content (a field name, schema word, number or list marker), dropped"
        )
        blocker = None
    if blocker is not None and echo.copied(blocker.text):
        warnings.append("blocker: copies the prompt's instructions, dropped")
        blocker = None
    if blocker is not None:
        cited = evidence.resolve(blocker.evidence, "blocker", warnings)
        if not cited:
            warnings.append("blocker: no valid evidence, dropped")
            blocker = None
        else:
            blocker = blocker.model_copy(update={"evidence": cited})

    def items(values: Sequence[LLMItem], name: str) -> list[LLMItem]:
        listed = [item for item in _capped(values, name, warnings) if item.text.strip()]
        return [
            listed[index].model_copy(
                update={"evidence": evidence.resolve(listed[index].evidence, f"{name}[{index}]", warnings)}
            )
            for index in echo.keep([item.text for item in listed], name, warnings)
        ]

    def text(value: str | None, name: str) -> str | None:
        if value and value.strip() and hollow(value):
            warnings.append(
                f"{name}: without content (a field name, schema word, number or list marker), dropped"
            )
            return None
        if value and echo.copied(value):
            warnings.append(f"{name}: copies the prompt's instructions, dropped")
            return None
        return value

    reasons = list(answer.urgency_reasons[:MAX_ITEMS])

    grounded = answer.model_copy(
        update={
            "intent": intent,
            "intent_evidence": intent_evidence,
            "team": team,
            "facts": facts,
            "actions_taken": actions,
            "blocker": blocker,
            "open_questions": items(answer.open_questions, "open_questions"),
            "next_steps": items(answer.next_steps, "next_steps"),
            "urgency_reasons": [reasons[i] for i in echo.keep(reasons, "urgency_reasons", warnings)],
            "summary": text(answer.summary, "summary") or "",
            "customer_impact": text(answer.customer_impact, "customer_impact"),
        }
    )
    if secrets:
        grounded = _scrub_answer(grounded, scrubber(secrets))
    return grounded, warnings


def _scrub_answer(answer: LLMAnswer, scrub: Scrub) -> LLMAnswer:
    """The answer with secrets masked in every free-text field."""
    return answer.model_copy(
        update={
            "summary": scrub(answer.summary),
            "customer_impact": scrub(answer.customer_impact)
            if answer.customer_impact
            else answer.customer_impact,
            "urgency_reasons": [scrub(r) for r in answer.urgency_reasons],
            "actions_taken": [
                a.model_copy(update={"description": scrub(a.description)}) for a in answer.actions_taken
            ],
            "blocker": (
                answer.blocker.model_copy(update={"text": scrub(answer.blocker.text)})
                if answer.blocker
                else None
            ),
            "open_questions": [i.model_copy(update={"text": scrub(i.text)}) for i in answer.open_questions],
            "next_steps": [i.model_copy(update={"text": scrub(i.text)}) for i in answer.next_steps],
        }
    )

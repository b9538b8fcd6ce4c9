"""Grounding: check a model's answer against the conversation, then merge it with the rules.

Two pure functions, no I/O:

* ``ground(answer, conversation, taxonomy)`` drops what cannot be verified: evidence
  ids that are not in the conversation, facts whose value is not in a cited message,
  intents and teams outside the taxonomy, actions and blockers left without evidence.
  Secret-looking fact values (a Luhn-valid card number, or a secret kind) are kept as
  withheld facts with no value, and masked in the answer's free text.
* ``merge(answer, rules, ...)`` builds the final ``HandoffRecord`` from a grounded
  answer and the rules backend's record of the same conversation, so a model can never
  lose a fact or a secret the rules found.

Every drop becomes a warning string for ``provenance.warnings``. Warnings name the
item, its position and the reason, and quote only message ids that exist in the
conversation — never transcript text, fact values or other model-written strings.

Intent confidence after a merge (a model gives no calibrated confidence):

* model and rules agree → the rules' confidence (source ``merged``);
* model picks another taxonomy intent → the rules' score for that intent when it is
  among the rules' alternatives, else ``MODEL_ONLY_CONFIDENCE`` (0.5) when the rules
  found no intent, else ``DISAGREE_CONFIDENCE`` (0.3) — and always below the rules'
  own confidence for their label (source ``llm``);
* model says ``unknown`` → the rules' intent (source ``rules``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import TypeVar

from .models import (
    Action,
    Blocker,
    Conversation,
    Expertise,
    Fact,
    HandoffRecord,
    Intent,
    Item,
    Provenance,
    Sentiment,
    Urgency,
)
from .models.llm import LLMAction, LLMAnswer, LLMFact, LLMItem
from .models.record import FieldSource
from .rules.catalog import default_recognizers
from .rules.facts import extract_facts
from .rules.injection import guard_record
from .rules.recognizers import RecognizerSet, luhn_ok, user_recognizers
from .rules.secrets import scrubber
from .taxonomy import Taxonomy

__all__ = ["DISAGREE_CONFIDENCE", "MAX_ITEMS", "MODEL_ONLY_CONFIDENCE", "SECRET_KINDS", "ground", "merge"]

SECRET_KINDS = frozenset({"pin", "password", "security_answer", "code", "card_number", "secret"})
MAX_ITEMS = 50
"""Items kept per list of a model answer; a model stuck in a loop cannot flood the record."""
MODEL_ONLY_CONFIDENCE = 0.5
DISAGREE_CONFIDENCE = 0.3
_URGENCY_ORDER = {"low": 0, "normal": 1, "high": 2, "urgent": 3}
_CARD = re.compile(r"\d(?:[ -]?\d){12,18}")
_SAFE_KIND = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_ID_WRAP = " \t\n[]()<>\"'`"

Scrub = Callable[[str], str]
_T = TypeVar("_T")


# -- helpers --------------------------------------------------------------------------------


def _norm_text(text: str) -> str:
    """Casefolded, whitespace collapsed: how fact values are compared with messages."""
    return " ".join(text.casefold().split())


def _norm_value(value: str) -> str:
    """A value as compared: normalized text without surrounding punctuation."""
    return _norm_text(value).strip(".,;:!?\"'()[]{}")


def _norm_name(name: str) -> str:
    return "_".join(name.casefold().replace("-", " ").split())


def _kind(kind: str) -> str:
    """The fact kind as safe to print in a warning (model-written, so checked)."""
    kind = kind.strip().lower()
    return kind if _SAFE_KIND.match(kind) else "?"


def _luhn_card(value: str) -> bool:
    """``value`` contains a 13–19 digit run that passes the Luhn check."""
    return any(luhn_ok(re.sub(r"\D", "", m.group())) for m in _CARD.finditer(value))


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


# -- ground ------------------------------------------------------------------------------------


def _capped(items: Sequence[_T], where: str, warnings: list[str]) -> list[_T]:
    if len(items) > MAX_ITEMS:
        warnings.append(f"{where}: {len(items) - MAX_ITEMS} item(s) beyond the first {MAX_ITEMS} dropped")
    return list(items[:MAX_ITEMS])


def _ground_fact(
    index: int, fact: LLMFact, evidence: _Evidence, warnings: list[str], secrets: set[str]
) -> LLMFact | None:
    where = f"fact[{index}] ({_kind(fact.kind)})"
    cited = evidence.resolve(fact.evidence, where, warnings)
    if not cited:
        warnings.append(f"{where}: no valid evidence, dropped")
        return None
    value = (fact.value or "").strip()
    kind = fact.kind.strip().lower() or "unknown"
    secret = fact.withheld or kind in SECRET_KINDS or (bool(value) and _luhn_card(value))
    if value:
        needle = _norm_value(value)
        containing = [i for i in cited if needle and needle in evidence.texts[i]]
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
            secrets.add(_norm_value(value))
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


def ground(answer: LLMAnswer, conversation: Conversation, taxonomy: Taxonomy) -> tuple[LLMAnswer, list[str]]:
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
    * lists are capped at ``MAX_ITEMS`` items.
    """
    warnings: list[str] = []
    evidence = _Evidence(conversation)
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
    for index, action in enumerate(_capped(answer.actions_taken, "actions_taken", warnings)):
        cited = evidence.resolve(action.evidence, f"actions_taken[{index}]", warnings)
        if not cited:
            warnings.append(f"actions_taken[{index}]: no valid evidence, dropped")
            continue
        actions.append(action.model_copy(update={"evidence": cited}))

    blocker = answer.blocker
    if blocker is not None:
        cited = evidence.resolve(blocker.evidence, "blocker", warnings)
        if not cited:
            warnings.append("blocker: no valid evidence, dropped")
            blocker = None
        else:
            blocker = blocker.model_copy(update={"evidence": cited})

    def items(values: Sequence[LLMItem], name: str) -> list[LLMItem]:
        return [
            item.model_copy(
                update={"evidence": evidence.resolve(item.evidence, f"{name}[{index}]", warnings)}
            )
            for index, item in enumerate(_capped(values, name, warnings))
            if item.text.strip()
        ]

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
            "urgency_reasons": list(answer.urgency_reasons[:MAX_ITEMS]),
        }
    )
    if secrets:
        grounded = _scrub_answer(grounded, _scrubber(secrets))
    return grounded, warnings


def _scrubber(secrets: set[str]) -> Scrub:
    return scrubber(secrets)


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


# -- merge --------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _default_recognizers() -> RecognizerSet:
    return RecognizerSet(default_recognizers())


def _rules_secrets(rules: HandoffRecord, conversation: Conversation, taxonomy: Taxonomy) -> set[str]:
    """The secret values the rules engine withheld (the rules record keeps none).

    Re-runs fact extraction (taxonomy recognizers plus the packaged ones) only when the
    rules record has a withheld fact; recognizers given to ``RulesBackend`` itself are
    not seen here.
    """
    if not any(f.withheld for f in rules.facts):
        return set()
    recognizers = _default_recognizers()
    if taxonomy.recognizers:
        recognizers = RecognizerSet([*user_recognizers(taxonomy.recognizers), *recognizers])
    return extract_facts(conversation, recognizers).secrets


def _contains_secret(value: str, secrets: set[str]) -> bool:
    norm = _norm_value(value)
    digits = re.sub(r"\D", "", value)
    return any(
        (s in norm and re.search(rf"(?<!\w){re.escape(s)}(?!\w)", norm))
        or (s.isdigit() and len(s) >= 13 and s in digits)
        for s in secrets
        if s
    )


def _merge_intent(answer: LLMAnswer, rules: Intent) -> tuple[Intent, FieldSource]:
    if answer.intent == "unknown":
        return rules.model_copy(deep=True), "rules"
    if answer.intent == rules.label:
        evidence = list(dict.fromkeys([*answer.intent_evidence, *rules.evidence]))
        return rules.model_copy(update={"evidence": evidence}, deep=True), "merged"
    alternatives = dict(rules.alternatives)
    if answer.intent in alternatives:
        confidence = alternatives[answer.intent]
    elif rules.label == "unknown":
        confidence = MODEL_ONLY_CONFIDENCE
    else:
        confidence = DISAGREE_CONFIDENCE
    if rules.label != "unknown":
        confidence = min(confidence, rules.confidence * 0.9)
    runners = [] if rules.label == "unknown" else [(rules.label, rules.confidence)]
    runners += [(label, score) for label, score in rules.alternatives if label != answer.intent]
    return (
        Intent(
            label=answer.intent,
            confidence=round(max(0.0, min(confidence, 1.0)), 3),
            evidence=list(answer.intent_evidence),
            alternatives=runners[:3],
        ),
        "llm",
    )


def _merge_facts(
    answer: LLMAnswer, rules: HandoffRecord, secrets: set[str], warnings: list[str]
) -> tuple[list[Fact], FieldSource]:
    facts = [f.model_copy(deep=True) for f in rules.facts]
    values = {_norm_value(f.value) for f in facts if f.value is not None}
    withheld = {(f.kind, tuple(f.evidence)) for f in facts if f.withheld}
    withheld_messages = {m for f in facts if f.withheld for m in f.evidence}
    added = 0
    for index, fact in enumerate(answer.facts):
        if fact.withheld or fact.value is None:
            # One withheld fact per secret: the rules' entry wins when it covers the message.
            if (fact.kind, tuple(fact.evidence)) in withheld or set(fact.evidence) <= withheld_messages:
                continue
            withheld.add((fact.kind, tuple(fact.evidence)))
            facts.append(Fact(kind=fact.kind, value=None, evidence=list(fact.evidence), withheld=True))
            added += 1
            continue
        norm = _norm_value(fact.value)
        if norm in values:
            continue
        if secrets and _contains_secret(fact.value, secrets):
            warnings.append(
                f"fact[{index}] ({_kind(fact.kind)}): value is a secret the rules withheld, dropped"
            )
            continue
        values.add(norm)
        facts.append(Fact(kind=fact.kind, value=fact.value, evidence=list(fact.evidence)))
        added += 1
    if not added:
        return facts, "rules"
    return facts, "merged" if rules.facts else "llm"


def _merge_actions(
    answer: LLMAnswer, rules: HandoffRecord, conversation: Conversation
) -> tuple[list[Action], bool]:
    actions = [
        Action(description=a.description.strip(), actor=a.actor, outcome=a.outcome, evidence=list(a.evidence))
        for a in answer.actions_taken
        if a.description.strip()
    ]
    cited = {i for a in actions for i in a.evidence}
    events = {m.id for m in conversation.messages if m.kind == "event" or m.role == "system"}
    added = False
    for action in rules.actions_taken:
        if any(i in events for i in action.evidence) and not cited.intersection(action.evidence):
            actions.append(action.model_copy(deep=True))
            cited.update(action.evidence)
            added = True
    if added:  # keep timeline order: by the first message each action cites
        order = {m: i for i, m in enumerate(conversation.ids)}
        actions.sort(key=lambda a: min((order[i] for i in a.evidence), default=len(order)))
    return actions, added


def _expertise(
    answer: LLMAnswer, intent: Intent, rules: HandoffRecord, taxonomy: Taxonomy
) -> tuple[Expertise, FieldSource]:
    team = taxonomy.team(answer.team)
    if team is not None:
        return Expertise(team=team.name, skills=list(team.skills), reason="routed by the model"), "llm"
    spec = taxonomy.intent(intent.label)
    if spec is not None and spec.team and spec.team != rules.needed_expertise.team:
        by_intent = taxonomy.team(spec.team)
        return (
            Expertise(
                team=spec.team,
                skills=list(by_intent.skills) if by_intent else [],
                reason=f"intent '{intent.label}' is handled by {spec.team}",
            ),
            "merged",
        )
    return rules.needed_expertise.model_copy(deep=True), "rules"


def merge(
    answer: LLMAnswer,
    rules: HandoffRecord,
    conversation: Conversation,
    taxonomy: Taxonomy,
    *,
    backend: str,
    model: str | None,
    template: str | None,
    warnings: list[str],
) -> HandoffRecord:
    """The final record from a grounded model answer and the rules' record.

    ``answer`` must already be grounded (``ground``). Per field:

    * ``summary``, ``customer_impact``, ``blocker``, ``open_questions``, ``next_steps``:
      the model's; the rules' when the model left the field empty;
    * ``intent``: see the module docstring for label and confidence;
    * ``urgency``: the higher of the model's and the rules' level (an urgent case is
      never downgraded by a model), with the reasons of whichever set it;
    * ``sentiment``: the model's label, with the rules' frustration signals and repeat
      contact (``merged``);
    * ``actions_taken``: the model's, plus each rules action citing a system event no
      model action cites;
    * ``facts``: every rules fact (withheld secrets included), plus grounded model facts
      whose normalized value is new and holds no secret the rules withheld;
    * ``needed_expertise``: the model's team, else the team of the final intent, else the rules';
    * ``history``, ``handoff``: the rules'.

    Free text is then masked for the secrets the rules withheld and full card numbers,
    as the rules backend does. ``warnings`` (from ``ground``) is copied, not changed;
    merge adds its own. Token usage, latency and truncation are the backend's to fill.
    """
    warnings = list(warnings)
    fields: dict[str, FieldSource] = {}

    def pick(name: str, mine: _T, theirs: _T) -> _T:
        """The model's value unless it is empty, then the rules'."""
        fields[name] = "llm" if mine else "rules"
        return mine if mine else theirs

    summary = pick("summary", answer.summary.strip(), rules.summary)
    impact = pick("customer_impact", (answer.customer_impact or "").strip() or None, rules.customer_impact)
    intent, fields["intent"] = _merge_intent(answer, rules.intent)

    if _URGENCY_ORDER[answer.urgency] >= _URGENCY_ORDER[rules.urgency.level]:
        evidence = rules.urgency.evidence if answer.urgency == rules.urgency.level else []
        urgency = Urgency(level=answer.urgency, reasons=list(answer.urgency_reasons), evidence=list(evidence))
        fields["urgency"] = "llm"
    else:
        urgency = rules.urgency.model_copy(deep=True)
        urgency.reasons = list(dict.fromkeys([*urgency.reasons, *answer.urgency_reasons]))
        fields["urgency"] = "merged"

    sentiment = Sentiment(
        label=answer.sentiment,
        frustration_signals=[s.model_copy(deep=True) for s in rules.sentiment.frustration_signals],
        repeat_contact=rules.sentiment.repeat_contact,
    )
    fields["sentiment"] = "merged"
    fields["history"] = "rules"

    actions, added = _merge_actions(answer, rules, conversation)
    fields["actions_taken"] = "merged" if added and answer.actions_taken else "rules" if added else "llm"

    blocker = pick(
        "blocker",
        Blocker(description=answer.blocker.text.strip(), evidence=list(answer.blocker.evidence))
        if answer.blocker and answer.blocker.text.strip()
        else None,
        rules.blocker.model_copy(deep=True) if rules.blocker else None,
    )
    expertise, fields["needed_expertise"] = _expertise(answer, intent, rules, taxonomy)

    secrets = _rules_secrets(rules, conversation, taxonomy)
    facts, fields["facts"] = _merge_facts(answer, rules, secrets, warnings)

    open_questions = pick(
        "open_questions",
        [Item(text=i.text.strip(), evidence=list(i.evidence)) for i in answer.open_questions],
        [i.model_copy(deep=True) for i in rules.open_questions],
    )
    next_steps = pick(
        "next_steps",
        [Item(text=i.text.strip(), evidence=list(i.evidence)) for i in answer.next_steps],
        [i.model_copy(deep=True) for i in rules.next_steps],
    )
    fields["handoff"] = "rules"

    record = HandoffRecord(
        conversation_id=conversation.id,
        message_count=len(conversation.messages),
        summary=summary,
        intent=intent,
        customer_impact=impact,
        urgency=urgency,
        sentiment=sentiment,
        history=[e.model_copy(deep=True) for e in rules.history],
        actions_taken=actions,
        blocker=blocker,
        needed_expertise=expertise,
        facts=facts,
        open_questions=open_questions,
        next_steps=next_steps,
        handoff=rules.handoff.model_copy(deep=True),
        provenance=Provenance(
            backend=backend,
            model=model,
            template=template,
            fields={name: fields[name] for name in _FIELD_ORDER},
            warnings=warnings,
        ),
    )
    _mask_record(record, _scrubber(secrets))
    return guard_record(record, rules)  # injected instructions cannot steer intent/team/urgency/facts


_FIELD_ORDER = (
    "summary", "intent", "customer_impact", "urgency", "sentiment", "history", "actions_taken", "blocker",
    "needed_expertise", "facts", "open_questions", "next_steps", "handoff",
)  # fmt: skip


def _mask_record(record: HandoffRecord, scrub: Scrub) -> None:
    """Mask secrets and full card numbers in the record's free text, in place."""
    record.summary = scrub(record.summary)
    if record.customer_impact:
        record.customer_impact = scrub(record.customer_impact)
    record.urgency.reasons = [scrub(r) for r in record.urgency.reasons]
    for action in record.actions_taken:
        action.description = scrub(action.description)
    if record.blocker is not None:
        record.blocker.description = scrub(record.blocker.description)
    for item in [*record.open_questions, *record.next_steps]:
        item.text = scrub(item.text)
    record.needed_expertise.reason = scrub(record.needed_expertise.reason)

"""Grounding: check a model's answer against the conversation, then merge it with the rules.

Two pure functions, no I/O (the check lives in :mod:`.grounding_check`):

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
  own confidence for their label (source ``llm``). A pick that would then rank below
  any alternative (the rules' own label, a runner-up) is not taken: the rules' intent
  stands, with a warning. A record never shows a runner-up above its intent;
* model raises urgency above the rules' level with no reason left after grounding →
  the rules' urgency (a bare "urgent" is not evidence);
* model says ``unknown`` → the rules' intent (source ``rules``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TypeVar

from ..models import (
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
from ..models.llm import LLMAnswer
from ..models.record import FieldSource
from ..privacy.secrets import scrubber
from ..rules.catalog import default_recognizers
from ..rules.facts import extract_facts
from ..rules.injection import guard_record
from ..rules.recognizer_set import RecognizerSet
from ..rules.recognizers import user_recognizers
from ..taxonomy import Taxonomy
from .grounding_check import (
    MAX_ITEMS,
    SECRET_KINDS,
    Scrub,
    ground,
    norm_value,
    printable_kind,
)
from .grounding_commitments import merge_commitments

__all__ = ["DISAGREE_CONFIDENCE", "MAX_ITEMS", "MODEL_ONLY_CONFIDENCE", "SECRET_KINDS", "ground", "merge"]

MODEL_ONLY_CONFIDENCE = 0.5
DISAGREE_CONFIDENCE = 0.3
_URGENCY_ORDER = {"low": 0, "normal": 1, "high": 2, "urgent": 3}

_T = TypeVar("_T")


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
    norm = norm_value(value)
    digits = re.sub(r"\D", "", value)
    return any(
        (s in norm and re.search(rf"(?<!\w){re.escape(s)}(?!\w)", norm))
        or (s.isdigit() and len(s) >= 13 and s in digits)
        for s in secrets
        if s
    )


def _merge_intent(answer: LLMAnswer, rules: Intent, warnings: list[str]) -> tuple[Intent, FieldSource]:
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
    confidence = round(max(0.0, min(confidence, 1.0)), 3)
    runners = [] if rules.label == "unknown" else [(rules.label, rules.confidence)]
    runners += [(label, score) for label, score in rules.alternatives if label != answer.intent]
    if any(score > confidence for _, score in runners):
        # "return_exchange 30% · runner-up: billing 89%" says nothing a person can act on: a pick
        # ranked below an alternative is not taken; the intent the evidence ranks first stands.
        warnings.append(
            "intent: the model's intent ranks below the rules' alternatives, kept the rules' intent"
        )
        return rules.model_copy(deep=True), "rules"
    return (
        Intent(
            label=answer.intent,
            confidence=confidence,
            evidence=list(answer.intent_evidence),
            alternatives=runners[:3],
        ),
        "llm",
    )


def _merge_facts(
    answer: LLMAnswer, rules: HandoffRecord, secrets: set[str], warnings: list[str]
) -> tuple[list[Fact], FieldSource]:
    facts = [f.model_copy(deep=True) for f in rules.facts]
    values = {norm_value(f.value) for f in facts if f.value is not None}
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
        norm = norm_value(fact.value)
        if norm in values:
            continue
        if secrets and _contains_secret(fact.value, secrets):
            warnings.append(
                f"fact[{index}] ({printable_kind(fact.kind)}): value is a secret the rules withheld, dropped"
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
    * ``commitments``: every rules commitment, plus each model commitment its cited bot or
      agent messages say (:mod:`.grounding_commitments`);
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
    intent, fields["intent"] = _merge_intent(answer, rules.intent, warnings)

    escalates = _URGENCY_ORDER[answer.urgency] > _URGENCY_ORDER[rules.urgency.level]
    if escalates and not answer.urgency_reasons:
        warnings.append("urgency: raised above the rules' level with no reason, kept the rules' level")
        answer = answer.model_copy(update={"urgency": rules.urgency.level})
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
    commitments, fields["commitments"] = merge_commitments(answer, rules, conversation, warnings)
    fields["handoff"] = "rules"

    record = HandoffRecord(
        conversation_id=conversation.id,
        message_count=len(conversation.messages),
        language=rules.language,
        note_language=rules.note_language,
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
        commitments=commitments,
        handoff=rules.handoff.model_copy(deep=True),
        provenance=Provenance(
            backend=backend,
            model=model,
            template=template,
            fields={name: fields[name] for name in _FIELD_ORDER},
            warnings=warnings,
        ),
    )
    _mask_record(record, scrubber(secrets))  # as the rules backend masks
    return guard_record(record, rules)  # injected instructions cannot steer intent/team/urgency/facts


_FIELD_ORDER = (
    "summary", "intent", "customer_impact", "urgency", "sentiment", "history", "actions_taken", "blocker",
    "needed_expertise", "facts", "open_questions", "next_steps", "commitments", "handoff",
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
    for commitment in record.commitments:
        commitment.text = scrub(commitment.text)
        commitment.due = scrub(commitment.due) if commitment.due else None
    record.needed_expertise.reason = scrub(record.needed_expertise.reason)

"""The deterministic rules backend: offline, fast, and the net under every model.

Same input, same bytes out: no clock, no randomness, no network. Each
rule-made item records the rule that produced it (``rule=`` on facts,
actions and signals), so a surprising item can be traced to its rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path

from ..models import Conversation, HandoffRecord, Provenance
from ..privacy.secrets import scrubber
from ..rules._text import unescape_entities
from ..rules.actions import extract_actions, find_blocker
from ..rules.catalog import default_recognizers
from ..rules.commitments import extract_commitments
from ..rules.compose import (
    LIKELY_INTENT,
    build_expertise,
    build_next_steps,
    build_open_questions,
    build_summary,
)
from ..rules.facts import extract_facts
from ..rules.injection import INJECTION_WARNING, find_injections, neutralize
from ..rules.intent import classify
from ..rules.languages import detect_languages, unsupported_warning
from ..rules.localize import localize_items
from ..rules.note_words import note_language, note_words
from ..rules.phrases import CueReader
from ..rules.recognizer_set import RecognizerSet
from ..rules.recognizers import Recognizer, user_recognizers
from ..rules.ruleset import RuleSet, load_rules
from ..rules.shift_note import note_actions, note_blocker, note_commitments, note_steps, read_shift_notes
from ..rules.signals import read_signals
from ..rules.summary_quoted import build_quoted_summary
from ..taxonomy import Taxonomy
from .base import Backend

__all__ = ["RulesBackend"]

_FIELDS = (
    "summary", "intent", "customer_impact", "urgency", "sentiment", "history", "actions_taken", "blocker",
    "needed_expertise", "facts", "open_questions", "next_steps", "commitments", "handoff",
)  # fmt: skip


class RulesBackend(Backend):
    """Deterministic, offline extraction with packaged rules.

    Args:
        rules: extra rule files (TOML) layered over the packaged ``rules.toml``:
            more cue phrases, and ``[[recognizers]]`` (kind + regex) for facts.
        recognizers: extra ``Recognizer`` objects, tried before the packaged ones.
        note_language: the language of the record's own words (summary frames, next
            steps, note labels): ``"en"``, ``"de"``, ``"fr"``, ``"es"``, ``"pt"``. By
            default the conversation's language when the rules read it, else English.
    """

    name = "rules"

    def __init__(
        self,
        *,
        rules: str | Path | Sequence[str | Path] | None = None,
        recognizers: Sequence[Recognizer] = (),
        note_language: str | None = None,
    ) -> None:
        if note_language is not None:
            note_words(note_language)  # an unknown code is a ConfigError now, not at the first record
        self.note_language = note_language
        files = [] if rules is None else [rules] if isinstance(rules, (str, Path)) else list(rules)
        self.rules: RuleSet = load_rules(*files)
        self._own = [*recognizers, *user_recognizers(self.rules.recognizers), *default_recognizers()]
        self._base = RecognizerSet(self._own)

    def _recognizers(self, taxonomy: Taxonomy) -> RecognizerSet:
        """The taxonomy's own recognizers first, then this backend's (built once per pair)."""
        if not taxonomy.recognizers:
            return self._base
        combined: RecognizerSet = taxonomy.cached(
            f"recognizers:{id(self)}", lambda t: RecognizerSet([*user_recognizers(t.recognizers), *self._own])
        )
        return combined

    def extract(self, conversation: Conversation, taxonomy: Taxonomy) -> HandoffRecord:
        rules = self.rules
        # Instructions typed by the customer are blanked before any rule reads the text.
        injections = find_injections(conversation)
        conversation = neutralize(conversation, injections)
        warnings = (
            [INJECTION_WARNING.format(ids=", ".join(i.message_id for i in injections))] if injections else []
        )
        housekeeping = [m.id for m in conversation.messages if m.metadata.get("bookkeeping")]
        if housekeeping:  # ids only, never text: what the parsers marked as framework bookkeeping
            warnings.append(
                f"set aside {len(housekeeping)} bot-framework bookkeeping events: {', '.join(housekeeping)}"
            )
        cues = CueReader(rules.phrases)
        languages = detect_languages(conversation, cues.words)
        if not languages.supported:
            warnings.append(unsupported_warning(languages))
        facts = extract_facts(
            conversation,
            self._recognizers(taxonomy),
            cues,
            language=languages.language,
            # Each message's language matters where the conversation is not plain English;
            # working it out for every English chat would cost 7 % of the engine's time.
            message_languages=None if languages.language in (None, "en") else languages.messages,
        )
        intent = classify(conversation, taxonomy, language=languages.language, supported=languages.supported)
        actions = extract_actions(conversation, rules, cues)
        blocker = find_blocker(conversation, actions, cues, rules=rules)
        notes = read_shift_notes(conversation)  # shift-change notes (rules/shift_note.py)
        blocker = note_blocker(notes, conversation, cues, blocker)
        actions = note_actions(notes, actions)  # the notes' own Done:/Tried: lines
        # A guessed intent (an 18% fraud_security) adds no urgency and names no next team.
        likely = intent.confidence >= LIKELY_INTENT
        signals = read_signals(conversation, cues, intent.label if likely else "unknown", rules)

        commitments = extract_commitments(conversation, note_commitments(notes))
        note = note_language(self.note_language, languages)
        words = note_words(note)
        localize_items(note, actions, blocker, signals.history)  # the fixed English words around quotes
        expertise = build_expertise(intent, taxonomy, words)
        private = {message_id for fact in facts.facts if fact.withheld for message_id in fact.evidence}
        retell = build_summary if note == "en" and languages.language in (None, "en") else partial(
            build_quoted_summary, words=words
        )  # fmt: skip
        summary = retell(
            conversation,
            cues,
            actions=actions,
            blocker=blocker,
            handoff=signals.handoff,
            team=expertise.team if likely else None,
            commitments=commitments,
            private=private,
        )
        # Free text quoted from the conversation must not repeat a secret the facts withheld.
        secrets_out = scrubber(facts.secrets)

        def scrub(text: str) -> str:  # and written for a person: "AT&T", not "AT&amp;T"
            return secrets_out(unescape_entities(text))

        summary = scrub(summary)
        for action in actions:
            action.description = scrub(action.description)
        if blocker is not None:
            blocker.description = scrub(blocker.description)
        for event in signals.history:
            event.description = scrub(event.description)
        if signals.customer_impact:
            signals.customer_impact = scrub(signals.customer_impact)
        open_questions = build_open_questions(conversation, words)
        for item in open_questions:
            item.text = scrub(item.text)
        next_steps = build_next_steps(
            signals.handoff,
            blocker,
            actions,
            expertise,
            facts.facts,
            signals.sentiment.repeat_contact,
            words,
            intent=intent,
        )
        # Promises to keep, and the shift note's Next / Do-NOT lines first among the steps.
        next_steps = note_steps(notes, next_steps)
        for step in next_steps:
            step.text = scrub(step.text)
        for commitment in commitments:
            commitment.text = scrub(commitment.text)
            commitment.due = scrub(commitment.due) if commitment.due else None
        return HandoffRecord(
            conversation_id=conversation.id,
            message_count=len(conversation.messages),
            language=languages.language,
            note_language=note,
            summary=summary,
            intent=intent,
            customer_impact=signals.customer_impact,
            urgency=signals.urgency,
            sentiment=signals.sentiment,
            history=signals.history,
            actions_taken=actions,
            blocker=blocker,
            needed_expertise=expertise,
            facts=facts.facts,
            open_questions=open_questions,
            next_steps=next_steps,
            commitments=commitments,
            handoff=signals.handoff,
            provenance=Provenance(
                backend=self.name, fields=dict.fromkeys(_FIELDS, "rules"), warnings=warnings
            ),
        )


_scrubber = scrubber  # kept for callers of the earlier private name

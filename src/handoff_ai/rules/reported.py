"""Steps a customer reports: "I already reset the router and updated the firmware".

A customer's own account of what they tried, in a reply to a suggestion or on its own,
is split at "and" into one step each, with the outcome each part says ("it fails at
90%" -> both failed). :mod:`.dialogue` reads replies with :func:`read_attempts`; a message
that answers no suggestion is read whole by :func:`read_reported`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from ..models import Action, Message
from ..models.record import Outcome
from .dialogue_data import DialoguePhrases
from .dialogue_forms import ATTEMPT_LEAD_WORDS
from .dialogue_reading import DialogueReader
from .phrases import tokens
from .ruleset import RuleSet
from .sentences import sentence_at
from .step_text import ATTEMPT_END, Step, StepKey, reply_outcome, step_key, with_breaks
from .step_text import clause as _clause
from .step_text import described as _described
from .step_text import offset as _offset
from .step_text import quote as _quote
from .step_text import same_step as _same

__all__ = ["as_outcome", "evidence_index", "read_attempts", "read_reported", "segment_outcomes"]

_ATTEMPT_LEAD = ATTEMPT_LEAD_WORDS


def _clause_start(text: str, start: int) -> bool:
    """Whether a word at ``start`` opens a clause: the message, a sentence, a list item, or after a
    comma or colon ("reinstalled the app, signed out of all devices, and tried …")."""
    before = text[:start].rstrip(" \t\"'“”*•-–—")
    return not before or before[-1] in ".!?:;,\n)"


def read_attempts(
    message: Message,
    words: list[str],
    phrases: DialoguePhrases,
    skip: StepKey | None,
    only: Collection[str] | None = None,
    same: Collection[str] = (),
) -> list[tuple[StepKey, str, int]]:
    """Steps a customer reports, bare or with "I": ``(key, clause, char offset)``.

    ``skip``: the step a reply answers; an attempt of its verb, or whose verb is a word of
    that step (``same``: "Reset worked" after "hold the reset button"), is that step.
    ``only``: read just these attempt words (an inflecting language's forms).
    """
    found: list[tuple[StepKey, str, int]] = []
    if phrases.attempt_words.isdisjoint(words):
        return found
    text = message.text
    for i, word in enumerate(words):
        if word not in (phrases.attempt_words if only is None else only):
            continue
        first = i - 1 if i and words[i - 1] == "re" else i  # "re-inserted the SIM"
        lead = words[first - 1] if first else ""
        start = _offset(text, first)
        if start is None:
            continue
        if first and (
            lead not in phrases.attempt_leads.get(word, _ATTEMPT_LEAD)
            and lead not in phrases.lead_words
            and not (only is None and word not in phrases.attempt_leads and _clause_start(text, start))
        ):
            continue
        key = step_key(words[first:], phrases)
        if not key[0] or any(_same(key, k) for k, _, _ in found):
            continue
        if skip is not None and (key[0] == skip[0] or key[0] in same):
            continue  # in a reply, the suggested step's own verb is that step ("tried to close everything")
        if word == "tried" and i + 1 < len(words) and words[i + 1] in ("that", "it", "this", "everything"):
            continue
        native = word in phrases.attempt_leads  # "reinicié el router y nada": ends at "y"
        ends = with_breaks(ATTEMPT_END, phrases.clause_breaks) if native else ATTEMPT_END
        text_ = _clause(text, start, ends)
        if native and " " not in text_ and i:  # "ya lo he reiniciado y nada": "Lo he reiniciado"
            leads = phrases.attempt_leads[word]
            begin = next((k for k in range(max(0, i - 2), i) if words[k] in leads), i)
            earlier = _offset(text, begin) if begin < i else None
            text_ = _clause(text, earlier, ends) if earlier is not None else text_
        if _NAMES_NOTHING.issuperset(tokens(text_)):
            continue  # "have tried." names no step
        found.append((key, text_, start))
    return found


def segment_outcomes(
    text: str, starts: Sequence[int], reader: DialogueReader, carry: bool = True
) -> list[str | None]:
    """The outcome said in each stretch ``starts[k]`` .. ``starts[k + 1]`` of ``text`` (the last to
    its end); with ``carry``, a stretch that says none takes the next one's ("reset the router and
    updated the firmware, it fails at 90%": both failed)."""
    phrases = reader.phrases
    bounds = [*starts, len(text)]
    found: list[str | None] = []
    for k in range(len(starts)):
        piece = tokens(text[bounds[k] : bounds[k + 1]])
        result = reply_outcome(phrases.index.scan(piece), piece, phrases) if piece else None
        found.append(result if result in ("failed", "succeeded", "partial") else None)
    if carry:
        later: str | None = None
        for k in range(len(found) - 1, -1, -1):
            if found[k] is None:
                found[k] = later
            else:
                later = found[k]
    return found


def as_outcome(result: str | None) -> Outcome:
    if result == "succeeded":
        return "succeeded"
    return "failed" if result in ("failed", "partial") else "unknown"


def evidence_index(evidence: list[str], messages: Sequence[Message], reader: DialogueReader) -> int:
    """Index of the last evidence message (the reply that says most)."""
    return reader.position(evidence[-1], messages)


_ALREADY = frozenset({"already", "even"})
_NAMES_NOTHING = frozenset(
    """i we have has had already just tried try trying contacted yes yeah yep ok okay oh well so amp and it
    that this""".split()
)


def read_reported(
    index: int, messages: Sequence[Message], rules: RuleSet, reader: DialogueReader
) -> list[Step]:
    """'I already reset the router and updated the firmware, it fails at 90%' -> two failed steps."""
    phrases = reader.phrases
    message = messages[index]
    text = message.text
    words = reader.words(text)
    needed = rules.pattern_words.get("tried")
    english = needed is None or not needed.isdisjoint(words)
    match = rules.patterns["tried"].search(text) if english else None
    found: list[tuple[StepKey, str, int]] = []
    if not phrases.attempt_leads.keys().isdisjoint(words):
        # An inflecting language's attempt form ("ya lo reinicié"): the steps are read by
        # ``read_attempts`` alone, their outcome by the dialogue phrases.
        if "dialogue.not_tried" in reader.labels(text):
            return []  # "no, todavía no lo he probado" reports nothing tried
        found = read_attempts(message, words, phrases, None, phrases.attempt_leads.keys())
    if not found:
        found = read_attempts(message, words, phrases, None)
    if not found and match is None:
        return []
    evidence = [message.id]
    result = reply_outcome(reader.labels(text), words, phrases)
    if result is None and match is not None and rules.patterns["tried_failed"].search(text, match.start()):
        result = "failed"
    if result is None:
        # The customer's next messages (before anyone answers) may say it did not help.
        for later in messages[index + 1 : index + 4]:
            if later.role != "customer" or later.kind != "message":
                break
            later_result = reply_outcome(reader.labels(later.text), reader.words(later.text), phrases)
            if later_result is None and rules.patterns["tried_failed"].search(later.text):
                later_result = "failed"
            if later_result in ("failed", "succeeded", "partial"):
                result = later_result
                evidence.append(later.id)
                break
    outcome = as_outcome(result)
    if not found and match is not None:  # "I have tried pretty much everything": the whole sentence
        sentence = sentence_at(text, match.start())
        if _NAMES_NOTHING.issuperset(tokens(sentence)):
            return []  # "have tried." names no step: the reply to a suggestion says which one
        found = [(step_key(tokens(match.group()), phrases), sentence, match.start())]
    starts = [a[2] for a in found]
    said = segment_outcomes(text, starts, reader) if len(evidence) == 1 else [None] * len(found)
    outcomes: list[Outcome] = []
    for (_, _, start), own in zip(found, said, strict=True):
        step_outcome = as_outcome(own) if own else outcome
        if step_outcome == "unknown" and not _ALREADY.isdisjoint(tokens(text[max(0, start - 12) : start])):
            step_outcome = "failed"  # "I already reinstalled the driver twice" while the problem stays
        outcomes.append(step_outcome)
    if outcome != "unknown" and said[-1] is None:  # the last step carries what the customer said about them
        source = messages[evidence_index(evidence, messages, reader)]
        quote = _quote(source.text, reader.labels(source.text), tight=source is message)
        key, clause, start = found[-1]
        if quote and clause.lower().rstrip("…") not in quote.lower():
            found[-1] = (key, _described(clause, f"“{quote}”"), start)
    elif said and said[-1] is not None:
        key, clause, start = found[-1]
        quote = _quote(text, reader.labels(text), tight=True)
        if quote and clause.lower().rstrip("…") not in quote.lower():
            found[-1] = (key, _described(clause, f"“{quote}”"), start)
    return [
        Step(
            key,
            Action(
                description=clause,
                actor="customer",
                outcome=step_outcome,
                evidence=list(evidence),
                rule="customer.tried",
            ),
            index,
        )
        for (key, clause, _), step_outcome in zip(found, outcomes, strict=True)
    ]

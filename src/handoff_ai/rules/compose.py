"""The parts of the record built from the other parts: summary, expertise,
open questions and next steps.

These are written from what the record already holds, so they never claim
anything the conversation does not support: the summary (``rules.summary``)
restates the customer's own words and the agent's, and every item cites the
messages behind it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..models import Action, Blocker, Conversation, Expertise, Fact, Handoff, Intent, Item, Message
from ..taxonomy import IntentSpec, Taxonomy, TeamSpec
from .note_words import NoteWords, note_words
from .phrases import CueReader
from .summary import build_summary

__all__ = [
    "build_expertise",
    "build_next_steps",
    "build_open_questions",
    "build_summary",
    "problem_statement",
]

_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|good\s+(?:morning|afternoon|evening)|yes|no|ok(?:ay)?|thanks?|thank\s+you|sure|yep|"
    r"yeah|hola|bonjour|hallo)\b[\s!.,]*$",
    re.IGNORECASE,
)
LIKELY_INTENT = 0.5
"""Below this intent confidence the intent is a guess (docs/taxonomy.md: "probably not in your
taxonomy, or several intents at once"): the next step asks to check the team instead of routing,
and the intent adds no urgency of its own."""
_QUESTION = re.compile(r"(?<![^.!?\n])[^.!?\n]*\?")  # starts only after a terminator: linear scan


def problem_statement(conversation: Conversation, cues: CueReader) -> Message | None:
    """The customer's first substantive message, preferring one that states a problem."""
    first: Message | None = None
    for message in conversation.messages:
        if message.role != "customer" or message.kind != "message":
            continue
        text = message.text.strip()
        if len(text.split()) < 3 or _GREETING.match(text):
            continue
        found = cues.labels(message.text)
        if "problem" in found or "handoff_request" in found:
            return message
        if first is None:
            first = message
    return first


def _by_name(taxonomy: Taxonomy) -> tuple[dict[str, IntentSpec], dict[str, TeamSpec]]:
    """Intents and teams by name, the first of a name winning (as ``Taxonomy.intent``/``team``)."""
    intents: dict[str, IntentSpec] = {}
    teams: dict[str, TeamSpec] = {}
    for spec in taxonomy.intents:
        intents.setdefault(spec.name, spec)
    for team in taxonomy.teams:
        teams.setdefault(team.name, team)
    return intents, teams


def build_expertise(intent: Intent, taxonomy: Taxonomy, words: NoteWords | None = None) -> Expertise:
    words = words or note_words("en")
    intents, teams = taxonomy.cached("compose:by-name", _by_name)  # one lookup, not a scan per record
    spec = intents.get(intent.label)
    if spec is None or not spec.team:
        return Expertise()
    team = teams.get(spec.team)
    return Expertise(
        team=spec.team,
        skills=list(team.skills) if team else [],
        reason=words.step(
            "team_reason", intent=intent.label, confidence=f"{intent.confidence:.0%}", team=spec.team
        ),
    )


def build_open_questions(conversation: Conversation, words: NoteWords | None = None) -> list[Item]:
    """Questions the customer asked that no bot or agent turn came after."""
    words = words or note_words("en")
    items: list[Item] = []
    for message in reversed(conversation.messages):
        if message.role in ("bot", "agent") and message.kind == "message":
            break
        if message.role == "customer" and message.kind == "message" and "?" in message.text:
            for match in _QUESTION.finditer(message.text):  # every match ends with "?"
                question = " ".join(match.group().split())
                if len(question.split()) >= 3:
                    items.append(
                        Item(text=words.step("customer_asked", text=question), evidence=[message.id])
                    )
    items.reverse()
    return items[:5]


def build_next_steps(
    handoff: Handoff,
    blocker: Blocker | None,
    actions: Sequence[Action],
    expertise: Expertise,
    facts: Sequence[Fact],
    repeat_contact: bool,
    words: NoteWords | None = None,
    *,
    intent: Intent | None = None,
) -> list[Item]:
    """What the person taking over should do, in order; ``intent`` (the one the team was chosen
    by) turns "Route to X" into "check the team" when its confidence is below ``LIKELY_INTENT``."""
    words = words or note_words("en")
    steps: list[Item] = []
    if handoff.trigger in ("customer_request", "escalation_request"):
        steps.append(Item(text=words.step("acknowledge_request"), evidence=list(handoff.evidence)))
    if repeat_contact:
        steps.append(Item(text=words.step("acknowledge_contact")))
    if blocker is not None:
        steps.append(
            Item(text=words.step("resolve", text=blocker.description), evidence=list(blocker.evidence))
        )
    for action in actions:
        if action.outcome == "pending" and action.actor in ("bot", "agent"):
            steps.append(
                Item(text=words.step("follow_up", text=action.description), evidence=list(action.evidence))
            )
            break
    withheld = [f for f in facts if f.withheld]
    if withheld:
        kinds = ", ".join(sorted({f.kind.replace("_", " ") for f in withheld}))
        steps.append(
            Item(
                text=words.step("verify_identity", kinds=kinds),
                evidence=list(dict.fromkeys(f.evidence[0] for f in withheld if f.evidence))[:3],
            )
        )
    if expertise.team:
        if intent is not None and intent.confidence < LIKELY_INTENT:
            guess = words.step(
                "route_unsure",
                team=expertise.team,
                intent=intent.label,
                confidence=f"{intent.confidence:.0%}",
            )
            steps.append(Item(text=guess, evidence=list(intent.evidence)))
        else:
            steps.append(Item(text=words.step("route", team=expertise.team)))
    return steps

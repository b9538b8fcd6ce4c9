"""The summary of a conversation the note retells in another language: frames around quotes.

An English conversation for an English note is retold in the third person
(:mod:`.summary`). Any other pair — a German chat, or a Spanish one for an
English-speaking team — gets the same parts (the customer's issue, where it
stands, what is promised or still open, who takes it next) as the note
language's frames (``[note.summary]`` of its language file) around the words
as written: rewriting grammar the rules do not know would put words in the
customer's mouth.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import lru_cache

from ..models import Action, Blocker, Conversation, Handoff
from .languages import language_section
from .localize import local_labels, local_markers
from .note_words import NoteWords
from .phrases import CueReader, tokens
from .restate import clean
from .summary import HasText, _asks, _limit, join_parts
from .summary_pick import _agent_statement, _content, _credential, issue_sentence

__all__ = ["build_quoted_summary"]

_ISSUE_WORDS = 24
_STATUS_WORDS = 14
_ENGLISH_LABELS = ("Customer tried: ", "Failed: ")


@lru_cache(maxsize=1)
def _pleasantries() -> tuple[tuple[str, ...], ...]:
    """Every language's greetings and sign-offs as tokens, longest first."""
    phrases = {
        tuple(tokens(p))
        for section in language_section("note").values()
        for p in section.get("pleasantries", [])
    }
    return tuple(sorted((p for p in phrases if p), key=len, reverse=True))


def _unlabelled(text: str) -> str:
    """What is still open, from a blocker's description in any language: what the customer
    reported after the step when the description has it ("… — reported: F21 ist immer noch
    da"), else the step without its opening ("Customer tried:") and its parenthesised note."""
    for marker in (" — reported: ", *local_markers()):
        if marker in text:
            return text.split(marker, 1)[1]
    for label in (*_ENGLISH_LABELS, *local_labels()):
        if text.startswith(label):
            text = text[len(label) :]
            break
    head = text.split(" (", 1)[0]
    return head if len(head.split()) >= 3 else text


def _quote(text: str, words: int) -> str:
    return _limit(" ".join(clean(text).split()).rstrip(" ."), words)


def build_quoted_summary(
    conversation: Conversation,
    cues: CueReader,
    words: NoteWords,
    *,
    actions: Sequence[Action] = (),
    blocker: Blocker | None = None,
    handoff: Handoff | None = None,
    team: str | None = None,
    commitments: Sequence[HasText] = (),
    private: Collection[str] = (),
) -> str:
    """One or two sentences in ``words``' language, quoting the conversation (≤ ``MAX_WORDS``)."""
    frames = words.summary
    issue = issue_sentence(conversation, cues, private, _pleasantries())
    if issue is None and blocker is None:
        return ""
    parts: list[str] = []
    if issue is not None:
        key = "customer_asks" if _asks(issue[0]) else "customer_says"
        parts.append(frames[key].format(text=_quote(issue[0], _ISSUE_WORDS)))
    # With a promise, the statement only tells whether the blocker's message is quoted already.
    cited = blocker.evidence[0] if blocker is not None and blocker.evidence else None
    statement = None if commitments and cited is None else _agent_statement(conversation, actions, cues)
    if statement is not None and "bot_failure" in cues.fresh(statement[1]):
        statement = None  # "Je n'ai pas compris" says nothing about where the case stands
    if commitments:
        parts.append(frames["promised"].format(text=_quote(commitments[-1].text, _STATUS_WORDS)))
    elif statement is not None:
        key = "agent_says" if statement[0] == "agent" else "bot_says"
        parts.append(frames[key].format(text=_quote(statement[1], _STATUS_WORDS)))
    used = {issue[1].id if issue else None, statement[2] if statement else None}
    if blocker is not None and cited is not None and cited not in used | set(private):
        text = _unlabelled(clean(blocker.description))
        if _content(text) >= 2 and not _credential(text):
            parts.append(frames["blocked"].format(text=_quote(text, _STATUS_WORDS)))
    if handoff is not None and handoff.trigger == "customer_request":
        parts.append(frames["human_request"])
    elif handoff is not None and handoff.trigger == "escalation_request":
        parts.append(frames["escalation_request"])
    if team and handoff is not None and handoff.type is not None:
        parts.append(frames["next_team"].format(team=team.replace("_", " ")))
    return join_parts(parts)

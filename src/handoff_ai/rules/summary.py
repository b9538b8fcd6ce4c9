"""The record's summary: the customer's issue, then where it stands.

Written for the person who takes over: one sentence with the customer's most
informative statement of the problem (never a greeting, never cut inside a
value), then one with where it stands — what the agent or bot last did,
promised or asked for, what still blocks it, who takes it next.

The text is the conversation's own words in the third person ("my order" →
"their order"; an agent's "please DM us" → "Agent asks the customer to DM
them"), framed by fixed words ("Customer says", "Agent says", "Still
blocked:"), so it is deterministic and never claims what nobody said (the
wording is ``rules.restate``). It stays within ``MAX_WORDS``: long sentences
are cut at a word boundary with "…". Which sentences are quoted is chosen in
:mod:`.summary_pick`; this module frames them.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Protocol

from ..models import Action, Blocker, Conversation, Handoff
from ._text import STOPWORDS
from .phrases import CueReader
from .restate import clean, third_person
from .summary_pick import _CREDENTIAL as _CREDENTIAL  # the literal-tested regexes, for the tests
from .summary_pick import _CREDENTIAL_HINT as _CREDENTIAL_HINT
from .summary_pick import _agent_statement, _content, _credential, issue_sentence

__all__ = ["MAX_WORDS", "HasText", "build_summary", "issue_sentence", "third_person"]

MAX_WORDS = 45
"""The summary's length limit in words (human summaries of TweetSumm: median 33)."""
_ISSUE_WORDS = 26
_LONG = 2_000  # characters of one sentence worth reading for a summary of at most 45 words
_STATUS_WORDS = 18


class HasText(Protocol):
    """Anything with a ``text`` (a commitment, an item)."""

    @property
    def text(self) -> str: ...


_QUESTION_START = re.compile(
    r"^(?:who|what|when|where|why|how|which|is|are|was|were|do|does|did|can|could|will|would|should|"
    r"have|has|may)\b",
    re.IGNORECASE,
)
_REQUEST = re.compile(
    r"^(?:(?:please|kindly|pls|plz)\s+(?:could\s+you\s+|can\s+you\s+)?|(?:could|can|would|will)\s+you\s+"
    r"(?:please\s+|kindly\s+)?)(?!be\s+(?:informed|advised|aware)\b|note\b|like\b|want\b|prefer\b|mind\b)(?P<rest>.+)$",
    re.IGNORECASE | re.DOTALL,
)

_SORRY_START = frozenset({"i'm ", "i’m ", "im s", "we'r", "we’r", "i am", "we a", "sorr", "apol"})
_SORRY = re.compile(
    r"^(?:(?:i|we)(?:['’]m|['’]re|\s+am|\s+are)\s+(?:so\s+|very\s+|really\s+)?sorry|sorry|apologies)[,!.]?\s+"
    r"(?:but\s+|that\s+)?(?=\w+\s+\w+\s+\w)",
    re.IGNORECASE,
)
# "…, Dan." / "Francis, our team…": the agent addressing the customer by name
_VOCATIVE = re.compile(r",\s+[A-Z][a-z]+(?=[.!?]*$)|^[A-Z][a-z]+,\s*(?=[a-z])")
_DONT = re.compile(r"^(?:don['’]?t|do\s+not)\s+", re.IGNORECASE)


def _limit(text: str, words: int) -> str:
    """At most ``words`` words, cut after a clause when one ends late enough, else with "…" (which
    counts as a word: the summary's parts are measured in words as they are written)."""
    parts = text.split()
    if len(parts) <= words:
        return text
    head = parts[: words - 1]
    for end in range(words - 2, words // 2, -1):
        if head[end].endswith((",", ";", ":")):
            return " ".join(head[: end + 1]).rstrip(",;:") + " …"
    return " ".join(head).rstrip(",;:-–—") + " …"


def _asks(sentence: str) -> bool:
    """A question: it ends with "?", or starts like one and does not end with a period; or its
    first sentence is a question ("When will it be sunny? I need to plan ahead.")."""
    end = sentence.rstrip()[-1:]
    if end == "?" or (end != "." and _QUESTION_START.match(sentence) is not None):
        return True
    first = _FIRST_END.search(sentence)
    return first is not None and first.group() == "?"


_FIRST_END = re.compile(r"[.?!](?=\s+\S)")
"""The end of a first sentence that more text follows."""
_CUSTOMER_REQUEST = re.compile(
    r"^(?:please\s+)?(?:could|can|would|will)\s+(?:you|u)\s+(?:guys\s+|all\s+)?(?:please\s+|kindly\s+|pls\s+)?+"
    r"(?!be\s+(?:informed|advised|aware)\b|note\b|like\b|want\b|prefer\b|mind\b|believe\b|imagine\b)"
    r"(?P<rest>[a-z].+)$",
    re.IGNORECASE | re.DOTALL,
)
"""A customer's polite request ("Can you check my balance? …", "could you please book …"): the
summary says "Customer asks the agent to check their balance." """
_PLEASE_END = re.compile(r",?\s+(?:please|pls|plz)$", re.IGNORECASE)


def _frame_customer(sentence: str, helper: str = "the agent") -> str:
    if len(sentence) > _LONG:  # a pasted log with no full stop: only its start can be quoted
        sentence = " ".join(sentence[:_LONG].split()[:-1])
    request = _CUSTOMER_REQUEST.match(sentence)
    if request is not None:  # the question mark of the request goes: it is reported as a request
        rest = request.group("rest")
        first = _FIRST_END.search(rest)
        if first is not None and first.group() == "?":
            rest = f"{rest[: first.start()]}.{rest[first.end() :]}"
        body = _PLEASE_END.sub("", third_person(rest).rstrip(" .!?…"))
        return f"Customer asks {helper} to {_limit(body, _ISSUE_WORDS)}."
    asks = _asks(sentence)
    body = third_person(sentence).rstrip(" .!?…")
    if not asks and _is_request(body):  # "Check my balance" -> "Customer asks to check their balance."
        whom = f" {helper}" if body[:5].lower() == "help " else ""  # "Help me find…": the agent is to help
        return f"Customer asks{whom} to {_limit(_lower_word(body), _ISSUE_WORDS)}."
    body = _lower_first(body)
    return _framed("Customer", asks, _limit(body, _ISSUE_WORDS), sentence.rstrip().endswith("?"))


_REQUEST_VERBS = frozenset(
    """book cancel check connect delete find give help look make remove reserve schedule search send show
    tell""".split()
)
_REQUEST_OBJECTS = frozenset(
    """me my a an the this that our us it its some for up out if whether when what where how which them
    their they""".split()
)


def _is_request(body: str) -> bool:
    """An imperative to the bot or agent: a request verb, then a word that starts its object ("Check
    my balance", "Book a flight", "Look for a restaurant") — not a noun ("Cancel button is grey")."""
    words = body.split(maxsplit=2)
    return (
        len(words) >= 2
        and words[0].lower() in _REQUEST_VERBS
        and words[0][:1].isupper()
        and words[1].lower() in _REQUEST_OBJECTS
    )


def _lower_word(text: str) -> str:
    """The first word in lower case, a shouted one whole ("HELP me" -> "help me", "Check" -> "check")."""
    first, _, rest = text.partition(" ")
    first = first.lower() if first.isupper() else first[:1].lower() + first[1:]
    return f"{first} {rest}" if rest else first


def _lower_first(text: str) -> str:
    """A sentence start in lower case when it is a common word ("The app" -> "the app", not "Amazon")."""
    first = text.split(" ", 1)[0]
    if len(first) < 2 or not first[0].isupper() or not first[1:].islower():
        return text
    key = first.lower().rstrip(",.!?:;").replace("'", "").replace("’", "")  # "However," too
    if key in STOPWORDS or key.startswith("they") or key.endswith(("ing", "ed", "ly")) or key in _STARTERS:
        return first.lower() + text[len(first) :]
    return text


_STARTERS = frozenset(
    """its it's since after before still now today yesterday tonight also again unfortunately currently
    sadly apparently however there the customer agent order account just only never lets let's
    someone somebody something sometimes once maybe perhaps actually anyway anyways nevermind sorry
    last every each""".split()
)


def _frame_agent(role: str, sentence: str, words: int = _STATUS_WORDS) -> str:
    who = "Agent" if role == "agent" else "Bot"
    sentence = sentence.rstrip()
    if sentence[:4].lower() in _SORRY_START:
        sentence = _SORRY.sub("", sentence)
    if "," in sentence:
        sentence = _VOCATIVE.sub("", sentence).strip(" ,")
    request = _REQUEST.match(sentence)
    if request is not None:
        rest = third_person(request.group("rest").rstrip(" .!?…"), agent=True).replace("the customer", "them")
        rest = _DONT.sub("not to ", rest) if rest[:1] in "dD" else rest
        return f"{who} asks the customer {'' if rest.startswith('not to ') else 'to '}" \
            f"{_limit(_lower_first(rest), words)}."  # fmt: skip
    asks = _asks(sentence)
    instruction = _AGENT_IMPERATIVE.match(sentence) and _NOUN_VERBS.isdisjoint(sentence.lower().split()[1:4])
    if not asks and instruction:  # "Try the search now." -> asks the customer to try it
        rest = _lower_word(third_person(sentence.rstrip(" .!?…"), agent=True))
        return f"{who} asks the customer to {_limit(rest, words - 3)}."  # the frame is 3 words longer
    body = _lower_first(third_person(sentence.rstrip(" .!?…"), agent=True))
    return _framed(who, asks, _limit(body, words), sentence.endswith("?"))


def _framed(who: str, asks: bool, body: str, question_mark: bool) -> str:
    """ "Agent says …." or "Agent asks …."; a question asked in its own words (it ends with "?") is
    quoted as one: "Agent asks: does the customer know the way?" (not "Agent asks does the customer
    know the way."), "Agent asks: the internet light is red again?"."""
    if asks and question_mark and not body.endswith("…"):
        return f"{who} asks: {body}?"
    return f"{who} {'asks' if asks else 'says'} {body}."


_AGENT_IMPERATIVE = re.compile(
    r"(?:Try|Turn|Go|Click|Tap|Restart|Reboot|Clear|Open|Log|Sign|Update|Reinstall|Uninstall|Delete|Visit|Call|"
    r"Contact|Walk|Drive|Take|Use|Select|Choose|Enter|Reset|Follow|Head|Continue|Refresh|Install|Remove|"
    r"Unplug|Hold|Press|Navigate|Download|Enable|Disable|Switch|Reply|Send|Check|Keep|Provide)"
    r"\s+(?!is\b|are\b|was\b|were\b|has\b|have\b|will\b|can\b|may\b|should\b)[a-z]"
)
"""An agent's instruction, a verb opening the sentence ("Try using the search bar…", "Turn left
after the park…"), not a noun ("Check is in the mail", "Update will be out Monday")."""
_NOUN_VERBS = frozenset({"of", "is", "are", "was", "were", "will", "has", "have", "can", "may", "should"})
"""A verb (or "of") among the next three words makes the first word a noun's ("Call center hours are 9
to 5", "Use of the app…")."""


def build_summary(
    conversation: Conversation,
    cues: CueReader,
    *,
    actions: Sequence[Action] = (),
    blocker: Blocker | None = None,
    handoff: Handoff | None = None,
    team: str | None = None,
    commitments: Sequence[HasText] = (),
    private: Collection[str] = (),
) -> str:
    """One or two sentences: the customer's issue, then where it stands (≤ ``MAX_WORDS`` words).

    ``private``: ids of messages never to quote (those where a secret was withheld).
    """
    issue = issue_sentence(conversation, cues, private)
    if issue is None and blocker is None:
        return ""  # no statement of a problem: nothing the summary could stand on
    parts: list[str] = []
    if issue is not None:
        parts.append(_frame_customer(issue[0], _helper(conversation)))
    room = max(MAX_WORDS - (len(parts[0].split()) if parts else 0) - 2, 8)  # the status fits beside the issue
    # Where it stands is a promise when there is one: the agent's statement is then read only to tell
    # whether the blocker's message is quoted already (most records with a promise have no blocker).
    cited = blocker.evidence[0] if blocker is not None and blocker.evidence else None
    statement = None if commitments and cited is None else _agent_statement(conversation, actions, cues)
    if commitments:
        parts.append(f"Promised: {_limit(commitments[-1].text.rstrip(' .'), min(room, _STATUS_WORDS))}.")
    elif statement is not None:
        parts.append(_frame_agent(statement[0], statement[1], min(room, _STATUS_WORDS)))
    used = {issue[1].id if issue else None, statement[2] if statement else None}
    if blocker is not None and cited is not None and cited not in used | set(private):
        parts.append(_blocked(conversation, blocker))
    if handoff is not None and handoff.trigger == "customer_request":
        parts.append("The customer asked for a human.")
    elif handoff is not None and handoff.trigger == "escalation_request":
        parts.append("The customer asked to escalate.")
    if team and handoff is not None and handoff.type is not None:
        parts.append(f"Next: {team.replace('_', ' ')}.")
    return join_parts(parts)


def _helper(conversation: Conversation) -> str:
    """Whom the customer asks: "the bot" when only a bot answered, else "the agent"."""
    roles = {message.role for message in conversation.messages}
    return "the bot" if "bot" in roles and "agent" not in roles else "the agent"


def join_parts(parts: Sequence[str]) -> str:
    """Whole parts, in order of importance, while they fit in ``MAX_WORDS``."""
    summary, count = "", 0
    for part in parts:
        if not part:
            continue
        if part.endswith("….") or part.endswith("?."):
            part = part[:-1]
        words = len(part.split())  # the words of the joined parts: the sum of theirs
        if count + words > MAX_WORDS and summary:
            continue
        summary = f"{summary} {part}".strip()
        count += words
    return summary


_FRAMES = (
    (re.compile(r"^(?:Customer tried|Failed):\s*"), "Still blocked"),
    (re.compile(r"^Open request:\s*"), "Still open"),
    (
        re.compile(
            r"^Declined by the (\w+):\s*“?"
            r"(?:(?:(?:i|we)(?:['’]m|['’]re|\s+am|\s+are)\s+)?(?:so\s+|very\s+|really\s+)?sorry|unfortunately|apologies)?"
            r"[,.!]?\s*(?:but\s+)?",
            re.IGNORECASE,
        ),
        "{} declined",
    ),
)
"""A blocker's own label -> the summary's frame (unlabelled: "Still blocked"): "Open request: …"
reads "Still open: …", not "Still blocked: Open request: …"; "Declined by the agent: “Sorry, but …”"
reads "Agent declined: …"."""


def _blocked(conversation: Conversation, blocker: Blocker) -> str:
    """'Still blocked: …' (or 'Still open: …', 'Declined: …') in the third person, or '' when the
    blocker says too little."""
    role = next((m.role for m in conversation.messages if m.id == blocker.evidence[0]), "customer")
    frame, text = "Still blocked", blocker.description
    for label, framed in _FRAMES:
        if found := label.match(text):
            frame, text = (
                framed.format(*(g.capitalize() for g in found.groups())),
                text[found.end() :].rstrip("”"),
            )
            break
    text = clean(text).rstrip(" .!?…")
    if _content(text) < 2 or _credential(text):
        return ""
    return f"{frame}: {_lower_first(_limit(third_person(text, agent=role != 'customer'), 14))}."

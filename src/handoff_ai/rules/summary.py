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
are cut at a word boundary with "…".
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Protocol

from ..models import Action, Blocker, Conversation, Handoff, Message
from ._text import STOPWORDS
from .phrases import CueReader, char_offset, tokens
from .restate import EDGE, FILLER_FIRST, clean, first_word, third_person
from .sentences import split_sentences

__all__ = ["MAX_WORDS", "HasText", "build_summary", "issue_sentence", "third_person"]

MAX_WORDS = 45
"""The summary's length limit in words (human summaries of TweetSumm: median 33)."""
_ISSUE_WORDS = 26
_SCAN = 50_000  # characters of one message looked at for credentials (the facts withhold values anyway)
_LONG = 2_000  # characters of one sentence worth reading for a summary of at most 45 words
_STATUS_WORDS = 18
_CANDIDATE_MESSAGES = 4  # the issue is stated in the customer's first few messages
_AGENT_MESSAGES = 4  # where it stands is in the last few replies (past them: closings only)


class HasText(Protocol):
    """Anything with a ``text`` (a commitment, an item)."""

    @property
    def text(self) -> str: ...


_PLEASANTRY = re.compile(
    r"^(?:(?:we(?:['’]re| are)|i(?:['’]m| am))\s+(?:so\s+|very\s+|really\s+)?(?:sorry|happy|glad)|sorry|"
    r"apologies|(?:my|our)\s+apologies|we\s+apologi[sz]e|you['’]re\s+(?:very\s+)?welcome|no\s+(?:problem|worries)|"
    r"see\s+you|(?:is\s+there\s+)?anything\s+else|(?:can|may|could)\s+i\s+help\s+(?:you\s+)?with\s+anything|"
    r"have\s+an?\s+(?:amazing|wonderful|fantastic|awesome|excellent|blessed|great|good|nice|lovely)|"
    r"(?:is\s+there\s+)?(?:something|anything)\s+more|was\s+there\s+anything|"
    r"thanks?|thank\s+you|have\s+a\s+(?:great|good|nice|lovely)|glad|happy\s+to|feel\s+free|"
    r"let\s+us\s+know\s+if|anytime|cheers|oh\s+no|that['’]s\s+(?:great|good|awesome|unusual)|got\s+it|"
    r"hope\s+(?:this|that|you)|we\s+hope|take\s+care|enjoy|help\s+us\s+improve|we['’]d\s+(?:love|like)\s+to\s+hear)\b",
    re.IGNORECASE,
)
# A sentence that gives or asks for a credential is never quoted: a security answer the
# facts did not recognise ("security question 1 sanders") would otherwise reach the summary.
_CREDENTIAL = re.compile(
    r"\b(?:pin|pins|password|passcode|passwd|pwd|security\s+(?:question|answer|code)|secret\s+(?:question|answer)|"
    r"cvv|cvc|cvv2|otp|one[-\s]time\s+(?:code|password|pin)|verification\s+code|auth(?:entication)?\s+code|"
    r"maiden\s+name|first\s+pet|pet['’]?s\s+name|login\s+code|2fa\s+code|sign[-\s]in\s+code)\b",
    re.IGNORECASE,
)
_CREDENTIAL_HINT = re.compile("pin|pass|pwd|secur|secret|cvv|cvc|otp|time|code|maiden|pet", re.IGNORECASE)


_CREDENTIAL_HINT_LOW = re.compile(_CREDENTIAL_HINT.pattern)
_CREDENTIAL_LOW = re.compile(_CREDENTIAL.pattern)
"""The same, case-sensitive, for lower-cased ASCII text: several times cheaper than ignoring case
(which lowers every character it compares and cannot skip ahead to a first letter)."""


def _credential(text: str) -> bool:
    """Whether ``text`` gives or asks for a credential (a literal pre-test guards the full regex)."""
    if text.isascii():  # in ASCII, ignoring case is matching the lower-cased text
        low = text.lower()
        return _CREDENTIAL_HINT_LOW.search(low) is not None and _CREDENTIAL_LOW.search(low) is not None
    return _CREDENTIAL_HINT.search(text) is not None and _CREDENTIAL.search(text) is not None


_DIGIT = re.compile(r"\d")
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

_STOP = (
    STOPWORDS
    | frozenset(w.replace("n't", "nt").replace("'", "") for w in STOPWORDS)
    | frozenset(
        "i'm i've i'll i'd it's that's don't can't won't didn't doesn't isn't you're we're they're".split()
    )
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


def _content(text: str) -> int:
    """How many content words ``text`` has (stopwords and words under three letters do not count)."""
    return sum(map(_IS_CONTENT_RAW.__getitem__, text.split()))


class _ContentWords(dict[str, int]):
    """Word -> 1 for a content word, 0 otherwise; filled on first sight (lookups stay in C)."""

    def __missing__(self, word: str) -> int:
        if len(self) >= 100_000:
            self.clear()
        value = self[word] = int(len(word) > 2 and word not in _STOP and word not in _NOISE)
        return value


_IS_CONTENT = _ContentWords()


class _RawContentWords(dict[str, int]):
    """A word as split from text ("Order," "Hello!") -> 1 when its core is a content word: the
    edge punctuation stripped and the case lowered once per distinct word, not per occurrence."""

    def __missing__(self, word: str) -> int:
        if len(self) >= 100_000:
            self.clear()
        value = self[word] = _IS_CONTENT[word.strip(EDGE).lower()]
        return value


_IS_CONTENT_RAW = _RawContentWords()


def _count(words: Sequence[str]) -> int:
    return sum(map(_IS_CONTENT.__getitem__, words))


def _limit(text: str, words: int) -> str:
    """At most ``words`` words, cut after a clause when one ends late enough, else with "…"."""
    parts = text.split()
    if len(parts) <= words:
        return text
    head = parts[:words]
    for end in range(words - 1, words // 2, -1):
        if head[end].endswith((",", ";", ":")):
            return " ".join(head[: end + 1]).rstrip(",;:") + " …"
    return " ".join(head).rstrip(",;:-–—") + " …"


def issue_sentence(
    conversation: Conversation,
    cues: CueReader,
    private: Collection[str] = (),
    pleasantries: Sequence[tuple[str, ...]] = (),
) -> tuple[str, Message] | None:
    """The customer's most informative statement of the problem, and its message.

    Among the customer's first few messages the one with the most content words
    wins, with a bonus when it names a problem and a small cost for each later
    message; inside it, the sentence with the most content words (the one with
    the problem cue first). A short winner takes the next sentence along. Only
    the winning message is split into sentences: this runs on every record.
    ``pleasantries``: greetings and sign-offs (as tokens) a sentence may open with and
    that are not part of the issue ("Sehr geehrte Damen und Herren, ...").
    """
    candidates: list[tuple[float, int, Message, int]] = []
    for message in conversation.messages:
        if message.role != "customer" or message.kind != "message" or message.id in private:
            continue
        words = cues.words(message.text)  # memoized: the message's own text object
        content = _count(words) - message.text.count("@")  # a handle is no content
        if content < 2:
            continue
        labels = cues.labels(message.text)
        score = min(content, 14) - 2.0 * len(candidates)
        if "problem" in labels or "impact" in labels:
            score += 3
        elif "handoff_request" in labels and content < 5:
            score -= 3
        candidates.append((-score, len(candidates), message, content))
        if len(candidates) >= _CANDIDATE_MESSAGES:
            break
    for _, _, message, content in sorted(candidates, key=lambda c: c[:2]):
        found = _best_sentence(message, cues, pleasantries, content)
        if found is not None:
            return found, message
    return None


def _best_sentence(
    message: Message,
    cues: CueReader,
    pleasantries: Sequence[tuple[str, ...]] = (),
    counted: int | None = None,
) -> str | None:
    """The sentence of ``message`` with the most content words (the problem cue's first).
    ``counted``: the message's content words as :func:`issue_sentence` counted them."""
    text = message.text
    labels = cues.labels(text)
    cue_at = cues.find("problem", text) if "problem" in labels else None
    guarded = _credential(text[:_SCAN])  # the customer talks about a PIN, password, code…
    parts: list[tuple[str, int]] = []
    choice: tuple[float, int] | None = None
    spans = split_sentences(text)
    for start, end in spans:
        sentence = _probe(text[start:end])
        if pleasantries:
            sentence = _without_pleasantry(sentence, pleasantries)
        if not sentence:
            continue
        states_problem = cue_at is not None and start <= cue_at < end
        if guarded and not states_problem and "problem" in labels:
            states_problem = "problem" in cues.fresh(sentence)
        if guarded and not (states_problem and not _DIGIT.search(sentence)):
            content = 0  # beside a credential only a problem statement without digits ("I forgot my PIN")
        else:
            content = _whole_content(text, cues, counted) if len(spans) == 1 else _content(sentence)
        score = min(content, 12) + (3 if states_problem else 0)
        parts.append((sentence, content))
        if content >= 2 and (choice is None or score > choice[0]):
            choice = (score, len(parts) - 1)
    if choice is None:
        return None
    index = choice[1]
    sentence = clean(parts[index][0])
    # fewer than ten words: counted in the first eleven parts, not in every word of a pasted log
    if len(sentence.split(None, 10)) < 10 and index + 1 < len(parts) and parts[index + 1][1] >= 2:
        sentence = f"{sentence.rstrip()} {clean(parts[index + 1][0])}"
    return sentence


def _without_pleasantry(sentence: str, pleasantries: Sequence[tuple[str, ...]]) -> str:
    """``sentence`` after a greeting or sign-off it opens with ("" when that is all it says)."""
    words = tokens(sentence)
    for phrase in pleasantries:
        if tuple(words[: len(phrase)]) == phrase:
            if len(words) == len(phrase):
                return ""
            return sentence[char_offset(sentence, len(phrase)) :].lstrip(" ,;:!-")
    return sentence


def _whole_content(text: str, cues: CueReader, counted: int | None = None) -> int:
    """Content words of a one-sentence message, from its memoized tokens (``counted``: that
    count, already made)."""
    if "http" in text or "www." in text:
        return _content(clean(text))
    return counted if counted is not None else _count(cues.words(text)) - text.count("@")


def _probe(sentence: str) -> str:
    """``sentence`` cleaned only where cleaning changes what counts (handles, links); else as is."""
    if "@" in sentence or "http" in sentence or "www." in sentence:
        return clean(sentence)
    return sentence.strip()


_NOISE = frozenset({"http", "https", "www", "com", "co"})


def _asks(sentence: str) -> bool:
    """A question: it ends with "?", or starts like one and does not end with a period."""
    end = sentence.rstrip()[-1:]
    return end == "?" or (end != "." and _QUESTION_START.match(sentence) is not None)


def _frame_customer(sentence: str) -> str:
    if len(sentence) > _LONG:  # a pasted log with no full stop: only its start can be quoted
        sentence = " ".join(sentence[:_LONG].split()[:-1])
    asks = _asks(sentence)
    body = third_person(sentence).rstrip(" .!?…")
    body = _lower_first(body)
    return f"Customer {'asks' if asks else 'says'} {_limit(body, _ISSUE_WORDS)}."


def _lower_first(text: str) -> str:
    """A sentence start in lower case when it is a common word ("The app" -> "the app", not "Amazon")."""
    first = text.split(" ", 1)[0]
    if len(first) < 2 or not first[0].isupper() or not first[1:].islower():
        return text
    key = first.lower().replace("'", "").replace("’", "")
    if key in STOPWORDS or key.startswith("they") or key.endswith(("ing", "ed", "ly")) or key in _STARTERS:
        return first.lower() + text[len(first) :]
    return text


_STARTERS = frozenset(
    """its it's since after before still now today yesterday tonight also again unfortunately currently
    sadly apparently however there the customer agent order account just only never""".split()
)


def _agent_statement(
    conversation: Conversation, actions: Sequence[Action], cues: CueReader
) -> tuple[str, str, str] | None:
    """(role, sentence, message id): the latest agent/bot action, else the last informative reply.

    A stated action (done, failed, pending) at most two messages before the last
    informative reply says more than that reply; only when there is none is a
    reply split into sentences (this runs on every record).
    """
    messages = conversation.messages
    action: Action | None = None
    where = -10
    for candidate in reversed(actions):
        if candidate.actor in ("agent", "bot") and (candidate.rule or "").startswith("statement."):
            if candidate.evidence and not _credential(candidate.description):
                action = candidate
                where = next((i for i, m in enumerate(messages) if m.id == candidate.evidence[0]), -10)
            break
    tried = 0
    for index in range(len(messages) - 1, -1, -1):
        message = messages[index]
        if message.role not in ("agent", "bot") or message.kind != "message":
            continue
        if _count(cues.words(message.text)) < 2:
            continue
        tried += 1
        if tried > _AGENT_MESSAGES:
            break
        if action is not None and where >= index - 2:
            return action.actor, clean(action.description), messages[where].id
        text = message.text
        best, most = "", 1
        spans = split_sentences(text)
        for start, end in spans:
            sentence = _probe(text[start:end])
            if first_word(sentence) in FILLER_FIRST:
                sentence = clean(sentence)  # "Great, …" / "Hi Sam, …": judge what follows
            if _PLEASANTRY.match(sentence) or _credential(sentence):
                continue
            content = _whole_content(text, cues) if len(spans) == 1 else _content(sentence)
            if content > most:
                best, most = sentence, content
        if best:
            return message.role, clean(best), message.id
    return None


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
    body = _lower_first(third_person(sentence.rstrip(" .!?…"), agent=True))
    return f"{who} {'asks' if asks else 'says'} {_limit(body, words)}."


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
        parts.append(_frame_customer(issue[0]))
    statement = _agent_statement(conversation, actions, cues)
    room = max(MAX_WORDS - sum(len(p.split()) for p in parts) - 2, 8)  # the status fits beside the issue
    if commitments:
        parts.append(f"Promised: {_limit(commitments[-1].text.rstrip(' .'), min(room, _STATUS_WORDS))}.")
    elif statement is not None:
        parts.append(_frame_agent(statement[0], statement[1], min(room, _STATUS_WORDS)))
    used = {issue[1].id if issue else None, statement[2] if statement else None}
    if blocker is not None and blocker.evidence and blocker.evidence[0] not in used | set(private):
        parts.append(_blocked(conversation, blocker))
    if handoff is not None and handoff.trigger == "customer_request":
        parts.append("The customer asked for a human.")
    elif handoff is not None and handoff.trigger == "escalation_request":
        parts.append("The customer asked to escalate.")
    if team and handoff is not None and handoff.type is not None:
        parts.append(f"Next: {team.replace('_', ' ')}.")
    return join_parts(parts)


def join_parts(parts: Sequence[str]) -> str:
    """Whole parts, in order of importance, while they fit in ``MAX_WORDS``."""
    summary = ""
    for part in parts:
        if not part:
            continue
        if part.endswith("….") or part.endswith("?."):
            part = part[:-1]
        candidate = f"{summary} {part}".strip()
        if len(candidate.split()) > MAX_WORDS and summary:
            continue
        summary = candidate
    return summary


_LABEL = re.compile(r"^(?:Customer tried|Failed):\s*")


def _blocked(conversation: Conversation, blocker: Blocker) -> str:
    """'Still blocked: …' in the third person, or '' when the blocker says too little."""
    role = next((m.role for m in conversation.messages if m.id == blocker.evidence[0]), "customer")
    text = clean(_LABEL.sub("", blocker.description)).rstrip(" .!?…")
    if _content(text) < 2 or _credential(text):
        return ""
    return f"Still blocked: {_lower_first(_limit(third_person(text, agent=role != 'customer'), 14))}."

"""Auditing conversations one at a time: :func:`audit_conversation`, :func:`iter_audit`, :func:`audit`.

Each conversation is read once by the engine's fact extraction and once by the
audit's own passes (asks, owners, repeats); nothing about it is kept after its
:class:`ConversationAudit` is built, so a stream of any length runs in flat memory.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from ..models import Conversation
from ..parsers import load
from ..privacy.secrets import scrubber
from ..rules.catalog import default_recognizers
from ..rules.facts import extract_facts
from ..rules.phrases import CueReader
from ..rules.recognizer_set import RecognizerSet
from ..rules.recognizers import user_recognizers
from ..taxonomy import Taxonomy
from .cues import content_words, cues, mood, normalize, tokens
from .models import ConversationAudit, Mood, Transfer
from .reasks import Ask, find_reasks, read_asks
from .repeats import find_repeats
from .report import AuditReport
from .transfers import find_transfers

__all__ = ["audit", "audit_conversation", "audit_into", "audit_parts", "excerpts", "iter_audit"]

_KNOWN = 50
"""Values given before a transfer that its messages are checked for (the latest; bounds huge threads)."""
_WINDOW = 3
"""Customer messages read on each side of a transfer for the mood before and after."""
_DEFAULT: list[RecognizerSet] = []


def _recognizers(taxonomy: Taxonomy | None) -> RecognizerSet:
    if not _DEFAULT:
        _DEFAULT.append(RecognizerSet(default_recognizers()))
    if taxonomy is None or not taxonomy.recognizers:
        return _DEFAULT[0]
    built: RecognizerSet = taxonomy.cached(
        "audit:recognizers",
        lambda t: RecognizerSet([*user_recognizers(t.recognizers), *default_recognizers()]),
    )
    return built


def _label(scores: list[int]) -> Mood | None:
    if not scores:
        return None
    total = sum(scores)
    return "negative" if total < 0 else "positive" if total > 0 else "neutral"


def _without_values(text: str, values: Sequence[str]) -> str:
    for value in values:
        text = text.replace(value, " ")
    return text


def audit_conversation(conversation: Conversation, *, taxonomy: Taxonomy | None = None) -> ConversationAudit:
    """Re-asks, repeats and transfers of one conversation."""
    return _audit(conversation, taxonomy)[0]


def _audit(conversation: Conversation, taxonomy: Taxonomy | None) -> tuple[ConversationAudit, set[str]]:
    """The audit and the secret values the customer typed (to mask in excerpts)."""
    messages = conversation.messages
    table = cues()
    engine, events = CueReader(table.engine), CueReader(table.events)
    extracted = extract_facts(conversation, _recognizers(taxonomy), engine)
    facts = extracted.facts
    cited: dict[str, list[str]] = {}  # message id -> the values it gave
    for fact in facts:
        if fact.value:
            for message_id in fact.evidence:
                cited.setdefault(message_id, []).append(fact.value)
    own_labels: dict[int, dict[str, int]] = {}
    asks: dict[int, Ask] = {}
    said: dict[int, bool] = {}
    words: dict[int, set[str]] = {}
    customers: dict[int, dict[str, int]] = {}  # customer positions -> engine cue labels (moods, lazily)
    issue_at: int | None = None
    bot = human = False
    for i, message in enumerate(messages):
        if message.kind != "message":
            continue
        text = message.text
        tokens_ = engine.words(text)
        mine = own_labels[i] = table.own.scan(tokens_)
        if message.role in ("bot", "agent"):
            bot = bot or message.role == "bot"
            human = human or message.role == "agent"
            ask = read_asks(text, tokens_, mine)
            if ask.kinds or ask.renew or ask.issue:
                asks[i] = ask
        elif message.role == "customer":
            labels = engine.labels(text)
            said[i] = "as_i_said" in labels or "repeat" in mine
            customers[i] = labels
            if message.id in cited or "@" in text or "http" in text or "www." in text:
                tokens_ = tokens(_HANDLE_OR_LINK.sub(" ", _without_values(text, cited.get(message.id, ()))))
            words[i] = content_words(tokens_)
            if issue_at is None and _describes(text, words[i]):
                issue_at = i
    ownership = find_transfers(conversation, own_labels, events)
    reasks = find_reasks(conversation, facts, asks, ownership.owners, issue_at)
    repeats = find_repeats(conversation, facts, reasks, said, words)
    asked_issue = {r.asked for r in reasks if r.kind == "issue"}
    position = {m.id: i for i, m in enumerate(messages)}
    given = sorted(
        (min(position.get(e, len(messages)) for e in f.evidence), normalize(f.value))
        for f in facts
        if f.value and f.evidence
    )  # (where first given, value): the values a transfer message could show
    transfers: list[Transfer] = []
    spans = ownership.transfers

    def moods(positions: range) -> list[int]:
        return [mood(messages[i].text, customers[i], own_labels[i]) for i in positions if i in customers]

    for number, (transfer, start, end) in enumerate(spans):
        stop = spans[number + 1][1] if number + 1 < len(spans) else len(messages)
        begin = spans[number - 1][2] if number and spans[number - 1][2] >= 0 else 0
        before = moods(range(begin, start))[-_WINDOW:]
        after_from = end if end >= 0 else start
        after = moods(range(after_from + 1, stop))[:_WINDOW]
        transfer.sentiment_before, transfer.sentiment_after = _label(before), _label(after)
        transfer.wait_minutes = _wait(conversation, start, end)
        cut = bisect_left(given, (start, ""))
        known = [value for _, value in given[max(0, cut - _KNOWN) : cut]]
        _warmth(
            transfer,
            conversation,
            position,
            known,
            end,
            issue_at < start if issue_at is not None else False,
            words.get(issue_at, set()) if issue_at is not None else set(),
            asked_issue,
        )
        transfers.append(transfer)
    judged = [t.warm for t in transfers if t.warm is not None]
    entry = ConversationAudit(
        conversation_id=conversation.id,
        messages=len(messages),
        reasks=reasks,
        repeats=repeats,
        transfers=transfers,
        warm=all(judged) if judged else None,
        bot=bot,
        contained=(not human and not transfers) if bot else None,
    )
    return entry, extracted.secrets


_EXCERPT = 240
"""Characters of each cited message kept for the worst conversations of a report."""


def excerpts(
    entry: ConversationAudit, conversation: Conversation, secrets: set[str]
) -> dict[str, dict[str, str]]:
    """The cited messages of ``entry`` (role, author, text cut to ``_EXCERPT``), secrets masked."""
    cited: list[str] = []
    for reask in entry.reasks:
        cited += [reask.given, reask.asked]
    for repeat in entry.repeats:
        cited += [*repeat.of, repeat.message]
    for transfer in entry.transfers:
        cited += transfer.evidence
    scrub = scrubber(secrets)
    found: dict[str, dict[str, str]] = {}
    for message_id in dict.fromkeys(cited):
        message = conversation.get(message_id)
        if message is None:
            continue
        text = scrub(message.text)
        found[message_id] = {
            "role": message.role,
            "author": message.author or "",
            "text": text if len(text) <= _EXCERPT else text[: _EXCERPT - 1] + "…",
        }
    return found


_HANDLE_OR_LINK = re.compile(r"(?:https?://|www\.)\S+|(?<!\w)@\w+")
"""Mentions and links: channel plumbing ("@AppleSupport", "https://t.co/..."), not what was said."""
_DIGIT_RUN = re.compile(r"\d{3,}")


def _describes(text: str, words: set[str]) -> bool:
    """A customer message that describes a problem, not a list of details ("name, phone, address")."""
    return len(words) >= 6 or (len(words) >= 3 and len(_DIGIT_RUN.findall(text)) < 2)


def _wait(conversation: Conversation, start: int, end: int) -> float | None:
    """Minutes from the transfer (or the last message before the new owner) to the new owner's reply."""
    if end < 0:
        return None
    messages = conversation.messages
    origin = start if start < end else end - 1
    if origin < 0:
        return None
    first, last = messages[origin].timestamp, messages[end].timestamp
    if first is None or last is None:
        return None
    return round(max(0.0, (last - first).total_seconds() / 60.0), 2)


def _warmth(
    transfer: Transfer,
    conversation: Conversation,
    position: dict[str, int],
    known: list[str],
    end: int,
    issue_told: bool,
    issue_words: set[str],
    asked_issue: set[str],
) -> None:
    """Warm: the transfer message or the new owner's first message shows the context
    (a value the customer gave before, the problem's words, or a context cue)."""
    if transfer.kind == "team_change":
        return  # the same person keeps the context: nothing to judge
    messages = conversation.messages
    issue = issue_words if issue_told else set()
    own = cues().own
    shown: list[str] = []
    for message_id in transfer.evidence:
        message = messages[position[message_id]] if message_id in position else None
        if message is None or message.role == "customer":
            continue
        text_words = tokens(message.text)
        norm = normalize(message.text)
        if (
            any(value and value in norm for value in known)
            or "context" in own.scan(text_words)
            or len(content_words(text_words) & issue) >= 2
        ):
            shown.append(message_id)
    transfer.context_evidence = shown
    new_first = messages[end].id if end >= 0 else None
    if new_first is None:
        transfer.warm = True if shown else None  # the new owner never wrote: only a warm note is known
    else:
        transfer.warm = bool(shown) and new_first not in asked_issue


def _as_conversation(item: Any) -> Conversation:
    return item if isinstance(item, Conversation) else load(item)


def iter_audit(
    conversations: Iterable[Any], *, taxonomy: Taxonomy | None = None
) -> Iterator[ConversationAudit]:
    """One :class:`ConversationAudit` per input, in order, as they are read (a generator).

    Items are ``Conversation`` objects or anything :func:`handoff_ai.load` reads (a path,
    a dict, a list of messages). Bad input raises the loader's typed error.
    """
    for item in conversations:
        yield audit_conversation(_as_conversation(item), taxonomy=taxonomy)


def audit(
    conversations: Iterable[Any],
    *,
    taxonomy: Taxonomy | None = None,
    keep_all: bool | None = None,
    worst: int = 20,
) -> AuditReport:
    """Audit many conversations; the report's summary is accumulated as they stream by.

    ``keep_all``: keep every :class:`ConversationAudit` in ``report.conversations``. By
    default they are kept when ``conversations`` is a list or tuple (already in memory)
    and not for a stream (an iterator, a generator, a file reader): then the report keeps
    the aggregate and the ``worst`` conversations only, in flat memory. Use
    :func:`iter_audit` to write every entry as it comes.
    """
    if keep_all is None:
        keep_all = isinstance(conversations, (list, tuple))
    report = AuditReport(keep_all=keep_all, worst=worst)
    for item in conversations:
        audit_into(report, _as_conversation(item), taxonomy=taxonomy)
    return report


def audit_into(
    report: AuditReport, conversation: Conversation, *, taxonomy: Taxonomy | None = None
) -> ConversationAudit:
    """Audit one conversation and fold it into ``report`` (the loop behind :func:`audit`)."""
    entry, cited = audit_parts(conversation, taxonomy=taxonomy)
    report.add(entry, excerpts=cited)
    return entry


def audit_parts(
    conversation: Conversation, *, taxonomy: Taxonomy | None = None
) -> tuple[ConversationAudit, Callable[[], dict[str, dict[str, str]]]]:
    """What :meth:`AuditReport.add` takes: the audit, and its cited excerpts (secrets masked)
    made on demand. A worker process of ``handoff audit --workers`` calls both and sends them."""
    entry, secrets = _audit(conversation, taxonomy)
    return entry, lambda: excerpts(entry, conversation, secrets)

"""Shift-change notes: "Status: … Next: … Do NOT …" read as blocker, next steps and promises.

An agent going off shift leaves an internal note such as::

    Status: waiting on engineering (ENG-4412). Next: call back Tue 10:00.
    Do NOT offer credit again — already refused.

A *shift note* is an internal note (``kind == "note"``) by an agent or the bot with
at least one labelled part or warning, or an agent's ordinary message with two or
more ``Status:``/``Next:`` parts (an internal thread). System notes (a bot's own
prompt) never are. Labels and warning words are data (``[<lang>.shift_note]`` in
``rules/data/commitments.toml``); a part runs from its label to the end of its
sentence or line.

What the record gets (:func:`note_blocker`, :func:`note_steps`, :func:`note_commitments`,
called by the rules backend):

* **next steps**: the latest note's ``Next`` parts, then the warnings of every note
  ("Do not offer credit again — already refused"), ahead of the derived steps;
* **commitments**: each ``Next`` part of the latest note, as the agent's promise;
* **blocker**: the latest note's ``Status`` ("Waiting on engineering (ENG-4412)
  (internal note)") when it comes after whatever the rules' blocker cites (or there is
  none), no customer says it is solved after the note, and the status is not itself
  "resolved"/"done". Simple on purpose: the newest unresolved thing wins.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from ..models import Action, Blocker, Commitment, Conversation, Item, Message
from ..models.record import Outcome
from .commitments import Language, languages, short
from .languages import example_language
from .phrases import CueReader

__all__ = ["ShiftNote", "note_actions", "note_blocker", "note_commitments", "note_steps", "read_shift_notes"]

_END = re.compile(r"(?<=[.!?])\s|\n")
_ID = re.compile(r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[a-z])[a-z0-9]+(?:-[a-z0-9]+)+(?![\w-])")
"""A reference with letters and digits joined by hyphens ("rma-66120", "eng-4412"), casefolded."""
_JOIN = re.compile(r"\s+\+\s+|\s*;\s+|,?\s+(?:and\s+)?then\s+(?=[a-z])|\s+&\s+(?=[a-z])")
"""Where one part chains two tasks: "chase the courier, then call her", "text + call back"."""


@dataclass
class ShiftNote:
    """The labelled parts of one note, each cut to its sentence."""

    message: Message
    status: list[str] = field(default_factory=list)
    next: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    tried: list[str] = field(default_factory=list)
    promised: list[str] = field(default_factory=list)
    language: Language | None = None

    @property
    def parts(self) -> int:
        return (
            len(self.status) + len(self.next) + len(self.warnings) + len(self.done) + len(self.tried)
            + len(self.promised)
        )  # fmt: skip


def _alternation(phrases: Sequence[str]) -> str:
    parts = sorted({re.escape(p.strip()).replace(r"\ ", r"\s+") for p in phrases if p.strip()}, key=len)
    return "|".join(reversed(parts))


def _pattern(lang: Language) -> re.Pattern[str]:
    data = lang.shift_note
    boundary = r"(?:^|(?<=[.!?;\n])|(?<=\s[-–—|•*>])|(?<=\S:\s))\s*"  # also after ":wave: ", "Re: "
    line = r"(?:^|(?<=\n))[ \t]*(?:[-–—•*>]|\d+[.)])?[ \t]*"
    whom = r"(?:\s+(?:to\s+)?(?:the\s+)?(?:customer|client|caller|him|her|them|(?-i:[A-Z][\w.-]*)))?"
    return re.compile(
        rf"{boundary}(?:(?P<status>{_alternation(data['status'])})\s*:|(?P<next>{_alternation(data['next'])})\s*:"
        rf"|(?P<done>{_alternation(data.get('done', []))})\s*:"
        rf"|(?P<tried>{_alternation(data.get('tried', []))})(?:\s*:|(?=\s))"
        rf"|(?P<promise>{_alternation(data.get('promised', []))}){whom}(?:\s*:|(?=\s))"
        rf"|(?P<warning>(?:{_alternation(data['warning'])})(?!\w)))"
        rf"|{line}(?P<line>(?:{_alternation(data.get('next_lines', []))})(?!\w))",
        re.IGNORECASE,
    )


_PATTERNS: dict[str, re.Pattern[str]] = {}
_WORD = re.compile(r"\w+")
_LABEL_WORDS: dict[str, frozenset[str]] = {}


def _label_words(lang: Language) -> frozenset[str]:
    """The first word of every label of ``lang``: a note in it holds one of them."""
    found = _LABEL_WORDS.get(lang.name)
    if found is None:
        phrases = [p for values in lang.shift_note.values() for p in values]
        found = _LABEL_WORDS[lang.name] = frozenset(
            words[0] for words in (_WORD.findall(p.lower()) for p in phrases) if words
        )
    return found


@lru_cache(maxsize=1)
def _all_label_words() -> frozenset[str]:
    """:func:`_label_words` of every language together."""
    return frozenset().union(*map(_label_words, languages()))


def _sentence(text: str) -> str:
    end = _END.search(text)
    part = text[: end.start()] if end else text
    return part.strip(" \t-–—|•;").rstrip(".")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def parse(message: Message, lang: Language, internal: bool = True) -> ShiftNote:
    """The labelled parts of ``message`` in ``lang`` (possibly none).

    Lines that start with a follow-up verb ("- Chase the courier") count only in an
    ``internal`` note: in a reply to the customer they are advice.
    """
    pattern = _PATTERNS.get(lang.name)
    if pattern is None:
        pattern = _PATTERNS[lang.name] = _pattern(lang)
    note = ShiftNote(message=message, language=lang)
    text = message.text
    matches = list(pattern.finditer(text))
    for index, match in enumerate(matches):
        bound = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        if match["warning"]:
            body = _sentence(text[match.start("warning") : bound])
            words = body.split(" ", 2)
            if len(words) > 1 and words[1].isupper():  # "Do NOT offer" -> "Do not offer"
                words[1] = words[1].lower()
            body = " ".join(words)
            if len(body.split()) > 2:
                note.warnings.append(short(_capital(body)))
            continue
        if match["line"]:  # "- Chase the courier on Monday": the verb is part of the step
            if internal:
                note.next += [short(item) for item in _items(text[match.start("line") : bound])[:1]]
            continue
        target = (
            note.status if match["status"] else note.next if match["next"] else note.done if match["done"]
            else note.tried if match["tried"] else note.promised
        )  # fmt: skip
        items = _items(text[match.end() : bound])
        if not match["status"]:  # each chained task is a step or promise of its own
            pieces = [piece for item in items for piece in _JOIN.split(item) if len(piece.split()) > 1]
            items = pieces or items
        if match["promise"]:  # "ships today via DHL, tracking number emailed by 18:00": two promises
            items = [piece for item in items for piece in _promises(item)]
        target += [short(item) for item in items]
    return note


_COMMA = re.compile(r",\s+")
_CONDITION = frozenset(
    {"if", "unless", "when", "once", "otherwise", "or", "but", "so", "which", "as", "because"}
)


def _promises(item: str) -> list[str]:
    """``item``, or its comma-separated parts when each reads as a promise of its own (three words
    or more, not a condition or an aside)."""
    parts = _COMMA.split(item)
    if len(parts) < 2 or any(len(p.split()) < 3 or p.split()[0].lower() in _CONDITION for p in parts):
        return [item]
    return parts


def _items(segment: str) -> list[str]:
    """One part (``Next: call back``), or a list under a bare label (``Next:`` then ``- a`` / ``- b``)."""
    rest = segment.lstrip(" \t")
    if not rest.startswith(("\n", "\r")):
        body = _sentence(rest)
        return [body] if body else []
    items: list[str] = []
    for line in rest.strip("\r\n").split("\n"):
        body = _sentence(line.strip())
        if not body:
            break  # a blank line ends the list
        items.append(body)
    return items


def _languages_for(text: str) -> tuple[Language, ...]:
    """Every language, the note's own first ("Status: … Nächster Schritt: …" is German even though
    "Status:" is an English label too); English first when the note does not tell."""
    packaged = languages()
    if len(packaged) == 1:
        return packaged
    code = example_language(text)
    if code is None or code == packaged[0].name:
        return packaged
    return tuple(sorted(packaged, key=lambda lang: lang.name != code))  # stable: the rest keep their order


def read_shift_notes(conversation: Conversation) -> list[ShiftNote]:
    """The conversation's shift notes, oldest first."""
    notes: list[ShiftNote] = []
    for message in conversation.messages:
        # An agent's or bot's internal note, or an agent's message with a "Label:" (most messages: the
        # kind and the role read).
        fields = message.__dict__  # a dict's item read: a pydantic model's attribute goes through a hook
        kind = fields["kind"]
        if kind == "message":
            if fields["role"] != "agent" or ":" not in fields["text"]:
                continue
            internal = False
        elif kind == "note" and fields["role"] in ("agent", "bot"):
            internal = True
        else:
            continue
        words = set(_WORD.findall(message.text.lower()))
        if _all_label_words().isdisjoint(words):
            continue  # no language's label can be there: no need to find the note's language
        best: ShiftNote | None = None
        for lang in _languages_for(message.text):  # its own language first: it wins a tie
            if _label_words(lang).isdisjoint(words):
                continue  # none of this language's labels can be there
            note = parse(message, lang, internal)
            # An ordinary message needs two labelled parts: "Don't hesitate to ask" is no warning.
            labelled = len(note.status) + len(note.next) + len(note.done) + len(note.promised)
            if (note.parts if internal else labelled >= 2) and (best is None or note.parts > best.parts):
                best = note  # the language that reads most of it ("Status:" is English and Portuguese)
        if best is not None:
            notes.append(best)
    return notes


def _next_commitments(note: ShiftNote) -> list[Commitment]:
    found: list[Commitment] = []
    parts = [(t, "shift_note.promised") for t in note.promised] + [(t, "shift_note.next") for t in note.next]
    seen: set[str] = set()
    for text, rule in parts:
        if text.casefold() in seen:
            continue
        seen.add(text.casefold())
        due = note.language.due.find(text, note.message.timestamp) if note.language else None
        found.append(
            Commitment(
                text=_capital(text),
                due=due.text if due else None,
                due_iso=due.iso if due else None,
                actor="agent",
                evidence=[note.message.id],
                rule=rule,
            )
        )
    return found


def note_actions(notes: Sequence[ShiftNote], actions: Sequence[Action]) -> list[Action]:
    """``actions``, then each note's ``Done:``/``Tried:`` parts not already among them.

    A done part succeeded; a tried part failed when it says so ("offered credit - refused",
    ``tried_failed`` in the data), else its outcome is unknown. The actor is the agent who
    wrote the note.
    """
    found = list(actions)
    if not any(note.done or note.tried for note in notes):
        return found
    known = [a.description.casefold() for a in actions]
    for note in notes:
        data = note.language.shift_note if note.language else {}
        failed = [w.lower() for w in data.get("tried_failed", [])]
        for text, tried in [(t, False) for t in note.done] + [(t, True) for t in note.tried]:
            key = text.casefold()
            ids = set(_ID.findall(key))
            if any(key in other or other in key or ids & set(_ID.findall(other)) for other in known):
                continue  # said already, or the same reference ("RMA-1 created" after "I created RMA-1")
            known.append(key)
            outcome: Outcome = "succeeded"
            if tried:
                said = any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", key) for w in failed)
                outcome = "failed" if said else "unknown"
            found.append(
                Action(
                    description=_capital(text),
                    actor="agent",
                    outcome=outcome,
                    evidence=[note.message.id],
                    rule="shift_note.tried" if tried else "shift_note.done",
                )
            )
    return found


def note_steps(notes: Sequence[ShiftNote], next_steps: Sequence[Item]) -> list[Item]:
    """The latest note's ``Next`` parts and every note's warnings, then ``next_steps``."""
    if not notes:
        return list(next_steps)
    latest = notes[-1]
    steps = [Item(text=_capital(text), evidence=[latest.message.id]) for text in latest.next]
    seen = {step.text.casefold() for step in steps}
    for note in notes:
        for warning in note.warnings:
            if warning.casefold() not in seen:
                seen.add(warning.casefold())
                steps.append(Item(text=warning, evidence=[note.message.id]))
    return steps + [s for s in next_steps if s.text.casefold() not in seen]


def note_commitments(notes: Sequence[ShiftNote]) -> list[Commitment]:
    """The latest note's ``Next`` parts as the agent's commitments."""
    return _next_commitments(notes[-1]) if notes else []


def note_blocker(
    notes: Sequence[ShiftNote], conversation: Conversation, cues: CueReader, blocker: Blocker | None
) -> Blocker | None:
    """The latest note's status when it is the newest unresolved thing, else ``blocker``."""
    return _blocker(notes[-1], conversation, cues, blocker) if notes else blocker


def _blocker(
    note: ShiftNote, conversation: Conversation, cues: CueReader, blocker: Blocker | None
) -> Blocker | None:
    lang = note.language
    done = {w.lower() for w in (lang.shift_note.get("status_done", []) if lang else [])}
    status = [s for s in note.status if not done.intersection(re.findall(r"[\w/]+", s.lower()))]
    if note.status and not status:
        return blocker  # "Status: resolved"
    order = {m.id: i for i, m in enumerate(conversation.messages)}
    at = order[note.message.id]
    if blocker is not None and max((order.get(i, -1) for i in blocker.evidence), default=-1) > at:
        return blocker
    said = [m for m in conversation.messages if m.role == "customer" and m.kind == "message"]
    if any(order[m.id] > at and cues.has("resolved", m.text) for m in said):
        return blocker
    if status:
        return Blocker(
            description=f"{_capital('; '.join(status))} (internal note)", evidence=[note.message.id]
        )
    # No status: what the note leaves to do (its promises and next steps) is what stays open,
    # unless the customer had already said it was solved, the note's own finding says more, or
    # the customer has spoken since (their problem, read by the rules, stands).
    items = list(dict.fromkeys([*note.promised, *note.next]))
    if not items or (blocker is None and any(cues.has("resolved", m.text) for m in said)):
        return blocker
    if blocker is not None and (note.message.id in blocker.evidence or any(order[m.id] > at for m in said)):
        return blocker
    return Blocker(
        description=short(f"Open: {'; '.join(items)} (internal note)", 280), evidence=[note.message.id]
    )

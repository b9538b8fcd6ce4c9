"""The dialogue reader: what one conversation's reading finds in the dialogue phrases, kept.

The phrase indexes (:mod:`.dialogue_data`) are built once per process; a reader holds one
conversation's labels, sentence spans and message positions, memoized by message text, so the
stages that read dialogue (actions, blocker) scan each message once. It lives on the
conversation's ``CueReader`` (``dialogue_data.dialogue_reader``).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

from .dialogue_index import DialoguePhrases
from .phrases import CueReader
from .sentences import sentence_spans, shorten, unaddressed

__all__ = ["DialogueReader"]


class DialogueReader:
    """Dialogue labels per message, scanned only when a message can hold them.

    ``labels(text, "refusal")`` first checks one key word of each refusal phrase
    against the message's words (a set test); only a message that passes is
    scanned, once, for every label.
    """

    def __init__(self, phrases: DialoguePhrases, cues: CueReader) -> None:
        self.phrases = phrases
        # A weak reference: the cue reader holds this reader, and a strong one back would make a
        # cycle that outlives the conversation until a full garbage collection.
        self.cues: CueReader = weakref.proxy(cues)
        self._found: dict[str, dict[str, int]] = {}
        self._spans: dict[str, list[tuple[int, int]]] = {}
        self._positions: dict[str, int] = {}
        self._positions_of: object = None

    def position(self, message_id: str, messages: Sequence[Any]) -> int:
        """Index of the last message of ``messages`` with this id (0 when none).

        One table per conversation: a scan from the end per step was quadratic on a long chat.
        """
        if self._positions_of is not messages:
            self._positions = {m.id: i for i, m in enumerate(messages)}  # a repeated id: its last
            self._positions_of = messages
        return self._positions.get(message_id, 0)

    def labels(self, text: str, *needed: str) -> dict[str, int]:
        """``{label: token index}`` for a message's text; ``{}`` when none of ``needed`` can match."""
        found = self._found.get(text)  # keyed by the text (its hash is cached): no id reuse
        if found is None:
            words = self.cues.words(text)
            if needed and self.phrases.key_words(needed).isdisjoint(words):
                return _NOTHING
            found = self._found[text] = self.phrases.index.scan(words)
        return found

    def words(self, text: str) -> list[str]:
        return self.cues.words(text)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """``sentence_spans(text)``, memoized: a message's statements of work all cut the same sentences."""
        found = self._spans.get(text)
        if found is None:
            found = self._spans[text] = sentence_spans(text)
        return found

    def sentence_at(self, text: str, position: int) -> str:
        """``sentences.sentence_at(text, position)``, on the memoized spans."""
        spans = self.spans(text)
        for start, end in spans:
            if position < end:  # inside this sentence, or in the white space just before it
                return shorten(unaddressed(text[start:end]))
        return shorten(unaddressed(text[spans[-1][0] : spans[-1][1]])) if spans else ""


_NOTHING: dict[str, int] = {}

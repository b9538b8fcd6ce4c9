"""Which sentences the summary quotes: the customer's most informative statement of the problem
(:func:`issue_sentence`) and the agent's or bot's latest informative statement or action
(:func:`_agent_statement`), by content words, never one that gives or asks for a credential.

Split from :mod:`.summary`, which frames what these pick in fixed words and fits it in the
summary's length; :mod:`.summary_quoted` frames the same picks for the other note languages.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from ..models import Action, Conversation, Message
from ._text import STOPWORDS
from .lowered_twins import lowered_twin
from .phrases import CueReader, char_offset, tokens
from .restate import CLOSING, EDGE, FILLER_FIRST, clean, closing_in_lowered, first_word
from .sentences import _ANY_END, _CLOSERS, _is_end, split_sentences, unaddressed

__all__ = ["issue_sentence"]

_SCAN = 50_000  # characters of one message looked at for credentials (the facts withhold values anyway)

_CANDIDATE_MESSAGES = 4  # the issue is stated in the customer's first few messages

_AGENT_MESSAGES = 4  # where it stands is in the last few replies (past them: closings only)

_PLEASANTRY = re.compile(
    r"^(?:(?:we(?:['’]re| are)|i(?:['’]m| am))\s+(?:so\s+|very\s+|really\s+)?(?:sorry|happy|glad)|sorry|"
    r"apologies|(?:my|our)\s+apologies|we\s+apologi[sz]e|you['’]re\s+(?:very\s+)?welcome|no\s+(?:problem|worries)|"
    r"see\s+you|(?:is\s+there\s+)?anything\s+else|(?:can|may|could)\s+i\s+help\s+(?:you\s+)?with\s+anything|"
    r"have\s+an?\s+(?:amazing|wonderful|fantastic|awesome|excellent|blessed|great|good|nice|lovely)|"
    r"(?:is\s+there\s+)?(?:something|anything)\s+more|was\s+there\s+anything|"
    r"thanks?|thank\s+you|have\s+a\s+(?:great|good|nice|lovely)|glad|happy\s+to|feel\s+free|"
    r"(?:please\s+)?let\s+us\s+know\s+if|(?:we|i)\s+(?:really\s+|truly\s+)?appreciate\s+(?:you|your|it)\b|anytime|cheers|oh\s+no|that['’]s\s+(?:great|good|awesome|unusual)|got\s+it|"
    r"hope\s+(?:this|that|you)|(?:we|i)\s+hope|take\s+care|enjoy|help\s+us\s+improve|we['’]d\s+(?:love|like)\s+to\s+hear|"
    # closing questions: "Any other questions today?", "Is there any other way…", "Does that answer…?"
    r"(?:(?:do|did)\s+you\s+have\s+)?any\s+(?:other|more|further)\s+questions|is\s+there\s+(?:any|anything)\s+(?:other|further|more)|"
    r"(?:does|did|do)\s+(?:that|this)\s+answer|would\s+you\s+like\s+to\s+search\s+(?:for\s+)?(?:any\s+)?(?:more|other|another)|"
    # empathy said alone: "I completely understand.", "We understand how frustrating that is."
    r"(?:i|we)\s+(?:\w+\s+)?understand(?:\s+[\w'’]+){0,4}(?=(?:,\s*\w+)?[\s.!]*$)|"
    r"(?:best\s+|kind\s+|warm\s+)?regards|sincerely|"
    # what is left of "Thanks for shopping with us" once its "Thanks" is cleaned off, and small talk
    r"(?:(?:so\s+|very\s+)?much\s+)?for\s+(?:shopping|contacting|reaching\s+out|choosing|calling|"
    r"your\s+(?:patience|time|business))|"
    # ... and of "Thanks for providing that", "Thank you for your patronage and have a nice day" (not
    # "Thanks for that info, I will check it": a clause after it says something)
    r"for\s+(?:being|waiting|holding|bearing|providing|sharing|letting|working|getting\s+back|(?:the|that|this)\s+(?:info|information|"
    r"update|details)|your\s+(?:patronage|understanding|feedback|loyalty|message|reply|response|cooperation|"
    r"kind\s+words|support))(?![^,;]*[,;]\s*\w)|"
    r"(?:good|great|nice)\s+to\s+hear|sounds\s+(?:good|great)|nice\s+(?:chatting|talking)|"
    r"i(?:['’]ll|\s+will)\s+(?:now\s+)?(?:end|close)\s+(?:this|the|our)\s+chat)\b",
    re.IGNORECASE,
)

_PLEASANTRY_LOW = lowered_twin(_PLEASANTRY)
"""The same, case-sensitive, for lower-cased ASCII text (``None``: not to be written so)."""


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

_STOP = (
    STOPWORDS
    | frozenset(w.replace("n't", "nt").replace("'", "") for w in STOPWORDS)
    | frozenset(
        "i'm i've i'll i'd it's that's don't can't won't didn't doesn't isn't you're we're they're".split()
    )
)


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
    words_of, labels_of, is_content = cues.words, cues.labels, _IS_CONTENT.__getitem__
    for message in conversation.messages:
        if message.role != "customer" or message.kind != "message" or message.id in private:
            continue
        text = message.text
        words = words_of(text)  # memoized: the message's own text object
        if len(words) < 2:
            continue  # fewer than two content words whatever they are ("No", "guest")
        content = sum(map(is_content, words)) - text.count("@")  # a handle is no content
        if content < 2:
            continue
        labels = labels_of(text)
        score = min(content, 14) - 2.0 * len(candidates)
        if "problem" in labels or "impact" in labels:
            score += 3
        elif "handoff_request" in labels and content < 5:
            score -= 3
        candidates.append((-score, len(candidates), message, content))
        if len(candidates) >= _CANDIDATE_MESSAGES:
            break
    candidates.sort()  # by score, then order: no two share an order, so messages are never compared
    for _, _, message, content in candidates:
        found = _best_sentence(message, cues, pleasantries, content)
        if found is not None:
            return found, message
    return None


_ASCII_END = re.compile(r"""[.!?]+["')\]]*(?=\s|$)""")
"""``sentences._END`` as it reads ASCII text without a line break (no CJK, "…", curly quote or
"»" there): led by a character class, so a search skips to the terminators (twice as fast)."""


def _spans(text: str) -> list[tuple[int, int]]:
    """``split_sentences(text)``, the same spans; ASCII text on one line (most chat messages) read
    here by the same steps with :data:`_ASCII_END`, and a line with no terminator before its end
    found without any."""
    if "\n" in text or not text.isascii():
        return split_sentences(text)
    if _ANY_END.search(text.rstrip().rstrip(_CLOSERS)) is None:  # one sentence
        kept = text.strip()
        start = len(text) - len(text.lstrip())
        return [(start, start + len(kept))] if kept else []
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _ASCII_END.finditer(text):
        begin, cut = match.span()
        if text[begin] == "." and not _is_end(text, begin, cut):  # "!" and "?" always end
            continue
        piece = text[start:cut]
        kept = piece.strip()
        if kept:
            first = start + len(piece) - len(piece.lstrip())
            spans.append((first, first + len(kept)))
        start = cut
    piece = text[start:]
    kept = piece.strip()
    if kept:
        first = start + len(piece) - len(piece.lstrip())
        spans.append((first, first + len(kept)))
    return spans


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
    spans = _spans(text)
    problem = "problem" in labels
    if problem and len(spans) == 1 and text.isascii():
        cue_at: int | None = spans[0][0]  # an ASCII cue's word is inside the message's one sentence
    else:
        cue_at = cues.find("problem", text) if problem else None
    guarded = _credential(text[:_SCAN])  # the customer talks about a PIN, password, code…
    parts: list[tuple[str, int]] = []
    choice: tuple[float, int] | None = None
    for start, end in spans:
        sentence = text[start:end]
        if "@" in sentence or "http" in sentence or "www." in sentence:  # cleaned where it changes the count
            sentence = clean(sentence)
        if pleasantries:
            sentence = _without_pleasantry(sentence, pleasantries)
        if not sentence:
            continue
        states_problem = cue_at is not None and start <= cue_at < end
        if guarded and not states_problem and problem:
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


_NOISE = frozenset({"http", "https", "www", "com", "co"})


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
                wanted = candidate.evidence[0]  # ids are unique: searched from the end, where it is
                where = next((i for i in range(len(messages) - 1, -1, -1) if messages[i].id == wanted), -10)
            break
    words_of, is_content = cues.words, _IS_CONTENT.__getitem__
    tried = 0
    for index in range(len(messages) - 1, -1, -1):
        message = messages[index]
        if message.role not in ("agent", "bot") or message.kind != "message":
            continue
        text = message.text
        counted = sum(map(is_content, words_of(text)))
        if counted < 2:
            continue
        tried += 1
        if tried > _AGENT_MESSAGES:
            break
        if action is not None and where >= index - 2:
            return action.actor, clean(action.description), messages[where].id
        best, most = "", 1
        spans = _spans(text)
        # The rest of a post split in parts (". . . able to guarantee availability"): its first
        # words quoted alone would say the opposite of what was meant ("…we're not always . . 1/2").
        continued = unaddressed(text).startswith(_CONTINUATION_MARKS)
        for start, end in spans:
            sentence = text[start:end]
            if continued and any(map(str.isalpha, sentence)):
                continued = False
                continue
            if "@" in sentence or "http" in sentence or "www." in sentence:  # handles and links go
                sentence = clean(sentence)
            if first_word(sentence) in FILLER_FIRST:
                sentence = clean(sentence)  # "Great, …" / "Hi Sam, …": judge what follows
            if len(spans) == 1 and ("http" in text or "www." in text):
                content = _content(clean(text))
            elif len(spans) == 1:  # :func:`_whole_content`, from the count made above
                content = counted - text.count("@")
            else:
                content = _content(sentence)
            if content <= most:
                continue  # only a sentence that says more than the best so far is read further
            if _PLEASANTRY_LOW is not None and sentence.isascii():  # one lower-cased copy for both tests
                low = sentence.lower()
                if (
                    _PLEASANTRY_LOW.match(low)
                    or closing_in_lowered(low)
                    or (
                        _CREDENTIAL_HINT_LOW.search(low) is not None
                        and _CREDENTIAL_LOW.search(low) is not None
                    )
                ):
                    continue
            elif _PLEASANTRY.match(sentence) or CLOSING.search(sentence) or _credential(sentence):
                continue
            if _part_counter(sentence):
                continue
            best, most = sentence, content
        if best:
            return message.role, clean(best), message.id
    return None


_CONTINUATION_MARKS = ("...", ". .", "…")
_PART_ONLY = re.compile(r"(?:[*^~-]\w{1,5}\s+)?\(?\d{1,2}/\d{1,2}\)?")
"""A post's part counter alone, or after a signature ("2/3", "*AAB 3/3", "^UA (2/2)")."""


def _part_counter(sentence: str) -> bool:
    """Whether ``sentence`` is only a post's part counter ("2/3", "*AAB 3/3"), not a statement."""
    return _PART_ONLY.fullmatch(unaddressed(sentence).strip()) is not None

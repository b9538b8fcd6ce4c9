"""Which language a conversation is in, and the rule data of each language the rules read.

Each language the rules read is one data file, ``rules/data/languages/<code>.toml``:
its name, a word profile to recognise it (``[detect]``) and its phrases, in sections
named after the topic files they extend (``[cues]`` → ``rules.toml``, ``[dialogue]``
→ ``dialogue.toml``, ``[commitments]`` → ``commitments.toml``, ``[facts]``,
``[note]``...). Adding a language is adding a file; English phrases stay in the topic
files. ``_other.toml`` profiles languages the rules recognise but do not read, so
a conversation in one of them is named in a warning instead of read as English.

Detection is a deterministic word profile, not a model: a message's tokens are
already there (the cue scan made them), and counting which language's frequent
words they hold costs a dictionary lookup per token — a few microseconds a
conversation, against tens to hundreds for the small offline detectors we tried
to fit in (langid, lingua), which also add a model to ship. Scripts (Japanese,
Cyrillic, Arabic...) are told by their characters. Messages too short to tell
("ok", "merci") inherit the conversation's language.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from itertools import islice
from typing import Any

from ..exceptions import ConfigError
from ..models import Conversation, Message
from .phrases import fold, tokens

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "LanguageReport",
    "detect_languages",
    "example_language",
    "fold",
    "language_data",
    "language_name",
    "language_section",
    "language_votes",
    "leading_language",
    "profile_words",
    "supported_languages",
    "unsupported_warning",
]

_DIR = "rules/data/languages"
_MIN_VOTES = 2
"""A message needs this many profile words (and a lead of one) to get a language of its own."""
_MIN_SCRIPT_CHARS = 2
_WEB_WORDS = frozenset({"com", "net", "org", "www", "http", "https", "html", "co", "io"})
"""Words of addresses, not of a language: they never vote."""
_CLEAR = 8
_MAX_TOKENS = 2_000
"""Words of one message that vote: a pasted 1 MB log says no more about its language than this."""


def _read(name: str) -> dict[str, Any]:
    source = f"handoff_ai/{_DIR}/{name}"
    raw = resources.files("handoff_ai").joinpath(f"{_DIR}/{name}").read_bytes()
    try:
        data: dict[str, Any] = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"not valid TOML: {exc}", source=source) from None
    return data


@lru_cache(maxsize=1)
def language_data() -> dict[str, dict[str, Any]]:
    """Every packaged language file by code (``{"de": {...}, ...}``), English first.

    ``HANDOFF_AI_LANGUAGES=en`` (or ``en,de``) reads only those files: what the other
    languages' data costs an English conversation is measured that way (``bench/languages.py``).
    """
    names = sorted(
        entry.name
        for entry in resources.files("handoff_ai").joinpath(_DIR).iterdir()
        if entry.name.endswith(".toml") and not entry.name.startswith("_")
    )
    names.sort(key=lambda n: n != "en.toml")
    only = os.environ.get("HANDOFF_AI_LANGUAGES")  # measurements: "en" reads English data alone
    if only:
        wanted = {code.strip() for code in only.split(",")} | {"en"}
        names = [name for name in names if name[: -len(".toml")] in wanted]
    data = {name[: -len(".toml")]: _read(name) for name in names}
    for code, block in data.items():
        if not isinstance(block.get("name"), str):
            raise ConfigError("a language file needs a name", source=f"handoff_ai/{_DIR}/{code}.toml")
    return data


def supported_languages() -> tuple[str, ...]:
    """Codes of the languages the rules read (``("en", "de", ...)``)."""
    return tuple(language_data())


def language_section(section: str) -> dict[str, Any]:
    """``{code: that language's [section]}`` for the languages that have it (English has few).

    Built once per section and shared (stages ask for it on every record): read it, never change it.
    """
    data = language_data()
    built = _SECTIONS.get(section)
    if built is None or built[0] is not data:  # first use, or the language files were read again
        sections = {code: block[section] for code, block in data.items() if section in block}
        built = _SECTIONS[section] = (data, sections)
    return built[1]


_SECTIONS: dict[str, tuple[dict[str, dict[str, Any]], dict[str, Any]]] = {}


@lru_cache(maxsize=1)
def _others() -> dict[str, Any]:
    return _read("_other.toml")


def language_name(code: str | None) -> str:
    """English name of a language code ("de" → "German"); the code itself when unknown."""
    if not code:
        return "unknown"
    if code in language_data():
        return str(language_data()[code]["name"])
    other = _others()
    if code in other and code != "scripts":
        return str(other[code]["name"])
    script = other.get("scripts", {}).get(code)
    return str(script["name"]) if script else code


@dataclass(frozen=True)
class _Profiles:
    words: dict[str, tuple[str, ...]]
    """Token → the languages whose profile holds it."""
    scripts: tuple[tuple[str, int, int], ...]
    """(code, first, last code point) of the scripts told by their characters."""
    order: tuple[str, ...]
    """Every code, supported first: ties go to the earlier one."""


@lru_cache(maxsize=1)
def _profiles() -> _Profiles:
    words: dict[str, list[str]] = {}
    order: list[str] = []

    def add(code: str, profile: Sequence[str]) -> None:
        order.append(code)
        for word in profile:
            if word in _WEB_WORDS:
                continue  # "com" is Portuguese, and the end of every email address
            for form in {word.lower(), fold(word.lower())}:
                holders = words.setdefault(form, [])
                if code not in holders:
                    holders.append(code)

    for code, data in language_data().items():
        add(code, data.get("detect", {}).get("words", []))
    scripts: list[tuple[str, int, int]] = []
    for code, block in _others().items():
        if code == "scripts":
            for script_code, script in block.items():
                order.append(script_code)
                for span in script["ranges"]:
                    first, last = (int(part, 16) for part in span.split("-"))
                    scripts.append((script_code, first, last))
        else:
            add(code, block.get("words", []))
    return _Profiles({w: tuple(c) for w, c in words.items()}, tuple(scripts), tuple(order))


def profile_words() -> frozenset[str]:
    """Every language profile's words: frequent words, each of some language."""
    return frozenset(_profiles().words)


class LanguageReport:
    """The conversation's language and each message's."""

    def __init__(self, language: str | None, messages: Callable[[], dict[str, str]] | None = None) -> None:
        self.language = language
        """The customer's language (BCP-47 primary subtag), ``None`` when nothing tells."""
        self.supported = language is None or language in language_data()
        """Whether the rules read ``language`` (always true when it is ``None``)."""
        self._messages = messages

    @property
    def name(self) -> str:
        return language_name(self.language)

    @cached_property
    def messages(self) -> Mapping[str, str]:
        """Message id → language, for every message with text (short ones inherit).

        Built on first use: the record needs only the customer's language, so the other
        messages are read only when someone asks.
        """
        found = self._messages() if self._messages else {}
        return {message_id: code for message_id, code in found.items() if code}


def _script(text: str, profiles: _Profiles) -> str | None:
    if text.isascii():
        return None
    counts: dict[str, int] = {}
    latin = 0
    for char in text:
        point = ord(char)
        if point < 0x370:
            latin += char.isalpha()
            continue
        if not char.isalpha():  # digits, marks, punctuation of a script do not write in it
            continue
        for code, first, last in profiles.scripts:
            if first <= point <= last:
                counts[code] = counts.get(code, 0) + 1
                break
    if not counts:
        return None
    if counts.get("ja") and counts.get("zh"):  # kanji beside kana is Japanese
        counts["ja"] += counts.pop("zh")
    code, count = max(counts.items(), key=lambda item: item[1])
    # CJK writes a word in two or three characters: a share of a third of the letters is a lot.
    return code if count >= _MIN_SCRIPT_CHARS and 3 * count >= latin else None


def _vote(tokens: Sequence[str], profiles: _Profiles) -> dict[str, int]:
    votes: dict[str, int] = {}
    lookup = profiles.words.get
    for holders in map(lookup, tokens):  # tokens are folded already: one lookup each
        if holders:
            for code in holders:
                votes[code] = votes.get(code, 0) + 1
    return votes


def _winner(votes: Mapping[str, int], order: Sequence[str]) -> str | None:
    """The language with the most votes (at least ``_MIN_VOTES``), ``None`` on a tie for first.

    A winner leads alone, so ``order`` (which breaks ties) never decides it.
    """
    if not votes:
        return None
    counts = sorted(votes.values(), reverse=True)
    count = counts[0]
    if count < _MIN_VOTES or (len(counts) > 1 and counts[1] >= count):
        return None
    return max(votes, key=votes.__getitem__)


def _tally(
    messages: Iterable[Message],
    tokenize: Callable[[str], list[str]],
    profiles: _Profiles,
    own: dict[str, str] | None = None,
) -> dict[str, int]:
    """Votes of ``messages`` added up; with ``own``, each message's own language into it.

    Without ``own`` the count stops once one language leads clearly (``_CLEAR`` votes ahead
    of the next): a chat's first lines already tell, and most chats are long.
    """
    totals: dict[str, int] = {}
    for message in messages:
        if own is None and totals:
            ranked = sorted(totals.values(), reverse=True)
            if ranked[0] - (ranked[1] if len(ranked) > 1 else 0) >= _CLEAR:
                break
        text = message.text
        script = _script(text, profiles)
        votes = {script: 1_000} if script is not None else _vote(tokenize(text)[:_MAX_TOKENS], profiles)
        for code, count in votes.items():
            totals[code] = totals.get(code, 0) + count
        if own is not None:
            chosen = script or _winner(votes, profiles.order)
            if chosen is not None:
                own[message.id] = chosen
    return totals


def _first_tally(
    messages: Sequence[Message], tokenize: Callable[[str], list[str]], profiles: _Profiles
) -> dict[str, int]:
    """``_tally`` of the customer's messages (not events) without ``own``: the votes up to the
    message after which one language leads clearly, mostly the customer's first few.

    Inlined for the common case: an ASCII message has no script, and its votes go straight
    into the totals (``_tally`` makes a dictionary of each message's votes first).
    """
    totals: dict[str, int] = {}
    lookup = profiles.words.get
    for message in messages:
        text = message.text
        if not text or message.role != "customer" or message.kind == "event":
            continue
        if totals:
            ranked = sorted(totals.values(), reverse=True)
            if ranked[0] - (ranked[1] if len(ranked) > 1 else 0) >= _CLEAR:
                break
        script = None if text.isascii() else _script(text, profiles)
        if script is not None:
            totals[script] = totals.get(script, 0) + 1_000
            continue
        for holders in filter(None, map(lookup, islice(tokenize(text), _MAX_TOKENS))):
            for code in holders:
                totals[code] = totals.get(code, 0) + 1
    return totals


def detect_languages(conversation: Conversation, tokenize: Callable[[str], list[str]]) -> LanguageReport:
    """The language of each message and of the conversation (the customer's, by votes).

    ``tokenize`` is the cue scan's memoized tokenizer (``CueReader.words``), so no text is
    tokenized twice. Customer messages decide; only without a verdict there do the
    others' count (then the leading language wins even a close race). Each message's own
    language is worked out only when ``LanguageReport.messages`` is read.
    """
    profiles = _profiles()
    messages = tuple(conversation.messages)
    customer: list[Message] = []
    others: list[Message] = []

    def split() -> None:
        for message in messages:
            if message.text and message.kind != "event":
                (customer if message.role == "customer" else others).append(message)

    language = _winner(_first_tally(messages, tokenize, profiles), profiles.order)
    if language is None:
        split()
        totals = _tally(others, tokenize, profiles)
        language = _winner(totals, profiles.order)
        if language is None:
            for code, count in _tally(customer, tokenize, profiles).items():
                totals[code] = totals.get(code, 0) + count
            ranked = sorted(totals.items(), key=lambda item: (-item[1], profiles.order.index(item[0])))
            if ranked and ranked[0][1] >= _MIN_VOTES:
                language = ranked[0][0]

    def every_message() -> dict[str, str]:
        if not customer and not others:
            split()
        found: dict[str, str] = {}
        _tally([*customer, *others], tokenize, profiles, found)
        inherited = language or ""  # a message too short to tell speaks the conversation's language
        return {m.id: found.get(m.id, inherited) for m in (*customer, *others)}

    return LanguageReport(language, every_message)


def unsupported_warning(report: LanguageReport) -> str:
    """The provenance warning for a conversation in a language the rules do not read."""
    return (
        f"language: the conversation is in {report.name} ({report.language}), which the rules do not read "
        f"(they read {', '.join(language_name(c) for c in supported_languages())}); only facts that do not "
        "depend on language (emails, phones, ids, amounts, dates) were extracted, and no intent was guessed "
        "unless a taxonomy example in that language matched"
    )


def example_language(text: str) -> str | None:
    """The language of one text on its own (a taxonomy example), ``None`` when it does not tell."""
    profiles = _profiles()
    return _script(text, profiles) or _winner(_vote(tokens(text), profiles), profiles.order)


def language_votes(text: str, tokenize: Callable[[str], list[str]]) -> dict[str, int]:
    """How strongly one message speaks each language (for callers that add up turn by turn)."""
    profiles = _profiles()
    script = _script(text, profiles)
    return {script: 1_000} if script is not None else _vote(tokenize(text), profiles)


def leading_language(votes: Mapping[str, int]) -> str | None:
    """The language with the most votes (at least two; ties go to English, then file order)."""
    profiles = _profiles()
    ranked = sorted(votes.items(), key=lambda item: (-item[1], profiles.order.index(item[0])))
    return ranked[0][0] if ranked and ranked[0][1] >= _MIN_VOTES else None

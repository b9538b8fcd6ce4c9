"""The parser registry: format name → parser, and format sniffing.

One small explicit dictionary instead of if/elif chains, so a new source format
(email, WhatsApp, Slack, Zendesk, Rasa, ...) is one module that decorates its
parser with :func:`register_parser`; nothing else changes. Sniffing asks parsers
in order of ``priority`` (most specific first) and takes the first that says
yes, which is why a generic parser must have a lower priority than a specific
one reading the same syntax (``openai`` before ``json``, ``json`` before ``text``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, runtime_checkable

from ..exceptions import UnknownFormatError
from ..models import Conversation
from ._input import ParserInput

__all__ = [
    "Parser",
    "ParserSpec",
    "formats",
    "get_parser",
    "parser_names",
    "register_parser",
    "sniff",
    "specs",
]


@runtime_checkable
class Parser(Protocol):
    """What a registered parser provides.

    ``sniff`` must be cheap and must never raise: it answers "is this mine?".
    ``parse`` raises :class:`~handoff_ai.exceptions.ParseError` (with a
    location) for malformed input, and nothing else.
    """

    def sniff(self, data: ParserInput) -> bool:
        """Whether ``data`` looks like this parser's format."""
        ...

    def parse(self, data: ParserInput, *, id: str | None, file: str | None) -> Conversation:
        """Turn ``data`` into a conversation (``id`` overrides the one found in the input)."""
        ...


ParseFunction = Callable[..., Conversation]


class _FunctionParser:
    """Adapts a bare ``parse`` function: it is used only when its format is named."""

    def __init__(self, function: ParseFunction) -> None:
        self._function = function

    def sniff(self, data: ParserInput) -> bool:
        return False

    def parse(self, data: ParserInput, *, id: str | None, file: str | None) -> Conversation:
        return self._function(data, id=id, file=file)


@dataclass(frozen=True)
class ParserSpec:
    """A registered parser and what the registry knows about it."""

    name: str
    description: str
    parser: Parser
    extensions: tuple[str, ...] = ()
    priority: int = 0


_REGISTRY: dict[str, ParserSpec] = {}
_ORDER: list[ParserSpec] = []

T = TypeVar("T")


def register_parser(
    name: str,
    *,
    description: str,
    extensions: tuple[str, ...] | list[str] = (),
    priority: int = 0,
) -> Callable[[T], T]:
    """Register a parser under ``name`` (a decorator; returns what it decorates).

    The decorated thing may be a parser object (with ``sniff`` and ``parse``),
    a class of them (instantiated without arguments), or a bare ``parse``
    function, which never sniffs and is used only when its name is asked for.

    Args:
        name: the format name users pass as ``format=``; lower case.
        description: one line for ``handoff formats``.
        extensions: file name endings this format usually has (``.json``).
        priority: sniffing order, highest first; more specific formats go higher.

    Raises:
        ValueError: ``name`` is already registered (at import time: a programming error).
    """

    def decorate(target: T) -> T:
        key = name.lower()
        if key in _REGISTRY:
            raise ValueError(f"parser {key!r} is already registered")
        candidate: Any = target() if isinstance(target, type) else target
        parser: Parser
        if isinstance(candidate, Parser):
            parser = candidate
        elif callable(candidate):
            parser = _FunctionParser(candidate)
        else:
            raise TypeError(f"cannot register {target!r} as a parser: it has no sniff/parse")
        exts = tuple(e.lower() if e.startswith(".") else f".{e.lower()}" for e in extensions)
        spec = ParserSpec(key, description, parser, exts, priority)
        _REGISTRY[key] = spec
        _ORDER.append(spec)
        _ORDER.sort(key=lambda s: -s.priority)  # stable: equal priorities keep registration order
        return target

    return decorate


def unregister_parser(name: str) -> None:
    """Remove a registered parser (for tests and plugins that replace a built-in)."""
    spec = _REGISTRY.pop(name.lower(), None)
    if spec is not None:
        _ORDER.remove(spec)


def specs() -> list[ParserSpec]:
    """Every registered parser, in sniffing order."""
    return list(_ORDER)


def parser_names() -> list[str]:
    """Registered format names, sorted."""
    return sorted(_REGISTRY)


def formats() -> list[tuple[str, str]]:
    """``(name, description)`` for every registered format, sorted by name."""
    return [(name, _REGISTRY[name].description) for name in sorted(_REGISTRY)]


def get_parser(name: str) -> ParserSpec:
    """The parser registered as ``name``.

    Raises:
        UnknownFormatError: nothing is registered under that name.
    """
    spec = _REGISTRY.get(name.lower()) if isinstance(name, str) else None
    if spec is None:
        raise UnknownFormatError(f"unknown format {name!r}", known=parser_names())
    return spec


def sniff(data: ParserInput) -> ParserSpec | None:
    """The first parser, by priority, whose ``sniff`` accepts ``data``."""
    for spec in _ORDER:
        try:
            if spec.parser.sniff(data):
                return spec
        except Exception:  # a sniffer must not break loading; treat a crash as "not mine"
            continue
    return None

"""``load`` and ``load_many``: any input in, a ``Conversation`` (or a stream of them) out.

This is the only place parsing touches the file system and the one boundary
where stray exceptions are translated, so a caller (the CLI, a batch job) can
rely on catching ``HandoffError`` alone: file problems become ``UsageError``,
anything a parser fails to anticipate becomes ``ParseError`` with the original
chained as ``__cause__``. ``load_many`` streams large files so they never have
to fit in memory: JSON Lines one line at a time, a JSON array of conversations
one element at a time (:mod:`._stream`), an mbox one thread at a time
(:func:`._email.iter_mbox_threads`).
"""

from __future__ import annotations

import itertools
import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final

from ..exceptions import HandoffError, ParseError, UnknownFormatError, UsageError
from ..limits import Limits, check_conversation, check_depth, check_size, default_limits
from ..models import Conversation
from ._email import EmailParser, iter_mbox_threads
from ._input import NOT_JSON, ParserInput, decode_bytes
from ._json import is_conversation
from ._registry import get_parser, parser_names, sniff, specs
from ._stream import iter_json_array, sniff_kind
from ._text import single_customer_message, unlabelled_note

__all__ = ["Source", "load", "load_many"]

Source = Conversation | os.PathLike[str] | str | bytes | dict[str, Any] | list[Any]
"""What :func:`load` accepts."""

_MAX_PATH: Final = 4096
# One word that can only be a path: has a folder separator, or a name and an extension
# ("chat.jsn"; "e.g." stays text).
_PATHLIKE: Final = re.compile(
    r"(?:~|\.{1,2})?[\\/]?(?:[\w.@+-]+[\\/])+[\w.@+-]*"  # a/b, ./a, ~/a/b
    r"|[\w@+-][\w.@+-]+\.[A-Za-z][A-Za-z0-9]{1,4}"  # name.ext
)
_EMAIL_ONLY: Final = re.compile(r"[^@\s/\\]+@[^@\s/\\]+\.[A-Za-z]{2,}")
_UNEXPECTED: Final = (LookupError, TypeError, ValueError, AttributeError, OverflowError)


def _registered_extensions() -> tuple[str, ...]:
    return tuple({ext for spec in specs() for ext in spec.extensions})


def _existing_path(source: str) -> Path | None:
    """``source`` as a path if it names an existing file or folder; raise if it is clearly a missing one."""
    if "\n" in source or len(source) > _MAX_PATH or not source.strip():
        return None
    if os.path.isfile(source) or os.path.isdir(source):
        return Path(source)
    stripped = source.strip()
    if stripped[0] in "{[" or ": " in stripped or _EMAIL_ONLY.fullmatch(stripped):
        return None  # JSON, a labelled line, or a lone email address: content, not a path
    if stripped.lower().endswith(_registered_extensions()) or (
        not any(c.isspace() for c in stripped) and _PATHLIKE.fullmatch(stripped)
    ):
        raise UsageError(f"no such file: {source}")
    return None


def _read(path: Path, limits: Limits | None = None, encoding: str | None = None) -> str:
    try:
        check_size(path.stat().st_size, limits or default_limits(), location=path.name)
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"is a directory, not a file: {path}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or type(exc).__name__}") from None
    if not data.strip():
        raise ParseError(f"{path} is empty")
    try:
        return decode_bytes(data, encoding)
    except ParseError as exc:
        raise ParseError(f"{path} is not valid text: {exc.args[0]}", location=exc.location) from None


def _input(source: Any, limits: Limits | None = None, encoding: str | None = None) -> ParserInput:
    if isinstance(source, os.PathLike):
        path = Path(source)
        return ParserInput(text=_read(path, limits, encoding), file=str(path))
    if isinstance(source, str):
        path_or_none = _existing_path(source)
        if path_or_none is not None:
            return ParserInput(text=_read(path_or_none, limits, encoding), file=str(path_or_none))
        check_size(len(source), limits or default_limits())
        return ParserInput(text=source)
    if isinstance(source, (bytes, bytearray, memoryview)):
        check_size(len(source), limits or default_limits())
        return ParserInput(text=decode_bytes(bytes(source), encoding))
    if isinstance(source, (dict, list)):
        return ParserInput(value=source)
    raise UsageError(
        f"cannot load a {type(source).__name__}: pass a path, text, bytes, a dict, a list or a Conversation"
    )


def parse_input(
    data: ParserInput, format: str | None = "auto", *, id: str | None = None, limits: Limits | None = None
) -> Conversation:
    """Parse a prepared input with the named parser, or the sniffed one for ``"auto"``.

    ``limits`` (default: :func:`handoff_ai.limits.default_limits`) bound JSON depth,
    message count and message length; a breach is a ``LimitExceededError``.
    """
    limits = limits or default_limits()
    if data.text is not None and not data.text.strip():
        raise ParseError("input is empty", location=data.prefix)
    value = data.try_json()
    if value is not NOT_JSON:
        check_depth(value, limits, location=data.prefix)
    conversation = _parse(data, format, id)
    check_conversation(conversation.messages, limits, location=data.prefix)
    return conversation


def _parse(data: ParserInput, format: str | None, id: str | None) -> Conversation:
    if format is None or format == "auto":
        spec = sniff(data)
        if spec is None and unlabelled_note(data):
            return single_customer_message(data, id=id, file=data.file)
        if spec is None:
            where = f" in {data.file}" if data.file else ""
            raise UnknownFormatError(
                f"could not recognise the conversation format{where}", known=parser_names()
            )
    else:
        spec = get_parser(format)
    try:
        return spec.parser.parse(data, id=id, file=data.file)
    except HandoffError:
        raise
    except RecursionError:
        raise ParseError("input is nested too deeply", format=spec.name, location=data.prefix) from None
    except _UNEXPECTED as exc:  # a parser bug must still surface as a HandoffError
        raise ParseError(
            f"could not parse input ({type(exc).__name__})", format=spec.name, location=data.prefix
        ) from exc


def load(
    source: Source,
    format: str = "auto",
    *,
    id: str | None = None,
    limits: Limits | None = None,
    encoding: str | None = None,
) -> Conversation:
    """Read one conversation from a file, text, bytes, a dict or a list.

    Args:
        source: a ``Conversation`` (returned as is), a path (``pathlib.Path``,
            or a ``str`` naming an existing file), text content, UTF-8 bytes
            (a BOM is honoured), or decoded JSON (a dict or list).
        format: a registered format name (see :func:`formats`), or ``"auto"``
            to sniff it, most specific parser first.
        id: the conversation id; default: the id in the input, else the file
            name's stem, else ``"conversation"``.
        limits: size bounds (:class:`handoff_ai.limits.Limits`); default: the
            module default, replaceable with ``handoff_ai.limits.set_default_limits``.
        encoding: the text encoding of a file or bytes (``"latin-1"``); default:
            UTF-8 (a BOM is honoured), and for an email each part's declared charset.

    Raises:
        UnknownFormatError: ``format`` is not registered, or no parser recognises the input.
        ParseError: the input is empty or malformed (``location`` says where);
            ``LimitExceededError`` (a ``ParseError``) when it exceeds ``limits``.
        UsageError: the path does not exist or cannot be read, or ``source`` has an unsupported type.
    """
    if isinstance(source, Conversation):
        return source if id is None else source.model_copy(update={"id": id})
    return parse_input(_input(source, limits, encoding), format, id=id, limits=limits)


def _conversation_line(value: Any) -> bool:
    """Whether one JSON Lines value is a whole conversation (not a single message)."""
    return is_conversation(value) or (isinstance(value, list) and bool(value))


def _iter_lines(lines: Iterable[bytes | str], file: str | None) -> Iterator[tuple[int, Any]]:
    """Decoded, JSON-parsed non-blank lines with their 1-based numbers."""
    for number, raw in enumerate(lines, start=1):
        if isinstance(raw, bytes):
            if number == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise ParseError(
                    "line is not valid UTF-8", format="jsonl", location=f"line {number}"
                ) from None
        else:
            line = raw.lstrip("\ufeff") if number == 1 else raw
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            raise ParseError("invalid JSON", format="jsonl", location=f"line {number}") from None


def _stream(
    rows: Iterator[tuple[int, Any]], first: tuple[int, Any], format: str, file: str | None, stem: str
) -> Iterator[Conversation]:
    for number, value in itertools.chain((first,), rows):
        data = ParserInput(value=value, file=file, prefix=f"line {number}", fallback_id=f"{stem}-{number}")
        yield parse_input(data, format)


def load_many(
    source: Source | Iterable[Any], format: str = "auto", *, encoding: str | None = None
) -> Iterator[Conversation]:
    """Stream conversations from JSON Lines (one conversation per line) or a list of them.

    A file is read incrementally, so memory stays bounded however long it is:
    JSON Lines line by line; a JSON array of conversations (``[{...}, ...]``)
    element by element (ids default to ``<file stem>-<n>``, pointers start with
    ``[i]``); an mbox thread by thread, one conversation per thread (ids
    ``<file stem>-<n>``; a single-thread mbox keeps the stem, as :func:`load`
    does). Any other file (one conversation, e.g. a JSON object with a
    ``messages`` list) is read whole by :func:`load`. An iterable that is not a
    list (a generator of rows) is consumed lazily, one conversation per item.
    Input that holds a single conversation (any format :func:`load` reads)
    yields that one conversation. Conversations without an id get
    ``<file stem>-<line number>`` (or ``conversation-<n>`` for a list).

    ``encoding`` is as for :func:`load` (for a file read whole, or bytes). A folder is
    read file by file, sorted by name; a file that is not a conversation raises when
    it is reached.

    Raises:
        The errors of :func:`load`, raised when the bad line is reached;
        earlier conversations have already been yielded.
    """
    if isinstance(source, Conversation):
        yield source
        return
    if isinstance(source, dict):
        yield load(source, format)
        return
    if isinstance(source, (list, tuple)):
        if source and (isinstance(source[0], Conversation) or _conversation_line(source[0])):
            yield from _from_items(source, format)
        else:
            yield load(list(source), format)
        return
    if isinstance(source, Iterable) and not isinstance(source, (str, bytes, bytearray, memoryview)):
        yield from _from_items(source, format)  # e.g. a generator of rows: one conversation per item
        return

    path: Path | None = None
    if isinstance(source, os.PathLike):
        path = Path(source)
    elif isinstance(source, str):
        path = _existing_path(source)
    if path is not None and path.is_dir():
        # A folder: its files, sorted by name (hidden ones skipped), as the command line reads it.
        for child in sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")):
            yield from _load_file(child, format, encoding)
        return
    if path is not None:
        yield from _load_file(path, format, encoding)
        return
    if isinstance(source, (str, bytes, bytearray, memoryview)):
        text = source if isinstance(source, str) else decode_bytes(bytes(source), encoding)
        rows = _iter_lines(text.splitlines(), None)
        first = _first_conversation_row(rows)
        if first is None:
            yield load(text, format)
        else:
            yield from _stream(rows, first, format, None, "conversation")
        return
    raise UsageError(f"cannot load conversations from a {type(source).__name__}")


def _from_items(items: Iterable[Any], format: str) -> Iterator[Conversation]:
    for index, item in enumerate(items):
        if isinstance(item, Conversation):
            yield item
            continue
        data = _input(item)
        data.prefix = f"[{index}]"
        data.fallback_id = f"conversation-{index + 1}"
        yield parse_input(data, format)


def _first_conversation_row(rows: Iterator[tuple[int, Any]]) -> tuple[int, Any] | None:
    """The first row if the input is JSON Lines of conversations, else ``None``."""
    try:
        first = next(rows)
    except (StopIteration, ParseError):
        return None
    return first if _conversation_line(first[1]) else None


def _load_file(path: Path, format: str, encoding: str | None = None) -> Iterator[Conversation]:
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or type(exc).__name__}") from None
    with handle:
        kind = sniff_kind(handle)
        if kind == "mbox" and format in ("auto", "email"):
            yield from _mbox_threads(path)
            return
        if kind == "array":
            items = iter_json_array(handle)
            try:
                first = next(items, None)
            except ParseError:
                first = None  # let ``load`` report it as it would any JSON
            if first is not None and _conversation_line(first[1]):
                yield from _array(itertools.chain((first,), items), format, str(path), path.stem)
                return
            handle.seek(0)
        rows = _iter_lines(handle, str(path))
        first_row = _first_conversation_row(rows)
        if first_row is not None:
            yield from _stream(rows, first_row, format, str(path), path.stem)
            return
    yield load(path, format, encoding=encoding)


def _array(items: Iterator[tuple[int, Any]], format: str, file: str, stem: str) -> Iterator[Conversation]:
    for index, value in items:
        data = ParserInput(value=value, file=file, prefix=f"[{index}]", fallback_id=f"{stem}-{index + 1}")
        yield parse_input(data, format)


def _mbox_threads(path: Path) -> Iterator[Conversation]:
    """One conversation per thread, with the registered email parser's support options."""
    parser = get_parser("email").parser
    options: dict[str, Any] = {}
    if isinstance(parser, EmailParser):
        options = {"support_addresses": parser.support_addresses, "support_domains": parser.support_domains}
    threads = iter_mbox_threads(path, **options)
    first = next(threads, None)
    if first is None:
        return
    try:
        second = next(threads, None)
    except HandoffError:
        yield first  # the good thread first, as with every later one
        raise
    if second is None:
        yield first.model_copy(update={"id": path.stem})
        return
    yield first
    yield second
    yield from threads

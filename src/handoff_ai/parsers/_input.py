"""The raw input a parser sees: decoded text and/or an already-built Python value.

Sniffing runs several parsers over one input, so the expensive step every JSON
format needs — decoding the text — happens once here and is cached. Bytes are
decoded strictly (a byte-order mark is honoured, invalid UTF-8 is a
``ParseError``) because silently replacing characters would corrupt the very
identifiers (order numbers, emails) a handoff must carry over.
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any, Final

from ..exceptions import ParseError, UsageError

__all__ = ["NOT_JSON", "JsonLines", "ParserInput", "decode_bytes"]


class _NotJson:
    """Sentinel type: the input is not JSON."""

    def __repr__(self) -> str:
        return "NOT_JSON"


NOT_JSON: Final = _NotJson()
"""Returned by :meth:`ParserInput.try_json` when the input does not decode as JSON."""

_UNSET: Final = object()


class JsonLines(list[Any]):
    """Values decoded from JSON Lines text, with the 1-based line number of each."""

    def __init__(self, values: list[Any], lines: list[int]) -> None:
        super().__init__(values)
        self.lines = lines


_MAIL_HEAD: Final = re.compile(rb"(?:From |[A-Za-z][A-Za-z0-9-]{0,40}:[ \t])")


def _looks_like_mail(data: bytes) -> bool:
    """Whether bytes start like an RFC 5322 message or an mbox: headers first, one of them ``From:``."""
    body = data.lstrip(b"\r\n")
    if _MAIL_HEAD.match(body[:64]) is None:
        return False
    headers = body.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].lower()
    return headers.startswith((b"from ", b"from:")) or b"\nfrom:" in headers


def decode_bytes(data: bytes, encoding: str | None = None) -> str:
    """Decode input bytes as text: UTF-8 (with or without BOM) or BOM-marked UTF-16/32.

    ``encoding`` (``"latin-1"``, ``"cp1252"``, …) overrides the detection. An
    email that is not UTF-8 is kept byte for byte (undecodable bytes as
    surrogate escapes): the email parser decodes every part with the charset
    that part declares (``charset=iso-8859-1``).

    Raises:
        ParseError: the bytes are not valid in the detected or given encoding.
        UsageError: ``encoding`` is not a known codec.
    """
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise UsageError(f"unknown text encoding: {encoding!r}") from None
        try:
            return data.decode(encoding).removeprefix("\ufeff")
        except UnicodeDecodeError as exc:
            raise ParseError(f"input is not valid {encoding}", location=f"byte {exc.start}") from None
    detected = "utf-8"
    if data.startswith(codecs.BOM_UTF8):
        data, detected = data[3:], "utf-8"
    elif data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        detected = "utf-32"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        detected = "utf-16"
    try:
        return data.decode(detected).removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        if detected == "utf-8" and _looks_like_mail(data):
            return data.decode("utf-8", "surrogateescape")
        raise ParseError(
            f"input is not valid {detected.upper()} (name its encoding, e.g. encoding='latin-1' "
            "or --encoding latin-1)",
            location=f"byte {exc.start}",
        ) from None


def _looks_like_json(text: str) -> bool:
    """True when ``text`` starts like a JSON object or array (not ``[10:32] Bot: ...``)."""
    stripped = text.lstrip()
    if not stripped:
        return False
    first = stripped[0]
    if first == "{":
        return True
    if first != "[":
        return False
    rest = stripped[1:].lstrip()
    return not rest or rest[0] in '{["]'


class ParserInput:
    """One input, as handed to ``sniff`` and ``parse``.

    Attributes:
        text: the decoded text, or ``None`` when the caller passed a dict/list.
        file: the path the input was read from, if any.
        prefix: where this input sits inside a larger one (``line 5`` of a
            JSONL batch); parsers prepend it to their pointers via :meth:`where`.
        fallback_id: the conversation id to use when the input has none
            (``dev-12`` for line 12 of ``dev.jsonl``); else the file's stem.
    """

    __slots__ = ("_error", "_value", "fallback_id", "file", "prefix", "text")

    def __init__(
        self,
        *,
        text: str | None = None,
        value: Any = _UNSET,
        file: str | None = None,
        prefix: str | None = None,
        fallback_id: str | None = None,
    ) -> None:
        self.text = text.removeprefix("\ufeff") if text is not None else None
        self.fallback_id = fallback_id
        self.file = file
        self.prefix = prefix
        self._value: Any = value
        self._error: tuple[str, str | None] | None = None

    def __repr__(self) -> str:  # never show the content: it is personal data
        kind = "text" if self.text is not None else type(self._value).__name__
        return f"ParserInput({kind}, file={self.file!r})"

    @property
    def is_text(self) -> bool:
        """Whether the input came in as text (a file, str or bytes)."""
        return self.text is not None

    def where(self, pointer: str) -> str:
        """``pointer`` inside this input, prefixed with where the input itself came from."""
        return f"{self.prefix}, {pointer}" if self.prefix else pointer

    def try_json(self) -> Any:
        """The decoded JSON value (a :class:`JsonLines` for JSON Lines), or ``NOT_JSON``."""
        if self._value is _UNSET:
            self._decode()
        return self._value

    @property
    def json_syntax_error(self) -> bool:
        """Whether the input is text that starts like JSON but does not decode."""
        return self.try_json() is NOT_JSON and self._error is not None

    def json(self, format: str = "json") -> Any:
        """The decoded JSON value (a :class:`JsonLines` for JSON Lines).

        Raises:
            ParseError: the input is text that is not valid JSON or JSON Lines.
        """
        value = self.try_json()
        if value is NOT_JSON:
            message, location = self._error or ("input is not JSON", None)
            raise ParseError(message, format=format, location=location)
        return value

    def _decode(self) -> None:
        text = self.text
        self._value = NOT_JSON
        if text is None or not _looks_like_json(text):
            return
        try:
            self._value = json.loads(text)
            return
        except RecursionError:
            self._error = ("JSON is nested too deeply", None)
            return
        except json.JSONDecodeError as exc:
            self._error = (f"invalid JSON ({exc.msg})", f"line {exc.lineno} column {exc.colno}")
            if exc.msg != "Extra data":
                return
        # "Extra data" after a first value: maybe JSON Lines, one value per line.
        values: list[Any] = []
        lines: list[int] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                values.append(json.loads(line))
            except RecursionError:
                self._error = ("JSON is nested too deeply", f"line {number}")
                return
            except json.JSONDecodeError as exc:
                self._error = (f"invalid JSON Lines ({exc.msg})", f"line {number}")
                return
            lines.append(number)
        self._value = JsonLines(values, lines)

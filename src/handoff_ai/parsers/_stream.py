"""Incremental reading of large files for ``load_many``: what a file holds, and a streamed JSON array.

A JSON array of conversations (``[{...}, {...}, ...]``, often one 100 MB line)
is decoded one element at a time with :meth:`json.JSONDecoder.raw_decode` (the
stdlib's C scanner) over a text buffer refilled from the file in chunks, so
memory holds one element plus a chunk, never the whole file. No dependency is
needed: ``ijson`` would also stream, but its fast backend needs the C ``yajl``
library and its pure-Python one is many times slower than ``raw_decode``.

An element cut by a chunk boundary fails to decode near the end of the buffer;
then more is read (at least doubling what is buffered, so a huge element costs
linear time, not quadratic) and the decode is retried. An error well before the
end of the buffer, or at the end of the file, is a real syntax error and is
reported with its line and column in the file.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import IO, Any, Final, Literal

from ..exceptions import ParseError

__all__ = ["CHUNK_SIZE", "Kind", "iter_json_array", "sniff_kind"]

CHUNK_SIZE = 1 << 20
"""Bytes read from the file at a time (a module variable so tests can shrink it)."""

Kind = Literal["array", "mbox", "other"]

_SNIFF_BYTES: Final = 4096
_WHITESPACE: Final = re.compile(r"[ \t\n\r]*")
_MBOX_FROM: Final = re.compile(rb"From \S")
_TRUNCATION_MARGIN: Final = 64  # a decode error this close to the buffer's end may be a cut element
_DECODER: Final = json.JSONDecoder()


def _encoding(head: bytes) -> str:
    """The codec for a file starting with ``head``: BOM-marked UTF-32/16, else UTF-8 (BOM skipped)."""
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8-sig"


def sniff_kind(handle: IO[bytes]) -> Kind:
    """Peek at the start of a file (the position is restored): a JSON array, an mbox, or anything else.

    ``array`` only says the file starts with ``[`` then ``{`` or ``[``; whether
    its elements are conversations is for the caller to decide.
    """
    start = handle.tell()
    head = handle.read(_SNIFF_BYTES)
    handle.seek(start)
    text = head.decode(_encoding(head), errors="replace").lstrip("\ufeff")
    stripped = text.lstrip()
    if stripped.startswith("[") and stripped[1:].lstrip().startswith(("{", "[")):
        return "array"
    if _MBOX_FROM.match(head.lstrip(b"\r\n")):
        return "mbox"
    return "other"


class _Buffer:
    """Decoded text read from a binary file chunk by chunk, with line tracking for errors."""

    def __init__(self, handle: IO[bytes], chunk_size: int, format: str) -> None:
        self.handle = handle
        self.chunk_size = chunk_size
        self.format = format
        self.text = ""
        self.eof = False
        self.line = 1  # line number of text[0] in the file
        self.column = 1  # column of text[0]
        self.read_bytes = 0
        head = handle.read(4)
        self.decoder = codecs.getincrementaldecoder(_encoding(head))()
        self._feed(head)

    def _feed(self, data: bytes) -> None:
        final = not data
        try:
            self.text += self.decoder.decode(data, final=final)
        except UnicodeDecodeError as exc:
            offset = self.read_bytes + max(exc.start, 0)
            raise ParseError(
                "input is not valid text", format=self.format, location=f"byte {offset}"
            ) from None
        self.read_bytes += len(data)
        self.eof = final

    def more(self, at_least: int = 0) -> bool:
        """Read another chunk (or at least ``at_least`` characters' worth); ``False`` at end of file."""
        if self.eof:
            return False
        size = max(self.chunk_size, at_least)
        target = len(self.text) + size
        while not self.eof and len(self.text) < target:
            self._feed(self.handle.read(size))
        return True

    def drop(self, count: int) -> None:
        """Forget the first ``count`` characters (already decoded), keeping line numbers right."""
        if count <= 0:
            return
        gone = self.text[:count]
        newlines = gone.count("\n")
        if newlines:
            self.line += newlines
            self.column = count - gone.rfind("\n")
        else:
            self.column += count
        self.text = self.text[count:]

    def location(self, index: int) -> str:
        before = self.text[:index]
        newlines = before.count("\n")
        if newlines:
            column = index - before.rfind("\n")
            return f"line {self.line + newlines} column {column}"
        return f"line {self.line} column {self.column + index}"

    def skip_whitespace(self, index: int) -> int:
        """The index of the next non-whitespace character, reading more as needed (``len`` at EOF)."""
        while True:
            match = _WHITESPACE.match(self.text, index)
            index = match.end() if match else index
            if index < len(self.text) or not self.more():
                return index

    def fail(self, message: str, index: int) -> ParseError:
        return ParseError(message, format=self.format, location=self.location(index))


def iter_json_array(
    handle: IO[bytes], *, chunk_size: int | None = None, format: str = "json"
) -> Iterator[tuple[int, Any]]:
    """``(index, value)`` for each element of the JSON array the binary ``handle`` holds.

    Memory holds the current element plus about one chunk, whatever the file
    size. Elements are yielded as they are decoded, so a syntax error further on
    is raised only after every earlier element has been yielded.

    Raises:
        ParseError: the file is not a JSON array, has a syntax error (``location``
            is ``line L column C`` in the file), holds text after the array, or
            is not valid text.
    """
    buffer = _Buffer(handle, chunk_size or CHUNK_SIZE, format)
    index = buffer.skip_whitespace(0)
    if index >= len(buffer.text) or buffer.text[index] != "[":
        raise buffer.fail("expected a JSON array", index)
    index = buffer.skip_whitespace(index + 1)
    if index < len(buffer.text) and buffer.text[index] == "]":
        _expect_end(buffer, index + 1)
        return
    count = 0
    while True:
        buffer.drop(index)
        value, end = _decode_one(buffer)
        yield count, value
        count += 1
        index = buffer.skip_whitespace(end)
        if index >= len(buffer.text):
            raise buffer.fail("unterminated JSON array (expected ',' or ']')", index)
        separator = buffer.text[index]
        if separator == "]":
            _expect_end(buffer, index + 1)
            return
        if separator != ",":
            raise buffer.fail("expected ',' or ']' after an array element", index)
        index = buffer.skip_whitespace(index + 1)


def _decode_one(buffer: _Buffer) -> tuple[Any, int]:
    """Decode the value at the start of the buffer, reading more until it is whole."""
    while True:
        text = buffer.text
        try:
            value, end = _DECODER.raw_decode(text)
        except json.JSONDecodeError as exc:
            near_end = exc.pos + _TRUNCATION_MARGIN >= len(text) or exc.msg.startswith("Unterminated string")
            if near_end and buffer.more(at_least=len(text)):
                continue
            raise buffer.fail(f"invalid JSON ({exc.msg})", exc.pos) from None
        except RecursionError:
            raise buffer.fail("JSON is nested too deeply", 0) from None
        if end < len(text) or not buffer.more():  # a value ending at the buffer's edge may be cut (`12|3`)
            return value, end


def _expect_end(buffer: _Buffer, index: int) -> None:
    index = buffer.skip_whitespace(index)
    if index < len(buffer.text):
        raise buffer.fail("extra data after the JSON array", index)

"""Case-sensitive copies of case-ignoring regexes, for lower-cased ASCII text.

Python's ``re`` pays for ``re.IGNORECASE``: every character of the text is case-folded as it is
compared, and a pattern whose alternatives each start with a literal loses the quick scan for
their first letters. On ASCII text, ``text.lower()`` keeps every offset, and a case-ignoring
regex finds exactly what its source written in lower case finds, case-sensitively, in the
lower-cased text: the same matches at the same places. So a recognizer's first search on an
ASCII message runs that twin over ``lower`` (two to four times faster on a chat turn), and only
where it found something does the recognizer's own regex match, to give its groups in the
message's own case. A pattern where lower-casing is not that simple has no twin (see
``lowered_twin``); ``tests/test_lowered_twins.py`` checks the twins on fuzzed text.
"""

from __future__ import annotations

import re
import sys

if sys.version_info >= (3, 11):  # the parser that tells a pattern's shortest match (3.11 moved it)
    from re import _parser as _sre_parse
else:  # pragma: no cover - Python 3.10
    import sre_parse as _sre_parse

__all__ = ["folds_to_ascii", "lowered_twin"]

_REFUSED = re.compile(
    r"\\(?:[1-9]|0|x|u|U|N)"  # back-references and characters written by number or name
    r"|\(\?P="  # a named back-reference
    r"|\(\?[aiLmsux-]"  # inline flags: a part may be case-sensitive ("(?-i:UTC)")
    r"|\(\?\("  # a conditional
)


def folds_to_ascii(char: str) -> bool:
    """Whether ignoring case equates ``char`` with an ASCII character ("ſ" and "s", the Kelvin
    sign and "k")."""
    return any(re.fullmatch(re.escape(char), chr(code), re.IGNORECASE) for code in range(128))


def _letter_case(char: str) -> int:
    """1 for an ASCII capital, 2 for an ASCII small letter, 0 for anything else."""
    if "A" <= char <= "Z":
        return 1
    return 2 if "a" <= char <= "z" else 0


def lowered_twin(pattern: re.Pattern[str], *, allow_empty: bool = False) -> re.Pattern[str] | None:
    """``pattern`` (case ignored) written in lower case, without ``re.IGNORECASE``: on ASCII
    text, ``twin.search(text.lower(), pos)`` finds the match ``pattern.search(text, pos)`` finds,
    at the same offsets. ``None`` when ``pattern`` does not ignore case, or lower-casing its
    source could change what it means: inline flags, back-references, characters written by
    number, a non-ASCII character that ignoring case equates with an ASCII one, or a character
    range from a capital to anything but a capital (or from a small letter to anything but one);
    also, unless ``allow_empty`` (for a single ``match`` or ``search``), when it can match the empty
    string (``finditer``'s step after an empty match is not one a later ``match`` can take).
    """
    source = pattern.pattern
    if not isinstance(source, str) or not pattern.flags & re.IGNORECASE or _REFUSED.search(source):
        return None
    if any(folds_to_ascii(char) for char in {c for c in source if not c.isascii()}):
        return None
    out: list[str] = []
    index, size = 0, len(source)
    in_class = False
    previous = ""  # in a class: the last single character, "\\" after an escape, "" at its start
    while index < size:
        char = source[index]
        if char == "\\":  # an escape keeps its letter: \D, \S, \W, \B, \A, \Z mean other things
            out.append(source[index : index + 2])
            index += 2
            previous = "\\"
            continue
        if in_class:
            if char == "]":
                in_class = False
            elif char == "-" and previous and index + 1 < size and source[index + 1] != "]":
                high = source[index + 1]
                if previous == "\\" or high == "\\" or _letter_case(previous) != _letter_case(high):
                    return None  # "[A-z]" holds more than letters; an escape's range: not read
                out.append("-" + high.lower())
                index += 2
                previous = ""
                continue
            previous = char
        elif char == "[":
            in_class = True
            opener = "[^" if source.startswith("[^", index) else "["
            out.append(opener)
            index += len(opener)
            previous = ""
            if index < size and source[index] == "]":  # "[]...]", "[^]...]": a literal "]"
                out.append("]")
                index += 1
                previous = "]"
            continue
        elif source.startswith("(?P<", index):  # a group's name, kept as is
            end = source.index(">", index)
            out.append(source[index : end + 1])
            index = end + 1
            continue
        out.append(char.lower())
        index += 1
    try:
        if not allow_empty and _sre_parse.parse(source, pattern.flags).getwidth()[0] == 0:
            return None
        return re.compile("".join(out), pattern.flags & ~re.IGNORECASE)
    except (re.error, AttributeError, TypeError):  # pragma: no cover - a source or parser not foreseen
        return None

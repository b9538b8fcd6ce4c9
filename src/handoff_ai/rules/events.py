"""Logged events (tool calls and results, button clicks, system logs): outcome and reason, and
each event as an action (``read_event``, for ``extract_actions``).

A failed tool call is only useful to the next person with its reason, so a
failing result is read for what a developer would look at first: an error
code (``FARE_RULE_VIOLATION``), an HTTP status, an exception name, and the
error message, from a JSON payload when the result is one, otherwise from the
text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Hashable
from functools import lru_cache
from typing import Any

from ..models import Action, Message
from ..models.record import Outcome
from .phrases import any_literal
from .sentences import MAX_DESCRIPTION, shorten

__all__ = ["SPINNER_ENDS", "event_outcome", "failure_reason", "read_event", "result_outcome"]


def _lowered(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """A case-sensitive copy of a case-insensitive ``pattern`` for lower-cased ASCII text: its letters
    in lower case (``[A-Z]`` -> ``[a-z]``), its escapes (``\\b``, ``\\s``) left alone. Meant for this
    module's own patterns: no inline flags, no letter written as a code (``\\x41``)."""
    source = re.sub(
        r"\\.|[A-Z]", lambda m: m.group() if len(m.group()) > 1 else m.group().lower(), pattern.pattern
    )
    return re.compile(source, pattern.flags & ~re.IGNORECASE)


class _EventPattern:
    """A case-insensitive regex (behind a literal-word pre-check), read on the text lower-cased once.

    An event is read by three of these: lower-casing the text once and searching a case-sensitive
    copy is about three times cheaper than the case-insensitive regex. Only ASCII text is read that
    way (there a case-insensitive match is exactly a match in the lower-cased text); other text goes
    to the original regex, as :class:`.prechecks.GuardedPattern` does.
    """

    __slots__ = ("guard", "lowered", "regex")

    def __init__(self, regex: re.Pattern[str], words: str | None) -> None:
        self.regex = regex
        self.guard = any_literal(words.lower().split()) if words else None
        self.lowered = _lowered(regex)

    def found(self, text: str, lower: str | None) -> bool:
        """Whether ``text`` holds a match; ``lower``: ``text.lower()`` for ASCII text, else ``None``."""
        if lower is None:
            return self.regex.search(text) is not None
        if self.guard is not None and self.guard.search(lower) is None:
            return False
        return self.lowered.search(lower) is not None


_FAILED_WORDS = (
    "fail error denied declined rejected unable invalid not time exception unsuccessful could refused "
    "unavailable forbidden unauthori violation conflict mismatch blocked limit many expired traceback"
)
_EVENT_FAILED = _EventPattern(
    re.compile(
        r"\b(?:fail(?:ed|ure|s)?|error|denied|declined|rejected|unable|invalid|not\s+found|timed?\s*out|"
        r"exception|unsuccessful|could\s+not|couldn't|refused|unavailable|forbidden|unauthori[sz]ed|"
        r"violation|conflict|mismatch(?:ed)?|blocked|rate[\s_-]?limit(?:ed)?|too\s+many\s+requests|expired|"
        r"not\s+(?:allowed|verified|matched|accepted|confirmed|approved)|traceback)\b|\b[A-Z]\w*(?:Error|Exception)\b",
        re.IGNORECASE,
    ),
    _FAILED_WORDS,
)
_EVENT_PENDING = _EventPattern(
    re.compile(
        r"\b(?:in\s+progr?ess|pending|processing|querying|searching|looking\s+for|waiting|awaiting|queued|"
        r"enqueued|on\s+hold)\b|\.\.\.\s*$",
        re.IGNORECASE,
    ),
    "prog pending processing querying searching looking waiting queued hold ...",
)
_EVENT_DONE = _EventPattern(
    re.compile(
        r"\b(?:has\s+been|have\s+been|was|were|is\s+now|completed?|succe(?:ss|eded|ssful(?:ly)?)|done|ok|created|"
        r"updated|sent|made|issued|selected|entered|noted|recorded|pulled\s+up|generated|notified|returned|found|"
        r"captured|confirmed|approved|booked|scheduled|success|true|accepted|passed|verified|matched)\b",
        re.IGNORECASE,
    ),
    None,  # no pre-check: the lowered regex costs what a literal scan would
)

_HTTP = re.compile(
    r"\b(?:HTTP(?:/\d(?:\.\d)?)?|status(?:[\s_]?code)?)\s*[:=]?\s*\"?([1-5]\d\d)\b", re.IGNORECASE
)
_STATUS_HINTS = ("HTTP", "http", "Http", "tatus", "TATUS", "->", "→", "=>", "eturn")
_STATUS_HINT = any_literal(_STATUS_HINTS)
_ARROW_STATUS = re.compile(r"(?:->|→|=>|\breturn(?:ed|s)?)\s*:?\s*\"?([1-5]\d\d)\b", re.IGNORECASE)
"""A status after an arrow or "returned": ``change_plan(...) -> 409 CONFLICT``."""
_FAILING = any_literal((*_FAILED_WORDS.split(), *(hint.lower() for hint in _STATUS_HINTS if hint.isascii())))
"""In lower-cased ASCII text, one pre-check of both the failure words and the status hints."""
_LATER: tuple[tuple[_EventPattern, Outcome], ...] = ((_EVENT_PENDING, "pending"), (_EVENT_DONE, "succeeded"))
_CODE = re.compile(r"\b[A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+\b")
_EXCEPTION = re.compile(r"\b[A-Z][A-Za-z0-9]*(?:Error|Exception|Timeout|Fault)\b")
_CODE_KEYS = ("code", "error_code", "errorCode", "error_type", "errorType", "type", "name", "exception")
_STATUS_KEYS = ("status", "status_code", "statusCode", "http_status", "httpStatus")
_MESSAGE_KEYS = ("message", "detail", "details", "reason", "description", "error_description", "msg", "error")


def _payload(text: str) -> Any:
    stripped = text.strip()
    if not stripped.startswith(("{", "[")):
        return None
    try:
        return json.loads(stripped)
    except ValueError:
        return None


def _http_status(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 100 <= value <= 599:
        return value
    if isinstance(value, str) and value.isdigit() and 100 <= int(value) <= 599:
        return int(value)
    return None


def _read(node: Any, found: dict[str, Any], depth: int = 0) -> None:
    """Fill ``found`` with the first code, status and message in a JSON payload."""
    if depth > 4:
        return
    if isinstance(node, list):
        for item in node[:5]:
            _read(item, found, depth + 1)
        return
    if not isinstance(node, dict):
        return
    for key in _STATUS_KEYS:
        status = _http_status(node.get(key))
        if status is not None and "status" not in found:
            found["status"] = status
    for key in _CODE_KEYS:
        value = node.get(key)
        if isinstance(value, str) and value.strip() and "code" not in found and len(value) <= 60:
            found["code"] = value.strip()
        elif isinstance(value, int) and not isinstance(value, bool) and "code" not in found:
            found["code"] = str(value)
    for key in _MESSAGE_KEYS:
        value = node.get(key)
        if isinstance(value, str) and value.strip() and "message" not in found:
            found["message"] = " ".join(value.split())
    for value in node.values():
        if isinstance(value, (dict, list)):
            _read(value, found, depth + 1)


def failure_reason(text: str) -> str:
    """What a failing result says went wrong: ``"CODE: message (HTTP 503)"``, or ``""``."""
    found: dict[str, Any] = {}
    payload = _payload(text)
    if payload is not None:
        _read(payload, found)
    else:
        status = _HTTP.search(text) or _ARROW_STATUS.search(text)
        if status:
            found["status"] = int(status.group(1))
        code = _CODE.search(text) or _EXCEPTION.search(text)
        if code:
            found["code"] = code.group()
    parts: list[str] = []
    code = found.get("code")
    message = found.get("message")
    if code and message and code.lower() not in message.lower():
        parts.append(f"{code}: {message}")
    elif message:
        parts.append(message)
    elif code:
        parts.append(code)
    status = found.get("status")
    if status is not None and status >= 400 and f"{status}" not in " ".join(parts):
        parts.append(f"(HTTP {status})" if parts else f"HTTP {status}")
    return " ".join(parts)


def event_outcome(text: str) -> Outcome:
    """How a logged event reads: failed, pending, succeeded or unknown."""
    if not text.isascii():
        return _outcome(text, None)
    lower = text.lower()
    if _FAILING.search(lower) is not None or text.lstrip().startswith(("{", "[")):
        return _outcome(text, lower)  # a failure word, a status or a payload: read in full
    # Most events: no failure word, no status, no payload (one scan says so); ``_outcome``'s
    # last two tests, inline.
    for pattern, outcome in _LATER:
        guard = pattern.guard
        if (guard is None or guard.search(lower) is not None) and pattern.lowered.search(lower):
            return outcome
    return "unknown"


def _outcome(text: str, lower: str | None) -> Outcome:
    """:func:`event_outcome` read in full; ``lower``: ``text.lower()`` for ASCII text, else ``None``."""
    if _EVENT_FAILED.found(text, lower):
        return "failed"
    payload = _payload(text)
    if payload is not None:
        found: dict[str, Any] = {}
        _read(payload, found)
        if found.get("status", 0) >= 400:
            return "failed"
    elif _STATUS_HINT.search(text) and (
        (status := _HTTP.search(text) or _ARROW_STATUS.search(text)) and int(status.group(1)) >= 400
    ):
        return "failed"
    if _EVENT_PENDING.found(text, lower):
        return "pending"
    if _EVENT_DONE.found(text, lower):
        return "succeeded"
    return "unknown"


def result_outcome(text: str) -> Outcome:
    """How a tool call's result reads: as :func:`event_outcome`, and data returned without an
    error (a JSON object or list that is not empty) is a call that succeeded."""
    outcome = event_outcome(text)
    if outcome == "unknown":
        payload = _payload(text)
        if isinstance(payload, (dict, list)) and payload:
            return "succeeded"
    return outcome


_NOT_ACTIONS = ("channel_switch", "notice", "bookkeeping")
"""Event metadata flags for timeline markers, platform notices and bot-framework bookkeeping."""


def _is_marker(message: Message) -> bool:
    """Whether an event is flagged as one of ``_NOT_ACTIONS`` (three lookups, no generator)."""
    get = message.metadata.get
    return bool(get("channel_switch") or get("notice") or get("bookkeeping"))


SPINNER_ENDS = ("...", "…")
"""How a progress line that trails off ends ("Purchase validation in progress ...")."""

_MEMO_CHARS = 300
"""Longest event text whose reading is memoized (a long payload is read each time, never kept)."""


def _reading(text: str) -> tuple[Outcome, str, str]:
    """A plain event's outcome, description and de-duplication key (its one-line text, lower-cased)."""
    outcome = event_outcome(text)
    one_line = " ".join(text.split())
    # ``shorten(text)`` is that line when it fits (``shorten``'s own limit is longer).
    description = (one_line if len(one_line) <= MAX_DESCRIPTION else shorten(text)) or "(event with no text)"
    if outcome == "failed" and (reason := failure_reason(text)) and reason not in description:
        description = shorten(f"{description} → {reason}")
    return outcome, description, one_line.lower()


_memo_reading = lru_cache(maxsize=1024)(_reading)
"""``_reading``, remembered: logged events are written by systems from templates ("Identity
verification in progress ...", "Searching the FAQ pages ..."), so the same lines come back
conversation after conversation (84 % of ABCD's events repeat an earlier line), and reading one
costs three regex scans. Bounded (1,024 short texts), never logged."""


def read_event(
    index: int,
    message: Message,
    found: list[tuple[int, Hashable, Action]],
    calls: dict[str, Action],
    followed: bool = False,
) -> bool:
    """A logged event as an action appended to ``found`` as ``(position, key, action)``, or, when it is
    the result of a tool call in ``calls`` (by ``metadata["tool_call_id"]``), joined to that call: the
    call's description with the result's outcome and reason.

    ``followed``: the conversation goes on after this event. A progress line that trails off is
    then a spinner nothing waits on any more (see ``actions._settle_spinners``); a plain event's is
    settled here, once. True when the event opens a tool call, whose outcome its result may still
    set: the caller settles those spinners once every message is read."""
    metadata, text, role = message.metadata, message.text, message.role
    call_id = None
    if metadata:
        if _is_marker(message):
            return False
        call_id = metadata.get("tool_call_id")
        if not isinstance(call_id, str):
            call_id = None
        elif call_id in calls and role == "system":
            call = calls.pop(call_id)
            call.outcome = result_outcome(text)
            if call.outcome == "failed":
                reason = failure_reason(text) or text
                call.description = shorten(f"{call.description} → {reason}")
            call.evidence.append(message.id)
            return False
    outcome, description, key = _memo_reading(text) if len(text) <= _MEMO_CHARS else _reading(text)
    opened = call_id if role != "system" else None  # a tool call, awaiting its result
    if opened is not None:
        outcome = "pending"  # until its result says otherwise
    elif followed and outcome == "pending" and description.endswith(SPINNER_ENDS):
        outcome = "unknown"
    action = Action(description=description, actor=role, outcome=outcome, evidence=[message.id], rule="event")
    if opened is not None:
        calls[opened] = action
    found.append((index, ("event", key), action))  # repeats of one text are one item
    return opened is not None

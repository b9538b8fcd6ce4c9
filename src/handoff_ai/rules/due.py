"""When a promise is due: found as written, resolved to ISO 8601 against the message's time.

"in 5–7 business days", "within 24 hours", "by Friday", "Tue 10:00", "tomorrow",
"March 5": :class:`DueReader` finds the first such expression in a sentence and,
when the message has a timestamp, resolves it:

* spans count from the message's time; a range counts to its last value (a promise
  of "5–7 business days" is late after day 7); business/working days skip Saturday
  and Sunday; hours and minutes give a date-time, days and weeks a date; months are
  not resolved (calendar months vary);
* a weekday is the next one *after* the message's date (said on a Tuesday,
  "Tuesday" is next week's), with its time when one is given;
* a month and day is that date in the message's year, or the next year once past;
* vague words ("asap", "shortly", "next week") are kept as written, never resolved.

Without a timestamp nothing is resolved: a date is never guessed. Times are in the
message's own time zone (parsers store aware timestamps).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

__all__ = ["Due", "DueReader"]

_WORDS = re.compile(r"[^\W\d_]+")
_NON_LETTERS = bytes(i for i in range(128) if not _WORDS.match(chr(i)))
_LETTERS_ONLY = bytes.maketrans(_NON_LETTERS, b" " * len(_NON_LETTERS))
_DIGIT = re.compile(r"\d")


def _letter_words(low: str) -> set[str]:
    """``set(_WORDS.findall(low))``: an ASCII text's split where its bytes are no letters (cheaper)."""
    if low.isascii():
        return set(low.encode().translate(_LETTERS_ONLY).decode().split())
    return set(_WORDS.findall(low))


def _has_digit(text: str) -> bool:
    """``any(ch.isdigit() for ch in text)``: a regex first (every ``\\d`` is a digit); only a
    non-ASCII text without one is looked at character by character ("²" is a digit, not ``\\d``)."""
    if _DIGIT.search(text) is not None:
        return True
    return not text.isascii() and any(ch.isdigit() for ch in text)


@dataclass(frozen=True)
class Due:
    """A due time as written (``text``) and, when resolvable, as ISO 8601 (``iso``)."""

    text: str
    iso: str | None


def _alternation(phrases: list[str]) -> str:
    escaped = (re.escape(p.strip().lower()).replace(r"\ ", r"\s+") for p in phrases if p.strip())
    parts = sorted({part.replace("'", "['’]") for part in escaped}, key=len)
    return "|".join(reversed(parts))


def _first_word(phrase: str) -> str:
    """The first word of a phrase as a sentence's word set holds it ("d'ici" -> "d")."""
    found = _WORDS.findall(phrase.lower())
    return found[0] if found else phrase.split()[0].lower()


def _key_word(phrase: str) -> str:
    """The longest word of a phrase (the last of equal ones): a sentence holding the phrase holds
    it, as a word of its own (a rarer test than the first word: "as soon as possible" ->
    "possible", not "as")."""
    found = _WORDS.findall(phrase.lower())
    return max(reversed(found), key=len) if found else _first_word(phrase)


def _add_business_days(day: date, count: int) -> date:
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


class DueReader:
    """Due-time expressions of one language, compiled once from its data table."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.numbers: dict[str, int] = {k.lower(): int(v) for k, v in data["numbers"].items()}
        self.units: dict[str, str] = {k.lower(): v for k, v in data["units"].items()}
        self.days: dict[str, str | int] = {" ".join(k.lower().split()): v for k, v in data["days"].items()}
        self.weekdays: dict[str, int] = {
            name: index for index, names in enumerate(data["weekdays"]) for name in names
        }
        self.full_weekdays = {names[0] for names in data["weekdays"]}
        self.months: dict[str, int] = {
            name: index + 1 for index, names in enumerate(data["months"]) for name in names
        }
        self.pm = {p.lower() for p in data["pm"]}
        # Optional, for other languages: "15 Uhr", "14h" (a 24-hour clock word), "um 10 Uhr", "à 14h"
        # (words before a clock), "le 1er mars", "5. März" (ordinals), "5 jours ouvrés" (business after
        # the unit); a unit may be "workdays" itself ("Werktagen").
        self.clock_words = {w.lower() for w in data.get("clock_words", [])}
        clock_prefixes = _alternation(data.get("clock_prefixes", [])) or "at|@"
        leads = data.get("clock_leads")
        bare_leads = _alternation(leads) if leads else "by|at|before|until"
        bare_24_leads = _alternation(leads) if leads else "by|at|before|until|till"
        ordinals = _alternation(data.get("ordinals", [])) or "st|nd|rd|th"
        self.dotted = "." in data.get("ordinals", [])
        """Days are written "5." ("5. März"): a dot after a day may not end a sentence."""
        business_after = data.get("business_after", [])
        # Literal pre-checks: a regex is only tried on a sentence holding one of its words.
        self._span_words = {_first_word(w) for w in data["span_words"]}
        self._number_words = set(self.numbers)
        self._day_words = {_first_word(w) for w in self.days}
        self._day_keys = {_key_word(w) for w in self.days}
        """For ASCII text (where ignoring case is lower-casing): a word every day phrase holds."""
        self._weekday_words = set(self.weekdays)
        self._month_words = set(self.months)
        number = rf"(?:\d{{1,3}}|{_alternation(list(self.numbers))})"
        meridiem = _alternation([*data["am"], *data["pm"], *self.clock_words])
        clock = (
            rf"(?:(?:{clock_prefixes})\s+)?(?P<hour>\d{{1,2}})"
            rf"(?:(?::|\.|h)(?P<minute>[0-5]\d))?\s*(?P<mer>{meridiem})?"
        )
        self._clock = re.compile(rf"^{clock}(?![\w:])", re.IGNORECASE)
        self._span = re.compile(
            rf"(?<!\w)(?:{_alternation(data['span_words'])})\s+(?P<n1>{number})"
            rf"(?:\s*(?:{_alternation(data['range_words'])})\s*(?P<n2>{number}))?"
            rf"\s*(?P<biz>(?:{_alternation(data['business'])})\s+)?(?P<unit>{_alternation(list(self.units))})(?!\w)"
            + (rf"(?:\s+(?P<biz_after>{_alternation(business_after)})(?!\w))?" if business_after else ""),
            re.IGNORECASE,
        )
        self._day = re.compile(
            rf"(?<!\w)(?:by\s+|until\s+|before\s+)?(?P<day>{_alternation(list(self.days))})(?!\w)",
            re.IGNORECASE,
        )
        prefixes = _alternation(data["weekday_prefixes"])
        self._weekday = re.compile(
            rf"(?<!\w)(?P<prefix>(?:{prefixes})\s+)?(?P<wd>{_alternation(list(self.weekdays))})\.?(?!\w)",
            re.IGNORECASE,
        )
        months = _alternation(list(self.months))
        joiners = _alternation(list(data.get("day_month_joiners", ["of"])))  # "5 of March", "5 de marzo"
        self._month_day = re.compile(
            rf"(?<!\w)(?:(?P<mon>{months})\.?\s+(?P<d>\d{{1,2}})(?:{ordinals})?|(?P<d2>\d{{1,2}})(?:{ordinals})?\s+(?:(?:{joiners})\s+)?(?P<mon2>{months}))(?!\w)",
            re.IGNORECASE,
        )
        self._iso = re.compile(r"(?<![\w-])(?P<y>20\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?![\w-])")
        parts = _alternation(list(data.get("day_parts", [])) or ["morning"])
        self._day_part = re.compile(rf"^(?:{parts})(?!\w)", re.IGNORECASE)
        # "by 18:00", "before 15h30": a 24-hour clock needs its minutes (":" or "h", never "." as
        # in "reduced by 1.50").
        self._bare_24 = re.compile(
            rf"(?<![\w:.])(?:{bare_24_leads})\s+(?P<hour>[01]?\d|2[0-3])(?::|h)(?P<minute>[0-5]\d)"
            r"(?P<mer>)(?![\w:])",
            re.IGNORECASE,
        )
        events = _alternation(list(data.get("event_due", [])) or ["once"])
        # "once the limit is raised", "as soon as it's fixed": due on an event, kept as written.
        self._event = re.compile(
            rf"(?<!\w)(?:{events})\s+(?!(?:more|again|or|a|an|in|and|for)\b)[^,.;!?()]{{3,60}}?"
            r"(?=\s*(?:[,.;!?()]|$))",
            re.IGNORECASE,
        )
        self._event_words = {_first_word(w) for w in data.get("event_due", ["once"])}
        self._event_keys = {_key_word(w) for w in data.get("event_due", ["once"])}
        # "5 business days after the visit": a span counted from an event, kept as written.
        relative = data.get("span_after", [])
        self._after_event = (
            re.compile(
                rf"\s+(?:{_alternation(relative)})\s+(?!(?:today|now|this|that)\b)[^\W\d][^,.;!?()]{{2,40}}?"
                r"(?=\s*(?:[,.;!?()]|$))",
                re.IGNORECASE,
            )
            if relative
            else None
        )
        self._bare_clock = re.compile(
            rf"(?<![\w:.])(?:{bare_leads})\s+(?P<hour>\d{{1,2}})(?::(?P<minute>[0-5]\d))?\s*(?P<mer>{meridiem})(?!\w)|(?<![\w:.])(?:{bare_leads})\s+(?P<noon>noon|midday)(?!\w)",
            re.IGNORECASE,
        )

    # -- finding ----------------------------------------------------------------------

    def find(self, sentence: str, when: datetime | None) -> Due | None:
        """The first due expression in ``sentence``, resolved against ``when`` if given."""
        found: list[tuple[int, int, str, date | datetime | None]] = []
        words = _letter_words(sentence.lower())
        digits = _has_digit(sentence)
        plain = sentence.isascii()  # then a phrase's every word is a word of the lower-cased text
        if words & self._span_words and (digits or words & self._number_words):
            for match in self._span.finditer(sentence):
                after = self._after_event.match(sentence, match.end()) if self._after_event else None
                if after is not None:  # "within 5 business days after the visit": not from today
                    found.append((match.start(), after.end(), "span", None))
                    continue
                found.append((match.start(), match.end(), *self._resolve_span(match, when)))
        for match in self._iso.finditer(sentence) if digits and "-" in sentence else ():
            try:
                day: date | None = date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                continue
            found.append(self._with_clock(sentence, match.start(), match.end(), day, when))
        for match in self._month_day.finditer(sentence) if digits and words & self._month_words else ():
            found.append(
                self._with_clock(sentence, match.start(), match.end(), self._month_date(match, when), when)
            )
        for match in self._weekday.finditer(sentence) if words & self._weekday_words else ():
            name = match["wd"].lower()
            rest = sentence[match.end() :].lstrip()
            part = self._day_part.match(rest)
            bare = not match["prefix"] and not self._clock.match(rest) and not part
            if name not in self.full_weekdays and bare:
                continue  # "sat", "sun", "wed" alone are words too; "wed afternoon" is a day
            day = self._next_weekday(self.weekdays[name], when)
            if part is not None:  # "Wed afternoon": the day, with its part of the day as written
                end = match.end() + len(sentence[match.end() :]) - len(rest) + part.end()
                found.append((match.start(), end, "date", day))
                continue
            found.append(self._with_clock(sentence, match.start(), match.end(), day, when))
        for match in (
            self._day.finditer(sentence) if words & (self._day_keys if plain else self._day_words) else ()
        ):
            value = self.days[" ".join(match["day"].lower().split())]
            _, day = self._resolve_day(value, when)
            if value == "":
                found.append((match.start(), match.end(), "day", None))
            else:
                found.append(self._with_clock(sentence, match.start(), match.end(), day, when))
        clocks = self._bare_clocks(sentence) if digits or "noon" in words or "midday" in words else []
        if not found:
            for match in clocks[:1]:
                stamp = self._stamp(when.date() if when is not None else None, self._clock_time(match), when)
                if isinstance(stamp, datetime) and when is not None and stamp < when:
                    stamp += timedelta(days=1)  # "by 09:00" said in the evening: tomorrow morning
                iso = stamp.isoformat() if stamp else None
                return Due(self._text(sentence, match.start(), match.end()), iso)
            events = self._event_keys if plain else self._event_words
            event = self._event.search(sentence) if words & events else None
            return Due(" ".join(event.group().split()), None) if event else None
        start, end, _, resolved = min(found, key=lambda item: (item[0], -item[1]))
        if type(resolved) is date or (resolved is None and when is None):
            near = next((c for c in clocks if 0 <= start - c.end() <= 3 or 0 <= c.start() - end <= 3), None)
            if near is not None:  # "before 5pm today", "tomorrow by 18:00": the day at that clock
                clock = self._clock_time(near)
                if clock is not None:
                    span = sentence[min(start, near.start()) : max(end, near.end())]
                    text = " ".join(span.split()).rstrip(".,;")
                    stamp = self._stamp(resolved, clock, when) if resolved is not None else None
                    return Due(self._text(text, 0, len(text)), stamp.isoformat() if stamp else None)
        text = self._text(sentence, start, end)
        if resolved is None:
            return Due(text, None)
        if isinstance(resolved, datetime):
            resolved = resolved.replace(microsecond=0)
        return Due(text, resolved.isoformat())

    def _bare_clocks(self, sentence: str) -> list[re.Match[str]]:
        """Clock times after "by/at/before/until", in sentence order ("by 5pm", "before 15:00")."""
        found = [*self._bare_clock.finditer(sentence), *self._bare_24.finditer(sentence)]
        return sorted(found, key=lambda match: match.start())

    @staticmethod
    def _text(sentence: str, start: int, end: int) -> str:
        text = " ".join(sentence[start:end].split()).rstrip(".,;")
        for lead in ("by ", "on ", "until ", "before ", "at "):
            if text.lower().startswith(lead) and len(text) > len(lead):
                return text[len(lead) :]
        return text

    # -- resolving --------------------------------------------------------------------

    def _number(self, text: str) -> int:
        return int(text) if text.isdigit() else self.numbers[" ".join(text.lower().split())]

    def _resolve_span(
        self, match: re.Match[str], when: datetime | None
    ) -> tuple[str, date | datetime | None]:
        count = self._number(match["n2"] or match["n1"])
        unit = self.units[match["unit"].lower()]
        if when is None or unit == "months" or count > 400:
            return unit, None
        if unit == "minutes":
            return unit, when + timedelta(minutes=count)
        if unit == "hours":
            return unit, when + timedelta(hours=count)
        if unit == "weeks":
            return unit, when.date() + timedelta(weeks=count)
        if match["biz"] or unit == "workdays" or match.groupdict().get("biz_after"):
            return unit, _add_business_days(when.date(), count)
        return unit, when.date() + timedelta(days=count)

    @staticmethod
    def _resolve_day(value: str | int, when: datetime | None) -> tuple[str, date | None]:
        if when is None or value == "":
            return "day", None
        if isinstance(value, int):
            return "day", when.date() + timedelta(days=value)
        kind, _, count = str(value).partition(":")
        if kind == "business" and count.isdigit():
            return "day", _add_business_days(when.date(), int(count))
        return "day", None

    @staticmethod
    def _next_weekday(target: int, when: datetime | None) -> date | None:
        if when is None:
            return None
        ahead = (target - when.weekday()) % 7 or 7
        return when.date() + timedelta(days=ahead)

    def _month_date(self, match: re.Match[str], when: datetime | None) -> date | None:
        if when is None:
            return None
        month = self.months[(match["mon"] or match["mon2"]).lower().rstrip(".")]
        try:
            day = date(when.year, month, int(match["d"] or match["d2"]))
            return day if day >= when.date() else date(when.year + 1, month, day.day)
        except ValueError:
            return None

    def _clock_time(self, match: re.Match[str]) -> time | None:
        if match.groupdict().get("noon"):
            return time(12, 0)
        hour, minute = int(match["hour"]), int(match["minute"] or 0)
        meridiem = (match["mer"] or "").lower()
        if meridiem in self.clock_words:  # "15 Uhr", "14h": a 24-hour clock
            return time(hour, minute) if hour < 24 else None
        if meridiem:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if meridiem in self.pm else 0)
        elif not match["minute"]:
            return None  # "Tue 10" is not a time
        return time(hour, minute) if hour < 24 else None

    def _with_clock(
        self, sentence: str, start: int, end: int, day: date | None, when: datetime | None
    ) -> tuple[int, int, str, date | datetime | None]:
        """A date expression, extended by a following clock time ("Tue 10:00", "Friday at 3pm")."""
        rest = sentence[end:]
        stripped = rest.lstrip(" ,")
        match = self._clock.match(stripped)
        clock = self._clock_time(match) if match else None
        if match and clock is not None:
            end += len(rest) - len(stripped) + match.end()
            return start, end, "date", self._stamp(day, clock, when)
        return start, end, "date", day

    @staticmethod
    def _stamp(day: date | None, clock: time | None, when: datetime | None) -> datetime | date | None:
        if day is None or when is None:
            return None
        if clock is None:
            return day
        return datetime.combine(day, clock, tzinfo=when.tzinfo)

"""Recognizers of the other languages the rules read (data: each language file's ``[facts]``).

A secret's label ("Passwort", "contraseña", "TAN") and an id's label ("Kundennummer",
"n° de commande") are words of a language, so these recognizers read a language's label list
and let the label name the kind and the shape of the value read after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from .phrases import tokens
from .recognizers import _TRAILING, STOPWORDS, Recognizer, Span, is_placeholder
from .typed_recognizers import _EMAIL_LIKE, _NOT_A_SECRET

_SECRET_SHAPE = re.compile(r"\d|[^\w\s]|\w[A-Z]")
"""A value that looks like a password: a digit, a symbol or an inner capital ("Sommer2024!")."""


class _LangSecret(Recognizer):
    """'Mein Passwort ist Sommer2024!', 'mot de passe : x', 'TAN 482913', 'senha: x' -> withheld.

    Reads every language's secret labels (``fact_language.secret_labels``). After a copula
    ("ist", "es", "é") a password must look like one (``_SECRET_SHAPE``); after a colon any
    word that is not a stop word is taken; codes, PINs and CVVs need a digit.
    """

    def __init__(self, name: str, pattern: str, kinds: dict[str, str], not_secret: frozenset[str]) -> None:
        super().__init__(name, "secret", pattern, withheld=True)
        self._kinds = kinds
        self._not_secret = not_secret

    def find(self, text: str, lower: str, first: re.Match[str] | None = None) -> Iterable[Span]:
        for match in self.matches(text, first, lower):
            start, end = match.span("value")
            while end > start + 1 and text[end - 1] in ".,;:)]}'\"":  # "!" and "?" can end a password
                end -= 1
            value = text[start:end]
            kind = self.accept(value, match)
            if kind is not None:
                yield Span(kind, start, end, value, self.name, withheld=True)

    def accept(self, value: str, match: re.Match[str]) -> str | None:
        bare = value.lower().strip(_TRAILING)
        if not bare or bare in STOPWORDS or bare in _NOT_A_SECRET or _EMAIL_LIKE.fullmatch(value):
            return None
        if fold_word(bare) in self._not_secret:
            return None
        kind = self._kinds.get(" ".join(tokens(match.group("label"))), "code")
        has_digit = any(c.isdigit() for c in value)
        if kind in ("pin", "code", "cvv"):
            return kind if has_digit else None
        if match.group("cop") is not None and kind == "password" and not _SECRET_SHAPE.search(value):
            return None  # "mein Passwort ist abgelaufen" names no password
        return kind


_PHONE_AFTER = re.compile(r"(?:\+\s?\d{1,3}[ ./-]?|0|[6-9])\d*(?:[ ./-]?\d{2,5}){2,5}(?![\w-])")


class _LangLabelled(Recognizer):
    """'Kundennummer 55-201', 'n° de commande 4711', 'CEP 01310-100', 'Tel. 0711 98 76 54 32'.

    One language's labels (``[facts.labels]``); the label says the kind, and the kind the
    shape of the value read after it.
    """

    _VALUES: ClassVar[dict[str, re.Pattern[str]]] = {
        "postal_code": re.compile(r"\d{4,5}(?:-\d{3,4})?(?![\w-])|[A-Z]\d[A-Z]\s?\d[A-Z]\d(?!\w)"),
        "phone": re.compile(r"(?:\+\s?)?(?:\(\d{1,4}\)\s?)?\d[\d ./-]{4,20}\d(?![\w-])"),
        "card_last4": re.compile(r"\d{4}(?![\w-])"),
        "username": re.compile(r"@?(?=[\w.-]*[^\W\d_])[\w.-]{2,}\w"),
        "app_version": re.compile(r"\d+(?:\.\d+){1,3}(?![\w.])"),
        "error_code": re.compile(r"(?-i:[A-Z]{0,5}[-_]?\d{2,6}[A-Z]?)(?![\w-])"),
        # A model: capitalised brand words, then tokens with a digit ("HP LaserJet M404", "Frío-3500").
        "device": re.compile(
            r"(?-i:(?:[A-Z][\w]*[ ]){0,3}(?=[\w-]*\d)[A-Z0-9][\w-]*"
            r"(?:[ ](?:[A-Z]*\d[\w-]*|[A-Z][A-Z0-9-]+))*)(?![\w-])"
        ),
        "": re.compile(
            r"\d{1,3}(?:\.\d{3})+(?:-\d{1,2})?(?![\w.-])|\d{3,}(?:\s\d{3,})+(?![\w-])|"
            r"(?-i:[A-Z0-9]+(?:-[A-Z0-9]+)*\s[A-Z]{2,3})(?![\w-])|[A-Za-z0-9][A-Za-z0-9/-]*[A-Za-z0-9](?![\w-])"
        ),
    }

    def __init__(
        self, name: str, pattern: str, labels: dict[str, str], language: str, *, default: str | None = None
    ) -> None:
        super().__init__(name, "reference", pattern)
        self._labels = labels
        self._default = default
        self.language = language

    def find(self, text: str, lower: str, first: re.Match[str] | None = None) -> Iterable[Span]:
        for match in self.matches(text, first, lower):
            label = match.group("label")
            key = " ".join(tokens(label.replace("°", " ").replace("º", " ")))
            kind = self._labels.get(key, self._default)
            if kind is None:
                continue
            if kind == "reference" and (phone := _PHONE_AFTER.match(text, match.end())):
                # "mon numéro : 0781223344", "meine Nummer 0171 2345678": a number to call
                value = phone.group()
                if 9 <= sum(c.isdigit() for c in value) <= 15:
                    yield Span("phone", phone.start(), phone.end(), value, self.name)
                    continue
            shape = self._VALUES.get(kind, self._VALUES[""])
            found = shape.match(text, match.end())
            if found is None:
                continue
            value = found.group().rstrip(_TRAILING)
            if not value or is_placeholder(value):
                continue
            digits = sum(c.isdigit() for c in value)
            if kind == "phone" and not 6 <= digits <= 15:
                continue
            if kind == "device" and not any(c.isdigit() for c in value.split()[-1]):
                continue
            if kind not in ("phone", "postal_code", "card_last4", "username", "device", "error_code") and (
                len(value) < 4 or (not digits and not (value.isupper() and len(value) >= 5))
            ):
                continue
            yield Span(kind, found.start(), found.start() + len(value), value, self.name)


def fold_word(word: str) -> str:
    """``word`` without accents (``phrases.fold``), for a lookup in folded word sets."""
    return word if word.isascii() else " ".join(tokens(word))

"""The packaged recognizers of the other languages, placed among the English ones.

Each language file's ``[facts]`` gives its secret labels, id labels, month names and postal
shapes; recognizers are made from them (``lang_recognizers``) and each is placed in the
catalog's priority order where it must win (a local amount before English dates: "1.234,50"
is no date). Formats any language but English writes ("1.234,50 €", "0171 2345678") run in
every other-language conversation.
"""

from __future__ import annotations

from .fact_language import fact_words, secret_labels
from .lang_recognizers import _LangLabelled, _LangSecret
from .phrases import tokens
from .recognizers import Recognizer
from .typed_recognizers import _Name, _Phone

_CURRENCY_AFTER = (
    r"€|EUR|euros?|R\$|reais|real|zł|zl|PLN|TL|₺|CHF|Fr\.|kr|Kč|Ft|lei|pesos?|MXN|ARS|COP|CLP|PEN|soles|"
    r"d[óo]lares|USD|BRL|\$"
)


_LOCAL_AMOUNT = (
    # "R$ 1.234,56", "€ 49,99", "$1.250,00 MXN": a currency first, and a number only a decimal-comma
    # locale writes (dots grouping thousands or a comma before two decimals), else English reads it.
    r"(?<!\w)(?:R\$|US\$|[$€£₺])\s?(?:\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?|\d+,\d{2}(?!\d))"
    r"(?:\s?(?:MXN|ARS|COP|CLP|BRL|USD|EUR)(?!\w))?|"
    r"(?<!\w)R\$\s?\d+(?![\d.,])|"
    # "1.234,50 €", "49,99 EUR", "899,00 zł", "12 €": the number, then its currency.
    rf"(?<![\w.,])\d{{1,3}}(?:\.\d{{3}})*(?:,\d{{1,2}})?\s?(?:{_CURRENCY_AFTER})(?!\w)|"
    rf"(?<![\w.,])\d+(?:,\d{{1,2}})?\s?(?:{_CURRENCY_AFTER})(?!\w)"
)


_LOCAL_PHONE = (
    # "0171 2345678", "030/1234567", "0711-98765": a trunk "0", an area code, then the number.
    r"(?<![\w+/.-])0\d{1,4}[ /-]\d{4,8}(?![\w/.-])|"
    r"(?<![\w+/.-])\(\d{2,3}\)\s?\d{4,5}-?\d{4}(?![\w-])"  # (11) 98765-4321
)


_CITY_POSTAL = (
    # "Hauptstraße 5, 10115 Berlin", "69003 Lyon" on its own line: five digits before a capitalised
    # place name, where an address puts them (after a comma or at a line's start: German nouns are
    # capitalised too, and "40000 Kunden" is no postal code).
    r"(?:(?<=,[ ])|(?<=^)|(?<=\n)|(?<=\n[ ])|(?<=:[ ]))(?P<value>\d{5})(?![ ](?:Euro|EUR)\b)"
    r"(?=[ ][A-ZÀ-Ý][a-zà-ÿ]+)"
)


_ENGLISH_WORDS = frozenset(
    "code password pass pin question secret token confirmation verification unique sms cvv".split()
)
"""Words of secrets' labels in other languages that English text holds too (a gate, not a rule)."""


_BR_POSTAL = r"(?<![\w.-])\d{5}-\d{3}(?![\w-])"


def _without_im(recognizers: list[Recognizer]) -> Recognizer:
    """``name.labelled`` for conversations in other languages: without the lead "im" (English
    "I'm" typed without its apostrophe), which is German "in the" ("auch nicht im Spam")."""
    english = next(r for r in recognizers if r.name == "name.labelled")
    english.language = "en"
    pattern = english.regex.pattern.replace(r"\bi'm|\bim|", r"\bi'm|")
    if pattern == english.regex.pattern:  # pragma: no cover - the English pattern changed
        raise AssertionError("name.labelled: the 'im' lead is not where it was")
    other = _Name("name.labelled", "name", pattern)
    other.prefilter(
        tuple(n for n in english.needs if n != "im "),
        digit=english.digit,
        max_len=english.max_len,
        words=english.words or (),
    )
    other.language = "*"
    return other


def _with_languages(recognizers: list[Recognizer]) -> list[Recognizer]:
    """``recognizers`` with every other language's, each placed where it must win."""
    labels = secret_labels()
    secret = _LangSecret(
        "secret.lang",
        rf"(?P<label>{labels.pattern})(?:(?:\s+[^\W\d_]+(?:['’-][^\W\d_]+)?){{0,5}}?(?P<cop>(?:\s+{labels.copulas}(?=[\s:=]))+)\s*[:=]?"
        rf"|\s*[:=]|(?=\s+[^\s,;]*\d))\s*(?P<value>\d{{2,4}}(?:[ .-]\d{{2,4}}){{1,3}}(?![\w.-])|[^\s,;]+)",
        labels.kinds,
        labels.not_secret,
    )
    # In every conversation, the labels no English text holds ("Passwort", "contraseña", "senha"); in
    # other languages' conversations also those English shares ("code", "pin", "token"), which
    # English's own secret recognizers read in English text.
    secret.prefilter(words=labels.words - _ENGLISH_WORDS)
    shared = _LangSecret("secret.lang", secret.regex.pattern, labels.kinds, labels.not_secret)
    shared.prefilter(words=labels.words & _ENGLISH_WORDS)
    shared.language = "*"
    amount = Recognizer("amount.local", "amount", _LOCAL_AMOUNT)
    amount.prefilter(digit=True)
    amount.language = "*"
    phone = _Phone("phone.local", "phone", _LOCAL_PHONE)
    phone.prefilter(digit=True, requires=r"\d[ /-]\d|\(")
    phone.language = "*"
    placed: dict[str, list[Recognizer]] = {
        "secret.login_pair": [secret, shared],
        "card_last4": [],
        "date": [],
        "amount": [],
        "phone": [phone],
        "postal_code.labelled": [],
        "name.labelled": [_without_im(recognizers)],
    }
    placed["date"].append(amount)  # before English dates too: "1.234,50" is no date
    for code, words in fact_words().items():
        ids = _LangLabelled(
            f"id.{code}",
            rf"(?P<label>{words.label_pattern})\.?(?:\s*{words.copulas}(?=[\s:]))*(?:\s+{words.articles}(?=\s))?\s*[:#]?\s*"
            r"(?:(?:n\.?[°º]|nr|no|n[úu]m)\.?\s*)?",
            words.labels,
            code,
        )
        ids.prefilter(words=[max(tokens(label), key=len) for label in words.labels if tokens(label)])
        placed["card_last4"].append(ids)
        date = Recognizer(
            f"date.{code}",
            "date",
            rf"(?<![\w.])(?P<value>\d{{1,2}}(?:\.|er|º|°)?\s+(?:de\s+)?{words.month_pattern}\.?"
            rf"(?:,?\s+(?:de\s+)?\d{{4}}(?!\d))?)",
        )
        date.prefilter(digit=True, words=words.months)
        date.language = code
        placed["date"].insert(0, date)
        shape = _BR_POSTAL if code == "pt" else _CITY_POSTAL
        postal = Recognizer(f"postal_code.{code}", "postal_code", shape, flags=0)
        postal.prefilter(digit=True, requires=r"\d{5}")
        postal.language = code
        placed["postal_code.labelled"].append(postal)
    # "klantnummer 8812-4410", "Kd.-Nr. 4711": a word for "number" before a value, in any language.
    numbered = _LangLabelled(
        "id.numbered",
        r"(?<![\w.-])(?P<label>[^\W\d_]*(?:nummer|numer|numero|número|numéro|number|nr|nº|n°))\.?\s*[:#]?\s*",
        {},
        "*",
        default="reference",
    )
    numbered.prefilter(digit=True)
    placed["card_last4"].append(numbered)
    out: list[Recognizer] = []
    for recognizer in recognizers:
        if recognizer.name in ("date", "amount"):
            out += placed.pop(recognizer.name)
            out.append(recognizer)
            continue
        out.append(recognizer)
        out += placed.pop(recognizer.name, [])
    return out

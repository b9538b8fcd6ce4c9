"""The packaged recognizers' cheap pre-checks, by recognizer name.

Most messages match none of the ~50 packaged regexes, and a regex costs microseconds even when
it finds nothing, so each recognizer gets pre-checks that rule it out first (all exact: a
match always passes them): literals or a digit one of which every match holds, words of the
message's tokens, a preposition standing alone, the words its matches begin with, a cheap
regex every match contains, and a quick probe. ``RecognizerSet`` routes a message by them;
``catalog`` attaches them to its recognizers (``_with_prefilters``). The tier words and place
nouns live here too: the patterns are written from them.
"""

from __future__ import annotations

from .phrases import tokens
from .recognizers import Recognizer
from .tech_recognizers import BRANDS, DEVICE_NOUNS, ERROR_CONTEXT_NEEDS, ERROR_CONTEXT_REQUIRES

_TIERS = (
    r"gold|silver|bronze|platinum|diamond|premium|basic|standard|pro|plus|business|enterprise|free|guest|vip|"
    r"elite"
)


_PLACE_NOUNS = (
    r"airport|hospital|university|train station|bus station|station|downtown|mall|hotel|office|library|"
    r"museum|stadium|beach|campus|city cent(?:er|re)|town cent(?:er|re)"
)


_TIER_WORDS = tuple(_TIERS.split("|"))


_PREFILTERS: dict[str, tuple[tuple[str, ...], bool]] = {
    "secret.inline": (
        (
            "pin",
            "pass",
            "pw",
            "secur",
            "otp",
            "code",
            "cvv",
            "cvc",
            "maiden",
            "pet",
            "memorable",
            "secret",
        ),
        False,
    ),
    "email": (("@",), False),
    "app_version": ((), True),
    "exception": (("exception", "error", "exc_", "sigsegv", "sigabrt"), False),
    "secret.phrased": (("back", "digit", "sent", "texted", "emailed", "api", "token", "secret"), False),
    "secret.url_password": (("://",), False),
    "secret.token": ((), True),  # every key shape has a digit (and a 16-character run: _REQUIRES)
    "secret.assignment": (("_",), False),  # "DB_PASSWORD=", "whsec_live_…": an underscore
    "url": (("http", "www."), False),
    "card_last4": (("end", "last"), False),
    "card": ((), True),
    "place.noun": (tuple(_PLACE_NOUNS.replace("(?:er|re)", "").split("|")), True),
    "date": ((), True),
    "time": (("noon", "midnight"), True),
    "amount": ((), True),
    "phone": ((), True),
    "id.labelled": (
        (
            "order",
            "account",
            "acct",
            "ticket",
            "case",
            "tracking",
            "invoice",
            "ref",
            "confirmation",
            "booking",
            "reservation",
            "transaction",
            "claim",
            "policy",
            "serial",
            "customer",
            "member",
            "subscription",
            "shipment",
            "package",
            "parcel",
            "rma",
            "incident",
            "txn",
            "tag",
            "imei",
            "merchant",
        ),
        False,
    ),
    "error_code": (("err_",), True),
    "error_code.context": (ERROR_CONTEXT_NEEDS, False),
    "device.model": ((), True),
    "update.kb": (("kb",), True),
    "reading": (("reading",), False),
    "domain": (("domain", "host", "site"), False),
    "vehicle_registration": (("reg", "plate"), False),
    "room": (("room",), False),
    "postal_code.labelled": (("zip", "postal", "postcode", "post code"), False),
    "postal_code.us": ((), True),
    "address.street": ((), True),
    "postal_code.uk": ((), True),
    "username.labelled": (("user", "login", "handle"), False),
    "name.labelled": (("name", "this is", "i am", "i'm", "im ", "call me", "supposed", "my "), False),
    "name.trailing": (("name",), False),
    "membership": (_TIER_WORDS, False),
    "day": (("day",), False),
    "id.generic": ((), True),
}


# Words one of which every match contains as a word (a set test on the message's tokens).
_WORDS: dict[str, str] = {
    "device": """iphone ipad galaxy pixel macbook imac mac surface oneplus chromebook thinkpad xbox
        playstation ps4 ps5 apple fire""",
    "os": """ios ipados macos android chrome chromeos watchos tvos mac macosx os windows ubuntu linux fedora
        debian harmonyos webos tizen fire fireos wear wearos kaios ui miui emui coloros oxygenos visionos""",
    "build": "build",
    "device.model": " ".join(sorted({t for name in (*BRANDS, *DEVICE_NOUNS) for t in tokens(name)})),
    "secret.login_pair": "login log signin sign credentials credential user username u",
    "browser": "chrome chromium firefox safari edge explorer ie ie6 ie7 ie8 ie9 ie10 ie11 internet",
    "tenant_id": "tenant workspace organization organisation org project instance subdomain realm cluster",
}


# Words one of which every match holds between non-word characters ("\b[Tt]o\s+"): a set test on
# the tokens (``recognizers.stands_alone``); most chat turns have no place preposition.
_BOUNDED: dict[str, str] = {
    "place.named": "from to in at near towards around",
    "place.noun": "from to at near towards",
}


_DIGITS = "0 1 2 3 4 5 6 7 8 9"


_MONTH_STARTS = "jan feb mar apr may jun jul aug sep oct nov dec"


# Beginnings one of which every match's first word has (each regex's alternatives all start a word:
# ``\b`` or ``(?<![\w:])`` before a word character), lower-cased: on ASCII text the regex is
# searched from the first token that begins with one (``RecognizerSet.find``), or not at all; one
# ending in "$" is a whole word (the regex needs a non-word character after it: ``\bmy\s+``).
_STARTS: dict[str, str] = {
    "secret.inline": """pin pass pwd pw security memorable secret answer one otp verification access auth 2fa
        login sms clearance unlock door entry lock cvv cvc mother maiden childhood first pet the$ my$""",
    "place.named": "from$ to$ in$ at$ near$ towards$ around$",
    "date": f"{_DIGITS} {_MONTH_STARTS}",
    "time": f"{_DIGITS} noon$ midnight$",
    "id.labelled": """order account acct ticket case tracking invoice ref confirmation booking reservation
        transaction txn claim policy serial service imei customer member merchant subscription shipment
        package parcel rma incident""",
    "error_code": "e status http smtp 0",
    "name.labelled": "my$ full$ first$ last$ name$ supposed$ this$ i$ im$ call$",
    "membership": " ".join(f"{t}$" for t in _TIERS.split("|"))
    + " membership member tier plan level be$ am$ i$ im$ are$ is$ was$ a$ an$",
}


# Cheap regexes every match contains (exact, so skipping never drops a match): most
# messages with a digit have no 5-digit run, no digits split by a separator, ...
_REQUIRES: dict[str, str] = {
    "app_version": r"\d\.\d",
    "secret.token": r"[A-Za-z0-9_-]{16}",  # every key shape is a long run of these
    "secret.login_pair": r"[/|]",
    "exception": r"(?:Exception|Error)\b|EXC_|SIG[A-Z]",
    "error_code.context": ERROR_CONTEXT_REQUIRES,
    "update.kb": r"KB\d{6}",
    "card": r"\d[ -]?\d[ -]?\d[ -]?\d[ -]?\d[ -]?\d",
    "phone": r"\d[\s.-]\d|[+(]",
    "postal_code.us": r"\d{5}",
    "address.street": r"\d\s+(?:[A-Z]|\d{1,3}(?:st|nd|rd|th)\s)",
}


# Lower-cased literals one of which every match holds, trusted on ASCII text only (read before a
# digit's ``requires`` regex): an amount has a currency sign or word ("$40", "40 dollars", "usd 40";
# "€", "£" are not ASCII), an update "KB", a version a dot.
_ASCII_NEEDS: dict[str, str] = {
    "amount": "$ usd eur gbp cad aud inr dollar euro pound buck rupee yen",
    "update.kb": "kb",
    "app_version": ".",
}


# Quick regexes that match, in ASCII text, wherever a match begins (the pattern without its leading
# "\b", look-arounds or choices; a place's name begins with a capital or a digit): searched first,
# they skip to where a match may be.
_PROBES: dict[str, str] = {
    "place.named": r"(?:From|from|To|to|In|in|At|at|Near|near|Towards|towards|Around|around)"
    r"\s+(?:the\s+)?['\"]?[A-Z0-9]",
    "postal_code.us": r"[A-Za-z]{2},?\s*\d{5}",
    "postal_code.uk": r"[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}",
}


# Quick regexes that, in ASCII text, find something wherever a match is accepted, unless a literal
# of theirs is in it: a labelled id needs a digit or a run of capitals ("order AB-CDE"; "order
# status" is none), an "I'm ..."/"this is ..." name a capital after white space other than a lone
# "I" (a stop word), which "my name is ..." does not need.
_ACCEPTS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "id.labelled": (r"\d|[A-Z][A-Z_-]{3,}[A-Z]", ()),
    "name.labelled": (r"\s(?:[A-HJ-Z]|I[A-Za-z'’-])", ("name",)),
}


# Runs of word characters one of which every match holds whole: the last word of a secret's label
# ("pin", "pincode", "password", "the code", "security answer", "pet's name"); "shipping" holds
# "pin" but no such word.
_ENDS: dict[str, str] = {
    "secret.inline": """pin pinnumber pincode pinno number code no password passcode passphrase pwd pw pass
        answer word phrase question otp cvv cvv2 cvc name pet pets""",
}


# The length of a run of word characters every match holds, and whether it holds a digit: an
# unlabelled id's six characters with a digit (a whole run where no hyphen joins them), a key's
# sixteen (_REQUIRES), a US postal code's five digits.
_TOKEN_RUNS: dict[str, tuple[int, bool]] = {
    "id.generic": (6, True),
    "secret.token": (16, False),
    "postal_code.us": (5, True),
}


def _with_prefilters(recognizers: list[Recognizer]) -> list[Recognizer]:
    for recognizer in recognizers:
        needs, digit = _PREFILTERS.get(recognizer.name, ((), False))
        bare = recognizer.name == "name.bare"
        accepts, unless = _ACCEPTS.get(recognizer.name, (None, ()))
        recognizer.prefilter(
            needs,
            digit=digit,
            max_len=60 if bare else None,
            requires=_REQUIRES.get(recognizer.name),
            words=_WORDS.get(recognizer.name, "").split(),
            bounded=_BOUNDED.get(recognizer.name, "").split(),
            starts=_STARTS.get(recognizer.name, "").split(),
            ascii_needs=_ASCII_NEEDS.get(recognizer.name, "").split(),
            pieces=(2, 4) if bare else None,  # two or three names, and a "." or "!" apart
            probe=_PROBES.get(recognizer.name),
            accepts=accepts,
            accepts_unless=unless,
            ends=_ENDS.get(recognizer.name, "").split(),
            token_run=_TOKEN_RUNS.get(recognizer.name),
        )
    return recognizers

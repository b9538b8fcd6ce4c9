"""Recognizers for the technical context a tier-2 agent needs: error codes read from their
context, device models, product brands.

A code such as ``AUTH-4012`` or ``DECLINE_05`` is only an error code where the text says
so: right after an error word ("error NW-401", "failed with VF-09", "still says NW-401"),
in brackets after a failure ("card declined (DECLINE_05)", 'Fehler: "Konto gesperrt"
(LCK-3)'), or when its own parts name a failure (``MFA_NO_RECOVERY``, ``api_key_revoked``).
Elsewhere it stays a reference (``[SLX-102938]`` in a subject is the case). An HTTP status
needs a verb that returns it ("returns 401", "gives me a 404 page"); a count ("returns 500
rows") is none. A model is a brand and a token with a digit ("Dell XPS 15 9530",
"LG OLED55C3") or a device noun and such a token ("thermostat T9", "charger (model PA-65W)").
"""

from __future__ import annotations

import re

from .recognizers import Recognizer

__all__ = ["BRANDS", "DEVICE_NOUNS", "ERROR_CUES", "ErrorContext", "ModelName"]

ERROR_CUES = frozenset(
    """error errors err fail fails failed failing failure declined decline denied invalid rejected crash
    crashes crashed crashing exception fault faulted fehler erreur erro blocked bsod refused timeout
    unavailable warning alarm aborted stops stopped freezes froze frozen hangs hung""".split()
)
"""Words that make a nearby code an error code."""
_SHOW_CUES = frozenset(
    "says said shows showed showing displays displayed displaying reads throws threw".split()
)
_NOT_ERROR_CODE = frozenset(
    """promo discount coupon voucher gift referral zip postal post area country tracking access verification
    security auth sms login unlock door entry lock otp""".split()
)
"""Words before "code" that make it no error code (a promo code, a verification code)."""
_FAILURE_PARTS = frozenset(
    """error err fail failed failure decline declined denied invalid revoked expired exceeded timeout
    unavailable refused forbidden unauthorized conflict mismatch rejected limited limit violation not no
    missing unknown bad abort aborted panic overflow locked blocked disabled suspended insufficient
    unreachable irql exception""".split()
)
"""Parts of a snake-case name (``card_declined``, ``MFA_NO_RECOVERY``) that name a failure."""
_WORD = re.compile(r"[^\W_]+")
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|\n")
_STATUS_VERB = re.compile(
    r"(?:\b(?:returns?|returned|returning|gives?|gave|giving|got|gets|getting|throws?|threw|responds?\s+with|"
    r"responded\s+with|answers?\s+with|fails?\s+with|failed\s+with)(?:\s+(?:me|us|back|an?|the|code|status|"
    r"error|http)){0,3}|\b(?:HTTP|SMTP|status)(?:\s+code)?)\s*:?\s*$",
    re.IGNORECASE,
)
_STATUS_AFTER = re.compile(
    r"\s*(?:$|[.,;:!?)(\]\"'`]|(?:error|errors|status|code|response|page|for|on|when|after|every|each|again|now|"
    r"back|forbidden|unauthorized|not\s+found|bad|internal|service|gateway|too|from|upstream|conflict|and|or|"
    r"but|with|instead|because|since|if)\b|[A-Za-z]+_[A-Za-z_]+\b|[A-Z]{3,}\b)",
)
_HEX_BEFORE = re.compile(
    r"\b(?:error|err|code|fault|shows|showing|says|displays|displaying)\s*(?:code\s*)?[:#]?\s*$",
    re.IGNORECASE,
)


class ErrorContext(Recognizer):
    """Error codes, HTTP/SMTP statuses and failure names read from their context (module doc)."""

    def accept(self, value: str, match: re.Match[str]) -> str | None:
        text = match.string
        start, end = match.start("value"), match.end("value")
        if (start and text[start - 1] == "[") or text[end : end + 1] == "]":
            return None  # "[SLX-102938]": a subject's case tag
        if (end < len(text) and text[end] in "=(") or text[end : end + 2] in (": ", ":\t"):
            return None  # an assignment, a call or a key: "DATABASE_URL=", "transfer_to_agent("
        before = text[max(0, start - 160) : start]
        cut = max((m.end() for m in _SENTENCE_END.finditer(before)), default=0)
        sentence = before[cut:]
        if value.isdigit():  # an HTTP/SMTP status after a verb that returns it
            return "error_code" if _STATUS_VERB.search(sentence) and _STATUS_AFTER.match(text, end) else None
        if value[:2].lower() == "0x":
            return "error_code" if _HEX_BEFORE.search(sentence) else None
        parts = [p.lower() for p in re.split(r"[-_]", value)]
        if "_" in value and not _FAILURE_PARTS.isdisjoint(parts):
            return "error_code"  # "MFA_NO_RECOVERY", "api_key_revoked", "upstream_connect_error"
        if value.islower():
            return None
        if not any(c.isdigit() for c in value) and not _cued(sentence, strict=True):
            return None  # "TLS_HANDSHAKE" only after an error word
        return "error_code" if _cued(sentence, strict=False) else None


def _cued(sentence: str, *, strict: bool) -> bool:
    """Whether a code at the end of ``sentence`` follows an error word: among its last three
    words, or (not ``strict``) anywhere in the sentence when the code is in brackets."""
    words = [w.lower() for w in _WORD.findall(sentence)]
    last = words[-3:]
    for i, word in enumerate(last):
        if word in ERROR_CUES or (not strict and word in _SHOW_CUES):
            return True
        if word == "code":
            previous = last[i - 1] if i else (words[-4] if len(words) > 3 else "")
            if previous not in _NOT_ERROR_CODE and previous not in ("the", "my", "your", "a", "this"):
                return True
    if strict:
        return False
    tail = sentence.rstrip()
    bracketed = tail.endswith("(") or re.search(r"\((?:error|code|err)\s*[:#]?\s*$", tail, re.IGNORECASE)
    return bool(bracketed) and not ERROR_CUES.isdisjoint(words)


ERROR_CONTEXT_PATTERN = (
    r"(?<![\w./@-])(?P<value>(?-i:[A-Z][A-Z0-9]{0,11}(?:[-_][A-Z0-9]{1,12}){1,6}|[A-Z]{2,6}\d{2,6})|"
    r"[a-z][a-z0-9]*(?:_[a-z0-9]+){1,6}|0x[0-9A-Fa-f]{2,8}|[45]\d\d)(?![\w@-]|\.\w)"
)
ERROR_CONTEXT_REQUIRES = r"[A-Za-z0-9][-_][A-Za-z0-9]|[A-Z]\d|\b[45]\d\d\b|0x"
# Literals one of which a message needs before the pattern runs: a cue word, a verb that
# returns a status, or an underscore (a failure name needs no cue). Not "code", "got" or "get":
# "zip code" and "forgot" are everywhere, and a code after them has a failure word too.
ERROR_CONTEXT_NEEDS = (
    *sorted(ERROR_CUES - {"hung", "err"}),
    *sorted(_SHOW_CUES),
    "returns",
    "returned",
    "returning",
    "gives",
    "giving",
    "getting",
    "throws",
    "threw",
    "responds",
    "responded",
    "http",
    "smtp",
    "status",
    "_",
)


BRANDS = (
    "Dell HP Lenovo Asus ASUS Acer LG Samsung Sony Philips Panasonic Toshiba Hisense TCL Vizio Canon Epson "
    "Brother Xerox Kyocera Ricoh Lexmark Ingenico Verifone Netgear NETGEAR Linksys TP-Link D-Link Ubiquiti "
    "Huawei Xiaomi Nokia Motorola Oppo OPPO Realme Garmin Fitbit Bosch Siemens Miele Dyson Sonos Bose Roku "
    "Nintendo Logitech Razer MSI Gigabyte Synology QNAP Zebra Honeywell Netatmo Eufy Arlo "
    "Fritz!Box FRITZ!Box "
    "AVM Sagemcom Technicolor Arris Zyxel Nikon Fujifilm GoPro DJI Tesla Peloton Whirlpool Electrolux AEG "
    "Beko Haier Daikin Vaillant Viessmann Ecobee BenQ ViewSonic Alienware XPS Inspiron Latitude Pavilion "
    "EliteBook ZenBook VivoBook Aspire IdeaPad ThinkCentre Kindle Keychron Brompton Eero Echo Kobo Wacom "
    "Jabra Anker Belkin Corsair SteelSeries HyperX UniFi Meraki Cisco FortiGate SonicWall Polycom Yealink "
    "Grandstream Roomba iRobot Ecovacs Roborock Breville Nespresso DeLonghi Kenwood Hotpoint Grundig JBL "
    "Sennheiser Yamaha Denon Marantz Alcatel ZTE Fairphone"
).split()
"""Makers and product lines whose name before a token with a digit is a model."""
DEVICE_NOUNS = (
    "model router modem thermostat inverter printer scanner charger terminal camera doorbell "
    "e-bike ebike bike "
    "scooter laptop notebook tablet tv television monitor console speaker headset headphones earbuds "
    "smartwatch handset boiler dishwasher washer dryer fridge vacuum extender"
).split()
"""Nouns a model name follows ("thermostat T9", "router is the Fritz!Box 7590")."""

MODEL_PATTERN = (
    r"(?<![\w!-])(?:(?P<brand>" + "|".join(re.escape(b) for b in BRANDS) + r")(?P<bv>(?:[ ](?:[A-Z][\w!+/-]*|"
    r"\d[\w!+/-]*)){1,4})|(?i:(?:"
    + "|".join(re.escape(n) for n in DEVICE_NOUNS)
    + r")(?:\s+(?:model|number|no\.?))?"
    r"\s*(?:is\s+(?:an?\s+|the\s+)?|:\s*|\(\s*(?:model\s+)?|,\s+(?:model\s+)?)?)"
    r"(?P<value>(?:[A-Z][\w!]*[ ]){0,2}(?=[\w!/+-]*\d)[A-Z0-9][\w!/+-]*))(?![\w!-])"
)


_NOT_A_MODEL = re.compile(r"\d+(?:st|nd|rd|th|gb|tb|mb|hz|ghz|mhz|w|v|mah|mm|cm|in|inch|k|x)", re.IGNORECASE)


class ModelName(Recognizer):
    """A device model after a brand or a device noun (module doc); its value has a letter and
    a digit, or a digit run of three or more ("Fritz!Box 7590", never "LG 27")."""

    def value_span(self, match: re.Match[str]) -> tuple[int, int]:
        if match.group("brand") is not None:
            start, end = match.start("brand"), match.end("bv")
            # Trailing tokens without a digit go: "Samsung QE55 TV" → "Samsung QE55".
            tokens = match.group("bv").split(" ")[1:]
            while tokens and not any(c.isdigit() for c in tokens[-1]):
                end -= len(tokens.pop()) + 1
            return start, end
        return match.span("value")

    def accept(self, value: str, match: re.Match[str]) -> str | None:
        model = value.split(" ", 1)[1] if match.group("brand") is not None and " " in value else value
        tokens = model.split()
        if not tokens:
            return None
        mixed = any(any(c.isdigit() for c in t) and any(c.isalpha() for c in t) for t in tokens)
        if not mixed:
            # "Dell XPS 15 9530", "router is the Fritz!Box 7590" (a product line, then numbers) or
            # "Fritz!Box 7590" (a brand, one short number); never "Samsung 0171 2345678".
            line = (
                len(tokens) > 1 and any(c.isalpha() for c in tokens[0]) and any(t.isdigit() for t in tokens)
            )
            short = match.group("brand") is not None and len(tokens) == 1 and 3 <= len(tokens[0]) <= 5
            mixed = line or (short and tokens[0].isdigit())
        if not mixed:
            return None
        if _NOT_A_MODEL.fullmatch(tokens[-1]):
            return None  # "Samsung 2nd", "HP 16gb": an ordinal or a size, not a model
        return self.kind

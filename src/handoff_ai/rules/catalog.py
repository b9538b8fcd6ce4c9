"""The packaged fact recognizers, in priority order, with their cheap pre-checks
(``catalog_prechecks``) and the other languages' (``catalog_languages``).

Order matters: an earlier recognizer's span wins over a later overlapping one
(a secret before anything else, an email before a URL, a place like "5th and
Main" before the ordinal date "5th", labelled ids before bare numbers).
"""

from __future__ import annotations

import re

from ..privacy.pii import PATTERNS as _PII_PATTERNS
from .catalog_languages import _with_languages
from .catalog_prechecks import _PLACE_NOUNS, _TIERS, _with_prefilters
from .recognizers import Recognizer
from .tech_recognizers import (
    ERROR_CONTEXT_PATTERN,
    MODEL_PATTERN,
    ErrorContext,
    ModelName,
)
from .typed_recognizers import (
    _Card,
    _Date,
    _Generic,
    _LabelledId,
    _LoginPair,
    _Name,
    _Phone,
    _Place,
    _SecretAssignment,
    _SecretInline,
    _TenantId,
)

__all__ = ["default_recognizers"]

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ORD = r"(?:st|nd|rd|th)"
_STREET_SUFFIX = (
    r"(?:Ave(?:nue)?|St(?:reet)?|R(?:oa)?d|Blvd|Boulevard|Dr(?:ive)?|L(?:a)?ne?|Way|C(?:our)?t|Pl(?:ace)?|"
    r"Terrace|Pkwy|Parkway|Hwy|Highway|Circle|Cir|Square|Sq)"
)
_DEVICE = (
    r"\b(?P<value>iPhone(?:\s?(?:\d{1,2}|SE|XR|XS|X))?(?:\s(?:Pro\sMax|Pro|Max|Plus|mini))?|"
    r"iPad(?:\s(?:Pro|Air|mini))?(?:\s\d{1,2}(?:\.\d)?)?|"
    r"(?:Samsung\s)?Galaxy\s(?:[A-Z]\d{1,3}\+?|Note\s?\d{1,2}|Tab\s[A-Z]\d{0,2}|Z\s(?:Fold|Flip)\s?\d)"
    r"(?:\s(?:Ultra|Plus|FE))?|(?:Google\s)?Pixel\s?\d{1,2}a?(?:\s(?:Pro|XL))?|"
    r"MacBook(?:\s(?:Pro|Air))?(?:\s(?:M\d|\d{2}))?|iMac|Mac\s(?:mini|Studio)|"
    r"Surface\s(?:Pro|Laptop|Book)(?:\s\d{1,2})?|OnePlus\s\d{1,2}[A-Z]?|Chromebook|ThinkPad\s[A-Z]\d{1,3}[a-z]?|"
    r"Xbox(?:\sSeries\s[XS]|\sOne)?|PlayStation\s?\d|PS[45]|Apple\sWatch(?:\sSeries\s\d{1,2})?|"
    r"Fire\sTV(?:\sStick)?)(?!\w)"
)
_OS = (
    r"\b(?P<value>(?:iOS|iPadOS|macOS|Android|Chrome\s?OS|webOS|Tizen|Fire\s?OS|Wear\s?OS|KaiOS|One\sUI|MIUI|EMUI|"
    r"ColorOS|OxygenOS|visionOS)(?:\s+version)?(?:\s?\d{1,2}(?:\.\d{1,3}){0,3})?|"
    r"(?:watchOS|tvOS|Mac\s?OS(?:\sX)?|OS\sX|Windows|Ubuntu|Linux|Fedora|Debian|HarmonyOS)(?:\s+version)?"
    r"\s?(?:\d{1,2}(?:\.\d{1,3}){0,3}|XP|Vista|Sonoma|Ventura|Monterey|Big\sSur|Sequoia|Catalina|Mojave)"
    r"(?:\s\d{2}H[12](?!\w))?)"  # "Windows 11 24H2"
    r"(?:\s?\((?:build\s)?[\w.]+\))?(?!\w)"
)
_APP_VERSION = (
    # "app 5.4.0", "version 2.3", "v1.2", "firmware 2.1.0", "client 7.1.4", "since the update to 4.12.0"
    r"\b(?:(?:the\s+)?app(?:lication)?\s+(?:version\s+)?|version\s+|ver\.?\s*|v|(?:firmware|fw|client|release)\s+"
    r"(?:version\s+|v)?|(?:updated?|upgraded?|updating|upgrading)\s+to\s+(?:version\s+|v)?)"
    r"(?P<value>\d+(?:\.\d+){1,3}(?:[-+][0-9A-Za-z.]+)?)(?!\w)(?!\s?(?:gb|mb|kb|tb|%|ms|mbps|ghz|mhz|kwh|m3)\b)"
)
_BROWSER = (
    r"\b(?P<value>(?:(?:Google\s)?Chrome|(?i:chrome|firefox|safari)|Chromium|Firefox|Safari|Microsoft\sEdge|"
    r"Edge(?=\s\d)|Internet\sExplorer|IE(?=\s?\d)|Samsung\sInternet)(?:\s(?:version\s)?\d+(?:\.\d+)*)?)(?!\w)"
)
_EXCEPTION = (
    # Starts only where a dotted name can start: "a.a.a.a..." is scanned once, not once per dot.
    r"(?<![\w.])(?P<value>(?:[a-z_][a-z0-9_]*\.)*[A-Z][A-Za-z0-9]*(?:Exception|Error)|EXC_[A-Z_]{3,}|"
    r"SIG(?:SEGV|ABRT|KILL|BUS|ILL|FPE|TRAP))(?!\w)"
)
_COUNTED = (
    r"times?|tries|try|attempts?|calls?|party|parties|week|weeks|months?|years?|days?|nights?|floor|grade|"
    r"person|people|place|round|step|option|line|generation|quarter|items?|orders?|emails?|messages?|one|"
    r"requests?|tickets?|payments?|charges?|reminders?|notices?|letters?|shipments?|packages?|deliver(?:y|ies)|"
    r"visits?|appointments?|class|hand|gen|edition|birthday|anniversary|century|largest|biggest|best|worst|"
    r"last|row|seat|level|place|account|card|device|phone|computer|replacement|refund|flights?|stor(?:y|ies)|"
    r"heirs?|presidents?|cables?|pics?|pictures?|photos?|screenshots?|marriages?|rooms?|bags?|units?|"
    r"install?ments?|bills?|invoices?|cars?|kids?|child|sons?|daughters?"
)
_CAP = r"[A-Z][a-zA-Z'’]+"
_TOKEN_SHAPES = re.compile(
    "|".join(
        f"(?:{c.regex.pattern})"
        for c in _PII_PATTERNS
        if c.name.startswith("secret.") and "labelled" not in c.name
    )
)


def default_recognizers() -> list[Recognizer]:
    """The packaged recognizers, highest priority first (English, then the other languages')."""
    return _with_languages(_english())


def _english() -> list[Recognizer]:
    return _with_prefilters(
        [
            _SecretInline(
                "secret.inline",
                "secret",
                r"\b(?P<label>pin(?:\s*(?:number|code|no|#))?|pass(?:word|code|phrase)|pwd|(?:pw|pass)(?=\s*(?:[:=]|is\b))|"
                r"security\s+(?:answer|word)|(?:memorable|secret)\s+(?:word|answer|phrase)|"
                r"answer\s+to\s+(?:my|the)\s+security\s+question|one[-\s]?time\s+(?:code|password|passcode|pin)|otp|"
                r"(?:verification|access|auth(?:entication)?|2fa|login|sms|security|clearance|unlock|door|entry|lock)\s+code|cvv2?|cvc|"
                r"(?:mother'?s\s+)?maiden\s+name|(?:childhood|first)\s+pet(?:'?s)?(?:\s+name)?|pet'?s?\s+name|(?:the|my)\s+code)(?!\w)(?:\s+(?:is|was|would\s+be|should\s+be))?\s*[:=\-]?\s*"
                r"(?P<value>[^\s,;]+)",
                withheld=True,
            ),
            _SecretInline(
                "secret.phrased",
                "secret",
                # CVV in words ("the 3-digit code on the back is 987"), "the code you sent me is
                # 448812", "api key: ...": rarer phrasings, behind their own pre-check.
                r"\b(?P<label>(?:(?:the|my)\s+)?(?:(?:\d|three|four)[-\s]?digits?\s+)?(?:security\s+)?code\s+on\s+"
                r"the\s+back(?:\s+of\s+(?:my|the)\s+card)?|(?:the|my)\s+(?:\d|three|four)[-\s]?digits?\s+(?:security\s+)?code|"
                r"(?:the\s+)?code\s+(?:you|u)\s+(?:just\s+)?(?:sent|texted|emailed)(?:\s+(?:to\s+)?me)?|"
                r"api[-_\s]?key|secret[-_\s]key|(?:access|auth|api|bearer|refresh)[-_\s]?token|client[-_\s]secret|token)"
                r"(?!\w)(?:\s+(?:is|was))?\s*[:=\-]?\s*(?P<value>[^\s,;]+)",
                withheld=True,
            ),
            # Key and token shapes (sk-live-..., ghp_..., AKIA..., JWTs): the redaction patterns.
            # "postgres://app:Kx9mPq2v@db-prod-3/…": the password in a URL's user part (before the
            # email recognizer could read "Kx9mPq2v@db-prod-3…" as an address).
            Recognizer(
                "secret.url_password",
                "password",
                # Bounded runs: a scheme is short, and an unbounded one rescans a long dotted run
                # ("a.a.a.…") from every word boundary.
                r"\b[a-z][a-z0-9+.-]{0,31}://[^\s:/@]{1,128}:(?P<value>[^\s:/@]{1,256})@",
                withheld=True,
            ),
            Recognizer("secret.token", "api_key", _TOKEN_SHAPES, withheld=True),
            _SecretAssignment(
                "secret.assignment",
                "secret",
                # A config or .env line: "DB_PASSWORD=Xk9#mPq2!vL", "SYNC_TOKEN: tok_7f3a…", and a
                # prefixed random key anywhere ("whsec_live_8fK2mQ9xR4tZ": lower, upper and digits).
                r"(?<![\w-])(?P<label>[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*_?(?i:password|passwd|pass|pwd|secret|token|"
                r"api_?key|private_?key|access_?key|credentials?)(?:_[A-Za-z0-9]+)*)\s*[=:]\s*[\"']?(?P<value>[^\s\"',;]{4,})|"
                r"(?<![\w-])(?P<v2>[a-z]{2,10}(?:_[a-z]{2,8}){0,2}_(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Z])"
                r"(?=[A-Za-z0-9]*[a-z])[A-Za-z0-9]{12,})(?![\w-])",
                flags=0,
                withheld=True,
            ),
            _LoginPair(
                "secret.login_pair",
                "password",
                # "login bob / Summer2024!", "credentials: bob|hunter22": the user, then the password.
                r"\b(?:log-?in|sign-?in|credentials?|user(?:name)?\s*/\s*pass(?:word)?|u/p)\s*(?:is|are|:|=|-)?\s*"
                r"(?P<user>[^\s/|:]{2,64})\s*[/|]\s*(?P<value>[^\s,;]{3,})",
                withheld=True,
            ),
            Recognizer(
                "email",
                "email",
                # \w: local parts and domains in any script (maría@, jürgen@); the
                # look-behind keeps the scan linear on long runs with no "@".
                r"(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}",
                needs=("@",),
            ),
            Recognizer("url", "url", r"\b(?:https?://|www\.)[^\s<>\"']+"),
            _Card("card", "card_number", r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])", withheld=True),
            Recognizer(
                "card_last4",
                "card_last4",
                r"\b(?:card|visa|mastercard|amex|account)\s+(?:number\s+)?(?:ending|ends|that\s+ends)\s+(?:in|with)?\s*"
                r"(?P<value>\d{4})\b|\blast\s+(?:four|4)(?:\s+digits)?(?:\s+(?:are|is|of\s+my\s+card\s+are))?\s*:?\s*"
                r"(?P<v2>\d{4})\b",
            ),
            # Technical context for tier 2: device, OS, app version and build, browser, exception.
            Recognizer("device", "device", _DEVICE),
            ModelName("device.model", "device", MODEL_PATTERN, flags=0),
            Recognizer("os", "os", _OS),
            Recognizer("app_version", "app_version", _APP_VERSION),
            Recognizer("build", "build", r"\bbuild\s*(?:number|no\.?|#)?\s*:?\s*#?(?P<value>\d{2,}[\w.-]*)"),
            Recognizer("update.kb", "update", r"(?<![\w-])KB\d{6,8}(?!\w)", flags=0),  # a Windows update
            Recognizer("browser", "browser", _BROWSER, flags=0),
            Recognizer("exception", "exception", _EXCEPTION, flags=0),
            _TenantId(
                "tenant_id",
                "tenant_id",
                r"\b(?P<label>tenant|workspace|organi[sz]ation|org|project|instance|subdomain|realm|cluster)"
                r"(?:[\s_-]*(?P<id>id|name|slug|key))?\s*(?:is|:|=|#)?\s*[:=#]?\s*[`'\"]?"
                r"(?P<value>[A-Za-z0-9][\w.-]{1,62}[A-Za-z0-9])",
            ),
            _Place(
                "place.named",
                "place",
                rf"\b(?:[Ff]rom|[Tt]o|[Ii]n|[Aa]t|[Nn]ear|[Tt]owards|[Aa]round)\s+(?:the\s+)?"
                rf"['\"]?(?P<value>{_CAP}(?:\s+(?:(?:and|&|of)\s+)?{_CAP}){{0,3}}|\d+{_ORD}\s+(?:and|&)\s+[A-Za-z]+)",
                flags=0,
            ),
            Recognizer(
                "place.noun",
                "place",
                rf"\b(?:from|to|at|near|towards)\s+(?:the\s+)?['\"]?(?P<value>{_PLACE_NOUNS}|\d+{_ORD}\s+and\s+[a-z]+)\b",
            ),
            _Date(
                "date",
                "date",
                rf"\b(?:\d{{4}}-\d{{1,2}}-\d{{1,2}}|(?<![\d.])\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}(?![./]\d)|\d{{1,2}}-\d{{1,2}}-\d{{4}}|"
                rf"{_MONTHS}\.?\s+\d{{1,2}}{_ORD}?(?:,?\s+\d{{4}})?|\d{{1,2}}{_ORD}?\s+(?:of\s+)?{_MONTHS}\b(?:,?\s+\d{{4}})?|"
                # "1st Ave", "5th and Main" are streets, "3rd time" a count, not dates; "1/6th" is a fraction
                rf"(?<!/)\d{{1,2}}{_ORD}\b(?!\s+(?:{_STREET_SUFFIX}|{_COUNTED})\b|\s+(?:and|&)\s+(?-i:[A-Z][a-z])))\b",
            ),
            Recognizer(
                "time",
                "time",
                # "7:43 am", and "7.43 am" as written in the UK (not "43 am")
                r"(?<![\w:.])(?:\d{1,2}(?:[:.][0-5]\d)?\s?[ap]\.?m\.?(?!\w)|(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?!\d)|"
                r"noon\b|midnight\b)(?:\s?(?-i:UTC|GMT|CET|CEST|BST|EST|EDT|CST|CDT|MST|MDT|PST|PDT|AEST|AEDT|SGT|JST)"
                r"(?:[+-]\d{1,2}(?::?\d\d)?)?\b)?",
            ),
            Recognizer(
                "amount",
                "amount",
                r"(?:[$€£¥₹]\s?\d[\d,]*(?:\.\d{1,2})?|\b\d[\d,]*(?:\.\d{1,2})?\s?(?:usd|eur|gbp|cad|aud|inr|dollars?|"
                r"euros?|pounds?|bucks|rupees?|yen)\b|\b(?:usd|eur|gbp|cad|aud)\s?\d[\d,]*(?:\.\d{1,2})?)",
            ),
            _Phone(
                "phone",
                "phone",
                r"(?<![\w+])\+\d{1,3}(?:[\s.-]\d{1,8}){1,5}(?!\w)|"  # +49 30 123456
                r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)\s?)?\d{1,5}(?:[\s.-]\d{2,5}){1,4}(?![\w])|"
                r"(?<![\w+])\+\d{7,15}(?!\w)|(?<![\w+])\(\d{3}\)\s?\d{3}[\s.-]?\d{4}(?!\w)",
            ),
            _LabelledId(
                "id.labelled",
                "reference",
                r"\b(?P<label>order|account|acct|ticket|case|tracking|invoice|reference|ref|confirmation|booking|"
                r"reservation|transaction|txn|claim|policy|serial|service\s+tag|imei|customer|member|merchant|subscription|shipment|package|"
                r"parcel|rma|incident)(?:\s+(?:number|no\.?|num|#|id|code))?(?:\s+(?:is|was|:))?\s*[:#=]?\s*"
                r"(?P<value>[A-Za-z0-9][\w-]{2,}[A-Za-z0-9])\b",
            ),
            Recognizer(
                "error_code",
                "error_code",
                r"\b(?:(?i:error|err|status|http|smtp|exit)\s*(?i:code\s*)?[:#]?\s*(?P<value>[A-Z]{0,5}[-_]?\d{2,6}[A-Z]?\b|"
                r"0x[0-9a-fA-F]{2,8}\b)|(?P<v2>ERR_[A-Z_]{3,}|E[-_]?\d{3,6}|0x[0-9A-F]{8})\b)",
                flags=0,
            ),
            ErrorContext("error_code.context", "error_code", ERROR_CONTEXT_PATTERN, flags=0),
            Recognizer(
                "room",
                "room_number",
                r"\broom\s*(?:number|no\.?|#)?\s*(?:is\s+)?#?(?P<value>\d{1,5}[A-Za-z]?)\b",
            ),
            Recognizer(
                "postal_code.labelled",
                "postal_code",
                r"\b(?:zip|zipcode|postal\s+code|postcode|post\s+code)(?:\s+code)?\s*(?:is|:)?\s*"
                r"(?P<value>\d{5}(?:-\d{4})?|[A-Z]\d[A-Z]\s?\d[A-Z]\d|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})\b",
            ),
            Recognizer(
                "postal_code.us",
                "postal_code",
                r"\b(?:A[LKZR]|C[AOT]|DE|DC|FL|GA|HI|I[DLNA]|K[SY]|LA|M[EDAINSOT]|N[EVHJMYCD]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|"
                r"V[TA]|W[AVIY]),?\s+(?P<value>\d{5}(?:-\d{4})?)\b|"
                r"\b(?i:a[lkzr]|c[aot]|de|fl|ga|hi|i[dlna]|k[sy]|la|m[edainsot]|n[evhjmycd]|o[hkr]|pa|ri|s[cd]|t[nx]|ut|"
                r"v[ta]|w[aviy]),\s*(?P<v2>\d{5}(?:-\d{4})?)\b",
                flags=0,
            ),
            Recognizer(
                "address.street",
                "address",
                rf"\b\d{{1,6}}\s+(?:(?:[A-Z][a-z]+|[NSEW])\.?\s+|\d{{1,3}}{_ORD}\s+){{1,3}}{_STREET_SUFFIX}\b\.?"
                r"(?:,?\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2})?(?:,?\s+[A-Z]{2}\b)?",
                flags=0,
            ),
            Recognizer("postal_code.uk", "postal_code", r"\b[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b", flags=0),
            Recognizer(
                "username.labelled",
                "username",
                # "handle" only as a label ("my handle is @x", "handle: x"), never "can you handle that"
                r"\b(?:(?:user\s*name|user\s*id|login\s+(?:name|id))\s*(?:is|:)?\s*[:=]?\s*@?|handle\s*(?:is\s+|:\s*)@?|"
                r"handle\s+@)"
                r"(?P<value>(?!is\b)[A-Za-z0-9._-]{3,})",
            ),
            _Name(
                "name.labelled",
                "name",
                r"(?P<lead>\b(?:my\s+)?(?:full\s+|first\s+|last\s+)?name\s+is(?:\s+(?:listed|registered|saved)\s+(?:as|under))?|"
                r"\bsupposed\s+to\s+be|\bmy\s+(?:daughter|son|wife|husband|mother|father|mom|dad|friend|partner|"
                r"brother|sister|child|kid|boss|colleague|grandson|granddaughter)(?:'s\s+name\s+is|,)?|\bmy\s+name's|\bname\s*:|\bthis\s+is|"
                r"\bi\s+am|\bi'm|\bim|\bcall\s+me)\s+(?P<value>[A-Za-z][A-Za-z'’-]*(?:\s+[A-Za-z][A-Za-z'’-]*){0,3})",
            ),
            _Name(
                "name.trailing",
                "name",
                r"\b(?P<value>[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){0,2})\s+is\s+(?:my|the)\s+(?:full\s+)?name\b",
                flags=0,
            ),
            _Name(
                "name.bare",
                "name",
                r"^\s*(?P<value>[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){1,2})\s*[.!]?\s*$",
                flags=0,
            ),
            Recognizer(
                "membership",
                "membership",
                rf"\b(?:(?P<value>{_TIERS})\s+(?:member|membership|level|tier|plan|status|subscriber|customer)\b|"
                rf"(?:membership|member|tier|plan|level)\s*(?:level\s*)?:?\s*(?:is\s+)?(?P<v2>{_TIERS})\b|"
                r"\b(?:be|am|i'm|im|are|is|was|a|an)\s+(?P<v3>gold|silver|bronze|platinum|diamond|vip)\b)",
            ),
            Recognizer("day", "day", r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b"),
            Recognizer(
                "reading",
                "reading",
                # "real reading is 04512 m3", "meter reading: 18420", "the actual reading 04512"
                r"\breading\s*(?:is\s+|was\s+|of\s+|now\s+|:\s*|=\s*)?(?P<value>\d{3,}(?:[.,]\d+)?)(?![\w.,]?\d)",
            ),
            Recognizer(
                "domain",
                "domain",
                r"\b(?:domain|hostname|host\s+name|website|site)(?:\s+name)?\s*(?:is\s+|:\s*)?"
                r"(?P<value>(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,12})(?![\w@-]|\.\w)",
            ),
            Recognizer(
                "vehicle_registration",
                "vehicle_registration",
                r"\b(?:reg(?:istration)?(?:\s+(?:number|no\.?|plate))?|(?:number|licen[cs]e)\s+plate|plate(?:\s+number)?)"
                r"\s*(?:is\s+|:\s*)?(?P<value>(?-i:[A-Z]{2}\d{2}\s?[A-Z]{3}|"
                r"(?=[A-Z0-9 -]*\d)(?=[A-Z0-9 -]*[A-Z])"
                r"[A-Z0-9]{1,4}[- ][A-Z0-9]{1,4}(?:[- ][A-Z0-9]{1,4})?))(?![\w-])",
            ),
            _Generic(
                "id.generic",
                "id",
                r"(?<![\w@.-])(?=[A-Za-z0-9-]*\d)[A-Za-z0-9][A-Za-z0-9-]{4,}[A-Za-z0-9](?![\w@])",
            ),
        ]
    )

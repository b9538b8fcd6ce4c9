"""The packaged PII recognizers and the checksums they rely on.

Each recognizer is a linear-time regex that proposes candidates plus a small
``accept`` check (a checksum, a country length, a context word) that keeps or
drops them. Patterns avoid nested ambiguous quantifiers: groups are separated by
mandatory separators or have fixed widths, and every candidate is anchored by a
look-behind so a long run of digits, dots or letters is scanned once.
``tests/test_redact.py`` runs every pattern on 50k-character adversarial strings.

Checksums implemented (and nothing else is claimed):

* payment cards: Luhn (ISO/IEC 7812), 13-19 digits;
* IBAN: ISO 13616 mod-97 = 1 and the registry length of the country;
* Spanish DNI / NIE: the mod-23 control letter;
* Italian codice fiscale: the odd/even-table check character (omocodia accepted);
* Brazilian CPF: both mod-11 check digits;
* Dutch BSN: the "11-proof" (only after a BSN label: 1 in 11 random numbers pass);
* French NIR (numéro de sécurité sociale): the key 97 - (number mod 97);
* US SSN and UK NINO have no check digit: format and invalid-range rules only.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass


def luhn_ok(digits: str) -> bool:
    """True if ``digits`` passes the Luhn checksum (payment card numbers)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = ord(char) - 48
        if index % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


__all__ = ["PATTERNS", "Candidate", "iban_ok", "luhn_ok"]

Accept = Callable[[str, "re.Match[str]"], "tuple[int, int] | None"]
"""Returns the part of the candidate to redact, as offsets into it, or ``None`` to drop it."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A packaged recognizer: a kind, a name, a candidate regex and its check."""

    name: str
    kind: str
    regex: re.Pattern[str]
    accept: Accept | None = None


def _before(match: re.Match[str], width: int = 40) -> str:
    return match.string[max(0, match.start() - width) : match.start()].lower()


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


# -- checksums ---------------------------------------------------------------------

IBAN_LENGTHS = dict(
    (code, int(length))
    for code, length in (
        item.split(":")
        for item in """AD:24 AE:23 AL:28 AT:20 AZ:28 BA:20 BE:16 BG:22 BH:22 BR:29 BY:28 CH:21 CR:22 CY:28
        CZ:24 DE:22 DK:18 DO:28 EE:20 EG:29 ES:24 FI:18 FO:18 FR:27 GB:22 GE:22 GI:23 GL:18 GR:27 GT:28
        HR:21 HU:28 IE:22 IL:23 IQ:23 IS:26 IT:27 JO:30 KW:30 KZ:20 LB:28 LC:32 LI:21 LT:20 LU:20 LV:21
        MC:27 MD:24 ME:22 MK:19 MR:27 MT:31 MU:30 NL:18 NO:15 PK:24 PL:28 PS:29 PT:25 QA:29 RO:24 RS:22
        SA:24 SC:31 SE:24 SI:19 SK:24 SM:27 ST:25 SV:28 TL:23 TN:24 TR:26 UA:29 VA:22 VG:24 XK:20""".split()
    )
)


def iban_ok(iban: str) -> bool:
    """ISO 13616: known country, its registered length, and mod-97 == 1."""
    iban = iban.replace(" ", "").upper()
    if IBAN_LENGTHS.get(iban[:2]) != len(iban) or not iban.isalnum():
        return False
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def dni_ok(value: str) -> bool:
    """Spanish DNI (8 digits + letter) or NIE (X/Y/Z + 7 digits + letter)."""
    value = value.replace("-", "").replace(" ", "").upper()
    if value[0] in "XYZ":
        value = str("XYZ".index(value[0])) + value[1:]
    return value[:-1].isdigit() and _DNI_LETTERS[int(value[:-1]) % 23] == value[-1]


_CF_ODD = dict(
    zip(
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        [*(1, 0, 5, 7, 9, 13, 15, 17, 19, 21) * 2, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23],
        strict=True,
    )
)  # fmt: skip


def codice_fiscale_ok(value: str) -> bool:
    """Italian codice fiscale: the 16th character is the check letter of the first 15."""
    value = value.upper()
    total = 0
    for index, char in enumerate(value[:15]):
        if index % 2 == 0:  # 1st, 3rd, ... (odd positions counting from 1)
            total += _CF_ODD[char]
        else:
            total += int(char) if char.isdigit() else ord(char) - 65
    return chr(65 + total % 26) == value[15]


def cpf_ok(value: str) -> bool:
    """Brazilian CPF: 11 digits, not all equal, both mod-11 check digits."""
    digits = [int(c) for c in _digits(value)]
    if len(digits) != 11 or len(set(digits)) == 1:
        return False
    for size in (9, 10):
        total = sum(d * w for d, w in zip(digits[:size], range(size + 1, 1, -1), strict=True))
        check = (total * 10) % 11 % 10
        if check != digits[size]:
            return False
    return True


def bsn_ok(value: str) -> bool:
    """Dutch BSN: 9 digits, sum(d_i * (9..2)) - d_9 divisible by 11."""
    digits = [int(c) for c in _digits(value)]
    if len(digits) != 9:
        return False
    total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - digits[8]
    return total % 11 == 0 and total != 0


def nir_ok(value: str) -> bool:
    """French NIR: 13 characters (Corsica 2A/2B read as 19/18) + key 97 - (n mod 97)."""
    compact = value.replace(" ", "").upper()
    if len(compact) != 15:
        return False
    body, key = compact[:13], compact[13:]
    body = body.replace("2A", "19", 1) if body[5:7] == "2A" else body.replace("2B", "18", 1)
    return body.isdigit() and key.isdigit() and 97 - int(body) % 97 == int(key)


def ssn_ok(value: str) -> bool:
    """US SSN ranges: area not 000/666/9xx, group not 00, serial not 0000."""
    digits = _digits(value)
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


_NINO_BAD_PREFIX = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})

# -- accept functions --------------------------------------------------------------


def _accept_card(value: str, match: re.Match[str]) -> tuple[int, int] | None:
    """The first, longest run of whole separator groups (13-19 digits) that passes Luhn."""
    groups = re.split(r"[ -]", value)
    offsets = [0]
    for group in groups:
        offsets.append(offsets[-1] + len(group) + 1)
    for first in range(len(groups)):
        if groups[first][0] == "0":
            continue
        best = None
        digits = ""
        for last in range(first, len(groups)):
            digits += groups[last]
            if len(digits) > 19:
                break
            if len(digits) >= 13 and luhn_ok(digits):
                best = last
        if best is not None:
            return offsets[first], offsets[best + 1] - 1
    return None


def _accept_iban(value: str, match: re.Match[str]) -> tuple[int, int] | None:
    compact = value.replace(" ", "").upper()
    length = IBAN_LENGTHS.get(compact[:2])
    if length is None or len(compact) < length:
        return None
    # Trim to the country's length, keeping the original spacing.
    kept = count = 0
    while count < length:
        count += value[kept] != " "
        kept += 1
    return (0, kept) if iban_ok(value[:kept]) else None


_PHONE_WORDS = re.compile(
    r"phone|mobile|cell|call|tel\b|tel[:.]|text me|sms|whats\s?app|number|reach me|ring me|contact|landline|"
    r"handy|telefon|rückruf|anrufen|nummer|téléphone|portable|numéro|appel|rappel|teléfono|móvil|movil|llamar|"
    r"número|telefono|cellulare|numero|chiamare|celular|ligar|zap|telefoon|bellen|nummer|mobiel|06-"
)
_NOT_PHONE_LABEL = re.compile(
    r"(?:order|invoice|ticket|case|tracking|ref(?:erence)?|confirmation|booking|account|acct|customer|member|"
    r"policy|serial|transaction|claim|parcel|shipment|bestell|auftrag|rechnung|kunden|commande|facture|"
    r"pedido|factura|ordine|fattura|cliente|encomenda|nota|bestelling|factuur|klant|sendung|colis|"
    r"envío|spedizione|rastreio|pakket|iban|cpf|bsn|ssn|nino)\w*(?:\s+(?:number|no\.?|nr\.?|num|nº|n°|"
    r"#|id|code|nummer|numéro|número|numero))?\s*(?:is|was|:|ist|est|es|è|é|é o|is het)?\s*[:#]?\s*$"
)
_DATE_LIKE = re.compile(r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}[./-]\d{1,2}[./-]\d{1,2}")


def _whole(value: str, ok: bool) -> tuple[int, int] | None:
    return (0, len(value)) if ok else None


def _accept_phone(value: str, match: re.Match[str]) -> tuple[int, int] | None:
    value = value.rstrip(" .-/")
    digits = _digits(value)
    before = _before(match)
    if _DATE_LIKE.fullmatch(value) or _NOT_PHONE_LABEL.search(before):
        return None
    if value.startswith("+") or (value.startswith("00") and len(digits) >= 10):
        return _whole(value, 8 <= len(digits) <= 15)
    if not 7 <= len(digits) <= 13:
        return None
    grouped = bool(re.search(r"[ .\-/()]", value))
    national = (
        (digits[0] == "0" and 10 <= len(digits) <= 12)  # UK/DE/FR/NL/IT trunk prefix
        or (value.startswith("(") and len(digits) >= 10)  # (212) 555-0142, (11) 91234-5678
        or (grouped and len(digits) in (10, 11) and digits[0] != "0")  # US 555-201-0142, BR
        or (grouped and len(digits) == 9 and digits[0] in "6789")  # ES 612 345 678
        or (len(digits) == 10 and digits[0] == "3")  # IT mobile 3xx
    )
    return _whole(value, national or _PHONE_WORDS.search(before) is not None)


def _accept_ssn(value: str, match: re.Match[str]) -> tuple[int, int] | None:
    labelled = re.search(r"ssn|social security", _before(match)) is not None
    return _whole(value, (labelled or not value.isdigit()) and ssn_ok(value))


def _accept_nino(value: str, match: re.Match[str]) -> tuple[int, int] | None:
    return _whole(value, value[:2].upper() not in _NINO_BAD_PREFIX)


def _accept_cpf(value: str, match: re.Match[str]) -> tuple[int, int] | None:
    return _whole(value, (not value.isdigit() or "cpf" in _before(match)) and cpf_ok(value))


def _accept_bsn(value: str, match: re.Match[str]) -> tuple[int, int] | None:
    labelled = re.search(r"bsn|burgerservice|sofi", _before(match, 30)) is not None
    return _whole(value, labelled and bsn_ok(value))


def _accept_ipv4(value: str, match: re.Match[str]) -> tuple[int, int] | None:
    return _whole(value, re.search(r"(?:version|ver\.?|v|build|release)\s*$", _before(match, 12)) is None)


def _accept_ipv6(value: str, match: re.Match[str]) -> tuple[int, int] | None:
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return None
    return (0, len(value))


def _check(test: Callable[[str], bool]) -> Accept:
    return lambda value, match: _whole(value, test(value))


_SECRET_STOP = frozenset(
    """is was the a an my your please and or but to for of wrong incorrect invalid expired working reset
    changed forgotten missing correct right locked blocked sent required needed different same new old
    not doesn't does isn't won't field manager ist war est es era è é non nicht niet no again anymore
    still too yesterday today""".split()
)
_TRAIL = ".,;:)]}'\""  # not "!" or "?": passwords end with them; over-redacting is the safe side
_EMAILISH = re.compile(r"[^@\s]+@[^@\s]+\.[^\W\d_]{2,}")


def _accept_labelled_secret(value: str, match: re.Match[str]) -> tuple[int, int] | None:
    value = value.rstrip(_TRAIL)
    if len(value) < 3 or value.lower() in _SECRET_STOP or _EMAILISH.fullmatch(value) or value.startswith("<"):
        return None
    label = match.group("label").lower()
    has_digit = re.search(r"\d", value) is not None
    if re.search(r"key|token|secret|bearer", label):  # random-looking values only
        return _whole(value, len(value) >= 12 and has_digit and re.search(r"[A-Za-z]", value) is not None)
    if re.match(r"pin|cvv|cvc", label):
        return _whole(value, has_digit)
    said = match.group("sep").strip() != ""  # "password: x", "password is x"
    return _whole(value, said or has_digit or not value.isalpha())


# -- patterns ----------------------------------------------------------------------

_I = re.IGNORECASE
_STREET_EN = (
    r"Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Parkway|"
    r"Pkwy|Highway|Hwy|Circle|Cir|Square|Sq|Close|Crescent|Gardens|Grove|Mews|Row|Hill|Walk"
)
_CAPWORD = r"[A-Z][\w'’.-]*"
_NAME = rf"{_CAPWORD}(?:[ ](?:(?:de|del|da|do|dos|della|di|la|las|los)[ ])?{_CAPWORD}){{0,3}}"
_NUM = r"\d{1,5}[A-Za-z]?"


def _c(name: str, kind: str, pattern: str, accept: Accept | None = None, flags: int = 0) -> Candidate:
    return Candidate(name, kind, re.compile(pattern, flags), accept)


PATTERNS: tuple[Candidate, ...] = (
    # Secrets first: "password: 4111..." must be withheld, not re-hydrated as something else.
    _c("secret.jwt", "SECRET", r"(?<![\w-])eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}"),
    _c("secret.openai", "SECRET", r"(?<![\w-])sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}"),
    _c("secret.aws", "SECRET", r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])"),
    _c("secret.github", "SECRET", r"(?<!\w)gh[pousr]_[A-Za-z0-9]{36,}"),
    _c("secret.slack", "SECRET", r"(?<![\w-])xox[abprs]-[A-Za-z0-9-]{10,}"),
    _c("secret.stripe", "SECRET", r"(?<!\w)[sr]k_(?:live|test)_[A-Za-z0-9]{16,}"),
    _c("secret.google", "SECRET", r"(?<![\w-])AIza[A-Za-z0-9_-]{35}"),
    _c(
        "secret.labelled",
        "SECRET",
        r"\b(?P<label>pass(?:word|wort|code|phrase)|pwd|mot[ ]de[ ]passe|contrase[ñn]a|senha|wachtwoord|"
        r"kennwort|mdp|palavra[ -]passe|"
        r"pin(?:[ ]?code)?|cvv2?|cvc|api[ _-]?key|secret(?:[ _-]?key)?|(?:access|auth|api|bearer)[ _-]?token|"
        r"token|bearer|access[ _-]?key)(?!\w)"
        r"(?P<sep>(?:[ ](?:is|was|to|ist|est|es|è|é|era|war|foi|is[ ]het|lautet|=))?[ ]?[:=]?)[ ]?"
        r"(?P<value>[^\s,;]{3,200})",
        _accept_labelled_secret,
        _I,
    ),
    _c("email", "EMAIL", r"(?<![\w.%+-])[\w.%+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}\.[^\W\d_]{2,24}"),
    _c(
        "iban",
        "IBAN",
        r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]{4}){2,7}(?:[ ]?[A-Za-z0-9]{1,3})?"
        r"(?![A-Za-z0-9])",
        _accept_iban,
    ),
    _c(
        "id.fr_nir",
        "FR_NIR",
        r"(?<!\d)(?<!\d[ ])[12][ ]?\d{2}[ ]?\d{2}[ ]?(?:\d{2}|2[AB])[ ]?\d{3}[ ]?\d{3}[ ]?\d{2}(?![ ]?\d)",
        _check(nir_ok),
    ),
    _c("card", "CARD", r"(?<![\d+])(?<!\+[ ])\d+(?:[ -]\d+)*(?!\d)", _accept_card),
    _c("id.es_nie", "ES_NIE", r"(?<![\w-])[XYZxyz]-?\d{7}-?[A-Za-z](?!\w)", _check(dni_ok)),
    _c("id.es_dni", "ES_DNI", r"(?<![\w-])\d{8}-?[A-Za-z](?!\w)", _check(dni_ok)),
    _c(
        "id.it_cf",
        "IT_CF",
        r"(?<!\w)[A-Za-z]{6}[0-9LMNP-Vlmnp-v]{2}[A-EHLMPR-Ta-ehlmpr-t][0-9LMNP-Vlmnp-v]{2}[A-Za-z]"
        r"[0-9LMNP-Vlmnp-v]{3}[A-Za-z](?!\w)",
        _check(codice_fiscale_ok),
    ),
    _c("id.br_cpf", "BR_CPF", r"(?<![\d.-])(?:\d{3}\.\d{3}\.\d{3}-\d{2}|\d{11})(?![\d.-]?\d)", _accept_cpf),
    _c("id.us_ssn", "US_SSN", r"(?<![\d-])\d{3}([- ]?)\d{2}\1\d{4}(?![\d-])", _accept_ssn),
    _c(
        "id.uk_nino",
        "UK_NINO",
        r"(?<!\w)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][ ]?\d{2}[ ]?\d{2}[ ]?\d{2}[ ]?[A-D](?!\w)",
        _accept_nino,
    ),
    _c("id.nl_bsn", "NL_BSN", r"(?<![\d.])\d{4}\.?\d{2}\.?\d{3}(?![\d.]?\d)", _accept_bsn),
    _c(
        "ip.v4",
        "IP_ADDRESS",
        r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w]|\.\d)",
        _accept_ipv4,
    ),
    _c(
        "ip.v6", "IP_ADDRESS", r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])", _accept_ipv6
    ),
    _c(
        "phone",
        "PHONE",
        r"(?<![\w+(/.-])(?:\+[ ]?|00)?(?:\(\d{1,5}\)[ ]?)?\d+"
        r"(?:(?:[ .\-/]|[ ]?\(\d{1,5}\)[ ]?)\d+){0,7}(?![\w@])",
        _accept_phone,
    ),
    # Street addresses: "742 Evergreen Terrace", "Flat 3, 12 High St", "Hauptstraße 5",
    # "12 rue de la Paix", "Calle de Alcalá 45", "Via Roma 10", "Rua Augusta, 1500".
    _c(
        "address.en",
        "ADDRESS",
        rf"(?<![\w-]){_NUM}[ ](?:{_CAPWORD}[ ]){{1,3}}(?:{_STREET_EN})\b\.?"
        rf"(?:[ ](?:NW|NE|SW|SE|N|S|E|W)\b)?(?:,?[ ](?:Apt|Apartment|Suite|Unit|Flat)\.?[ ]?#?\w{{1,5}})?",
    ),
    _c(
        "address.de",
        "ADDRESS",
        r"(?<!\w)(?:[A-ZÄÖÜ][\wäöüß-]*(?:stra(?:ß|ss)e|str\.|weg|platz|allee|gasse|ring|damm|ufer|straat|laan|"
        r"gracht|kade|plein|dijk|steeg)|(?:[A-ZÄÖÜ][\wäöüß-]*[ ])(?:Stra(?:ß|ss)e|Weg|Platz|Allee)|"
        r"(?:Laan|Weg|Plein|Kade)[ ]van[ ](?:de[ ]|der[ ]|den[ ])?[A-Z][\w-]*)[ ]\d{1,4}"
        r"(?:[ ]?[a-zA-Z](?!\w))?(?:-\d{1,4})?",
    ),
    _c(
        "address.fr",
        "ADDRESS",
        r"(?<![\w-])\d{1,4}(?:[ ]?(?:bis|ter))?,?[ ]"
        r"(?:rue|avenue|av\.|boulevard|bd|place|allée|impasse|chemin|quai|route|cours)[ ]"
        r"(?:(?:de[ ]la|de[ ]l'|du|des|de|d')[ ]?)?[\w'’-]+(?-i:(?:[ ][A-ZÉÈ][\w'’-]+){0,3})",
        flags=_I,
    ),
    _c(
        "address.romance",
        "ADDRESS",
        rf"(?<!\w)(?:Calle|C/|Avenida|Avda\.?|Plaza|Paseo|Camino|Carrer|Via|Viale|Piazza|Corso|Largo|Vicolo|Rua|"
        rf"Travessa|Alameda|Praça|Estrada|Rodovia|Av\.)[ ](?:(?:de|del|da|do|dos|das|della|delle|dei|di)[ ]"
        rf"(?:la[ ]|los[ ]|las[ ])?)?{_NAME},?[ ](?:n[º°o]\.?[ ]?)?\d{{1,5}}(?:[A-Za-z](?!\w))?",
    ),
)

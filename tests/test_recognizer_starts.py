"""A recognizer's ``starts`` words only move where its search begins: never what it finds."""

from handoff_ai.rules.catalog import default_recognizers
from handoff_ai.rules.phrases import tokens
from handoff_ai.rules.recognizer_set import RecognizerSet, _Starts

TEXTS = [
    "my order id is AB-12345 and my account number is 998877",
    "hi, it's l'order 55512 from the 3rd of May, 10:30am",
    "service tag 7XK2P9 / imei 356938035643809, case #A1B2C3",
    "Error code E-4012 at 2024-03-01, status: 503, 0x8007000d",
    "I'm John Smith, my name is Jane Doe; call me Bob. im ok",
    "I am a gold member since jan 5th, premium plan, be vip",
    "my pin is 4321; password: hunter22; the code 9981; mother's maiden name Smith",
    "flying from London to New York at noon, midnight in Paris",
    "12/05/2024 or 5-6-2024 or March 3, 2024 or 3rd of march",
    "nothing to see here",
    "",
    "'order 123456'",
    "x'5pm meeting",
    "ERR_CONNECTION_RESET happened",
]


def test_search_from_first_start_word_finds_the_same():
    for recognizer in default_recognizers():
        if not recognizer.starts:
            continue
        starter = _Starts(recognizer.starts)
        for text in TEXTS:
            for cut in range(len(text) + 1):
                piece = text[cut:]
                whole = recognizer.regex.search(piece)
                word = next(filter(starter.__getitem__, tokens(piece)), None)
                if word is None:
                    assert whole is None, (recognizer.name, piece)
                    continue
                later = recognizer.regex.search(piece, piece.lower().find(word))
                assert (whole and whole.span()) == (later and later.span()), (recognizer.name, piece)


def test_set_finds_the_same_with_and_without_starts():
    with_starts = RecognizerSet(default_recognizers())
    plain = default_recognizers()
    for recognizer in plain:
        recognizer.starts = None
    without = RecognizerSet(plain)
    for text in TEXTS:
        assert list(map(_fields, with_starts.find(text))) == list(map(_fields, without.find(text)))


def _fields(span):
    return span.kind, span.start, span.end, span.value, span.rule, span.withheld

"""The summary's and the commitments' fast paths give what the plain forms they replace give."""

from __future__ import annotations

import random
import re

from handoff_ai.rules import restate, summary, summary_pick
from handoff_ai.rules.sentences import ends_before, split_sentences


def _texts(alphabet: str, count: int = 3000, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(count)]


_WORDS = [
    "I", "i", "I'm", "I’m", "am", "AM", "my", "Me,", "(me)", "US", "us", "Us.", "we", "you", "You're", "your",
    "u", "—you—", "…my", "me@example.com", "a.me.com", "they", "was", "are", "do", "the", "customer", "K",
    "\u212a", "İ", "", " ", "-", "order.", "need",
]  # fmt: skip


def _old_third_person(text: str, *, agent: bool = False) -> str:
    table = restate._AGENT_LOOKUP if agent else restate._CUSTOMER_LOOKUP
    words = text.split(" ")
    cores = [word.strip(restate.EDGE) for word in words]
    hits = [i for i, core in enumerate(cores) if core.lower() in table]
    if not hits:
        return text
    for index in reversed(hits):
        core = cores[index]
        key = core.lower()
        if core == "US" or (key == "am" and (index == 0 or cores[index - 1].lower() != "i")):
            continue
        new = table[key]
        if index and ends_before(words[index - 1], core):  # a later sentence's start
            new = new[0].upper() + new[1:]
        words[index] = words[index].replace(core, new, 1)
    text = " ".join(words)
    text = text.replace("they was", "they were").replace("They was", "They were")
    if agent and "the customer " in text:
        text = restate._AGREE.sub(lambda m: restate._AGREEMENT[m.group(0).lower()], text)
    return text


def test_third_person_as_before() -> None:
    rng = random.Random(3)
    for _ in range(5000):
        text = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(0, 9)))
        for agent in (False, True):
            assert restate.third_person(text, agent=agent) == _old_third_person(text, agent=agent)


def test_pleasantry_on_lowered_ascii_as_ignoring_case() -> None:
    pieces = [
        "Thank you",
        "thanks",
        "We're sorry",
        "I am so GLAD",
        "Have a GREAT",
        "no worries",
        "x",
        " ",
        ",",
    ]
    rng = random.Random(8)
    texts = [" ".join(rng.choice(pieces) for _ in range(rng.randint(1, 4))) for _ in range(3000)]
    for text in texts + _texts("thank you sorry glad HAVE A ", seed=6):
        assert text.isascii()
        plain = summary_pick._PLEASANTRY.match(text) is not None
        assert summary_pick._PLEASANTRY_LOW is not None
        assert (summary_pick._PLEASANTRY_LOW.match(text.lower()) is not None) == plain


def test_one_line_spans_as_the_splitter() -> None:
    for text in [*_texts("ab .!?\n \t…'\")", 6000), "", " ", "Hi. ", "a.b", "Dr. Who", "no end"]:
        assert summary_pick._spans(text) == split_sentences(text)


def test_join_parts_counts_words_as_before() -> None:
    def old(parts: list[str]) -> str:
        joined = ""
        for part in parts:
            if not part:
                continue
            if part.endswith("….") or part.endswith("?."):
                part = part[:-1]
            candidate = f"{joined} {part}".strip()
            if len(candidate.split()) > summary.MAX_WORDS and joined:
                continue
            joined = candidate
        return joined

    rng = random.Random(2)
    words = ["a", "bb", " ", "  ", "?.", "….", "x?.", "\n", "c…."]
    for _ in range(3000):
        parts = [
            " ".join(rng.choice(words) for _ in range(rng.randint(0, 30))) for _ in range(rng.randint(0, 5))
        ]
        assert summary.join_parts(parts) == old(parts)


def test_word_led_alternations_find_what_look_behind_led_ones_find() -> None:
    from handoff_ai.rules.commitment_language import _alternation, _led, _word_led

    rng = random.Random(1)
    for _ in range(300):
        phrases = [
            "".join(rng.choice("ab '-") for _ in range(rng.randint(1, 5))) for _ in range(rng.randint(1, 6))
        ]
        plain = re.compile(rf"(?<!\w)(?:{_alternation(phrases)})(?!\w)")
        led = re.compile(rf"{_led(phrases)}(?!\w)")
        after = _word_led(phrases, after_word=True)
        if after:  # the attached forms ("'ll"): after a word character
            plain_after = re.compile(rf"(?<=\w)(?:{_alternation(phrases)})(?!\w)")
            for text in _texts("ab '-\nX", 20, rng.randint(0, 99)):
                found = [m.span() for m in re.finditer(rf"(?:{after})(?!\w)", text)]
                assert found == [m.span() for m in plain_after.finditer(text)]
        for text in _texts("ab '-\nX", 20, rng.randint(0, 99)):
            assert [m.span() for m in led.finditer(text)] == [m.span() for m in plain.finditer(text)]


def test_due_key_words_are_in_every_ascii_sentence_a_day_or_event_phrase_matches() -> None:
    from handoff_ai.rules import due
    from handoff_ai.rules.commitment_language import languages

    rng = random.Random(7)
    for lang in languages():
        reader = lang.due
        pieces = [w for phrase in [*reader.days, "once", "as soon as"] for w in phrase.split()]
        pieces += ["EOD", "Tomorrow", ",", ".", "x", "-", "'", "by"]
        for _ in range(1500):
            text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 7)))
            if not text.isascii():
                continue
            words = due._letter_words(text.lower())
            if reader._day.search(text):
                assert words & reader._day_keys
            if reader._event.search(text):
                assert words & reader._event_keys


def test_ascii_line_spans_as_the_splitter() -> None:
    pieces = [
        "Dr.",
        "e.g.",
        "No.",
        "5",
        "J.",
        "Smith",
        "a.m.",
        "etc.",
        "ok",
        "It",
        "works",
        "!",
        "?",
        ".",
        "...",
        '."',
    ]
    pieces += ["')", "1.", "U.S.", "(", "]", "  ", "\t", "end.", "Hi!", "x?!", "v2.3.1", "$84.50"]
    rng = random.Random(11)
    for _ in range(6000):
        text = rng.choice(["", " "]).join(rng.choice(pieces) for _ in range(rng.randint(0, 9)))
        assert summary_pick._spans(text) == split_sentences(text)
    for text in _texts("aB .!?'\")]\t1", 6000, 12):
        assert summary_pick._spans(text) == split_sentences(text)


def test_filler_on_lowered_ascii_as_ignoring_case() -> None:
    pieces = [
        "Hi",
        "HELLO",
        "ok,",
        "Okay!",
        "good Morning",
        "Dear Sam",
        "got it",
        "thank you",
        "Sure.",
        "x",
        "-",
    ]
    rng = random.Random(13)
    for _ in range(4000):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 5)))
        assert restate._FILLER_LOW is not None
        found = restate._FILLER_LOW.match(text.lower())
        assert (text[found.end() :] if found is not None else text) == restate._FILLER.sub("", text)


def test_estimate_and_booked_keys_are_in_every_match() -> None:
    from handoff_ai.rules.commitment_language import languages

    rng = random.Random(17)
    for lang in languages():
        for pattern, keys in ((lang.estimate, lang.estimate_keys), (lang.booked, lang.booked_keys)):
            if pattern is None or keys is None:
                continue
            pieces = [w for phrase in lang.futures for w in phrase.lower().split()] + ["x", ",", "'", "ed"]
            for _ in range(2000):
                low = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
                if pattern.search(low) is not None:
                    assert any(key in low for key in keys)

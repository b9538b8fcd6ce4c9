"""Speed round 5 (facts): the quick set scan of the recognizers a digit alone lets run, and the
Hyperscan set compiled at once. Both only skip work: every span stays what ``re`` finds."""

from __future__ import annotations

import importlib.util
import random
import re

import pytest

from handoff_ai.backends.rules import RulesBackend
from handoff_ai.rules import prefilter
from handoff_ai.rules.prefilter import PatternSet
from handoff_ai.rules.recognizer_set import RecognizerSet

HAS_RE2 = importlib.util.find_spec("re2") is not None
HAS_HYPERSCAN = importlib.util.find_spec("hyperscan") is not None

UGLY = [
    "",
    "42",
    "my order 12345 never arrived",
    "I was charged $84.50 twice on 03/01/2024 at 10:30 PM, card ending 4242",
    "call me at +1 (415) 555-0199, zip 94103, 221B Baker Street, SW1A 1AA",
    "Joseph Banter",
    "ERR_CONNECTION_RESET 0x80070005 E-1234 code 500",
    "<b>Order</b> #A-20931 &amp; <i>ticket</i> INC-60731 🙂🙂 2024-03-01.pdf",
    "MY ACCOUNT ID IS QWERTY12345 AND MY PIN IS 4821",
    "Mi número de pedido es 48213 y el código postal 28013",
    "订单号 12345，电话 13800138000",
    "meet me at Gate 12 in Terminal 3 on Friday at 9am",
    "v5.4.2 build 812 on iOS 17.2.1 (iPhone 13 Pro)",
    "1" * 40,
    "a1 " * 80,
    "0" * 300 + "@" + "a" * 300,
]


def _fuzz(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    pieces = [
        *"order card phone zip date time street ave road apt suite pm am noon jan March Friday".split(),
        *"my is at on in # $ € £ - / : . , ( ) + @ 0 1 7 12 42 415 2024 94103 4242 12:30 555-0199".split(),
        "SW1A",
        "1AA",
        "E-12",
        "0x1F",
        " ",
        "\n",
        "🙂",
        "é",
    ]
    return [
        "".join(rng.choice(pieces) + rng.choice(("", " ")) for _ in range(rng.randint(1, 20)))
        for _ in range(count)
    ]


def _spans(found: list) -> list[tuple]:
    return [(s.kind, s.start, s.end, s.value, s.rule, s.withheld) for s in found]


def _without_quick_set(monkeypatch: pytest.MonkeyPatch) -> RecognizerSet:
    monkeypatch.setattr(prefilter, "_quick_engine", lambda: None)
    return RecognizerSet(RulesBackend()._base.recognizers)


def test_the_quick_set_keeps_every_span(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [*UGLY, *_fuzz(5, 1500), "x" * 10_000 + " 12345 " + "y" * 10_000]
    quick = RecognizerSet(RulesBackend()._base.recognizers)
    expected = [_spans(quick.find(text)) for text in texts]  # quick set on (when RE2 is there)
    plain = _without_quick_set(monkeypatch)
    assert [_spans(plain.find(text)) for text in texts] == expected
    for languages in (frozenset({"es", "*"}), frozenset({"de", "*", "en"})):
        fresh = RecognizerSet(RulesBackend()._base.recognizers)
        monkeypatch.undo()
        with_quick = [_spans(fresh.find(text, languages=languages)) for text in texts[:300]]
        plain = _without_quick_set(monkeypatch)
        assert [_spans(plain.find(text, languages=languages)) for text in texts[:300]] == with_quick


@pytest.mark.skipif(not HAS_RE2, reason="the quick set needs RE2")
def test_a_recognizer_the_quick_set_rules_out_finds_nothing() -> None:
    recognizers = RecognizerSet(RulesBackend()._base.recognizers)
    recognizers.find("order 1")  # makes the English route
    route = next(iter(recognizers._routes.values()))
    assert len(route.unguarded) >= 3
    ruled_out_somewhere = set()
    for text in [*UGLY, *_fuzz(11, 1500)]:
        if not text.isascii():
            continue
        misses = recognizers._unguarded_misses(route, text)
        ruled_out_somewhere |= misses
        wrong = [recognizers.recognizers[n].name for n in misses if recognizers._plan[n][6].search(text)]
        assert wrong == [], (text, wrong)
    assert route.unguarded_set is not None and route.unguarded_set.engine == "re2"
    names = {recognizers.recognizers[n].name for n in ruled_out_somewhere}
    assert {"card", "date", "phone", "time"} <= names  # the scan does rule recognizers out


def test_no_quick_set_when_the_prefilter_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANDOFF_AI_PREFILTER", "off")
    prefilter._engine.cache_clear()
    try:
        patterns = PatternSet([re.compile(r"\d{5}")], quick=True)
        assert not patterns.active and patterns.candidates("zip 94103") is None
        recognizers = RecognizerSet(RulesBackend()._base.recognizers)
        assert _spans(recognizers.find("zip 94103, card 4242 4242 4242 4242")) != []
        route = next(iter(recognizers._routes.values()))
        assert route.unguarded == frozenset()  # asked once, then never again
    finally:
        prefilter._engine.cache_clear()


@pytest.mark.skipif(not HAS_HYPERSCAN, reason="no hyperscan")
def test_a_pattern_hyperscan_refuses_does_not_sink_the_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANDOFF_AI_PREFILTER", "hyperscan")
    prefilter._engine.cache_clear()
    try:
        patterns = PatternSet([re.compile(r"a{1,60000}b"), re.compile(r"abc"), re.compile(r"\d{3}")])
        assert patterns.engine == "hyperscan"
        assert patterns.always == frozenset({0})  # refused: always run
        assert patterns.candidates("xyz") == frozenset({0})
        assert patterns.candidates("abc 123") == frozenset({0, 1, 2})
        whole = PatternSet([re.compile(r"abc"), re.compile(r"\d{3}")])
        assert whole.always == frozenset() and whole.candidates("no digits") == frozenset()
    finally:
        prefilter._engine.cache_clear()


def test_a_backend_that_has_read_chats_still_pickles() -> None:
    """``spawn`` workers get the backend pickled: its quick and long-message sets are rebuilt there."""
    import pickle

    from handoff_ai.models import Conversation, Message
    from handoff_ai.taxonomy import Taxonomy

    backend = RulesBackend()
    taxonomy = Taxonomy.default()
    chats = [
        Conversation(id="digits", messages=[Message(id="m1", role="customer", text=UGLY[3])]),
        Conversation(id="long", messages=[Message(id="m1", role="customer", text="my order 12345 " * 40)]),
    ]
    records = [backend.extract(chat, taxonomy).model_dump_json() for chat in chats]
    copy = pickle.loads(pickle.dumps(backend))
    assert [copy.extract(chat, taxonomy).model_dump_json() for chat in chats] == records

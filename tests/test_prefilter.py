"""The set-matcher prefilter: when it says a pattern cannot match, ``re`` finds nothing."""

from __future__ import annotations

import importlib.util
import random
import re

import pytest

from handoff_ai.backends.rules import RulesBackend
from handoff_ai.rules import prefilter
from handoff_ai.rules.prefilter import PatternSet, superset

ENGINES = [name for name in ("hyperscan", "re2") if importlib.util.find_spec(name) is not None]
PATTERNS = [r.regex for r in RulesBackend()._base.recognizers]

RED_TEAM = [
    "",
    " ",
    "my PIN is 4821 and pw: hunter22",
    "login bob / Summer2024!",
    "Order #A-20931, card ending 4242, CVV 987",
    "call me at +1 (415) 555-0199 or mail jo.doe+x@example.co.uk",
    "iPhone 13 Pro on iOS 17.2.1, app 5.4.0 (build 812), NullPointerException at 0x600002",
    "sk-live-abcdefghijklmnopqrstuvwxyz123456 and eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.SflKxwRJSMeKKF2QT4",
    "https://example.com/a?b=c www.test.org",
    "zip 94103, postcode SW1A 1AA, 221B Baker Street",
    "PAYMENT FAILED $84.50 on 2024-03-01 at 10:30 PM",
    "a" * 5000,
    "0" * 300 + "@" + "a" * 300,
    "((((((((((",
    "\\\\\\\\",
    "[[[[]]]]",
]


def _fragments() -> list[str]:
    found: set[str] = set()
    for pattern in PATTERNS:
        found.update(w for w in re.findall(r"[A-Za-z]{2,}", pattern.pattern) if len(w) < 14)
    return sorted(found)


def _fuzz(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    words = _fragments()
    pieces = [
        *words,
        "@",
        ".",
        "-",
        "/",
        ":",
        "#",
        "$",
        "€",
        " ",
        "  ",
        "\n",
        "1",
        "42",
        "2024",
        "12:30",
        "+1",
    ]
    return [
        "".join(rng.choice(pieces) + rng.choice(("", " ")) for _ in range(rng.randint(1, 30)))
        for _ in range(count)
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (r"(?<!\w)abc(?!\w)", "abc"),
        (r"(?<=x)a(?=b)c", "ac"),
        (r"[(?<!]x", r"[(?<!]x"),
        (r"\(?<!x", r"\(?<!x"),
        (r"a(?<!b(c)d)e", "ae"),
        (r"[]](?!x)", "[]]"),
        (r"(a)\1", None),
        (r"(?P<n>a)(?P=n)", None),
        (r"(?(1)a|b)", None),
    ],
)
def test_superset_drops_lookarounds_only(source: str, expected: str | None) -> None:
    assert superset(source) == expected


@pytest.mark.parametrize("engine", ENGINES)
def test_a_no_from_the_set_means_re_finds_nothing(engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANDOFF_AI_PREFILTER", engine)
    prefilter._engine.cache_clear()
    try:
        patterns = PatternSet(PATTERNS)
        assert patterns.engine == engine and patterns.active
        misses = []
        for text in [*RED_TEAM, *_fuzz(7, 1500)]:
            candidates = patterns.candidates(text)
            if candidates is None:
                continue
            misses += [(i, text) for i, p in enumerate(PATTERNS) if i not in candidates and p.search(text)]
        assert misses == []
    finally:
        prefilter._engine.cache_clear()


def test_off_and_non_ascii_run_every_pattern(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANDOFF_AI_PREFILTER", "off")
    prefilter._engine.cache_clear()
    try:
        patterns = PatternSet(PATTERNS)
        assert not patterns.active and patterns.candidates("order 12345") is None
    finally:
        prefilter._engine.cache_clear()
    if ENGINES:
        assert PatternSet(PATTERNS).candidates("mot de passe : Soleil2024 ✓") is None


DATA = __import__("pathlib").Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.mark.skipif(not ENGINES or not (DATA / "abcd").exists(), reason="no set matcher or no shared data")
def test_records_are_byte_identical_with_and_without_the_prefilter(monkeypatch: pytest.MonkeyPatch) -> None:
    from handoff_ai.evaluation import conversation_from_row, read_jsonl
    from handoff_ai.taxonomy import Taxonomy

    rows = [
        *read_jsonl(DATA / "abcd" / "dev.jsonl", limit=60),
        *read_jsonl(DATA / "star" / "dev.jsonl", limit=60),
    ]
    conversations = [conversation_from_row(row) for row in rows]

    def records(setting: str) -> list[str]:
        monkeypatch.setenv("HANDOFF_AI_PREFILTER", setting)
        prefilter._engine.cache_clear()
        backend = RulesBackend()
        return [backend.extract(c, Taxonomy.default()).model_dump_json() for c in conversations]

    try:
        assert records(ENGINES[0]) == records("off")
    finally:
        prefilter._engine.cache_clear()

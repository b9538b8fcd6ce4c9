"""The stages' memo of what they derive from their tables: one build per pair of objects, never
another pair's result (an entry holds its objects, so their ids cannot be reused), bounded."""

from __future__ import annotations

from handoff_ai.rules.identity_cache import SIZE, by_identity


class _Table:
    """No useful hash, like a rule set holding dicts."""

    __hash__ = None  # type: ignore[assignment]

    def __init__(self, word: str) -> None:
        self.words = {word}


def test_built_once_per_pair_and_never_for_another_pair() -> None:
    calls: list[str] = []

    @by_identity
    def joined(a: _Table, b: _Table) -> frozenset[str]:
        calls.append("built")
        return frozenset(a.words | b.words)

    first, second = _Table("pin"), _Table("code")
    assert joined(first, second) == {"pin", "code"}
    assert joined(first, second) == {"pin", "code"} and calls == ["built"]
    assert joined(second, first) == {"pin", "code"} and len(calls) == 2
    for n in range(3 * SIZE):  # new objects each time: a stale id would give "pin"/"code" back
        assert joined(_Table(f"w{n}"), _Table(f"v{n}")) == {f"w{n}", f"v{n}"}
        assert len(joined) <= SIZE

"""Token counting, budget selection, chunking and cost. Pure, no network."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator

import pytest

import handoff_ai.llm.tokens as tokens_module
from handoff_ai import Conversation, Message, RulesBackend, Taxonomy, UsageError
from handoff_ai.llm.budget import LATEST_TURNS, chunk_messages, omitted_ids, select_messages
from handoff_ai.llm.prompting import build_messages, load_template
from handoff_ai.llm.tokens import TokenCounter, estimate_cost, estimate_tokens


@pytest.fixture
def offline_tiktoken(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """tiktoken cannot load any encoding; the once-per-process warning is re-armed."""
    import tiktoken

    def fail(name: str) -> None:
        raise ConnectionError("offline")

    monkeypatch.setattr(tiktoken, "get_encoding", fail)
    monkeypatch.setattr(tokens_module, "_encodings", {})
    monkeypatch.setattr(tokens_module, "_warned", False)
    yield


def _require_encoding() -> TokenCounter:
    counter = TokenCounter("gpt-4.1-mini")
    if counter.estimated:
        pytest.skip("tiktoken encodings not available offline (../shared/tiktoken-cache missing)")
    return counter


# -- counting ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "encoding"),
    [
        (None, "o200k_base"),
        ("gpt-4.1-mini", "o200k_base"),
        ("gpt-4o", "o200k_base"),
        ("gpt-4", "cl100k_base"),
        ("gpt-3.5-turbo", "cl100k_base"),
        ("gpt-4-0613-azure-deployment", "cl100k_base"),
        ("openai/gpt-4", "cl100k_base"),
        ("qwen2.5-7b-instruct", "o200k_base"),
        ("smollm2-135m", "o200k_base"),
    ],
)
def test_model_to_encoding(model: str | None, encoding: str) -> None:
    _require_encoding()
    assert TokenCounter(model).encoding_name == encoding


def test_count_with_encoding() -> None:
    counter = _require_encoding()
    assert counter.count("hello world") == 2
    assert counter.count("") == 0
    # Special-token text is counted as plain text, never raised on.
    assert counter.count("<|endoftext|>") > 1


def test_count_messages_adds_cookbook_overhead() -> None:
    counter = _require_encoding()
    messages = [
        {"role": "system", "content": "hello world"},
        {"role": "user", "content": "hi", "name": "bob"},
    ]
    content = sum(counter.count(v) for m in messages for v in m.values())
    assert counter.count_messages(messages) == content + 3 * 2 + 1 + 3
    assert counter.count_messages([]) == 3


def test_estimate_when_no_encoding_loads(offline_tiktoken: None) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        counter = TokenCounter("gpt-4.1-mini")
        again = TokenCounter("gpt-4")
    assert counter.estimated and again.estimated
    assert counter.encoding_name is None
    assert len([w for w in caught if issubclass(w.category, RuntimeWarning)]) == 1  # once per process
    assert counter.count("abcdefgh") == 2  # ceil(8 / 4)
    assert counter.count("日本語") == 3
    assert counter.count("x" * 9) == math.ceil(9 / 4)
    assert counter.count("1234-5678") == 5  # pieces: 123 4 - 567 8
    assert counter.count_messages([{"role": "user", "content": "abcd"}]) == 3 + 1 + 1 + 3


@pytest.mark.parametrize("text", ["hello", "ünïcödé text", "1234-5678 9012", "a" * 1000, "日本語のテキスト"])
def test_estimate_errs_high(text: str) -> None:
    counter = _require_encoding()
    assert estimate_tokens(text) >= counter.count(text) * 0.75


@pytest.mark.parametrize("estimated", [False, True])
def test_truncate_fits(estimated: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if estimated:
        monkeypatch.setattr(tokens_module, "_encodings", {"o200k_base": None})
        monkeypatch.setattr(tokens_module, "_warned", True)
    counter = TokenCounter()
    text = " ".join(f"word{i}" for i in range(500))
    short = counter.truncate(text, 50)
    assert counter.count(short) <= 50
    assert short.startswith("word0") and short.endswith("word499") and "[...]" in short
    assert counter.truncate("short", 50) == "short"


# -- budget selection ---------------------------------------------------------------------------------


def _long_conversation(size: int = 2000) -> Conversation:
    messages = [
        Message(id="m1", role="customer", text="My order never arrived and tracking shows error E-4402.")
    ]
    for i in range(2, size):
        if i % 97 == 0:
            text = f"My order number is ORD-{100000 + i} and my email is user{i}@example.com"
            messages.append(Message(id=f"m{i}", role="customer", text=text))
        elif i % 3 == 0:
            messages.append(
                Message(id=f"m{i}", role="agent", text="Thanks for waiting, I am still checking the system.")
            )
        elif i % 3 == 1:
            messages.append(
                Message(id=f"m{i}", role="customer", text="Okay, I am still here waiting for an answer.")
            )
        else:
            messages.append(
                Message(id=f"m{i}", role="system", kind="event", text="Order status lookup: pending")
            )
    messages.append(Message(id=f"m{size}", role="customer", text="Can I please talk to a human now?"))
    return Conversation(id="long", messages=messages)


def test_under_budget_keeps_everything() -> None:
    conversation = _long_conversation(20)
    selection = select_messages(conversation, TokenCounter(), 100_000)
    assert selection.messages == conversation.messages
    assert selection.omitted == [] and selection.reason == "" and selection.truncation() is None


def test_two_thousand_messages_in_4k_budget_keeps_every_fact_message() -> None:
    conversation = _long_conversation()
    record = RulesBackend().extract(conversation, Taxonomy.default())
    fact_ids = {i for f in record.facts for i in f.evidence}
    action_ids = {i for a in record.actions_taken for i in a.evidence}
    assert len(fact_ids) >= 20
    counter = TokenCounter("gpt-4.1-mini")
    selection = select_messages(
        conversation,
        counter,
        4000,
        fixed_overhead=1200,
        fact_message_ids=fact_ids,
        action_message_ids=action_ids,
    )
    kept = [m.id for m in selection.messages]
    assert fact_ids <= set(kept)
    assert "m1" in kept  # the first statement of the problem
    assert "m2000" in kept  # the handoff trigger and latest turn
    assert kept == sorted(kept, key=lambda i: int(i[1:]))  # conversation order
    assert sorted(selection.omitted + kept, key=lambda i: int(i[1:])) == conversation.ids
    assert len(selection.omitted) > 1000
    assert sum(counter.count(m.text) for m in selection.messages) <= 4000 - 1200
    assert selection.tokens <= 2800
    assert "omitted" in selection.reason and "2000 messages" in selection.reason
    truncation = selection.truncation()
    assert truncation is not None and truncation.omitted == selection.omitted
    for message in conversation.messages[1:50]:
        assert message.text not in selection.reason  # counts and ids only


@pytest.mark.parametrize("budget", [600, 1500, 4000])
def test_the_prompt_built_from_a_selection_fits_the_budget(budget: int) -> None:
    conversation = _long_conversation(800)
    counter = TokenCounter("gpt-4.1-mini")
    template = load_template()

    def prompt(messages: list[Message] | None) -> list[dict[str, str]]:
        return build_messages(conversation, Taxonomy.default(), template=template, messages=messages)

    fixed = counter.count_messages(prompt([]))
    selection = select_messages(conversation, counter, budget + fixed, fixed_overhead=fixed)
    used = counter.count_messages(prompt(selection.messages))
    assert used <= budget + fixed  # gap lines between kept stretches included
    assert used >= fixed + budget * 0.8  # and the room is actually used


def test_latest_turns_and_trigger_survive_many_actions() -> None:
    conversation = _long_conversation(600)
    action_ids = {m.id for m in conversation.messages if m.kind == "event"}
    selection = select_messages(conversation, TokenCounter(), 800, action_message_ids=action_ids)
    kept = {m.id for m in selection.messages}
    assert {m.id for m in conversation.messages[-LATEST_TURNS:]} <= kept
    assert "actions" in selection.reason


def test_huge_message_is_truncated_and_reported() -> None:
    huge = Message(id="big", role="customer", text="My phone broke. " + "blah " * 5000 + "order ORD-99812")
    conversation = Conversation(messages=[huge, Message(id="m2", role="bot", text="Sorry about that.")])
    counter = TokenCounter()
    selection = select_messages(conversation, counter, 300)
    assert [m.id for m in selection.messages] == ["big", "m2"]
    assert selection.truncated == ["big"] and "truncated big" in selection.reason
    assert selection.messages[0].text.startswith("My phone broke.") and "[...]" in selection.messages[0].text
    assert conversation.messages[0].text == huge.text  # the caller's conversation is untouched
    assert selection.truncation() is not None


def test_budget_below_overhead_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        select_messages(_long_conversation(10), TokenCounter(), 100, fixed_overhead=100)


def test_selection_with_estimated_counts_says_so(offline_tiktoken: None) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        counter = TokenCounter()
    selection = select_messages(_long_conversation(300), counter, 500)
    assert selection.omitted and "estimated" in selection.reason


# -- chunks ---------------------------------------------------------------------------------------------


def test_chunks_cover_everything_when_they_can() -> None:
    conversation = _long_conversation(200)
    counter = TokenCounter()
    chunks = chunk_messages(conversation, counter, 600, max_chunks=50)
    assert [m.id for chunk in chunks for m in chunk] == conversation.ids
    assert omitted_ids(conversation, chunks) == []
    template = load_template()
    fixed = counter.count_messages(build_messages(conversation, Taxonomy(), template=template, messages=[]))
    for chunk in chunks:
        prompt = build_messages(conversation, Taxonomy(), template=template, messages=chunk)
        assert counter.count_messages(prompt) <= fixed + 600


def test_chunks_are_bounded_and_omissions_findable() -> None:
    conversation = _long_conversation()
    record = RulesBackend().extract(conversation, Taxonomy.default())
    fact_ids = {i for f in record.facts for i in f.evidence}
    counter = TokenCounter()
    chunks = chunk_messages(conversation, counter, 1500, max_chunks=3, fact_message_ids=fact_ids)
    assert 1 <= len(chunks) <= 3
    template = load_template()
    fixed = counter.count_messages(build_messages(conversation, Taxonomy(), template=template, messages=[]))
    for chunk in chunks:
        prompt = build_messages(conversation, Taxonomy(), template=template, messages=chunk)
        assert counter.count_messages(prompt) <= fixed + 1500
    shown = [m.id for chunk in chunks for m in chunk]
    assert shown == sorted(shown, key=lambda i: int(i[1:]))
    assert fact_ids <= set(shown)
    assert len(omitted_ids(conversation, chunks)) == len(conversation) - len(shown)


def test_chunk_arguments_checked() -> None:
    with pytest.raises(UsageError):
        chunk_messages(_long_conversation(5), TokenCounter(), 100, max_chunks=0)


# -- cost -------------------------------------------------------------------------------------------------

PRICES = {"gpt-4.1-mini": (0.4, 1.6), "gpt-4.1": (2.0, 8.0)}


@pytest.mark.parametrize(
    ("model", "prices", "expected"),
    [
        ("gpt-4.1-mini", PRICES, (1000 * 0.4 + 500 * 1.6) / 1e6),
        ("gpt-4.1-mini-2025-04-14", PRICES, (1000 * 0.4 + 500 * 1.6) / 1e6),  # longest prefix wins
        ("gpt-4.1", PRICES, (1000 * 2.0 + 500 * 8.0) / 1e6),
        ("llama3", PRICES, None),
        ("gpt-4.1", None, None),
        (None, PRICES, None),
    ],
)
def test_estimate_cost(
    model: str | None, prices: dict[str, tuple[float, float]] | None, expected: float | None
) -> None:
    cost = estimate_cost(1000, 500, model, prices)
    assert cost == (pytest.approx(expected) if expected is not None else None)

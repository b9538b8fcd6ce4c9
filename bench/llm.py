"""The LLM path on real conversations with a real (tiny) local model: structure, not quality.

Runs ``FallbackBackend(OpenAIBackend(client=local), RulesBackend())`` over N ABCD dev
conversations against SmolLM2-135M-Instruct served by llama.cpp on loopback (see
``tests/llm_server.py``; started here unless ``--base-url`` points at a running one)
and prints:

- share of schema-valid records (after re-ask or fallback), who answered, re-asks;
- hallucinated facts and evidence ids not in the conversation (``handoff_ai.evaluation``);
- facts recall of the final records vs the rules backend alone;
- p50/p95 latency per record, mean prompt/completion tokens per record (server usage);
- library overhead: time per record spent outside the HTTP calls (mean ms), next to the
  rules backend's own time (which the LLM path runs first, and the fallback again);
- prompt tokens vs transcript tokens (tiktoken, the backend's own counter) and the
  prompt's fixed overhead;
- one synthetic 2,000-message conversation with a 4k-token budget: completes, reports
  the omission, keeps every fact the rules engine finds.

A 135M model mostly loops or writes unusable JSON: expect re-asks and fallbacks. That
is what the net is for.

    python bench/llm.py [--limit 100] [--max-tokens 256] [--bounds auto|small|off]
                        [--base-url http://127.0.0.1:8768/v1]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from openai import OpenAI  # noqa: E402
from tests.llm_server import ALIAS, LocalLLM  # noqa: E402

from handoff_ai.backends.fallback import FallbackBackend  # noqa: E402
from handoff_ai.backends.openai import OpenAIBackend  # noqa: E402
from handoff_ai.backends.rules import RulesBackend  # noqa: E402
from handoff_ai.evaluation import Pair, conversation_from_row, evaluate, gold_from_row, read_jsonl  # noqa: E402
from handoff_ai.llm.answer_schema import OutputBounds  # noqa: E402
from handoff_ai.llm.prompting import build_messages, transcript_line  # noqa: E402
from handoff_ai.llm.tokens import TokenCounter  # noqa: E402
from handoff_ai.models import Conversation, HandoffRecord, Message  # noqa: E402
from handoff_ai.taxonomy import Taxonomy  # noqa: E402


class TimedClient:
    """Wraps ``chat.completions.create`` to time the HTTP calls and keep each usage."""

    def __init__(self, client: OpenAI) -> None:
        self._client = client
        self.seconds = 0.0
        self.calls = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.first_messages: list[dict[str, str]] | None = None
        self.chat = SimpleNamespace(completions=SimpleNamespace(create=self._create))

    def reset(self) -> None:
        self.seconds, self.calls, self.prompt_tokens, self.completion_tokens = 0.0, 0, 0, 0
        self.first_messages = None

    def _create(self, **kwargs: Any) -> Any:
        if self.first_messages is None:
            self.first_messages = kwargs["messages"]
        start = time.perf_counter()
        try:
            completion = self._client.chat.completions.create(**kwargs)
        finally:
            self.seconds += time.perf_counter() - start
            self.calls += 1
        usage = completion.usage
        if usage is not None:
            self.prompt_tokens += usage.prompt_tokens
            self.completion_tokens += usage.completion_tokens
        return completion


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def schema_valid(record: HandoffRecord) -> bool:
    try:
        HandoffRecord.model_validate_json(record.model_dump_json())
    except Exception:
        return False
    return True


def timed(run: Callable[[], HandoffRecord]) -> tuple[HandoffRecord, float]:
    start = time.perf_counter()
    record = run()
    return record, time.perf_counter() - start


def synthetic(n: int) -> Conversation:
    """A long, deterministic support thread with facts sprinkled through it."""
    messages: list[Message] = []
    lines = [
        ("customer", "my order {o} still has not arrived and the tracking page shows nothing"),
        ("bot", "I am sorry to hear that. Let me look into order {o} for you."),
        ("customer", "you can reach me at user{i}@example.com or call +1 415 555 {p:04d}"),
        ("agent", "Thanks, I checked the warehouse system and the parcel is delayed."),
        ("customer", "I already told you this twice, this is really frustrating"),
        ("bot", "I understand. Is there anything else I can help with?"),
    ]
    for i in range(n):
        role, text = lines[i % len(lines)]
        text = text.format(o=f"ORD-{100000 + i // 6}", i=i // 6, p=i % 10000)
        messages.append(Message(id=f"m{i + 1}", role=role, text=text))
    messages.append(Message(id=f"m{n + 1}", role="customer", text="please get me a human agent now"))
    return Conversation(id="synthetic-2000", messages=messages)


BOUNDS: dict[str, bool | OutputBounds | None] = {
    "auto": None,
    "small": OutputBounds(text=80, items=3, facts=4, evidence=2),
    "off": False,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--max-tokens", type=int, default=256)
    parser.add_argument("--max-reasks", type=int, default=1)
    parser.add_argument("--base-url", default=None, help="a running server (default: start one)")
    parser.add_argument("--skip-long", action="store_true", help="skip the 2,000-message conversation")
    parser.add_argument(
        "--bounds",
        choices=sorted(BOUNDS),
        default="auto",
        help="output bounds in the schema: auto (the backend's default for a local server), small, off",
    )
    args = parser.parse_args(argv)

    server = None if args.base_url else LocalLLM.start()
    base_url = args.base_url or (server.base_url if server else "")
    try:
        return run(args, base_url)
    finally:
        if server is not None:
            server.stop()


def run(args: argparse.Namespace, base_url: str) -> int:
    rows = read_jsonl(Path(args.data) / "abcd" / "dev.jsonl", limit=args.limit)
    taxonomy = Taxonomy.default()
    client = TimedClient(OpenAI(base_url=base_url, api_key="local", max_retries=0))
    llm = OpenAIBackend(
        ALIAS,
        client=client,  # type: ignore[arg-type]
        max_tokens=args.max_tokens,
        max_reasks=args.max_reasks,
        timeout=120,
        total_timeout=600,
        bounded=BOUNDS[args.bounds],
    )
    backend = FallbackBackend(llm, RulesBackend())
    rules = RulesBackend()
    counter = TokenCounter(ALIAS)

    llm_pairs: list[Pair] = []
    rules_pairs: list[Pair] = []
    latencies: list[float] = []
    overhead_ms: list[float] = []
    rules_ms: list[float] = []
    prompt_tokens: list[int] = []
    completion_tokens: list[int] = []
    ratios: list[float] = []
    fixed_overheads: list[int] = []
    over_limit = 0
    calls: list[int] = []
    valid = answered_llm = reasked = 0
    reasons: dict[str, int] = {}
    print(
        f"server {base_url} model {ALIAS}; {len(rows)} ABCD dev conversations; bounds {llm.bounds}",
        flush=True,
    )
    for index, row in enumerate(rows, 1):
        conversation = conversation_from_row(row)
        gold = gold_from_row(row)
        rules_record, rules_seconds = timed(lambda c=conversation: rules.extract(c, taxonomy))  # type: ignore[misc]
        rules_ms.append(rules_seconds * 1000)
        rules_pairs.append(Pair(rules_record, gold, conversation))
        client.reset()
        record, seconds = timed(lambda c=conversation: backend.extract(c, taxonomy))  # type: ignore[misc]
        latencies.append(seconds)
        overhead_ms.append((seconds - client.seconds) * 1000)
        calls.append(client.calls)
        prompt_tokens.append(client.prompt_tokens)
        completion_tokens.append(client.completion_tokens)
        valid += schema_valid(record)
        prov = record.provenance
        if prov.backend == "openai":
            answered_llm += 1
        elif prov.fallback_reason:
            key = prov.fallback_reason.split(":", 2)[0] + ": " + prov.fallback_reason.split(": ", 2)[-1][:60]
            reasons[key] = reasons.get(key, 0) + 1
        reasked += client.calls > 1
        if client.first_messages is not None:
            transcript = sum(counter.count(transcript_line(m)) + 1 for m in conversation.messages)
            prompt = counter.count_messages(client.first_messages)
            fixed = counter.count_messages(
                build_messages(conversation, taxonomy, template=llm.template, messages=[])
            )
            fixed_overheads.append(fixed)
            ratios.append((prompt - fixed) / max(transcript, 1))
            over_limit += prompt > 1.2 * transcript + fixed
        llm_pairs.append(Pair(record, gold, conversation))
        if index % 10 == 0:
            print(f"  {index}/{len(rows)} done", flush=True)

    n = len(rows)
    llm_eval = evaluate(llm_pairs)
    rules_eval = evaluate(rules_pairs)
    print()
    print(f"conversations                         {n}")
    print(f"schema-valid records                  {valid}/{n} ({100 * valid / n:.1f}%)")
    print(f"answered by the model (after re-ask)  {answered_llm}/{n}; fell back to rules {n - answered_llm}")
    print(f"records with a re-ask (calls > 1)    {reasked}")
    for reason, count in sorted(reasons.items(), key=lambda kv: -kv[1]):
        print(f"  fallback: {count:3d} x {reason}")
    print(f"model calls per record                mean {statistics.mean(calls):.2f}, max {max(calls)}")
    print(f"hallucinated facts                    {llm_eval.hallucinated_facts}")
    for found in llm_eval.hallucinations:  # ids, kinds and reasons only: never values
        print(f"  {found.conversation_id} {found.kind}: {found.reason} {found.evidence}")
    print(f"evidence ids not in the conversation  {llm_eval.evidence_ids_not_in_conversation}")
    print(
        f"facts recall                          {llm_eval.facts_recall:.3f} (rules alone "
        f"{rules_eval.facts_recall:.3f}; {llm_eval.facts_recalled}/{llm_eval.facts_gold} vs "
        f"{rules_eval.facts_recalled}/{rules_eval.facts_gold})"
    )
    print(
        f"latency per record                    p50 {percentile(latencies, 0.5):.2f} s, "
        f"p95 {percentile(latencies, 0.95):.2f} s"
    )
    print(
        f"tokens per record (server usage)      prompt {statistics.mean(prompt_tokens):.0f}, "
        f"completion {statistics.mean(completion_tokens):.0f} (all calls of a record)"
    )
    print(
        f"library overhead outside HTTP         mean {statistics.mean(overhead_ms):.1f} ms, "
        f"p95 {percentile(overhead_ms, 0.95):.1f} ms per record "
        f"(includes the rules pass, mean {statistics.mean(rules_ms):.1f} ms, run once more on fallback)"
    )
    if ratios:
        print(
            "prompt vs transcript (tiktoken)       (prompt - fixed) / transcript "
            f"mean {statistics.mean(ratios):.3f},"
            f" max {max(ratios):.3f}; fixed overhead {min(fixed_overheads)}-{max(fixed_overheads)} tokens;"
            f" prompts over 1.2 x transcript + fixed: {over_limit}"
        )

    if not args.skip_long:
        long_run(args, client, taxonomy)
    return 0


def long_run(args: argparse.Namespace, client: TimedClient, taxonomy: Taxonomy) -> None:
    conversation = synthetic(2000)
    rules_record = RulesBackend().extract(conversation, taxonomy)
    rules_values = {(f.kind, f.value) for f in rules_record.facts}
    llm = OpenAIBackend(
        ALIAS,
        client=client,  # type: ignore[arg-type]
        max_tokens=args.max_tokens,
        max_reasks=args.max_reasks,
        budget_tokens=4000,
        timeout=120,
        total_timeout=600,
    )
    client.reset()
    record, seconds = timed(lambda: FallbackBackend(llm, RulesBackend()).extract(conversation, taxonomy))
    kept = rules_values <= {(f.kind, f.value) for f in record.facts}
    prov = record.provenance
    first = client.first_messages or []
    sent = TokenCounter(ALIAS).count_messages(first)
    print()
    print(f"2,000-message conversation ({len(conversation)} messages), budget 4,000 tokens")
    print(f"  completed in {seconds:.1f} s; answered by {prov.backend}; calls {client.calls}")
    print(f"  first prompt {sent} tokens (tiktoken); server usage prompt {client.prompt_tokens}")
    if prov.truncation is not None:
        print(f"  omission reported: {len(prov.truncation.omitted)} messages; {prov.truncation.reason}")
    elif prov.fallback_reason:
        print(f"  fell back ({prov.fallback_reason[:120]}); the rules record covers all messages")
    print(f"  every rules fact kept: {kept} ({len(rules_values)} rules facts, {len(record.facts)} in record)")
    if prov.backend != "openai":
        # The model failed, so the rules record (which saw every message) answered; show the
        # omission the LLM path planned and reported before its call failed.
        plan = llm._plan(conversation, taxonomy, rules_record)
        trunc = plan.truncation
        omitted = len(trunc.omitted) if trunc else 0
        print(f"  LLM path plan: 1 call, {len(plan.parts[0])} messages sent, omitted {omitted}")


if __name__ == "__main__":
    raise SystemExit(main())

"""Model backends for OpenAI and any OpenAI-compatible server (Azure, vLLM, llama.cpp, Ollama).

``OpenAIBackend`` (sync) and ``AsyncOpenAIBackend`` (async) are siblings over one
shared core: configuration and the run itself live in ``_OpenAIBase`` (neither sync
nor async) and ``_openai_core`` (requests, parsing, retries, error translation);
each class only adds the few lines that call its client.

One extraction:

1. the rules backend runs first: it is the net (its facts and actions are merged
   into the answer) and it tells the budget which messages carry facts and actions;
2. the prompt is counted; over ``budget_tokens`` the conversation is chunked for
   map-then-merge (at most ``max_chunks`` chunk calls plus one merge call) when the
   chunks can hold all of it, otherwise reduced to the messages that matter in one
   call — and what was left out is listed in ``provenance.truncation``;
3. the model is asked (two retry layers: transport retries with tenacity, then
   validation re-asks that feed the error back, at most ``max_reasks``);
4. the answer is grounded (``handoff_ai.grounding.ground``) and merged with the
   rules record (``merge``); provenance gets tokens, cost, latency and warnings.

Every ``openai`` exception is translated once into ``BackendError`` (status, body);
an answer that never validates raises ``ExtractionError`` (attempts, last output).
Wrap the backend in ``FallbackBackend(OpenAIBackend(), RulesBackend())`` to get a
record in every case.

Environment (read when a backend is constructed, never at import; keyword
arguments win):

* ``OPENAI_API_KEY`` — the API key;
* ``OPENAI_BASE_URL`` — an OpenAI-compatible server (``http://127.0.0.1:8000/v1``);
* ``HANDOFF_AI_MODEL`` — the model name (default ``gpt-4.1-mini``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..exceptions import BackendError, ConfigError, ExtractionError
from ..grounding import ground, merge
from ..models import Conversation, HandoffRecord, Message
from ..models.llm import LLMAnswer
from ..models.record import TokenUsage, Truncation
from ..prompting import MERGE_TEMPLATE, PromptTemplate, build_merge_messages, build_messages, load_template
from ..taxonomy import Taxonomy
from ..tokens import TokenCounter, chunk_messages, estimate_cost, omitted_ids, select_messages
from ._openai_core import (
    DEFAULT_MAX_TOKENS,
    DEFAULT_MODEL,
    MODES,
    Deadline,
    Exchange,
    Mode,
    RetryPolicy,
    Wire,
    answer_schema,
    combine_answers,
    context_budget,
    request_kwargs,
    translate_error,
)
from .base import AsyncBackend, Backend
from .rules import RulesBackend

if TYPE_CHECKING:
    import openai

__all__ = ["AsyncOpenAIBackend", "OpenAIBackend"]

logger = logging.getLogger("handoff_ai.backends.openai")

TemplateLike = str | Path | PromptTemplate | None
Prices = Mapping[str, tuple[float, float]]
_CHUNK_SLACK = 0.9  # chunk packing leaves room unused at chunk ends


def _resolve_template(template: TemplateLike) -> PromptTemplate:
    """A template from a name, a directory, a ``.jinja`` file, template text, or itself."""
    if template is None:
        return load_template()
    if isinstance(template, PromptTemplate):
        return template
    if isinstance(template, str) and ("{{" in template or "{%" in template or "\n" in template):
        return load_template(source=template)
    path = Path(template)
    if path.is_dir():
        return load_template(directory=path)
    if path.is_file():
        return load_template(path.name, directory=path.parent)
    if isinstance(template, Path):
        raise ConfigError("template file or directory not found", source=str(template))
    return load_template(template)


def _part_of(conversation: Conversation, messages: Sequence[Message]) -> Conversation:
    """The conversation restricted to ``messages`` (what the model saw)."""
    return Conversation(
        id=conversation.id,
        messages=list(messages),
        channels=list(conversation.channels),
        participants=list(conversation.participants),
        metadata=dict(conversation.metadata),
    )


@dataclass
class _Plan:
    """What will be sent: one part (one call) or several chunks (map-then-merge)."""

    parts: list[list[Message]]
    truncation: Truncation | None = None
    fixed_overhead: int = 0
    prompt_tokens: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Tally:
    prompt: int = 0
    completion: int = 0
    calls: int = 0
    server_models: list[str] = field(default_factory=list)

    def add(self, exchange: Exchange) -> None:
        self.prompt += exchange.prompt_tokens
        self.completion += exchange.completion_tokens
        self.calls += exchange.attempts
        for name in exchange.server_models:
            if name not in self.server_models:
                self.server_models.append(name)


class _OpenAIBase:
    """Configuration and the run shared by the sync and async backends (no I/O)."""

    name = "openai"

    def _configure(
        self,
        model: str | None,
        *,
        api_key: str | None,
        base_url: str | None,
        mode: Mode,
        temperature: float | None,
        max_tokens: int | None,
        max_retries: int,
        max_reasks: int,
        timeout: float | None,
        total_timeout: float | None,
        budget_tokens: int | None,
        max_chunks: int,
        language: str | None,
        template: TemplateLike,
        prices: Prices | None,
        strict: bool,
        rules: RulesBackend | None,
    ) -> None:
        if mode not in MODES:
            raise ConfigError(f"unknown mode {mode!r} (known: {', '.join(MODES)})")
        for label, value in (("max_retries", max_retries), ("max_reasks", max_reasks)):
            if value < 0:
                raise ConfigError(f"{label} must be >= 0, not {value}")
        if max_chunks < 1:
            raise ConfigError(f"max_chunks must be >= 1, not {max_chunks}")
        if budget_tokens is not None and budget_tokens <= 0:
            raise ConfigError(f"budget_tokens must be positive, not {budget_tokens}")
        self.model: str = model or os.environ.get("HANDOFF_AI_MODEL") or DEFAULT_MODEL
        self.api_key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
        self.base_url = base_url if base_url is not None else os.environ.get("OPENAI_BASE_URL")
        self.mode: Mode = mode
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.max_retries = max_retries
        self.max_reasks = max_reasks
        self.timeout = timeout
        self.total_timeout = total_timeout
        self.budget_tokens = budget_tokens or context_budget(self.model, max_tokens or DEFAULT_MAX_TOKENS)
        self.max_chunks = max_chunks
        self.language = language
        self.template = _resolve_template(template)
        self.prices = prices
        self.strict = strict
        self.rules = rules or RulesBackend()
        self.retry_policy = RetryPolicy(attempts=max_retries + 1)
        self._counter = TokenCounter(self.model)
        self._downgraded = False  # the server rejected json_schema once: use json_object from now on

    def _client_options(self) -> dict[str, Any]:
        api_key = self.api_key
        if not api_key:
            if not self.base_url:
                raise ConfigError(
                    "no API key: pass api_key=, set OPENAI_API_KEY, or pass client= "
                    "(for a local server, set base_url= / OPENAI_BASE_URL)"
                )
            api_key = "not-needed"  # local OpenAI-compatible servers usually ignore the key
        options: dict[str, Any] = {"api_key": api_key, "max_retries": 0}  # our tenacity layer retries
        if self.base_url:
            options["base_url"] = self.base_url
        if self.timeout is not None:
            options["timeout"] = self.timeout
        return options

    def __repr__(self) -> str:
        where = f", base_url={self.base_url!r}" if self.base_url else ""
        return f"{type(self).__name__}(model={self.model!r}, mode={self.mode!r}{where})"

    # -- planning ----------------------------------------------------------------------

    def _wire(self) -> Wire:
        if self.mode == "auto":
            return "json_object" if self._downgraded else "json_schema"
        return self.mode

    def _plan(self, conversation: Conversation, taxonomy: Taxonomy, rules: HandoffRecord) -> _Plan:
        counter = self._counter
        schema_in_prompt = self._wire() == "json_object"
        budget = self.budget_tokens

        def prompt(messages: Sequence[Message] | None) -> list[dict[str, str]]:
            return build_messages(
                conversation,
                taxonomy,
                template=self.template,
                language=self.language,
                schema_in_prompt=schema_in_prompt,
                messages=messages,
            )

        fixed = counter.count_messages(prompt([]))
        total = counter.count_messages(prompt(None))
        everything = list(conversation.messages)
        if total <= budget:
            return _Plan(parts=[everything], fixed_overhead=fixed, prompt_tokens=total)
        room = budget - fixed
        if room <= 0:
            raise ConfigError(f"budget_tokens={budget} does not cover the prompt's fixed overhead of {fixed}")
        fact_ids = {e for f in rules.facts for e in f.evidence}
        action_ids = {e for a in rules.actions_taken for e in a.evidence}
        if self.max_chunks > 1 and total - fixed <= room * self.max_chunks * _CHUNK_SLACK:
            chunks = chunk_messages(
                conversation,
                counter,
                room,
                max_chunks=self.max_chunks,
                fact_message_ids=fact_ids,
                action_message_ids=action_ids,
            )
            omitted = omitted_ids(conversation, chunks)
            truncation = None
            if omitted:
                truncation = Truncation(
                    omitted=omitted, reason=f"{len(omitted)} messages did not fit in {self.max_chunks} chunks"
                )
            return _Plan(
                parts=[list(c) for c in chunks],
                truncation=truncation,
                fixed_overhead=fixed,
                prompt_tokens=total,
            )
        selection = select_messages(
            conversation,
            counter,
            budget,
            fixed_overhead=fixed,
            fact_message_ids=fact_ids,
            action_message_ids=action_ids,
        )
        return _Plan(
            parts=[selection.messages],
            truncation=selection.truncation(),
            fixed_overhead=fixed,
            prompt_tokens=fixed + selection.tokens,
        )

    # -- one exchange --------------------------------------------------------------------

    def _request(self, deadline: Deadline) -> Callable[[list[dict[str, str]], Wire], dict[str, Any]]:
        schema = answer_schema()

        def build(messages: list[dict[str, str]], wire: Wire) -> dict[str, Any]:
            timeout = self.timeout
            left = deadline.remaining()
            if left is not None:
                if left <= 0:
                    raise BackendError(
                        f"{self.name}: total_timeout of {self.total_timeout}s exceeded", backend=self.name
                    )
                timeout = left if timeout is None else min(timeout, left)
            return request_kwargs(
                model=self.model,
                messages=messages,
                wire=wire,
                schema=schema,
                temperature=self.temperature,
                max_tokens=self.max_tokens,
                timeout=timeout,
            )

        return build

    def _exchange(
        self,
        build: Callable[[bool], list[dict[str, str]]],
        deadline: Deadline,
        check: Callable[[LLMAnswer], str | None] | None,
    ) -> Exchange:
        return Exchange(
            build=build,
            request=self._request(deadline),
            wire=self._wire(),
            downgrade=self.mode == "auto",
            max_reasks=self.max_reasks,
            check=check if self.strict else None,
        )

    # -- the run (a generator: yields exchanges, receives answers or exceptions) ------------

    def _run(
        self, conversation: Conversation, taxonomy: Taxonomy, deadline: Deadline
    ) -> Generator[Exchange, LLMAnswer, HandoffRecord]:
        start = time.perf_counter()
        rules = self.rules.extract(conversation, taxonomy)
        plan = self._plan(conversation, taxonomy, rules)
        warnings = list(plan.warnings)
        tally = _Tally()
        answers: list[LLMAnswer] = []
        seen: list[Message] = []
        count = len(plan.parts)
        for index, part in enumerate(plan.parts, 1):
            view = _part_of(conversation, part)

            def build(schema_in_prompt: bool, part: list[Message] = part) -> list[dict[str, str]]:
                return build_messages(
                    conversation,
                    taxonomy,
                    template=self.template,
                    language=self.language,
                    schema_in_prompt=schema_in_prompt,
                    messages=part,
                )

            exchange = self._exchange(build, deadline, self._strict_check(view, taxonomy))
            try:
                answer = yield exchange
            except (BackendError, ExtractionError) as exc:
                self._note(exchange, tally, warnings)
                if self.strict or count == 1 or (index == count and not answers):
                    raise
                warnings.append(f"chunk {index}/{count} failed ({type(exc).__name__}); rules cover it")
                continue
            self._note(exchange, tally, warnings)
            grounded, found = ground(answer, view, taxonomy)
            prefix = f"chunk {index}/{count}: " if count > 1 else ""
            warnings.extend(prefix + w for w in found)
            answers.append(grounded)
            seen.extend(part)

        template_name = self.template.name
        if len(answers) == 1:
            final = answers[0]
        else:
            view = _part_of(conversation, seen)
            merge_template = load_template(MERGE_TEMPLATE)

            def build_merge(schema_in_prompt: bool) -> list[dict[str, str]]:
                return build_merge_messages(
                    answers,
                    taxonomy,
                    template=merge_template,
                    language=self.language,
                    schema_in_prompt=schema_in_prompt,
                    message_count=len(conversation.messages),
                )

            exchange = self._exchange(build_merge, deadline, self._strict_check(view, taxonomy))
            try:
                merged = yield exchange
            except (BackendError, ExtractionError) as exc:
                self._note(exchange, tally, warnings)
                if self.strict:
                    raise
                warnings.append(f"merge call failed ({type(exc).__name__}); chunk answers merged in code")
                final = combine_answers(answers)
            else:
                self._note(exchange, tally, warnings)
                grounded, found = ground(merged, view, taxonomy)
                warnings.extend("merge: " + w for w in found)
                final = _keep_chunk_items(grounded, answers)
                template_name = f"{template_name}+{merge_template.name}"

        record = merge(
            final,
            rules,
            conversation,
            taxonomy,
            backend=self.name,
            model=self.model,
            template=template_name,
            warnings=warnings,
        )
        provenance = record.provenance
        provenance.tokens = TokenUsage(prompt=tally.prompt, completion=tally.completion)
        provenance.cost_usd = estimate_cost(tally.prompt, tally.completion, self.model, self.prices)
        provenance.truncation = plan.truncation
        others = [m for m in tally.server_models if m != self.model]
        if others:
            provenance.warnings.append(f"server answered as model {', '.join(repr(m) for m in others)}")
        provenance.latency_ms = round((time.perf_counter() - start) * 1000, 1)
        return record

    def _strict_check(
        self, view: Conversation, taxonomy: Taxonomy
    ) -> Callable[[LLMAnswer], str | None] | None:
        if not self.strict:
            return None

        def check(answer: LLMAnswer) -> str | None:
            _, found = ground(answer, view, taxonomy)
            return "; ".join(found) if found else None

        return check

    def _note(self, exchange: Exchange, tally: _Tally, warnings: list[str]) -> None:
        tally.add(exchange)
        if exchange.downgraded and not self._downgraded:
            self._downgraded = True
            warnings.append("server rejected json_schema output; used json_object, schema in the prompt")
        if exchange.errors:
            warnings.append(f"re-asked after: {'; '.join(exchange.errors)}")


def _keep_chunk_items(merged: LLMAnswer, partials: Sequence[LLMAnswer]) -> LLMAnswer:
    """The model's merged answer, plus grounded chunk facts it dropped (a merge may not lose facts);
    the pooled chunk actions when the merge listed none."""
    have = {(f.kind, (f.value or "").casefold()) for f in merged.facts}
    facts = list(merged.facts)
    for partial in partials:
        for fact in partial.facts:
            key = (fact.kind, (fact.value or "").casefold())
            if key not in have:
                have.add(key)
                facts.append(fact)
    actions = merged.actions_taken or [a for p in partials for a in p.actions_taken]
    return merged.model_copy(update={"facts": facts, "actions_taken": actions})


def _is_openai_error(exc: BaseException) -> bool:
    import openai

    return isinstance(exc, openai.OpenAIError)


class OpenAIBackend(_OpenAIBase, Backend):
    """Extraction with an OpenAI (or OpenAI-compatible) chat model, grounded and budgeted.

    Args:
        model: model name; default ``HANDOFF_AI_MODEL`` or ``gpt-4.1-mini``. Recorded in
            ``provenance.model`` as requested (a server alias goes to warnings).
        client: an ``openai.OpenAI`` (or ``AzureOpenAI``) to use instead of building
            one; its own retries are switched off (``with_options(max_retries=0)``).
        api_key: default ``OPENAI_API_KEY``; not needed with ``base_url`` (local servers).
        base_url: an OpenAI-compatible server; default ``OPENAI_BASE_URL``.
        mode: ``"auto"`` (json_schema, downgraded to json_object once for this instance
            if the server rejects it), ``"json_schema"``, ``"json_object"`` (schema in
            the prompt), or ``"tools"`` (one forced function call).
        temperature: sampling temperature (``None``: the server's default).
        max_tokens: completion cap per call (``max_completion_tokens``).
        max_retries: transport retries per call (429/5xx/timeouts/connection errors).
        max_reasks: validation re-asks per question (invalid JSON, schema violation,
            refusal, cut-off answer).
        timeout: seconds per HTTP request.
        total_timeout: seconds for the whole extraction, retries and re-asks included.
        budget_tokens: prompt budget; default from the model's context window (see
            ``_openai_core.context_budget``).
        max_chunks: chunk calls allowed for map-then-merge (1 disables chunking).
        language: language of the free text; default: the customer's.
        template: prompt template: a packaged name, a directory, a ``.jinja`` file, the
            template text, or a ``PromptTemplate``.
        prices: ``{model: (input, output)}`` USD per 1M tokens, for ``cost_usd``.
        strict: treat an answer that grounding must correct (invented ids or values,
            off-taxonomy labels) as invalid and re-ask; a failed chunk or merge call
            fails the extraction instead of being covered by the rules.
        rules: the rules backend used as the net (default ``RulesBackend()``).
        sleep: the function used to wait between transport retries (tests).

    Raises (from ``extract``):
        BackendError: the server could not be reached or answered with an error.
        ExtractionError: the model never produced a valid answer.
    """

    def __init__(
        self,
        model: str | None = None,
        *,
        client: openai.OpenAI | None = None,
        api_key: str | None = None,
        base_url: str | None = None,
        mode: Mode = "auto",
        temperature: float | None = 0.0,
        max_tokens: int | None = DEFAULT_MAX_TOKENS,
        max_retries: int = 2,
        max_reasks: int = 1,
        timeout: float | None = 60.0,
        total_timeout: float | None = 300.0,
        budget_tokens: int | None = None,
        max_chunks: int = 4,
        language: str | None = None,
        template: TemplateLike = None,
        prices: Prices | None = None,
        strict: bool = False,
        rules: RulesBackend | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._configure(
            model,
            api_key=api_key,
            base_url=base_url,
            mode=mode,
            temperature=temperature,
            max_tokens=max_tokens,
            max_retries=max_retries,
            max_reasks=max_reasks,
            timeout=timeout,
            total_timeout=total_timeout,
            budget_tokens=budget_tokens,
            max_chunks=max_chunks,
            language=language,
            template=template,
            prices=prices,
            strict=strict,
            rules=rules,
        )
        if client is None:
            import openai

            client = openai.OpenAI(**self._client_options())
        elif hasattr(client, "with_options"):
            client = client.with_options(max_retries=0)
        self.client = client
        self._sleep = sleep or time.sleep

    def extract(self, conversation: Conversation, taxonomy: Taxonomy) -> HandoffRecord:
        deadline = Deadline(self.total_timeout)
        run = self._run(conversation, taxonomy, deadline)
        try:
            exchange = next(run)
            while True:
                try:
                    answer = self._ask(exchange, deadline)
                except (BackendError, ExtractionError) as exc:
                    exchange = run.throw(exc)
                else:
                    exchange = run.send(answer)
        except StopIteration as done:
            record: HandoffRecord = done.value
            return record

    def _ask(self, exchange: Exchange, deadline: Deadline) -> LLMAnswer:
        while True:
            kwargs = exchange.next_request()
            try:
                completion = self._send(kwargs, deadline)
            except BackendError as error:
                if exchange.on_error(error):
                    continue
                raise
            answer = exchange.on_completion(completion)
            if answer is not None:
                return answer

    def _send(self, kwargs: dict[str, Any], deadline: Deadline) -> Any:
        retrying = self.retry_policy.retrying(deadline, self._sleep)
        try:
            return retrying(self.client.chat.completions.create, **kwargs)
        except Exception as exc:
            if _is_openai_error(exc):
                attempts = int(retrying.statistics.get("attempt_number", 1))
                raise translate_error(exc, backend=self.name, attempts=attempts) from exc
            raise


class AsyncOpenAIBackend(_OpenAIBase, AsyncBackend):
    """Async twin of ``OpenAIBackend``: the same arguments, an ``openai.AsyncOpenAI``
    client, and ``aextract``. ``sleep`` is an async function here."""

    def __init__(
        self,
        model: str | None = None,
        *,
        client: openai.AsyncOpenAI | None = None,
        api_key: str | None = None,
        base_url: str | None = None,
        mode: Mode = "auto",
        temperature: float | None = 0.0,
        max_tokens: int | None = DEFAULT_MAX_TOKENS,
        max_retries: int = 2,
        max_reasks: int = 1,
        timeout: float | None = 60.0,
        total_timeout: float | None = 300.0,
        budget_tokens: int | None = None,
        max_chunks: int = 4,
        language: str | None = None,
        template: TemplateLike = None,
        prices: Prices | None = None,
        strict: bool = False,
        rules: RulesBackend | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self._configure(
            model,
            api_key=api_key,
            base_url=base_url,
            mode=mode,
            temperature=temperature,
            max_tokens=max_tokens,
            max_retries=max_retries,
            max_reasks=max_reasks,
            timeout=timeout,
            total_timeout=total_timeout,
            budget_tokens=budget_tokens,
            max_chunks=max_chunks,
            language=language,
            template=template,
            prices=prices,
            strict=strict,
            rules=rules,
        )
        if client is None:
            import openai

            client = openai.AsyncOpenAI(**self._client_options())
        elif hasattr(client, "with_options"):
            client = client.with_options(max_retries=0)
        self.client = client
        self._sleep = sleep or asyncio.sleep

    async def aextract(self, conversation: Conversation, taxonomy: Taxonomy) -> HandoffRecord:
        deadline = Deadline(self.total_timeout)
        run = self._run(conversation, taxonomy, deadline)
        try:
            exchange = next(run)
            while True:
                try:
                    answer = await self._ask(exchange, deadline)
                except (BackendError, ExtractionError) as exc:
                    exchange = run.throw(exc)
                else:
                    exchange = run.send(answer)
        except StopIteration as done:
            record: HandoffRecord = done.value
            return record

    async def _ask(self, exchange: Exchange, deadline: Deadline) -> LLMAnswer:
        while True:
            kwargs = exchange.next_request()
            try:
                completion = await self._send(kwargs, deadline)
            except BackendError as error:
                if exchange.on_error(error):
                    continue
                raise
            answer = exchange.on_completion(completion)
            if answer is not None:
                return answer

    async def _send(self, kwargs: dict[str, Any], deadline: Deadline) -> Any:
        retrying = self.retry_policy.async_retrying(deadline, self._sleep)

        async def call() -> Any:
            # openai wraps AsyncCompletions.create in a sync decorator, so tenacity cannot
            # tell it is async: give tenacity a real coroutine function.
            return await self.client.chat.completions.create(**kwargs)

        try:
            return await retrying(call)
        except Exception as exc:
            if _is_openai_error(exc):
                attempts = int(retrying.statistics.get("attempt_number", 1))
                raise translate_error(exc, backend=self.name, attempts=attempts) from exc
            raise

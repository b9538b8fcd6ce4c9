"""The shared base of ``OpenAIBackend`` and ``AsyncOpenAIBackend`` (neither sync nor async).

``_OpenAIBase`` holds everything but the client calls: configuration (keyword
arguments > environment > packaged defaults), planning (``handoff_ai.llm.plan``), the
requests of each exchange, and the run itself — a generator that yields the
``create`` keyword arguments to send and takes back completions (or the
``BackendError`` the transport raised). ``_Run`` steps it; the sync and async
backends only send each request with their own client.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..exceptions import BackendError, ConfigError, ExtractionError
from ..llm.answer_schema import OutputBounds, answer_schema, resolve_bounds
from ..llm.completion import Wire
from ..llm.exchange import (
    DEFAULT_MAX_TOKENS,
    DEFAULT_MODEL,
    MODES,
    Deadline,
    Exchange,
    Mode,
    RetryPolicy,
    combine_answers,
    context_budget,
    request_kwargs,
    translate_error,
)
from ..llm.grounding import ground, merge
from ..llm.plan import Plan, part_of, plan_parts
from ..llm.prompting import (
    MERGE_TEMPLATE,
    PromptTemplate,
    build_merge_messages,
    build_messages,
    load_template,
)
from ..llm.record_redaction import finish_record, to_placeholders
from ..llm.tokens import TokenCounter, estimate_cost
from ..models import Conversation, HandoffRecord, Message
from ..models.llm import LLMAnswer
from ..models.record import TokenUsage
from ..privacy.redact import Redactor
from ..rules.languages import language_name
from ..rules.note_words import note_code
from ..taxonomy import Taxonomy
from .rules import RulesBackend

TemplateLike = str | Path | PromptTemplate | None
Prices = Mapping[str, tuple[float, float]]
Steps = Generator[dict[str, Any], Any, HandoffRecord]
"""A run: yields ``create`` keyword arguments, receives completions, returns the record."""


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


class _Run:
    """One extraction in flight: ``request`` is what to send next, until ``done``.

    The driver sends ``request`` and passes back the completion (``answer``) or the
    ``BackendError`` it raised (``fail``); anything else the run raises propagates.
    """

    def __init__(self, steps: Steps, deadline: Deadline) -> None:
        self.deadline = deadline
        self.request: dict[str, Any] = {}
        self._steps = steps
        self._record: HandoffRecord | None = None
        self._advance(lambda: next(steps))

    @property
    def done(self) -> bool:
        return self._record is not None

    @property
    def record(self) -> HandoffRecord:
        if self._record is None:
            raise RuntimeError("the run has not finished")
        return self._record

    def answer(self, completion: Any) -> None:
        self._advance(lambda: self._steps.send(completion))

    def fail(self, error: BackendError) -> None:
        self._advance(lambda: self._steps.throw(error))

    def _advance(self, step: Callable[[], dict[str, Any]]) -> None:
        try:
            self.request = step()
        except StopIteration as done:
            self._record = done.value


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
        redact: bool | Redactor = True,
        redacted_record: bool = False,
        bounded: bool | OutputBounds | None = None,
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
        self.rules = rules or RulesBackend(note_language=note_code(language) if language else None)
        if isinstance(redact, Redactor):
            self.redactor: Redactor | None = redact
        elif isinstance(redact, bool):
            self.redactor = Redactor() if redact else None
        else:
            raise ConfigError(f"redact must be True, False or a Redactor, not {type(redact).__name__}")
        self.redacted_record = redacted_record
        if not (bounded is None or isinstance(bounded, (bool, OutputBounds))):
            raise ConfigError(
                f"bounded must be True, False, None or OutputBounds, not {type(bounded).__name__}"
            )
        self.bounded = bounded
        self.bounds: OutputBounds | None = None  # resolved once the client (and its base_url) is known
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

    def _connect(self, client: Any, factory: str) -> Any:
        """``client`` with its own retries switched off (the tenacity layer retries), or a
        new ``openai.<factory>`` from the configuration."""
        if client is None:
            import openai

            client = getattr(openai, factory)(**self._client_options())
        elif hasattr(client, "with_options"):
            client = client.with_options(max_retries=0)
        server = self.base_url or getattr(client, "base_url", None)
        self.bounds = resolve_bounds(self.bounded, str(server) if server else None)
        return client

    @contextmanager
    def _translated(self, retrying: Any) -> Iterator[None]:
        """Re-raise an ``openai`` exception from the block as ``BackendError`` (once, here)."""
        try:
            yield
        except Exception as exc:
            if _is_openai_error(exc):
                attempts = int(retrying.statistics.get("attempt_number", 1))
                raise translate_error(exc, backend=self.name, attempts=attempts) from exc
            raise

    def __repr__(self) -> str:
        where = f", base_url={self.base_url!r}" if self.base_url else ""
        return f"{type(self).__name__}(model={self.model!r}, mode={self.mode!r}{where})"

    # -- planning ----------------------------------------------------------------------

    @property
    def note_language(self) -> str | None:
        """The language of the record's free text (``language``), as the rules call it."""
        return note_code(self.language) if self.language else None

    @note_language.setter
    def note_language(self, code: str | None) -> None:
        self.language = code

    def _wire(self) -> Wire:
        if self.mode == "auto":
            return "json_object" if self._downgraded else "json_schema"
        return self.mode

    def _prompt(
        self,
        conversation: Conversation,
        taxonomy: Taxonomy,
        messages: Sequence[Message] | None,
        schema_in_prompt: bool,
    ) -> list[dict[str, str]]:
        """The chat messages for ``messages`` of the conversation (``None``: all of it)."""
        return build_messages(
            conversation,
            taxonomy,
            template=self.template,
            language=language_name(self.language) if self.language else None,
            schema_in_prompt=schema_in_prompt,
            messages=messages,
        )

    def _plan(self, conversation: Conversation, taxonomy: Taxonomy, rules: HandoffRecord) -> Plan:
        schema_in_prompt = self._wire() == "json_object"

        def prompt(messages: Sequence[Message] | None) -> list[dict[str, str]]:
            return self._prompt(conversation, taxonomy, messages, schema_in_prompt)

        return plan_parts(
            conversation,
            rules,
            prompt=prompt,
            counter=self._counter,
            budget=self.budget_tokens,
            max_chunks=self.max_chunks,
        )

    # -- one exchange --------------------------------------------------------------------

    def _request(
        self, deadline: Deadline, taxonomy: Taxonomy, ids: Sequence[str]
    ) -> Callable[[list[dict[str, str]], Wire], dict[str, Any]]:
        schema = answer_schema(taxonomy, bounds=self.bounds, ids=ids)

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
        taxonomy: Taxonomy,
        ids: Sequence[str],
    ) -> Exchange:
        """One ask (with re-asks); ``ids``: the message ids in the prompt (evidence may cite only those)."""
        return Exchange(
            build=build,
            request=self._request(deadline, taxonomy, ids),
            wire=self._wire(),
            downgrade=self.mode == "auto",
            max_reasks=self.max_reasks,
            check=check if self.strict else None,
        )

    # -- the run (a generator: yields requests, receives completions or exceptions) --------

    def _start(self, conversation: Conversation, taxonomy: Taxonomy) -> _Run:
        deadline = Deadline(self.total_timeout)
        return _Run(self._run(conversation, taxonomy, deadline), deadline)

    def _run(self, conversation: Conversation, taxonomy: Taxonomy, deadline: Deadline) -> Steps:
        start = time.perf_counter()
        # The rules net reads the original conversation: nothing leaves the process there.
        rules = self.rules.extract(conversation, taxonomy)
        # Everything built for the model (prompts, budgets, chunks, grounding views, the
        # merge) sees the redacted conversation; the record is re-hydrated at the end.
        redaction = self.redactor.redact(conversation) if self.redactor is not None else None
        if redaction is not None:
            conversation = redaction.conversation
        plan = self._plan(conversation, taxonomy, rules)
        warnings = list(plan.warnings)
        tally = _Tally()
        answers: list[LLMAnswer] = []
        seen: list[Message] = []
        count = len(plan.parts)
        for index, part in enumerate(plan.parts, 1):
            view = part_of(conversation, part)

            def build(schema_in_prompt: bool, part: list[Message] = part) -> list[dict[str, str]]:
                return self._prompt(conversation, taxonomy, part, schema_in_prompt)

            exchange = self._exchange(
                build, deadline, self._strict_check(view, taxonomy), taxonomy, [m.id for m in part]
            )
            try:
                answer = yield from exchange.steps()
            except (BackendError, ExtractionError) as exc:
                self._note(exchange, tally, warnings)
                if self.strict or count == 1 or (index == count and not answers):
                    raise
                warnings.append(f"chunk {index}/{count} failed ({type(exc).__name__}); rules cover it")
                continue
            self._note(exchange, tally, warnings)
            grounded, found = ground(answer, view, taxonomy, instructions=exchange.instructions)
            prefix = f"chunk {index}/{count}: " if count > 1 else ""
            warnings.extend(prefix + w for w in found)
            answers.append(grounded)
            seen.extend(part)

        template_name = self.template.name
        if len(answers) == 1:
            final = answers[0]
        else:
            view = part_of(conversation, seen)
            merge_template = load_template(MERGE_TEMPLATE)

            def build_merge(schema_in_prompt: bool) -> list[dict[str, str]]:
                return build_merge_messages(
                    answers,
                    taxonomy,
                    template=merge_template,
                    language=language_name(self.language) if self.language else None,
                    schema_in_prompt=schema_in_prompt,
                    message_count=len(conversation.messages),
                )

            exchange = self._exchange(
                build_merge, deadline, self._strict_check(view, taxonomy), taxonomy, [m.id for m in seen]
            )
            try:
                merged = yield from exchange.steps()
            except (BackendError, ExtractionError) as exc:
                self._note(exchange, tally, warnings)
                if self.strict:
                    raise
                warnings.append(f"merge call failed ({type(exc).__name__}); chunk answers merged in code")
                final = combine_answers(answers)
            else:
                self._note(exchange, tally, warnings)
                grounded, found = ground(merged, view, taxonomy, instructions=exchange.instructions)
                warnings.extend("merge: " + w for w in found)
                final = _keep_chunk_items(grounded, answers)
                template_name = f"{template_name}+{merge_template.name}"

        original_rules = rules
        if redaction is not None:
            assert self.redactor is not None
            rules = to_placeholders(rules, redaction, self.redactor)
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
        if redaction is not None:
            provenance.redaction = redaction.report()
            record = finish_record(record, original_rules, redaction, redacted=self.redacted_record)
        record.provenance.latency_ms = round((time.perf_counter() - start) * 1000, 1)
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

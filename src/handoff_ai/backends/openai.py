"""Model backends for OpenAI and any OpenAI-compatible server (Azure, vLLM, llama.cpp, Ollama).

``OpenAIBackend`` (sync) and ``AsyncOpenAIBackend`` (async) are siblings over one
shared core: configuration and the run itself live in ``_OpenAIBase`` (neither sync
nor async, in ``_openai_base``; planning in :mod:`handoff_ai.llm.plan`) and
:mod:`handoff_ai.llm.exchange` (requests, parsing, retries, error translation); each
class only adds the few lines that call its client.

One extraction:

0. the conversation is redacted (``handoff_ai.privacy.redact``, on by default): prompts,
   budgets, chunks and grounding see ``<EMAIL_1>``-style placeholders, and the final
   record is re-hydrated (cards and secrets never are) unless ``redacted_record=True``;
1. the rules backend runs first: it is the net (its facts and actions are merged
   into the answer) and it tells the budget which messages carry facts and actions;
2. the prompt is counted; over ``budget_tokens`` the conversation is chunked for
   map-then-merge (at most ``max_chunks`` chunk calls plus one merge call) when the
   chunks can hold all of it, otherwise reduced to the messages that matter in one
   call — and what was left out is listed in ``provenance.truncation``;
3. the model is asked (two retry layers: transport retries with tenacity, then
   validation re-asks that feed the error back, at most ``max_reasks``);
4. the answer is grounded (``handoff_ai.llm.grounding.ground``) and merged with the
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
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from ..exceptions import BackendError
from ..llm.answer_schema import OutputBounds
from ..llm.exchange import DEFAULT_MAX_TOKENS, Deadline, Mode
from ..models import Conversation, HandoffRecord
from ..privacy.redact import Redactor
from ..taxonomy import Taxonomy
from ._openai_base import Prices, TemplateLike, _OpenAIBase
from ._openai_base import _is_openai_error as _is_openai_error
from ._openai_base import _keep_chunk_items as _keep_chunk_items
from ._openai_base import _resolve_template as _resolve_template
from ._openai_base import _Tally as _Tally
from .base import AsyncBackend, Backend
from .rules import RulesBackend

if TYPE_CHECKING:
    import openai

__all__ = ["AsyncOpenAIBackend", "OpenAIBackend"]

logger = logging.getLogger("handoff_ai.backends.openai")


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
            ``handoff_ai.llm.exchange.context_budget``).
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
        redact: redact personal data and secrets before anything is built for the model
            (``True``: the packaged ``Redactor()``; a ``Redactor`` for your own kinds and
            recognizers; ``False`` sends the raw text — an explicit opt-out). The rules
            net still reads the original conversation (it never leaves the process).
        redacted_record: return the record with its placeholders (``<EMAIL_1>``) instead
            of re-hydrating it; by default values come back for the human, except full
            card numbers (``[card ending 1234]``) and secrets (``[withheld]``).
            ``provenance.redaction`` gives kinds and counts either way.
        bounded: length limits in the answer schema (``maxItems``/``maxLength``, and
            evidence closed to the ids sent) for servers that turn the schema into a
            decoding grammar (llama.cpp, vLLM, Ollama), so a small model cannot loop
            until the token cap. ``None`` (auto): on unless the server is OpenAI or
            Azure OpenAI, whose strict mode rejects ``maxLength``; ``True``/``False``;
            or an ``OutputBounds`` with your limits. Intent and team are closed to the
            taxonomy's names in every case.

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
        redact: bool | Redactor = True,
        redacted_record: bool = False,
        bounded: bool | OutputBounds | None = None,
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
            redact=redact,
            redacted_record=redacted_record,
            bounded=bounded,
        )
        self.client: openai.OpenAI = self._connect(client, "OpenAI")
        self._sleep = sleep or time.sleep

    def extract(self, conversation: Conversation, taxonomy: Taxonomy) -> HandoffRecord:
        run = self._start(conversation, taxonomy)
        while not run.done:
            try:
                completion = self._send(run.request, run.deadline)
            except BackendError as error:
                run.fail(error)
            else:
                run.answer(completion)
        return run.record

    def _send(self, kwargs: dict[str, Any], deadline: Deadline) -> Any:
        retrying = self.retry_policy.retrying(deadline, self._sleep)
        with self._translated(retrying):
            return retrying(self.client.chat.completions.create, **kwargs)


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
        redact: bool | Redactor = True,
        redacted_record: bool = False,
        bounded: bool | OutputBounds | None = None,
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
            redact=redact,
            redacted_record=redacted_record,
            bounded=bounded,
        )
        self.client: openai.AsyncOpenAI = self._connect(client, "AsyncOpenAI")
        self._sleep = sleep or asyncio.sleep

    async def aextract(self, conversation: Conversation, taxonomy: Taxonomy) -> HandoffRecord:
        run = self._start(conversation, taxonomy)
        while not run.done:
            try:
                completion = await self._send(run.request, run.deadline)
            except BackendError as error:
                run.fail(error)
            else:
                run.answer(completion)
        return run.record

    async def _send(self, kwargs: dict[str, Any], deadline: Deadline) -> Any:
        retrying = self.retry_policy.async_retrying(deadline, self._sleep)

        async def call() -> Any:
            # openai wraps AsyncCompletions.create in a sync decorator, so tenacity cannot
            # tell it is async: give tenacity a real coroutine function.
            return await self.client.chat.completions.create(**kwargs)

        with self._translated(retrying):
            return await retrying(call)

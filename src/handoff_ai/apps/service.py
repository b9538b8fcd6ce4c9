"""A minimal HTTP service for helpdesks that cannot embed Python (``handoff serve``).

Routes::

    POST /summarize   {"conversation": ..., "format": "auto", "taxonomy": {...}}  →  {"record": {...}}
                      with "output": "md" | "text" | "html" | "zendesk" | "slack" | … (any renderer
                      but rich): the rendered note alone, body as is, so a helpdesk webhook can
                      post it unchanged (text/markdown, text/plain, text/html or application/json)
    POST /escalate    {"conversation": ..., "policy": {...}, ...}  →  {"decision": {...}}
    GET  /schema      the record's JSON Schema
    GET  /healthz     {"status": "ok", "version": ..., "backend": ...}

``conversation`` is anything ``handoff_ai.load`` accepts as data: a JSON object or
array, or a transcript as a string. A string is always read as *text*, never as a
file path: a client must not be able to make the server read its own files.

Errors answer ``{"error": {"type": ..., "message": ...}}``, never with transcript
text (handoff_ai's messages do not quote it; anything else gets a generic message)::

    400  malformed JSON, a bad field, or a ``UsageError`` (unknown format, bad taxonomy)
    404  / 405  unknown route or method
    413  body larger than ``max_body_bytes`` (Content-Length checked, then enforced
         while the body is read, so a chunked upload cannot get past it)
    422  ``ParseError``: the conversation is malformed
    502  the backend failed (``BackendError``, ``ExtractionError``, every fallback failed)
    500  anything else (logged by type only)

The rules backend is CPU-bound and fast, so it runs inline on the event loop; model
backends go through ``Summarizer.asummarize`` (awaited, or in a worker thread when
sync). Needs the optional extra: ``pip install 'handoff-ai[serve]'``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
from collections import OrderedDict
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .._version import __version__
from ..api import BackendLike, Summarizer, TaxonomyLike
from ..exceptions import BackendError, ExtractionError, HandoffError, ParseError, UsageError
from ..models import HandoffRecord
from ..taxonomy import Taxonomy

__all__ = ["DEFAULT_MAX_BODY_BYTES", "create_app"]

logger = logging.getLogger("handoff_ai")

DEFAULT_MAX_BODY_BYTES = 1_000_000
_TAXONOMY_CACHE_SIZE = 64
_BACKEND_FAILURES = (BackendError, ExtractionError)
_FIELDS = frozenset({"conversation", "format", "taxonomy", "output"})
_ALIASES = {"md": "markdown"}
_MEDIA = {
    "markdown": "text/markdown; charset=utf-8",
    "text": "text/plain; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "html_email": "text/html; charset=utf-8",
}
_NOT_HTTP = frozenset({"rich"})  # terminal escape codes: not a body anyone can post
if sys.version_info >= (3, 11):
    _GROUPS: tuple[type[BaseException], ...] = (BaseExceptionGroup,)  # noqa: F821 (3.11+)
else:  # pragma: no cover - Python 3.10 has no exception groups
    _GROUPS = ()


def _members(exc: BaseException) -> tuple[BaseException, ...] | None:
    """The errors inside an exception group (FallbackBackend: every backend failed), else None."""
    return tuple(getattr(exc, "exceptions", ())) if isinstance(exc, _GROUPS) else None


class _RequestError(Exception):
    """A request the service refuses before it reaches the library."""

    def __init__(self, status: int, type: str, message: str) -> None:
        self.status = status
        self.type = type
        self.message = message
        super().__init__(message)


def _error(status: int, type: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"type": type, "message": message}}, status_code=status)


def _status(exc: BaseException) -> int:
    if isinstance(exc, ParseError):
        return 422
    if isinstance(exc, UsageError):
        return 400
    if isinstance(exc, _BACKEND_FAILURES):
        return 502
    members = _members(exc)
    if members and all(isinstance(e, HandoffError) for e in members):
        return 502
    return 500


class _SummarizerCache:
    """Summarizers sharing one backend, one per taxonomy, keyed by a hash of its JSON (LRU)."""

    def __init__(self, default: Summarizer, maxsize: int = _TAXONOMY_CACHE_SIZE) -> None:
        self.default = default
        self.maxsize = maxsize
        self._items: OrderedDict[str, Summarizer] = OrderedDict()

    def get(self, taxonomy: dict[str, Any] | None) -> Summarizer:
        if taxonomy is None:
            return self.default
        key = hashlib.sha256(
            json.dumps(taxonomy, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        ).hexdigest()
        summarizer = self._items.get(key)
        if summarizer is not None:
            self._items.move_to_end(key)
            return summarizer
        parsed = Taxonomy.from_dict(taxonomy, source="request taxonomy")  # ConfigError → 400
        # The async twin, so a model configured through HANDOFF_AI_MODEL stays async here too.
        summarizer = Summarizer(backend=self.default._async_backend, taxonomy=parsed)
        self._items[key] = summarizer
        if len(self._items) > self.maxsize:
            self._items.popitem(last=False)
        return summarizer


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it is known to exceed ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise _RequestError(400, "BadRequest", "invalid Content-Length header") from None
        if size > limit:
            raise _RequestError(413, "RequestTooLarge", f"request body exceeds {limit} bytes")
    chunks: list[bytes] = []
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise _RequestError(413, "RequestTooLarge", f"request body exceeds {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _output(data: dict[str, Any]) -> str | None:
    """The renderer the request asks for (``None``: the ``{"record": ...}`` envelope), or a 400."""
    from ..renderers import renderer_names

    output = data.get("output")
    if output is None:
        return None
    if not isinstance(output, str):
        raise _RequestError(400, "BadRequest", "output must be a string")
    name = _ALIASES.get(output, output)
    known = [n for n in renderer_names() if n not in _NOT_HTTP]
    if name not in known:
        raise _RequestError(400, "BadRequest", f"unknown output {output!r} (known: md, {', '.join(known)})")
    return name


def _rendered(record: HandoffRecord, output: str) -> Response:
    from ..renderers import render

    body = render(record, output)
    media = _MEDIA.get(output)
    if media is None:  # the helpdesk writers (zendesk, slack, …) render their API's JSON payload
        is_json = body.lstrip()[:1] in ("{", "[")
        media = "application/json" if is_json else "text/plain; charset=utf-8"
    return Response(body.encode("utf-8"), media_type=media)


def _payload(body: bytes) -> tuple[object, str, dict[str, Any] | None, str | None]:
    """``(conversation, format, taxonomy, output)`` from the request JSON, or a 400."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise _RequestError(400, "InvalidJSON", "request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise _RequestError(400, "BadRequest", "request body must be a JSON object")
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise _RequestError(400, "BadRequest", f"unknown fields: {', '.join(unknown)}")
    if "conversation" not in data:
        raise _RequestError(400, "BadRequest", "missing field: conversation")
    conversation = data["conversation"]
    if isinstance(conversation, str):
        conversation = conversation.encode()  # text, never a path on the server
    elif not isinstance(conversation, (dict, list)):
        raise _RequestError(400, "BadRequest", "conversation must be an object, an array or a string")
    format = data.get("format") or "auto"
    if not isinstance(format, str):
        raise _RequestError(400, "BadRequest", "format must be a string")
    taxonomy = data.get("taxonomy")
    if taxonomy is not None and not isinstance(taxonomy, dict):
        raise _RequestError(400, "BadRequest", "taxonomy must be an object")
    return conversation, format, taxonomy, _output(data)


def _escalation(body: bytes, default_taxonomy: Taxonomy) -> bytes:
    """``POST /escalate``: the ``/summarize`` fields plus an optional ``policy`` object."""
    from ..escalation import should_escalate

    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise _RequestError(400, "InvalidJSON", "request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise _RequestError(400, "BadRequest", "request body must be a JSON object")
    policy = data.pop("policy", None)
    if policy is not None and not isinstance(policy, dict):
        raise _RequestError(400, "BadRequest", "policy must be an object")
    conversation, format, taxonomy, _output = _payload(json.dumps(data).encode())
    decision = should_escalate(
        conversation,
        policy=policy,
        taxonomy=Taxonomy.from_dict(taxonomy, source="request taxonomy") if taxonomy else default_taxonomy,
        format=format,
    )
    return b'{"decision":' + decision.model_dump_json().encode() + b"}"


def create_app(
    *,
    backend: BackendLike = None,
    taxonomy: TaxonomyLike = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> Starlette:
    """The service as an ASGI app, to run with any ASGI server or mount in another app.

    Args:
        backend: backend instance or registered name; default as for ``summarize``
            (rules, or the model with rules as fallback when ``HANDOFF_AI_MODEL`` is set).
        taxonomy: the default taxonomy (``Taxonomy``, path or dict); a request may send its own.
        max_body_bytes: the largest request body accepted; larger ones are answered 413.

    Raises:
        UsageError: unknown backend, invalid taxonomy or a non-positive ``max_body_bytes``
            (raised here, before any request is served).
    """
    if isinstance(max_body_bytes, bool) or not isinstance(max_body_bytes, int) or max_body_bytes < 1:
        raise UsageError("max_body_bytes must be a positive integer")
    summarizers = _SummarizerCache(Summarizer(backend=backend, taxonomy=taxonomy))
    schema = json.dumps(HandoffRecord.json_schema()).encode()
    health = {"status": "ok", "version": __version__, "backend": summarizers.default.backend.name}

    async def summarize(request: Request) -> Response:
        try:
            body = await _read_body(request, max_body_bytes)
            conversation, format, request_taxonomy, output = _payload(body)
            summarizer = summarizers.get(request_taxonomy)
            record = await summarizer.asummarize(conversation, format=format)
        except _RequestError as exc:
            return _error(exc.status, exc.type, exc.message)
        except Exception as exc:
            status = _status(exc)
            if status == 500:  # not ours: its message might quote the input, so log the type only
                logger.error("summarize failed: unexpected %s", type(exc).__name__)
                return _error(500, "InternalError", "unexpected error while summarizing")
            members = _members(exc)
            if members is not None:
                causes = ", ".join(type(e).__name__ for e in members)
                return _error(502, "BackendError", f"every backend failed ({causes})")
            return _error(status, type(exc).__name__, str(exc))
        if output is not None:
            try:
                return _rendered(record, output)
            except HandoffError as exc:  # a renderer refused the record (RenderError)
                return _error(500, type(exc).__name__, str(exc))
        content = b'{"record":' + record.model_dump_json().encode() + b"}"
        return Response(content, media_type="application/json")

    async def escalate(request: Request) -> Response:
        try:
            content = _escalation(await _read_body(request, max_body_bytes), summarizers.default.taxonomy)
        except _RequestError as exc:
            return _error(exc.status, exc.type, exc.message)
        except Exception as exc:
            if _status(exc) == 500:  # not ours: its message might quote the input
                logger.error("escalate failed: unexpected %s", type(exc).__name__)
                return _error(500, "InternalError", "unexpected error while deciding")
            return _error(_status(exc), type(exc).__name__, str(exc))
        return Response(content, media_type="application/json")

    async def get_schema(request: Request) -> Response:
        return Response(schema, media_type="application/schema+json")

    async def healthz(request: Request) -> Response:
        return JSONResponse(health)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        names = {404: "NotFound", 405: "MethodNotAllowed"}
        response = _error(exc.status_code, names.get(exc.status_code, "HTTPError"), exc.detail)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    return Starlette(
        routes=[
            Route("/summarize", summarize, methods=["POST"]),
            Route("/escalate", escalate, methods=["POST"]),
            Route("/schema", get_schema, methods=["GET"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        exception_handlers={HTTPException: http_error},
    )

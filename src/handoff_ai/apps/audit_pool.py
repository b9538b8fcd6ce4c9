"""``handoff audit --workers N``: the same report, audited by N processes.

The parent reads the inputs and sends **raw JSONL lines or file paths** (as ``handoff
batch --workers`` does); a worker parses and audits a conversation and sends back its
audit as **JSON text**, with the cited excerpts (secrets already masked) when the audit
could join the report's worst conversations. The parent rebuilds each audit and adds it
to the ``AuditReport`` in input order, so ``--json``, ``--jsonl`` and ``--html`` come out
byte-identical to one process. The pool is :func:`handoff_ai.batch.processes.process_map`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from ..audit import ConversationAudit
from ..audit.run import audit_parts
from ..batch.processes import process_map
from ..exceptions import HandoffError
from ..taxonomy import Taxonomy
from .batch_io import Job, parse_job, raw_items

__all__ = ["AuditConfig", "pooled_audits"]

Excerpts = dict[str, dict[str, str]]


@dataclass(frozen=True)
class AuditConfig:
    """What every worker needs (picklable): the taxonomy file, the input format, and
    whether a report keeps worst conversations (then excerpts are worth sending)."""

    taxonomy: str | None
    format: str
    excerpts: bool


def _start(config: AuditConfig) -> tuple[AuditConfig, Taxonomy | None]:
    return config, Taxonomy.load(config.taxonomy) if config.taxonomy else None


def _one(
    state: tuple[AuditConfig, Taxonomy | None], job: Job
) -> tuple[int, str | None, str | None, str | None]:
    """``(slot, error type, audit JSON, excerpts JSON)``: an unreadable input is its error type."""
    config, taxonomy = state
    try:
        conversation = parse_job(job, config.format)
    except HandoffError as exc:
        return job.slot, type(exc).__name__, None, None
    entry, cited = audit_parts(conversation, taxonomy=taxonomy)
    # The report asks for excerpts only of a conversation with something to show (severity > 0).
    shown = json.dumps(cited(), ensure_ascii=False) if config.excerpts and entry.severity > 0 else None
    return job.slot, None, entry.model_dump_json(), shown


def _given(excerpts: Excerpts) -> Callable[[], Excerpts]:
    return lambda: excerpts


def pooled_audits(
    files: list[str], config: AuditConfig, workers: int, errors: list[tuple[str, str]]
) -> Iterator[tuple[ConversationAudit, Callable[[], Excerpts]]]:
    """``(audit, excerpts)`` per readable input of ``files``, in input order; ``errors`` gets
    ``(id, error type)`` of each unreadable one, in input order, as the one-process run has them."""
    failed: list[tuple[int, str, str]] = []  # (slot, id, type): parent and worker errors, sorted at the end
    ids: dict[int, str] = {}

    def jobs() -> Iterator[Job]:
        slot = 0
        for name in files:
            for conversation_id, item in raw_items(Path(name)):
                if isinstance(item, Exception):
                    failed.append((slot, conversation_id, type(item).__name__))
                else:
                    ids[slot] = conversation_id
                    yield replace(item, slot=slot)
                slot += 1

    for slot, error, entry, shown in process_map(_one, jobs(), workers=workers, start=_start, config=config):
        conversation_id = ids.pop(slot)
        if error is not None:
            failed.append((slot, conversation_id, error))
            continue
        assert entry is not None
        yield ConversationAudit.model_validate_json(entry), _given(json.loads(shown) if shown else {})
    errors.extend((conversation_id, kind) for _, conversation_id, kind in sorted(failed))

"""The audit report: an aggregate built incrementally, plus the worst conversations.

:class:`AuditReport` never needs the whole history in memory: every rate of
:meth:`AuditReport.summary` comes from counters, the median wait from a histogram
of waits rounded to the minute (a tenth of a minute under an hour), and only the
``worst`` conversations (a bounded heap) are kept in full unless ``keep_all``.
"""

from __future__ import annotations

import heapq
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .models import ConversationAudit

__all__ = ["AuditReport", "AuditSummary"]


class AuditSummary(BaseModel):
    """The rates a support lead reads first."""

    model_config = ConfigDict(extra="forbid")

    conversations: int = 0
    handoffs: int = Field(0, description="Transfers in all conversations.")
    reasks: int = 0
    reasks_by_kind: dict[str, int] = Field(default_factory=dict)
    reasks_per_handoff: dict[str, float] = Field(
        default_factory=dict, description="Re-asks of each kind divided by the number of handoffs."
    )
    reasks_after_transfer: int = Field(0, description="Re-asks by an owner the customer had not told.")
    conversations_with_reask: int = 0
    conversations_with_repeat: int = 0
    repeat_share: float = Field(0.0, description="Share of conversations where the customer repeats.")
    transfers_per_conversation: float = 0.0
    transfer_histogram: dict[str, int] = Field(default_factory=dict, description="'0', '1', '2', '3', '4+'.")
    transfer_kinds: dict[str, int] = Field(default_factory=dict)
    waits_measured: int = 0
    median_wait_minutes: float | None = None
    wait_histogram: dict[str, int] = Field(default_factory=dict)
    warm: int = 0
    cold: int = 0
    sentiment_before: dict[str, int] = Field(default_factory=dict)
    sentiment_after: dict[str, int] = Field(default_factory=dict)
    sentiment_dropped: int = Field(0, description="Transfers after which the customer's mood got worse.")
    bot_conversations: int = 0
    contained: int = 0
    containment_rate: float | None = Field(None, description="Bot conversations no human had to take.")


_WAIT_BINS = ((5, "<5 min"), (15, "5-15 min"), (60, "15-60 min"), (240, "1-4 h"), (1440, "4-24 h"))
_RANK = {"negative": 0, "neutral": 1, "positive": 2}


def _wait_key(minutes: float) -> float:
    return round(minutes, 1) if minutes < 60 else float(round(minutes))


class AuditReport:
    """What :func:`handoff_ai.audit` found, accumulated one conversation at a time.

    ``conversations``: every entry in input order when ``keep_all`` (else empty: a
    stream keeps only the aggregate and ``worst()``). ``summary()``: the rates.
    """

    def __init__(self, *, keep_all: bool = True, worst: int = 20) -> None:
        self.keep_all = keep_all
        self.conversations: list[ConversationAudit] = []
        self._worst_size = worst
        self._heap: list[tuple[float, int, ConversationAudit, dict[str, dict[str, str]]]] = []
        self._count = 0
        self._kinds: Counter[str] = Counter()
        self._transfer_kinds: Counter[str] = Counter()
        self._hist: Counter[str] = Counter()
        self._waits: Counter[float] = Counter()
        self._wait_bins: Counter[str] = Counter()
        self._before: Counter[str] = Counter()
        self._after: Counter[str] = Counter()
        self._totals: Counter[str] = Counter()

    def add(
        self, entry: ConversationAudit, *, excerpts: Callable[[], dict[str, dict[str, str]]] | None = None
    ) -> None:
        """Fold one conversation's audit into the aggregate.

        ``excerpts``: called only when the entry joins the worst conversations, for the
        cited messages' text (secrets masked) shown in the HTML report.
        """
        self._count += 1
        totals = self._totals
        if self.keep_all:
            self.conversations.append(entry)
        totals["handoffs"] += len(entry.transfers)
        totals["reasks"] += len(entry.reasks)
        totals["with_reask"] += bool(entry.reasks)
        totals["with_repeat"] += bool(entry.repeats)
        for reask in entry.reasks:
            self._kinds[reask.kind] += 1
            totals["after_transfer"] += reask.after_transfer
        count = len(entry.transfers)
        self._hist[str(count) if count < 4 else "4+"] += 1
        for transfer in entry.transfers:
            self._transfer_kinds[transfer.kind] += 1
            if transfer.wait_minutes is not None:
                self._waits[_wait_key(transfer.wait_minutes)] += 1
                label = next((name for limit, name in _WAIT_BINS if transfer.wait_minutes < limit), "24 h+")
                self._wait_bins[label] += 1
            if transfer.warm is True:
                totals["warm"] += 1
            elif transfer.warm is False:
                totals["cold"] += 1
            if transfer.sentiment_before and transfer.sentiment_after:
                self._before[transfer.sentiment_before] += 1
                self._after[transfer.sentiment_after] += 1
                totals["dropped"] += _RANK[transfer.sentiment_after] < _RANK[transfer.sentiment_before]
        if entry.bot:
            totals["bot"] += 1
            totals["contained"] += bool(entry.contained)
        severity = entry.severity
        if severity > 0 and self._worst_size > 0:
            key = (severity, -self._count)
            if len(self._heap) < self._worst_size or key > self._heap[0][:2]:
                item = (*key, entry, excerpts() if excerpts else {})
                if len(self._heap) < self._worst_size:
                    heapq.heappush(self._heap, item)
                else:
                    heapq.heapreplace(self._heap, item)

    def worst(self) -> list[ConversationAudit]:
        """The conversations that lost the most context, worst first (ties: earliest first)."""
        return [item[2] for item in self._ordered()]

    def worst_excerpts(self) -> list[tuple[ConversationAudit, dict[str, dict[str, str]]]]:
        """The worst conversations with the text of the messages they cite (secrets masked)."""
        return [(item[2], item[3]) for item in self._ordered()]

    def _ordered(self) -> list[tuple[float, int, ConversationAudit, dict[str, dict[str, str]]]]:
        return sorted(self._heap, key=lambda item: (-item[0], -item[1]))

    def _median_wait(self) -> float | None:
        total = sum(self._waits.values())
        if not total:
            return None
        ordered = sorted(self._waits.items())
        middle = [(total - 1) // 2, total // 2]
        values: list[float] = []
        seen = 0
        for value, count in ordered:
            while middle and middle[0] < seen + count:
                values.append(value)
                middle.pop(0)
            seen += count
        return round(sum(values) / len(values), 2)

    def summary(self) -> AuditSummary:
        """The rates: re-asks per handoff by kind, repeat share, transfers, waits, containment."""
        totals = self._totals
        handoffs = totals["handoffs"]
        count = self._count
        kinds = dict(sorted(self._kinds.items(), key=lambda kv: (-kv[1], kv[0])))
        return AuditSummary(
            conversations=count,
            handoffs=handoffs,
            reasks=totals["reasks"],
            reasks_by_kind=kinds,
            reasks_per_handoff={k: round(v / handoffs, 4) for k, v in kinds.items()} if handoffs else {},
            reasks_after_transfer=totals["after_transfer"],
            conversations_with_reask=totals["with_reask"],
            conversations_with_repeat=totals["with_repeat"],
            repeat_share=round(totals["with_repeat"] / count, 4) if count else 0.0,
            transfers_per_conversation=round(handoffs / count, 4) if count else 0.0,
            transfer_histogram={k: self._hist[k] for k in ("0", "1", "2", "3", "4+") if self._hist[k]},
            transfer_kinds=dict(sorted(self._transfer_kinds.items())),
            waits_measured=sum(self._waits.values()),
            median_wait_minutes=self._median_wait(),
            wait_histogram={
                name: self._wait_bins[name]
                for name in [*(n for _, n in _WAIT_BINS), "24 h+"]
                if self._wait_bins[name]
            },
            warm=totals["warm"],
            cold=totals["cold"],
            sentiment_before=dict(sorted(self._before.items())),
            sentiment_after=dict(sorted(self._after.items())),
            sentiment_dropped=totals["dropped"],
            bot_conversations=totals["bot"],
            contained=totals["contained"],
            containment_rate=round(totals["contained"] / totals["bot"], 4) if totals["bot"] else None,
        )

    def to_dict(self) -> dict[str, Any]:
        """Summary and worst conversations (and every conversation when kept), JSON-ready."""
        data: dict[str, Any] = {
            "summary": self.summary().model_dump(mode="json"),
            "worst": [entry.model_dump(mode="json") for entry in self.worst()],
        }
        if self.keep_all:
            data["conversations"] = [entry.model_dump(mode="json") for entry in self.conversations]
        return data

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def to_html(self, *, title: str = "Handoff audit", charts: bool | None = None) -> str:
        """A self-contained HTML page (opens offline); see :mod:`handoff_ai.audit.html`."""
        from .html import render_html

        return render_html(self, title=title, charts=charts)

    def _repr_html_(self) -> str:
        from .html import render_html

        return render_html(self, title="Handoff audit", fragment=True)

    def __len__(self) -> int:
        return self._count

    def __repr__(self) -> str:
        s = self.summary()
        return (
            f"AuditReport(conversations={s.conversations}, handoffs={s.handoffs}, reasks={s.reasks}, "
            f"repeat_share={s.repeat_share})"
        )

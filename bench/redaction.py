"""Recall and precision of the redaction recognizers on the annotated PII test set.

    python bench/redaction.py [--data tests/data/pii_messages.jsonl] [--misses N]

A gold span is *recalled* when one predicted span of the same kind covers all of it
(a missed character counts as a leak). A predicted span is *correct* when it overlaps
a gold span of the same kind. ``negative`` rows (order numbers, dates, prices,
non-Luhn 16-digit ids) have no gold spans, so anything found there lowers precision.
Also printed: Luhn-valid 13-19 digit numbers left in the redacted text (target 0).
The set is synthetic and was written alongside the recognizers: these figures are an
in-distribution check, not an estimate of recall on real traffic.

Held out: the emails and phones customers typed in the real ABCD dev conversations
(``../shared/data/abcd/dev.jsonl``, labelled by the dataset's own regex entities, never
looked at while writing the recognizers): a value counts as redacted when it no longer
occurs in the customers' redacted text. Skipped when the data is absent.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from handoff_ai.privacy.pii import luhn_ok
from handoff_ai.privacy.redact import Redactor

DEFAULT = Path(__file__).resolve().parents[1] / "tests" / "data" / "pii_messages.jsonl"
TARGETS = {"CARD": 0.99, "EMAIL": 0.99, "PHONE": 0.99, "IBAN": 0.99}
_DIGIT_RUN = re.compile(r"\d(?:[ -]?\d)*")


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def luhn_survivors(text: str) -> list[str]:
    """Luhn-valid 13-19 digit windows (whole separator groups) left in ``text``."""
    found = []
    for run in _DIGIT_RUN.findall(text):
        groups = re.split(r"[ -]", run)
        for first in range(len(groups)):
            digits = ""
            for group in groups[first:]:
                digits += group
                if len(digits) > 19:
                    break
                if len(digits) >= 13 and digits[0] != "0" and luhn_ok(digits):
                    found.append(digits[-4:])
    return found


def score(rows: Iterable[dict[str, Any]], redactor: Redactor | None = None) -> dict[str, Any]:
    """Per-kind gold/recalled/predicted/correct counts, misses, and Luhn survivors."""
    redactor = redactor or Redactor()
    gold: Counter[str] = Counter()
    hit: Counter[str] = Counter()
    predicted: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    misses: list[tuple[str, str, str]] = []
    false: list[tuple[str, str, str]] = []
    survivors = 0
    for row in rows:
        text = row["text"]
        spans = redactor.find(text)
        golds = []
        for item in row["spans"]:
            start = text.find(item["value"])
            while start >= 0:
                golds.append((item["kind"], start, start + len(item["value"])))
                start = text.find(item["value"], start + 1)
        for kind, start, end in dict.fromkeys(golds):
            gold[kind] += 1
            if any(s.kind == kind and s.start <= start and s.end >= end for s in spans):
                hit[kind] += 1
            else:
                misses.append((kind, text[start:end], text))
        for span in spans:
            predicted[span.kind] += 1
            if any(k == span.kind and span.start < e and s < span.end for k, s, e in golds):
                correct[span.kind] += 1
            else:
                false.append((span.kind, span.value, text))
        redacted, _ = redactor.redact_text(text)
        survivors += len(luhn_survivors(redacted))
    kinds = sorted(set(gold) | set(predicted))
    table = {
        kind: {
            "gold": gold[kind],
            "recall": hit[kind] / gold[kind] if gold[kind] else None,
            "predicted": predicted[kind],
            "precision": correct[kind] / predicted[kind] if predicted[kind] else None,
        }
        for kind in kinds
    }
    return {"kinds": table, "misses": misses, "false_positives": false, "luhn_survivors": survivors}


ABCD = Path(__file__).resolve().parents[2] / "shared" / "data" / "abcd" / "dev.jsonl"


def held_out(path: Path, redactor: Redactor) -> dict[str, tuple[int, int]]:
    """Per kind (email, phone): (gold values typed verbatim by customers, values redacted)."""
    from handoff_ai import load as load_conversation

    counts: dict[str, list[int]] = {"email": [0, 0], "phone": [0, 0]}
    for line in path.open(encoding="utf-8"):
        row = json.loads(line)
        conversation = load_conversation(row)
        entities = row["derived"]["silver_customer_entities_regex"]
        redacted = redactor.redact(conversation).conversation
        before = "\n".join(m.text for m in conversation.messages if m.role == "customer").lower()
        after = "\n".join(m.text for m in redacted.messages if m.role == "customer").lower()
        for kind, tally in counts.items():
            for value in (v.lower() for v in entities.get(kind, [])):
                if value in before:
                    tally[0] += 1
                    tally[1] += value not in after
    return {kind: (gold, done) for kind, (gold, done) in counts.items()}


def _fmt(value: float | None) -> str:
    return "   –  " if value is None else f"{value:6.3f}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT)
    parser.add_argument("--misses", type=int, default=0, help="print up to N misses and false positives")
    args = parser.parse_args(argv)
    rows = load(args.data)
    result = score(rows)
    locales = Counter(row.get("locale", "?") for row in rows)
    negatives = sum(1 for row in rows if row.get("negative"))
    print(f"{len(rows)} messages ({negatives} hard negatives); locales: {dict(sorted(locales.items()))}")
    print(f"{'kind':<11} {'gold':>5} {'recall':>7} {'found':>6} {'precision':>9}  target")
    for kind, row in result["kinds"].items():
        target = TARGETS.get(kind)
        flag = (
            ""
            if target is None
            else (f"≥{target}  ok" if (row["recall"] or 0) >= target else f"≥{target}  FAIL")
        )
        print(
            f"{kind:<11} {row['gold']:>5} {_fmt(row['recall']):>7} {row['predicted']:>6} "
            f"{_fmt(row['precision']):>9}  {flag}"
        )
    print(f"Luhn-valid card numbers left in redacted text: {result['luhn_survivors']}")
    if ABCD.is_file():
        for kind, (gold, done) in held_out(ABCD, Redactor()).items():
            print(
                f"held out, ABCD dev customers' {kind} values redacted: "
                f"{done}/{gold} ({done / max(gold, 1):.3f})"
            )
    else:
        print(f"held out: {ABCD} not found, skipped")
    for kind, value, text in result["misses"][: args.misses]:
        print(f"MISS {kind}: {value!r} in {text!r}")
    for kind, value, text in result["false_positives"][: args.misses]:
        print(f"FALSE {kind}: {value!r} in {text!r}")
    ok = result["luhn_survivors"] == 0 and all(
        (result["kinds"].get(k, {}).get("recall") or 0) >= t for k, t in TARGETS.items()
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

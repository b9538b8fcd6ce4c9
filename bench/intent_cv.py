"""Cross-validated accuracy, calibration and speed of the rules intent classifier.

Two-fold cross-validation on the development data (``../shared/data``): rows
are split in two halves by a hash of their id (as in ``bench/quality.py``),
the taxonomy is built (see ``handoff_ai.evaluation.taxonomies``) with examples
from one half only and scored on the other, then the halves swap and results
are pooled. ABCD is scored with two taxonomies:

* **whole-transcript**: ``abcd_taxonomy`` (guideline descriptions, flow
  keywords, whole training conversations as examples);
* **sparse**: ``utterance_taxonomy`` -- one example per training conversation,
  its first three customer turns joined; description = the intent name; no
  keywords. This is how most users write a taxonomy.

The split by hash of id is one draw: the sparse figure is also given as the mean
(and range) over ``--splits`` other 2-fold splits (the id salted before hashing),
so that a change is judged on more than one lucky or unlucky halving.

Beside each: accuracy by confidence bucket (does a confidence mean
something?), and baselines given the same examples in the same run:
nearest-centroid over TF-IDF (pure Python), multinomial naive Bayes (pure
Python), and a linear SVM (one-vs-rest, squared hinge, dual coordinate
descent; needs numpy, skipped without it) -- all on the customer's text,
trained on the examples' text. Then STAR, the packaged default taxonomy on
TweetSumm (no intent labels there: only the confidence distribution), the
cost of one ``classify`` call and the time to build (and calibrate) an index.

    python bench/intent_cv.py [--data ../shared/data] [--no-baselines] [--splits N]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

from handoff_ai.evaluation import split_halves
from handoff_ai.evaluation.taxonomies import (
    abcd_taxonomy,
    row_conversation,
    star_taxonomy,
    utterance_taxonomy,
)
from handoff_ai.models import Conversation
from handoff_ai.rules._text import STOPWORDS, words
from handoff_ai.rules.intent import classify
from handoff_ai.taxonomy import Taxonomy

Row = dict[str, Any]


def read_rows(path: Path) -> list[Row]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def first_half(row: Row) -> Row:
    turns = row["turns"]
    return {**row, "turns": turns[: max(1, len(turns) // 2)]}


BUCKETS = ((0.0, 0.2), (0.2, 0.5), (0.5, 0.8), (0.8, 1.01))


def halves(rows: Sequence[Row]) -> tuple[list[Row], list[Row]]:
    return split_halves(rows)


def predictions(
    taxonomy: Taxonomy, conversations: Sequence[Conversation], gold: Sequence[str]
) -> list[tuple[bool, float]]:
    """(right?, confidence) per conversation."""
    out = []
    for conversation, label in zip(conversations, gold, strict=True):
        intent = classify(conversation, taxonomy)
        out.append((intent.label == label, intent.confidence))
    return out


def cross_validate(
    rows: Sequence[Row],
    build: Callable[[Sequence[Row]], Taxonomy],
    label: Callable[[Row], str],
    transform: Callable[[Row], Row] | None = None,
) -> tuple[float, list[float], list[tuple[bool, float]]]:
    """Pooled accuracy, per-fold accuracies and every (right?, confidence)."""
    a, b = halves(rows)
    scores = []
    pooled: list[tuple[bool, float]] = []
    for train, test in ((a, b), (b, a)):
        taxonomy = build(train)
        tests = [transform(r) if transform else r for r in test]
        found = predictions(taxonomy, [row_conversation(r) for r in tests], [label(r) for r in test])
        scores.append(sum(right for right, _ in found) / len(found))
        pooled += found
    return sum(right for right, _ in pooled) / len(pooled), scores, pooled


def salted(rows: Sequence[Row], salt: str) -> list[Row]:
    """``rows`` with ``salt`` appended to each id: the same data, halved differently."""
    return [{**row, "id": f"{row['id']}{salt}"} for row in rows]


def buckets(found: Sequence[tuple[bool, float]]) -> str:
    """Accuracy (and count) per confidence bucket."""
    parts = []
    for low, high in BUCKETS:
        inside = [right for right, confidence in found if low <= confidence < high]
        share = f"{sum(inside) / len(inside):.3f}" if inside else "  -  "
        parts.append(
            f"[{low:.1f},{min(high, 1.0):.1f}{')' if high <= 1 else ']'} n={len(inside):4d} acc={share}"
        )
    return "  ".join(parts)


def report(name: str, result: tuple[float, list[float], list[tuple[bool, float]]]) -> None:
    mean, folds, found = result
    print(f"{name}: {mean:.4f}  folds={[round(f, 4) for f in folds]}")
    print(f"    by confidence: {buckets(found)}")


def distribution(confidences: Sequence[float]) -> str:
    counts = [sum(low <= c < high for c in confidences) for low, high in BUCKETS]
    cells = [
        f"[{lo:.1f},{min(hi, 1.0):.1f}{')' if hi <= 1 else ']'} {n}"
        for (lo, hi), n in zip(BUCKETS, counts, strict=True)
    ]
    return "  ".join(cells)


def speed(rows: Sequence[Row], taxonomy: Taxonomy, repeat: int = 7) -> tuple[float, float]:
    """Microseconds per ``classify`` call: plain batch throughput (best of three
    passes) and the mean of each conversation's fastest of ``repeat`` calls
    (robust to other processes on a shared machine)."""
    conversations = [row_conversation(r) for r in rows]
    classify(conversations[0], taxonomy)
    batch = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for conversation in conversations:
            classify(conversation, taxonomy)
        batch = min(batch, time.perf_counter() - start)
    fastest = []
    for conversation in conversations:
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            classify(conversation, taxonomy)
            best = min(best, time.perf_counter() - start)
        fastest.append(best)
    return batch / len(conversations) * 1e6, statistics.mean(fastest) * 1e6


def python_speed() -> float:
    """Nanoseconds per iteration of a bare Python loop: how fast this machine is."""
    start = time.perf_counter()
    total = 0
    for i in range(1_000_000):
        total += i
    return (time.perf_counter() - start) * 1000


# -- baselines on the sparse taxonomy's examples ----------------------------------------


def customer_text(row: Row, turns: int = 3) -> str:
    said = [str(t["text"]) for t in row["turns"] if t["speaker"] == "customer"]
    return " ".join(said[:turns])


def features(text: str) -> Counter[str]:
    """Stemmed words (no stopwords) and word pairs: the same tokens the classifier sees."""
    tokens = words(text)
    return Counter([t for t in tokens if t not in STOPWORDS] + [f"{a} {b}" for a, b in pairwise(tokens)])


def tfidf(docs: Sequence[Counter[str]], idf: dict[str, float]) -> list[dict[str, float]]:
    """Sublinear tf times idf, L2-normalized; terms unseen in training dropped."""
    out = []
    for doc in docs:
        vector = {t: (1.0 + math.log(c)) * idf[t] for t, c in doc.items() if t in idf}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        out.append({t: v / norm for t, v in vector.items()})
    return out


def baselines(
    rows: Sequence[Row],
    split: Callable[[Sequence[Row]], tuple[list[Row], list[Row]]],
    label: Callable[[Row], str],
) -> dict[str, float]:
    """Accuracy of simple classifiers trained on the sparse taxonomy's examples (first
    three customer turns of each training row) and applied to the test rows' first
    three customer turns, pooled over both folds."""
    a, b = split(rows)
    hits: Counter[str] = Counter()
    for train, test in ((a, b), (b, a)):
        labels = sorted({label(r) for r in train})
        x_train = [features(customer_text(r)) for r in train]
        x_test = [features(customer_text(r)) for r in test]
        y_train = [label(r) for r in train]
        gold = [label(r) for r in test]
        df = Counter(t for doc in x_train for t in doc)
        idf = {t: math.log((1 + len(x_train)) / (1 + n)) + 1 for t, n in df.items()}
        v_train, v_test = tfidf(x_train, idf), tfidf(x_test, idf)
        # nearest centroid
        centroids: dict[str, dict[str, float]] = {}
        for vector, y in zip(v_train, y_train, strict=True):
            centroid = centroids.setdefault(y, {})
            for t, v in vector.items():
                centroid[t] = centroid.get(t, 0.0) + v
        for centroid in centroids.values():
            norm = math.sqrt(sum(v * v for v in centroid.values())) or 1.0
            for t in centroid:
                centroid[t] /= norm
        for vector, y in zip(v_test, gold, strict=True):
            best = max(labels, key=lambda c: sum(v * centroids[c].get(t, 0.0) for t, v in vector.items()))
            hits["nearest-centroid TF-IDF (pure Python)"] += best == y
        # multinomial naive Bayes, additive smoothing 0.1
        counts: dict[str, Counter[str]] = {c: Counter() for c in labels}
        for doc, y in zip(x_train, y_train, strict=True):
            counts[y].update(doc)
        priors = Counter(y_train)
        vocabulary = len(df)
        totals = {c: sum(counts[c].values()) + 0.1 * vocabulary for c in labels}
        log_prior = {c: math.log(priors[c] / len(y_train)) for c in labels}
        for doc, y in zip(x_test, gold, strict=True):
            known = [(t, n) for t, n in doc.items() if t in df]
            posterior = [
                (log_prior[c] + sum(n * math.log((counts[c][t] + 0.1) / totals[c]) for t, n in known), c)
                for c in labels
            ]
            hits["multinomial naive Bayes (pure Python)"] += max(posterior, key=lambda p: p[0])[1] == y
        svm = _svm_predictions(v_train, y_train, v_test, labels)
        if svm is not None:
            hits["TF-IDF + linear SVM (numpy, OvR squared hinge, C=1)"] += sum(
                p == y for p, y in zip(svm, gold, strict=True)
            )
    return {name: count / len(rows) for name, count in hits.items()}


def _svm_predictions(
    v_train: list[dict[str, float]], y_train: list[str], v_test: list[dict[str, float]], labels: list[str]
) -> list[str] | None:
    """One-vs-rest L2-regularized squared-hinge linear SVM (liblinear's dual
    coordinate descent, no bias), or None without numpy."""
    try:
        import numpy as np
    except ImportError:
        return None
    terms = {t: i for i, t in enumerate(sorted({t for v in v_train for t in v}))}

    def dense(vectors: list[dict[str, float]]) -> Any:
        matrix = np.zeros((len(vectors), len(terms)))
        for row, vector in enumerate(vectors):
            for t, v in vector.items():
                if t in terms:
                    matrix[row, terms[t]] = v
        return matrix

    x, x_test = dense(v_train), dense(v_test)
    index = {c: i for i, c in enumerate(labels)}
    y = -np.ones((len(v_train), len(labels)))
    y[np.arange(len(v_train)), [index[c] for c in y_train]] = 1.0
    weights = np.zeros((len(labels), len(terms)))
    alpha = np.zeros_like(y)
    diagonal = 0.5  # 1 / (2C), C = 1
    q = (x * x).sum(1) + diagonal
    order = np.random.default_rng(0)
    for _ in range(15):
        for i in order.permutation(len(v_train)):
            gradient = y[i] * (weights @ x[i]) - 1.0 + diagonal * alpha[i]
            updated = np.maximum(alpha[i] - gradient / q[i], 0.0)
            weights += np.outer((updated - alpha[i]) * y[i], x[i])
            alpha[i] = updated
    return [labels[i] for i in (x_test @ weights.T).argmax(1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument(
        "--no-baselines", action="store_true", help="skip the baselines (the SVM takes ~10 s)"
    )
    parser.add_argument(
        "--splits", type=int, default=5, help="other 2-fold splits for the sparse mean (0: none)"
    )
    args = parser.parse_args()
    abcd_dir = args.data / "abcd"
    abcd = read_rows(abcd_dir / "dev.jsonl")
    star = read_rows(args.data / "star" / "dev.jsonl")

    def abcd_label(row: Row) -> str:
        return str(row["gold"]["subflow"])

    def star_label(row: Row) -> str:
        return str(row["gold"]["tasks"][0])

    def build_abcd(train: Sequence[Row]) -> Taxonomy:
        return abcd_taxonomy(train, abcd_dir)

    def build_sparse(train: Sequence[Row]) -> Taxonomy:
        return utterance_taxonomy(train, abcd_label)

    print(f"ABCD dev, {len(abcd)} conversations, 2-fold CV (halves by hash of id)")
    report("  whole-transcript taxonomy, full conversation", cross_validate(abcd, build_abcd, abcd_label))
    report(
        "  whole-transcript taxonomy, first half of turns",
        cross_validate(abcd, build_abcd, abcd_label, first_half),
    )
    report(
        "  sparse taxonomy (3 customer turns/example), full conversation",
        cross_validate(abcd, build_sparse, abcd_label),
    )
    report(
        "  sparse taxonomy, first half of turns", cross_validate(abcd, build_sparse, abcd_label, first_half)
    )
    if args.splits > 0:
        others = [
            cross_validate(salted(abcd, f"#{k}"), build_sparse, abcd_label) for k in range(1, args.splits + 1)
        ]
        means = [result[0] for result in others]
        top = [right for result in others for right, confidence in result[2] if confidence >= 0.8]
        print(
            f"  sparse taxonomy, full conversation, {len(others)} other splits: mean "
            f"{statistics.mean(means):.4f} (min {min(means):.4f}, max {max(means):.4f}); "
            f"accuracy at confidence >= 0.8: {sum(top) / max(1, len(top)):.3f} (n={len(top)})"
        )
    if not args.no_baselines:
        for name, value in baselines(abcd, halves, abcd_label).items():
            print(f"  baseline {name}: {value:.4f}")
    print(f"STAR dev, {len(star)} conversations")
    report("  whole-transcript taxonomy, full conversation", cross_validate(star, star_taxonomy, star_label))
    report(
        "  whole-transcript taxonomy, first half of turns",
        cross_validate(star, star_taxonomy, star_label, first_half),
    )
    tweets_path = args.data / "tweetsumm" / "dev.jsonl"
    if tweets_path.exists():
        tweets = read_rows(tweets_path)
        default = Taxonomy.default()
        found = [classify(row_conversation(r), default) for r in tweets]
        confidences = [i.confidence for i in found]
        print(
            f"TweetSumm dev, default taxonomy ({len(tweets)} dialogs, no gold intent): "
            f"median confidence {statistics.median(confidences):.2f}; "
            f"unknown {sum(i.label == 'unknown' for i in found)}"
        )
        print(f"    confidence distribution: {distribution(confidences)}")

    train, test = halves(abcd)
    builds = []
    for _ in range(3):
        taxonomy = build_abcd(train)
        start = time.perf_counter()
        classify(row_conversation(test[0]), taxonomy)  # the first call builds the index
        builds.append(time.perf_counter() - start)
    turns = statistics.mean(len(r["turns"]) for r in test)
    batch, fastest = speed(test, taxonomy)
    print(
        f"ABCD index build (with calibration): {min(builds) * 1000:.1f} ms ({len(taxonomy.intents)} intents, "
        f"{sum(len(i.examples) for i in taxonomy.intents)} example conversations)"
    )
    print(
        f"classify on ABCD ({turns:.1f} turns avg): {batch:.1f} us/conversation in a batch "
        f"({1e6 / batch:,.0f}/s); {fastest:.1f} us fastest-of-7 mean"
    )
    star_train, star_test = halves(star)
    batch, fastest = speed(star_test, star_taxonomy(star_train))
    print(f"classify on STAR: {batch:.1f} us/conversation in a batch; {fastest:.1f} us fastest-of-7 mean")
    print(f"machine: {python_speed():.0f} ns per bare Python loop iteration (1M-iteration loop)")


if __name__ == "__main__":
    main()

"""What an intent confidence means: a map from scores to the chance of being right.

A softmax over cosine scores says how far ahead the winner is, not whether it
is right: a conversation about something no intent covers still has a winner,
and a sparse taxonomy makes near-ties common. So each taxonomy calibrates its
own confidence when it is compiled, from nothing but itself: its examples are
split in two by position, an index built from one half scores the other half
(at most a few hundred of them), and a logistic regression learns the chance that
the winner is right from three features of the scores -- the softmax margin
(log-odds of the winner's softmax share), the winner's cosine, and the
coverage (share of the customer's first words the taxonomy knows at all: a
request about something no intent covers shares a word or two by chance). Few examples pull the fit
towards a prior that discounts weak matches; no labels other than the
taxonomy's own are ever used.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from ..taxonomy import IntentSpec, Taxonomy
from ._intent_index import Index, build_index, example_groups, score

__all__ = ["calibrated_index", "confidences", "held_out"]

# Softmax temperature over cosines (the raw margin feature).
_TEMPERATURE = 42.0
_CLIP = 8.0
# Prior coefficients (intercept, softmax log-odds, top cosine, coverage) and how many
# examples' worth of weight it has; the fit is over held-out examples.
_PRIOR = (-3.0, 0.6, 3.0, 2.0)
_PRIOR_WEIGHT = 40.0
_MAX_HELD_OUT = 300
_NEWTON_STEPS = 25


def calibrated_index(taxonomy: Taxonomy) -> Index:
    """``taxonomy`` compiled for scoring, with its confidence map fitted."""
    index = build_index(taxonomy)
    return replace(index, calibration=_fit(held_out(taxonomy)))


def features(scores: Sequence[int], unit: float, ranked: Sequence[int]) -> tuple[float, float, list[float]]:
    """(softmax log-odds of ``ranked[0]``, its cosine, softmax shares of ``ranked``)."""
    top = scores[ranked[0]]
    factor = _TEMPERATURE * unit
    cutoff = top - 30.0 / factor  # intents this far behind add nothing to the softmax
    total = sum([math.exp((s - top) * factor) for s in scores if s > cutoff])
    shares = [math.exp((scores[i] - top) * factor) / total if scores[i] > cutoff else 0.0 for i in ranked]
    p = shares[0]
    odds = math.log(p / (1.0 - p)) if p < 1.0 else _CLIP
    return max(-_CLIP, min(_CLIP, odds)), top * unit, shares


def confidences(
    scores: Sequence[int], unit: float, coverage: float, ranked: Sequence[int], calibration: Sequence[float]
) -> list[tuple[int, float]]:
    """Calibrated confidence of ``ranked[0]`` and the runners-up's share of the rest."""
    odds, cosine, shares = features(scores, unit, ranked)
    b0, b1, b2, b3 = calibration or _PRIOR
    confidence = 1.0 / (1.0 + math.exp(-(b0 + b1 * odds + b2 * cosine + b3 * coverage)))
    top = shares[0]
    if len(shares) > 1:  # never surer than the winner's lead over the runner-up allows
        confidence = min(confidence, top / (top + shares[1]))
    rest = 1.0 - top
    out = [(ranked[0], confidence)]
    for i, share in zip(ranked[1:], shares[1:], strict=True):
        if share > 0.0:
            out.append((i, min(confidence, (1.0 - confidence) * share / rest) if rest > 0 else 0.0))
    return out


def held_out(taxonomy: Taxonomy) -> list[tuple[float, float, float, bool]]:
    """(softmax log-odds, top cosine, right?) of every other example of the
    taxonomy, each scored by an index built from the rest (one fold, to keep
    compiling cheap)."""
    total = sum(len(spec.examples) for spec in taxonomy.intents)
    stride = max(1, math.ceil(total / _MAX_HELD_OUT))
    rows: list[tuple[float, float, float, bool]] = []
    for fold in (1,):
        train = Taxonomy(
            intents=[
                IntentSpec(
                    name=spec.name,
                    description=spec.description,
                    keywords=spec.keywords,
                    examples=[e for i, e in enumerate(spec.examples) if i % 2 != fold],
                )
                for spec in taxonomy.intents
            ]
        )
        index = build_index(train)
        if not index.labels:
            continue
        for label, spec in enumerate(taxonomy.intents):
            for i, example in enumerate(spec.examples):
                if i % 2 != fold or (i // 2) % stride:
                    continue
                scored = score(index, *example_groups(example))
                if scored is None:
                    continue
                scores, unit, coverage = scored
                best = max(range(len(scores)), key=scores.__getitem__)
                if scores[best] <= 0:
                    continue
                odds, cosine, _ = features(scores, unit, [best])
                rows.append((odds, cosine, coverage, best == label))
    return rows


def _fit(rows: Sequence[tuple[float, float, float, bool]]) -> tuple[float, ...]:
    """Logistic regression of right? on (1, odds, cosine, coverage), L2-pulled towards _PRIOR."""
    beta = list(_PRIOR)
    if not rows:
        return _PRIOR
    for _ in range(_NEWTON_STEPS):
        grad = [_PRIOR_WEIGHT * (b - p) for b, p in zip(beta, _PRIOR, strict=True)]
        hess = [[_PRIOR_WEIGHT if r == c else 0.0 for c in range(4)] for r in range(4)]
        for odds, cosine, coverage, right in rows:
            x = (1.0, odds, cosine, coverage)
            z = sum(b * v for b, v in zip(beta, x, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            g = p - (1.0 if right else 0.0)
            w = p * (1.0 - p)
            for r in range(4):
                grad[r] += g * x[r]
                for c in range(4):
                    hess[r][c] += w * x[r] * x[c]
        step = _solve(hess, grad)
        beta = [b - s for b, s in zip(beta, step, strict=True)]
        if max(abs(s) for s in step) < 1e-6:
            break
    return tuple(beta)


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """``matrix @ x = vector`` for a small positive-definite matrix (Gaussian elimination)."""
    n = len(vector)
    a = [[*row, vector[r]] for r, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(col + 1, n):
            factor = a[r][col] / a[col][col]
            for c in range(col, n + 1):
                a[r][c] -= factor * a[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (a[r][n] - sum(a[r][c] * x[c] for c in range(r + 1, n))) / a[r][r]
    return x

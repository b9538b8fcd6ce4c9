"""What an intent confidence means: a map from scores to the chance of being right.

A softmax over cosine scores says how far ahead the winner is, not whether it
is right. Two things make it honest here:

* the cosines count *every* word of the customer's first messages (``score``
  counts the words no intent knows as the rarest terms), so a request about something
  no intent covers -- which shares a word or two with some intent by chance --
  gets small cosines, a soft softmax and a small lead;
* each taxonomy calibrates the lead itself when it is compiled, from nothing
  but its own examples: every other example is scored by an index built from
  the rest, and a logistic regression learns the chance that the winner is
  right from the winner's softmax log-odds. Few examples leave the fit near a
  modest prior; no labels other than the taxonomy's own are used.

A winner is never surer than its lead over the runner-up allows (a tie is 0.5).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from ..taxonomy import IntentSpec, Taxonomy
from ._intent_build import build_index
from ._intent_index import Index, score
from ._intent_words import example_groups

__all__ = ["calibrated_index", "confidences", "held_out"]

# Softmax temperature over cosines, and the clip of the log-odds feature.
_TEMPERATURE = 42.0
_CLIP = 8.0
# Prior coefficients (intercept, softmax log-odds) and how many examples' worth of
# weight the prior has in the fit.
_PRIOR = (-1.0, 0.8)
_PRIOR_WEIGHT = 10.0
_MAX_HELD_OUT = 300
_NEWTON_STEPS = 25


def calibrated_index(taxonomy: Taxonomy) -> Index:
    """``taxonomy`` compiled for scoring, with its confidence map fitted."""
    index = build_index(taxonomy)
    return replace(index, calibration=_fit(held_out(taxonomy)))


def features(scores: Sequence[int], unit: float, ranked: Sequence[int]) -> tuple[float, list[float]]:
    """(softmax log-odds of ``ranked[0]``, softmax shares of ``ranked``)."""
    top = scores[ranked[0]]
    factor = _TEMPERATURE * unit
    cutoff = top - 30.0 / factor  # intents this far behind add nothing to the softmax
    total = sum([math.exp((s - top) * factor) for s in scores if s > cutoff])
    if top * factor < 30.0:  # "none of these": a virtual intent with cosine 0
        total += math.exp(-top * factor)
    shares = [math.exp((scores[i] - top) * factor) / total if scores[i] > cutoff else 0.0 for i in ranked]
    p = shares[0]
    odds = math.log(p / (1.0 - p)) if p < 1.0 else _CLIP
    return max(-_CLIP, min(_CLIP, odds)), shares


def confidences(
    scores: Sequence[int], unit: float, ranked: Sequence[int], calibration: Sequence[float]
) -> list[tuple[int, float]]:
    """Calibrated confidence of ``ranked[0]`` and the runners-up's share of the rest."""
    odds, shares = features(scores, unit, ranked)
    b0, b1 = calibration or _PRIOR
    confidence = 1.0 / (1.0 + math.exp(-(b0 + b1 * odds)))
    top = shares[0]
    if len(shares) > 1:  # never surer than the winner's lead over the runner-up allows
        confidence = min(confidence, top / (top + shares[1]))
    rest = 1.0 - top
    out = [(ranked[0], confidence)]
    for i, share in zip(ranked[1:], shares[1:], strict=True):
        if share > 0.0:
            out.append((i, min(confidence, (1.0 - confidence) * share / rest) if rest > 0 else 0.0))
    return out


def held_out(taxonomy: Taxonomy) -> list[tuple[float, bool]]:
    """(softmax log-odds, right?) of every other example of the taxonomy, each
    scored by an index built from the rest (one fold, to keep compiling cheap)."""
    train = Taxonomy(
        intents=[
            IntentSpec(
                name=spec.name,
                description=spec.description,
                keywords=spec.keywords,
                examples=spec.examples[::2],
            )
            for spec in taxonomy.intents
        ]
    )
    index = build_index(train)
    if not index.labels:
        return []
    total = sum(len(spec.examples) // 2 for spec in taxonomy.intents)
    stride = max(1, math.ceil(total / _MAX_HELD_OUT))
    rows: list[tuple[float, bool]] = []
    for label, spec in enumerate(taxonomy.intents):
        for example in spec.examples[1::2][::stride]:
            scored = score(index, *example_groups(example))
            if scored is None:
                continue
            scores, unit = scored
            best = max(range(len(scores)), key=scores.__getitem__)
            if scores[best] > 0:
                rows.append((features(scores, unit, [best])[0], best == label))
    return rows


def _fit(rows: Sequence[tuple[float, bool]]) -> tuple[float, float]:
    """Logistic regression of right? on (1, log-odds), L2-pulled towards _PRIOR
    (Newton's method on two coefficients)."""
    b0, b1 = _PRIOR
    for _ in range(_NEWTON_STEPS):
        g0, g1 = _PRIOR_WEIGHT * (b0 - _PRIOR[0]), _PRIOR_WEIGHT * (b1 - _PRIOR[1])
        h00 = h11 = _PRIOR_WEIGHT
        h01 = 0.0
        for odds, right in rows:
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, b0 + b1 * odds))))
            g, w = p - (1.0 if right else 0.0), p * (1.0 - p)
            g0 += g
            g1 += g * odds
            h00 += w
            h01 += w * odds
            h11 += w * odds * odds
        det = h00 * h11 - h01 * h01
        s0, s1 = (h11 * g0 - h01 * g1) / det, (h00 * g1 - h01 * g0) / det
        b0, b1 = b0 - s0, b1 - s1
        if max(abs(s0), abs(s1)) < 1e-7:
            break
    return b0, b1

"""Compiling a taxonomy into the intent index: centroids, idf, packing.

Split from :mod:`handoff_ai.rules._intent_index` because compiling runs once per taxonomy
and scoring once per conversation: this module weighs each intent's examples, keywords
and description into a TF-IDF centroid per feature space, pulls confusable centroids
apart (``_push_apart``), and packs every term's weights into one integer per term
(``_pack``) so that ``_intent_index.score`` sums a conversation's scores in C.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from itertools import pairwise

from ..taxonomy import IntentSpec, Taxonomy
from ._intent_index import _W_AGENT, _W_CROSS, _W_EARLY, _W_EVENT, _W_LATE, Index, _groups
from ._intent_words import AGENT, CUSTOMER, EVENT, Term, example_groups, intent_words, split_example
from ._text import STOPWORDS

__all__ = ["build_index"]

# How much the keyword, name and description pseudo-documents weigh in a centroid
# next to the examples, and how strongly keywords also match agent text.
_W_KEYWORDS = 0.5
_W_KEYWORDS_UTTERANCES = 1.0
_W_DESCRIPTION = 0.15
_W_DESCRIPTION_UTTERANCES = 0.35
_W_KEYWORDS_AGENT = 0.5
# How far one example drags its own centroid and pushes a rival's (see _push_apart).
_PUSH = 0.05
# From this many terms in the customer table on, ``score`` probes each distinct term
# once (a large taxonomy of transcripts); below it, a set intersection with the
# table's terms is cheaper (measured: 17,872 terms 30 % faster, 706 terms 2x slower).
_PROBE_ONCE = 4096
# Centroid weights are quantized to this many bits (relative to the largest one).
_BITS = 20


Vector = dict[tuple[int, Term], float]


def _raw_vector(groups: Iterable[tuple[int, float, list[str]]]) -> Vector:
    """Binary term weights per (space, term), times the group weight; no stopword unigrams."""
    vector: Vector = {}
    for space, weight, tokens in groups:
        present: set[Term] = {t for t in tokens if t not in STOPWORDS}
        present.update(pairwise(tokens))
        for term in present:
            key = (space, term)
            vector[key] = vector.get(key, 0.0) + weight
    return vector


def _example_vector(example: str) -> Vector:
    customer, agent, event = example_groups(example)
    return _raw_vector(_groups(customer, agent, event)) if customer or agent or event else {}


def _intent_documents(spec: IntentSpec) -> tuple[list[Vector], Vector, Vector]:
    """Raw term vectors of an intent's examples, keywords (with its name) and description."""
    examples = [v for v in map(_example_vector, spec.examples) if v]
    keywords: Vector = {}
    for phrase in [*spec.keywords, spec.name.replace("_", " ").replace("-", " ")]:
        tokens = intent_words(phrase)
        for key, value in _raw_vector([(CUSTOMER, 1.0, tokens), (AGENT, _W_KEYWORDS_AGENT, tokens)]).items():
            keywords[key] = max(keywords.get(key, 0.0), value)
    description = _raw_vector([(CUSTOMER, 1.0, intent_words(spec.description))])
    return examples, keywords, description


def build_index(taxonomy: Taxonomy) -> Index:
    """Compile ``taxonomy`` into the sparse centroid index ``classify`` scores with."""
    labels = tuple(spec.name for spec in taxonomy.intents)
    documents = [_intent_documents(spec) for spec in taxonomy.intents]
    n = len(labels)

    # Document frequency counted over intents: a term many intents share says little.
    df: Counter[tuple[int, Term]] = Counter()
    for examples, keywords, description in documents:
        present: set[tuple[int, Term]] = set(keywords) | set(description)
        for vector in examples:
            present.update(vector)
        df.update(present)
    idf = {key: math.log((1.0 + n) / (1.0 + count)) + 1.0 for key, count in df.items()}

    sums: list[Vector] = []
    for label, (examples, keywords, description) in enumerate(documents):
        centroid: Vector = {}
        parts = [(vector, 1.0 / len(examples)) for vector in examples]
        weights = _pseudo_weights(taxonomy.intents[label], len(examples))
        parts.append((keywords, weights[0]))
        parts.append((description, weights[1]))
        for vector, weight in parts:
            weighted = {key: value * idf[key] for key, value in vector.items()}
            length = math.sqrt(sum(v * v for v in weighted.values()))
            for key, value in weighted.items():
                centroid[key] = centroid.get(key, 0.0) + weight * value / length
        sums.append(centroid)

    cross = not any(len(split_example(e)) > 1 for spec in taxonomy.intents for e in spec.examples)
    if cross:
        _push_apart(sums, documents, idf)
    columns: dict[tuple[int, Term], list[tuple[int, float]]] = {}
    for label, centroid in enumerate(sums):
        length = math.sqrt(sum(v * v for v in centroid.values())) or 1.0
        for key, value in centroid.items():
            if value > 0.0:
                columns.setdefault(key, []).append((label, value / length))
    return _pack(labels, columns, idf, cross)


def _push_apart(
    sums: list[Vector], documents: list[tuple[list[Vector], Vector, Vector]], idf: Vector
) -> None:
    """One pass of "drag and push" over utterance examples, in place on the centroid sums.

    Each example is scored against every centroid -- its own without itself (leave one
    out) -- and when another intent scores as high, the example is added to its own
    centroid and taken from the other one (weights floored at 0), by _PUSH of the
    centroid's length. Short utterances are where two intents' centroids overlap most
    (the same words, a different case); on ABCD's sparse taxonomy this is worth +0.6
    points on every halving tried. Only for utterance examples: a pass over hundreds of
    transcripts would cost seconds of compiling.
    """
    n = len(sums)
    norms = [math.sqrt(sum(v * v for v in c.values())) or 1.0 for c in sums]
    for label, (examples, _, _) in enumerate(documents):
        share = 1.0 / len(examples) if examples else 0.0
        for vector in examples:
            weighted = {key: value * idf[key] for key, value in vector.items()}
            length = math.sqrt(sum(v * v for v in weighted.values())) or 1.0
            example = {key: value / length for key, value in weighted.items()}
            scores = [
                sum(v * c.get(k, 0.0) for k, v in example.items()) / norms[i] for i, c in enumerate(sums)
            ]
            # Its own centroid without this example (which is in it with weight `share`).
            own = sums[label]
            dot = sum(v * (own.get(k, 0.0) - share * v) for k, v in example.items())
            squares = norms[label] ** 2 - sum(
                own.get(k, 0.0) ** 2 - (own.get(k, 0.0) - share * v) ** 2 for k, v in example.items()
            )
            mine = dot / math.sqrt(max(squares, 1e-12))
            scores[label] = -1.0
            rival = max(range(n), key=scores.__getitem__)
            if scores[rival] < mine:
                continue
            for target, sign in ((label, 1.0), (rival, -1.0)):
                centroid = sums[target]
                step = sign * _PUSH * norms[target]
                for key, value in example.items():
                    centroid[key] = max(0.0, centroid.get(key, 0.0) + step * value)
                norms[target] = math.sqrt(sum(v * v for v in centroid.values())) or 1.0


def _pseudo_weights(spec: IntentSpec, examples: int) -> tuple[float, float]:
    """How much an intent's keywords (with its name) and its description weigh
    next to its examples (1 in all).

    Next to utterances, keywords count as one more utterance and the description
    as a third of one; a transcript example spreads its weight over hundreds of
    terms, so next to transcripts they weigh a fixed share instead.
    """
    if not examples:
        return 1.0, _W_DESCRIPTION
    if any(len(split_example(e)) > 1 for e in spec.examples):
        return _W_KEYWORDS, _W_DESCRIPTION
    return _W_KEYWORDS_UTTERANCES / examples, _W_DESCRIPTION_UTTERANCES / examples


def _pack(
    labels: tuple[str, ...],
    columns: dict[tuple[int, Term], list[tuple[int, float]]],
    idf: dict[tuple[int, Term], float],
    cross: bool,
) -> Index:
    n = len(labels)
    top = max((weight * idf[key] for key, column in columns.items() for _, weight in column), default=1.0)
    top_idf = max((value * value for value in idf.values()), default=1.0)
    sizes = [0, 0, 0]
    for space, _ in columns:
        sizes[space] += 1
    # A term's largest weight in a conversation's sum: every group it can be in at once.
    most_times = (_W_EARLY + _W_LATE + 2 * _W_CROSS, _W_AGENT, _W_EVENT)
    # The idf field's largest possible sum: every term of every group present at once.
    most = sum(times * size for times, size in zip(most_times, sizes, strict=True))
    limit = (1 << min(_BITS, 64 - most.bit_length())) - 1
    quantized = {
        key: [(label, round(weight * idf[key] / top * limit)) for label, weight in column]
        for key, column in columns.items()
    }
    # An intent field's largest possible sum, by the same count with its own weights:
    # fields are sized so that it cannot carry into the next one. Narrow fields make
    # the integers summed per conversation half as long.
    bounds = [0] * n
    for (space, _), column in quantized.items():
        for label, value in column:
            bounds[label] += most_times[space] * value
    width = 32 if max(bounds, default=0).bit_length() <= 32 else 64
    packed: tuple[dict[Term, int], ...] = ({}, {}, {})
    customer_weights: list[dict[Term, float]] = [{} for _ in labels]
    for key in sorted(columns, key=_sort_key):
        space, term = key
        value = 0
        for (label, weight), (_, q) in zip(columns[key], quantized[key], strict=True):
            value |= q << (label * width)
            if space == CUSTOMER and q:
                customer_weights[label][term] = weight * idf[key]
        if not value:
            continue
        value |= round(idf[key] ** 2 / top_idf * limit) << (n * width)
        packed[space][term] = value
    if cross:
        packed = (packed[CUSTOMER], *_cross_tables(packed, n * width))
    return Index(
        labels=labels,
        terms=tuple(set(p) for p in packed),
        packed=packed,
        width=width,
        layout=f"<{n}{'I' if width == 32 else 'Q'}Q",
        scale=top / limit,
        idf_scale=top_idf / limit,
        customer_weights=tuple(customer_weights),
        customer_heads=tuple(frozenset(_head(term) for term in weights) for weights in customer_weights),
        customer_terms=tuple(_terms(weights) for weights in customer_weights),
        cross=cross,
        unknown_idf=limit,
        probe_once=len(packed[CUSTOMER]) >= _PROBE_ONCE,
    )


def _cross_tables(packed: tuple[dict[Term, int], ...], shift: int) -> tuple[dict[Term, int], ...]:
    """Agent and event tables that also hold the customer space, each weighted, so
    scoring agent text against both spaces costs one intersection and one sum.

    Intent fields are ``group weight * own + _W_CROSS * customer``; the idf
    field holds the squared weights, as ``score`` adds it unweighted.
    """
    mask = (1 << shift) - 1
    customer = packed[CUSTOMER]
    tables = []
    for space, weight in ((AGENT, _W_AGENT), (EVENT, _W_EVENT)):
        own = packed[space]
        table = {}
        for term in sorted(own.keys() | customer.keys(), key=_term_key):
            a, c = own.get(term, 0), customer.get(term, 0)
            low = weight * (a & mask) + _W_CROSS * (c & mask)
            high = weight * weight * (a >> shift) + _W_CROSS * _W_CROSS * (c >> shift)
            table[term] = low | (high << shift)
        tables.append(table)
    return tuple(tables)


def _terms(weights: dict[Term, float]) -> tuple[frozenset[str], frozenset[tuple[str, str]]] | None:
    """An intent's customer words and bigrams (``Index.customer_terms``); ``None`` if a weight
    were not positive (it cannot be: weights and idf are positive wherever a term is kept)."""
    if min(weights.values(), default=1.0) <= 0.0:
        return None
    words = frozenset(term for term in weights if isinstance(term, str))
    return words, frozenset(term for term in weights if not isinstance(term, str))


def _head(term: Term) -> str:
    return term if isinstance(term, str) else term[0]


def _term_key(term: Term) -> tuple[int, Term]:
    return (0, term) if isinstance(term, str) else (1, term)


def _sort_key(key: tuple[int, Term]) -> tuple[int, int, Term]:
    space, term = key
    return (space, 0, term) if isinstance(term, str) else (space, 1, term)

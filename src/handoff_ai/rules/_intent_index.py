"""The intent index: a taxonomy compiled into packed TF-IDF centroids, and scoring.

See :mod:`handoff_ai.rules.intent` for the model. This module holds what is
compiled once per taxonomy (``build_index``) and the hot path that scores one
conversation against it (``score``); ``intent`` turns the scores into a label
and a calibrated confidence.
"""

from __future__ import annotations

import math
import struct
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from ..taxonomy import IntentSpec, Taxonomy
from ._text import _STEMS, _TABLE, STOPWORDS, words

__all__ = [
    "CUSTOMER",
    "Index",
    "build_index",
    "example_groups",
    "intent_words",
    "score",
    "split_example",
    "tokens_of",
    "with_durations",
]

Term = str | tuple[str, str]

CUSTOMER, AGENT, EVENT = 0, 1, 2
_SPACE_OF_ROLE = {"customer": CUSTOMER, "agent": AGENT, "bot": AGENT, "system": EVENT}
_EXAMPLE_ROLES = {
    "customer": CUSTOMER,
    "user": CUSTOMER,
    "agent": AGENT,
    "bot": AGENT,
    "assistant": AGENT,
    "system": EVENT,
    "action": EVENT,
    "event": EVENT,
}

# Integer weights of the message groups: the customer's first _EARLY messages, the
# customer's later messages, agent (and bot) messages, system events. Integers
# because scores are summed as packed integers (see Index).
_EARLY = 3
_W_EARLY = 10
_W_LATE = 5
_W_AGENT = 6
_W_EVENT = 6
# Agent and event text scored against the customer space (see Index.cross).
_W_CROSS = 2
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


def _ascii_tables() -> tuple[bytes, bytes]:
    """``str.lower`` then ``_TABLE`` on ASCII, as one ``bytes.translate`` table and its deletions."""
    table = bytearray(range(256))
    delete = bytearray()
    for code in range(128):
        lowered = chr(code).lower()
        mapped = _TABLE.get(ord(lowered), lowered)
        if mapped is None:
            delete.append(code)
        else:
            table[code] = mapped if isinstance(mapped, int) else ord(mapped)
    return bytes(table), bytes(delete)


_ASCII_TABLE, _ASCII_DELETE = _ascii_tables()


def tokens_of(text: str) -> list[str]:
    """``words(text)``: ASCII text (nearly all of it) is lower-cased and split on bytes, one
    C pass instead of ``str.lower`` and a ``str.translate`` by dictionary (half the time)."""
    if not text.isascii():
        return words(text)
    blanked = text.encode().translate(_ASCII_TABLE, _ASCII_DELETE).decode()
    tokens = list(map(_STEMS.__getitem__, blanked.split()))
    if "" in tokens:
        tokens = [t for t in tokens if t]
    return tokens


# Durations keep their number: "2 days ago" and "8 days ago" are different cases
# (a promo code still valid or expired, a parcel late or lost), while other
# numbers -- ids, amounts, phone numbers -- stay the single token "0".
_UNITS = frozenset(words("minute minutes hour hours day days week weeks month months year years"))
_LONGEST_KEPT = 2  # digits


def intent_words(text: str) -> list[str]:
    """``words(text)``, except that a number of at most two digits followed by a unit
    of time stays itself (``"n8"``, then ``"day"``) instead of becoming ``"0"``."""
    tokens = tokens_of(text)
    return with_durations(text, tokens) if "0" in tokens else tokens


def with_durations(text: str, tokens: list[str]) -> list[str]:
    """``tokens`` (``words(text)``) with the numbers of durations restored (see ``intent_words``)."""
    if _UNITS.isdisjoint(tokens):
        return tokens
    raw = text.lower().translate(_TABLE).split()
    if len(raw) != len(tokens):  # a token vanished in stemming: positions do not align
        return tokens
    for i, (token, following) in enumerate(pairwise(tokens)):
        if token == "0" and following in _UNITS:
            number = raw[i]
            if number.isdigit() and len(number) <= _LONGEST_KEPT:
                tokens[i] = f"n{int(number)}"
    return tokens


@dataclass(frozen=True)
class Index:
    """A taxonomy compiled for scoring.

    Every term maps to one Python integer packing the term's quantized weight
    for every intent into fixed-width fields (intent ``i`` at bits
    ``i * width``), with the term's quantized squared idf in the last field.
    Adding the integers of all terms a conversation contains sums every
    intent's score at once, in C: this is what makes the rules backend fast in
    pure Python. Field width is chosen at build time so that no sum can carry
    into the next field.
    """

    labels: tuple[str, ...]
    terms: tuple[set[Term], ...]
    """Per feature space, the terms that carry weight."""
    packed: tuple[dict[Term, int], ...]
    """Per feature space, term -> packed weights."""
    width: int
    """Bits per field (32 or 64)."""
    layout: str
    """``struct`` format of the packed fields (the idf field always 64 bits)."""
    scale: float
    """Quantized weight -> float weight."""
    idf_scale: float
    """Quantized squared idf -> float."""
    customer_weights: tuple[dict[Term, float], ...]
    """Per intent, its customer-space term weights (to pick evidence)."""
    customer_heads: tuple[frozenset[str], ...]
    """Per intent, the words that start one of its weighted customer terms: a message
    without any of them adds nothing to its evidence."""
    cross: bool
    """Agent and event text also match the customer space: set when no example is
    a transcript, so agent and event spaces know nothing but keywords. The agent
    and event tables then hold both spaces, weights already applied."""
    unknown_idf: int = 0
    """Quantized squared idf of a word no intent knows (the largest idf)."""
    probe_once: bool = False
    """Score by one ``dict.get`` per distinct term rather than a set intersection and
    a lookup per hit: cheaper once the tables outgrow the CPU caches (see _PROBE_ONCE)."""
    calibration: tuple[float, ...] = ()
    """Coefficients of the confidence map (see ``_intent_calibration``); empty
    until calibrated."""


def score(
    index: Index, customer: list[list[str]], agent: list[str], event: list[str]
) -> tuple[tuple[int, ...], float] | None:
    """Every intent's packed score for a conversation's token groups and the
    factor that turns a packed score into a cosine; ``None`` when no customer
    term hits.

    ``customer`` holds one token list per customer message; ``agent`` and
    ``event`` the raw texts.
    """
    n = len(index.labels)
    idf_shift = n * index.width
    total = squares = 0
    customer_hit = False
    cross = index.cross
    unknown = 0
    for space, weight, tokens in _groups(customer, agent, event):
        table = index.packed[space]
        if index.probe_once:
            # A large table: one dictionary probe per distinct term (a set of the terms,
            # then ``get``) costs less than testing membership and then looking hits up.
            present = set(tokens)
            found = list(filter(None, map(table.get, present)))
            if weight == _W_EARLY and space == CUSTOMER:
                unknown = _W_EARLY * _W_EARLY * (len(present.difference(STOPWORDS)) - len(found))
            found.extend(filter(None, map(table.get, set(pairwise(tokens)))))
            if not found:
                continue
            packed = sum(found)
        else:
            known = index.terms[space]
            hits = known.intersection(tokens)
            if weight == _W_EARLY and space == CUSTOMER:
                # Words of the customer's first messages that no intent knows still
                # belong to the conversation's vector (as the rarest terms): the
                # confidence is a cosine over what the customer said, not only over
                # what matched.
                unknown = _W_EARLY * _W_EARLY * (len(set(tokens).difference(STOPWORDS)) - len(hits))
            hits.update(known.intersection(pairwise(tokens)))
            if not hits:
                continue
            packed = sum(map(table.__getitem__, hits))
        if space == CUSTOMER:
            customer_hit = True
        elif cross:  # tables already weighted (see _cross_tables)
            weight = 1
        total += weight * packed
        squares += weight * weight * (packed >> idf_shift)
    if not customer_hit:
        return None
    fields = struct.unpack(index.layout, total.to_bytes(n * index.width // 8 + 8, "little"))
    # Scores are dot products with the centroids; dividing by the length of the
    # conversation's own vector makes them cosines, comparable across inputs.
    norm = math.sqrt((squares + unknown * index.unknown_idf) * index.idf_scale) or 1.0
    return fields[:n], index.scale / norm


def _groups(
    customer: list[list[str]], agent: list[str], event: list[str]
) -> list[tuple[int, int, list[str]]]:
    """The weighted token groups a conversation is scored on (also used for examples)."""
    early = [t for tokens in customer[:_EARLY] for t in tokens]
    groups = [(CUSTOMER, _W_EARLY, early)]
    if len(customer) > _EARLY:
        groups.append((CUSTOMER, _W_LATE, [t for tokens in customer[_EARLY:] for t in tokens]))
    if agent:
        groups.append((AGENT, _W_AGENT, tokens_of("\n".join(agent))))
    if event:
        groups.append((EVENT, _W_EVENT, tokens_of("\n".join(event))))
    return groups


def example_groups(example: str) -> tuple[list[list[str]], list[str], list[str]]:
    """An example as the (customer token lists, agent texts, event texts) ``score`` takes."""
    customer: list[list[str]] = []
    agent: list[str] = []
    event: list[str] = []
    for space, text in split_example(example):
        if space == CUSTOMER:
            tokens = intent_words(text)
            if tokens:
                customer.append(tokens)
        elif text:
            (agent if space == AGENT else event).append(text)
    return customer, agent, event


def split_example(example: str) -> list[tuple[int, str]]:
    """An example as ``(space, text)`` parts.

    A plain utterance is one customer part. A transcript -- lines starting with
    ``customer:``, ``agent:``, ``bot:``, ``system:`` (or ``user:``,
    ``assistant:``, ``action:``) -- gives one part per line; lines without a
    role continue the previous one.
    """
    parts: list[tuple[int, str]] = []
    transcript = False
    for line in example.splitlines():
        head, sep, rest = line.partition(":")
        space = _EXAMPLE_ROLES.get(head.strip().lower()) if sep else None
        if space is not None:
            transcript = True
            parts.append((space, rest.strip()))
        elif parts:
            parts[-1] = (parts[-1][0], f"{parts[-1][1]}\n{line}")
        else:
            parts.append((CUSTOMER, line))
    if not transcript:
        return [(CUSTOMER, example)]
    return parts


# -- index ----------------------------------------------------------------------------

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


def _head(term: Term) -> str:
    return term if isinstance(term, str) else term[0]


def _term_key(term: Term) -> tuple[int, Term]:
    return (0, term) if isinstance(term, str) else (1, term)


def _sort_key(key: tuple[int, Term]) -> tuple[int, int, Term]:
    space, term = key
    return (space, 0, term) if isinstance(term, str) else (space, 1, term)

"""The intent index: a taxonomy compiled into packed TF-IDF centroids, and scoring.

See :mod:`handoff_ai.rules.intent` for the model. This module holds the compiled form
(``Index``) and the hot path that scores one conversation against it (``score``);
``_intent_build`` compiles a taxonomy into an ``Index``, ``_intent_words`` turns text
into terms, and ``intent`` turns the scores into a label and a calibrated confidence.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from itertools import chain, pairwise

from ._intent_words import AGENT, CUSTOMER, EVENT, Term, tokens_of
from ._text import STOPWORDS

__all__ = ["Index", "score"]

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
    a lookup per hit: cheaper once the tables outgrow the CPU caches (see ``_intent_build._PROBE_ONCE``)."""
    customer_terms: tuple[tuple[frozenset[str], frozenset[tuple[str, str]]] | None, ...] = ()
    """Per intent, its weighted customer words and bigrams: weights are positive, so a message
    weighs something for the intent exactly when it holds one of them."""
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
            # zip, not pairwise: zip reuses its pair when the consumer drops it, pairwise
            # (3.11) makes a new tuple for every pair
            hits.update(known.intersection(zip(tokens, tokens[1:])))  # noqa: B905, RUF007
            if not hits:
                continue
            packed = sum(map(table.__getitem__, hits))
        if space == CUSTOMER:
            customer_hit = True
        elif cross:  # tables already weighted (see _intent_build._cross_tables)
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
    early = list(chain.from_iterable(customer[:_EARLY]))
    groups = [(CUSTOMER, _W_EARLY, early)]
    if len(customer) > _EARLY:
        groups.append((CUSTOMER, _W_LATE, list(chain.from_iterable(customer[_EARLY:]))))
    if agent:
        groups.append((AGENT, _W_AGENT, tokens_of("\n".join(agent))))
    if event:
        groups.append((EVENT, _W_EVENT, tokens_of("\n".join(event))))
    return groups

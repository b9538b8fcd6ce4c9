"""Token counting and cost estimates for model backends.

Counting uses tiktoken: the model's own encoding when tiktoken knows the model,
``cl100k_base`` for ``gpt-4``/``gpt-3.5`` names it does not, and ``o200k_base``
otherwise (gpt-4o, gpt-4.1, o-series and the default for other servers, whose
tokenizers we cannot know). tiktoken downloads encodings on first use; set
``TIKTOKEN_CACHE_DIR`` to a folder holding them to work offline.

When no encoding can be loaded, counts are an **estimate** —
the larger of ``ceil(ascii_characters / 4) + non_ascii_characters`` and the number of
pieces (letter runs, digit runs cut every 3 digits, punctuation marks). It errs high:
about 4 characters per token is typical of English with these encodings, every
non-ASCII character counted as a token covers scripts (CJK, Thai) that use one or more
tokens per character, and the piece count covers ids, numbers and punctuation, which
tokenize far denser than prose. ``TokenCounter.estimated`` is then ``True`` and one ``RuntimeWarning``
is emitted per process.

Budget selection and chunking, which use these counts, live in :mod:`handoff_ai.llm.budget`.
"""

from __future__ import annotations

import logging
import math
import re
import warnings
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

__all__ = [
    "DEFAULT_ENCODING",
    "TokenCounter",
    "estimate_cost",
    "estimate_tokens",
]

if TYPE_CHECKING:
    from tiktoken import Encoding

logger = logging.getLogger("handoff_ai")

DEFAULT_ENCODING = "o200k_base"
_TOKENS_PER_MESSAGE = 3  # OpenAI cookbook: <|start|>{role/name}\n{content}<|end|>\n
_TOKENS_PER_NAME = 1
_REPLY_PRIMING = 3  # every reply is primed with <|start|>assistant<|message|>
_ELLIPSIS = " [...] "

_PIECES = re.compile(r"[^\W\d_]+|\d{1,3}|[^\w\s]")
_encodings: dict[str, Encoding | None] = {}  # name -> encoding, or None when it failed to load
_warned = False


def _load_encoding(name: str) -> Encoding | None:
    """The tiktoken encoding ``name``, or ``None`` when it cannot be loaded (tried once per process)."""
    if name not in _encodings:
        try:
            import tiktoken

            _encodings[name] = tiktoken.get_encoding(name)
        except Exception as exc:  # offline, no cache, corrupt file: estimate instead of failing
            logger.debug("tiktoken encoding %s unavailable: %s", name, type(exc).__name__)
            _encodings[name] = None
    return _encodings[name]


def _encoding_name(model: str | None) -> str:
    if not model:
        return DEFAULT_ENCODING
    try:
        import tiktoken

        return str(tiktoken.encoding_name_for_model(model))
    except Exception:  # unknown model (KeyError) or tiktoken unusable
        base = model.rsplit("/", 1)[-1].lower()  # "openai/gpt-4" -> "gpt-4"
        legacy = base.startswith(("gpt-3.5", "gpt-35")) or (
            base.startswith("gpt-4") and not base.startswith(("gpt-4o", "gpt-4.1", "gpt-4.5"))
        )
        return "cl100k_base" if legacy else DEFAULT_ENCODING


def estimate_tokens(text: str) -> int:
    """The documented estimate used when no encoding is available (errs high).

    The larger of ``ceil(ascii_chars / 4) + non_ascii_chars`` and the number of
    pieces (letter runs, digit runs split every 3 digits, punctuation marks): ids,
    numbers and punctuation tokenize far denser than prose.
    """
    ascii_chars = sum(1 for c in text if c < "\x80")
    by_chars = math.ceil(ascii_chars / 4) + (len(text) - ascii_chars)
    return max(by_chars, len(_PIECES.findall(text)))


class TokenCounter:
    """Counts tokens the way a model's tokenizer would, or estimates when it cannot.

    Args:
        model: the model name (``gpt-4.1-mini``); ``None`` counts with ``o200k_base``.

    Attributes:
        encoding_name: the tiktoken encoding used, or ``None`` when estimating.
        estimated: counts are the documented estimate, not real tokens.
    """

    def __init__(self, model: str | None = None) -> None:
        global _warned
        self.model = model
        name = _encoding_name(model)
        self._encoding = _load_encoding(name)
        self.encoding_name: str | None = name if self._encoding is not None else None
        self.estimated = self._encoding is None
        if self.estimated and not _warned:
            _warned = True
            warnings.warn(
                f"tiktoken encoding {name!r} could not be loaded (offline? set TIKTOKEN_CACHE_DIR); "
                "token counts are estimated (see handoff_ai.llm.tokens.estimate_tokens)",
                RuntimeWarning,
                stacklevel=2,
            )

    def __repr__(self) -> str:
        return (
            f"TokenCounter(model={self.model!r}, encoding={self.encoding_name!r}, estimated={self.estimated})"
        )

    def count(self, text: str) -> int:
        """Tokens in ``text`` (special-token text such as ``<|endoftext|>`` counts as plain text)."""
        if self._encoding is None:
            return estimate_tokens(text)
        return len(self._encoding.encode_ordinary(text))

    def count_messages(self, messages: Iterable[Mapping[str, Any]]) -> int:
        """Prompt tokens of chat messages, with OpenAI's per-message overhead (cookbook rule:
        3 per message, 1 more per ``name``, 3 to prime the reply). Non-string values are skipped."""
        total = _REPLY_PRIMING
        for message in messages:
            total += _TOKENS_PER_MESSAGE
            for key, value in message.items():
                if isinstance(value, str):
                    total += self.count(value)
                    if key == "name":
                        total += _TOKENS_PER_NAME
        return total

    def truncate(self, text: str, max_tokens: int) -> str:
        """``text`` cut to about ``max_tokens``, keeping its head and tail around ``" [...] "``."""
        if self.count(text) <= max_tokens:
            return text
        keep = max(max_tokens - self.count(_ELLIPSIS), 2)
        head, tail = keep - keep // 3, keep // 3
        if self._encoding is None:
            chars = len(text) * keep // max(self.count(text), 1)
            while True:  # the estimate is not linear in characters: shrink until it fits
                head_chars, tail_chars = chars - chars // 3, chars // 3
                cut = text[:head_chars] + _ELLIPSIS + (text[-tail_chars:] if tail_chars else "")
                if chars <= 1 or self.count(cut) <= max_tokens:
                    return cut
                chars = chars * 9 // 10
        ids = self._encoding.encode_ordinary(text)
        start = self._encoding.decode(ids[:head])
        end = self._encoding.decode(ids[-tail:]) if tail else ""
        return start + _ELLIPSIS + end


# -- cost ----------------------------------------------------------------------------------


def estimate_cost(
    prompt_tokens: int,
    completion_tokens: int,
    model: str | None,
    prices: Mapping[str, tuple[float, float]] | None,
) -> float | None:
    """Cost in USD from a user-supplied price table, or ``None`` when no price is known.

    ``prices`` maps a model name to ``(input, output)`` USD per 1M tokens. The exact
    model name is looked up first, then the longest key the name starts with, so a
    ``"gpt-4.1-mini"`` entry prices ``"gpt-4.1-mini-2025-04-14"``. No prices are
    packaged: they change, and a wrong built-in number is worse than none.
    """
    if not prices or not model:
        return None
    price = prices.get(model)
    if price is None:
        prefixes = sorted((key for key in prices if key and model.startswith(key)), key=len, reverse=True)
        if not prefixes:
            return None
        price = prices[prefixes[0]]
    per_input, per_output = price
    return (prompt_tokens * per_input + completion_tokens * per_output) / 1_000_000

"""The injection cues: what starts an instruction typed into a customer message, and the
cheap routing that decides which cues a sentence must be searched for.

Split from :mod:`handoff_ai.rules.injection` (which finds and blanks the spans) because the
cue data and its fast paths are one concept of their own: ``INJECTION_CUES`` in several
languages, the literals every ASCII match holds (``_CUE_WORDS``), and the routing from
those words to the few cues worth running on a sentence (``_cue_candidates``), which
``tests/test_redteam.py`` checks against generated matches of every cue.
"""

from __future__ import annotations

import re
from typing import Any

from .phrases import any_literal
from .ruleset import case_sensitive_twin

__all__ = ["CUE_WORD", "DIRECTIVE", "FAKE_SPEAKER", "INJECTION_CUES", "MESSAGE_CUE", "has_cue", "may_cue"]

_WORDS = (
    "instructions?|prompts?|rules|directions|guidelines|system prompt|context|"
    "(?:everything|anything|all|what) (?:you (?:were|have been|are) told|above|before)"
)
_NOT_SELF = r"(?<!\bi )(?<!\bwe )(?<!'ll )(?<!\bwill )(?<!\bto )"
"""Not a statement about oneself ("I forget the instructions", "I'll write that down")."""
_RECORD = r"(?:record|summary|handoff|notes?|ticket|file|facts?|report)"
INJECTION_CUES: tuple[str, ...] = (
    # English
    rf"{_NOT_SELF}\b(?:ignore|disregard|forget|override|bypass|skip)\b[^.!?\n]{{0,40}}\b(?:{_WORDS})\b",
    r"\bnew instructions?\b",
    r"\bsystem (?:prompt|override|instructions?)\b",
    r"\b(?:developer|admin|god|debug) (?:mode|override|instructions?)\b",
    r"\byou are now (?:in\b|dan\b|free\b|jailbroken|unrestricted|acting|operating|"
    r"(?:an? |the )?(?:ai|assistant|bot|admin|administrator|developer|system|root|new|different)\b)",
    r"\byou are no longer (?:bound|restricted|limited|an? (?:ai|assistant|bot)|following)\b",
    r"\b(?:act|behave|respond) as (?:if|an?|the)\b",
    rf"{_NOT_SELF}\bpretend (?:to be|you|that)\b",
    r"\brole-?play\b",
    r"\b(?:set|change|mark|classify|label|tag|make|put|record|update|lower|downgrade|raise)\b[^.!?\n]{0,40}"
    r"\b(?:urgency|priority|intent|category|team|queue|sentiment|severity)\b[^.!?\n]{0,25}"
    r"\b(?:to|as|=|low|normal|high|urgent|critical|none)\b",
    r"\b(?:urgency|priority|intent|severity)\s*(?:=|:|to be|should be|must be|is now)\s*\w|\bteam\s*=",
    r"\b(?:(?:route|assign) (?:this|it|the ticket|this ticket|this conversation|the conversation)|"
    r"(?:send|forward|escalate) (?:this|the) (?:ticket|conversation|case)) (?:to|directly to)\b"
    r"[^.!?\n]{0,30}\b(?:team|queue|department)\b",
    r"\b(?:mark|record|flag) (?:this|it|the|my|that|as)\b[^.!?\n]{0,40}"
    r"\b(?:approved|resolved|refunded|granted|verified|closed)\b",
    rf"{_NOT_SELF}\b(?:record|log) that\b",
    rf"\b(?:add|write|put|store|note|record|log|save)\b[^.!?\n]{{0,30}}"
    rf"\b(?:in|into|to|on) (?:the|your) {_RECORD}\b",
    r"\bas a fact\b",
    r"\bremember that\b[^.!?\n]{0,60}"
    r"\b(?:already (?:refunded|approved|verified|resolved)|approved|pre-?approved)\b",
    rf"\b(?:do not|don't|never) (?:mention|record|include|store|list|report|save|keep)\b[^.!?\n]{{0,40}}"
    rf"\b(?:in|from|to|on) (?:the|your|this|any) {_RECORD}\b",
    r"\b(?:remove|drop|delete|omit|erase) (?:the|all|any)(?: of the)? (?:facts?|notes?|history)\b",
    rf"\b(?:remove|drop|delete|omit|erase)\b[^.!?\n]{{0,30}}\bfrom (?:the|your) {_RECORD}\b",
    r"\b(?:the|dear|hey|attention|to the) (?:ai|assistant|summari[sz]er|llm|gpt|(?:ai |language )model)"
    r"(?: reading this)?[,:]?\s+(?:(?:you|that is|who is)\s+)?"
    r"(?:(?:must|should|shall)(?! have\b)(?!'ve)|needs? to|is required to|reading this)",
    r"\bjailbreak\b|\bdan mode\b|\bprompt injection\b",
    r"</?\s*(?:transcript|system|conversation|instructions?|data|context|im_start|im_end)\b[^>]*>",
    r"<\|[a-z_]+\|>|\[/?inst\]|###\s*(?:system|instruction)",
    r'"\s*(?:urgency|intent|team|priority)"\s*:',
    # Spanish, Portuguese, French, Italian, German, Dutch
    r"\b(?:ignora|ignore|ignorar|olvida|olvide)\b[^.!?\n]{0,40}\b(?:instrucciones|instruções|instrucoes|indicaciones|reglas|regras)\b",
    r"\b(?:ignore[sz]?|oublie[sz]?)\b[^.!?\n]{0,40}\b(?:instructions|consignes|règles)\b",
    r"\b(?:ignora|dimentica)\b[^.!?\n]{0,40}\b(?:istruzioni|regole)\b",
    r"\b(?:ignoriere|ignorieren|vergiss|vergessen)\b[^.!?\n]{0,40}\b(?:anweisungen|anweisung|regeln|vorgaben)\b",
    r"\b(?:negeer|vergeet)\b[^.!?\n]{0,40}\b(?:instructies|regels)\b",
    r"\b(?:marca|marque|marquez|markiere|markeer|segna|imposta|pon|ponga|setze|zet|mettez|mets|defina|establece)\b"
    r"[^.!?\n]{0,40}\b(?:urgencia|urgência|urgence|urgenza|dringlichkeit|urgentie|prioridad|prioridade|priorité|"
    r"priorità|priorität|prioriteit|aprobad[oa]|aprovad[oa]|approuvée?|approvat[oa]|genehmigt|goedgekeurd|"
    r"reembolso|remboursement|rimborso|erstattung|terugbetaling)\b",
    # Russian, Chinese, Japanese, Korean, Arabic
    r"(?:игнорируй|игнорируйте|забудь|забудьте)[^.!?\n]{0,40}(?:инструкци|правил)",
    r"(?:忽略|无视|忘记|無視|忘れ)[^。.!?！？\n]{0,20}(?:指令|指示|说明|規則|规则|命令)",
    r"(?:以前の|前の)?指示を無視",
    r"지시(?:를|사항을)?\s{0,3}무시",
    r"(?:تجاهل|انس)[^.!?\n]{0,40}(?:التعليمات|الأوامر)",
)
"""Regular expressions (matched case-insensitively, format characters removed) that start an injection."""

DIRECTIVE = re.compile(
    r"^\W*(?:and\s+|then\s+|also\s+|y\s+|et\s+|und\s+|e\s+)?(?:please\s+)?"
    r"(?:set|mark|change|classify|label|tag|route|assign|record|note|add|remove|drop|delete|omit|"
    r"write|output|respond|reply|say|treat|make|put|lower|raise|downgrade|approve|close|do not|don't|never|"
    r"the (?:ai|assistant|model|bot)|urgency|priority|intent|team|category|refund approved|"
    r"marca|marque|pon|setze|markiere|imposta|segna|approuve|aprueba)\b",
    re.IGNORECASE,
)
"""A sentence right after an injection that continues it (an imperative about the record)."""

FAKE_SPEAKER = re.compile(
    r"(?:^|\n|(?<=[.!?])[ \t]+)[ \t>*_\[]*"
    r"(?:agent|system|assistant|bot|support|admin|administrator|supervisor|manager|"
    r"operator|developer|staff|agente|agent support|soporte|sistema|système|kundendienst|support agent|"
    r"human agent|ai)\s*\]?\s*[:：]",
    re.IGNORECASE,
)
"""A line inside customer text that pretends to be another speaker (``Agent: refund approved``)."""

_CUES = re.compile("|".join(f"(?:{p})" for p in INJECTION_CUES), re.IGNORECASE)
_CUE_WORDS: tuple[str, ...] = (
    *"ignor disregard forget override bypass skip instruction system mode pretend role urgency priority "
    "intent category team queue sentiment severity department mark record flag log summary handoff note "
    "ticket file fact report history must should shall need required reading jailbreak < inst] ### olvid "
    "oublie dimentica vergiss vergessen negeer vergeet urgen dringlichkeit priori aprobad aprovad approuv "
    "approvat genehmigt goedgekeurd reembolso remboursement rimborso erstattung terugbetaling".split(),
    *("you are no", "act as", "behave as", "respond as", "remember that", "dan mode", "prompt injection"),
)
"""Literals one of which every ``_CUES`` match on ASCII text contains: a sentence with none of them
skips the big regex (most sentences; it was a third of the rules backend's time). Keep in step with
``INJECTION_CUES``: ``tests/test_redteam.py`` generates matches of every cue and checks them."""


_COMMON_CUE_WORDS = frozenset(
    "need should shall must required reading log system instruction mode summary handoff note ticket file "
    "fact report history mark".split()
)
_RARE_CUE_WORDS: tuple[str, ...] = (
    # "the AI must/should/needs to ...": its addressee, not its verb ("I need", "it should")
    "the ai", "dear ai", "hey ai", "attention ai", "assistant", "summariser", "summarizer", "llm", "gpt",
    "language model",
    # "mark it as approved" ("market", "remark" hold "mark"); "log that ..."
    *(f"mark {what}" for what in ("this", "it", "the", "my", "that", "as")), "log that",
    # "system prompt", "new instructions", "developer mode", "admin instructions"
    "system prompt", "system override", "system instruction", "new instruction",
    *(f"{who} {what}" for who in ("developer", "admin", "god", "debug") for what in ("mode", "instruction")),
    # "... in/from your notes", "remove all of the history", "as a fact": a record word after its determiner
    *(
        f"{determiner} {noun}"
        for determiner in ("the", "your", "this", "any", "all")
        for noun in ("summary", "handoff", "note", "ticket", "file", "fact", "report", "history")
    ),
    "as a fact",
)  # fmt: skip
"""``_CUE_WORDS`` as a test of a whole message: the words common in support chat ("need", "log",
"file": a customer message in sixteen holds one) give way to a longer literal of the same cues
that every ASCII match also holds, so few messages are split into sentences for ``has_cue``.
``tests/test_redteam.py`` generates matches of every cue and checks :func:`may_cue` on them."""
_MESSAGE_WORDS = (*(word for word in _CUE_WORDS if word not in _COMMON_CUE_WORDS), *_RARE_CUE_WORDS)


def may_cue(text: str) -> bool:
    """False only when ``_CUES`` cannot match ``text`` (already lower-cased), a message or a sentence.

    Only trusted for ASCII text, where a case-insensitive literal match is a substring test.
    """
    return not text.isascii() or MESSAGE_CUE.search(text) is not None


CUE_WORD = any_literal(_CUE_WORDS)
"""Any of ``_CUE_WORDS`` (one trie-shaped scan beats ninety substring tests)."""
MESSAGE_CUE = any_literal(_MESSAGE_WORDS)
"""Any of ``_MESSAGE_WORDS``: the gate before a message is read sentence by sentence."""

_CUE_PATTERNS = tuple(re.compile(cue, re.IGNORECASE) for cue in INJECTION_CUES)
_ASCII_CUE_PATTERNS = tuple(case_sensitive_twin(pattern) or pattern for pattern in _CUE_PATTERNS)
"""The cues as run on a lower-cased ASCII sentence: without ``re.IGNORECASE`` wherever that keeps
every match (``ruleset.case_sensitive_twin``): a search a third cheaper."""


def _other_script(cue: str) -> bool:
    """Whether every match of ``cue`` holds a character outside ASCII: its literals (outside
    character classes and escapes) are all written in another script (Cyrillic, CJK, Hangul,
    Arabic), none of which folds to an ASCII letter. Such a cue cannot match ASCII text."""
    literals = re.sub(r"\[(?:\\.|[^\]])*\]|\\.|\{\d*,?\d*\}|[()?:|*+^$]", "", cue)
    return bool(literals) and not literals.isascii() and not re.search(r"[0-9A-Za-z]", literals)


def _routes() -> tuple[dict[str, tuple[int, ...]], tuple[int, ...]]:
    """Cue word → the cues whose pattern text holds it; and the cues that hold none (always tried
    on ASCII text, unless written in another script: those only match other text)."""
    by_word: dict[str, list[int]] = {}
    unrouted: list[int] = []
    for index, cue in enumerate(INJECTION_CUES):
        source = re.sub(r"\\(.)", r"\1", cue).lower()  # escapes off: "\\[inst\\]" holds "[inst]"
        words = [word for word in _CUE_WORDS if word in source]
        for word in words:
            by_word.setdefault(word, []).append(index)
        if not words and not _other_script(cue):
            unrouted.append(index)
    return {word: tuple(indices) for word, indices in by_word.items()}, tuple(unrouted)


_BY_CUE_WORD, _UNROUTED = _routes()


def _word_trie(words: tuple[str, ...]) -> re.Pattern[str]:
    """A regex whose ``findall`` gives, at every position of a text, the longest of ``words``
    starting there: a trie (the first letters tried once), a literal that ends where a longer
    one goes on made optional (greedy, so the longer is tried first)."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + render(child) for char, child in node.items() if char]
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")" if branches else ""
        return f"(?:{body})?" if "" in node and body else body

    return re.compile(f"(?=({render(trie)}))")


_WORD_AT = _word_trie(_CUE_WORDS)
_ROUTES_AT: dict[str, frozenset[int]] = {
    word: frozenset(
        index for shorter in _CUE_WORDS if word.startswith(shorter) for index in _BY_CUE_WORD.get(shorter, ())
    ).union(_UNROUTED)
    for word in _CUE_WORDS
}
"""A cue word found by ``_WORD_AT`` -> the cues it routes to, with those of the cue words it
starts with (found at the same place) and the unrouted ones."""


def _cue_candidates(sentence: str) -> list[int]:
    """The cues that may match ``sentence`` (ASCII, lower-cased): those holding one of its cue words.

    A cue whose pattern text holds cue words matches only text holding one of them, so on a
    sentence with "need" only the few cues about needs run, not all of them in one big regex.
    ``tests/test_redteam.py`` generates matches of every cue and checks each is a candidate.
    Every cue word the sentence holds starts somewhere, and ``_WORD_AT`` finds the longest
    one there; the shorter ones are its beginnings, whose cues ``_ROUTES_AT`` adds.
    """
    chosen = set(_UNROUTED)
    for word in set(_WORD_AT.findall(sentence)):
        chosen |= _ROUTES_AT[word]
    return sorted(chosen)


def has_cue(sentence: str) -> bool:
    """``_CUES.search(sentence)`` is not ``None`` (``sentence`` lower-cased), by the cues that may match."""
    if not sentence.isascii():
        return _CUES.search(sentence) is not None
    if CUE_WORD.search(sentence) is None:
        return False
    return any(_ASCII_CUE_PATTERNS[index].search(sentence) for index in _cue_candidates(sentence))

"""The schema of one language's block in ``rules/data/dialogue.toml``.

Every key a block may hold, with what it means: the phrase lists (openers, outcomes,
refusals...), the verb lists and, for a language that inflects by ending, its ending
tables. :mod:`.dialogue_data` validates each block against it; :mod:`.dialogue_forms`
reads the verb keys.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["MAP_KEYS", "DialogueBlock"]


class DialogueBlock(BaseModel):
    """One language's block; every key is a list of phrases."""

    model_config = ConfigDict(extra="forbid")
    suggestion_openers: list[str] = Field(default_factory=list)
    request_openers: list[str] = Field(default_factory=list)
    question_openers: list[str] = Field(default_factory=list)
    """Openers that ask whether a step was done, read only in a question before a step verb
    ("¿Ha limpiado el filtro?", "Você já reiniciou o modem?")."""
    step_verbs: list[str] = Field(default_factory=list)
    attempt_verbs: list[str] = Field(default_factory=list)
    object_filler: list[str] = Field(default_factory=list)
    anaphora: list[str] = Field(default_factory=list)
    outcome_failed: list[str] = Field(default_factory=list)
    outcome_succeeded: list[str] = Field(default_factory=list)
    outcome_partial: list[str] = Field(default_factory=list)
    negations: list[str] = Field(default_factory=list)
    not_tried: list[str] = Field(default_factory=list)
    acknowledged: list[str] = Field(default_factory=list)
    refusal: list[str] = Field(default_factory=list)
    reason_openers: list[str] = Field(default_factory=list)
    note_finding: list[str] = Field(default_factory=list)
    not_problem: list[str] = Field(default_factory=list)
    accepted: list[str] = Field(default_factory=list)
    reaction: list[str] = Field(default_factory=list)
    customer_request: list[str] = Field(default_factory=list)
    past_forms: dict[str, str] = Field(default_factory=dict)
    """Irregular past forms of step and work verbs -> base form ("ran" -> "run")."""
    verb_synonyms: dict[str, str] = Field(default_factory=dict)
    """Verb -> the verb it names the same step as ("reboot" -> "restart")."""
    sentence_imperatives: list[str] = Field(default_factory=list)
    """Step verbs that suggest the step when they open a bot/agent sentence ("Restart the router.",
    "… - rotate that password"); words that also open plain instructions ("check") are left out."""
    provide_verbs: list[str] = Field(default_factory=list)
    """Verbs of giving the agent something ("send", "upload"): a step only before an ``artifacts`` word."""
    artifacts: list[str] = Field(default_factory=list)
    work_verbs: list[str] = Field(default_factory=list)
    request_verbs: list[str] = Field(default_factory=list)
    delivery_openers: list[str] = Field(default_factory=list)
    # Optional, for word orders other than English's (each adds to a built-in English set).
    late_verb_openers: list[str] = Field(default_factory=list)
    """Openers whose step verb may end the clause ("Haben Sie schon den Cache *geleert*?")."""
    imperatives: list[str] = Field(default_factory=list)
    """Imperatives that suggest a step on their own ("Nettoyez le port", "Starten Sie den Router neu")."""
    not_before_imperative: list[str] = Field(default_factory=list)
    """Words that make an imperative form something else ("si vous *nettoyez*")."""
    past_openers: list[str] = Field(default_factory=list)
    """First words of an opener that asks about the past ("haben", "avez"; English: have, did)."""
    yes: list[str] = Field(default_factory=list)
    """A reply starting with one of these says "yes" ("ja", "oui"; English: yes, yeah, yep, yup)."""
    skip_after_opener: list[str] = Field(default_factory=list)
    attempt_leads: list[str] = Field(default_factory=list)
    """Words that may stand before a customer's bare step verb ("et *vidé* le cache")."""
    trailing_negations: list[str] = Field(default_factory=list)
    """Negations right after a success phrase ("ça marche *pas*", "funktioniert jetzt *nicht*")."""
    clause_links: list[str] = Field(default_factory=list)
    """A step of one word runs on past a comma before one of these ("testen, *ob* es mit WLAN geht")."""
    try_prefix: str | None = None
    """What a suggested step without a verb starts with after this language's openers ("essayer un
    autre câble"; English "try"); ``""`` for none ("den Router neu zu starten" reads on its own)."""
    # Languages that inflect by ending (es, pt...): ``step_verbs`` are infinitives, and
    # these give their forms, keyed by the infinitive's ending ("ar" -> "a", "e", "ado"...;
    # a longer key adds spelling changes: "car" -> "que"). ``attempt_endings`` are the forms
    # a customer uses for a step of their own ("reinicié", "reiniciei"); ``attempt_lead`` the
    # words that may stand before one ("ya lo reinicié"), read only before this block's forms.
    verb_endings: dict[str, list[str]] = Field(default_factory=dict)
    attempt_endings: dict[str, list[str]] = Field(default_factory=dict)
    attempt_lead: list[str] = Field(default_factory=list)
    skip_forms: list[str] = Field(default_factory=list)
    # A bot/agent stating work done, where the English ``done`` pattern cannot read it: a
    # ``done_verbs`` form by ``done_endings`` ("desbloqueamos", "enviei"), or by
    # ``done_participles`` right after one of ``done_auxiliaries`` ("he desbloqueado",
    # "foi enviado", "ya envié"). ``work_failed`` / ``work_pending``: phrases of work that
    # failed ("no hemos podido") or is under way ("está en trámite").
    imperative_endings: dict[str, list[str]] = Field(default_factory=dict)
    """Forms of ``step_verbs`` that, opening a bot/agent sentence, suggest the step on their
    own ("Actualiza la app…", "Reinicie o roteador…"): no opener needed."""
    try_verbs: list[str] = Field(default_factory=list)
    """Verbs meaning "try" ("probar", "tentar"): skipped before the step they introduce."""
    clause_breaks: list[str] = Field(default_factory=list)
    """Words that end a step's clause after this language's verbs ("y", "pero", "sigue")."""
    done_verbs: list[str] = Field(default_factory=list)
    done_endings: dict[str, list[str]] = Field(default_factory=dict)
    done_participles: dict[str, list[str]] = Field(default_factory=dict)
    done_auxiliaries: list[str] = Field(default_factory=list)
    work_failed: list[str] = Field(default_factory=list)
    work_pending: list[str] = Field(default_factory=list)
    """Generated forms that are words of another language ("complete", "active"): left out."""


MAP_KEYS = (
    "verb_endings",
    "attempt_endings",
    "done_endings",
    "done_participles",
    "imperative_endings",
    "past_forms",
    "verb_synonyms",
)

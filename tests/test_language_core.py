"""Language detection, the note language and honesty about languages the rules do not read (issue 12)."""

from __future__ import annotations

import json

import pytest

import handoff_ai as ho
from handoff_ai.backends import FallbackBackend, OpenAIBackend, RulesBackend
from handoff_ai.backends.note_language import with_note_language
from handoff_ai.exceptions import ConfigError, UsageError
from handoff_ai.models import Conversation
from handoff_ai.rules.languages import detect_languages, language_name, supported_languages
from handoff_ai.rules.phrases import fold, tokens
from handoff_ai.taxonomy import Taxonomy


def chat(*turns: tuple[str, str]) -> Conversation:
    return Conversation.model_validate(
        {"messages": [{"id": f"m{i}", "role": role, "text": text} for i, (role, text) in enumerate(turns)]}
    )


SPANISH = chat(
    ("customer", "Hola, mi pedido 88231 no ha llegado y ya pasaron dos semanas"),
    ("bot", "Lo siento, ¿me puede dar su correo?"),
    ("customer", "ok"),
    ("customer", "ana.lopez@example.es"),
)


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("en", "Hi, my order hasn't arrived yet and it's been two weeks, can you help?"),
        ("de", "Sehr geehrte Damen und Herren, meine Bestellung ist leider immer noch nicht angekommen."),
        ("fr", "Bonjour, je n'arrive pas à me connecter à mon compte depuis hier soir"),
        ("es", "Hola, mi pedido no ha llegado todavía y ya pasaron dos semanas"),
        ("pt", "Olá, meu pedido ainda não chegou e já faz uma semana, não sei o que fazer"),
        ("it", "Buongiorno, il mio ordine non è ancora arrivato, grazie"),
        ("nl", "Hallo, mijn bestelling is nog niet aangekomen, wat kan ik doen?"),
        ("pl", "Dzień dobry, moje zamówienie jeszcze nie przyszło, co mam zrobić?"),
        ("tr", "Merhaba, siparişim hala gelmedi, lütfen yardım edin"),
        ("ja", "注文した商品がまだ届いていません。確認してください。"),
        ("ru", "Здравствуйте, мой заказ до сих пор не пришёл"),
    ],
)
def test_the_customers_language_is_detected(code: str, text: str) -> None:
    report = detect_languages(chat(("customer", text)), tokens)
    assert report.language == code
    assert report.supported == (code in supported_languages())


def test_short_messages_inherit_the_conversations_language() -> None:
    report = detect_languages(SPANISH, tokens)
    assert report.language == "es"
    assert report.messages["m2"] == "es"  # "ok"
    assert report.messages["m3"] == "es"  # an email address


def test_nothing_to_tell_is_none_not_english() -> None:
    assert detect_languages(chat(("customer", "ok")), tokens).language is None
    assert ho.summarize(chat(("customer", "ok"))).language is None
    assert detect_languages(chat(), tokens).language is None


def test_digits_of_another_script_do_not_make_a_language() -> None:
    report = detect_languages(chat(("customer", "$0.0٠ $0.0٠. It still does not work for me.")), tokens)
    assert report.language == "en"


def test_accents_fold_but_words_keep_their_places() -> None:
    assert fold("pásame con atención") == "pasame con atencion"
    assert tokens("Pásame con ATENCIÓN") == ["pasame", "con", "atencion"]
    assert len(tokens("naïve café ½ 東京")) == len(tokens("naive cafe ½ 東京"))


def test_record_language_and_note_language_default_to_the_conversations() -> None:
    record = ho.summarize(SPANISH)
    assert (record.language, record.note_language) == ("es", "es")
    assert record.summary.startswith("El cliente escribe: «")
    assert "mi pedido 88231 no ha llegado" in record.summary  # quoted as written
    english = ho.summarize(SPANISH, note_language="en")
    assert (english.language, english.note_language) == ("es", "en")
    assert english.summary.startswith("Customer writes: “")
    assert "mi pedido 88231 no ha llegado" in english.summary


def test_note_labels_follow_the_note_language() -> None:
    markdown = ho.summarize(SPANISH).to_markdown()
    assert "**Resumen:**" in markdown
    assert "Ya lo dio — no volver a preguntar" in markdown
    assert "Correo" in markdown  # the email fact's kind, named in Spanish
    text = ho.summarize(SPANISH, note_language="German").to_text()
    assert text.startswith("Zusammenfassung:")
    assert "Kunde schreibt: „" in text


def test_an_english_conversation_reads_as_before() -> None:
    record = ho.summarize(chat(("customer", "My order 4411 never arrived and I need it for work tomorrow")))
    assert (record.language, record.note_language) == ("en", "en")
    assert record.summary.startswith("Customer says")
    assert "**Summary:**" in record.to_markdown()


def test_an_unknown_note_language_is_a_clear_error() -> None:
    with pytest.raises(UsageError, match="xx"):
        ho.summarize(SPANISH, note_language="xx")
    with pytest.raises(ConfigError, match="xx"):
        RulesBackend(note_language="xx")


def test_with_note_language_copies_every_backend_of_a_chain() -> None:
    model = OpenAIBackend(model="m", base_url="http://127.0.0.1:9", api_key="k")
    chain = FallbackBackend(model, RulesBackend())
    german = with_note_language(chain, "de")
    assert german.primary.language == "de" and german.primary.rules.note_language == "de"  # type: ignore[attr-defined]
    assert german.fallbacks[0].note_language == "de"  # type: ignore[attr-defined]
    assert model.language is None and chain.fallbacks[0].note_language is None  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (
            "it",
            "Buongiorno, il mio ordine A-5521 non è ancora arrivato. La mia email è mario.rossi@example.it",
        ),
        ("nl", "Hallo, mijn bestelling is nog niet aangekomen. Mijn e-mail is jan@example.nl, bedankt"),
        ("ja", "注文した商品がまだ届いていません。メールは taro@example.jp です。"),
    ],
)
def test_a_language_the_rules_do_not_read_gets_a_warning_facts_and_no_guessed_intent(
    code: str, text: str
) -> None:
    record = ho.summarize(chat(("customer", text)))
    assert record.language == code
    warnings = " ".join(record.provenance.warnings)
    assert language_name(code) in warnings and f"({code})" in warnings
    assert any(fact.kind == "email" for fact in record.facts)
    assert record.intent.label == "unknown" and record.intent.confidence == 0


def test_a_taxonomy_example_in_that_language_lets_intent_through() -> None:
    taxonomy = Taxonomy.from_dict(
        {
            "teams": [{"name": "logistics"}],
            "intents": [
                {
                    "name": "delivery",
                    "team": "logistics",
                    "keywords": ["delivery"],
                    "examples": ["il mio ordine non è ancora arrivato", "dov'è il mio pacco? non è arrivato"],
                },
                {"name": "billing", "keywords": ["invoice"], "examples": ["why was I charged twice"]},
            ],
        }
    )
    record = ho.summarize(
        chat(("customer", "Buongiorno, il mio ordine non è ancora arrivato")), taxonomy=taxonomy
    )
    assert record.language == "it"
    assert record.intent.label == "delivery"


def test_translations_read_only_conversations_in_their_language() -> None:
    plain = Taxonomy.default()
    data = json.loads(plain.model_dump_json())
    for spec in data["intents"]:
        spec.pop("translations", None)
    without = Taxonomy.model_validate(data)
    english = chat(("customer", "My package never arrived and the tracking has not moved in a week"))
    assert ho.summarize(english).intent == ho.summarize(english, taxonomy=without).intent
    german = chat(("customer", "Mein Paket ist nicht angekommen, die Sendungsverfolgung zeigt nichts"))
    assert ho.summarize(german).intent.label == "delivery"


def test_escalation_answers_in_the_customers_language() -> None:
    french = chat(
        ("customer", "Bonjour, ma commande n'est toujours pas arrivée et je n'ai pas de suivi"),
        ("bot", "Pouvez-vous reformuler ?"),
    )
    decision = ho.should_escalate(french)
    assert decision.language == "fr"


def test_the_model_is_asked_for_free_text_in_the_note_language() -> None:
    model = with_note_language(OpenAIBackend(model="m", base_url="http://127.0.0.1:9", api_key="k"), "es")
    messages = model._prompt(SPANISH, Taxonomy.default(), None, schema_in_prompt=False)  # type: ignore[attr-defined]
    assert "Write the summary and all other free text in Spanish." in messages[0]["content"]
    default = OpenAIBackend(model="m", base_url="http://127.0.0.1:9", api_key="k")
    messages = default._prompt(SPANISH, Taxonomy.default(), None, schema_in_prompt=False)
    assert "in the language the customer writes in" in messages[0]["content"]


def test_localized_speaker_labels_in_text_transcripts() -> None:
    text = (
        "Kunde: Meine Bestellung 4711 ist nicht angekommen\n"
        "Mitarbeiter: Ich prüfe das sofort\n"
        "Ana (cliente): hola\n"
        "Conseiller : Bonjour, je regarde\n"
        "Atendente: Olá\n"
        "Kunde: Usuario: jperez\n"
    )
    conversation = ho.load(text, format="text")
    assert [m.role for m in conversation.messages] == [
        "customer",
        "agent",
        "customer",
        "agent",
        "agent",
        "customer",
    ]
    assert conversation.messages[-1].text == "Usuario: jperez"  # a label inside a message stays text


def test_two_media_placeholders_are_not_a_repeated_message() -> None:
    export = (
        "12/03/25, 10:01 - Ana: Hola, mi pedido 4471 no llegó\n"
        "12/03/25, 10:02 - Ana: <Multimedia omitido>\n"
        "12/03/25, 10:02 - Ana: <Multimedia omitido>\n"
    )
    record = ho.summarize(ho.load(export, format="whatsapp"))
    assert "repeat" not in [s.kind for s in record.sentiment.frustration_signals]


def test_handoff_ai_languages_restricts_the_data_read() -> None:
    """``HANDOFF_AI_LANGUAGES=en`` (for measuring what the other languages cost) reads English alone;
    English records do not change (ABCD-like chat)."""
    import os
    import subprocess
    import sys

    script = (
        "from handoff_ai import summarize\n"
        "from handoff_ai.rules.languages import supported_languages\n"
        "r = summarize({'messages': [{'role': 'customer', 'text': 'my order 12345 never arrived, refund please'}]})\n"
        "print(','.join(supported_languages()), r.intent.label, [f.value for f in r.facts])\n"
    )
    runs = {}
    for only in (None, "en"):
        env = {k: v for k, v in os.environ.items() if k != "HANDOFF_AI_LANGUAGES"}
        if only:
            env["HANDOFF_AI_LANGUAGES"] = only
        out = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        runs[only] = out.stdout.split(" ", 1)
    assert runs["en"][0] == "en" and runs[None][0].startswith("en,") and "de" in runs[None][0]
    assert runs["en"][1] == runs[None][1]

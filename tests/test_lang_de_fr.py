"""German and French: requests for a person, bot loops, tried steps, promises — on small, realistic chats.

The phrases are data (``rules/data/languages/de.toml``, ``fr.toml``); these tests pin the behaviour a
human taking over relies on, and the word-order rules that let data express these languages
(present-tense promises, object pronouns before the verb, verbs at the end of the clause).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

import handoff_ai as ho
from handoff_ai import Conversation, Message
from handoff_ai.exceptions import ConfigError
from handoff_ai.models import Commitment
from handoff_ai.rules.commitments import languages, promises_in
from handoff_ai.rules.phrases import CueReader
from handoff_ai.rules.ruleset import _compile, _RuleFile, load_rules
from handoff_ai.rules.signals import customer_request

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def _conv(*turns: tuple[str, str]) -> Conversation:
    return Conversation(
        messages=[Message(id=f"m{i}", role=role, text=text) for i, (role, text) in enumerate(turns, start=1)]  # type: ignore[arg-type]
    )


def _asks(text: str) -> str | None:
    rules = load_rules()
    return customer_request(text, CueReader(rules.phrases), rules)


def said(text: str, role: str = "agent") -> list[Commitment]:
    return promises_in(Message(id="m1", role=role, text=text, timestamp=MONDAY))  # type: ignore[arg-type]


# -- a person, or not ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Ich möchte jetzt bitte mit einem Menschen sprechen!!",
        "ist es aber nicht. einen Mitarbeiter bitte",
        "kann ich mit nem echten menschen reden??",
        "MITARBEITER!!!",
        "Verbinden Sie mich bitte mit einem Kundenberater",
        "je veux parler à un conseiller",
        "ok mais l'argent ?? je veux un agent humain",
        "Passez-moi une vraie personne svp",
        "parler a un humain s'il vous plait",
        "CONSEILLER",
        "Ich möchte einen Rückruf von einem Mitarbeiter",
        "Hallo? Ist da jemand?",
        "Menschlicher Support bitte",
        "Je souhaite être mis en relation avec un conseiller",
        "Y a-t-il un humain ?",
    ],
)
def test_a_person_is_asked_for_in_many_phrasings(text: str) -> None:
    assert _asks(text) == "customer_request"


@pytest.mark.parametrize(
    "text",
    [
        "Ich verlange, mit Ihrem Vorgesetzten zu sprechen.",
        "Bitte verbinden Sie mich mit der Teamleitung, ich will das eskalieren",
        "Je souhaite que mon dossier soit transmis à un responsable",
        "Je veux parler à votre supérieur",
    ],
)
def test_going_up_the_chain_is_an_escalation_request(text: str) -> None:
    assert _asks(text) == "escalation_request"


@pytest.mark.parametrize(
    "text",
    [
        "Der Mitarbeiter gestern war sehr freundlich, danke!",
        "Sind Sie ein echter Mensch oder ein Bot?",
        "Unser Außendienstmitarbeiter kommt am Dienstag",
        "Ich habe gestern mit einem Mitarbeiter gesprochen, der sagte, es sei erledigt",
        "Sie müssen mich nicht verbinden, ich habe nur eine Frage",
        "Mein Vorgesetzter braucht die Rechnung",
        "Êtes-vous un robot ?",
        "Non merci, pas la peine de me mettre en relation avec qui que ce soit.",
        "Le conseiller d'hier m'a très bien aidé",
        "Mon conseiller commercial m'a envoyé le devis",
        "C'est le responsable du magasin qui m'a dit ça",
        "Spreche ich mit einem echten Menschen?",
        "Vous êtes un vrai humain ?",
        "J'ai déjà parlé à un conseiller hier",
        "Il y a quelqu'un qui a utilisé ma carte",
    ],
)
def test_mentions_of_people_that_ask_for_nobody(text: str) -> None:
    assert _asks(text) is None


def test_a_french_bot_loop_is_a_bot_failure_and_the_request_is_the_trigger() -> None:
    loop = "Je n'ai pas compris votre demande. Pouvez-vous reformuler ?"
    record = ho.summarize(
        _conv(
            ("customer", "Bonjour, ma box ne se connecte plus depuis ce matin"),
            ("bot", loop),
            ("customer", "plus d'internet, voyant rouge"),
            ("bot", loop),
            ("customer", "je veux parler à un conseiller"),
        )
    )
    kinds = {s.kind for s in record.sentiment.frustration_signals}
    assert "bot_failure" in kinds and "handoff_request" in kinds
    assert record.handoff.trigger == "customer_request" and record.handoff.evidence == ["m5"]
    assert record.language == "fr"


def test_a_german_customer_who_repeats_themselves_is_frustrated() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "Meine Bestellung ist nicht angekommen"),
            ("bot", "Bitte nennen Sie mir Ihre Bestellnummer."),
            ("customer", "Wie gesagt, zum dritten Mal: 300-7781234. Das ist eine Frechheit"),
        )
    )
    kinds = {s.kind for s in record.sentiment.frustration_signals}
    assert {"as_i_said", "negative_words"} <= kinds
    assert record.sentiment.repeat_contact


# -- tried steps and how they went ------------------------------------------------------------


def _steps(record: ho.HandoffRecord) -> list[tuple[str, str]]:
    return [(a.description, a.outcome) for a in record.actions_taken]


def test_german_suggestion_with_the_verb_at_the_end_and_a_bare_ja() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "Mein Internet fällt ständig aus"),
            ("bot", "Bitte starten Sie Ihren Router neu."),
            ("customer", "hab ich schon 2x gemacht, hat nicht geholfen"),
            ("bot", "Haben Sie schon geprüft, ob das Kabel richtig in der Dose steckt?"),
            ("customer", "ja natürlich"),
        )
    )
    steps = _steps(record)
    assert any("Router" in d and o == "failed" for d, o in steps), steps
    assert any("Kabel" in d and o == "failed" for d, o in steps), steps


def test_german_customer_reports_attempts_and_the_outcome() -> None:
    record = ho.summarize(
        _conv(
            (
                "customer",
                "Die App stürzt ab. Ich habe die App schon neu installiert und den Cache geleert, ohne Erfolg.",
            ),
        )
    )
    [(description, outcome)] = _steps(record)
    assert "installiert" in description and outcome == "failed"


def test_german_success_and_a_negated_success() -> None:
    fixed = ho.summarize(
        _conv(
            ("agent", "Bitte setzen Sie die Patronen einmal neu ein."),
            ("customer", "ok, Patronen neu eingesetzt und jetzt gehts wieder!!"),
        )
    )
    assert [o for _, o in _steps(fixed)] == ["succeeded"]
    still = ho.summarize(
        _conv(
            ("agent", "Bitte setzen Sie die Patronen einmal neu ein."),
            ("customer", "funktioniert jetzt nicht mehr, gleicher Fehler"),
        )
    )
    assert [o for _, o in _steps(still)] == ["failed"]


def test_french_imperative_and_replies() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "mon tel ne charge plus"),
            ("agent", "Avez-vous essayé un autre câble et une autre prise ?"),
            ("customer", "oui autre cable et autre prise, toujours pareil ca charge pas"),
            ("agent", "D'accord. Nettoyez doucement le port avec un cure-dent en bois."),
            ("customer", "je l'ai fait, ça ne change rien"),
        )
    )
    steps = _steps(record)
    assert any("câble" in d and o == "failed" for d, o in steps), steps
    assert any("Nettoyez" in d and o == "failed" for d, o in steps), steps


@pytest.mark.parametrize(
    ("reply", "outcome"),
    [
        ("ça marche !", "succeeded"),
        ("ça marche pas", "failed"),
        ("ça marche toujours pas", "failed"),
        ("non, toujours la même erreur", "failed"),
        ("c'est réglé, merci", "succeeded"),
    ],
)
def test_french_outcomes(reply: str, outcome: str) -> None:
    record = ho.summarize(
        _conv(
            ("customer", "l'appli plante"),
            ("bot", "Pouvez-vous vider le cache de l'application ?"),
            ("customer", reply),
        )
    )
    assert [o for _, o in _steps(record)] == [outcome]


def test_french_customer_attempt_without_help_is_failed() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "On a déjà redémarré l'imprimante et le routeur, rien à faire."),
            ("agent", "Je regarde."),
        )
    )
    assert any("redémarré" in d.lower() and o == "failed" for d, o in _steps(record))


def test_agent_work_done_and_refused_in_german_and_french() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "Ma réclamation ?"),
            ("agent", "J'ai débloqué votre compte, vous pouvez vous reconnecter."),
        )
    )
    assert ("succeeded", "agent") in [(a.outcome, a.actor) for a in record.actions_taken]
    refused = ho.summarize(
        _conv(
            ("customer", "Wo bleibt meine Erstattung?"),
            (
                "agent",
                "Laut Lager ist das Gerät beschädigt, daher können wir die Erstattung leider nicht durchführen.",
            ),
        )
    )
    assert ("failed", "agent") in [(a.outcome, a.actor) for a in refused.actions_taken]


# -- promises ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "due", "due_iso"),
    [
        ("Wir melden uns bis Freitag bei Ihnen.", "bis Freitag", "2026-03-06"),
        ("Ich rufe Sie morgen um 10 Uhr zurück.", "morgen um 10 Uhr", "2026-03-03T10:00:00+00:00"),
        ("Morgen rufen wir Sie an.", "Morgen", "2026-03-03"),
        ("Wir werden uns bis Freitag bei Ihnen melden.", "bis Freitag", "2026-03-06"),
        (
            "Herr Kessler meldet sich innerhalb von 2 Werktagen bei Ihnen.",
            "innerhalb von 2 Werktagen",
            "2026-03-04",
        ),
        ("Die Erstattung dauert 5–7 Werktage.", "dauert 5–7 Werktage", "2026-03-11"),
        ("Sie erhalten in 3–5 Werktagen einen Aktivierungsbrief per Post.", "in 3–5 Werktagen", "2026-03-09"),
        ("Wir melden uns am 5. März.", "5. März", "2026-03-05"),
        ("Nous vous rappellerons demain matin.", "demain matin", "2026-03-03"),
        ("Je vous rappelle demain avant 12h.", "demain avant 12h", "2026-03-03T12:00:00+00:00"),
        ("Un technicien vous contactera sous 48 heures.", "sous 48 heures", "2026-03-04T09:00:00+00:00"),
        (
            "Vous recevrez un lien de réinitialisation d’ici 15 minutes.",
            "d’ici 15 minutes",
            "2026-03-02T09:15:00+00:00",
        ),
        ("Merci, nous revenons vers vous vendredi.", "vendredi", "2026-03-06"),
        (
            "Remboursement validé ; comptez 5 à 7 jours ouvrés pour le voir sur votre compte.",
            "comptez 5 à 7 jours ouvrés",
            "2026-03-11",
        ),
        ("On va vous rappeler le 1er avril à 14h.", "1er avril à 14h", "2026-04-01T14:00:00+00:00"),
        ("Un conseiller vous recontactera dans les plus brefs délais.", "dans les plus brefs délais", None),
        ("Der Techniker kommt am Dienstag zwischen 8 und 12 Uhr.", "am Dienstag", "2026-03-03"),
        ("Votre colis sera livré demain.", "demain", "2026-03-03"),
    ],
)
def test_promises_in_german_and_french(text: str, due: str, due_iso: str | None) -> None:
    [found] = said(text)
    assert (found.due, found.due_iso) == (due, due_iso)
    assert found.actor == "agent" and found.evidence == ["m1"]


@pytest.mark.parametrize(
    "text",
    [
        "Bitte rufen Sie uns morgen an.",
        "Wir melden uns nicht.",
        "Ich schreibe Ihnen wegen Ihrer Bestellung.",
        "Das System meldet einen Fehler.",
        "Wenn Sie möchten, rufen wir Sie morgen an.",
        "Je vous rappelle que le colis est arrivé.",
        "Nous ne vous rappellerons pas.",
        "Rappelez-nous demain.",
        "Vous nous enverrez le colis.",
        "Pouvez-vous nous rappeler demain ?",
        "Je ne vous rappellerai plus.",
        "Wir geben Ihnen 10 € Rabatt.",
    ],
)
def test_not_promises(text: str) -> None:
    assert said(text) == []


def test_customers_never_promise() -> None:
    assert said("Je vous rappelle demain.", role="customer") == []


def test_each_language_is_one_commitments_block() -> None:
    names = [lang.name for lang in languages()]
    assert names[0] == "en" and {"de", "fr"} <= set(names)


def test_the_same_promise_in_a_conversation_has_its_date() -> None:
    record = ho.summarize(
        Conversation(
            messages=[
                Message(id="m1", role="customer", text="Wann kommt mein Geld?", timestamp=MONDAY),
                Message(
                    id="m2", role="agent", text="Die Gutschrift erfolgt in 5–7 Werktagen.", timestamp=MONDAY
                ),
            ]
        )
    )
    [promise] = record.commitments
    assert promise.due_iso == "2026-03-11" and promise.evidence == ["m2"]


# -- language patterns are data beside the English ones --------------------------------------


def _rule_file(data: dict[str, Any]) -> _RuleFile:
    return _RuleFile.model_validate(data)


def test_a_language_pattern_is_tried_beside_the_main_one() -> None:
    rules = _compile(
        [
            (
                "main",
                _rule_file({"patterns": {"tried": r"\bi tried\b"}, "pattern_words": {"tried": ["tried"]}}),
            ),
            (
                "xx",
                _rule_file(
                    {
                        "languages": {
                            "xx": {
                                "patterns": {"tried": r"\bprobei\b"},
                                "pattern_words": {"tried": ["próbei"]},
                            }
                        }
                    }
                ),
            ),
        ]
    )
    assert rules.patterns["tried"].search("I tried") and rules.patterns["tried"].search("eu probei")
    assert rules.pattern_words["tried"] == frozenset({"tried", "probei"})  # folded like message words


def test_a_broken_language_pattern_names_its_file() -> None:
    with pytest.raises(ConfigError, match=r"patterns\.tried"):
        _compile([("xx.toml", _rule_file({"languages": {"xx": {"patterns": {"tried": "(unclosed"}}}}))])


# -- shift notes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("note", "status", "step", "due_iso"),
    [
        (
            "Status: wartet auf Technik (ENG-4412). Nächster Schritt: Kundin Di 10:00 zurückrufen. "
            "Nicht noch einmal eine Gutschrift anbieten – bereits abgelehnt.",
            "Wartet auf Technik (ENG-4412)",
            "Kundin Di 10:00 zurückrufen",
            "2026-03-10T10:00:00+00:00",
        ),
        (
            "Statut : en attente du service technique (ENG-4412). Prochaine étape : rappeler la cliente mardi "
            "à 10h. Ne pas proposer d'avoir à nouveau – déjà refusé.",
            "En attente du service technique (ENG-4412)",
            "Rappeler la cliente mardi à 10h",
            "2026-03-10T10:00:00+00:00",
        ),
    ],
)
def test_a_shift_note_in_its_language(note: str, status: str, step: str, due_iso: str) -> None:
    thursday = datetime(2026, 3, 5, 17, 0, tzinfo=timezone.utc)
    record = ho.summarize(
        Conversation(
            messages=[
                Message(
                    id="m1", role="customer", text="Rechnung falsch / facture fausse", timestamp=thursday
                ),
                Message(id="m2", role="agent", kind="note", text=note, timestamp=thursday),
            ]
        )
    )
    assert record.blocker is not None and record.blocker.description.startswith(status)
    assert [s.text for s in record.next_steps][:2] == [step, record.next_steps[1].text]
    assert record.next_steps[1].text.startswith(("Nicht", "Ne pas"))
    [promise] = record.commitments
    assert (promise.text, promise.due_iso) == (step, due_iso)

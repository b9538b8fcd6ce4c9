"""Facts, secrets and platform text in German, French, Spanish and Portuguese (issue 12).

Realistic, ugly input per language (HTML email, WhatsApp export, emoji, missing accents,
typos): what a bot asks makes the next answer the right kind, labelled values and local
formats are facts, junk ("zum 3. Mal", "14:30 Uhr") is not, and no secret a customer typed
in any of these languages occurs anywhere in the record's JSON.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

import handoff_ai as ho
from handoff_ai import Conversation, HandoffRecord, Message
from handoff_ai.parsers._email_body import split_reply
from handoff_ai.rules.fact_language import fact_words, secret_labels


def _conv(*turns: tuple[Any, ...]) -> Conversation:
    return Conversation(
        messages=[Message(id=f"m{i}", role=t[0], text=t[1]) for i, t in enumerate(turns, start=1)]
    )


def _facts(record: HandoffRecord) -> set[tuple[str, str | None]]:
    return {(f.kind, f.value) for f in record.facts}


def _withheld(record: HandoffRecord) -> set[str]:
    return {f.kind for f in record.facts if f.withheld}


# -- questions and answers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "answer", "fact"),
    [
        (
            "Können Sie mir bitte Ihre Kundennummer nennen?",
            "ja klar, die ist 55120934",
            ("account_id", "55120934"),
        ),
        ("Ihre Bestellnummer bitte", "300-7781234 😊", ("order_id", "300-7781234")),
        ("Wie lautet Ihre PLZ?", "10115", ("postal_code", "10115")),
        ("Quel est votre numéro de commande ?", "c'est le 10045872", ("order_id", "10045872")),
        ("Merci de m'indiquer votre code postal", "oui 69003", ("postal_code", "69003")),
        ("¿Me da su número de pedido, por favor?", "si claro, es el 4500-2231", ("order_id", "4500-2231")),
        ("¿Cual es tu numero de cliente?", "88120934", ("account_id", "88120934")),
        ("Qual é o seu CPF?", "123.456.789-09", ("account_id", "123.456.789-09")),
        ("Qual o CEP do endereço?", "é 01310-100", ("postal_code", "01310-100")),
        ("Pode me informar o número do pedido?", "claro! 889221045", ("order_id", "889221045")),
    ],
)
def test_a_question_in_the_language_makes_the_answer_its_kind(
    question: str, answer: str, fact: tuple[str, str]
) -> None:
    record = ho.summarize(
        _conv(("customer", _OPENERS[question[:3]]), ("bot", question), ("customer", answer))
    )
    assert fact in _facts(record)


_OPENERS = {  # one sentence in the question's language, so the conversation is read in it
    "Kön": "Hallo, ich habe ein Problem mit meiner Rechnung und komme nicht weiter",
    "Ihr": "Hallo, meine Bestellung ist nicht angekommen, können Sie mir helfen?",
    "Wie": "Guten Tag, ich ziehe um und möchte meinen Vertrag mitnehmen",
    "Que": "Bonjour, je n'ai toujours pas reçu ma commande, pouvez-vous m'aider ?",
    "Mer": "Bonjour, je voudrais changer mon adresse de livraison s'il vous plaît",
    "¿Me": "Hola, mi pedido no ha llegado y ya pasó una semana",
    "¿Cu": "Hola buenas, tengo un problema con la factura de este mes",
    "Qua": "Olá, estou com um problema na minha conta e preciso de ajuda",
    "Pod": "Oi, meu pedido ainda não chegou, pode me ajudar?",
}


def test_two_answers_joined_by_the_language_and() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "Hola, no me llega el paquete y ya estoy harto"),
            ("agent", "Vale, ¿me dices tu código postal y tu teléfono?"),
            ("customer", "28013 y 612345678"),
        )
    )
    assert {("postal_code", "28013"), ("phone", "612345678")} <= _facts(record)


def test_abbreviated_labels() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "Guten Tag, ich habe eine Frage zu meiner Rechnung vom März"),
            ("customer", "Meine Kd.-Nr. ist 887766, Rechnungsnr. RE-2025-0042, Betrag 89,90 EUR"),
        )
    )
    assert {("account_id", "887766"), ("invoice_id", "RE-2025-0042"), ("amount", "89,90 EUR")} <= _facts(
        record
    )


def test_a_thanks_after_an_ask_is_not_an_answer() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "Olá, vocês têm plano para escritório com 12 pessoas?"),
            ("bot", "Temos sim! Qual o seu nome completo?"),
            ("customer", "Pode ser depois. obrigada"),
        )
    )
    assert not any(value == "obrigada" for _, value in _facts(record))


# -- labelled values and local formats ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Hallo!! Bestellnummer: 12345, Kundennummer 55-201, PLZ 10115. Betrag 1.234,50 € am 5. März "
            "abgebucht, Rückruf bitte unter +49 30 1234567 oder 0171 2345678",
            {
                ("order_id", "12345"), ("account_id", "55-201"), ("postal_code", "10115"),
                ("amount", "1.234,50 €"), ("date", "5. März"), ("phone", "+49 30 1234567"),
                ("phone", "0171 2345678"),
            },
        ),
        (
            "bonjour, n° de commande 4711, numéro client 445566, payé 49,99 € le 5 mars 2026 😡 "
            "tel 06 12 34 56 78",
            {
                ("order_id", "4711"), ("account_id", "445566"), ("amount", "49,99 €"),
                ("date", "5 mars 2026"), ("phone", "06 12 34 56 78"),
            },
        ),
        (
            "hola, pedido #A-77, codigo postal 28013, me cobraron 12,50 EUR el 5 de marzo, "
            "mi movil +34 612 345 678",
            {
                ("order_id", "A-77"), ("postal_code", "28013"), ("amount", "12,50 EUR"),
                ("date", "5 de marzo"), ("phone", "+34 612 345 678"),
            },
        ),
        (
            "oi, nº do pedido 88123, CEP 01310-100, paguei R$ 1.234,56 em 5 de março, "
            "meu zap (11) 98765-4321",
            {
                ("order_id", "88123"), ("postal_code", "01310-100"), ("amount", "R$ 1.234,56"),
                ("date", "5 de março"), ("phone", "(11) 98765-4321"),
            },
        ),
    ],
)  # fmt: skip
def test_labelled_values_dates_amounts_and_phones_in_local_formats(
    text: str, expected: set[tuple[str, str]]
) -> None:
    found = _facts(ho.summarize(_conv(("customer", text))))
    assert expected <= found, expected - found


@pytest.mark.parametrize(
    ("text", "junk"),
    [
        (
            "Ich schreibe Ihnen jetzt zum 3. Mal, um 14:30 Uhr war die Hotline schon zu!",
            {"3. Mal", "14:30 Uhr"},
        ),
        ("Das ist jetzt schon zum dritten Mal, dass ich anrufe und keiner hilft mir", {"dritten"}),
        ("ya llamé 3 veces y nadie me dice nada, es la tercera vez", {"3 veces"}),
        ("je suis à Paris, 75011 Paris, et personne ne répond depuis 3 jours", {"75011 Paris"}),
        ("Wir haben 40000 Kunden und seit dem 3. Mal keine Antwort erhalten", {"40000"}),
        ("el pedido de 100 unidades llegó roto, 2 veces ya", {"100"}),
    ],
)
def test_counts_times_and_postal_codes_are_not_dates_or_phones(text: str, junk: set[str]) -> None:
    record = ho.summarize(_conv(("customer", text)))
    for fact in record.facts:
        assert fact.value not in junk or fact.kind not in ("date", "phone", "postal_code", "order_id"), fact
    assert not any(f.kind == "phone" for f in record.facts), record.facts


def test_a_postal_code_before_a_city_is_a_postal_code_not_a_phone() -> None:
    record = ho.summarize(
        _conv(("customer", "Guten Tag, meine neue Adresse ist Hauptstraße 5, 10115 Berlin. Danke!"))
    )
    assert ("postal_code", "10115") in _facts(record)
    assert not any(f.kind == "phone" for f in record.facts)


def test_english_conversations_are_not_read_with_other_languages_labels() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "Hi, I was charged twice for my order and I need a refund please"),
            ("customer", "the ticket number 4455 is the same"),
        )
    )
    assert record.language == "en"
    assert not any((f.rule or "").startswith(("id.de", "id.fr", "id.es", "id.pt")) for f in record.facts)


# -- secrets --------------------------------------------------------------------------------------

_SECRET_TEMPLATES = {
    "de": [
        "Mein Passwort ist {p}", "Kennwort: {p}", "mein neues Passwort lautet {p} geht aber nicht",
        "die PIN ist {d}", "TAN {d}", "die TAN von der SMS war {d}", "SMS-Code: {d}",
    ],
    "fr": [
        "mon mot de passe est {p}", "mdp: {p}", "mot de passe : {p}", "code PIN {d}",
        "code de vérification {d}", "le code reçu par SMS est {d}", "les 3 chiffres au dos de la carte {c}",
    ],
    "es": [
        "mi contraseña es {p}", "mi contrasena es {p}", "clave: {p}", "código PIN {d}",
        "el código de verificación es {d}", "el código que me llegó por SMS es {d}", "el PIN de la tarjeta {d}",
    ],
    "pt": [
        "senha: {p}", "minha senha é {p}", "minha senha e {p}", "o código que chegou por SMS é {d}",
        "código de segurança {c}", "senha do cartão {d}", "o código de verificação é {d}",
    ],
}  # fmt: skip
_OPENING = {
    "de": "Hallo, ich komme nicht mehr in mein Konto, es ist gesperrt und ich brauche Hilfe",
    "fr": "Bonjour, je n'arrive plus à me connecter à mon compte, pouvez-vous m'aider ?",
    "es": "Hola, no puedo entrar a mi cuenta desde ayer y necesito ayuda por favor",
    "pt": "Olá, não consigo acessar minha conta desde ontem, preciso de ajuda",
}
_PASSWORDS = ("Sommer2024!", "Xq7#mLp9", "gatito2020")
_DIGITS = ("482913", "615 882", "7391")
_CVV = ("123", "987")


def _secret_cases() -> list[tuple[str, str, str]]:
    cases = []
    for code, templates in _SECRET_TEMPLATES.items():
        for template, (p, d, c) in itertools.product(
            templates, zip(_PASSWORDS, _DIGITS, _CVV * 2, strict=False)
        ):
            secret = p if "{p}" in template else d if "{d}" in template else c
            cases.append((code, template.format(p=p, d=d, c=c), secret))
    return cases


_TRIED = {
    "de": "Haben Sie es schon versucht?",
    "fr": "Avez-vous déjà essayé ?",
    "es": "¿Ya lo ha intentado?",
    "pt": "Você já tentou?",
}


@pytest.mark.parametrize(("code", "text", "secret"), _secret_cases())
def test_no_secret_in_any_field_of_the_record(code: str, text: str, secret: str) -> None:
    conversation = _conv(
        ("customer", _OPENING[code]),
        ("bot", _TRIED[code]),
        ("customer", f"{text}, funktioniert trotzdem nicht 😤" if code == "de" else f"{text} 😤"),
    )
    record = ho.summarize(conversation)
    assert secret not in record.model_dump_json()
    assert _withheld(record), record.facts


@pytest.mark.parametrize(
    ("text", "secret", "kind"),
    [
        ("Minha senha é Floripa@2025, caso precisem testar", "Floripa@2025", "password"),
        ("o token que chegou no e-mail foi 903114", "903114", "code"),
        ("mon mot de passe de l'appli c'est Bretagne!77, si ça peut aider", "Bretagne!77", "password"),
        (
            "Mein Kennwort lautet Hamburg#1987 und die PIN für die Hotline ist 2468",
            "Hamburg#1987",
            "password",
        ),
    ],
)
def test_secrets_with_words_between_label_and_value(text: str, secret: str, kind: str) -> None:
    opening = {"M": "Olá, não consigo entrar na plataforma desde sexta, preciso de ajuda"}.get(text[0], "")
    record = ho.summarize(_conv(*([("customer", opening)] if opening else []), ("customer", text)))
    assert secret not in record.model_dump_json()
    assert kind in _withheld(record), record.facts


def test_german_im_is_not_an_english_im() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "Guten Morgen, ich komme nicht mehr in mein Kundenkonto bei Ihnen"),
            ("customer", "ja, die Mail kommt nicht an, auch nicht im Spam. Meine Karte endet auf 5512"),
        )
    )
    assert not any(f.kind == "name" for f in record.facts), record.facts
    assert ("card_last4", "5512") in _facts(record)


def test_words_about_a_secret_are_not_a_secret() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "Hallo, mein Passwort ist abgelaufen und die PIN ist falsch"),
            ("customer", "mi contraseña es incorrecta, la clave no funciona"),
        )
    )
    assert not _withheld(record)


def test_st08_german_and_spanish_passwords_in_one_message() -> None:
    record = ho.summarize(
        _conv(
            ("customer", "Hallo, ich komme nicht mehr in mein Konto (Kundennummer 55-019-882)."),
            ("bot", "Haben Sie schon versucht, Ihr Passwort zurückzusetzen?"),
            (
                "customer",
                "ja, zweimal. mein Passwort ist jetzt Sonnenblume77, geht trotzdem nicht. "
                "mi contraseña anterior: gatito2020",
            ),
        )
    )
    dumped = record.model_dump_json()
    assert "Sonnenblume77" not in dumped and "gatito2020" not in dumped
    assert ("account_id", "55-019-882") in _facts(record)


def test_every_language_file_has_facts_data() -> None:
    words = fact_words()
    assert {"de", "fr", "es", "pt"} <= set(words)
    for code in ("de", "fr", "es", "pt"):
        assert words[code].asks and words[code].labels and len(words[code].months) >= 12
    kinds = set(secret_labels().kinds.values())
    assert {"password", "pin", "code", "cvv"} <= kinds


# -- platform text of localized exports -----------------------------------------------------------

_WHATSAPP = {
    "es": (
        "18/3/25, 7:02 p. m. - Los mensajes y las llamadas están cifrados de extremo a extremo. Nadie fuera "
        "de este chat, ni siquiera WhatsApp, puede leerlos ni escucharlos.\n"
        "18/3/25, 7:03 p. m. - Lucía: hola, el aire acondicionado que compré no funciona y gotea\n"
        "18/3/25, 7:03 p. m. - Lucía: <Multimedia omitido>\n"
        "18/3/25, 7:03 p. m. - Lucía: <Multimedia omitido>\n"
        "18/3/25, 7:04 p. m. - Tienda: ¿Me da su número de pedido?\n"
        "18/3/25, 7:05 p. m. - Lucía: Se eliminó este mensaje\n"
        "18/3/25, 7:05 p. m. - Lucía: si, 4500-2231 😩\n"
    ),
    "de": (
        "05.03.26, 14:30 - Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt. Tippe, um mehr zu erfahren.\n"
        "05.03.26, 14:31 - Markus: Hallo, meine Waschmaschine zeigt einen Fehler und ich brauche bitte Hilfe\n"
        "05.03.26, 14:31 - Markus: <Medien ausgeschlossen>\n"
        "05.03.26, 14:31 - Markus: Diese Nachricht wurde gelöscht\n"
        "05.03.26, 14:32 - Service: Ihre Kundennummer?\n"
        "05.03.26, 14:33 - Markus: 55-201\n"
    ),
    "fr": (
        "[05/03/2026 14:30:12] Claire: Les messages et les appels sont chiffrés de bout en bout.\n"
        "[05/03/2026 14:30:20] Claire: Bonjour, je n'ai toujours pas reçu ma commande et je suis très déçue\n"
        "[05/03/2026 14:30:40] Claire: image absente\n"
        "[05/03/2026 14:31:02] Claire: Ce message a été supprimé\n"
        "[05/03/2026 14:31:30] SAV: Quel est votre numéro de commande ?\n"
        "[05/03/2026 14:32:00] Claire: c'est le 4711-22\n"
    ),
    "pt": (
        "5/3/26 14:30 - As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta.\n"
        "5/3/26 14:30 - Bruna: Oi, meu pedido ainda não chegou e já faz uma semana\n"
        "5/3/26 14:31 - Bruna: <Mídia oculta>\n"
        "5/3/26 14:31 - Bruna: Esta mensagem foi apagada\n"
        "5/3/26 14:32 - Loja: Qual é o número do pedido?\n"
        "5/3/26 14:33 - Bruna: 889221045\n"
    ),
}


_PLATFORM_WORDS = (
    "cifrados", "verschlüsselt", "chiffrés", "criptografia", "eliminó", "gelöscht", "supprimé", "apagada",
)  # fmt: skip


@pytest.mark.parametrize("code", sorted(_WHATSAPP))
def test_whatsapp_platform_lines_are_not_customer_text(code: str) -> None:
    text = _WHATSAPP[code]
    conversation = ho.load(text)
    assert len(conversation.messages) == text.count("\n")  # every line accounted for
    for message in conversation.messages:
        if message.role == "customer":
            platform = message.metadata.get("media") is True
            assert platform or not any(word in message.text for word in _PLATFORM_WORDS), message
    events = [m for m in conversation.messages if m.kind == "event"]
    assert len(events) == 2 and all(m.role == "system" for m in events)
    media = [m for m in conversation.messages if m.metadata.get("media")]
    assert media and all(m.role == "customer" for m in media)
    record = ho.summarize(conversation)
    assert record.language == code
    assert any(f.value and f.value[:3] in text.splitlines()[-1] for f in record.facts), record.facts


@pytest.mark.parametrize(
    ("body", "quoted_start"),
    [
        ("Danke!\n\nAm 05.03.2026 um 14:30 schrieb Anna Schmidt <a@b.example>:\n> Ihre PIN?", "Am 05.03"),
        ("Merci\n\nLe 5 mars 2026 à 14:30, Jean <j@x.example> a écrit :\n> ancien", "Le 5 mars"),
        ("Gracias\n\nEl 5 mar 2026, a las 14:30, Ana <a@x.example> escribió:\n> viejo", "El 5 mar"),
        ("Obrigada\n\nEm 5 de mar. de 2026, às 14:30, Ana <a@x.example> escreveu:\n> antigo", "Em 5 de"),
        (
            "Hola\n\n-----Mensaje original-----\nDe: Soporte\nEnviado: lunes\nAsunto: x\n\nviejo",
            "-----Mensaje",
        ),
        (
            "Hallo\n\n-----Ursprüngliche Nachricht-----\nVon: X\nGesendet: Montag\nBetreff: y\n\nalt",
            "-----Urspr",
        ),
        ("Hallo\n\nVon: Service\nGesendet: Montag, 3. März 2025\nBetreff: y\n\nalt", "Von: Service"),
        ("Bonjour\n\nDe : SAV\nEnvoyé : lundi 3 mars\nObjet : y\n\nvieux", "De : SAV"),
        ("Oi\n\nDe: Suporte\nEnviado: segunda\nAssunto: y\n\nantigo", "De: Suporte"),
    ],
)
def test_localized_reply_headers_are_cut(body: str, quoted_start: str) -> None:
    reply = split_reply(body)
    assert reply.quoted is not None and reply.quoted.startswith(quoted_start)
    assert quoted_start not in reply.text and reply.text


def test_a_german_html_email_thread() -> None:
    eml = (
        "From: Petra Lange <petra@example.de>\nTo: Service <service@example.de>\nSubject: AW: Rechnung\n"
        "Date: Thu, 6 Mar 2025 09:12:44 +0100\nMessage-ID: <p1@example.de>\nMIME-Version: 1.0\n"
        'Content-Type: text/html; charset="UTF-8"\n\n'
        "<html><body><div>Sehr geehrte Damen und Herren,</div><div>meine Vertragsnummer <b>6600-44-918</b>, "
        "der Abschlag wurde von 89,00&nbsp;€ auf 1.204,00&nbsp;€ erhöht!! Bitte bis zum 15. März korrigieren. "
        "Mein Kennwort für das Portal ist Haus2025#, falls nötig.</div>"
        "<div>Am Mi., 5. März 2025 um 16:20 schrieb Service &lt;service@example.de&gt;:</div>"
        "<blockquote><div>Bitte teilen Sie uns Ihre Vertragsnummer 9999-00-111 mit.</div></blockquote>"
        "</body></html>\n"
    )
    conversation = ho.load(eml.encode())
    record = ho.summarize(conversation)
    found = _facts(record)
    assert {("account_id", "6600-44-918"), ("amount", "89,00\xa0€"), ("date", "15. März")} <= found or {
        ("account_id", "6600-44-918"),
        ("amount", "89,00 €"),
        ("date", "15. März"),
    } <= found, found
    assert not any(v == "9999-00-111" for _, v in found)  # the quoted tail is not the customer's
    assert "Haus2025#" not in record.model_dump_json() and "password" in _withheld(record)

"""Spanish and Portuguese: the rules read requests for a person, bot loops, tried steps,
agent work and promises in the customer's language (issue 12), and English reads as before."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

import handoff_ai as ho
from handoff_ai.models import Conversation, HandoffRecord, Message
from handoff_ai.rules.commitments import promises_in
from handoff_ai.rules.dialogue_data import dialogue_phrases

MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)  # a Monday


def chat(*turns: tuple[str, str]) -> Conversation:
    return Conversation(
        messages=[Message(id=f"m{i}", role=role, text=text) for i, (role, text) in enumerate(turns, 1)]  # type: ignore[arg-type]
    )


def record(*turns: tuple[str, str]) -> HandoffRecord:
    return ho.summarize(chat(*turns))


def promise(text: str) -> tuple[str | None, str | None] | None:
    found = promises_in(Message(id="a1", role="agent", text=text, timestamp=MONDAY))
    return (found[0].due, found[0].due_iso) if found else None


# -- a request for a person ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "quiero hablar con una persona real, por favor",
        "¿Me puede pasar con un asesor? Esto no avanza",
        "pasame con un agente ya",
        "AGENTE!!!",
        "no quiero hablar con una máquina",
        "necesito que me atienda alguien de verdad",
        "Quero falar com um atendente, por favor",
        "me transfere pra um humano",
        "atendente",
        "posso falar com alguém?",
        "Preciso de um atendente humano urgente",
    ],
)
def test_a_request_for_a_person_is_read(text: str) -> None:
    found = record(("bot", "Hola / Olá, ¿en qué puedo ayudarle?"), ("customer", text))
    assert found.handoff.trigger == "customer_request"
    assert found.handoff.type == "ai_to_human"


@pytest.mark.parametrize(
    "text",
    [
        "No hace falta que me pases con nadie, ya lo arreglo yo",
        "el agente de ayer fue muy amable, gracias",
        "¿eres un robot o una persona?",
        "quiero hablar con un asesor comercial sobre la tarifa de empresa",
        "não quero falar com atendente, só quero a segunda via",
        "a atendente de ontem resolveu tudo, obrigado",
        "você é um robô?",
        "gostaria de falar com um consultor de vendas sobre o plano anual",
    ],
)
def test_what_only_looks_like_a_request_is_not_one(text: str) -> None:
    found = record(("bot", "Hola / Olá"), ("customer", text))
    assert found.handoff.trigger not in ("customer_request", "escalation_request")


@pytest.mark.parametrize(
    "text", ["Quiero hablar con su supervisor", "Exijo hablar con el encargado", "quero falar com o gerente"]
)
def test_asking_for_a_supervisor_is_an_escalation(text: str) -> None:
    found = record(("agent", "Buenos días / Bom dia"), ("customer", text))
    assert (found.handoff.type, found.handoff.trigger) == ("tier_escalation", "escalation_request")


# -- a bot loop ---------------------------------------------------------------------------------


def test_a_spanish_bot_loop_is_a_bot_failure() -> None:
    found = record(
        ("customer", "mi factura tiene un cargo que no reconozco"),
        ("bot", "Lo siento, no te he entendido. ¿Puedes reformular tu pregunta?"),
        ("customer", "UN CARGO QUE NO RECONOZCO EN LA FACTURA"),
        ("bot", "Perdona, no he entendido. Elige una de las opciones del menú."),
        ("customer", "como ya te dije, es un cobro duplicado"),
    )
    kinds = {s.kind for s in found.sentiment.frustration_signals}
    assert "as_i_said" in kinds
    assert found.language == "es"


def test_a_portuguese_bot_loop_is_a_bot_failure() -> None:
    found = record(
        ("customer", "minha internet cai toda hora"),
        ("bot", "Desculpe, não entendi. Pode reformular?"),
        ("customer", "como eu já disse, a internet cai"),
    )
    assert "as_i_said" in {s.kind for s in found.sentiment.frustration_signals}
    assert found.language == "pt"


# -- tried steps and their outcome -----------------------------------------------------------------


def step(found: HandoffRecord, word: str) -> tuple[str, str]:
    [action] = [a for a in found.actions_taken if word in a.description.lower()]
    return action.actor, action.outcome


def test_a_suggested_step_and_the_reply_that_it_failed() -> None:
    found = record(
        ("customer", "No tengo internet desde ayer"),
        ("agent", "¿Ha probado a reiniciar el router?"),
        ("customer", "sí, ya lo reinicié dos veces y nada, sigue sin conexión"),
    )
    assert step(found, "reiniciar") == ("customer", "failed")
    assert len(found.actions_taken) == 1  # "reinicié" is the suggested step, not a second one


def test_a_bare_imperative_is_a_suggestion_and_its_success_is_read() -> None:
    found = record(
        ("customer", "a app fecha sozinha quando abro o extrato"),
        ("agent", "Obrigado. Desinstale o aplicativo e instale de novo pela loja, por favor."),
        ("customer", "pronto, reinstalei e agora funciona! valeu"),
    )
    assert step(found, "desinstale") == ("customer", "succeeded")


def test_steps_a_customer_reports_on_their_own() -> None:
    found = record(
        ("customer", "Ya borré la caché y actualicé la aplicación, pero sigue dando el mismo error"),
    )
    assert {a.outcome for a in found.actions_taken} == {"failed"}
    assert len(found.actions_taken) == 2


def test_no_reply_after_a_reported_step_is_a_failure() -> None:
    found = record(("customer", "Já enviei as fotos pelo formulário há uma semana e ninguém me respondeu."))
    assert step(found, "enviei") == ("customer", "failed")


def test_not_tried_is_not_a_step() -> None:
    found = record(
        ("agent", "¿Ha probado a desconectar el cable de red?"),
        ("customer", "no, todavía no lo he probado"),
    )
    assert found.actions_taken == []


def test_agent_work_stated_by_verb_ending() -> None:
    found = record(
        ("customer", "mi cuenta está bloqueada"),
        ("agent", "Listo, hemos desbloqueado su cuenta."),
    )
    assert step(found, "desbloqueado") == ("agent", "succeeded")
    found = record(
        ("customer", "o boleto veio errado"), ("agent", "Já corrigi o boleto e enviei por e-mail.")
    )
    assert step(found, "corrigi") == ("agent", "succeeded")


# -- promises and when they are due ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "due", "due_iso"),
    [
        ("Le llamaremos el martes.", "el martes", "2026-03-03"),
        ("Nos pondremos en contacto con usted mañana.", "mañana", "2026-03-03"),
        ("Te vamos a escribir en 48 horas.", "en 48 horas", "2026-03-04T10:00:00+00:00"),
        ("El reembolso se procesará en 3 a 5 días hábiles.", "en 3 a 5 días hábiles", "2026-03-09"),
        ("Un técnico le visitará el 5 de marzo.", "5 de marzo", "2026-03-05"),
        ("Retornaremos em até 48 horas.", "em até 48 horas", "2026-03-04T10:00:00+00:00"),
        ("Vou te ligar amanhã de manhã.", "amanhã de manhã", "2026-03-03"),
        ("O estorno será processado em 5 dias úteis.", "em 5 dias úteis", "2026-03-09"),
        ("Entraremos em contato na sexta-feira.", "na sexta-feira", "2026-03-06"),
    ],
)  # fmt: skip
def test_promises_in_spanish_and_portuguese(text: str, due: str, due_iso: str) -> None:
    assert promise(text) == (due, due_iso)


@pytest.mark.parametrize(
    "text",
    [
        "No le llamaremos más, se lo prometo.",  # negated before the verb
        "¿Quiere que le llamemos mañana?",  # a question
        "Si lo prefiere, le llamaremos mañana.",  # a condition
        "Usted tendrá que enviarnos el DNI mañana.",  # the customer's task
        "Não vamos ligar amanhã.",
        "Queremos ayudarle lo antes posible.",  # present tense, not a future
    ],
)
def test_not_promises(text: str) -> None:
    assert promise(text) is None


def test_a_customer_never_promises() -> None:
    assert (
        promises_in(Message(id="c1", role="customer", text="Le llamaré el martes.", timestamp=MONDAY)) == []
    )


# -- English reads exactly as before ---------------------------------------------------------------


def test_spanish_forms_that_are_english_words_stay_english() -> None:
    phrases = dialogue_phrases()
    for word in ("complete", "reserve", "active", "use", "sale"):
        assert word not in phrases.verb_bases
        assert word not in phrases.done_forms
    assert "el" not in phrases.filler and "el" in phrases.native_filler


def test_an_english_chat_is_read_as_english() -> None:
    found = record(
        ("customer", "Tried a different HDMI port, still DRM-110.\n\nEnviado do meu iPhone"),
        ("agent", "Please complete the form and reserve a slot; I'll call you back Tuesday."),
    )
    # The English attempt is a step; nothing is read as Spanish or Portuguese ("Enviado", "complete").
    assert [a.rule for a in found.actions_taken] == ["customer.tried"]
    assert found.actions_taken[0].description.startswith("Tried a different HDMI port")
    assert [c.due for c in found.commitments] == ["Tuesday"]


# -- shift notes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("note", "due_iso"),
    [
        (
            "Estado: esperando a ingeniería (ENG-4412). Siguiente: llamar al cliente el martes a las 10:00. "
            "No ofrecer crédito otra vez, ya lo rechazó.",
            "2026-03-03T10:00:00+00:00",
        ),
        (
            "Status: aguardando a engenharia (ENG-4412). Próximo passo: ligar para o cliente na terça às 10:00. "
            "Não oferecer crédito de novo — já recusou.",
            "2026-03-03T10:00:00+00:00",
        ),
    ],
)
def test_a_shift_note_in_the_language_that_reads_most_of_it(note: str, due_iso: str) -> None:
    conversation = Conversation(
        messages=[
            Message(id="c1", role="customer", text="no funciona / não funciona", timestamp=MONDAY),
            Message(id="n1", role="agent", kind="note", text=note, timestamp=MONDAY),
        ]
    )
    found = ho.summarize(conversation)
    assert found.blocker is not None and "ENG-4412" in found.blocker.description
    assert [c.due_iso for c in found.commitments] == [due_iso]
    assert any(s.text.lower().startswith(("no ofrecer", "não oferecer")) for s in found.next_steps)


def test_a_question_whether_a_step_was_done_pairs_with_the_reply() -> None:
    found = record(
        ("customer", "sem internet desde ontem"),
        ("agent", "Você já reiniciou o modem?"),
        ("customer", "sim, já reiniciei duas vezes e continua sem sinal"),
    )
    assert [(a.actor, a.outcome) for a in found.actions_taken] == [("customer", "failed")]
    stated = record(("customer", "sem internet"), ("agent", "Já reiniciei a sua linha pelo sistema."))
    assert [(a.actor, a.outcome) for a in stated.actions_taken] == [("agent", "succeeded")]


def test_english_has_and_question_openers_stay_english() -> None:
    found = record(
        ("customer", "What are your store hours now?"),
        ("agent", "sure, I know a lot has changed recently huh? Let me research the hours for you"),
        ("customer", "Sounds good"),
    )
    assert found.actions_taken == []

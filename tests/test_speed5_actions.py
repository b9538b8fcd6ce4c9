"""The actions stage's fast paths give what the plain forms they replace give.

* ``sentences._ASCII_END`` (the terminator regex for ASCII text) finds the ends ``_END`` finds;
* the statement/suggestion/work readers, handed only a message's words inside the stage's gates
  (``present``), read what they read on all of its words.
"""

from __future__ import annotations

import random

import pytest

from handoff_ai.models import Conversation, Message
from handoff_ai.rules import actions, dialogue, sentences, work
from handoff_ai.rules.actions import extract_actions
from handoff_ai.rules.dialogue_data import dialogue_phrases, dialogue_reader
from handoff_ai.rules.phrases import CueReader
from handoff_ai.rules.ruleset import load_rules


def _ends(pattern: object, text: str) -> list[tuple[int, int]]:
    return [match.span() for match in pattern.finditer(text)]  # type: ignore[attr-defined]


def test_ascii_terminators_as_the_full_regex() -> None:
    rng = random.Random(9)
    alphabet = "ab A.!?\n\t\"')]([-.0"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(20000)]
    texts += ['Dr. Who?! "Yes." (ok.)\n\nNext...', "v2.3.1 ok.\n", "!\n?", ".", "\n", "a.\r\nb", "x.)]\"' y"]
    for text in texts:
        assert _ends(sentences._ASCII_END, text) == _ends(sentences._END, text), text


def test_ascii_terminators_would_catch_a_wrong_regex() -> None:
    """The comparison above tells a regex that misses an end (no line breaks) from the right one."""
    import re

    wrong = re.compile(r"[.!?][.!?]*[\"')\]]*(?=\s|$)")
    assert _ends(wrong, "one\ntwo.") != _ends(sentences._END, "one\ntwo.")


def test_non_ascii_text_keeps_the_full_regex() -> None:
    """CJK stops and curly closers (never in ASCII text) still end sentences."""
    text = "Fertig。次に「はい」！ Und dann ”so.” Ende»... ok."
    assert sentences.sentences(text) == ["Fertig。", "次に「はい」！", "Und dann ”so.”", "Ende»... ok."]
    assert sentences.sentences("Hallo… wie geht’s? Gut.") == ["Hallo… wie geht’s?", "Gut."]


_UGLY = [
    "I've reset your password and sent a new link. Anything else?",
    "We will send it. I will not be able to refund it, sorry.",
    "Please restart the router, then re-pair it. Have you tried reinstalling the app?",
    "Your refund of $349.00 was issued today",
    "I can't waive this one <b>today</b> 🙂",
    "Hemos desbloqueado tu cuenta. Foi enviado o código.",
    "Ich habe das Passwort zurückgesetzt. Nous avons remboursé la commande.",
    "HERE IS YOUR INVOICE: https://example.com/x.pdf",
    "ok",
    "",
    "🙂🙂🙂",
    "Can you check that port 5432 is open? " * 40,
]


def _conversation(rng: random.Random) -> Conversation:
    messages = []
    for n in range(rng.randint(1, 8)):
        role = rng.choice(["agent", "bot", "customer", "customer"])
        text = (
            rng.choice(_UGLY)
            if role != "customer"
            else rng.choice(
                [
                    "still broken",
                    "yes, reinstalled twice, no luck",
                    "that worked!",
                    "I already restarted it",
                    "no",
                ]
            )
        )
        kind = "note" if role == "agent" and rng.random() < 0.15 else "message"
        messages.append(Message(id=f"m{n}", role=role, text=text, kind=kind))
    return Conversation(id="c", messages=messages)


def test_readers_given_the_gated_words_read_as_on_all_words(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stage run with each reader handed the whole message (``present`` = all its words) gives
    the same actions as the stage with the gated words."""
    rules = load_rules()
    rng = random.Random(4)
    conversations = [_conversation(rng) for _ in range(300)]

    def run() -> list[str]:
        out = []
        for conversation in conversations:
            cues = CueReader(rules.phrases)
            out.append(repr([a.model_dump() for a in extract_actions(conversation, rules, cues)]))
        return out

    fast = run()
    real_union = actions._union
    monkeypatch.setattr(actions, "_union", lambda *gates: _AllWords(real_union(*gates)))
    assert run() == fast


class _AllWords(frozenset):  # type: ignore[type-arg]
    """A gate whose ``intersection`` keeps every word: the readers then test all of them."""

    def intersection(self, words):  # type: ignore[no-untyped-def,override]
        return list(words) if not self.isdisjoint(words) else frozenset()


def test_gated_words_would_show_a_gate_that_drops_a_word(monkeypatch: pytest.MonkeyPatch) -> None:
    """Had ``present`` lacked the work verbs, the statement of work would be lost: the test above
    compares something that matters."""
    rules = load_rules()
    conversation = Conversation(
        id="c",
        messages=[Message(id="m1", role="agent", text="I've rebooked you for Thursday and added a credit.")],
    )
    found = extract_actions(conversation, rules, CueReader(rules.phrases))
    assert found
    real = work.work_statements
    monkeypatch.setattr(
        actions, "work_statements", lambda m, i, r, ms, present=None: real(m, i, r, ms, frozenset())
    )
    monkeypatch.setattr(actions, "_statement", lambda *args: None)
    assert extract_actions(conversation, rules, CueReader(rules.phrases)) != found


def test_suggested_with_and_without_present() -> None:
    phrases = dialogue_phrases()
    rules = load_rules()
    for text in _UGLY:
        message = Message(id="m", role="agent", text=text)
        cues = CueReader(rules.phrases)  # kept: the reader holds it by a weak reference
        words = dialogue_reader(cues, phrases).words(text)
        present = phrases.suggestion_gate.intersection(words)
        assert dialogue.suggested(message, words, phrases, present) == dialogue.suggested(
            message, words, phrases
        )

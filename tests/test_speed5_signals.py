"""read_signals scans an agent's or a bot's reply for hand-off cues only when its words pass the
role's two-key-word gate (``handoff_cues.gates_by_role``): a reply the gate turns away must hold
no phrase of those cue lists, on real phrases, their neighbours and ugly text alike."""

from __future__ import annotations

import random

import handoff_ai as ho
from handoff_ai import Conversation, Message
from handoff_ai.rules.handoff_cues import _SCANNED, gates_by_role, key_words_by_role
from handoff_ai.rules.phrases import tokens
from handoff_ai.rules.ruleset import load_rules

UGLY = [
    "",
    "Let me TRANSFER you to our billing team 🙂",
    "Ich leite Sie an einen Kollegen weiter — an den 2nd Level.",
    "Je passe le relais à l'équipe de nuit, bonne soirée !",
    "<p>I'm going to <b>transfer</b> you</p>&nbsp;to someone who can help",
    "Your membership level is gold; going to change the charge now.",
    "Good afternoon! The team is looking into the service until tomorrow morning.",
    "会員レベルを変更します。 level change going team",
    "no te he entendido, ¿puedes repetirlo?",
    "transfer " * 5_000,
    "level change going logging service team looking afternoon " * 300,
]


def _texts(seed: int = 9) -> list[list[str]]:
    """Every phrase of the cue lists read in replies, alone and among other words; the phrase
    less one word; shuffled pairs of phrases; the ugly texts."""
    rng = random.Random(seed)
    index = load_rules().phrases
    wanted = set().union(*_SCANNED.values())
    phrases = [list(words) for label, words in index.phrase_words() if label in wanted]
    found = [tokens(text) for text in UGLY]
    for words in phrases:
        found += [words, ["ok", *words, "now"]]
        if len(words) > 1:
            found.append(words[: rng.randrange(len(words))] + words[rng.randrange(len(words)) + 1 :])
    for _ in range(3000):
        mixed = rng.choice(phrases) + rng.choice(phrases)
        rng.shuffle(mixed)
        found.append(mixed[: rng.randint(1, len(mixed))])
    return found


def test_a_reply_the_gate_turns_away_holds_no_hand_off_phrase() -> None:
    index = load_rules().phrases
    gates = gates_by_role(index)
    keys = key_words_by_role(index)
    for role, labels in _SCANNED.items():
        turned_away = 0
        for words in _texts():
            if not keys[role].isdisjoint(words) and gates[role].may_hold(words):
                continue
            turned_away += 1
            assert not labels.intersection(index.scan(words)), (role, words)
        assert turned_away  # the gate does turn some away


def test_every_hand_off_phrase_passes_its_roles_gate() -> None:
    """Fails if a gate lost a phrase's key words: that phrase would never be found."""
    index = load_rules().phrases
    gates = gates_by_role(index)
    for role, labels in _SCANNED.items():
        for label, words in index.phrase_words():
            if label in labels:
                assert gates[role].may_hold(list(words)), (role, label, words)


def _record(*turns: tuple[str, str]) -> ho.HandoffRecord:
    return ho.summarize(
        Conversation(messages=[Message(id=f"m{i}", role=r, text=t) for i, (r, t) in enumerate(turns, 1)])
    )


def test_a_transfer_is_still_read_and_a_key_word_alone_is_not_one() -> None:
    moved = _record(
        ("customer", "My invoice shows the wrong amount."),
        ("agent", "I'm sorry about that. Let me TRANSFER you to our billing team 🙂"),
    )
    assert moved.handoff.trigger == "agent_transfer"
    assert [e.kind for e in moved.history] == ["transfer"]
    stayed = _record(
        ("customer", "My invoice shows the wrong amount."),
        ("agent", "Your membership level is gold; going to change the charge now, the team agrees."),
    )
    assert stayed.handoff.trigger is None
    assert not [e for e in stayed.history if e.kind == "transfer"]

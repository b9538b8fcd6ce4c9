"""Dialogflow CX: conversation history, or a test case's conversation turns.

Two documented shapes:

- the **Conversation** resource of conversation history (``GET
  projects/*/locations/*/agents/*/conversations/*``): ``interactions[]``, each
  with ``request`` (a DetectIntentRequest: ``queryInput.text.text``,
  ``queryInput.event.event``, ``queryInput.dtmf.digits``, …), ``response``
  (``queryResult.responseMessages[]``) and ``createTime``. Reference:
  https://cloud.google.com/python/docs/reference/dialogflow-cx/1.34.1/google.cloud.dialogflowcx_v3beta1.types.Conversation
  (``Conversation.Interaction``)
- a **test case** (``conversationTurns[]`` / ``testCaseConversationTurns[]``,
  also inside ``lastTestResult``): ``userInput.input`` and
  ``virtualAgentOutput.textResponses[]``. Reference:
  https://cloud.google.com/python/docs/reference/dialogflow-cx/1.29.0/google.cloud.dialogflowcx_v3.types.ConversationTurn

Event inputs other than no-match / no-input (``WELCOME``, custom triggers) and
``endInteraction`` are platform housekeeping, marked ``metadata["bookkeeping"]
= True`` so they are not listed as actions.

Each interaction or turn gives: the user's input → customer message (text
input, DTMF digits), or a ``system`` event for an event or intent input
(``event welcome``); then one bot message per text response (its ``text[]``
lines joined), and bot events for ``liveAgentHandoff`` (``live agent handoff
requested`` — the handoff trigger), ``endInteraction``, ``conversationSuccess``
and custom ``payload`` responses. Without response messages, the
``responseUtterances`` text is the bot's message. An interaction's messages
share its ``createTime``; interactions are read oldest first by ``createTime``,
whatever order the export lists them in. The matched intent, page and parameters go to the bot
messages' metadata. Channel: ``dialogflow``. Auto-detected by an
``interactions`` list of objects with ``request``/``response``, or a
conversation-turns list of objects with ``userInput``/``virtualAgentOutput``.
"""

from __future__ import annotations

from typing import Any, Final

from ..models import Conversation
from ._common import default_id
from ._input import ParserInput
from ._registry import register_parser
from ._vendor import (
    Timeline,
    as_dict,
    fail,
    item_list,
    json_value,
    objects,
    opt_dict,
    opt_list,
    rest,
    sniff_items,
    sniff_value,
    stamp,
)

__all__ = ["DialogflowCXParser"]

FORMAT: Final = "dialogflow_cx"
CHANNEL: Final = "dialogflow"
_TURN_KEYS: Final = ("conversationTurns", "testCaseConversationTurns")
_RESULT_KEYS: Final = ("match", "intent", "currentPage", "parameters", "intentDetectionConfidence")


def _find(value: Any) -> tuple[Any, str, str] | None:
    """(items, their pointer, "interactions" or "turns")."""
    if not isinstance(value, dict):
        return None
    if "interactions" in value:
        return value["interactions"], "interactions", "interactions"
    for key in _TURN_KEYS:
        if key in value:
            return value[key], key, "turns"
    last = value.get("lastTestResult")
    if isinstance(last, dict) and "conversationTurns" in last:
        return last["conversationTurns"], "lastTestResult.conversationTurns", "turns"
    return None


def _looks_right(item: Any, shape: str) -> bool:
    keys = ("request", "response") if shape == "interactions" else ("userInput", "virtualAgentOutput")
    return isinstance(item, dict) and any(isinstance(item.get(k), dict) for k in keys)


def _texts(message: dict[str, Any], at: str) -> str | None:
    text = message.get("text")
    if text is None:
        return None
    lines = opt_list(as_dict(text, FORMAT, f"{at}.text"), "text", FORMAT, f"{at}.text.text")
    return "\n".join(line for line in lines if isinstance(line, str)).strip()


# Input events that say something about the customer's turn (the bot did not understand or heard
# nothing); every other event input (WELCOME, custom triggers) is platform housekeeping.
_MEANINGFUL: Final = ("sys.no-match", "sys.no-input", "no-match", "no-input")


class DialogflowCXParser:
    """Dialogflow CX conversation history or test-case turns."""

    def sniff(self, data: ParserInput) -> bool:
        found = _find(sniff_value(data))
        if found is None:
            return False
        items, _, shape = found
        return sniff_items(items, lambda item: _looks_right(item, shape))

    def parse(self, data: ParserInput, *, id: str | None, file: str | None) -> Conversation:
        value = json_value(data, FORMAT)
        found = _find(value)
        if found is None:
            fail(FORMAT, "expected 'interactions' or 'conversationTurns'", data.prefix)
        raw_items, base, shape = found
        items = item_list(data, FORMAT, raw_items, base)
        timeline = Timeline(FORMAT, data, file)
        for pointer, _, item in objects(data, FORMAT, items, base):
            if shape == "interactions":
                self._interaction(timeline, pointer, item)
            else:
                self._turn(timeline, pointer, item)
        name = value.get("name")
        found_id = name.rsplit("/", 1)[-1] if isinstance(name, str) else value.get("displayName")
        return timeline.build(id or default_id(found_id, data), rest(value, {base.split(".")[0]}))

    @staticmethod
    def _user(
        timeline: Timeline, pointer: str, query: dict[str, Any], when: Any, meta: dict[str, Any]
    ) -> None:
        """The user's side of a turn: text or digits → customer, events and intents → system events."""
        at = timeline.where(pointer)
        if "text" in query:
            text = as_dict(query["text"], FORMAT, f"{at}.text").get("text")
            timeline.add(
                f"{pointer}.text",
                role="customer",
                text=str(text or "").strip(),
                timestamp=when,
                channel=CHANNEL,
                metadata=meta,
            )
        elif "dtmf" in query:
            digits = as_dict(query["dtmf"], FORMAT, f"{at}.dtmf").get("digits")
            timeline.add(
                f"{pointer}.dtmf",
                role="customer",
                text=str(digits or ""),
                timestamp=when,
                channel=CHANNEL,
                metadata={**meta, "dtmf": True},
            )
        elif query:
            kind, detail = next(iter(query.items()))
            label = detail.get("event", detail.get("intent")) if isinstance(detail, dict) else detail
            text = f"{kind} {label}" if isinstance(label, str) else kind
            extra: dict[str, Any] = {"input": query}
            if kind == "event" and not (isinstance(label, str) and label.lower().startswith(_MEANINGFUL)):
                extra["bookkeeping"] = True  # WELCOME and other triggers the platform sends itself
            timeline.add(
                f"{pointer}.{kind}",
                role="system",
                kind="event",
                text=text,
                timestamp=when,
                channel=CHANNEL,
                metadata={**meta, **extra},
            )

    @staticmethod
    def _bot(
        timeline: Timeline, pointer: str, message: dict[str, Any], when: Any, meta: dict[str, Any]
    ) -> None:
        at = timeline.where(pointer)
        text = _texts(message, at)
        if text is not None:
            timeline.add(pointer, role="bot", text=text, timestamp=when, channel=CHANNEL, metadata=dict(meta))
            return
        labels = {
            "liveAgentHandoff": "live agent handoff requested",
            "endInteraction": "end interaction",
            "conversationSuccess": "conversation success",
        }
        label = next((labels[k] for k in labels if k in message), None)
        if label is None and "outputAudioText" in message:
            spoken = as_dict(message["outputAudioText"], FORMAT, f"{at}.outputAudioText")
            said = spoken.get("text", spoken.get("ssml"))
            timeline.add(
                pointer,
                role="bot",
                text=str(said or "").strip(),
                timestamp=when,
                channel=CHANNEL,
                metadata=dict(meta),
            )
            return
        if label is None:
            kinds = sorted(message) or ["empty"]
            label = "sent " + ", ".join(kinds)
        details = {k: v for k, v in message.items() if k != "text"}
        if "endInteraction" in message:
            details["bookkeeping"] = True
        timeline.add(
            pointer,
            role="bot",
            kind="event",
            text=label,
            timestamp=when,
            channel=CHANNEL,
            metadata={**meta, **details},
        )

    def _interaction(self, timeline: Timeline, pointer: str, item: dict[str, Any]) -> None:
        at = timeline.where(pointer)
        when = stamp(item.get("createTime"), FORMAT, f"{at}.createTime")
        request = opt_dict(item, "request", FORMAT, f"{at}.request")
        query = opt_dict(request, "queryInput", FORMAT, f"{at}.request.queryInput")
        query = {k: v for k, v in query.items() if k != "languageCode"}
        if query:
            self._user(timeline, f"{pointer}.request.queryInput", query, when, {})
        elif isinstance(item.get("requestUtterances"), str):
            timeline.add(
                f"{pointer}.requestUtterances",
                role="customer",
                text=item["requestUtterances"].strip(),
                timestamp=when,
                channel=CHANNEL,
            )
        response = opt_dict(item, "response", FORMAT, f"{at}.response")
        result = opt_dict(response, "queryResult", FORMAT, f"{at}.response.queryResult")
        meta: dict[str, Any] = {k: result[k] for k in _RESULT_KEYS if k in result}
        base = f"{pointer}.response.queryResult.responseMessages"
        messages = opt_list(result, "responseMessages", FORMAT, timeline.where(base))
        for index, message in enumerate(messages):
            where = f"{base}[{index}]"
            self._bot(timeline, where, as_dict(message, FORMAT, timeline.where(where)), when, meta)
        if not messages and isinstance(item.get("responseUtterances"), str):
            timeline.add(
                f"{pointer}.responseUtterances",
                role="bot",
                text=item["responseUtterances"].strip(),
                timestamp=when,
                channel=CHANNEL,
                metadata=meta,
            )

    def _turn(self, timeline: Timeline, pointer: str, item: dict[str, Any]) -> None:
        at = timeline.where(pointer)
        user = opt_dict(item, "userInput", FORMAT, f"{at}.userInput")
        query = opt_dict(user, "input", FORMAT, f"{at}.userInput.input")
        query = {k: v for k, v in query.items() if k != "languageCode"}
        if query:
            self._user(timeline, f"{pointer}.userInput.input", query, None, {})
        output = opt_dict(item, "virtualAgentOutput", FORMAT, f"{at}.virtualAgentOutput")
        meta: dict[str, Any] = {}
        for key in ("triggeredIntent", "currentPage", "sessionParameters"):
            if key in output:
                meta[key] = output[key]
        base = f"{pointer}.virtualAgentOutput.textResponses"
        for index, message in enumerate(opt_list(output, "textResponses", FORMAT, timeline.where(base))):
            where = f"{base}[{index}]"
            lines = as_dict(message, FORMAT, timeline.where(where)).get("text")
            wrapped = {"text": {"text": lines if isinstance(lines, list) else []}}
            self._bot(timeline, where, wrapped, None, meta)


register_parser(
    FORMAT,
    description="Dialogflow CX conversation history (interactions) or test-case conversation turns",
    extensions=(".json",),
    priority=40,
)(DialogflowCXParser())

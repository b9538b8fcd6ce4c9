"""Rasa: a conversation tracker as the tracker store / HTTP API returns it.

Input: ``{"sender_id": ..., "events": [...], ...}`` (``GET
/conversations/{conversation_id}/tracker``, or an exported tracker), or (by
name only) a bare list of events. Reference:
https://rasa.com/docs/rasa/next/action-server/events (the event JSON) and
https://rasa.com/docs/rasa-pro/concepts/events.

Each event has ``event`` and ``timestamp`` (epoch seconds, fractional):

- ``user`` → customer message (``text``; the parsed intent name and
  confidence go to ``metadata["intent"]``, entities to ``metadata["entities"]``);
- ``bot`` → bot message (``text``; buttons, images, custom payloads in
  ``metadata["data"]``);
- ``action`` → bot event ``ran <name>`` (``policy``, ``confidence`` kept), and
  for a custom action what the bot said next, its visible result (``ran
  action_check_order → Order A-20931 is delayed``) —
  except ``action_listen``, which Rasa logs after every bot turn and which says
  nothing: it is left out of the timeline and counted in
  ``conversation.metadata["skipped"]["action_listen"]``, so nothing goes missing
  silently;
- ``slot`` → system event ``slot <name> set`` (``reset`` when the value is null);
  the value is in ``metadata["value"]``;
- ``session_started`` → ``session started``, ``restart`` → ``conversation
  restarted``; every other event (``active_loop``, ``followup``,
  ``reset_slots``, ``user_featurization``, ``pause``, ``resume``, ``rewind``,
  flow events, …) → a system event named after it (``active loop
  order_form``).

Framework housekeeping — Rasa's built-in actions (``action_session_start``,
``action_restart``, …), response actions (``utter_*``: what they say follows as
the bot's message), slot, session, restart, loop and flow events — stays
in the timeline with ``metadata["bookkeeping"] = True``: the rules engine does
not list it as something already tried. Every field an event has beyond those
read is kept in its metadata. Channel:
the user event's ``input_channel``, else the tracker's
``latest_input_channel``, else ``rasa``. Auto-detected when the object has a
``sender_id`` and an ``events`` list of objects with an ``event`` name.
"""

from __future__ import annotations

import json
from typing import Any, Final

from ..models import Conversation, MessageKind, Role
from ._common import default_id
from ._input import ParserInput
from ._registry import register_parser
from ._vendor import (
    Timeline,
    fail,
    objects,
    opt_dict,
    opt_str,
    rest,
    sniff_items,
    sniff_value,
    stamp,
    wrapped_list,
)

__all__ = ["RasaParser"]

FORMAT: Final = "rasa"
_CONSUMED: Final = frozenset(("event", "timestamp", "text", "parse_data", "input_channel"))
# Rasa's own built-in actions and its state events: the framework keeping house, not something the
# bot did for the customer. They stay in the timeline, marked ``metadata["bookkeeping"]``.
_BUILTIN_ACTIONS: Final = frozenset((
    "action_session_start", "action_restart", "action_back", "action_deactivate_loop",
    "action_extract_slots", "action_unlikely_intent", "action_validate_slot_mappings",
    "action_run_slot_rejections", "action_clean_stack", "action_trigger_flow", "action_cancel_flow",
    "action_correct_flow_slot", "action_clarify_flows", "action_reset_routing",
))  # fmt: skip
_BOOKKEEPING_EVENTS: Final = frozenset((
    "slot", "session_started", "restart", "active_loop", "loop", "form", "form_validation",
    "followup", "reset_slots", "user_featurization", "entities", "rewind", "stack", "routing_session_ended",
))  # fmt: skip
_NAMED: Final = {"session_started": "session started", "restart": "conversation restarted"}


def _is_event(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("event"), str)


def _intent(parse_data: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    intent = parse_data.get("intent")
    if isinstance(intent, dict):
        found["intent"] = {k: intent[k] for k in ("name", "confidence") if k in intent}
    if parse_data.get("entities"):
        found["entities"] = parse_data["entities"]
    return found


def _custom(action: Any) -> bool:
    """A custom action (``action_check_order``): not built in, not a response (``utter_*``, said next)."""
    return (
        isinstance(action, str)
        and action not in _BUILTIN_ACTIONS
        and action != "action_listen"
        and not action.startswith("utter_")
    )


def _results(events: list[Any]) -> dict[int, str]:
    """Index of a custom action event → the first thing the bot said after it (its visible result)."""
    found: dict[int, str] = {}
    pending: int | None = None
    for index, item in enumerate(events):
        if not isinstance(item, dict):
            continue
        name = item.get("event")
        if name == "action":
            action = item.get("name")
            pending = index if _custom(action) else None
        elif name == "user":
            pending = None
        elif name == "bot" and pending is not None:
            text = item.get("text")
            if isinstance(text, str) and text.strip():
                found[pending] = text.strip()
                pending = None
    return found


class RasaParser:
    """Rasa tracker events."""

    def sniff(self, data: ParserInput) -> bool:
        value = sniff_value(data)
        if not isinstance(value, dict) or "sender_id" not in value:
            return False
        return sniff_items(value.get("events"), _is_event)

    def parse(self, data: ParserInput, *, id: str | None, file: str | None) -> Conversation:
        events, base, tracker = wrapped_list(data, FORMAT, "events", "a list of events")
        default_channel = tracker.get("latest_input_channel")
        channel = default_channel if isinstance(default_channel, str) and default_channel else FORMAT
        sender = tracker.get("sender_id")
        timeline = Timeline(FORMAT, data, file)
        results = _results(events)
        for position, (pointer, at, item) in enumerate(objects(data, FORMAT, events, base)):
            name = opt_str(item, "event", FORMAT, f"{at}.event")
            if not name:
                fail(FORMAT, "event has no name", f"{at}.event")
            if name == "action" and item.get("name") == "action_listen":
                timeline.skip("action_listen")
                continue
            role, kind, text, metadata = self._read(name, item, at)
            if (
                name in _BOOKKEEPING_EVENTS
                or name.startswith("flow_")
                or (name == "action" and not _custom(item.get("name")))
            ):
                metadata["bookkeeping"] = True
            elif name == "action" and position in results:
                text += f" → {results[position]}"  # what the action found, as the bot then said it
            own_channel = item.get("input_channel")
            timeline.add(
                pointer,
                role=role,
                kind=kind,
                text=text,
                timestamp=stamp(item.get("timestamp"), FORMAT, f"{at}.timestamp"),
                author=sender if role == "customer" and isinstance(sender, str) else None,
                channel=own_channel if isinstance(own_channel, str) and own_channel else channel,
                metadata=metadata,
            )
        return timeline.build(id or default_id(sender, data), tracker)

    @staticmethod
    def _read(name: str, item: dict[str, Any], at: str) -> tuple[Role, MessageKind, str, dict[str, Any]]:
        """(role, kind, text, metadata) of one event."""
        metadata = rest(item, _CONSUMED)
        if name in ("user", "bot"):
            text = (opt_str(item, "text", FORMAT, f"{at}.text") or "").strip()
            if name == "bot":
                return "bot", "message", text, metadata
            metadata.update(_intent(opt_dict(item, "parse_data", FORMAT, f"{at}.parse_data")))
            return "customer", "message", text, metadata
        if name == "action":
            action = opt_str(item, "name", FORMAT, f"{at}.name")
            if not action:
                fail(FORMAT, "action event has no name", f"{at}.name")
            return "bot", "event", f"ran {action}", metadata
        if name == "slot":
            slot = opt_str(item, "name", FORMAT, f"{at}.name")
            if not slot:
                fail(FORMAT, "slot event has no name", f"{at}.name")
            verb = "reset" if item.get("value") is None else "set"
            return "system", "event", f"slot {slot} {verb}", metadata
        text = _NAMED.get(name, name.replace("_", " "))
        detail = item.get("name")
        if name not in _NAMED and detail is not None:
            text += f" {detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False)}"
        return "system", "event", text, metadata


register_parser(
    FORMAT,
    description="Rasa tracker events (user, bot, action, slot, session events)",
    extensions=(".json",),
    priority=40,
)(RasaParser())

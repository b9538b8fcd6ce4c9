"""The escalation policy: the team's rules for when a bot hands off, as data.

A policy is a TOML/JSON file or a dict::

    [triggers]
    human_request = true     # an explicit request for a person escalates
    bot_loop = 2             # fallback replies / repeated menus / rephrasings before escalating (0: off)
    failed_actions = 2       # failed tool or system actions before escalating (0: off)
    frustration = 3          # frustration score before escalating (true = 3, false/0 = off)
    out_of_scope = true      # the bot saying it cannot help with this escalates
    policy_phrases = true    # legal threats and account takeover always escalate

    [intents.refund]
    required = ["order_id", "email"]   # fact kinds to collect before a handoff
    escalate = false                   # never hand off automatically (a human request still does)

    [intents.fraud_security]
    escalate = true                    # always hand off

A taxonomy's intents may carry the same two keys (``escalate``, ``required``); the
policy's entry for an intent wins over the taxonomy's. Everything is validated: a bad
value raises ``ConfigError`` naming where (``intents.refund.required.0``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..exceptions import ConfigError
from ..taxonomy import parse_data, read_data_file

__all__ = [
    "DEFAULT_FRUSTRATION", "EscalationPolicy", "IntentRule", "PolicyLike", "Triggers", "resolve_policy",
]  # fmt: skip

DEFAULT_FRUSTRATION = 3
"""Frustration score that escalates when ``frustration = true`` (see docs/escalation.md)."""


class Triggers(BaseModel):
    """Which triggers are on, and their thresholds (``0`` turns a counted trigger off)."""

    model_config = ConfigDict(extra="forbid")

    human_request: bool = True
    bot_loop: int = Field(2, ge=0)
    failed_actions: int = Field(2, ge=0)
    frustration: int = Field(DEFAULT_FRUSTRATION, ge=0)
    out_of_scope: bool = True
    policy_phrases: bool = True

    @field_validator("frustration", mode="before")
    @classmethod
    def _flag(cls, value: Any) -> Any:
        if value is True:
            return DEFAULT_FRUSTRATION
        if value is False:
            return 0
        return value


class IntentRule(BaseModel):
    """What the policy says about one intent."""

    model_config = ConfigDict(extra="forbid")

    required: list[str] = Field(default_factory=list, description="Fact kinds to collect before a handoff.")
    escalate: bool | None = Field(None, description="True: always hand off; False: never automatically.")
    team: str | None = Field(None, description="Route to this team instead of the taxonomy's.")

    @field_validator("required")
    @classmethod
    def _kinds(cls, value: list[str]) -> list[str]:
        for kind in value:
            if not kind or not kind.replace("_", "").isalnum():
                raise ValueError(f"not a fact kind: {kind!r}")
        return list(dict.fromkeys(value))


class EscalationPolicy(BaseModel):
    """Triggers and per-intent rules. ``EscalationPolicy()`` is the packaged default's
    triggers with no intent rules; ``EscalationPolicy.default()`` adds the packaged rules."""

    model_config = ConfigDict(extra="forbid")

    triggers: Triggers = Field(default_factory=Triggers)
    intents: dict[str, IntentRule] = Field(default_factory=dict)

    def rule(self, intent: str, taxonomy: Any = None) -> IntentRule:
        """The rule for ``intent``: this policy's, else the taxonomy intent's keys, else empty."""
        found = self.intents.get(intent)
        if found is not None:
            return found
        spec = taxonomy.intent(intent) if taxonomy is not None else None
        required = getattr(spec, "required", None) or []
        escalate = getattr(spec, "escalate", None)
        if required or escalate is not None:
            return IntentRule(required=list(required), escalate=escalate)
        return IntentRule()

    @classmethod
    def load(cls, path: str | Path) -> EscalationPolicy:
        """Read a policy from a ``.toml`` or ``.json`` file.

        Raises:
            ConfigError: missing, unreadable, or not a valid policy.
        """
        raw, source, toml = read_data_file(path, what="policy")
        return cls.from_bytes(raw, source=source, toml=toml)

    @classmethod
    def from_bytes(cls, raw: bytes, *, source: str = "<policy>", toml: bool = False) -> EscalationPolicy:
        """Parse TOML or JSON policy text."""
        return cls.from_dict(parse_data(raw, source=source, toml=toml), source=source)

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "<policy>") -> EscalationPolicy:
        """Validate a mapping into a policy, raising ``ConfigError`` on bad input."""
        if not isinstance(data, dict):
            raise ConfigError(f"a policy is a mapping, not {type(data).__name__}", source=source)
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "<root>"
            raise ConfigError(f"{where}: {first['msg']}", source=source) from None

    @classmethod
    def default(cls) -> EscalationPolicy:
        """The packaged policy (``escalation/data/policy.toml``; shared, do not mutate)."""
        return _default_policy()


PolicyLike = EscalationPolicy | str | Path | dict[str, Any] | None


def resolve_policy(policy: PolicyLike) -> EscalationPolicy:
    """A policy from any accepted form (``None``: the packaged default)."""
    if policy is None:
        return EscalationPolicy.default()
    if isinstance(policy, EscalationPolicy):
        return policy
    if isinstance(policy, (str, Path)):
        return EscalationPolicy.load(policy)
    if isinstance(policy, dict):
        return EscalationPolicy.from_dict(policy)
    raise ConfigError(f"policy must be an EscalationPolicy, a path or a dict, not {type(policy).__name__}")


@lru_cache(maxsize=1)
def _default_policy() -> EscalationPolicy:
    from importlib import resources

    raw = resources.files("handoff_ai.escalation").joinpath("data/policy.toml").read_bytes()
    return EscalationPolicy.from_bytes(raw, source="handoff_ai/escalation/data/policy.toml", toml=True)

"""The report of a merge: what :func:`handoff_ai.merge.merge` did, in numbers and ids.

``MergeReport`` and its parts are stored as JSON data in the merged
conversation's ``metadata["merge"]``; ``MergeReport.of`` reads them back.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..models import Conversation

__all__ = ["DuplicateMessage", "DuplicateReason", "MergeReport", "MergedInput", "RenamedId"]

DuplicateReason = Literal["mirrored", "resent", "regenerated"]


class _ReportPart(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MergedInput(_ReportPart):
    """One input conversation, as the merge saw it."""

    label: str = Field(description="Unique name of the input: its channel, else channel:conversation id.")
    conversation_id: str
    position: int = Field(description="Index of the input in the sequence given to merge().")
    channel: str = Field(description="The input's channel (given to its messages that had none).")
    messages: int = Field(description="Messages in the input.")
    kept: int = Field(description="Of those, messages in the merged timeline.")
    person: str = Field(description="The customer this input was resolved to.")
    identifiers: list[str] = Field(
        default_factory=list, description="Kinds of customer identifiers found (email, phone, id, mapped)."
    )


class DuplicateMessage(_ReportPart):
    """An input message that is not in the timeline, and why."""

    input: str = Field(description="Label of the input it came from.")
    id: str = Field(description="Its id in that input.")
    kept: str | None = Field(description="Merged id of the message kept in its place.")
    reason: DuplicateReason


class RenamedId(_ReportPart):
    """A message whose id changed because another input used the same id."""

    input: str
    original: str = Field(description="The id in the input.")
    merged: str = Field(description="The id in the merged conversation.")


class MergeReport(_ReportPart):
    """What ``merge`` did; stored as JSON data in the merged ``metadata["merge"]``.

    Holds ids, labels and counts, never message text or identifier values.
    """

    inputs: list[MergedInput] = Field(default_factory=list, description="In tie-break order.")
    people: list[str] = Field(default_factory=list, description="Customers the inputs resolved to.")
    duplicates: list[DuplicateMessage] = Field(default_factory=list)
    renamed: list[RenamedId] = Field(default_factory=list)
    events: list[str] = Field(default_factory=list, description="Ids of the channel-switch events added.")
    warnings: list[str] = Field(default_factory=list)

    @classmethod
    def of(cls, conversation: Conversation) -> MergeReport | None:
        """The report of a merged conversation, or ``None`` if it was not merged."""
        data = conversation.metadata.get("merge")
        return None if data is None else cls.model_validate(data)

    def counts(self) -> dict[str, int]:
        """Numbers for a log line: inputs, messages, timeline, duplicates, renamed, channel switches."""
        messages = sum(i.messages for i in self.inputs)
        return {
            "inputs": len(self.inputs),
            "messages": messages,
            "timeline": messages - len(self.duplicates) + len(self.events),
            "duplicates": len(self.duplicates),
            "renamed": len(self.renamed),
            "channel_switches": len(self.events),
        }

"""Stage 2, merge: several conversations of one customer become one timeline.

    import handoff_ai as ho
    conversation = ho.merge([ho.load("chat.json"), ho.load("thread.eml")])
    report = ho.MergeReport.of(conversation)     # what the merge did, in numbers and ids

``merge`` is pure: it copies the messages it keeps and never changes the inputs.
The rules it follows (``docs/merge.md`` has worked examples):

- **One customer.** Inputs are linked when their customer shares an email, a
  phone number (digits only, a leading ``00`` read as ``+``) or a customer/contact
  id, or when ``identities`` maps their identifiers to the same person. Inputs
  that carry identifiers but link to different people raise ``UsageError``
  (merging two customers leaks one's data into the other's record), unless
  ``allow_multiple_customers=True``. Inputs without any identifier join the others.
- **Order.** By time, timezone-aware; a naive time is UTC (the model's rule). A
  message without a time inherits the time of the previous message of its own
  input, or of the input's first timed message when none precedes it. An input
  never changes its own order: a message timed before its predecessor is placed
  as if at the predecessor's time. Inputs with no time at all come after every
  timed message. Ties go to the input that starts earlier, then to channel,
  conversation id and content (never to argument order, so any permutation of
  the inputs gives the same timeline), then to the position within the input.
- **Duplicates.** Same normalized text (case and spacing folded), same role and
  kind, same customer (or, for bot and agent, the same author when both name
  one), both timed and at most ``duplicate_window`` apart: the later copy is
  dropped and reported as ``mirrored`` (another input or channel) or ``resent``
  (same input and channel); the kept copy lists it in ``metadata["duplicates"]``.
  Within one input a copy is a re-send only while its author keeps the turn:
  after a reply in between, saying it again is a repeat, and stays. Logged
  events (role ``system`` or kind ``event``: a retried tool call) are never
  collapsed, nor are messages without text.
- **Ids.** An id used by one input only is kept; an id found in several inputs
  becomes ``<input label>:<id>`` (``email:m3``), with the source's id in
  ``metadata["original_id"]`` and the pair in the report.
- **Channel switches** become ``system`` events (``Channel switch: chat → email``)
  whose ``channel`` is the new channel, so the rules backend's channel-change
  history fires once, at the event. A switch event from an earlier merge is
  regenerated (reported as ``regenerated``), never doubled.

Every input message ends up either in the timeline or in ``MergeReport.duplicates``;
``merge`` checks this before returning. :func:`split` goes the other way: a
shared channel into one conversation per thread.

Never imports: rules, llm, backends, renderers, apps (a merge reads the contract only).
"""

from __future__ import annotations

from .identity import DifferentCustomersError
from .report import DuplicateMessage, DuplicateReason, MergedInput, MergeReport, RenamedId
from .timeline import merge, split

__all__ = [
    "DifferentCustomersError",
    "DuplicateMessage",
    "DuplicateReason",
    "MergeReport",
    "MergedInput",
    "RenamedId",
    "merge",
    "split",
]

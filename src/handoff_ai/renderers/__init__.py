"""Stage 6, render: a handoff record as a Markdown note, plain text, HTML, JSON or a rich panel.

A renderer is any function ``(HandoffRecord) -> str`` registered under a name::

    from handoff_ai.renderers import register_renderer, render

    @register_renderer("zendesk_note", description="Zendesk private comment body")
    def render_zendesk(record: HandoffRecord) -> str: ...

    render(record, "zendesk_note")

The built-in renderers register themselves when this package is imported; a
test pins their names. The text formats share one layout
(:mod:`handoff_ai.renderers._note`), so they show the same sections in the same
order and differ only in markup and escaping.

Errors: an unknown name is the caller's mistake (:class:`~handoff_ai.exceptions.UsageError`,
listing the known names); a renderer that fails raises
:class:`~handoff_ai.exceptions.RenderError`, chained to the cause, with a message
that never quotes record content.

Never imports: parsers, merge, rules, llm, backends, apps. Renderers read a finished
record only; they also give ``HandoffRecord.to_markdown()`` and friends their output,
through a hook the record exposes (so the record imports nothing of theirs).
"""

from __future__ import annotations

from ..models.record import set_render_hooks
from . import (  # noqa: F401  (importing registers the built-in renderers)
    chatwoot,
    freshdesk,
    html,
    html_email,
    intercom,
    json,
    markdown,
    rich,
    slack,
    teams,
    text,
    zendesk,
)
from .registry import Renderer, RendererInfo, register_renderer, render, renderer_descriptions, renderer_names

__all__ = [
    "Renderer",
    "RendererInfo",
    "register_renderer",
    "render",
    "renderer_descriptions",
    "renderer_names",
]

# The built-in renderers above registered themselves on import; the record's shortcuts
# (to_markdown, to_text, to_html, __rich__) now have something to call.
set_render_hooks(render=render, rich=rich.to_rich)

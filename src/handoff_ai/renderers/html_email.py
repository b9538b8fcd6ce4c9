"""The note as a complete HTML e-mail document, plus a ready multipart message.

``html_email`` renders an ``<!doctype html>`` document around the ``html``
fragment (:mod:`handoff_ai.renderers.html`): a UTF-8 ``<head>``, a title, a
hidden preheader (the summary, which inboxes show next to the subject) and only
inline styles — no ``<style>`` block, scripts or remote resources, which mail
clients strip or block. The ``html`` renderer stays the fragment for notebooks
and web pages.

The plain-text alternative is the ``text`` renderer. :func:`email_message`
puts both into a standard-library :class:`~email.message.EmailMessage`
(``multipart/alternative``, text first as RFC 2046 asks, HTML preferred);
sending it is the caller's job — nothing here opens a connection.
"""

from __future__ import annotations

from email.message import EmailMessage
from html import escape

from ..models.record import HandoffRecord, Intent
from ._labels import labels
from ._note import clean
from .html import render_html
from .registry import register_renderer
from .text import render_text

__all__ = ["email_message", "email_subject", "render_html_email"]

_SUBJECT_SUMMARY_CHARS = 90
_BODY = "margin:0;padding:16px;background-color:#f6f8fa"
_PREHEADER = (
    "display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;opacity:0;"
    "overflow:hidden;mso-hide:all"
)


def email_subject(record: HandoffRecord) -> str:
    """``Handoff [urgent] refund: <summary>`` — one line, at most about 120 characters."""
    parts = [labels(record.note_language)["title"]]
    if record.urgency.level in ("high", "urgent"):
        parts.append(f"[{record.urgency.level}]")
    if record.intent != Intent():
        parts.append(clean(record.intent.label, limit=40))
    head = " ".join(parts)
    summary = clean(record.summary, limit=len(record.summary) + 1)
    if len(summary) > _SUBJECT_SUMMARY_CHARS:
        summary = summary[: _SUBJECT_SUMMARY_CHARS - 1].rstrip() + "…"
    return f"{head}: {summary}" if summary else head


@register_renderer(
    "html_email", description="complete HTML e-mail document (inline styles; text part: 'text')"
)
def render_html_email(record: HandoffRecord) -> str:
    """Render ``record`` as a standalone HTML e-mail document (no trailing newline)."""
    preheader = escape(clean(record.summary, limit=150))
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="color-scheme" content="light">',
            f"<title>{escape(email_subject(record))}</title>",
            "</head>",
            f'<body style="{_BODY}">',
            f'<div style="{_PREHEADER}">{preheader}</div>',
            render_html(record),
            "</body>",
            "</html>",
        ]
    )


def email_message(
    record: HandoffRecord,
    *,
    subject: str | None = None,
    sender: str | None = None,
    to: str | list[str] | None = None,
) -> EmailMessage:
    """A ``multipart/alternative`` message: the ``text`` note, then the HTML document.

    Args:
        record: the handoff record.
        subject: defaults to :func:`email_subject`.
        sender: the ``From`` header, if any.
        to: the ``To`` header (one address or a list), if any.
    """
    message = EmailMessage()
    message["Subject"] = subject if subject is not None else email_subject(record)
    if sender:
        message["From"] = sender
    if to:
        message["To"] = to if isinstance(to, str) else ", ".join(to)
    message.set_content(render_text(record) + "\n")
    message.add_alternative(render_html_email(record) + "\n", subtype="html")
    return message

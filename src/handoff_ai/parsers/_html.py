"""HTML mail bodies → readable plain text, with the standard library's ``html.parser``.

Many clients send HTML only, and a handoff needs the words, not the markup.
The converter drops what is never read (``script``, ``style``, ``head``),
keeps line breaks where block elements break lines, writes list items as
``- item``, keeps a link's address when its label hides it
(``label (https://...)``), decodes entities, and turns ``<blockquote>`` into
``> `` lines so the quoted-reply stripper treats HTML and plain text alike.
It never raises: malformed HTML is read as well as it can be.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Final

__all__ = ["html_to_text"]

_SKIP: Final = frozenset(("script", "style", "head", "title", "template", "noscript", "svg"))
_BLOCK: Final = frozenset(
    (
        "address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt", "fieldset",
        "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
        "nav", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    )
)  # fmt: skip
_PARAGRAPH: Final = frozenset(("p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "pre"))
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANKS = re.compile(r"\n{3,}")


def _tidy(text: str) -> str:
    """Collapse runs of spaces, strip every line, allow at most one blank line in a row."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


class _TextBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skip = 0
        self._pre = 0
        self._quotes: list[int] = []
        self._links: list[tuple[str, int]] = []

    def _newline(self, blank: bool = False) -> None:
        """End the current line (and leave a blank line after a paragraph), never more."""
        tail = "".join(self.out[-4:]).rstrip(" ")
        have = len(tail) - len(tail.rstrip("\n"))
        need = 2 if blank else 1
        if have < need:
            self.out.append("\n" * (need - have))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip += 1
            return
        if self._skip:
            return
        if tag == "br" or tag in _BLOCK:
            self._newline()
        if tag == "li":
            self.out.append("- ")
        elif tag == "pre":
            self._pre += 1
        elif tag == "blockquote":
            self._quotes.append(len(self.out))
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self._links.append((href, len(self.out)))
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            if alt:
                self.out.append(f"[{alt}]")
        elif tag in ("td", "th"):
            self.out.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "img", "hr"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
            return
        if self._skip:
            return
        if tag == "pre":
            self._pre = max(0, self._pre - 1)
        elif tag == "blockquote" and self._quotes:
            start = self._quotes.pop()
            inner = _tidy("".join(self.out[start:]))
            quoted = "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
            self.out[start:] = ["\n", quoted, "\n"]
            return
        elif tag == "a" and self._links:
            href, start = self._links.pop()
            label = "".join(self.out[start:]).strip()
            target = href.removeprefix("mailto:")
            if label and target and target != label and href.startswith(("http:", "https:", "mailto:")):
                self.out.append(f" ({target})")
        if tag in _BLOCK:
            self._newline(blank=tag in _PARAGRAPH)

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._pre:
            self.out.append(data)
        else:
            self.out.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """The readable text of an HTML document or fragment (see the module docstring)."""
    builder = _TextBuilder()
    builder.feed(html)
    builder.close()
    return _tidy("".join(builder.out))

"""HTML exports to the plain-text article layout: pure functions, no I/O.

Some newsroom systems export an article as an HTML page (or a fragment of ``<p>``
elements) named ``.txt``. Parsed as text, its tags and entities would become the
headline and body. ``html_to_text`` turns such a document into the blank-line
layout the parser reads: the headline (first ``<h1>``, else ``<title>``), a blank
line, then one paragraph per block element.

Every scan is linear in the input (``str.find`` and single-pass regexes): an
unclosed ``<script`` or ``<!--`` in a hostile file drops the rest of the file
rather than costing quadratic time.
"""

from __future__ import annotations

import html
import re

_SNIFF_CHARS = 1024
_DOCUMENT_START = re.compile(r"\A(?:\ufeff)?\s*(?:<\?xml[^>]*>\s*)?(?:<!doctype\s+html\b|<html\b)", re.IGNORECASE)
_BLOCK_NAMES = (
    "p|div|br|h[1-6]|li|ul|ol|dl|dt|dd|tr|td|th|table|article|section|header|footer|main|aside|nav|"
    "blockquote|pre|figure|figcaption|hr|address|body|html"
)
_BLOCK_TAG = re.compile(rf"</?(?:{_BLOCK_NAMES})\b[^>]*>", re.IGNORECASE)
# Evidence that a fragment is markup rather than prose that mentions a tag.
_PARAGRAPH_TAG = re.compile(r"</p\s*>|<br\s*/?>|<p\b[^>]*>|</h[1-6]\s*>|</div\s*>", re.IGNORECASE)
MARKUP_HINT = "<(?:[/!]|[bB][rR]|[hH][tT]|[pP][^A-Za-z0-9_])"
"""Found in every text ``looks_like_html`` may accept (the starts of ``</``, ``<!doctype``, ``<br``, ``<html``
and ``<p`` ending a word), in most prose never, nor in tickers such as ``<BAC>``: a Polars regex for
sending only such texts to it. Literal cases, not ``(?i)``: Python and Rust fold some letters differently
(Python's ``i`` matches the dotless ``ı``)."""
_DROPPED = re.compile(r"<!--|<!\[CDATA\[|<(script|style|noscript|template|head|title|nav)\b", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[!?/]?[A-Za-z][^>]*>|<!--|-->")
_HEADING = re.compile(r"<h1\b[^>]*>", re.IGNORECASE)
_TITLE = re.compile(r"<title\b[^>]*>", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_LINE_SPACE = re.compile(r"[ \t\f\v\u00a0]*\n[ \t\f\v\u00a0\n]*")


def looks_like_html(text: str) -> bool:
    """True for an HTML document, or a fragment made of paragraph-level tags.

    A document starts with ``<!DOCTYPE html>`` or ``<html>``. A fragment has at least
    two paragraph tags, and at least half of its non-blank lines carry a block tag or
    begin with one: prose that quotes a tag or two is not taken for markup.
    """
    if _DOCUMENT_START.match(text[:_SNIFF_CHARS]):
        return True
    if "<" not in text or len(_PARAGRAPH_TAG.findall(text, 0, 1 << 16)) < 2:
        return False
    lines = [line for line in text[: 1 << 16].splitlines() if line.strip()]
    tagged = sum(1 for line in lines if line.lstrip().startswith("<") or _BLOCK_TAG.search(line))
    return tagged * 2 >= len(lines)


def _element(text: str, opening: re.Pattern[str], name: str) -> tuple[int, int, str] | None:
    """(start, end, inner markup) of the first element matched by ``opening``, closed by ``</name>``."""
    found = opening.search(text)
    if found is None:
        return None
    close = text.lower().find(f"</{name}", found.end())
    if close < 0:
        return None
    end = text.find(">", close)
    return found.start(), (len(text) if end < 0 else end + 1), text[found.end() : close]


def _inline(markup: str) -> str:
    """Markup inside one block as a single line of text."""
    return _SPACE.sub(" ", html.unescape(_ANY_TAG.sub("", markup))).strip()


def _drop_invisible(text: str) -> str:
    """Remove comments, CDATA, scripts, styles, navigation, the head and the title: none of it is article text."""
    lowered = text.lower()
    kept: list[str] = []
    position = 0
    while found := _DROPPED.search(text, position):
        kept.append(text[position : found.start()])
        opener = found.group(0)
        if opener == "<!--":
            marker = "-->"
        elif opener.startswith("<!["):
            marker = "]]>"
        else:
            marker = f"</{found.group(1).lower()}"
        close = lowered.find(marker, found.end())
        if close < 0:  # unclosed: the rest of the file is inside it
            return "".join(kept)
        position = close + len(marker)
        if marker.startswith("</"):
            end = text.find(">", position)
            position = len(text) if end < 0 else end + 1
    kept.append(text[position:])
    return "".join(kept)


def html_to_text(text: str) -> str:
    """An HTML article as plain text: headline, blank line, one paragraph per block, blank-line separated.

    Block tags break paragraphs; scripts, styles, comments, navigation and the head are dropped;
    other tags are removed and entities unescaped (after the tags are gone, so an
    escaped ``&lt;p&gt;`` stays text). The headline is the first ``<h1>``, else the
    ``<title>``; the ``<h1>`` is not repeated in the body.
    """
    title = _element(text, _TITLE, "title")
    body = _drop_invisible(text)
    heading = _element(body, _HEADING, "h1")
    headline = _inline(heading[2]) if heading else ""
    if heading:
        body = body[: heading[0]] + "\n" + body[heading[1] :]
    if not headline and title:
        headline = _inline(title[2])
    # Whitespace in markup is a single space; only block tags end a line.
    flowed = _BLOCK_TAG.sub("\n", _SPACE.sub(" ", body))
    paragraphs = [_inline(block) for block in _LINE_SPACE.split(flowed)]
    return "\n\n".join(part for part in [headline, *paragraphs] if part) + "\n"

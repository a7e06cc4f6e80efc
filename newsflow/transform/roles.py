"""What each body paragraph is: body text, or a part of the page that is not the story.

Roles (the ``paragraphs.role`` column) and what each is are listed in ``MEANINGS``.
The first four (``BODY_ROLES``) make up ``articles.body`` and take part in every
similarity measure; the others are kept in ``paragraphs`` but left out of both.
Each rule is one entry in ``_PATTERNS`` (a regex on the paragraph's display text,
with a length limit): a new kind of page furniture is one line there.
"""

from __future__ import annotations

from typing import Any, cast

import polars as pl

MEANINGS: dict[str, str] = {
    "body": "story text",
    "subheading": "a heading inside the body: a markdown heading, or a short line without a sentence end or a "
    "figure between two paragraphs",
    "list_item": "a paragraph starting with a bullet or a number",
    "table": "rows of figures or a markdown table; line breaks and column alignment kept",
    "caption": '"Photo: ...", "Image caption ...", "(Reuters photo)"',
    "byline": '"By Jane Doe, Reuters" (its names are `articles.byline`)',
    "dateline": '"LONDON (Reuters) -" opening the first paragraph (split off it), or a "Published: ... Updated: ..." '
    "line (`articles.dateline`, `articles.published`)",
    "credit": '"Reporting by ...; Editing by ..."',
    "link": '"Read more: ...", "See also: ...", a bare URL, share-bar text',
    "advert": '"Advertisement", "Story continues below advertisement"',
    "signoff": 'the wire\'s end mark closing the article: "REUTER", "(END)", "-30-" (split off a last line it ends)',
}
BODY_ROLES: tuple[str, ...] = ("body", "subheading", "list_item", "table")
"""The roles that make up ``articles.body`` and take part in similarity."""
ROLES: tuple[str, ...] = tuple(MEANINGS)


def in_body() -> pl.Expr:
    """The paragraph is part of the story (``BODY_ROLES``)."""
    return pl.col("role").is_in(BODY_ROLES)


def compared() -> pl.Expr:
    """The paragraph takes part in similarity: part of the story and not boilerplate."""
    return in_body() & ~pl.col("is_boilerplate")


_NAME = r"\p{Lu}[\p{L}\p{M}'’.-]*"
BYLINE = (
    rf"^(?i:by)\s+({_NAME}(?:\s+(?:{_NAME}|de|da|van|von|der|al|bin|le|la|del|di))*"
    rf"(?:\s+(?:and|&)\s+{_NAME}(?:\s+{_NAME})*)*)(?:\s*[,|/–—-]\s*.{{0,60}})?$"
)
"""A byline; group 1 is the names."""
DATELINE = (
    r"^((?:\p{Lu}[\p{Lu}\p{M}.'’-]*)(?:[ ,/]+\p{Lu}[\p{Lu}\p{M}.'’-]*)*)"
    r"(?:,\s*(\p{Lu}\p{Ll}+\.? \d{1,2}(?:,? \d{4})?))?\s*\(([^()]{2,30})\)\s*[-–—]+\s+(.+)$"
)
"""An inline wire dateline: place (group 1), date as given (2), agency (3), the rest of the paragraph (4)."""
_PUBLISHED = r"^(?i:(?:first )?(?:published|posted|updated|last updated)(?: on)?)\s*[:：]\s*(.{4,80})$"

# (role, pattern, longest paragraph it may be): checked in this order after tables, list items and
# the signoff; the first that matches gives the role.
_PATTERNS: tuple[tuple[str, str, int], ...] = (
    ("advert", r"^(?i:advertisements?|sponsored(?: content)?|story continues below(?: advertisement)?)$", 60),
    (
        "caption",
        r"^(?i:(?:photo|image|picture|video|graphic|illustration|caption)(?:\s+(?:caption|credit|copyright))?\s*[:：]"
        r"|image (?:copyright|caption)\b|\((?:photo|picture|image)[^()]*\)$|\(reuters (?:photo|picture)\)$)",
        300,
    ),
    ("byline", BYLINE, 100),
    ("dateline", _PUBLISHED, 120),
    (
        "credit",
        r"^(?i:(?:additional )?reporting|writing|editing|edited|compiled|produced|research|translation|translated"
        r"|graphics?)\s+by\b",
        300,
    ),
    (
        "link",
        r"^(?i:read more|read also|also read|see also|related(?: articles?| stories| coverage| content| links)?"
        r"|more on this story|more from [^:]{1,40})\s*[:：]"
        r"|^(?i:click here|follow us on|share this (?:article|story)|share on \w+|share via \w+)\b"
        r"|^<?https?://\S+>?$",
        300,
    ),
)
LIST_ITEM = r"^\s*(?:[-*+\u2022]|\d{1,3}[.)])\s+\S"
SIGNOFF = r"^(?:REUTER|REUTERS|Reuters|AP|AFP|UPI|dpa|Xinhua)$|^[-–—(]*\s*(?:END|ENDS|End|###|-30-)\s*[-–—)]*$"
TRAILING_SIGNOFF = r"^(.*[.!?\"'\u201d)])\s+(REUTER|REUTERS)$"
"""A wire sign-off run into the last line of a paragraph: the paragraph (group 1), the mark (2)."""
_SUBHEADING_CHARS = 60


def body_role(*, wire_block: pl.Expr) -> pl.Expr:
    """The role of a paragraph labelled ``body`` by the layout, from ``text`` (display form), ``raw``,
    ``is_table``, ``heading`` (a markdown heading), ``para_no`` and the neighbouring paragraphs'.

    ``wire_block``: the paragraph comes from a hard-wrapped block with indented paragraphs,
    where a list marker at the start of a line is a wrapped sentence ("after May / 1. They
    are ..."), not a list.
    """
    text, length = pl.col("text"), pl.col("text").str.len_chars()
    last = pl.col("para_no") == pl.col("para_no").max().over("doc")
    role: Any = pl.when(pl.col("is_table")).then(pl.lit("table"))
    role = role.when(last & text.str.contains(SIGNOFF)).then(pl.lit("signoff"))
    for name, pattern, longest in _PATTERNS:
        role = role.when((length <= longest) & text.str.contains(pattern)).then(pl.lit(name))
    listed = pl.col("raw").str.contains(LIST_ITEM) & ~wire_block
    between = (pl.col("para_no") > pl.col("first_body")) & ~last
    heading = pl.col("heading") | (
        between
        & (length <= _SUBHEADING_CHARS)
        & text.str.contains(r"^\p{Lu}")
        & ~text.str.contains(r"[.!?:;,\"'\u201d\u2019)\]]$|\d")
        & ~wire_block
    )
    labelled = role.when(listed).then(pl.lit("list_item")).when(heading).then(pl.lit("subheading"))
    return cast(pl.Expr, labelled.otherwise(pl.lit("body")))


_INLINE_DATELINE = r"^(.+?)\s*\([^()]{2,30}\)\s*[-–—]+$"
_DATE_FORMATS: tuple[tuple[str, str], ...] = (
    (r"\d{4}-\d{2}-\d{2}", "%Y-%m-%d"),
    (r"\d{1,2} \p{L}+ \d{4}", "%d %B %Y"),
    (r"\d{1,2} \p{L}{3} \d{4}", "%d %b %Y"),
    (r"\p{L}+ \d{1,2}, \d{4}", "%B %d, %Y"),
    (r"\p{L}{3}\.? \d{1,2}, \d{4}", "%b %d, %Y"),
)


def _date(text: pl.Expr) -> pl.Expr:
    """The first date written in one of ``_DATE_FORMATS`` (English month names) in ``text``, else null."""
    dates = [
        text.str.extract(f"({pattern})", 1).str.replace(r"\.", "").str.to_date(fmt, strict=False)
        for pattern, fmt in _DATE_FORMATS
    ]
    return pl.coalesce(dates)


def article_fields() -> dict[str, pl.Expr]:
    """Per article (aggregations over its paragraphs): ``byline`` (the names of its first byline),
    ``dateline`` (place, and date as written, of an inline wire dateline) and ``published`` (the text of a
    "Published: ..." line; ``published_date`` makes it a date)."""
    text, role = pl.col("text"), pl.col("role")
    datelines = text.filter(role == "dateline")
    return {
        "byline": text.filter(role == "byline").first().str.extract(BYLINE, 1),
        "dateline": datelines.str.extract(_INLINE_DATELINE, 1).drop_nulls().first(),
        "published": datelines.str.extract(_PUBLISHED, 1).drop_nulls().first(),
    }


def published_date() -> pl.Expr:
    """The article's ``published`` date: the "Published: ..." line's, else the dateline's when it has a year."""
    return _date(pl.col("published")).fill_null(_date(pl.col("dateline")))

"""Fuzzing decode and parse: no exception escapes, outcomes are well formed, parsing is deterministic.

Example counts are set per test and scaled by the Hypothesis profile: the ``ci``
profile (``CI`` set) runs the full counts, over 10,000 examples in all; ``dev``
runs a twentieth so local runs stay quick. Parsing costs a Polars query per call
(~15 ms), so parse properties batch a few small documents per example and the
bulk of the count goes to the cheap decode properties.
"""

from __future__ import annotations

import codecs
import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from newsflow.config import Settings
from newsflow.extract.decode import Decoded, decode_bytes
from newsflow.extract.source import read_memory
from newsflow.pipeline import process_shard
from newsflow.reasons import Reason
from newsflow.transform.articles import Parsed, parse_articles
from newsflow.transform.normalize import canonical_form, display_form
from newsflow.transform.roles import BODY_ROLES, ROLES

FULL_RUN = settings.get_current_profile_name() == "ci"
DEFAULTS = Settings()
_T = TypeVar("_T")


def fuzz(examples: int) -> Callable[[_T], _T]:
    """Per-test settings: ``examples`` under the ci profile, a twentieth otherwise."""
    count = examples if FULL_RUN else max(10, examples // 20)
    # Generating a batch of documents is slower than Hypothesis expects of one example.
    return settings(max_examples=count, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# ---------------------------------------------------------------------------
# Strategies


_BOMS = {
    "utf-8": codecs.BOM_UTF8,
    "utf-16-le": codecs.BOM_UTF16_LE,
    "utf-16-be": codecs.BOM_UTF16_BE,
    "utf-32-le": codecs.BOM_UTF32_LE,
    "utf-32-be": codecs.BOM_UTF32_BE,
}
_MAGIC = (
    b"\x1f\x8b",
    b"PK\x03\x04",
    b"%PDF-",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"BZh91AY&SY",
    b"\xfd7zXZ\x00",
    b"7z\xbc\xaf\x27\x1c",
)
# Characters that steer the decoder and the parser into their edge cases.
_NASTY_CHARS = (
    "\x00\x01\x08\x0b\x0c\x1b\x7f\x85\u2028\u2029\u00a0\u200b\u00ad\ufeff\ufffd\r\n\t *_#-=~[]()!?.\u201c\u201d"
)
_NASTY_BYTES = (
    b"\x00",
    b"\x80",
    b"\x81",
    b"\x9d",
    b"\xc0",
    b"\xc3",
    b"\xe2\x80",
    b"\xed\xa0\x80",
    b"\xf4\x90",
    b"\xff",
)

# Prose: letters, digits, punctuation, spaces and newlines, nothing a decoder may reject.
prose_chars = st.characters(
    codec="utf-8", categories=("L", "M", "N", "P", "S", "Zs"), exclude_characters="\ufeff"
) | st.sampled_from("\n \u00e9\u00a3\u201c\u201d\u2014")
prose = st.text(prose_chars, min_size=1, max_size=200).filter(lambda text: bool(text.strip()))

nasty_text = st.text(st.characters(codec="utf-8") | st.sampled_from(_NASTY_CHARS), max_size=200)


@st.composite
def nasty_bytes(draw: st.DrawFn) -> bytes:
    """Bytes built to reach every branch of the decoder, not just random noise."""
    kind = draw(st.sampled_from(["bom", "utf8-injected", "wide", "controls", "magic", "mixed"]))
    text = draw(nasty_text)
    if kind == "bom":
        return draw(st.sampled_from(list(_BOMS.values()))) + draw(st.binary(max_size=64))
    if kind == "utf8-injected":
        injected = bytearray(text.encode("utf-8"))
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.integers(0, len(injected)))
            injected[at:at] = draw(st.sampled_from(_NASTY_BYTES) | st.binary(min_size=1, max_size=3))
        return bytes(injected)
    if kind == "wide":
        encoding = draw(st.sampled_from(list(_BOMS)))
        raw = text.encode(encoding)
        if draw(st.booleans()):
            raw = _BOMS[encoding] + raw
        # A truncated last code unit is what a cut-off upload looks like.
        return raw[: len(raw) - draw(st.integers(0, 3))]
    if kind == "controls":
        return text.encode("utf-8") + draw(st.binary(max_size=8)) + text.encode("utf-8")
    if kind == "magic":
        return draw(st.sampled_from(_MAGIC)) + draw(st.binary(max_size=64))
    # Legacy code page text glued to UTF-8 text: the mixed-encoding fallback.
    legacy = draw(st.text(st.characters(codec="cp1252"), max_size=40)).encode("cp1252")
    return text.encode("utf-8") + legacy + text.encode("utf-8")


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\u00e9\u00fc\u00f1\u00e7\u00f8\u00df\u00c5"
_VOCABULARY = (
    "the",
    "minister",
    "said",
    "Mexico",
    "cartels",
    "on",
    "Tuesday",
    "\u00a3400m",
    "caf\u00e9",
    "co-operate",
    "2024",
    "per",
    "cent",
    "news",
)
word = st.sampled_from(_VOCABULARY) | st.text(_LETTERS, min_size=1, max_size=9)


@st.composite
def sentence(draw: st.DrawFn, min_words: int = 1, max_words: int = 12) -> str:
    words = draw(st.lists(word, min_size=min_words, max_size=max_words))
    joints = [draw(st.sampled_from([" ", " ", " ", ", ", " \u2014 ", " - "])) for _ in words[1:]]
    text = words[0] + "".join(joint + w for joint, w in zip(joints, words[1:], strict=True))
    return text + draw(st.sampled_from([".", ".", "!", "?", "", ":", "\u201d"]))


def decorate(draw: st.DrawFn, text: str) -> str:
    """Markdown emphasis, invisible characters and stray whitespace, as scraped copy has."""
    words = text.split(" ")
    for i, item in enumerate(words):
        style = draw(st.sampled_from(["", "", "", "", "*", "**", "_", "link", "\u200b", "\u00ad"]))
        if style == "link":
            words[i] = f"[{item}](https://example.org/{i})"
        elif style in ("\u200b", "\u00ad"):
            words[i] = item[:1] + style + item[1:]
        else:
            words[i] = f"{style}{item}{style}"
    return draw(st.sampled_from(["", " ", "\t", "   "])) + " ".join(words) + draw(st.sampled_from(["", " ", "\t "]))


@st.composite
def article_like(draw: st.DrawFn) -> str:
    """A messy document in roughly one of the understood layouts (see ``newsflow.parse``)."""
    lines: list[str] = []
    if draw(st.booleans()):
        lines.append(draw(sentence(min_words=3, max_words=30)))
    headline = draw(sentence(max_words=10))
    headline = draw(st.sampled_from(["{}", "**{}**", "# {}", "__{}__", "{} #"])).format(headline)
    lines.append(headline)
    if draw(st.booleans()):
        lines += ["", headline]
    if draw(st.booleans()):
        lines.append(draw(sentence(min_words=3, max_words=25)))
    paragraphs = draw(st.lists(sentence(min_words=1, max_words=30), max_size=6))
    if draw(st.booleans()) and paragraphs:
        paragraphs += paragraphs[: draw(st.integers(1, len(paragraphs)))]
    if draw(st.booleans()):
        paragraphs = [decorate(draw, p) for p in paragraphs]
    if draw(st.booleans()):
        # Wire copy: hard-wrapped, each paragraph's first line indented.
        width = draw(st.integers(20, 80))
        paragraphs = ["\n".join(textwrap.wrap("    " + p, width, drop_whitespace=False)) for p in paragraphs]
    separator = draw(st.sampled_from(["\n", "\n\n", "\n \n", "\n\n\n", "\n---\n", "\n* * *\n"]))
    text = "\n".join(lines) + draw(st.sampled_from(["\n", "\n\n"])) + separator.join(paragraphs)
    return text.replace("\n", draw(st.sampled_from(["\n", "\r\n", "\r", "\u2028"])))


documents = st.lists(article_like() | nasty_text, min_size=1, max_size=4)


@st.composite
def parse_settings(draw: st.DrawFn) -> Settings:
    """Settings near their edges: short headline windows, few paragraphs allowed, narrow wraps."""
    if draw(st.booleans()):
        return DEFAULTS
    low = draw(st.integers(1, 30))
    return DEFAULTS.replace(
        headline_min_chars=low,
        headline_max_chars=draw(st.integers(low, 200)),
        headline_search_depth=draw(st.integers(1, 4)),
        max_paragraphs=draw(st.integers(1, 8)),
        wrap_width=draw(st.integers(20, 120)),
    )


# ---------------------------------------------------------------------------
# Helpers


def frame(texts: Sequence[str]) -> pl.DataFrame:
    return pl.DataFrame({"doc": range(len(texts)), "text": list(texts)}, schema={"doc": pl.UInt32, "text": pl.String})


def parse(texts: Sequence[str], config: Settings = DEFAULTS) -> Parsed:
    return parse_articles(frame(texts), config)


def parse_in_shards(texts: Sequence[str], order: Sequence[int], cut: int, config: Settings) -> Parsed:
    """Parse ``texts`` as two shards (``order[:cut]``, ``order[cut:]``), each numbered from 0, then renumber back."""
    articles: list[pl.DataFrame] = []
    paragraphs: list[pl.DataFrame] = []
    for ids in (order[:cut], order[cut:]):
        if not ids:
            continue
        parsed = parse([texts[i] for i in ids], config)
        original = pl.Series("doc", ids, dtype=pl.UInt32)
        articles.append(parsed.articles.with_columns(original.gather(parsed.articles.get_column("doc"))))
        paragraphs.append(parsed.paragraphs.with_columns(original.gather(parsed.paragraphs.get_column("doc"))))
    return Parsed(pl.concat(articles).sort("doc"), pl.concat(paragraphs).sort("doc", "position"))


def assert_parsed_equal(left: Parsed, right: Parsed) -> None:
    assert_frame_equal(left.articles, right.articles)
    assert_frame_equal(left.paragraphs, right.paragraphs)


_HEX_ID = re.compile(r"[0-9a-f]{16}")
# Unicode White_Space, what Polars strips; Python's str.strip also strips \x1c-\x1f, which Polars keeps.
_WHITESPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B)))
# Prose, as repeated-paragraph removal defines it: four words or more, ending a sentence.
_PROSE = re.compile(r"^\S+(?:\s+\S+){3,}$(?<=[.!?\"'\u201d\u2019)])", re.DOTALL)
_REASONS = {None, Reason.MISSING_HEADLINE.value, Reason.EMPTY_BODY.value, Reason.TOO_MANY_PARAGRAPHS.value}


def check_well_formed(parsed: Parsed, n_docs: int, config: Settings) -> None:
    """Invariants every parse must satisfy, whatever the input text."""
    articles = parsed.articles
    assert articles.get_column("doc").to_list() == list(range(n_docs)), "one articles row per document"
    by_doc: dict[int, list[dict[str, object]]] = {}
    for row in parsed.paragraphs.iter_rows(named=True):
        by_doc.setdefault(int(row["doc"]), []).append(row)
    for row in articles.iter_rows(named=True):
        doc, reason, headline, count = row["doc"], row["reason"], row["headline"], row["paragraph_count"]
        paragraphs = by_doc.get(doc, [])
        texts = [str(p["text"]) for p in paragraphs]
        assert reason in _REASONS
        assert (reason is None) == (row["detail"] is None)
        # A document with far too many blocks is rejected unparsed: no headline, no paragraphs.
        unparsed = reason == Reason.TOO_MANY_PARAGRAPHS and headline is None
        assert (reason == Reason.MISSING_HEADLINE) == (headline is None and not unparsed)
        if unparsed:
            assert count == 0 and not paragraphs
        if headline is not None:
            assert config.headline_min_chars <= len(headline) <= config.headline_max_chars
            assert headline == headline.strip(_WHITESPACE)
            assert (reason == Reason.EMPTY_BODY) == (count == 0)
            assert (reason == Reason.TOO_MANY_PARAGRAPHS) == (count > config.max_paragraphs)
        if reason is None:
            assert headline is not None and 1 <= count <= config.max_paragraphs
        assert [p["position"] for p in paragraphs] == list(range(len(paragraphs))), "positions contiguous from 0"
        in_body = [p for p in paragraphs if p["role"] in BODY_ROLES]
        assert len(in_body) == count, "paragraph_count counts the paragraphs of body roles"
        prose = [p for p in paragraphs if p["role"] == "body" and _PROSE.search(str(p["text"]))]
        assert len({p["canonical"] for p in prose}) == len(prose), f"prose repeats in doc {doc}: {texts}"
        for paragraph in paragraphs:
            assert paragraph["role"] in ROLES
            assert paragraph["text"] and paragraph["canonical"]
            assert paragraph["text"] == str(paragraph["text"]).strip(_WHITESPACE)
            assert "\n" not in str(paragraph["text"]) or paragraph["role"] == "table", "only a table keeps line breaks"
            assert _HEX_ID.fullmatch(str(paragraph["paragraph_hash"]))
        assert row["body"] == ("\n\n".join(str(p["text"]) for p in in_body) if in_body else None)
        assert (row["word_count"] >= count) and (row["word_count"] == 0) == (count == 0)
        assert row["repeated_paragraphs_removed"] >= 0
        assert row["summary"] != ""
        has_id = headline is not None and count > 0
        assert (row["article_id"] is not None) == has_id
        if has_id:
            assert _HEX_ID.fullmatch(row["article_id"])


def check_decoded(raw: bytes, decoded: Decoded) -> None:
    """Exactly one of text or reason; text is clean enough to parse."""
    assert (decoded.text is None) != (decoded.reason is None)
    assert isinstance(decoded.reason, Reason | None)
    if decoded.text is None:
        assert decoded.detail, "a quarantine reason always comes with a detail"
    else:
        assert decoded.encoding is not None and decoded.detail is None
        assert decoded.text.strip()
        assert not decoded.text.startswith("\ufeff"), "byte-order mark left in the text"
        assert "\x00" not in decoded.text, "NUL in decoded text"
    if not raw:
        assert decoded.reason == Reason.EMPTY
    assert decode_bytes(raw) == decoded, "decoding is deterministic"


# ---------------------------------------------------------------------------
# Decode


@fuzz(4000)
@given(st.binary(max_size=512))
def test_decode_arbitrary_bytes(raw: bytes) -> None:
    check_decoded(raw, decode_bytes(raw))


@fuzz(4000)
@given(nasty_bytes())
def test_decode_structured_nasty_bytes(raw: bytes) -> None:
    decoded = decode_bytes(raw)
    check_decoded(raw, decoded)
    if not any(raw.startswith(bom) for bom in _BOMS.values()) and any(raw.startswith(m) for m in _MAGIC):
        assert decoded.reason == Reason.BINARY


_EXPECTED_ENCODING = {
    "utf-8": "utf-8",
    "utf-8-sig": "utf-8-sig",
    "utf-16-le-bom": "utf-16-le",
    "utf-16-be-bom": "utf-16-be",
    "utf-32-le-bom": "utf-32-le",
    "utf-32-be-bom": "utf-32-be",
}


def encode(text: str, variant: str) -> bytes:
    if variant == "utf-8-sig":
        return codecs.BOM_UTF8 + text.encode("utf-8")
    if variant.endswith("-bom"):
        encoding = variant.removesuffix("-bom")
        return _BOMS[encoding] + text.encode(encoding)
    return text.encode(variant)


@fuzz(1500)
@given(
    lead=st.sampled_from(["", "PK", "7z", "%PDF", "BZ"]),
    text=prose,
    variant=st.sampled_from(list(_EXPECTED_ENCODING)),
)
def test_prose_round_trips_exactly(lead: str, text: str, variant: str) -> None:
    # ``lead``: text may begin like part of an archive signature and still be text ("BZh" alone: see the regressions).
    text = lead + text
    assert decode_bytes(encode(text, variant)) == Decoded(text, _EXPECTED_ENCODING[variant])


# ---------------------------------------------------------------------------
# Normalize


def _forms(texts: list[str]) -> pl.DataFrame:
    return display_form(pl.DataFrame({"raw": texts}, schema={"raw": pl.String}), "raw", into="display")


# Mostly markup characters: random Unicode almost never forms emphasis pairs.
markdownish = st.text(st.sampled_from("ab *_#[]()-\u2014\t\n\u00a0\u200b."), max_size=40) | st.text(
    st.sampled_from("ab *_") | st.characters(codec="utf-8"), max_size=60
)


@fuzz(500)
@given(st.lists(markdownish | st.builds(" ".join, st.lists(word, max_size=6)), min_size=1, max_size=20))
def test_normalization_is_idempotent(texts: list[str]) -> None:
    forms = display_form(_forms(texts), "display", into="display_twice").with_columns(
        canonical=canonical_form(pl.col("display"))
    )
    forms = forms.with_columns(
        canonical_twice=canonical_form(pl.col("canonical")),
        canonical_of_display_twice=canonical_form(pl.col("display_twice")),
    )
    for row in forms.iter_rows(named=True):
        assert row["display_twice"] == row["display"], row
        assert row["canonical_twice"] == row["canonical"], row
        assert row["canonical_of_display_twice"] == row["canonical"], row


_EMPHASIS = ("{}", "{}", "*{}*", "**{}**", "_{}_", "__{}__", "***{}***", "[{}](https://example.org/x)")


@fuzz(500)
@given(st.lists(st.lists(st.tuples(word, st.sampled_from(_EMPHASIS)), min_size=1, max_size=8), min_size=1, max_size=8))
def test_markdown_emphasis_is_removed_and_the_words_kept(sentences: list[list[tuple[str, str]]]) -> None:
    plain = [" ".join(w for w, _ in words) for words in sentences]
    marked = [" ".join(style.format(w) for w, style in words) for words in sentences]
    assert _forms(marked).get_column("display").to_list() == plain


# ---------------------------------------------------------------------------
# Parse


@fuzz(250)
@given(texts=st.lists(nasty_text, min_size=1, max_size=4), config=parse_settings())
def test_parse_arbitrary_text_is_well_formed_and_deterministic(texts: list[str], config: Settings) -> None:
    first = parse(texts, config)
    check_well_formed(first, len(texts), config)
    assert_parsed_equal(first, parse(texts, config))


@fuzz(250)
@given(texts=documents, config=parse_settings(), data=st.data())
def test_parse_article_like_documents_is_well_formed_and_shard_independent(
    texts: list[str], config: Settings, data: st.DataObject
) -> None:
    whole = parse(texts, config)
    check_well_formed(whole, len(texts), config)
    # The pipeline cuts files into shards in any order: a document's result may not depend on its neighbours.
    order = data.draw(st.permutations(range(len(texts))), label="order")
    cut = data.draw(st.integers(0, len(texts)), label="cut")
    assert_parsed_equal(whole, parse_in_shards(texts, order, cut, config))


@dataclass(frozen=True)
class Article:
    """A generated document and what parsing it must give back."""

    text: str
    headline: str
    paragraphs: list[str]
    summary: str | None = None
    standfirst: str | None = None
    repeats: int = 0


def _key(text: str) -> tuple[str, ...]:
    """Coarser than the canonical form on the generated alphabet: distinct keys mean distinct canonical forms."""
    return tuple(re.sub(r"[^\w\s]|_", " ", text).casefold().split())


@st.composite
def long_sentence(draw: st.DrawFn, min_chars: int) -> str:
    text = draw(sentence(min_words=4, max_words=40))
    # Lengthen rather than filter: rejecting short draws would waste most of the generation time.
    while len(text) < min_chars:
        text = draw(word) + " " + text
    return text


@st.composite
def known_article(draw: st.DrawFn) -> Article:
    """A document in the house or the blank-line layout whose headline and body are known.

    Summary, standfirst, headline and paragraphs are distinct (up to canonical form), so the expected roles
    are unambiguous; repeats come only as a whole repeated run of at least two paragraphs.
    """
    house = draw(st.booleans())
    summary: str | None = None
    standfirst: str | None = None
    headline = draw(sentence(max_words=10).filter(lambda s: 3 <= len(s) <= 120 and any(c.isalnum() for c in s)))

    def not_headline(text: str) -> bool:
        return _key(text) != _key(headline)

    def plain(text: str) -> bool:
        """A story sentence, not one that reads as a byline ("By Ab Cd")."""
        return not_headline(text) and not re.match(r"(?i)by\s", text)

    if house:
        # One paragraph per line, each longer than wrap_width so the block is not taken as wrapped copy.
        long_paragraph = long_sentence(DEFAULTS.wrap_width + 1).filter(not_headline)
        parts = draw(st.lists(long_paragraph, min_size=3, max_size=7, unique_by=_key))
        (summary, standfirst), paragraphs = parts[:2], parts[2:]
    else:
        paragraphs = draw(
            st.lists(sentence(min_words=4, max_words=30).filter(plain), min_size=1, max_size=5, unique_by=_key)
        )
    shown = f"**{headline}**" if draw(st.booleans()) else headline
    repeat = len(paragraphs) >= 2 and draw(st.booleans())
    if repeat:
        # Only prose said twice is removed (a repeated table row or header stays): repeat sentences.
        paragraphs = [p if re.search(r"[.!?]$", p) else p + "." for p in paragraphs]
    body = paragraphs + (paragraphs if repeat else [])
    end = draw(st.sampled_from(["", "\n", "\n\n"]))
    noisy = [draw(st.sampled_from(["", " ", "  ", "\t"])) + p + draw(st.sampled_from(["", " ", "\t"])) for p in body]
    if house:
        text = "\n".join([str(summary), shown, "", shown, str(standfirst), *noisy]) + end
    else:
        text = shown + "\n\n" + "\n\n".join(noisy) + end
    return Article(text, headline, paragraphs, summary, standfirst, len(body) - len(paragraphs))


@fuzz(300)
@given(st.lists(known_article(), min_size=1, max_size=3))
def test_generated_articles_parse_back_to_their_parts(articles: list[Article]) -> None:
    parsed = parse([a.text for a in articles])
    check_well_formed(parsed, len(articles), DEFAULTS)
    for article, row in zip(articles, parsed.articles.iter_rows(named=True), strict=True):
        assert row["headline"] == article.headline
        assert row["body"] == "\n\n".join(article.paragraphs)
        assert (row["summary"], row["standfirst"]) == (article.summary, article.standfirst)
        assert row["repeated_paragraphs_removed"] == article.repeats
        assert row["reason"] is None


_ENCODED_VARIANTS: tuple[Callable[[str], bytes], ...] = (
    lambda text: text.encode("utf-8"),
    lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
    lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
    lambda text: codecs.BOM_UTF32_LE + text.encode("utf-32-le"),
    lambda text: text.replace("\n", "\r\n").encode("utf-8"),
    lambda text: codecs.BOM_UTF16_LE + text.replace("\n", "\r\n").encode("utf-16-le"),
    lambda text: text.replace("\n", "\r").encode("utf-8"),
)


@fuzz(250)
@given(article_like())
def test_encoding_and_line_endings_do_not_change_the_article(text: str) -> None:
    # LF line endings first, so every other ending is a deliberate variant of it.
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    decoded = [decode_bytes(variant(text)) for variant in _ENCODED_VARIANTS]
    assert all(d.text is not None for d in decoded), decoded
    articles = parse([str(d.text) for d in decoded]).articles
    columns = ["summary", "headline", "standfirst", "body", "article_id", "reason"]
    assert articles.select(columns).unique().height == 1, articles.select(columns)


file_bytes = (
    st.binary(max_size=256)
    | nasty_bytes()
    | article_like().map(lambda text: text.encode("utf-8"))
    | st.tuples(article_like(), st.sampled_from(["utf-16", "utf-8-sig", "cp1252"])).map(
        lambda pair: pair[0].encode(pair[1], errors="replace")
    )
)


@fuzz(250)
@given(st.dictionaries(st.from_regex(r"[a-z]{1,8}/[a-z0-9_]{1,12}\.txt", fullmatch=True), file_bytes, max_size=6))
def test_process_shard_gives_every_file_one_outcome(files: dict[str, bytes]) -> None:
    result = process_shard(read_memory(files), DEFAULTS)
    candidates = result.candidates.get_column("source_path").to_list()
    quarantined = result.quarantined.get_column("source_path").to_list()
    assert sorted(candidates + quarantined) == sorted(files)
    assert result.quarantined.get_column("reason").null_count() == 0
    assert result.candidates.get_column("article_id").null_count() == 0
    assert set(result.paragraphs.get_column("source_path")) <= set(candidates)
    for step in ("read", "parse"):
        counters = result.counters[step]
        dropped = sum(n for key, n in counters.items() if key.startswith("dropped_"))
        assert counters["kept"] + dropped == counters["total"]
    assert result.counters["read"]["total"] == len(files)
    assert result.counters["parse"]["kept"] == len(candidates)


# ---------------------------------------------------------------------------
# Regressions: decode bugs found while fuzzing, with their minimal reproducers.


@pytest.mark.parametrize(
    "raw",
    [
        codecs.BOM_UTF8 + b"a" * 999 + b"\x00",
        codecs.BOM_UTF16_LE + ("a" * 999 + "\x00").encode("utf-16-le"),
        ("a" * 999 + "\x00").encode("utf-16-le"),
    ],
    ids=["utf-8-bom", "utf-16-bom", "utf-16-guessed"],
)
def test_decoded_text_never_holds_a_nul(raw: bytes) -> None:
    # The same text as plain UTF-8 is quarantined as binary; one NUL in 1,000 characters is under the control limit.
    decoded = decode_bytes(raw)
    assert decoded.reason == Reason.BINARY and decoded.text is None


def test_text_starting_with_bzh_is_text() -> None:
    assert decode_bytes(b"BZh") == Decoded("BZh", "utf-8")


@pytest.mark.parametrize(
    "raw",
    [codecs.BOM_UTF16_LE * 2 + "news".encode("utf-16-le"), codecs.BOM_UTF8 * 3 + b"news"],
    ids=["utf-16", "utf-8"],
)
def test_repeated_byte_order_marks_are_all_removed(raw: bytes) -> None:
    assert decode_bytes(raw).text == "news"

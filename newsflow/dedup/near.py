"""Near duplicates: candidates from MinHash LSH bands (or the same body), verified on the texts, vetoed by facts,
each copy recorded against a kept article it is itself close to.

An article's compared text is its canonical headline followed by its canonical body (every
body paragraph, boilerplate included: a brief whose every line is boilerplate is still a
text, and a paragraph's boilerplate flag depends on what was published before, which
would make verdicts depend on batching). A pair is a copy when, on the texts' word
shingles (exact sets, not the MinHash estimate that proposed it):

- Jaccard >= ``near_duplicate_threshold``; or Jaccard >= ``near_duplicate_min_jaccard``
  and one is ``near_duplicate_containment`` inside the other (a paragraph cut); or the
  same word pairs (``near_duplicate_bigram_jaccard``: a copy edited for style, where each
  changed word breaks five shingles but two word pairs); or the shorter's word pairs
  almost all in the longer (``near_duplicate_bigram_containment``) and its shingles at the
  threshold (a copy edited and cut); or most of the shorter's word pairs and shingles in
  the longer (``near_duplicate_edited_*``: a copy edited throughout, re-titled, a table
  extended); or the bodies are the same under another headline (a re-transmission). Word
  pairs keep word order: the same words reordered (a rewrite by another outlet) share few;
- a short text (fewer than ``near_duplicate_short_shingles`` shingles) needs Jaccard
  >= ``near_duplicate_short_threshold``: a brief differing in one word ("two billion",
  "1.5 billion"; "Franklin Insured", "Franklin High-Yield Insured") is half different. Below
  it, only word pairs at ``near_duplicate_bigram_jaccard`` with exactly the same facts, and
  some, make it a copy (a brief re-titled, a note reworded);
- and no fact conflicts (``facts``): each stating a number (figures and number words: "two"
  is "2"), ticker or name the other lacks (a long name one letter away from a word of the
  other is a typo, ``facts.without_typos``) is two reports, however alike their wording; and a
  text marked as a correction is never a copy of one that is not, unless their bodies are the
  same (only the title was corrected).

Copies are not grouped transitively (``anchors``): articles are taken in arrival order
(published ones first, then the window's by ``source_path``); an article is kept unless
it is a copy of one kept before it, and is then recorded against the kept article it is
most similar to.
"""

from __future__ import annotations

import polars as pl
from polars_hash import NonCryptographicHashingNameSpace

from newsflow.anchors import anchor_in_arrival_order
from newsflow.config import Settings
from newsflow.dedup import minhash
from newsflow.dedup.facts import (
    FACTS,
    conflicts,
    fact_lists,
    first_conflict,
    letters,
    names_conflict,
    without_typos,
)
from newsflow.frames import is_in
from newsflow.parallel import IN_PROCESS, Pool, split
from newsflow.reasons import DuplicateKind
from newsflow.records import Window, WindowContext
from newsflow.steps import StepResult
from newsflow.transform.normalize import canonical_form
from newsflow.transform.roles import in_body
from newsflow.transform.words import segmented

_SIGNATURE_ARTICLES = 4_000
"""Articles shingled at once: an article makes a row per shingle, so this bounds the memory of shingling."""

_LISTED = tuple(kind for kind in FACTS if kind != "names")
"""Facts compared as listed; names are compared with every word of the other text (``names_conflict``)."""


def compared_texts(articles: pl.DataFrame, paragraphs: pl.DataFrame, *, facts: bool = True) -> pl.DataFrame:
    """``key``, ``text`` (canonical headline and body), ``body_hash`` (null for an empty body) and, with
    ``facts``, the facts (``facts.FACTS``) of each article: ``articles`` has ``article_id`` and ``headline``,
    ``paragraphs`` ``article_id``, ``position``, ``role``, ``text`` (and ``canonical`` if known)."""
    # Published paragraphs have no canonical column: it is derived the way parsing derives it.
    canonical = pl.col("canonical") if "canonical" in paragraphs.columns else canonical_form(pl.col("text"))
    bodies = (
        paragraphs.lazy()
        .filter(in_body())
        .sort("article_id", "position")
        .group_by("article_id")
        .agg(body=canonical.str.join(" "), display=pl.col("text").str.join("\n"))
    )
    body = pl.col("body").fill_null("")
    texts = (
        articles.lazy()
        .select("article_id", "headline")
        .join(bodies, on="article_id", how="left")
        .select(
            key="article_id",
            text=pl.concat_str([canonical_form(pl.col("headline")), body], separator=" ").str.strip_chars(),
            body_hash=pl.when(body != "").then(NonCryptographicHashingNameSpace(body).xxh3_64()),
            **(fact_lists(pl.col("display").fill_null(""), pl.col("headline")) if facts else {}),
        )
        .collect()
    )
    return segmented(texts, "text")


def chunk_signatures(chunk: pl.DataFrame, *, words: int, count: int) -> pl.DataFrame:
    """MinHash signatures (``key``, ``signature``) of a chunk of ``key``, ``text``."""
    return minhash.signatures(minhash.shingle_hashes(chunk.lazy(), words=words, distinct=False), count=count)


def batch_signatures(texts: pl.DataFrame, settings: Settings, pool: Pool = IN_PROCESS) -> pl.DataFrame:
    """``key``, ``band_hashes``: the LSH band hashes of the MinHash signatures of ``texts``, a chunk of articles
    per piece of ``pool``."""
    # Shingling explodes a text into one row per word; a chunk of articles at a time keeps
    # that (and the count columns of hash values it makes) bounded, whatever the batch size.
    size = max(1, min(_SIGNATURE_ARTICLES, -(-texts.height // pool.workers)))
    chunks = list(texts.select("key", "text").iter_slices(size)) or [texts.select("key", "text")]
    count = settings.minhash_bands * settings.minhash_rows
    sigs = pl.concat(pool.map(chunk_signatures, chunks, words=settings.shingle_words, count=count))
    return minhash.band_hashes(sigs, bands=settings.minhash_bands, rows=settings.minhash_rows)


FINGERPRINT = ("body_hash", "band_hashes")
"""What the near-duplicate step looks up of an article: the hash of its compared body (null for an empty one)
and the LSH band hashes of its MinHash signature (null for an empty text)."""


def fingerprints(
    articles: pl.DataFrame, paragraphs: pl.DataFrame, settings: Settings, pool: Pool = IN_PROCESS
) -> pl.DataFrame:
    """``article_id`` and ``FINGERPRINT`` of each article (``compared_texts``'s ``articles`` and ``paragraphs``,
    one article per ``article_id``). A function of the article alone: shards work it out as they parse
    (``fingerprint.Fingerprint``), off the window's critical path."""
    texts = compared_texts(articles, paragraphs, facts=False)
    bands = batch_signatures(texts, settings, pool).rename({"key": "article_id"})
    return texts.select(article_id="key", body_hash="body_hash").join(bands, on="article_id", how="left")


def banded_pairs(bands: pl.DataFrame, matched: pl.DataFrame, pool: Pool) -> pl.DataFrame:
    """``key``, ``other``: the candidate pairs of ``minhash.candidate_pairs``, the LSH bands cut into a group
    per worker of ``pool``: a pair sharing any band is a candidate, so the union over the groups is exact."""
    numbers = bands.get_column("band").unique().sort()
    groups = [numbers.gather(list(part)) for part in split(numbers.len(), pool.workers)]
    pieces = [(bands.filter(is_in("band", group)), matched.filter(is_in("band", group))) for group in groups]
    found = list(pool.map(_band_pairs, pieces))
    return pl.concat(found).unique() if found else pl.DataFrame(schema={"key": pl.String, "other": pl.String})


def _band_pairs(piece: tuple[pl.DataFrame, pl.DataFrame]) -> pl.DataFrame:
    return minhash.candidate_pairs(*piece)


def exact_overlap(pairs: pl.DataFrame, texts: pl.DataFrame, *, words: int) -> pl.DataFrame:
    """``pairs`` with ``jaccard``, ``containment`` and ``shortest`` (the smaller size) of their exact
    ``words``-shingle sets (``texts``: ``key``, ``text`` of both ends)."""
    keys = pl.concat([pairs.get_column("key"), pairs.get_column("other")])
    # Collected once: the plan below reads the shingles three times.
    shingles = (
        minhash.shingle_hashes(texts.filter(is_in("key", keys)).lazy().select("key", "text"), words=words)
        .collect()
        .lazy()
    )
    sizes = shingles.group_by("key").agg(size=pl.len())
    shared = (
        pairs.lazy()
        .select("key", "other")
        .join(shingles, on="key")
        .join(shingles.rename({"key": "other"}), on=["other", "h"])
        .group_by("key", "other")
        .agg(shared=pl.len())
    )
    return (
        pairs.lazy()
        .join(shared, on=["key", "other"], how="left")
        .join(sizes, on="key")
        .join(sizes.rename({"key": "other", "size": "size_other"}), on="other")
        .with_columns(pl.col("shared").fill_null(0))
        .with_columns(
            jaccard=pl.col("shared") / (pl.col("size") + pl.col("size_other") - pl.col("shared")),
            containment=pl.col("shared") / pl.min_horizontal("size", "size_other"),
            shortest=pl.min_horizontal("size", "size_other"),
        )
        .drop("shared", "size", "size_other")
        .collect()
    )


def with_words(pairs: pl.DataFrame, texts: pl.DataFrame) -> pl.DataFrame:
    """``pairs`` with each end's distinct words as ``word_letters`` / ``word_letters_other`` (``facts.letters``):
    what a name of the other end is looked up in."""
    keys = pl.concat([pairs.get_column("key"), pairs.get_column("other")])
    vocabulary = texts.filter(is_in("key", keys)).select("key", words=pl.col("text").str.split(" ").list.unique())
    mine, theirs = pl.col("words"), pl.col("words_other")
    return (
        pairs.join(vocabulary, on="key")
        .join(vocabulary.rename({"key": "other", "words": "words_other"}), on="other")
        .with_columns(
            word_letters=letters(mine),
            word_letters_other=letters(theirs),
        )
        .drop("words", "words_other")
    )


def _wording_rule(settings: Settings) -> pl.Expr:
    """The wording rule a measured pair meets (see the module docstring), else null."""
    threshold, short_threshold = settings.near_duplicate_threshold, settings.near_duplicate_short_threshold
    short = pl.col("shortest") < settings.near_duplicate_short_shingles
    cut = (pl.col("jaccard") >= settings.near_duplicate_min_jaccard) & (
        pl.col("containment") >= settings.near_duplicate_containment
    )
    edited = (
        (pl.col("jaccard") >= settings.near_duplicate_min_jaccard)
        & (pl.col("containment") >= settings.near_duplicate_edited_containment)
        & (pl.col("bigram_containment") >= settings.near_duplicate_edited_bigram_containment)
    )
    return (
        pl.when(pl.col("same_body"))
        .then(pl.format("same body under another headline (shingle Jaccard {})", pl.col("jaccard").round(3)))
        .when(short & (pl.col("jaccard") >= short_threshold))
        .then(pl.format("short texts, shingle Jaccard {} >= {}", pl.col("jaccard").round(3), pl.lit(short_threshold)))
        .when(short & (pl.col("bigram_jaccard") >= settings.near_duplicate_bigram_jaccard))
        .then(
            pl.format(
                "short texts stating the same facts, word-pair Jaccard {} >= {} (shingle Jaccard {})",
                pl.col("bigram_jaccard").round(3),
                pl.lit(settings.near_duplicate_bigram_jaccard),
                pl.col("jaccard").round(3),
            )
        )
        .when(short)
        .then(None)
        .when(pl.col("jaccard") >= threshold)
        .then(pl.format("shingle Jaccard {} >= {}", pl.col("jaccard").round(3), pl.lit(threshold)))
        .when(cut)
        .then(
            pl.format(
                "contained {} >= {} (shingle Jaccard {} >= {})",
                pl.col("containment").round(3),
                pl.lit(settings.near_duplicate_containment),
                pl.col("jaccard").round(3),
                pl.lit(settings.near_duplicate_min_jaccard),
            )
        )
        .when(pl.col("bigram_jaccard") >= settings.near_duplicate_bigram_jaccard)
        .then(
            pl.format(
                "edited: word-pair Jaccard {} >= {} (shingle Jaccard {})",
                pl.col("bigram_jaccard").round(3),
                pl.lit(settings.near_duplicate_bigram_jaccard),
                pl.col("jaccard").round(3),
            )
        )
        .when(
            (pl.col("bigram_containment") >= settings.near_duplicate_bigram_containment)
            & (pl.col("containment") >= threshold)
        )
        .then(
            pl.format(
                "edited and cut: {} of the shorter's word pairs and {} of its shingles in the longer (>= {}, >= {})",
                pl.col("bigram_containment").round(3),
                pl.col("containment").round(3),
                pl.lit(settings.near_duplicate_bigram_containment),
                pl.lit(threshold),
            )
        )
        .when(edited)
        .then(
            pl.format(
                "edited: {} of the shorter's word pairs and {} of its shingles in the longer (>= {}, >= {}), "
                "shingle Jaccard {} >= {}",
                pl.col("bigram_containment").round(3),
                pl.col("containment").round(3),
                pl.lit(settings.near_duplicate_edited_bigram_containment),
                pl.lit(settings.near_duplicate_edited_containment),
                pl.col("jaccard").round(3),
                pl.lit(settings.near_duplicate_min_jaccard),
            )
        )
    )


def _one_sided(kind: str) -> pl.Expr:
    """Either article of a pair has a fact of ``kind`` the other lacks."""
    mine, theirs = pl.col(kind), pl.col(f"{kind}_other")
    return (mine.list.set_difference(theirs).list.len() > 0) | (theirs.list.set_difference(mine).list.len() > 0)


def verify(pairs: pl.DataFrame, texts: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    """``key``, ``other``, ``jaccard``, ``rule`` of the ``pairs`` (``key``, ``other``, ``same_body``) that are
    copies (see the module docstring); both directions of each."""
    short = pl.col("shortest") < settings.near_duplicate_short_shingles
    shingled = exact_overlap(pairs, texts, words=settings.shingle_words)
    # Word pairs decide only what the shingle rules leave open.
    settled = (pl.col("jaccard") >= settings.near_duplicate_threshold) | (
        (pl.col("jaccard") >= settings.near_duplicate_min_jaccard)
        & (pl.col("containment") >= settings.near_duplicate_containment)
    )
    open_pairs = shingled.filter(
        ~(pl.col("same_body") | (short & (pl.col("jaccard") >= settings.near_duplicate_short_threshold)))
        & (short | ~settled)
    )
    bigrams = exact_overlap(open_pairs.select("key", "other"), texts, words=2).select(
        "key", "other", bigram_jaccard="jaccard", bigram_containment="containment"
    )
    measured = shingled.join(bigrams, on=["key", "other"], how="left")
    kinds = (*FACTS, "correction")
    facts = texts.select("key", *kinds)
    alike = (
        measured.with_columns(rule=_wording_rule(settings))
        .filter(pl.col("rule").is_not_null())
        .join(facts, on="key")
        .join(facts.rename({"key": "other", **{name: f"{name}_other" for name in kinds}}), on="other")
        # A correction changes a fact of what it corrects, whatever its wording (``facts.CORRECTED_TITLE``);
        # under an identical body, only the title was corrected: a re-transmission.
        .filter(
            first_conflict(_LISTED).is_null()
            & ((pl.col("correction") == pl.col("correction_other")) | pl.col("same_body"))
        )
        # A short text edited beyond near identity must state exactly the other's facts, and some.
        .with_columns(
            same_facts=short & ~pl.col("same_body") & (pl.col("jaccard") < settings.near_duplicate_short_threshold)
        )
        .filter(
            ~pl.col("same_facts")
            | (
                ~pl.any_horizontal(*(_one_sided(kind) for kind in _LISTED))
                & ((pl.col("numbers").list.len() > 0) | (pl.col("tickers").list.len() > 0))
            )
        )
    )
    # A name both state is no conflict; only pairs where each names someone the other does not (or, for a
    # short edited text, either does) are looked up in the other's words.
    named = conflicts("names") | (pl.col("same_facts") & _one_sided("names"))
    looked_up = without_typos(with_words(alike.filter(named), texts))
    unnamed = pl.col("names").list.set_difference(pl.col("word_letters_other")).list.len() > 0
    unnamed_other = pl.col("names_other").list.set_difference(pl.col("word_letters")).list.len() > 0
    verified = pl.concat(
        [
            alike.filter(~named),
            looked_up.filter(~names_conflict() & ~(pl.col("same_facts") & (unnamed | unnamed_other))),
        ],
        how="diagonal",
    ).select(
        "key",
        "other",
        "jaccard",
        rule=pl.format("{}; no conflicting {}", pl.col("rule"), pl.lit(", ".join(kinds).replace("_", " "))),
    )
    backwards = verified.select(key="other", other="key", jaccard="jaccard", rule="rule")
    return pl.concat([verified, backwards]).unique(["key", "other"], keep="first", maintain_order=True)


class NearDuplicates:
    """Drops candidates that copy an article kept before them, of the window or published (a ``duplicates``
    row each); copies found earlier that point at a dropped article point at what it copies. Adds the kept
    articles' LSH ``bands`` and body hashes (``signatures``) to the state."""

    name = "near_duplicates"
    stage = "dedup"
    reasons = (DuplicateKind.NEAR.value,)

    def run(self, window: Window, context: WindowContext) -> StepResult[Window]:
        settings, history = context.settings, context.history
        kept, paragraphs = window.articles, window.paragraphs
        # Worked out by the shard steps (``fingerprint.Fingerprint``), else here (a rebuild's candidates).
        given = window.evidence_of_articles("fingerprints")
        prints = fingerprints(kept, paragraphs, settings, context.pool) if given is None else given[0]
        sigs = prints.select(key="article_id", body_hash="body_hash")
        bands = minhash.band_keys(prints.select(key="article_id", band_hashes="band_hashes"))
        matched_bands = (
            history["bands"]
            .filter(is_in("band_hash", bands.get_column("band_hash")))
            .collect(engine="streaming")
            .rename({"article_id": "key"})
        )
        bodies = sigs.get_column("body_hash").drop_nulls()
        matched_bodies = (
            history["signatures"]
            .filter(is_in("article_id", matched_bands.get_column("key")) | is_in("body_hash", bodies))
            .select("article_id", "body_hash", "ingested_at")
            .collect(engine="streaming")
            .rename({"article_id": "key"})
        )
        near = self.copies(kept, paragraphs, sigs, bands, matched_bands, matched_bodies, context)
        near_rows = kept.join(near, on="article_id").with_columns(kind=pl.lit(DuplicateKind.NEAR.value))
        # A copy of an article that is itself a near duplicate points at what was kept instead.
        earlier = (
            window.duplicates.join(
                near.select(
                    duplicate_of="article_id",
                    kept_instead="duplicate_of",
                    similarity_right="similarity",
                    rule_right="rule",
                ),
                on="duplicate_of",
                how="left",
            )
            .with_columns(
                kind=pl.when(pl.col("kept_instead").is_null())
                .then(pl.col("kind"))
                .otherwise(pl.lit(DuplicateKind.NEAR.value)),
                similarity=pl.coalesce("similarity_right", "similarity"),
                rule=pl.coalesce("rule_right", "rule"),
                duplicate_of=pl.coalesce("kept_instead", "duplicate_of"),
            )
            .drop("kept_instead", "similarity_right", "rule_right")
        )
        kept = kept.join(near, on="article_id", how="anti")
        kept_ids = kept.get_column("article_id")
        state = {
            **window.state,
            "signatures": sigs.filter(is_in("key", kept_ids)).select(article_id="key", body_hash="body_hash"),
            "bands": bands.filter(is_in("key", kept_ids)).rename({"key": "article_id"}),
        }
        return StepResult(
            window.but(
                articles=kept,
                paragraphs=paragraphs.join(kept.select("article_id"), on="article_id", how="semi"),
                duplicates=pl.concat([earlier, near_rows], how="diagonal_relaxed"),
                state=state,
            ),
            dropped=near_rows.get_column("kind"),
        )

    @staticmethod
    def copies(
        kept: pl.DataFrame,
        paragraphs: pl.DataFrame,
        sigs: pl.DataFrame,
        bands: pl.DataFrame,
        matched_bands: pl.DataFrame,
        matched_bodies: pl.DataFrame,
        context: WindowContext,
    ) -> pl.DataFrame:
        """``article_id``, ``duplicate_of``, ``similarity``, ``rule`` of the window's copies."""
        settings, history = context.settings, context.history
        empty = pl.DataFrame(
            schema={"article_id": pl.String, "duplicate_of": pl.String, "similarity": pl.Float64, "rule": pl.String}
        )
        banded = banded_pairs(bands, matched_bands, context.pool)
        body_of = pl.concat([sigs.select("key", "body_hash"), matched_bodies.select("key", "body_hash")]).drop_nulls()
        same_body = (
            sigs.select("key", "body_hash")
            .drop_nulls()
            .join(body_of.rename({"key": "other"}), on="body_hash")
            .filter(pl.col("key") != pl.col("other"))
            .select("key", "other")
        )
        pairs = (
            pl.concat([banded, same_body])
            .unique()
            .join(same_body.with_columns(same_body=pl.lit(True)), on=["key", "other"], how="left")
            .with_columns(pl.col("same_body").fill_null(False))
        )
        if pairs.height == 0:
            return empty
        published = matched_bodies.get_column("key")
        partners = published.filter(
            published.is_in(pl.concat([pairs.get_column("other"), pairs.get_column("key")]).implode())
        )
        published_texts = compared_texts(
            history["articles"].filter(is_in("article_id", partners)).select("article_id", "headline").collect(),
            history["paragraphs"].filter(is_in("article_id", partners)).collect(engine="streaming"),
        )
        members = pl.concat([pairs.get_column("key"), pairs.get_column("other")])
        own = kept.filter(is_in("article_id", members))
        own_texts = compared_texts(own, paragraphs.filter(is_in("article_id", members)))
        edges = verify(pairs, pl.concat([own_texts, published_texts]), settings)
        if edges.height == 0:
            return empty
        nodes = (
            pl.concat(
                [
                    matched_bodies.sort("ingested_at", "key").select("key", anchor=pl.lit(True)),
                    kept.sort("source_path").select(key="article_id", anchor=pl.lit(False)),
                ]
            )
            .unique("key", keep="first", maintain_order=True)
            .with_row_index("order")
        )
        return anchor_in_arrival_order(nodes, edges, weight="jaccard").select(
            article_id="key",
            duplicate_of="anchor",
            similarity="jaccard",
            rule=pl.format("near: {}", pl.col("rule")),
        )

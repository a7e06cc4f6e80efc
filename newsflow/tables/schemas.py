"""Explicit Arrow schemas of every table, with a description of every column.

The descriptions travel inside every Parquet file (Arrow field metadata) and
generate the data dictionary in ``docs/data-dictionary.md``. What else a table
is (its key, partitioning, suite) is declared beside its schema in ``registry``.
"""

from __future__ import annotations

import pyarrow as pa

STRING = pa.large_string()  # Polars' native string layout: no copy when writing
TIMESTAMP = pa.timestamp("us", tz="UTC")
DATE = pa.date32()


def _field(name: str, kind: pa.DataType, description: str, *, nullable: bool = False) -> pa.Field:
    return pa.field(name, kind, nullable=nullable, metadata={"description": description})


_RUN_ID = _field("run_id", STRING, "Prefect flow run id of the run that wrote the row.")
_INGESTED_AT = _field("ingested_at", TIMESTAMP, "When the run that wrote the row started (UTC).")
_SOURCE_PATH = _field(
    "source_path",
    STRING,
    "Path of the input file, relative to the source folder, '/'-separated; bytes of the name that are not UTF-8, "
    "control characters and backslashes are written \\xNN.",
)
_SOURCE_SHA = _field("source_sha256", STRING, "SHA-256 of the input file's bytes, hex.", nullable=True)

SCHEMAS: dict[str, pa.Schema] = {
    "articles": pa.schema(
        [
            _field(
                "article_id", STRING, "Stable id: first 16 hex digits of SHA-256 over the canonical headline and body."
            ),
            _field("headline", STRING, "Headline, display form (NFC, markdown stripped, whitespace collapsed)."),
            _field(
                "standfirst",
                STRING,
                "Standfirst (the deck under the headline), when the layout has one.",
                nullable=True,
            ),
            _field("summary", STRING, "Summary line(s) printed before the headline, when present.", nullable=True),
            _field(
                "body",
                STRING,
                "Body text in display form: the paragraphs of roles body, subheading, list_item and table, joined "
                "by a blank line (a table's rows by a line break).",
            ),
            _field(
                "byline",
                STRING,
                "Names of the article's byline ('By Jane Doe, Reuters' gives 'Jane Doe'), when it has one.",
                nullable=True,
            ),
            _field(
                "dateline",
                STRING,
                "Place, and date as written, of the wire dateline opening the article ('NEW YORK, March 3').",
                nullable=True,
            ),
            _field(
                "published",
                DATE,
                "Publication date the text itself gives ('Published: 3 March 2021', or a dateline with a year).",
                nullable=True,
            ),
            _field(
                "language",
                STRING,
                "ISO 639-1 code of the language of the headline and body, detected offline (CLD2); null when no "
                "language is recognised (a table of figures, too little text).",
                nullable=True,
            ),
            _field(
                "language_confidence",
                pa.float64(),
                "Share of the text in that language (0-1), halved when the detector reports its guess as unreliable.",
                nullable=True,
            ),
            _field("paragraph_count", pa.int32(), "Body paragraphs (body roles) after repeated ones were removed."),
            _field("word_count", pa.int32(), "Whitespace-separated words in the body."),
            _field("repeated_paragraphs_removed", pa.int32(), "Body paragraphs dropped as repeats of an earlier one."),
            _SOURCE_PATH,
            _field("source_sha256", STRING, "SHA-256 of the input file's bytes, hex."),
            _field(
                "encoding",
                STRING,
                "Encoding the file was decoded with (utf-8, utf-8-sig, cp1252, iso-8859-1, ...); "
                "'+html' when it was an HTML export converted to text.",
            ),
            _field(
                "story_id", STRING, "The story (event) the article reports; shared by articles told in other words."
            ),
            _INGESTED_AT,
            _RUN_ID,
        ],
        metadata={
            "description": "One row per current article: distinct texts, at most one per file (a corrected file's "
            "latest text; earlier texts and retracted articles are in article_versions)."
        },
    ),
    "paragraphs": pa.schema(
        [
            _field("article_id", STRING, "The article the paragraph belongs to."),
            _field(
                "position",
                pa.int32(),
                "0-based position among the article's paragraphs after the headline, contiguous.",
            ),
            _field(
                "role",
                STRING,
                "What the paragraph is: body, subheading, list_item, table (these make up articles.body), caption, "
                "byline, dateline, credit, link, advert or signoff (kept here, left out of the body and of "
                "similarity). See the README, 'Paragraph roles'.",
            ),
            _field("text", STRING, "Paragraph, display form."),
            _field("paragraph_hash", STRING, "First 16 hex digits of SHA-256 of the canonical form."),
            _field(
                "is_boilerplate",
                pa.bool_(),
                "Found verbatim in at least boilerplate_min_articles articles (as of this run); kept, but ignored "
                "for similarity.",
            ),
            _INGESTED_AT,
            _RUN_ID,
        ],
        metadata={"description": "Paragraphs of curated articles after the headline, in order, with their role."},
    ),
    "duplicates": pa.schema(
        [
            _SOURCE_PATH,
            _field("source_sha256", STRING, "SHA-256 of the input file's bytes, hex."),
            _field("duplicate_of", STRING, "article_id of the curated article this file duplicates."),
            _field(
                "kind",
                STRING,
                "How it matched: 'exact' (same canonical headline and body) or 'near' (similar word shingles).",
            ),
            _field(
                "similarity",
                pa.float64(),
                "Estimated word-shingle Jaccard similarity to the kept article; 1.0 for exact.",
            ),
            _field("rule", STRING, "The rule that fired, with its threshold."),
            _INGESTED_AT,
            _RUN_ID,
        ],
        metadata={
            "description": "Input files (their current version) not curated because they repeat a current article; "
            "duplicate_of always names a current article."
        },
    ),
    "quarantine": pa.schema(
        [
            _SOURCE_PATH,
            _SOURCE_SHA,
            _field("reason", STRING, "Machine-readable reason code (see README, 'Quarantine reasons')."),
            _field("detail", STRING, "Human-readable explanation."),
            _field("blob_path", STRING, "Raw bytes, relative to the output folder; null if unreadable.", nullable=True),
            _INGESTED_AT,
            _RUN_ID,
        ],
        metadata={"description": "Input files rejected, with the reason; raw bytes kept under quarantine/."},
    ),
    "files": pa.schema(
        [
            _SOURCE_PATH,
            _SOURCE_SHA,
            _field("size", pa.int64(), "File size in bytes when discovered."),
            _field("mtime_ns", pa.int64(), "Modification time when discovered (ns since the epoch)."),
            _field(
                "status",
                STRING,
                "Outcome of this version: 'curated', 'duplicate', 'quarantined', 'retracted', or 'superseded' "
                "(a later version of the file replaced it).",
            ),
            _INGESTED_AT,
            _RUN_ID,
        ],
        metadata={"description": "Ledger: one row per input file version ingested, with its current outcome."},
    ),
    "stories": pa.schema(
        [
            _field("story_id", STRING, "Story id, as in articles.story_id."),
            _field("article_count", pa.int32(), "Curated articles in the story."),
            _field("canonical_article_id", STRING, "The story's first article (earliest ingested, then longest)."),
            _field("headline", STRING, "Headline of the canonical article."),
            _field("first_seen", TIMESTAMP, "When the story's first article was ingested (UTC)."),
            _field("last_seen", TIMESTAMP, "When its latest article was ingested (UTC)."),
        ],
        metadata={"description": "One row per story; rewritten by every publishing run."},
    ),
}


_ARTICLE_FIELDS = [f for f in SCHEMAS["articles"] if f.name not in {"ingested_at", "run_id"}]
SCHEMAS["article_versions"] = pa.schema(
    [
        *_ARTICLE_FIELDS,
        _field(
            "change",
            STRING,
            "Why the version left `articles`: 'corrected' (its file changed) or 'retracted' (`newsflow retract`).",
        ),
        _field(
            "superseded_by",
            STRING,
            "article_id of the file's version that replaced it ('corrected'); null for 'retracted'.",
            nullable=True,
        ),
        _field("valid_from", TIMESTAMP, "When this version was ingested (UTC)."),
        _field("valid_to", TIMESTAMP, "When it left the current tables (UTC)."),
        _INGESTED_AT,
        _RUN_ID,
    ],
    metadata={
        "description": "Earlier versions of articles, with their text: one row each time an article left "
        "`articles` (corrected or retracted)."
    },
)
SCHEMAS["retractions"] = pa.schema(
    [
        _field("article_id", STRING, "The article retracted or restored."),
        _SOURCE_PATH,
        _field("source_sha256", STRING, "SHA-256 of the retracted version's file, hex."),
        _field("action", STRING, "'retract' or 'restore'; the latest action of an article_id is in force."),
        _field("reason", STRING, "Why, as given to `newsflow retract --reason` (or `restore --reason`)."),
        _INGESTED_AT,
        _RUN_ID,
    ],
    metadata={"description": "Every retraction and restoration, in order: what, when (ingested_at) and why."},
)

_KEY = _field("article_id", STRING, "The article the row describes.")
STATE_SCHEMAS: dict[str, pa.Schema] = {
    "signatures": pa.schema(
        [
            _KEY,
            _field(
                "body_hash",
                pa.uint64(),
                "Hash of the canonical body (null when empty): finds re-transmissions.",
                nullable=True,
            ),
            _INGESTED_AT,
        ],
        metadata={
            "description": "Body hashes of curated articles and when they arrived (near-duplicate state: finds "
            "re-transmissions; the MinHash signatures are kept only as their LSH bands, in bands)."
        },
    ),
    "bands": pa.schema(
        [_KEY, _field("band", pa.uint8(), "LSH band."), _field("band_hash", pa.uint64(), "Hash of the band's rows.")],
        metadata={"description": "LSH band index of curated articles."},
    ),
    "paragraph_counts": pa.schema(
        [
            _field("paragraph_hash", STRING, "As in paragraphs.paragraph_hash."),
            _field("articles", pa.int32(), "Articles of one run containing the paragraph (sum over runs)."),
        ],
        metadata={"description": "Per-run paragraph counts, for boilerplate detection."},
    ),
    "term_postings": pa.schema(
        [_KEY, _field("term", STRING, "Content word."), _field("weight", pa.float64(), "Normalized TF-IDF weight.")],
        metadata={
            "description": "Top TF-IDF terms of curated articles, each term's first story_term_postings + 1 "
            "holders only (story state: how many hold a term, and who, while it is selective)."
        },
    ),
    "facts": pa.schema(
        [
            _KEY,
            _field(
                "numbers",
                pa.large_list(STRING),
                "Figures of the headline and body, as written ('1,500'); English number words as figures ('two': '2').",
            ),
            _field("title_tickers", pa.large_list(STRING), "Tickers in the headline, like <PSM>."),
            _field("title_numbers", pa.large_list(STRING), "Figures of the headline."),
            _field("published_date", DATE, "As in articles.published.", nullable=True),
            _field("word_count", pa.int32(), "As in articles.word_count."),
        ],
        metadata={"description": "Facts that veto a story link (periodic reports, other companies)."},
    ),
    "quotes": pa.schema(
        [
            _KEY,
            _field("quote_hash", pa.uint64(), "Hash of a quoted word 6-gram."),
            _field(
                "grams",
                pa.int32(),
                "The article's quoted word 6-grams in all (its rows here); null if published before this was kept.",
                nullable=True,
            ),
        ],
        metadata={"description": "Quotation shingles of curated articles (story state)."},
    ),
    "held_articles": pa.schema(
        [
            *(f for f in SCHEMAS["articles"] if f.name != "story_id"),
        ],
        metadata={
            "description": "Parsed versions that are not current articles (duplicates, retracted): what a "
            "reprocess, a correction or a restore compares again."
        },
    ),
    "held_paragraphs": pa.schema(
        [
            _SOURCE_PATH,
            *(f for f in SCHEMAS["paragraphs"] if f.name != "is_boilerplate"),
        ],
        metadata={"description": "Paragraphs of held_articles."},
    ),
    "story_links": pa.schema(
        [
            _KEY,
            _field("other", STRING, "The linked article."),
            _field("cosine", pa.float64(), "TF-IDF cosine."),
            _field("shared_quotes", pa.int32(), "Shared quoted word 6-grams."),
            _field("rule", STRING, "The rule that linked them."),
        ],
        metadata={"description": "Why articles were put in one story."},
    ),
}
LOG_SCHEMAS: dict[str, pa.Schema] = {
    "runs": pa.schema(
        [
            _RUN_ID,
            _field("started_at", TIMESTAMP, "When the run started (UTC)."),
            _field(
                "outcome",
                STRING,
                "'published', 'nothing_new' (no file to ingest), or 'gate_failed' (validation failed: nothing "
                "published).",
            ),
            _field(
                "step",
                STRING,
                "Pipeline step: discover, read, parse, paragraphs, dedup, validate, or 'run' for the whole run.",
            ),
            _field(
                "metric",
                STRING,
                "'total', 'kept', 'dropped_<reason>' (datatrove's convention), another count, or 'seconds' "
                "(wall-clock time of the step).",
            ),
            _field("value", pa.float64(), "The count, or the seconds."),
        ],
        metadata={
            "description": "One row per (run, step, metric): the per-step counters and timings of every finished run, "
            "published or not, under <output>/runs/ (not a curated table)."
        },
    ),
}

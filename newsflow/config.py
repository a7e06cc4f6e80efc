"""One configuration object for the whole pipeline, with documented defaults.

Settings are read, in order of precedence, from keyword overrides (the CLI), a
``newsflow.toml`` file, or the ``[tool.newsflow]`` table of ``pyproject.toml`` in
the working directory. Unknown keys are an error rather than silently ignored,
because a misspelt threshold that falls back to its default is hard to notice.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, fields
from difflib import get_close_matches
from pathlib import Path
from typing import Any

DEFAULT_INTERVAL_SECONDS = 15 * 60
"""How often ``newsflow serve`` (and ``prefect.yaml``) schedule a run."""


class ConfigError(ValueError):
    """A configuration file or value is invalid."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Settings:
    """Every tunable of the pipeline. Field docs are the documented defaults."""

    source_glob: str = "**/*.txt"
    """Files under the source folder that are ingested (pathlib glob, recursive)."""

    shard_size: int = 2_000
    """Files handled by one Prefect task. Shards are large: every task costs API calls to the Prefect server, and
    every shard builds its parse plan again (benchmarks/README.md, "Measured design")."""

    max_workers: int = 2
    """Shard tasks run at once (threads; Polars releases the GIL)."""

    window_files: int = 20_000
    """New files deduplicated, validated and staged together; peak memory follows the window, not the run
    (the default kept a million-file run under 4 GiB on 2 cores: benchmarks/README.md, "Scaling"). A run
    with more new files handles them in consecutive windows, each deduplicated against the published
    tables and the windows before it, as consecutive runs would be, and publishes them all at once or
    not at all."""

    max_file_bytes: int = 4 * 1024 * 1024
    """Files larger than this are quarantined as ``too_large`` without being read. News articles are
    rarely over 100 kB; parsing a file costs tens of times its size in memory at peak, so 4 MiB bounds a
    shard's worst case."""

    max_paragraphs: int = 5_000
    """Articles with more body paragraphs than this are quarantined as ``too_many_paragraphs``."""

    wrap_width: int = 80
    """A block of lines all at most this long may be hard-wrapped copy to reflow."""

    wrap_fill_ratio: float = 0.75
    """A block is reflowed only if its lines (bar the last) average this share of its longest line."""

    short_line_ratio: float = 0.6
    """In wrapped copy, a line shorter than this share of the longest line ends its paragraph."""

    headline_search_depth: int = 3
    """How many leading paragraphs may precede the headline (the summary line in the house layout)."""

    headline_min_chars: int = 3
    """Shortest acceptable headline, in characters."""

    headline_max_chars: int = 300
    """Longest acceptable headline; a longer first line is not taken as a headline."""

    shingle_words: int = 5
    """Words per shingle for near-duplicate detection (datatrove's default)."""

    minhash_bands: int = 20
    """LSH bands; with ``minhash_rows`` sets the candidate threshold (1/bands)**(1/rows), ~0.55."""

    minhash_rows: int = 5
    """Signature values per band. Changing bands or rows makes stored signatures unusable."""

    near_duplicate_threshold: float = 0.75
    """Estimated word-shingle Jaccard at or above which two articles are near duplicates."""

    near_duplicate_containment: float = 0.9
    """... or the share of one article's shingles inside the other's (a copy with a paragraph cut) ..."""

    near_duplicate_min_jaccard: float = 0.4
    """... provided their Jaccard is at least this (a brief is not a copy of the long piece quoting it)."""

    near_duplicate_bigram_jaccard: float = 0.8
    """... or the Jaccard of their word pairs is at least this (a copy edited for style) ..."""

    near_duplicate_bigram_containment: float = 0.95
    """... or this share of the shorter's word pairs, and ``near_duplicate_threshold`` of its shingles, are in
    the longer (a copy edited and cut) ..."""

    near_duplicate_edited_bigram_containment: float = 0.85
    """... or this share of the shorter's word pairs ..."""

    near_duplicate_edited_containment: float = 0.7
    """... and this share of its shingles are in the longer, at ``near_duplicate_min_jaccard`` (a copy edited
    throughout: re-titled, reworded, a table extended); all only with no conflicting number, ticker or name,
    and neither or both a correction."""

    near_duplicate_short_shingles: int = 50
    """A pair whose shorter text has fewer shingles than this (about 55 words) is short: one changed word is a
    tenth of its shingles, and template briefs differ in little else, so ..."""

    near_duplicate_short_threshold: float = 0.9
    """... it is a copy only at this Jaccard or above (containment does not suffice), or at
    ``near_duplicate_bigram_jaccard`` when both state exactly the same facts, and some (a brief re-titled, a
    note reworded)."""

    boilerplate_min_articles: int = 5
    """A paragraph found verbatim in this many articles is boilerplate: flagged, and ignored for similarity."""

    story_top_terms: int = 40
    """Highest TF-IDF terms kept per article to compare stories."""

    story_term_postings: int = 100
    """Terms among the top terms of more earlier articles than this are the vocabulary of a beat: they propose
    no story candidates and count in no cosine. The state keeps each term's first this + 1 holders, so a
    higher value needs a ``newsflow reprocess`` to count the holders beyond."""

    story_candidate_terms: int = 15
    """Heaviest of an article's top terms left by ``story_term_postings`` that propose story candidates: the
    two bound the pairs an article is compared with, so the story step grows linearly with the batch."""

    story_candidates: int = 10
    """Most similar articles by those terms, and most-quoting articles, whose full cosine with an article
    is computed: bounds the cosines per article."""

    story_cosine: float = 0.2
    """TF-IDF cosine (reference IDF squared, top terms) at or above which two articles tell the same story."""

    story_shared_terms: int = 7
    """... over at least this many shared top terms."""

    story_quote_cosine: float = 0.15
    """Lower cosine that suffices when the articles also share a verbatim quotation."""

    story_template_cosine: float = 0.4
    """Briefs this alike that each give figures the other lacks are one template's reports (a daily price, a
    bond issue, a company's quarter): one story only when both publication dates are known and within
    ``story_max_days``."""

    story_template_words: int = 200
    """... a brief being an article (the shorter of the two) of at most this many words."""

    story_brief_cosine: float = 0.5
    """A pair with a brief links only at this cosine or above: a brief is mostly the vocabulary of its beat."""

    story_max_days: int = 7
    """Articles whose publication dates are both known and further apart than this are other events."""

    story_quote_ngrams: int = 3
    """Shared quoted word 6-grams (8 consecutive quoted words or more) that count as a shared quotation."""

    story_quote_share: float = 0.5
    """... and the share of the less-quoting article's quoted 6-grams they must make up: rewrites of one
    event repeat most of its quotes, articles on one topic a few."""

    story_quote_postings: int = 50
    """Quoted 6-grams in more articles than this are stock phrases: no evidence of one story, and they
    would pair articles quadratically."""

    story_semantic_cosine: float = 0.6
    """Embedding cosine (a static English model over headline and body, ``newsflow.stories.semantic``) below
    which two English articles are not linked, whatever their terms and quotes share: reports of one beat
    share its vocabulary, not their meaning. 0 turns the check off."""

    expectations_dir: str = ""
    """Folder of Great Expectations suites (one JSON per curated table); empty means the suites newsflow ships
    (``expectations/`` in the repository, inside the installed package)."""

    keep_snapshots: int = 3
    """Published snapshots kept on disk, so readers of an older one are not cut off mid-read (``newsflow
    snapshots`` lists them). The current one is always kept."""

    keep_days: float = 0.0
    """Snapshots younger than this many days are kept too, however many there are; 0 keeps only the newest
    ``keep_snapshots``."""

    compact_parts: int = 100
    """A table's partition with more parts smaller than ``compact_part_bytes`` than this has them merged into one
    when the next snapshot is published, and the current day of the ``runs`` log when the next run reports (a
    past day's parts are merged whatever their count): file counts stay bounded however many runs publish."""

    compact_part_bytes: int = 16 * 2**20
    """Parts of this size or larger are never merged: they are few for the data they hold (a large run's
    windows), and rewriting them would cost a large publish as much again."""

    lock_wait_seconds: float = 3600.0
    """How long a run waits for another run on the same output to finish; 0 refuses at once (exit code 4)."""

    keep_data_docs: int = 30
    """Runs whose validation reports (Data Docs, ``validation/<run_id>``) are kept; older ones are removed at the
    end of each run. The run reports (``reports/``) and the ``runs`` table are kept whole."""

    source: str = ""
    """Landing folder the CLI reads when ``--source`` is not given; empty: ``seeds/`` for ``newsflow run``,
    ``data/landing/`` for ``newsflow serve``. Relative to the working directory."""

    output: str = "data"
    """Output folder the CLI writes when ``--output`` is not given. Relative to the working directory."""

    def __post_init__(self) -> None:
        positive = (
            "shingle_words",
            "near_duplicate_short_shingles",
            "minhash_bands",
            "minhash_rows",
            "boilerplate_min_articles",
            "story_top_terms",
            "story_quote_ngrams",
            "story_max_days",
            "story_shared_terms",
            "story_template_words",
            "story_term_postings",
            "story_candidate_terms",
            "story_quote_postings",
            "story_candidates",
            "shard_size",
            "max_workers",
            "window_files",
            "max_file_bytes",
            "max_paragraphs",
            "wrap_width",
            "headline_search_depth",
            "headline_max_chars",
            "keep_snapshots",
            "keep_data_docs",
            "compact_parts",
            "compact_part_bytes",
        )
        for name in positive:
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be >= 1, got {getattr(self, name)!r}")
        for name in (
            "wrap_fill_ratio",
            "short_line_ratio",
            "near_duplicate_threshold",
            "story_cosine",
            "story_quote_share",
            "story_quote_cosine",
            "story_template_cosine",
            "story_brief_cosine",
            "near_duplicate_containment",
            "near_duplicate_min_jaccard",
            "near_duplicate_short_threshold",
            "near_duplicate_bigram_jaccard",
            "near_duplicate_bigram_containment",
            "near_duplicate_edited_bigram_containment",
            "near_duplicate_edited_containment",
        ):
            if not 0.0 < getattr(self, name) <= 1.0:
                raise ConfigError(f"{name} must be in (0, 1], got {getattr(self, name)!r}")
        if not 0.0 <= self.story_semantic_cosine <= 1.0:
            raise ConfigError(f"story_semantic_cosine must be in [0, 1], got {self.story_semantic_cosine!r}")
        if not 0.0 <= self.keep_days < float("inf"):
            raise ConfigError(f"keep_days must be >= 0, got {self.keep_days!r}")
        if not 0.0 <= self.lock_wait_seconds < float("inf"):
            raise ConfigError(f"lock_wait_seconds must be >= 0, got {self.lock_wait_seconds!r}")
        pattern = self.source_glob.replace("\\", "/")
        if pattern.startswith("/") or ".." in pattern.split("/") or not pattern.strip("/"):
            raise ConfigError(f"source_glob must be a relative pattern inside the source folder, got {pattern!r}")
        if self.headline_min_chars > self.headline_max_chars:
            raise ConfigError("headline_min_chars must not exceed headline_max_chars")

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied (validated like the original)."""
        return dataclasses.replace(self, **changes)


def _from_mapping(data: dict[str, Any], origin: str) -> Settings:
    known = {f.name: f for f in fields(Settings)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        hints = [
            f"{name} (did you mean {close[0]}?)" if (close := get_close_matches(name, known, n=1)) else name
            for name in unknown
        ]
        raise ConfigError(f"{origin}: unknown setting(s) {', '.join(hints)}; known: {', '.join(sorted(known))}")
    defaults = Settings()
    for key, value in data.items():
        expected = type(getattr(defaults, key))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if type(value) is not expected:
            raise ConfigError(f"{origin}: {key} must be {expected.__name__}, got {value!r}")
        data[key] = value
    return Settings(**data)


def load_settings(directory: Path | None = None, **overrides: Any) -> Settings:
    """Settings from ``newsflow.toml`` or ``pyproject.toml`` in ``directory`` (default: cwd)."""
    directory = directory or Path.cwd()
    data: dict[str, Any] = {}
    origin = "defaults"
    own = directory / "newsflow.toml"
    pyproject = directory / "pyproject.toml"
    try:
        if own.is_file():
            data = dict(tomllib.loads(own.read_text(encoding="utf-8")))
            origin = str(own)
        elif pyproject.is_file():
            data = dict(tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("newsflow", {}))
            origin = f"{pyproject} [tool.newsflow]"
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"cannot parse configuration: {exc}") from exc
    given = {k: v for k, v in overrides.items() if v is not None}
    if given:
        _from_mapping(dict(given), "setting override")  # named as the override, not as the file, when wrong
    data.update(given)
    return _from_mapping(data, origin)

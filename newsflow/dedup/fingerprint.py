"""Each candidate's near-duplicate fingerprint, worked out in its shard.

The near-duplicate step looks an article up by the hash of its compared body and the LSH
band hashes of its MinHash signature (``near.FINGERPRINT``). Both are functions of the
article alone, and shingling and hashing were most of that step's own work on a window.
A shard works them out as it parses, in parallel and beside the previous window's global
steps, which run one window at a time.
"""

from __future__ import annotations

from newsflow.config import Settings
from newsflow.dedup.near import fingerprints
from newsflow.records import Shard
from newsflow.steps import StepResult


class Fingerprint:
    """Adds the ``fingerprints`` evidence (``near.fingerprints``) of a shard's article candidates; drops nothing."""

    name = "fingerprint"
    stage = None
    reasons = ()

    def run(self, shard: Shard, settings: Settings) -> StepResult[Shard]:
        articles, paragraphs = shard.distinct_articles()
        prints = fingerprints(articles.select("article_id", "headline"), paragraphs, settings)
        return StepResult(shard.but(evidence={**shard.evidence, "fingerprints": prints}))

"""Each candidate's story evidence, worked out in its shard.

The story step compares articles by their TF-IDF vectors, quoted 6-grams and facts
(``terms.article_evidence``). Each is a function of the article alone (boilerplate
paragraphs included, reference IDF fixed), so a shard works them out as it parses, in
parallel and beside the previous window's global steps, which run one window at a time.
"""

from __future__ import annotations

from newsflow.config import Settings
from newsflow.records import Shard
from newsflow.steps import StepResult
from newsflow.stories.terms import EVIDENCE, article_evidence


class StoryEvidence:
    """Adds the story evidence (``terms.EVIDENCE``) of a shard's article candidates; drops nothing."""

    name = "story_evidence"
    stage = None
    reasons = ()

    def run(self, shard: Shard, settings: Settings) -> StepResult[Shard]:
        frames = article_evidence(shard.distinct_articles(), top=settings.story_top_terms)
        return StepResult(shard.but(evidence={**shard.evidence, **dict(zip(EVIDENCE, frames, strict=True))}))

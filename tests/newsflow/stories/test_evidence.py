"""Story evidence worked out in the shards: one set per distinct article, as the window would work it out."""

from __future__ import annotations

from polars.testing import assert_frame_equal

from newsflow.config import Settings
from newsflow.extract.source import read_memory
from newsflow.pipeline import process_shard
from newsflow.stories.terms import EVIDENCE, article_evidence

QUOTED = (
    b"Minister defends budget\n\n"
    b'The minister said "we will not raise taxes on working families this year or next" in a speech.\n\n'
    b"Opposition leaders called the plan a gamble with the public finances.\n"
)
OTHER = b"Storm closes ports\n\n" + b"Ships stayed in harbour as the storm moved up the coast overnight. " * 6 + b"\n"


def test_a_shard_carries_the_story_evidence_of_each_distinct_article() -> None:
    settings = Settings()
    shard = process_shard(read_memory({"a.txt": QUOTED, "b.txt": OTHER, "c.txt": QUOTED}), settings)
    firsts = shard.candidates.unique("article_id", keep="first")
    alone = article_evidence(
        (firsts, shard.paragraphs.join(firsts.select("source_path"), on="source_path", how="semi")),
        top=settings.story_top_terms,
    )
    for name, expected in zip(EVIDENCE, alone, strict=True):
        got = shard.evidence[name]
        assert got.height == expected.height > 0, name
        assert_frame_equal(got, expected, check_row_order=False)
    assert shard.evidence["facts"].get_column("article_id").n_unique() == 2

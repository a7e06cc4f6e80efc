"""Fingerprints worked out in the shards: one per distinct article (the window's own are checked against them in
``tests/newsflow/test_pipeline.py``)."""

from __future__ import annotations

import polars as pl

from newsflow.config import Settings
from newsflow.extract.source import read_memory
from newsflow.pipeline import process_shard

STORY = (
    b"Markets rally on rate hopes\n\n" + b"Shares rose across the region as traders bet on lower rates. " * 6 + b"\n"
)
OTHER = b"Storm closes ports\n\n" + b"Ships stayed in harbour as the storm moved up the coast overnight. " * 6 + b"\n"


def test_each_distinct_article_has_one_fingerprint_of_every_band() -> None:
    settings = Settings()
    shard = process_shard(read_memory({"a.txt": STORY, "b.txt": OTHER, "c.txt": STORY}), settings)
    prints = shard.evidence["fingerprints"]
    assert prints.get_column("article_id").is_unique().all()
    assert prints.height == shard.candidates.get_column("article_id").n_unique() == 2
    assert prints.get_column("band_hashes").list.len().to_list() == [settings.minhash_bands] * 2
    assert prints.get_column("body_hash").null_count() == 0
    assert prints.schema["band_hashes"] == pl.List(pl.UInt64)

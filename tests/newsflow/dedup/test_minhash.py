from __future__ import annotations

import polars as pl
import pytest

from newsflow.dedup import minhash

WORDS = ("the quick brown fox jumps over the lazy dog while the cat watches from a warm and sunny window " * 3).split()


def sigs(**texts: str) -> pl.DataFrame:
    frame = pl.DataFrame({"key": list(texts), "text": list(texts.values())}).lazy()
    return minhash.signatures(minhash.shingle_hashes(frame, words=5), count=112)


def similarity(a: str, b: str) -> float:
    s = sigs(a=a, b=b)
    return float(minhash.similarity(pl.DataFrame({"key": ["a"], "other": ["b"]}), s).item())


def test_signatures_are_deterministic_and_estimate_jaccard() -> None:
    text = " ".join(f"w{i}" for i in range(300))
    assert similarity(text, text) == 1.0
    assert similarity(text, " ".join(f"v{i}" for i in range(300))) < 0.05
    typo = text.replace("w150", "w15O")
    assert similarity(text, typo) == pytest.approx(1 - 5 / 300, abs=0.08)
    assert sigs(a=text).equals(sigs(a=text))


def test_short_texts_are_one_shingle() -> None:
    assert similarity("breaking news", "breaking news") == 1.0
    assert similarity("breaking news", "other news") == 0.0


def test_bands_find_candidates_across_new_and_indexed() -> None:
    text = " ".join(f"w{i}" for i in range(200))
    s = sigs(new=text + " extra words here", old=text, other=" ".join(f"x{i}" for i in range(200)))
    bands = minhash.band_keys(s, bands=14, rows=8)
    assert bands.height == 3 * 14
    new, index = bands.filter(pl.col("key") == "new"), bands.filter(pl.col("key") != "new")
    assert minhash.candidate_pairs(new, index).rows() == [("new", "old")]


def test_band_keys_refuse_signatures_of_another_shape() -> None:
    with pytest.raises(ValueError, match="bands x rows"):
        minhash.band_keys(sigs(a="a b c d e f"), bands=10, rows=8)

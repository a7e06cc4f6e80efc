from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from newsflow.dedup import minhash

WORDS = ("the quick brown fox jumps over the lazy dog while the cat watches from a warm and sunny window " * 3).split()


def sigs(**texts: str) -> pl.DataFrame:
    frame = pl.DataFrame({"key": list(texts), "text": list(texts.values())}).lazy()
    return minhash.signatures(minhash.shingle_hashes(frame, words=5), count=112)


def similarity(a: str, b: str) -> float:
    """The signatures' estimate of the Jaccard similarity of two texts: the share of equal values."""
    left, right = sigs(a=a, b=b).sort("key").get_column("signature").to_list()
    return sum(x == y for x, y in zip(left, right, strict=True)) / len(left)


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
    hashes = minhash.band_hashes(s, bands=14, rows=8)
    assert hashes.get_column("band_hashes").list.len().to_list() == [14, 14, 14]
    bands = minhash.band_keys(hashes)
    assert bands.height == 3 * 14
    assert bands.group_by("key").agg(pl.col("band").sort()).get_column("band").to_list() == [list(range(14))] * 3
    new, index = bands.filter(pl.col("key") == "new"), bands.filter(pl.col("key") != "new")
    assert minhash.candidate_pairs(new, index).rows() == [("new", "old")]


def test_band_hashes_refuse_signatures_of_another_shape() -> None:
    with pytest.raises(ValueError, match="bands x rows"):
        minhash.band_hashes(sigs(a="a b c d e f"), bands=10, rows=8)


def _by_group_by(hashes: pl.LazyFrame, *, count: int) -> pl.DataFrame:
    """The signatures by a Polars group-by, one ``min`` per permutation: the reference for the NumPy version."""
    a, b = minhash.permutations(count)
    h = pl.col("h").cast(pl.UInt64)
    minima = [(h * pl.lit(a[k], pl.UInt64) + pl.lit(b[k], pl.UInt64)).min().alias(f"m{k}") for k in range(count)]
    return (
        hashes.group_by("key")
        .agg(*minima)
        .select("key", signature=pl.concat_list([f"m{k}" for k in range(count)]))
        .sort("key")
        .collect()
    )


@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "c", "d", "e"]), st.integers(min_value=0, max_value=2**64 - 1)),
        min_size=1,
        max_size=60,
    ),
    st.sampled_from([1, 2, 7, 1 << 16]),
)
def test_numpy_minima_equal_a_polars_group_by(rows: list[tuple[str, int]], block: int) -> None:
    """Whatever the block of keys the permutations run over at once, and with a key's hash repeated."""
    hashes = pl.DataFrame(rows, schema={"key": pl.String, "h": pl.UInt64}, orient="row").lazy()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(minhash, "_BLOCK", block)
        found = minhash.signatures(hashes, count=16)
    assert_frame_equal(found, _by_group_by(hashes, count=16))


def test_numpy_minima_equal_a_polars_group_by_on_real_text() -> None:
    frame = pl.DataFrame({"key": [f"k{i}" for i in range(40)], "text": [" ".join(WORDS[i:]) for i in range(40)]})
    hashes = minhash.shingle_hashes(frame.lazy(), words=5)
    assert_frame_equal(minhash.signatures(hashes, count=100), _by_group_by(hashes, count=100))
    # WORDS repeats itself: every text holds some shingles more than once.
    repeated = minhash.shingle_hashes(frame.lazy(), words=5, distinct=False)
    assert repeated.collect().height > hashes.collect().height
    assert_frame_equal(minhash.signatures(repeated, count=100), minhash.signatures(hashes, count=100))


def test_no_hashes_no_signatures() -> None:
    empty = pl.DataFrame(schema={"key": pl.String, "h": pl.UInt64}).lazy()
    assert minhash.signatures(empty, count=8).height == 0

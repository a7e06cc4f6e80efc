"""Near-duplicate detection: MinHash signatures over word shingles, LSH banding, verification.

Shingles are word n-grams of an article's compared text (``near.compared_texts``: its
canonical headline and body). Each shingle is hashed with a stable 64-bit hash (xxh3);
the k-th signature value is the minimum over shingles of ``a_k * h + b_k`` modulo 2**64
(multiply-add hashing), computed for all articles at once with NumPy. Signatures are
cut into ``bands`` bands of ``rows`` values; articles sharing any band are candidates,
each verified on its exact shingle sets (``near.verify``): signatures only propose, so
only their bands are kept. datatrove uses 14 bands x 8 rows (candidates from Jaccard
~0.72); the defaults here, 20 bands x 5 rows, make candidates from ~0.55 (a pair at 0.6
with probability 0.8, at 0.7 with 0.98), because a copy with its last paragraph cut
often sits at 0.6-0.75 and must reach verification to be caught by containment. On the
evaluation set (benchmarks/dedup_quality.py) that raised per-file recall from 0.95 to
the figure in the README without costing precision.
"""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
from polars_hash import NonCryptographicHashingNameSpace

from newsflow.frames import ngram_rows, positions

_SEED = 0x6E657773  # "news": fixed, so signatures stay comparable across runs and machines
_BLOCK = 1 << 16
"""Shingle hashes (8 B each) of a block of keys, about the size of a core's L2 cache."""


def permutations(count: int) -> tuple[list[int], list[int]]:
    """The (a, b) coefficients of ``count`` hash functions; a is odd, as multiply-add hashing needs."""
    rng = np.random.default_rng(_SEED)
    a = rng.integers(1, 2**63, size=count, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    b = rng.integers(0, 2**63, size=count, dtype=np.uint64)
    return [int(x) for x in a], [int(x) for x in b]


def shingle_hashes(texts: pl.LazyFrame, *, words: int, distinct: bool = True) -> pl.LazyFrame:
    """``key``, ``h``: hashes of the word ``words``-grams of ``text`` per key, each once per key; without
    ``distinct``, once per occurrence (``signatures`` needs no more, and a unique over the key strings cost
    as much as the hashing).

    A text shorter than ``words`` words is one shingle, so short texts still compare.
    """
    texts = texts.filter(pl.col("text") != "")
    tokens = pl.col("text").str.split(" ")
    short = texts.filter(tokens.list.len() < words).select("key", shingle="text")
    grams = ngram_rows(texts, tokens, words, keep=["key"]).rename({"gram": "shingle"})
    hashes = pl.concat([grams, short]).select("key", h=NonCryptographicHashingNameSpace(pl.col("shingle")).xxh3_64())
    return hashes.unique() if distinct else hashes


def signatures(hashes: pl.LazyFrame, *, count: int) -> pl.DataFrame:
    """``key``, ``signature`` (list of ``count`` UInt64 minima) per key, in key order; ``hashes`` (``key``,
    ``h``) may repeat a key's hash (a repeat changes no minimum).

    NumPy, one permutation at a time over every shingle of the batch: ``a * h + b`` wraps modulo
    2**64 as Polars' integer arithmetic does, and ``minimum.reduceat`` takes each key's minimum over
    its contiguous run of rows. It gives the values of a Polars group-by with one ``min`` per
    permutation (tests/newsflow/dedup/test_minhash.py), at about half its cost.
    """
    frame = hashes.select("key", h=pl.col("h").cast(pl.UInt64)).collect()
    if frame.height == 0:
        return pl.DataFrame(schema={"key": frame.schema["key"], "signature": pl.List(pl.UInt64)})
    # Each key's rows are made contiguous by sorting the key's number in key order: numbers sort
    # faster than the key strings themselves.
    keys = frame.get_column("key").unique().sort()
    numbers = positions(frame.get_column("key"), keys)
    order = np.argsort(numbers, kind="stable")
    numbers = numbers[order]
    starts = np.flatnonzero(np.concatenate(([True], numbers[1:] != numbers[:-1])))
    h = frame.get_column("h").to_numpy()[order]
    a, b = (np.array(values, dtype=np.uint64) for values in permutations(count))
    minima = np.empty((starts.size, count), dtype=np.uint64)
    bounds = np.append(starts, h.size)
    # Every permutation runs over a block of keys while its hashes are in the CPU cache: a pass of one
    # permutation over the whole batch reads them from memory each time.
    edges = [0, *(np.flatnonzero(np.diff(starts // _BLOCK)) + 1).tolist(), starts.size]
    for first, last in itertools.pairwise(edges):
        block = h[bounds[first] : bounds[last]]
        offsets = starts[first:last] - bounds[first]
        permuted = np.empty_like(block)
        for k in range(count):
            np.multiply(block, a[k], out=permuted)
            np.add(permuted, b[k], out=permuted)
            minima[first:last, k] = np.minimum.reduceat(permuted, offsets)
    return pl.DataFrame({"key": keys, "signature": pl.Series(minima).cast(pl.List(pl.UInt64))})


def band_hashes(sigs: pl.DataFrame, *, bands: int, rows: int) -> pl.DataFrame:
    """``key``, ``band_hashes``: one stable hash per band of each signature, in band order."""
    if sigs.height and sigs.get_column("signature").list.len().min() != bands * rows:
        raise ValueError(f"signatures do not have bands x rows = {bands * rows} values")
    parts = [
        NonCryptographicHashingNameSpace(
            pl.col("signature").list.slice(band * rows, rows).cast(pl.List(pl.String)).list.join(",")
        ).xxh3_64()
        for band in range(bands)
    ]
    return sigs.select("key", band_hashes=pl.concat_list(parts))


def band_keys(hashes: pl.DataFrame) -> pl.DataFrame:
    """``key``, ``band``, ``band_hash``: a row per band of each key's ``band_hashes`` (none for a null)."""
    return (
        hashes.drop_nulls("band_hashes")
        .select(
            "key",
            band=pl.int_ranges(pl.col("band_hashes").list.len(), dtype=pl.UInt8),
            band_hash="band_hashes",
        )
        .explode("band", "band_hash")
    )


def candidate_pairs(new: pl.DataFrame, index: pl.DataFrame) -> pl.DataFrame:
    """``key``, ``other``: pairs sharing a band, each new key against new and indexed keys."""
    everything = pl.concat([new, index.select(new.columns)]).unique()
    return (
        new.join(everything, on=["band", "band_hash"], suffix="_other")
        .filter(pl.col("key") != pl.col("key_other"))
        .select("key", other="key_other")
        .unique()
    )

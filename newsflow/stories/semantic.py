"""Meaning as a last check on story links: two reports of one beat share its words, not its meaning.

A link found by terms and quotes is kept only if the two articles' embeddings agree: the
cosine of their static embeddings (wordllama's English model: the mean of the token
embeddings of headline and body) is at least ``story_semantic_cosine``. The model and
its tokenizer ship inside the wordllama wheel and are read from there: nothing is fetched
at run time. It is an English model: pairs where either article is not English are left
to the other rules.

Only the articles of pairs that would link are embedded (published partners' text is
read for them alone), so the cost follows the links, not the batch.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import polars as pl
from scipy import sparse

from newsflow.frames import is_in

if TYPE_CHECKING:
    from tokenizers import Tokenizer

LANGUAGES = ("en",)
"""Languages the model was trained on: a pair is checked only when both articles are in one of them."""


class ModelMissingError(RuntimeError):
    """The embedding model's files are not where the installed wordllama keeps them."""


class Model(NamedTuple):
    tokenizer: Tokenizer
    embeddings: np.ndarray
    """One row per token id."""


MODEL_FILES = ("tokenizers/l2_supercat_tokenizer_config.json", "weights/l2_supercat_256.safetensors")
"""wordllama's default model (``l2_supercat``, 256 dimensions): tokenizer and weights, inside its package."""


@functools.cache
def model() -> Model:
    """The model's files from the wordllama package, read once per process. Read directly (what
    ``WordLlama.load`` reads, without importing the library's download and config machinery): a
    second less at start-up, and no code path that could fetch anything."""
    from safetensors import safe_open
    from tokenizers import Tokenizer

    spec = importlib.util.find_spec("wordllama")
    if spec is None or spec.origin is None:
        raise ModelMissingError("wordllama is not installed: it ships the model the story links are checked with")
    tokenizer_file, weights_file = (Path(spec.origin).parent / name for name in MODEL_FILES)
    for path in (tokenizer_file, weights_file):
        if not path.is_file():
            raise ModelMissingError(f"wordllama's model file {path} is missing: reinstall wordllama")
    with safe_open(str(weights_file), framework="np") as weights:
        embeddings = np.ascontiguousarray(weights.get_tensor("embedding.weight"), dtype=np.float32)
    return Model(Tokenizer.from_file(str(tokenizer_file)), embeddings)


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length embeddings of ``texts`` (one row each; zeros for a text without tokens): the mean of its
    token embeddings, as wordllama's ``embed`` computes it, without its padded batches."""
    tokenizer, embeddings = model()
    encoded = tokenizer.encode_batch(texts, add_special_tokens=False)
    # The tokenizer gives one encoding per text: its ids are gathered once, then pooled as a sparse product.
    ids = [np.asarray(encoding.ids, dtype=np.int64) for encoding in encoded]
    lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
    tokens = np.concatenate([np.zeros(0, dtype=np.int64), *ids])
    counts = sparse.csr_matrix(
        (np.ones(tokens.size, dtype=np.float32), tokens, np.concatenate([[0], np.cumsum(lengths)])),
        shape=(len(texts), embeddings.shape[0]),
    )
    summed = np.asarray(counts @ embeddings, dtype=np.float32)
    norms = np.linalg.norm(summed, axis=1, keepdims=True)
    unit: np.ndarray = np.divide(summed, norms, out=np.zeros_like(summed), where=norms > 0)
    return unit


TEXT_COLUMNS = ("headline", "body", "language")
"""The columns of an article that ``cosines`` reads."""


def text() -> pl.Expr:
    """The text an article is embedded from."""
    return pl.concat_str(pl.col("headline").fill_null(""), pl.col("body").fill_null(""), separator="\n")


def cosines(pairs: pl.DataFrame, articles: pl.DataFrame) -> pl.Series:
    """Embedding cosine of each pair (``article_id``, ``other``) of ``articles`` (``article_id``, ``headline``,
    ``body``, ``language``); null where either is not in ``LANGUAGES`` or has no tokens."""
    named = pl.concat([pairs.get_column("article_id"), pairs.get_column("other")])
    # Only the articles the pairs name are embedded: a batch's articles are mostly in no pair.
    english = articles.filter(pl.col("language").is_in(LANGUAGES) & is_in("article_id", named)).unique(
        "article_id", maintain_order=True
    )
    if english.is_empty():
        return pl.Series("semantic", [None] * pairs.height, dtype=pl.Float64)
    rows = english.select("article_id", row=pl.int_range(pl.len(), dtype=pl.Int64))
    indexed = (
        pairs.select("article_id", "other")
        .with_row_index("pair")
        .join(rows, on="article_id", how="left")
        .join(rows.rename({"article_id": "other", "row": "other_row"}), on="other", how="left")
        .sort("pair")
    )
    vectors = embed(english.select(text()).to_series().to_list())
    mine = indexed.get_column("row").fill_null(0).to_numpy()
    theirs = indexed.get_column("other_row").fill_null(0).to_numpy()
    empty: np.ndarray = ~np.any(vectors, axis=1)
    return (
        indexed.with_columns(
            value=pl.Series(np.einsum("ij,ij->i", vectors[mine], vectors[theirs]).astype(np.float64)),
            empty=pl.Series(empty[mine] | empty[theirs]),
        )
        .select(
            semantic=pl.when(pl.col("row").is_not_null() & pl.col("other_row").is_not_null() & ~pl.col("empty")).then(
                "value"
            )
        )
        .to_series()
    )


def agreeing(pairs: pl.DataFrame, articles: pl.DataFrame, *, min_cosine: float) -> pl.DataFrame:
    """``pairs`` (``article_id``, ``other``, ``rule``, ...) less those whose embedding cosine (``cosines``) is
    below ``min_cosine``; a checked pair's ``rule`` says its cosine. ``min_cosine`` 0 checks nothing."""
    if min_cosine <= 0 or pairs.is_empty():
        return pairs
    checked = pairs.with_columns(semantic=cosines(pairs, articles))
    return (
        checked.filter(pl.col("semantic").is_null() | (pl.col("semantic") >= min_cosine))
        .with_columns(
            rule=pl.when(pl.col("semantic").is_null())
            .then("rule")
            .otherwise(
                pl.format("{}; embedding cosine {} >= {}", "rule", pl.col("semantic").round(3), pl.lit(min_cosine))
            )
        )
        .select(pairs.columns)
    )

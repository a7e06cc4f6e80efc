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
import json
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import polars as pl
from scipy import sparse

from newsflow.frames import is_in, positions

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
    pieces: Tokenizer | None
    """The tokenizer without its normalizer, for words already normalized (``embed``); None unless words
    tokenize as the whole text does (``_cuttable``)."""
    special: list[str]
    """The added tokens' texts (``<s>``...): the tokenizer cuts a text at them before normalizing it."""


_SPACE = "\u2581"
"""What the tokenizer's normalizer makes of a space, and puts before the text (SentencePiece's word mark)."""
_NORMALIZER = {
    "type": "Sequence",
    "normalizers": [
        {"type": "Prepend", "prepend": _SPACE},
        {"type": "Replace", "pattern": {"String": " "}, "content": _SPACE},
    ],
}
_PIECE = f"{_SPACE}+[^{_SPACE}]*|[^{_SPACE}]+"
"""A word as the tokenizer sees it: a run of marks and the characters up to the next mark."""

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
    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    pieces = Tokenizer.from_file(str(tokenizer_file))
    pieces.normalizer = None
    special = [token.content for token in tokenizer.get_added_tokens_decoder().values()]
    return Model(tokenizer, embeddings, pieces if _cuttable(tokenizer) else None, special)


def _cuttable(tokenizer: Tokenizer) -> bool:
    """Whether a text normalized as ``embed`` does it and cut into words (``_PIECE``) tokenizes word by word as
    it does whole: the normalizer is SentencePiece's (a mark before the text, a mark for each space), BPE runs
    on the whole text (no pre-tokenizer), and no token holds a mark after another character, so no merge
    reaches across a word boundary (runs of marks, "▁▁", are tokens of their own)."""
    config = json.loads(tokenizer.to_str())
    return (
        config["normalizer"] == _NORMALIZER
        and config["pre_tokenizer"] is None
        and config["model"]["type"] == "BPE"
        and not any(_SPACE in token.lstrip(_SPACE) for token in tokenizer.get_vocab())
    )


def _token_ids(model: Model, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Every text's token ids, end to end, and the number of each text's ids: those of the tokenizer on the
    whole text.

    The tokenizer has no pre-tokenizer: it runs BPE over a whole text as one word, and a text's
    words are mostly words other texts hold too. Cut at word boundaries, where no merge can
    reach across (``_cuttable``), each distinct word is tokenized once for the batch. A batch
    holding an added token's text is tokenized text by text.
    """
    series = pl.Series("text", texts, dtype=pl.String)
    if model.pieces is None or series.str.contains_any(model.special).any():
        encoded = model.tokenizer.encode_batch(texts, add_special_tokens=False)
        ids = [np.asarray(encoding.ids, dtype=np.int64) for encoding in encoded]
        return np.concatenate([np.zeros(0, dtype=np.int64), *ids]), np.fromiter(map(len, ids), np.int64, len(ids))
    # The normalizer's work (a mark before a text that is not empty, a mark for each space), then the cut.
    words = (
        series.to_frame()
        .select(
            pl.when(pl.col("text") != "")
            .then(pl.concat_str(pl.lit(_SPACE), pl.col("text").str.replace_all(" ", _SPACE, literal=True)))
            .str.extract_all(_PIECE)
        )
        .to_series()
    )
    per_text = words.list.len().fill_null(0).cast(pl.Int64).to_numpy()
    occurrences = words.explode().drop_nulls()
    distinct = occurrences.unique()
    encoded = model.pieces.encode_batch(distinct.to_list(), add_special_tokens=False)
    word_ids = np.fromiter((token for e in encoded for token in e.ids), np.int64)
    sizes = np.fromiter((len(e.ids) for e in encoded), np.int64, len(encoded))
    which = positions(occurrences, distinct)
    # Each occurrence's ids gathered in text order: the ids the whole text gives, one after another.
    lengths = sizes[which]
    ends = _starts(lengths)
    offsets = np.arange(ends[-1], dtype=np.int64) - np.repeat(ends[:-1], lengths)
    tokens = word_ids[np.repeat(_starts(sizes)[which], lengths) + offsets]
    bounds = ends[_starts(per_text)]
    return tokens, np.diff(bounds)


def _starts(sizes: np.ndarray) -> np.ndarray:
    """Where each of consecutive runs of ``sizes`` starts, and (last) where the last one ends."""
    return np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(sizes, dtype=np.int64)])


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length embeddings of ``texts`` (one row each; zeros for a text without tokens): the mean of its
    token embeddings, as wordllama's ``embed`` computes it, without its padded batches."""
    loaded = model()
    tokens, lengths = _token_ids(loaded, texts)
    # Pooled as a sparse product, a row of ones per text in token order.
    counts = sparse.csr_matrix(
        (np.ones(tokens.size, dtype=np.float32), tokens, _starts(lengths)),
        shape=(len(texts), loaded.embeddings.shape[0]),
    )
    summed = np.asarray(counts @ loaded.embeddings, dtype=np.float32)
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

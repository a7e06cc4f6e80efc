"""Words of scripts written without spaces: Chinese and Japanese text segmented into words, so that shingles,
story terms and reference frequencies see words, not whole sentences.

Chinese is cut by jieba's dictionary (``rjieba``, the Rust port: its dictionary ships in the
wheel), Japanese (any kana in the text) by TinySegmenter's model (pure Python, inside its
package). Both load offline. Only rows with such characters pay the per-row Python call.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import polars as pl

UNSPACED = r"[\p{Han}\p{Hiragana}\p{Katakana}]"
"""A character of a script written without spaces between words."""
_KANA = re.compile(r"[\u3040-\u30ff]")
"""Hiragana or katakana: the text is Japanese."""


@lru_cache(maxsize=1)
def _japanese() -> Any:
    import tinysegmenter  # type: ignore[import-untyped]

    return tinysegmenter.TinySegmenter()


def _segment(text: str) -> str:
    import rjieba

    tokens = _japanese().tokenize(text) if _KANA.search(text) else rjieba.cut(text)
    return " ".join(token for token in (t.strip() for t in tokens) if token)


def segmented(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """``frame`` with the ``column`` text of rows holding Chinese or Japanese characters cut into words
    (space-separated, runs of spaces collapsed); other rows unchanged."""
    unspaced = pl.col(column).str.contains(UNSPACED).fill_null(False)
    marked = frame.with_row_index("_row")
    cut = marked.filter(unspaced)
    if cut.is_empty():
        return frame
    words = cut.with_columns(pl.col(column).map_elements(_segment, return_dtype=pl.String).str.replace_all(r"\s+", " "))
    return pl.concat([marked.filter(~unspaced), words]).sort("_row").drop("_row")

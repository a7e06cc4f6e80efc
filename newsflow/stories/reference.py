"""How rare a word is in its language at large, from wordfreq's word lists (shipped inside its wheel, read
offline): the inverse document frequency of story vectors.

A corpus's own document frequencies change with every article added, so a pair's
similarity would depend on what was ingested before it, and the same files would make
other stories in one run than in ten. A reference frequency is the same whenever and
however the articles arrive.
"""

from __future__ import annotations

import math
from functools import lru_cache

import polars as pl

FLOOR = 1e-8
"""The frequency of a word missing from the reference list: rarer than any listed (``IDF_CEILING``)."""
IDF_CEILING = -math.log(FLOOR)
LANGUAGE = pl.col("language").fill_null("en")
"""An article's language as the reference lists are looked up in: unknown is read as English."""


@lru_cache(maxsize=64)
def _lists() -> tuple[frozenset[str], frozenset[str]]:
    from wordfreq import available_languages

    return frozenset(available_languages("large")), frozenset(available_languages("small"))


@lru_cache(maxsize=64)
def idf_table(language: str) -> pl.DataFrame:
    """``term``, ``idf`` (``-ln`` of its frequency) of every word wordfreq lists for ``language`` (empty when it
    has no list: every word then weighs ``IDF_CEILING``)."""
    from wordfreq import get_frequency_dict

    large, small = _lists()
    wordlist = "large" if language in large else "small" if language in small else None
    if wordlist is None:
        return pl.DataFrame(schema={"term": pl.String, "idf": pl.Float64})
    frequencies = get_frequency_dict(language, wordlist=wordlist)
    table = pl.DataFrame({"term": list(frequencies), "frequency": list(frequencies.values())})
    return table.select("term", idf=-pl.col("frequency").clip(lower_bound=FLOOR).log())


def reference_idf(languages: pl.Series) -> pl.DataFrame:
    """``term``, ``language``, ``idf`` of every word listed for each of ``languages`` (a null read as English, the
    language of most unlabelled text here; a language without a list takes the English one). Join it on ``term``
    and ``language`` filled the same way (``LANGUAGE``); a word missing from its list weighs ``IDF_CEILING``."""
    parts = []
    for code in languages.fill_null("en").unique().sort():
        table = idf_table(str(code))
        if table.is_empty():
            table = idf_table("en")
        parts.append(table.with_columns(language=pl.lit(str(code))))
    if not parts:
        return pl.DataFrame(schema={"term": pl.String, "idf": pl.Float64, "language": pl.String})
    return pl.concat(parts)

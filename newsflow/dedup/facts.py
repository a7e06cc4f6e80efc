"""The facts of an article that a copy repeats and a different report changes: numbers, tickers and names.

Two briefs made from one template ("<PSM> qtly div 10 cts vs 10 cts prior, pay April 1") share
almost every word; what tells them apart is a figure, a date, a company. A near-duplicate
verdict therefore needs, besides similar wording, that neither article states a fact the
other lacks while lacking one the other states (``conflicts``). One side having facts the
other lacks is a copy with a paragraph cut, not a different report.
"""

from __future__ import annotations

import polars as pl

NUMBER = r"\d+(?:[.,:/]\d+)*"
"""A figure as written: "1,500", "3.5", "9/11", "10:30" (a date's day counts as a figure too)."""
_CARDINALS = (  # noqa: SIM905 - word lists read better as text
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty"
).split()
_ORDINALS = (  # noqa: SIM905
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
    "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth"
).split()
_TENS = {"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80", "ninety": "90"}
NUMBER_WORDS = {
    **{word: str(value) for value, word in enumerate(_CARDINALS)},
    **{word: str(value) for value, word in enumerate(_ORDINALS)},
    **_TENS,
}
"""English number words and the figure each stands for: "two billion" and "1.5 billion", or the "eighth" and
the "ninth" budget, differ in a figure. Ordinals count as their cardinal, as "8th" does."""
# ASCII word boundaries: a Unicode ``\b`` keeps the regex engine off its fast automaton (several times slower).
_NUMBER_WORD = r"(?i)(?-u:\b)(?:" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")(?-u:\b)"
CORRECTED_TITLE = r"(?i)^\W*correct(?:ed|ion)\b"
CORRECTS_LINE = r"(?im)^\W*corrects\b"
"""A text that announces itself a correction: a headline "CORRECTED - ..." / "(CORRECTION) ...", or a line
"Corrects March 11 item ..." (the wires' convention). It changes a fact of the text it corrects, though
often in wording no fact list catches ("includes" for "excludes"), so it is never a copy of an uncorrected
text."""
TICKER = r"<([\p{Lu}\d][\p{Lu}\d.&-]{0,11})>"
"""A wire-style ticker in angle brackets, "<PSM>", "<BP.L>"."""
TITLE_TICKER = r"<([^<>\n]{1,80})>"
"""... and in a title also a company named in angle brackets, "<FRANKLIN UTILITIES FUND>": the subject. (In a
body, copies bracket names inconsistently.)"""
_NAME = r"^[\"\u201c\u2018(]?(\p{Lu}[\p{Ll}\p{M}'\u2019]*\p{Ll}|\p{Lu}{2,})"
"""A capitalised word, or an acronym (group 1)."""
_OPENS = r"[.!?:;\"\u201c\u2018(\[]$"
"""A word ending so makes the next one open a sentence (or a quote): capitalised whatever it is."""


def fact_lists(text: pl.Expr, headline: pl.Expr) -> dict[str, pl.Expr]:
    """The distinct facts (``FACTS``, and ``title_numbers``) of an article's ``headline`` and body ``text``.

    Names are taken from the body, and from the headline only when it is not in capitals
    throughout (a wire title in capitals makes every word look like a name). A name is
    kept as its letters in sorted order, so a typo that swaps two letters is the same name.
    """
    cased = headline.str.contains(r"\p{Ll}")
    both = pl.concat_str([headline, pl.lit("\n"), text])
    named = pl.when(cased).then(both).otherwise(text)
    # Lines start sentences too; the marker keeps the word after a line break from counting.
    # Dashes split words, as in the canonical form the other article's words are compared in.
    spaced = named.str.replace_all(r"\p{Pd}", " ").str.replace_all(r"\n", " . ")
    words = spaced.str.replace_all(r"\s+", " ").str.strip_chars().str.split(" ")
    word = pl.element()
    names = (
        words.list.eval(
            word.filter(word.str.contains(_NAME) & ~word.shift(1).str.contains(_OPENS).fill_null(True))
            # The whole word as the canonical text has it ("NBC's" is "nbcs"): the form the other
            # article's words are compared in.
            .str.replace_all(r"[^\p{L}\p{N}]", "")
            .str.to_lowercase()
            .str.split("")
            .list.sort()
            .list.join("")
        )
        .list.unique()
        .list.sort()
    )

    def figures(of: pl.Expr) -> pl.Expr:
        spelled = of.str.extract_all(_NUMBER_WORD).list.eval(
            pl.element().str.to_lowercase().replace_strict(NUMBER_WORDS, return_dtype=pl.String)
        )
        return pl.concat_list(of.str.extract_all(NUMBER), spelled).list.unique().list.sort()

    def tickers(of: pl.Expr, pattern: str = TICKER) -> pl.Expr:
        return of.str.extract_all(pattern).list.eval(pl.element().str.strip_chars("<>")).list.unique().list.sort()

    return {
        "numbers": figures(both),
        "title_numbers": figures(headline),
        "tickers": tickers(both),
        # A body may name the other company (a correction, an acquisition); the title names the subject.
        "title_tickers": tickers(headline, TITLE_TICKER),
        "names": names,
        "correction": headline.str.contains(CORRECTED_TITLE) | text.str.contains(CORRECTS_LINE),
    }


FACTS = ("numbers", "tickers", "title_tickers", "names")


def conflicts(kind: str) -> pl.Expr:
    """Each article of a pair (columns ``<kind>`` and ``<kind>_other``) has a fact of ``kind`` the other lacks."""
    mine, theirs = pl.col(kind), pl.col(f"{kind}_other")
    return (mine.list.set_difference(theirs).list.len() > 0) & (theirs.list.set_difference(mine).list.len() > 0)


def first_conflict(kinds: tuple[str, ...] = FACTS) -> pl.Expr:
    """The first of ``kinds`` of fact on which a pair conflicts, else null."""
    expr: pl.Expr = pl.lit(None, pl.String)
    for kind in reversed(kinds):
        expr = pl.when(conflicts(kind)).then(pl.lit(kind)).otherwise(expr)
    return expr


def letters(words: pl.Expr) -> pl.Expr:
    """Each word of a list as its letters and digits in sorted order, the form ``names`` are kept in."""
    return words.list.eval(pl.element().str.replace_all(r"[^\p{L}\p{N}]", "").str.split("").list.sort().list.join(""))


def names_conflict() -> pl.Expr:
    """Each article of a pair names someone (``names``) whose name appears nowhere in the other's words
    (``word_letters``, ``word_letters_other``): a name merely capitalised, bracketed or moved in one copy is
    no conflict."""
    mine = pl.col("names").list.set_difference(pl.col("word_letters_other")).list.len() > 0
    theirs = pl.col("names_other").list.set_difference(pl.col("word_letters")).list.len() > 0
    return mine & theirs


TYPO_LETTERS = 6
"""A name of this many letters or more one edit away from a word of the other text (a letter added, dropped
or changed: "Sepember") is a typo of that word, not another name; a shorter one ("Amax", "Amex") is not."""


def _less_one_letter(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """``frame`` with a row per ``variant``: the ``column`` value itself and each form of it less one letter. Two
    words one edit apart share a variant (the symmetric-deletion trick); sorted letters keep swaps alike too."""
    value, at = pl.col(column), pl.col("at")
    return (
        frame.with_columns(at=pl.int_ranges(-1, value.str.len_chars()))
        .explode("at")
        .with_columns(variant=pl.when(at < 0).then(value).otherwise(value.str.slice(0, at) + value.str.slice(at + 1)))
        .drop("at")
    )


def without_typos(pairs: pl.DataFrame) -> pl.DataFrame:
    """``pairs`` (``names``, ``names_other``, ``word_letters``, ``word_letters_other``) with each side's names
    less those that are a typo (``TYPO_LETTERS``) of a word of the other side."""
    indexed = pairs.with_row_index("pair")
    result = indexed
    for names, words in (("names", "word_letters_other"), ("names_other", "word_letters")):
        missing = (
            indexed.select("pair", name=pl.col(names).list.set_difference(words))
            .explode("name")
            .filter(pl.col("name").str.len_chars() >= TYPO_LETTERS)
        )
        vocabulary = (
            indexed.select("pair", word=words)
            .explode("word")
            .filter(pl.col("word").str.len_chars() >= TYPO_LETTERS - 1)
        )
        typos = (
            _less_one_letter(missing, "name")
            .join(_less_one_letter(vocabulary, "word"), on=["pair", "variant"], how="semi")
            .group_by("pair")
            .agg(typos=pl.col("name").unique())
        )
        result = (
            result.join(typos, on="pair", how="left")
            .with_columns(pl.col(names).list.set_difference(pl.col("typos").fill_null(pl.lit([], pl.List(pl.String)))))
            .drop("typos")
        )
    return result.drop("pair")

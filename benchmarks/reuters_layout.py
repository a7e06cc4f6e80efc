"""How faithfully newsflow parses wire copy: Reuters-21578 stories checked against the wire layout rule.

    uv run python benchmarks/reuters_layout.py [--corpus ../shared/corpora/reuters] [--output DIR]

Runs ``newsflow run`` on the corpus (or reads an existing ``--output``), then checks
every curated article against an independent reading of the layout (the corpus
README): the title is the first line; in the body, an indented line starts a
paragraph and a non-indented line continues one, unless it is a table row (a line
with column gaps: two, or one between figures), which stays a line of its own. It
prints the share of articles paragraphed as the rule says, the articles that are
not, by kind, and two checks on tables: every table row of a raw file is a line of
the stored text as often as it occurs, and no article lost a table row as a
repeated paragraph.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
GAP = re.compile(r"[^\s.,;:!?](?: {2,}|\t+)(?=\S)")
FIGURE = re.compile(r"\d[\d.,/]*\d|\d")
SOFT_BREAK = re.compile(r"(?<=[\w])-$")


def table_row(line: str) -> bool:
    text = line.strip()
    gaps = len(GAP.findall(text))
    return len(text) <= 80 and (gaps >= 2 or (gaps >= 1 and len(FIGURE.findall(text)) >= 2))


def expected_paragraphs(raw: str) -> list[str]:
    """The body's paragraphs by the layout rule, whitespace collapsed; a table row is one paragraph."""
    paragraphs: list[list[str]] = []
    for block in re.split(r"\n[ \t]*\n", raw.split("\n", 1)[1] if "\n" in raw else ""):
        lines = [line for line in block.split("\n") if line.strip()]
        for number, line in enumerate(lines):
            starts = number == 0 or line[:1].isspace() or table_row(line) or table_row(lines[number - 1])
            if starts or not paragraphs:
                paragraphs.append([line.strip()])
            else:
                paragraphs[-1].append(line.strip())
    out = []
    for lines in paragraphs:
        text = lines[0]
        for line in lines[1:]:
            text += line if SOFT_BREAK.search(text) else " " + line
        out.append(" ".join(text.split()))
    # The wire's sign-off is a mark, not text: run into the last line or not, it stands alone.
    if out and out[-1].endswith(" REUTER") and out[-1] != "REUTER":
        out[-1:] = [out[-1].removesuffix(" REUTER"), "REUTER"]
    return out


def stored_paragraphs(texts: list[str]) -> list[str]:
    """The stored paragraphs, a table's rows one each, whitespace collapsed."""
    return [" ".join(line.split()) for text in texts for line in text.split("\n")]


def kind(expected: list[str], stored: list[str]) -> str:
    if len(stored) < len(expected):
        return "merged" if "".join(stored).replace(" ", "") == "".join(expected).replace(" ", "") else "text differs"
    if len(stored) > len(expected):
        return "split" if "".join(stored).replace(" ", "") == "".join(expected).replace(" ", "") else "text differs"
    return "text differs"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpora" / "reuters")
    parser.add_argument("--output", type=Path, help="an output folder newsflow already wrote for the corpus")
    args = parser.parse_args()
    work = None
    output = args.output
    if output is None:
        work = tempfile.TemporaryDirectory(prefix="newsflow-layout-")
        output = Path(work.name) / "out"
        command = [sys.executable, "-m", "newsflow.cli", "run", "--source", str(args.corpus), "--output", str(output)]
        subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env={**os.environ})
    articles = pl.read_parquet(output / "curated" / "articles" / "**" / "*.parquet", hive_partitioning=False)
    paragraphs = pl.read_parquet(output / "curated" / "paragraphs" / "**" / "*.parquet", hive_partitioning=False)
    texts = dict(paragraphs.group_by("article_id").agg(pl.col("text").sort_by("position")).iter_rows())
    wrong: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    headlines = lost_rows = rows = lost_as_repeats = 0
    for source_path, article_id, headline, repeats in articles.select(
        "source_path", "article_id", "headline", "repeated_paragraphs_removed"
    ).iter_rows():
        raw = (args.corpus / source_path).read_text(encoding="latin-1")
        headlines += " ".join(raw.split("\n", 1)[0].split()) == headline
        expected = expected_paragraphs(raw)
        stored = stored_paragraphs(texts.get(article_id, []))
        need = Counter(" ".join(line.split()) for line in raw.split("\n")[1:] if table_row(line))
        have = Counter(stored)
        rows += sum(need.values())
        lost_rows += sum(max(0, n - have[row]) for row, n in need.items())
        if repeats:
            # Repeated prose is removed by design; compare without the repeats the rule would keep.
            expected = list(dict.fromkeys(expected)) if len(set(expected)) < len(expected) else expected
            lost_as_repeats += sum(max(0, n - have[row]) for row, n in need.items())
        if expected != stored:
            label = kind(expected, stored)
            wrong[label] += 1
            examples.setdefault(label, []).append(source_path)
    total = articles.height
    right = total - sum(wrong.values())
    print(f"{total} curated articles; headline is the title line: {headlines} ({headlines / total:.2%})")
    print(f"paragraphed as the layout rule says: {right} ({right / total:.2%})")
    for label, n in wrong.most_common():
        print(f"  {label}: {n}, e.g. {', '.join(examples[label][:8])}")
    print(f"table rows in the raw files: {rows}; not stored as a line of their own as often as they occur: {lost_rows}")
    print(f"table rows lost in articles with repeated paragraphs removed: {lost_as_repeats}")
    if work is not None:
        work.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())

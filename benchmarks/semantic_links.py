"""How the embedding check of story links (``story_semantic_cosine``) changes stories, threshold by threshold.

    uv run python benchmarks/semantic_links.py [--outputs DIR] [--thresholds 0.5 0.55 0.6 0.65]

Runs ``newsflow run`` with the check off (``story_semantic_cosine=0``) and embeds every
curated article as the check does (``newsflow.stories.semantic``: wordllama's English
model, read from its wheel; the mean of the token embeddings of headline and body).

Every story member is linked to its story's founder (``story_id``), so each member gives
one pair: member, founder. For each corpus the script prints the embedding cosine of
those pairs by what is known about them, and what a veto "no link below the threshold"
would do if a vetoed member became a story of its own (in the pipeline it could join
another founder instead, so this is the veto's first effect, not the final stories):

- the synthetic eval set (``evalset.py``): stories pairwise precision and recall;
- BBC: links across categories judged by eye (``labels/bbc_cross_category.csv``), links
  within a category, stories mixing categories, and a sample of the cut links to check by eye;
- story-chains: links by the hand-coded relation, and pairwise precision, recall and F1;
- Reuters: the cut links' titles.

Cost: the model's load time and the embedding time per article (one thread, BBC text).

``--outputs`` reuses such outputs (``set/out``, ``bbc-out``, ``story-chains-out``, ``reuters-out``,
as ``dedup_quality.py --keep DIR`` names them, made with the check off); without it, they are
made in a temporary folder.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# One thread, so the cost per article is a core's, as a shard task would pay it.
os.environ.setdefault("RAYON_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dedup_quality import LABELS, final_article, pairs, precision_recall, run_newsflow, table
from evalset import generate

from newsflow.stories import semantic

SHARED = Path(__file__).resolve().parents[2] / "shared/corpora"

Embed = Callable[[list[str]], np.ndarray]


def load_model() -> tuple[Embed, float]:
    """The check's embedding function and the model's load time in seconds."""
    started = time.perf_counter()
    semantic.model()
    return semantic.embed, time.perf_counter() - started


def founder_links(output: Path, embed: Embed) -> pl.DataFrame:
    """``member``, ``founder`` (source paths), their headlines and the embedding cosine of every story member."""
    articles = table(output, "articles").with_columns(text=semantic.text())
    vectors = embed(articles.get_column("text").to_list())
    row = {article: i for i, article in enumerate(articles.get_column("article_id"))}
    members = articles.filter(pl.col("story_id") != pl.col("article_id"))
    cosines = [
        float(vectors[row[member]] @ vectors[row[founder]])
        for member, founder in members.select("article_id", "story_id").iter_rows()
    ]
    founders = articles.select(story_id="article_id", founder="source_path", founder_headline="headline")
    return (
        members.select("story_id", member="source_path", member_headline="headline")
        .with_columns(cosine=pl.Series(cosines, dtype=pl.Float64))
        .join(founders, on="story_id")
        .drop("story_id")
    )


def stories_after(output: Path, links: pl.DataFrame, threshold: float, *, duplicates: bool = False) -> dict[str, str]:
    """Each curated file's story (by source path) once the links below ``threshold`` are cut; with
    ``duplicates``, each duplicate's too (its article's), as ``dedup_quality.py`` scores story-chains."""
    articles = table(output, "articles").select("article_id", "source_path", "story_id")
    cut = set(links.filter(pl.col("cosine") < threshold).get_column("member"))
    story = {article: (path if path in cut else story) for article, path, story in articles.iter_rows()}
    files = final_article(output) if duplicates else dict(articles.select("source_path", "article_id").iter_rows())
    return {path: story[article] for path, article in files.items() if article in story}


def summary(links: pl.DataFrame, by: str) -> pl.DataFrame:
    cosine = pl.col("cosine")
    return (
        links.group_by(by)
        .agg(links=pl.len(), min=cosine.min(), p10=cosine.quantile(0.1), median=cosine.median(), max=cosine.max())
        .with_columns(pl.selectors.float().round(3))
        .sort(by)
    )


def sample(links: pl.DataFrame, threshold: float, rows: int) -> None:
    cut = links.filter(pl.col("cosine") < threshold).sort("cosine")
    print(f"  links cut at {threshold}: {cut.height}; a sample to check by eye:")
    shown = cut.sample(min(rows, cut.height), seed=0).sort("cosine") if cut.height else cut
    with pl.Config(fmt_str_lengths=48, tbl_rows=rows, tbl_width_chars=200):
        print(shown.select(pl.col("cosine").round(3), "member_headline", "founder_headline"))


def score_evalset(folder: Path, embed: Embed, thresholds: list[float]) -> None:
    labels = {row["path"]: row["story"] for row in csv.DictReader((folder / "labels.csv").open())}
    links = founder_links(folder / "out", embed)
    truth = pairs({path: labels[path] for path in table(folder / "out", "articles").get_column("source_path")})
    links = links.with_columns(
        same_story=pl.struct("member", "founder").map_elements(
            lambda pair: labels[pair["member"]] == labels[pair["founder"]], return_dtype=pl.Boolean
        )
    )
    print("\nsynthetic eval set: member-founder links by the set's story labels")
    print(summary(links, "same_story"))
    for threshold in [0.0, *thresholds]:
        p, r = precision_recall(pairs(stories_after(folder / "out", links, threshold)), truth)
        print(f"  veto below {threshold}: stories pairwise precision {p:.3f}, recall {r:.3f}")


def score_bbc(output: Path, embed: Embed, thresholds: list[float], rows: int) -> None:
    judged = {
        frozenset((row["file"], row["other"])): "one event" if row["one_event"] == "1" else "different events"
        for row in csv.DictReader((LABELS / "bbc_cross_category.csv").open())
    }
    relative = pl.col("member").str.extract(r"([a-z]+/\d+\.txt)$"), pl.col("founder").str.extract(r"([a-z]+/\d+\.txt)$")
    links = founder_links(output, embed).with_columns(member_file=relative[0], founder_file=relative[1])
    kinds = [
        "within a category"
        if a.split("/")[0] == b.split("/")[0]
        else f"across, judged {judged.get(frozenset((a, b)), 'not labelled')}"
        for a, b in links.select("member_file", "founder_file").iter_rows()
    ]
    links = links.with_columns(kind=pl.Series(kinds))
    print("\nBBC: member-founder links")
    print(summary(links, "kind"))
    for threshold in [0.0, *thresholds]:
        stories = stories_after(output, links, threshold)
        categories: dict[str, set[str]] = {}
        for path, story in stories.items():
            categories.setdefault(story, set()).add(path.split("/")[-2])
        mixed = sum(len(found) > 1 for found in categories.values())
        cut = links.filter(pl.col("cosine") < threshold)
        print(
            f"  veto below {threshold}: {cut.height} links cut ({dict(cut.group_by('kind').len().iter_rows())}); "
            f"stories mixing categories {mixed}"
        )
    sample(links, thresholds[len(thresholds) // 2], rows)


def score_story_chains(corpus: Path, output: Path, embed: Embed, thresholds: list[float]) -> None:
    coded = [json.loads(line) for line in (corpus / "pairs.jsonl").read_text().splitlines()]
    relation = {frozenset((pair["file1"], pair["file2"])): pair["relation"] for pair in coded}
    links = founder_links(output, embed)
    names = links.select(pl.col("member").str.extract(r"([^/]+)$"), pl.col("founder").str.extract(r"([^/]+)$"))
    links = links.with_columns(
        coded_same_story=pl.Series([relation.get(frozenset(pair)) == 1 for pair in names.iter_rows()])
    )
    print("\nstory-chains: member-founder links by the coded relation")
    print(summary(links, "coded_same_story"))
    for threshold in [0.0, *thresholds]:
        after = stories_after(output, links, threshold, duplicates=True)
        stories = {Path(path).name: story for path, story in after.items()}
        counts = {"tp": 0, "fp": 0, "fn": 0}
        for pair in coded:
            a, b = stories.get(pair["file1"]), stories.get(pair["file2"])
            together = a is not None and a == b
            key = "tp" if together and pair["relation"] == 1 else "fp" if together else "fn" if pair["relation"] else ""
            if key:
                counts[key] += 1
        p = counts["tp"] / max(counts["tp"] + counts["fp"], 1)
        r = counts["tp"] / max(counts["tp"] + counts["fn"], 1)
        print(f"  veto below {threshold}: precision {p:.3f}, recall {r:.3f}, F1 {2 * p * r / max(p + r, 1e-9):.3f}")


def score_reuters(output: Path, embed: Embed, thresholds: list[float], rows: int) -> None:
    links = founder_links(output, embed).with_columns(corpus=pl.lit("reuters"))
    print("\nReuters: member-founder links")
    print(summary(links, "corpus"))
    for threshold in thresholds:
        print(f"  veto below {threshold}: {links.filter(pl.col('cosine') < threshold).height} links cut")
    sample(links, thresholds[len(thresholds) // 2], rows)


def cost(embed: Embed, corpus: Path, load_seconds: float) -> None:
    texts = [path.read_text(encoding="latin-1") for path in sorted(corpus.rglob("*.txt"))[:1000]]
    rounds = []
    for _ in range(3):
        started = time.process_time()
        embed(texts)
        rounds.append(time.process_time() - started)
    per_article = sorted(rounds)[1] / len(texts) * 1000
    print(
        f"\ncost: model load {load_seconds:.2f} s; embedding {per_article:.2f} ms of CPU per BBC article "
        f"(median of 3 rounds of {len(texts)}, one thread), {per_article * 1000:.0f} s per million articles"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--outputs", type=Path, help="the --keep folder of dedup_quality.py (else run newsflow)")
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.5, 0.55, 0.6, 0.65])
    parser.add_argument("--sample", type=int, default=25, help="cut links shown per corpus")
    parser.add_argument("--bbc", type=Path, default=SHARED / "bbc")
    parser.add_argument("--story-chains", type=Path, default=SHARED / "story-chains")
    parser.add_argument("--reuters", type=Path, default=SHARED / "reuters")
    args = parser.parse_args()
    embed, load_seconds = load_model()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.outputs or Path(tmp)
        if args.outputs is None:
            generate(args.bbc, folder / "set", originals=400)
            runs = [(folder / "set" / "articles", folder / "set" / "out"), (args.bbc, folder / "bbc-out")]
            runs += [(args.story_chains, folder / "story-chains-out"), (args.reuters, folder / "reuters-out")]
            for corpus, output in runs:
                if corpus.is_dir():
                    run_newsflow(corpus, output, "story_semantic_cosine=0")
        score_evalset(folder / "set", embed, args.thresholds)
        score_bbc(folder / "bbc-out", embed, args.thresholds, args.sample)
        if (folder / "story-chains-out").is_dir():
            score_story_chains(args.story_chains, folder / "story-chains-out", embed, args.thresholds)
        if (folder / "reuters-out").is_dir():
            score_reuters(folder / "reuters-out", embed, args.thresholds, args.sample)
    cost(embed, args.bbc, load_seconds)


if __name__ == "__main__":
    main()

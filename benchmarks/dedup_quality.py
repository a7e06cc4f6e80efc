"""Precision and recall of duplicate detection and story clustering, measured through ``newsflow run``.

    uv run python benchmarks/dedup_quality.py [--corpus ../shared/corpora/bbc] [--originals 400] [--keep DIR]

1. Generates the labelled set of ``benchmarks/evalset.py`` and runs ``newsflow run`` on it.
2. Scores duplicates per file and pairwise, recall per case, and stories pairwise and by ARI.
3. Runs ``newsflow run`` on the BBC corpus itself: near-duplicate groups beyond the byte-identical
   copies (with a sample to check by eye), stories mixing BBC categories, and step times.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import json
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evalset import generate

from newsflow.load import publish
from newsflow.load.storage import Layout


def _step_seconds(report: dict[str, object]) -> dict[str, float]:
    seconds = report["step_seconds"]
    assert isinstance(seconds, dict)
    return {step: round(seconds.get(step, 0.0), 2) for step in ("near_duplicates", "stories")}


def run_newsflow(source: Path, output: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "newsflow.cli", "run", "--source", str(source), "--output", str(output)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"newsflow run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    report = max((output / "reports").glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
    return dict(json.loads(report.read_text()))


def table(output: Path, name: str) -> pl.DataFrame:
    return publish.scan(Layout(output), name).collect()


def pairs(clusters: dict[str, str]) -> set[tuple[str, str]]:
    members: dict[str, list[str]] = defaultdict(list)
    for item, cluster in clusters.items():
        members[cluster].append(item)
    return {tuple(sorted(p)) for group in members.values() for p in itertools.combinations(group, 2)}  # type: ignore[misc]


def precision_recall(predicted: set[tuple[str, str]], truth: set[tuple[str, str]]) -> tuple[float, float]:
    hits = len(predicted & truth)
    return (hits / len(predicted) if predicted else 1.0, hits / len(truth) if truth else 1.0)


def adjusted_rand_index(truth: dict[str, str], predicted: dict[str, str]) -> float:
    items = sorted(truth)
    comb = lambda n: n * (n - 1) / 2  # noqa: E731
    cells = Counter((truth[i], predicted[i]) for i in items)
    rows, cols = Counter(truth[i] for i in items), Counter(predicted[i] for i in items)
    index = sum(comb(n) for n in cells.values())
    row_sum, col_sum = sum(comb(n) for n in rows.values()), sum(comb(n) for n in cols.values())
    expected = row_sum * col_sum / comb(len(items))
    maximum = (row_sum + col_sum) / 2
    return (index - expected) / (maximum - expected) if maximum != expected else 1.0


def score_evalset(folder: Path) -> None:
    labels = {row["path"]: row for row in csv.DictReader((folder / "labels.csv").open())}
    output = folder / "out"
    report = run_newsflow(folder / "articles", output)
    articles = table(output, "articles")
    duplicates = table(output, "duplicates")
    source_of = dict(articles.select("article_id", "source_path").iter_rows())
    same_article = {path: path for path in articles.get_column("source_path")}
    for path, kept in duplicates.select("source_path", "duplicate_of").iter_rows():
        same_article[path] = source_of[kept]
    truth_groups = {path: labels[path]["group"] for path in labels}
    p, r = precision_recall(pairs(same_article), pairs(truth_groups))

    # per file: a duplicate is right when it points into its own group
    flagged = dict(duplicates.select("source_path", "duplicate_of").iter_rows())
    right = sum(truth_groups[f] == truth_groups[source_of[k]] for f, k in flagged.items())
    group_sizes = Counter(truth_groups.values())
    expected = sum(n - 1 for n in group_sizes.values())
    print(f"eval set: {len(labels)} files, flow {report['seconds']:.1f} s, {_step_seconds(report)}")
    print(
        f"duplicates per file: precision {right / max(len(flagged), 1):.4f}, recall {right / expected:.4f} "
        f"({right} right of {len(flagged)} flagged, {expected} expected)"
    )
    print(f"duplicates pairwise: precision {p:.4f}, recall {r:.4f}")
    by_case: dict[str, list[bool]] = defaultdict(list)
    for path, row in labels.items():
        if group_sizes[row["group"]] > 1:
            members = [f for f in labels if truth_groups[f] == row["group"]]
            kept = [f for f in members if f not in flagged]
            by_case[row["case"]].append(
                len(kept) == 1 and (path in kept or truth_groups[source_of[flagged[path]]] == row["group"])
            )
    print("recall by case: " + ", ".join(f"{c} {sum(v)}/{len(v)}" for c, v in sorted(by_case.items())))

    curated = articles.select("source_path", "story_id")
    predicted = dict(curated.iter_rows())
    truth = {path: labels[path]["story"] for path in predicted}
    sp, sr = precision_recall(pairs(predicted), pairs(truth))
    seeds = {s for path, s in predicted.items() if labels[path]["case"] == "seed_story"}
    print(
        f"stories pairwise: precision {sp:.4f}, recall {sr:.4f}; ARI {adjusted_rand_index(truth, predicted):.4f}; "
        f"seeds share one story: {len(seeds) == 1}"
    )
    missed = pairs(truth) - pairs(predicted)
    extra = pairs(predicted) - pairs(truth)
    print(f"  story pairs missed {len(missed)}, extra {len(extra)} (extra pairs may be real same-event BBC articles)")


def score_bbc(corpus: Path, output: Path) -> None:
    report = run_newsflow(corpus, output)
    articles = table(output, "articles")
    duplicates = table(output, "duplicates")
    by_hash: dict[str, list[str]] = defaultdict(list)
    for path in sorted(corpus.rglob("*.txt")):
        by_hash[hashlib.sha256(path.read_bytes()).hexdigest()].append(path.relative_to(corpus).as_posix())
    byte_copies = {p for paths in by_hash.values() for p in paths[1:]}
    beyond = duplicates.filter(~pl.col("source_path").is_in(list(byte_copies)))
    headlines = articles.select("article_id", kept_path="source_path", kept_headline="headline")
    print(
        f"\nBBC: {report['files_seen']} files, {report['curated']} curated, duplicates {report['duplicates_by_kind']}, "
        f"{report['stories']} stories; flow {report['seconds']:.1f} s, step seconds {_step_seconds(report)}"
    )
    print(
        f"  duplicates beyond the {len(byte_copies)} byte-identical copies: {beyond.height} "
        f"({dict(beyond.group_by('kind').len().iter_rows())})"
    )
    sample = beyond.join(headlines, left_on="duplicate_of", right_on="article_id").sort("similarity")
    with pl.Config(fmt_str_lengths=60, tbl_rows=12, tbl_width_chars=200):
        print(
            sample.select("source_path", "kept_path", "kind", pl.col("similarity").round(3), "kept_headline").head(12)
        )
    stories = articles.with_columns(category=pl.col("source_path").str.split("/").list.first())
    mixed = stories.group_by("story_id").agg(pl.col("category").n_unique()).filter(pl.col("category") > 1)
    multi = stories.group_by("story_id").len().filter(pl.col("len") > 1)
    print(f"  stories with more than one article: {multi.height}; mixing categories: {mixed.height}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared/corpora/bbc")
    parser.add_argument("--originals", type=int, default=400)
    parser.add_argument("--keep", type=Path, help="keep the generated set and outputs here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        generate(args.corpus, folder / "set", originals=args.originals)
        score_evalset(folder / "set")
        score_bbc(args.corpus, folder / "bbc-out")


if __name__ == "__main__":
    main()

"""Precision and recall of duplicate detection and story clustering, measured through ``newsflow run``.

    uv run python benchmarks/dedup_quality.py [--corpus ../shared/corpora/bbc] [--originals 400] [--keep DIR]

1. Generates the labelled set of ``benchmarks/evalset.py`` and runs ``newsflow run`` on it.
2. Scores duplicates per file and pairwise, recall per case, and stories pairwise and by ARI.
3. Runs ``newsflow run`` on the BBC corpus itself: near-duplicate groups beyond the byte-identical
   copies (with a sample to check by eye), stories mixing BBC categories (their pairs across categories
   against those judged by eye, ``labels/bbc_cross_category.csv``), and step times.
4. story-chains (hand-coded "same story" pairs): pairwise precision, recall and F1 of ``story_id``.
5. Reuters: the ticker check (near verdicts between titles with disjoint <TICKER> sets), exact
   re-transmissions (an identical body under another title, unless the titles carry disjoint tickers)
   caught, the near pairs and multi-article stories labelled by eye (``labels/``), stories of briefs
   from different companies, the story size distribution and the largest stories.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evalset import generate

from newsflow.config import Settings
from newsflow.load import publish
from newsflow.load.storage import Layout

LABELS = Path(__file__).resolve().parent / "labels"


def _step_seconds(report: dict[str, object]) -> dict[str, float]:
    seconds = report["step_seconds"]
    assert isinstance(seconds, dict)
    return {step: round(seconds.get(step, 0.0), 2) for step in ("near_duplicates", "stories")}


def run_newsflow(source: Path, output: Path, *settings: str) -> dict[str, object]:
    """``newsflow run`` with ``settings`` (``KEY=VALUE``) overridden; its run report."""
    overrides = [arg for setting in settings for arg in ("--set", setting)]
    done = subprocess.run(
        [sys.executable, "-m", "newsflow.cli", "run", "--source", str(source), "--output", str(output), *overrides],
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
    # A category is a proxy: one event can be business and sport news. The pairs across categories were
    # judged by eye (``labels/bbc_cross_category.csv``).
    judged = {
        frozenset((row["file"], row["other"])): row["one_event"] == "1"
        for row in csv.DictReader((LABELS / "bbc_cross_category.csv").open())
    }
    verdicts: Counter[str] = Counter()
    members = stories.filter(pl.col("story_id").is_in(mixed.get_column("story_id").implode()))
    for paths in members.group_by("story_id").agg("source_path").get_column("source_path").to_list():
        for a, b in itertools.combinations(paths, 2):
            if a.split("/")[0] != b.split("/")[0]:
                one = judged.get(frozenset((a, b)))
                verdicts["not labelled" if one is None else "one event" if one else "different events"] += 1
    print(f"  their pairs across categories, judged by eye: {dict(sorted(verdicts.items()))}")


def final_article(output: Path) -> dict[str, str]:
    """Each ingested file's curated article: its own, or the one it duplicates."""
    articles, duplicates = table(output, "articles"), table(output, "duplicates")
    found = dict(articles.select("source_path", "article_id").iter_rows())
    found.update(dict(duplicates.select("source_path", "duplicate_of").iter_rows()))
    return found


def story_of(output: Path) -> dict[str, str]:
    """Each ingested file's ``story_id`` (a duplicate: its article's)."""
    articles = table(output, "articles")
    by_id = dict(articles.select("article_id", "story_id").iter_rows())
    return {path: by_id[article] for path, article in final_article(output).items() if article in by_id}


def score_story_chains(corpus: Path, output: Path) -> None:
    report = run_newsflow(corpus, output)
    stories = story_of(output)
    counts: Counter[tuple[bool, bool]] = Counter()
    for line in (corpus / "pairs.jsonl").read_text().splitlines():
        pair = json.loads(line)
        a, b = stories.get(pair["file1"]), stories.get(pair["file2"])
        together = a is not None and a == b
        counts[(together, pair["relation"] == 1)] += 1
    tp, fp, fn = counts[(True, True)], counts[(True, False)], counts[(False, True)]
    p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    print(
        f"\nstory-chains: {report['curated']} curated, {report['stories']} stories; same-story pairs precision "
        f"{p:.3f}, recall {r:.3f}, F1 {2 * p * r / max(p + r, 1e-9):.3f} ({tp} right, {fp} wrong, {fn} missed)"
    )


_TICKER = re.compile(r"<([^<>]+)>")


def _titles(corpus: Path) -> dict[str, tuple[str, str]]:
    """Each file's (title, whitespace-normalised body), as the wire wrote them."""
    found = {}
    for path in sorted(corpus.glob("*.txt")):
        title, _, body = path.read_text(encoding="utf-8", errors="replace").partition("\n")
        found[path.name] = (title.strip(), " ".join(body.split()))
    return found


def _disjoint_tickers(one: str, other: str) -> bool:
    mine, theirs = set(_TICKER.findall(one)), set(_TICKER.findall(other))
    return bool(mine and theirs and not mine & theirs)


def score_reuters(corpus: Path, output: Path) -> None:
    report = run_newsflow(corpus, output)
    texts, article = _titles(corpus), final_article(output)
    duplicates = table(output, "duplicates")
    articles = table(output, "articles")
    path_of = dict(articles.select("article_id", "source_path").iter_rows())
    near = duplicates.filter(pl.col("kind") == "near")
    wrong = [
        (path, path_of[kept])
        for path, kept in near.select("source_path", "duplicate_of").iter_rows()
        if _disjoint_tickers(texts[path][0], texts[path_of[kept]][0])
    ]
    print(
        f"\nReuters: {report['files_seen']} files, {report['curated']} curated, duplicates "
        f"{report['duplicates_by_kind']}, {report['stories']} stories; step seconds {_step_seconds(report)}"
    )
    print(f"  ticker check: {len(wrong)} of {near.height} near verdicts join titles with disjoint tickers {wrong[:5]}")
    by_body: dict[str, list[str]] = defaultdict(list)
    for path, (_, body) in texts.items():
        if body:
            by_body[body].append(path)
    expected = [
        (a, b)
        for paths in by_body.values()
        for a, b in itertools.combinations(paths, 2)
        if not _disjoint_tickers(texts[a][0], texts[b][0])
    ]
    missed = [(a, b) for a, b in expected if article.get(a) is None or article.get(a) != article.get(b)]
    print(f"  exact re-transmissions (same body): {len(expected) - len(missed)} of {len(expected)} caught {missed[:5]}")

    labelled = list(csv.DictReader((LABELS / "reuters_near_pairs.csv").open()))
    outcome: Counter[tuple[bool, bool]] = Counter()
    misses = []
    for row in labelled:
        copy = article.get(row["file"]) is not None and article.get(row["file"]) == article.get(row["other"])
        outcome[(copy, row["label"] == "copy")] += 1
        if copy != (row["label"] == "copy"):
            misses.append(f"{row['file']}/{row['other']} ({row['label']}: {row['note']})")
    right = outcome[(True, True)] + outcome[(False, False)]
    print(
        f"  labelled near pairs: {right} of {len(labelled)} right; verdicts {outcome[(True, True)]} right, "
        f"{outcome[(True, False)]} wrong; copies missed {outcome[(False, True)]}"
    )
    for line in misses:
        print(f"    {line}")

    stories = story_of(output)
    together: Counter[tuple[bool, bool]] = Counter()
    for row in csv.DictReader((LABELS / "reuters_stories.csv").open()):
        files = row["files"].split()
        same = len({stories.get(f) for f in files}) == 1
        together[(row["one_event"] == "1", same)] += 1
    print(
        f"  labelled stories: of {together[(True, True)] + together[(True, False)]} one-event stories "
        f"{together[(True, True)]} still one story; of {together[(False, True)] + together[(False, False)]} that "
        f"joined different events {together[(False, True)]} still joined"
    )
    titled: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    brief = Settings().story_template_words
    for story, path, words in articles.select("story_id", "source_path", "word_count").iter_rows():
        titled[story].append((texts[path][0], words <= brief))
    # Per story, its pairs of titles naming disjoint tickers: whether both articles are briefs.
    apart = [
        [one[1] and two[1] for one, two in itertools.combinations(titles, 2) if _disjoint_tickers(one[0], two[0])]
        for titles in titled.values()
    ]
    print(
        f"  stories with two titles naming disjoint tickers (different companies): {sum(map(bool, apart))}; "
        f"of them joining two briefs ({brief} words or fewer): {sum(map(any, apart))}"
    )
    sizes = articles.group_by("story_id").len()
    distribution = dict(
        sizes.select(
            size=pl.col("len").bin_intervals([1, 2, 5, 10], labels=["1", "2", "3-5", "6-10", ">10"], right_closed=True)
        )
        .group_by("size")
        .len()
        .iter_rows()
    )
    print(f"  story sizes: {distribution}")
    largest = table(output, "stories").sort("article_count", descending=True).head(5)
    for count, headline in largest.select("article_count", "headline").iter_rows():
        print(f"    {count:3d}  {headline}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared/corpora/bbc")
    parser.add_argument("--originals", type=int, default=400)
    parser.add_argument("--keep", type=Path, help="keep the generated set and outputs here")
    shared = Path(__file__).resolve().parents[2] / "shared/corpora"
    parser.add_argument("--story-chains", type=Path, default=shared / "story-chains")
    parser.add_argument("--reuters", type=Path, default=shared / "reuters")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        generate(args.corpus, folder / "set", originals=args.originals)
        score_evalset(folder / "set")
        score_bbc(args.corpus, folder / "bbc-out")
        if args.story_chains.is_dir():
            score_story_chains(args.story_chains, folder / "story-chains-out")
        if args.reuters.is_dir():
            score_reuters(args.reuters, folder / "reuters-out")


if __name__ == "__main__":
    main()

"""Articles per second of the near-duplicate and story steps on a synthetic corpus.

    uv run python benchmarks/dedup_speed.py [--articles 100000] [--corpus ../shared/corpora/bbc]

Synthetic articles reuse the BBC vocabulary: each takes five BBC paragraphs with their
words shuffled (so no two articles share shingles by accident), 5 % are exact copies
and 5 % near copies (last paragraph cut). Parsing runs first (not timed here); the
figures are the wall time of the two steps inside ``assemble_run``, one run, in process.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from newsflow.config import Settings
from newsflow.extract.source import read_memory
from newsflow.pipeline import assemble_run, process_shard
from newsflow.records import History, ShardResult


def synthetic(corpus: Path, count: int, seed: int = 1) -> list[str]:
    rng = np.random.default_rng(seed)
    pool = [
        line.split()
        for path in sorted(corpus.rglob("*.txt"))
        for line in path.read_bytes().decode("utf-8", errors="replace").splitlines()[1:]
        if len(line.split()) > 8
    ]
    texts: list[str] = []
    for i in range(count):
        roll = rng.random()
        if texts and roll < 0.05:
            texts.append(texts[int(rng.integers(len(texts)))])
            continue
        if texts and roll < 0.10:
            source = texts[int(rng.integers(len(texts)))]
            texts.append(source.rsplit("\n\n", 1)[0] + "\n")
            continue
        picks = rng.integers(len(pool), size=5)
        paragraphs = [" ".join(rng.permutation(pool[p]).tolist()) for p in picks]
        headline = " ".join(rng.permutation(pool[picks[0]])[:6].tolist()).capitalize()
        texts.append(f"Story {i}: {headline}\n\n" + "\n\n".join(paragraphs) + "\n")
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared/corpora/bbc")
    args = parser.parse_args()
    settings = Settings()
    texts = synthetic(args.corpus, args.articles)
    clock = time.perf_counter()
    shards: list[ShardResult] = []
    for offset in range(0, len(texts), 5_000):
        shards.append(
            process_shard(
                read_memory(
                    {
                        f"synthetic/{offset + i:07d}.txt": t.encode()
                        for i, t in enumerate(texts[offset : offset + 5_000])
                    }
                ),
                settings,
            )
        )
    parse_s = time.perf_counter() - clock
    clock = time.perf_counter()
    run = assemble_run(shards, History.empty(), run_id="bench", ingested_at=datetime.now(UTC), settings=settings)
    total_s = time.perf_counter() - clock
    seconds = run.seconds
    steps_s = seconds["near_duplicates"] + seconds["stories"]
    print(f"{args.articles} synthetic articles: parse {parse_s:.1f} s ({args.articles / parse_s:,.0f}/s)")
    print(
        f"near duplicates {seconds['near_duplicates']:.1f} s, stories {seconds['stories']:.1f} s: "
        f"{args.articles / steps_s:,.0f} articles/s for the two steps; whole assemble_run {total_s:.1f} s"
    )
    print(f"dedup counters: {run.counters['dedup']}; stories: {run.tables['stories'].height}")


if __name__ == "__main__":
    main()

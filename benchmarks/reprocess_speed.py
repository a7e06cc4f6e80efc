"""Wall time of ``newsflow reprocess`` (a rebuild of the current tables) on BBC and on synthetic articles.

    uv run python benchmarks/reprocess_speed.py [--articles 100000] [--rounds 3] [--corpus ../shared/corpora/bbc]

Each corpus is ingested once (one ``ingest`` flow run, in process, on a temporary
Prefect server), then reprocessed ``--rounds`` times with unchanged settings; the
figures are the wall time of each ``reprocess`` flow call and their median, with the
ingest beside it. Synthetic articles are those of ``dedup_speed.py``. A reprocess with
unchanged settings must change nothing: the script says so, or fails.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from dedup_speed import synthetic


def _measure(name: str, source: Path, output: Path, rounds: int) -> None:
    from flows.ingest import ingest
    from flows.reprocess import reprocess

    clock = time.perf_counter()
    summary = ingest(source=str(source), output=str(output))
    ingested = time.perf_counter() - clock
    times: list[float] = []
    last: dict[str, Any] = {}
    for _ in range(rounds):
        clock = time.perf_counter()
        last = reprocess(output=str(output))
        times.append(time.perf_counter() - clock)
        if last["changed"]:
            raise SystemExit(f"{name}: a reprocess with unchanged settings changed the tables: {last}")
    print(
        f"{name}: {summary['files_new']:,} files, {last['curated_after']:,} articles, {last['stories_after']:,} "
        f"stories; ingest {ingested:.1f} s; reprocess {', '.join(f'{t:.1f}' for t in times)} s "
        f"(median {statistics.median(times):.1f} s, {last['curated_after'] / statistics.median(times):,.0f} "
        "articles/s); nothing changed"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared/corpora/bbc")
    args = parser.parse_args()
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect.testing.utilities import prefect_test_harness

    with (
        tempfile.TemporaryDirectory(prefix="newsflow-reprocess-") as work,
        prefect_test_harness(server_startup_timeout=120),
    ):
        root = Path(work)
        _measure("BBC", args.corpus, root / "bbc", args.rounds)
        landing = root / "synthetic"
        for number, text in enumerate(synthetic(args.corpus, args.articles)):
            path = landing / f"{number // 10_000:03d}" / f"{number:07d}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        _measure(f"{args.articles:,} synthetic", landing, root / "out", args.rounds)


if __name__ == "__main__":
    main()

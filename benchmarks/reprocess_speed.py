"""Wall time of ``newsflow reprocess`` (a rebuild of the current tables) on BBC and on synthetic articles.

    uv run python benchmarks/reprocess_speed.py [--articles 100000] [--rounds 3] [--corpus ../shared/corpora/bbc]

Each corpus is ingested once (one ``ingest`` flow run, in process, on a temporary
Prefect server), then reprocessed ``--rounds`` times with unchanged settings, each time
as a user would: ``newsflow reprocess --output DIR`` in its own process. The figures are
the wall time of each command (start-up included) and its peak RSS, their medians, and
the ingest beside them. Synthetic articles are those of ``dedup_speed.py``. A reprocess
with unchanged settings must change nothing: the script says so, or fails.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dedup_speed import synthetic


def _reprocess(output: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in GiB, what it printed) of one ``newsflow reprocess`` command."""
    clock = time.perf_counter()
    command = [sys.executable, "-m", "newsflow.cli", "reprocess", "--output", str(output)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    printed = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - clock
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"newsflow reprocess failed: {printed}")
    return seconds, usage.ru_maxrss / 2**20, printed


def _measure(name: str, source: Path, output: Path, rounds: int, env: dict[str, str]) -> None:
    from flows.ingest import ingest

    clock = time.perf_counter()
    summary = ingest(source=str(source), output=str(output))
    ingested = time.perf_counter() - clock
    runs = [_reprocess(output, env) for _ in range(rounds)]
    for _, _, printed in runs:
        if "nothing changed" not in printed:
            raise SystemExit(f"{name}: a reprocess with unchanged settings changed the tables:\n{printed}")
    seconds = [s for s, _, _ in runs]
    memory = [m for _, m, _ in runs]
    print(
        f"{name}: {summary['files_new']:,} files, {summary['curated']:,} curated; ingest {ingested:.1f} s; "
        f"reprocess {', '.join(f'{t:.1f}' for t in seconds)} s (median {statistics.median(seconds):.1f} s, "
        f"{summary['curated'] / statistics.median(seconds):,.0f} articles/s), peak RSS "
        f"{statistics.median(memory):.2f} GiB; nothing changed"
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
        from prefect.settings import PREFECT_API_URL

        env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
        root = Path(work)
        _measure("BBC", args.corpus, root / "bbc", args.rounds, env)
        landing = root / "synthetic"
        for number, text in enumerate(synthetic(args.corpus, args.articles)):
            path = landing / f"{number // 10_000:03d}" / f"{number:07d}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        _measure(f"{args.articles:,} synthetic", landing, root / "out", args.rounds, env)


if __name__ == "__main__":
    main()

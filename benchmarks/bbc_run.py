"""Wall time of ``newsflow run`` on the BBC corpus: fresh output each time, then a no-op rerun.

    uv run python benchmarks/bbc_run.py [--corpus ../shared/corpora/bbc] [--repeat 3]

Prints each run and the medians. The wall time includes Prefect's temporary server
start-up (no PREFECT_API_URL); "flow" is the flow's own time from its run report.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(corpus: Path, output: Path) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "newsflow.cli", "run", "--source", str(corpus), "--output", str(output)],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"newsflow run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    report = max((output / "reports").glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
    return wall, json.loads(report.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared/corpora/bbc")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not args.corpus.is_dir():
        raise SystemExit(f"corpus not found: {args.corpus}")
    fresh, noop, flows = [], [], []
    for i in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            wall, report = run(args.corpus, Path(tmp) / "out")
            again, second = run(args.corpus, Path(tmp) / "out")
            fresh.append(wall)
            noop.append(again)
            flows.append(float(report["seconds"]))  # type: ignore[arg-type]
            print(
                f"run {i + 1}: {wall:.2f} s wall, flow {report['seconds']:.2f} s; "
                f"seen {report['files_seen']}, curated {report['curated']}, duplicates {report['duplicates']}, "
                f"quarantined {report['quarantined_total']}; no-op rerun {again:.2f} s wall "
                f"(new {second['files_new']})"
            )
    print(
        f"median of {args.repeat}: fresh run {statistics.median(fresh):.2f} s wall "
        f"(flow {statistics.median(flows):.2f} s), no-op rerun {statistics.median(noop):.2f} s wall"
    )


if __name__ == "__main__":
    main()

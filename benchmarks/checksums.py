"""Content checksums of every table a ``newsflow run`` publishes: the proof that a change kept behaviour.

    uv run python benchmarks/checksums.py SOURCE [--repo ROOT] [--save FILE] [--compare FILE]

Runs ``newsflow run --source SOURCE`` into a fresh output folder with the checkout at
``--repo`` (default: this one, so an older commit checked out as a git worktree can
be measured the same way), then prints one line per table (curated and state): its
row count and a hash of its rows as a multiset, run stamps (run ids and times) left
out. ``--save`` writes them as JSON; ``--compare`` reads such a file and exits 1
when any table differs. Row hashes are Polars', stable within one installed
version: compare checksums made with the same environment.

Tables are found by listing the output (``curated/<table>/`` and
``curated/_state/<table>/``), not from newsflow's own registry, so the script
measures any version of newsflow the same way.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl

RUN_STAMPS = frozenset({"run_id", "ingested_at", "first_seen", "last_seen"})
HERE = Path(__file__).resolve().parents[1]


def table_folders(curated: Path) -> dict[str, Path]:
    """Every published table folder under ``curated``, state tables as ``_state/<name>``."""
    folders = {p.name: p for p in sorted(curated.iterdir()) if p.is_dir() and not p.name.startswith("_")}
    state = curated / "_state"
    if state.is_dir():
        folders |= {f"_state/{p.name}": p for p in sorted(state.iterdir()) if p.is_dir()}
    return folders


def checksum(folder: Path) -> str:
    """``rows:hash`` of the table's rows as a multiset, run stamps left out."""
    frame = pl.read_parquet(folder / "**" / "*.parquet", hive_partitioning=False)
    content = frame.drop([c for c in frame.columns if c in RUN_STAMPS])
    hashes = content.hash_rows(seed=0).sort().to_numpy().tobytes()
    return f"{frame.height}:{hashlib.sha256(hashes).hexdigest()[:16]}"


def run_and_checksum(source: Path, repo: Path) -> dict[str, str]:
    with tempfile.TemporaryDirectory(prefix="newsflow-checksums-") as work:
        output = Path(work) / "out"
        command = ["uv", "run", "--locked", "--quiet", "newsflow", "run", "--source", str(source.resolve())]
        subprocess.run([*command, "--output", str(output)], cwd=repo, check=True, stdout=subprocess.DEVNULL)
        return {name: checksum(folder) for name, folder in table_folders(output / "curated").items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("--repo", type=Path, default=HERE, help="checkout whose newsflow runs (default: this one)")
    parser.add_argument("--save", type=Path, help="write the checksums to this JSON file")
    parser.add_argument("--compare", type=Path, help="exit 1 unless the checksums equal those in this JSON file")
    args = parser.parse_args()
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    sums = run_and_checksum(args.source, args.repo)
    for name, value in sums.items():
        print(f"{name:<24} {value}")
    if args.save:
        args.save.write_text(json.dumps(sums, indent=2) + "\n", encoding="utf-8")
    if args.compare:
        before = json.loads(args.compare.read_text(encoding="utf-8"))
        differ = sorted(name for name in before.keys() | sums.keys() if before.get(name) != sums.get(name))
        print("same as " + str(args.compare) if not differ else "DIFFERENT: " + ", ".join(differ))
        return 1 if differ else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())

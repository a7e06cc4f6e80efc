"""datatrove's version of the newsflow job, for a side-by-side throughput figure.

    bash benchmarks/datatrove_env.sh        # once: creates benchmarks/.venv-datatrove
    benchmarks/.venv-datatrove/bin/python benchmarks/datatrove_job.py CORPUS_DIR \\
        [--workdir DIR] [--articles K] [--workers 2] [--tasks 2]

Runs in its own environment (datatrove is never a newsflow dependency) and does not
import newsflow. Over the sorted ``**/*.txt`` files of CORPUS_DIR (the first K with
``--articles``), with LocalPipelineExecutor (``--workers`` processes):

1. read each file as one document (``TextFileReader``, a BaseDiskReader: UTF-8, bad
   bytes replaced), GopherRepetitionFilter (its defaults), keep the survivors as JSONL
   (uncompressed), MinhashDedupSignature (MinhashConfig defaults: 5-grams, 14 buckets
   of 8 hashes);
2. MinhashDedupBuckets (one task per bucket);
3. MinhashDedupCluster (one task);
4. re-read the filtered JSONL, MinhashDedupFilter, ParquetWriter of the kept documents.

This is the shape of datatrove's examples/minhash_deduplication.py behind a filtering
pass, as FineWeb does it (the signature step consumes its documents, so the filtered
ones are written first and read again for the last stage). Prints each stage's wall
time, the total, documents per second (input files / total wall seconds), and a last
line ``DATATROVE_RESULT {json}`` for benchmarks/throughput.py.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from corpus import list_articles  # benchmarks/corpus.py: stdlib only, no newsflow
from datatrove.data import DocumentsPipeline
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.dedup import MinhashDedupSignature
from datatrove.pipeline.dedup.minhash import (
    MinhashConfig,
    MinhashDedupBuckets,
    MinhashDedupCluster,
    MinhashDedupFilter,
)
from datatrove.pipeline.filters import GopherRepetitionFilter
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.readers.base import BaseDiskReader
from datatrove.pipeline.writers import JsonlWriter, ParquetWriter


class TextFileReader(BaseDiskReader):
    """One document per file: the whole file's text (datatrove has no such reader built in)."""

    name = "📄 Text files"

    def read_file(self, filepath: str) -> DocumentsPipeline:
        with self.data_folder.open(filepath, "rb") as handle:
            text = handle.read().decode("utf-8", errors="replace")
        document = self.get_document_from_dict({"text": text, "id": filepath}, filepath, 0)
        if document:
            yield document


def _timed(executor: LocalPipelineExecutor) -> float:
    started = time.perf_counter()
    executor.run()
    return time.perf_counter() - started


def _dropped(logs: Path, step_name: str) -> int | None:
    """The ``dropped`` counter of the step named ``step_name`` in a stage's merged stats.json."""
    path = logs / "stats.json"
    if not path.exists():
        return None
    for step in json.loads(path.read_text()):
        if step_name in step.get("name", ""):
            return int(step.get("stats", {}).get("dropped", 0))
    return None


def run(corpus: Path, work: Path, *, articles: int | None, workers: int, tasks: int) -> dict[str, Any]:
    files = list_articles(corpus)[:articles] if articles else list_articles(corpus)
    if not files:
        raise SystemExit(f"no .txt files under {corpus}")
    paths_file = work / "paths.txt"
    paths_file.write_text("\n".join(files) + "\n", encoding="utf-8")
    config = MinhashConfig()
    logs = work / "logs"

    def executor(name: str, pipeline: list[Any], n_tasks: int) -> LocalPipelineExecutor:
        return LocalPipelineExecutor(
            pipeline=pipeline, tasks=n_tasks, workers=min(workers, n_tasks), logging_dir=str(logs / name)
        )

    stages = {
        "read+gopher+signature": executor(
            "1-signature",
            [
                TextFileReader(str(corpus), paths_file=str(paths_file)),
                GopherRepetitionFilter(),
                JsonlWriter(str(work / "filtered"), compression=None),
                MinhashDedupSignature(output_folder=str(work / "signatures"), config=config),
            ],
            tasks,
        ),
        "buckets": executor(
            "2-buckets",
            [
                MinhashDedupBuckets(
                    input_folder=str(work / "signatures"), output_folder=str(work / "buckets"), config=config
                )
            ],
            config.num_buckets,
        ),
        "cluster": executor(
            "3-cluster",
            [
                MinhashDedupCluster(
                    input_folder=str(work / "buckets"), output_folder=str(work / "remove_ids"), config=config
                )
            ],
            1,
        ),
        "filter+write": executor(
            "4-filter",
            [
                JsonlReader(str(work / "filtered")),
                MinhashDedupFilter(input_folder=str(work / "remove_ids")),
                ParquetWriter(str(work / "output")),
            ],
            tasks,
        ),
    }
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    for name, stage in stages.items():
        seconds[name] = _timed(stage)
        print(f"  {name:<24} {seconds[name]:8.1f} s", flush=True)
    total = time.perf_counter() - started

    import pyarrow.parquet as pq

    kept = sum(pq.ParquetFile(p).metadata.num_rows for p in (work / "output").rglob("*.parquet"))
    return {
        "docs": len(files),
        "bytes": sum((corpus / f).stat().st_size for f in files),
        "seconds": total,
        "stage_seconds": seconds,
        "dropped_gopher": _dropped(logs / "1-signature", "Gopher Repetition"),
        "dropped_minhash": _dropped(logs / "4-filter", "MinHash stage 4"),
        "kept": kept,
        "workers": workers,
        "tasks": tasks,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--workdir", type=Path, help="where datatrove writes (default: a temporary folder, removed)")
    parser.add_argument("--articles", type=int, help="only the first K files (sorted paths)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--tasks", type=int, default=2, help="tasks of the read and filter stages (default 2)")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        raise SystemExit(f"corpus not found: {args.corpus}")
    corpus = args.corpus.resolve()
    if args.workdir:
        if args.workdir.exists() and any(args.workdir.iterdir()):
            raise SystemExit(f"{args.workdir} is not empty (datatrove skips tasks it finds completed)")
        args.workdir.mkdir(parents=True, exist_ok=True)
        work = args.workdir.resolve()
    else:
        work = Path(tempfile.mkdtemp(prefix="datatrove-job-"))
    try:
        result = run(corpus, work, articles=args.articles, workers=args.workers, tasks=args.tasks)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    print(
        f"datatrove: {result['docs']:,} docs in {result['seconds']:.1f} s with {args.workers} workers: "
        f"{result['docs'] / result['seconds']:,.1f} docs/s, {result['bytes'] / 1e6 / result['seconds']:.2f} MB/s; "
        f"kept {result['kept']:,} (Gopher repetition dropped {result['dropped_gopher']}, "
        f"MinHash dropped {result['dropped_minhash']})"
    )
    print("DATATROVE_RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()

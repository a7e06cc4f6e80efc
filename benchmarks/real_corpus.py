"""A landing folder of real articles repeated to size: the realistic mix for ``throughput.py``.

    uv run python benchmarks/real_corpus.py OUT_DIR --articles 20000 [--source ../shared/corpora/reuters]

Writes N files as ``OUT_DIR/0000/<name>.r<k>.txt`` (1,000 per folder): the ``*.txt`` files
of ``--source`` in path order, again and again, the k-th pass under the k-th name
variant. The first pass is the corpus as it is (its own copies, tables, briefs and other
scripts); every later file repeats a file's bytes under another name, so newsflow
records it as an exact duplicate, as it would a wire story sent again. Files are hard
links to the source where the filesystem allows, copies otherwise.
``OUT_DIR/manifest.json`` records the source, the count and the passes (not ``*.txt``,
so newsflow never ingests it).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--source", type=Path, default=Path(__file__).resolve().parents[2] / "shared/corpora/reuters")
    args = parser.parse_args()
    originals = sorted(path for path in args.source.rglob("*.txt") if path.is_file())
    if not originals:
        raise SystemExit(f"no *.txt file under {args.source}")
    if args.articles < 1:
        raise SystemExit("--articles must be at least 1")
    if args.out.exists() and any(args.out.iterdir()):
        raise SystemExit(f"{args.out} is not empty")
    started = time.perf_counter()
    size = 0
    for index in range(args.articles):
        source = originals[index % len(originals)]
        target = args.out / f"{index // 1000:04d}" / f"{source.stem}.r{index // len(originals)}.txt"
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
        size += target.stat().st_size
    manifest = {
        "source": str(args.source.resolve()),
        "articles": args.articles,
        "originals": len(originals),
        "passes": -(-args.articles // len(originals)),
        "bytes": size,
    }
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    seconds = time.perf_counter() - started
    print(f"{args.articles:,} files ({size / 1e6:.1f} MB) from {len(originals):,} originals in {seconds:.1f} s")


if __name__ == "__main__":
    main()

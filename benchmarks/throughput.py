"""End-to-end throughput of ``newsflow run`` on a generated corpus, against a floor and datatrove.

    uv run python benchmarks/corpus.py /tmp/corpus-100k --articles 100000
    uv run python benchmarks/throughput.py /tmp/corpus-100k [--repeat 3] [--workdir DIR] [--keep]
        [--max-rss-gib G] [--datatrove [--datatrove-articles 5000]]

Per repeat, in this order, all warm-cache (every input file is read once before the
first measurement, so the page cache holds the corpus for the floor and for newsflow):

* floor: read and SHA-256 every input file with 2 processes (a Pool over chunks of the
  file list): the least any ingest of these files can cost on this machine;
* newsflow: ``python -m newsflow.cli run --source CORPUS --output <fresh dir>`` as a
  subprocess (the project's interpreter, from the repository root, so its settings
  apply); wall seconds and peak RSS (below), then the per-step seconds from the output's
  ``runs`` table, and the curated/duplicate counts from the run report;
* rerun: the same command on the unchanged corpus and the same output (nothing new).

Articles/s and MB/s divide by the wall time of the whole command (interpreter, imports,
Prefect server start-up included); the medians also give the flow's own rate (the ``run``
row of the runs table). Peak RSS, three figures: "newsflow" is the newsflow process's own high-water mark
(VmHWM, polled every 0.2 s); "tree" the largest sum of the RSS of newsflow and all its
descendants seen in those polls (with no PREFECT_API_URL, newsflow starts a temporary
Prefect server as a child, included here); "wait4" is ``ru_maxrss`` from ``wait4`` on
the newsflow process: the largest single process of the tree (itself or a reaped child).

``--datatrove`` also runs benchmarks/datatrove_job.py (under benchmarks/.venv-datatrove,
created by benchmarks/datatrove_env.sh) in this invocation, and reports newsflow's rate
as a multiple of datatrove's. With ``--datatrove-articles K``, datatrove runs on the first
K files only (it is slow), and newsflow is also run on the same K files, so there are
two ratios: same files, and newsflow's full-corpus rate over datatrove's subset rate.

A measured command whose processes' RSS passes ``--max-rss-gib`` (default 60 % of RAM)
is killed with its children (the machine is shared); the script reports it, skips the
remaining repeats and still runs the datatrove comparison.

Figures are noisy on 2 cores (other work on the machine shows): quote the medians and
the ratios of one invocation, and the load average printed with them.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from corpus import list_articles

ROOT = Path(__file__).resolve().parents[1]
DATATROVE_PYTHON = ROOT / "benchmarks" / ".venv-datatrove" / "bin" / "python"
STEPS = ("discover", "read_parse", "deduplicate", "near_duplicates", "stories", "stage", "validate", "publish", "run")
SUB_STEPS = {"near_duplicates", "stories"}
MIB = 1024 * 1024
_PAGE = os.sysconf("SC_PAGE_SIZE")


# -- the floor ---------------------------------------------------------------------------


def _hash_chunk(paths: list[str]) -> int:
    size = 0
    for path in paths:
        with open(path, "rb") as handle:  # noqa: PTH123 (the floor: the cheapest way to read a file)
            data = handle.read()
        hashlib.sha256(data).digest()
        size += len(data)
    return size


def floor_seconds(paths: list[str], processes: int = 2) -> float:
    """Seconds to read and SHA-256 every file with ``processes`` processes (pool start-up excluded)."""
    chunk = max(1, len(paths) // (processes * 32))
    chunks = [paths[i : i + chunk] for i in range(0, len(paths), chunk)]
    with get_context("fork").Pool(processes) as pool:
        pool.map(len, [[]] * processes)  # the workers are up
        started = time.perf_counter()
        pool.map(_hash_chunk, chunks, chunksize=1)
        return time.perf_counter() - started


def warm_up(paths: list[str]) -> float:
    started = time.perf_counter()
    with get_context("fork").Pool(2) as pool:
        pool.map(_hash_chunk, [paths[i::2] for i in range(2)])
    return time.perf_counter() - started


# -- memory of a process tree --------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _hwm(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class TreeSampler(threading.Thread):
    """Polls a process and its descendants every ``interval`` seconds until stopped; kills
    them all if their RSS adds up to more than ``limit`` bytes (the machine is shared: a
    run that would exhaust memory must not take other people's processes with it)."""

    def __init__(self, pid: int, limit: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.limit, self.interval = pid, limit, interval
        self.own_peak = 0
        self.tree_peak = 0
        self.killed_at: float | None = None
        self.peak_at = 0.0
        self.members: list[int] = []  # the tree at the last poll
        self.timeline: list[tuple[float, int, int]] = []  # (seconds, own RSS, tree RSS)
        self.done = threading.Event()

    def run(self) -> None:
        started = time.perf_counter()
        while not self.done.is_set():
            self.own_peak = max(self.own_peak, _hwm(self.pid))
            tree, pids, members, total = _children(), [self.pid], [], 0
            while pids:
                pid = pids.pop()
                members.append(pid)
                total += _rss(pid)
                pids.extend(tree.get(pid, []))
            now = time.perf_counter() - started
            if total > self.tree_peak:
                self.tree_peak, self.peak_at = total, now
            self.timeline.append((now, _rss(self.pid), total))
            self.members = members
            if total > self.limit and self.killed_at is None:
                self.killed_at = now
                for pid in members:  # the process we started and its descendants, by pid
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
            self.done.wait(self.interval)


@dataclass
class Measured:
    wall: float
    own_peak: int
    tree_peak: int
    maxrss: int
    returncode: int
    output: str = ""
    killed_at: float | None = None
    peak_at: float = 0.0


def measure(command: list[str], log: Path, limit: int, cwd: Path = ROOT) -> Measured:
    """Run ``command``, its output to ``log``; wall seconds and peak memory. The process
    tree is killed if its RSS exceeds ``limit`` bytes (``killed_at`` says when). The RSS
    polls go to ``<log>.rss.tsv`` (seconds, newsflow's RSS, the tree's, in MiB), to set
    against the log's timestamps."""
    with log.open("wb") as sink:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, cwd=cwd)
        sampler = TreeSampler(process.pid, limit)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        sampler.done.set()
        sampler.join()
        rows = (f"{t:.1f}\t{own / MIB:.0f}\t{tree / MIB:.0f}" for t, own, tree in sampler.timeline)
        log.with_name(log.name + ".rss.tsv").write_text("seconds\tnewsflow_mib\ttree_mib\n" + "\n".join(rows) + "\n")
        if process.returncode != 0:
            # Killed (by the cap or the kernel's OOM killer): its children, such as the temporary
            # Prefect server, were not stopped by it. End those still running, by pid.
            for pid in sampler.members[1:]:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
    return Measured(
        wall=wall,
        own_peak=sampler.own_peak,
        tree_peak=sampler.tree_peak,
        maxrss=usage.ru_maxrss * 1024,
        returncode=process.returncode,
        output=log.read_text(errors="replace"),
        killed_at=sampler.killed_at,
        peak_at=sampler.peak_at,
    )


class RunFailedError(Exception):
    """A measured command failed or was killed at the memory cap."""


def failed(what: str, done: Measured, log: Path, limit: int) -> RunFailedError:
    tail = "\n".join(done.output.rstrip().splitlines()[-8:])
    if done.killed_at is not None:
        return RunFailedError(
            f"{what} killed after {done.killed_at:.0f} s: its processes' RSS passed the cap of {mib(limit)} "
            f"(--max-rss-gib; peak seen {mib(done.tree_peak)}). Log {log}, last lines:\n{tail}"
        )
    return RunFailedError(f"{what} failed (exit {done.returncode}); log {log}, last lines:\n{tail}")


# -- newsflow --------------------------------------------------------------------------------


@dataclass
class NewsflowRun:
    measured: Measured
    rerun: Measured
    steps: dict[str, float]
    report: dict[str, Any]
    rerun_outcome: str
    floor: float = 0.0


def newsflow(source: Path, output: Path, log: Path, limit: int) -> Measured:
    command = [sys.executable, "-m", "newsflow.cli", "run", "--source", str(source), "--output", str(output)]
    done = measure(command, log, limit)
    if done.returncode != 0:
        raise failed("newsflow run", done, log, limit)
    return done


def runs_table(output: Path) -> list[dict[str, Any]]:
    import polars as pl

    frame = pl.read_parquet(str(output / "runs" / "**" / "*.parquet"), hive_partitioning=True)
    return frame.sort("started_at").to_dicts()


def run_newsflow(source: Path, output: Path, logs: Path, label: str, limit: int) -> NewsflowRun:
    first = newsflow(source, output, logs / f"{label}.log", limit)
    again = newsflow(source, output, logs / f"{label}-rerun.log", limit)
    rows = runs_table(output)
    run_ids = list(dict.fromkeys(row["run_id"] for row in rows))
    if len(run_ids) != 2:
        raise SystemExit(f"expected 2 runs in {output}/runs, found {len(run_ids)}")
    steps = {
        row["step"]: float(row["value"]) for row in rows if row["run_id"] == run_ids[0] and row["metric"] == "seconds"
    }
    rerun_outcome = next(row["outcome"] for row in rows if row["run_id"] == run_ids[1])
    report = json.loads((output / "reports" / f"{run_ids[0]}.json").read_text())
    return NewsflowRun(first, again, steps, report, rerun_outcome)


# -- datatrove -------------------------------------------------------------------------------


def run_datatrove(python: Path, corpus: Path, work: Path, logs: Path, limit: int) -> tuple[dict[str, Any], Measured]:
    command = [str(python), str(ROOT / "benchmarks" / "datatrove_job.py"), str(corpus), "--workdir", str(work / "dt")]
    done = measure(command, logs / "datatrove.log", limit)
    lines = [line for line in done.output.splitlines() if line.startswith("DATATROVE_RESULT ")]
    if done.returncode != 0 or not lines:
        raise failed("datatrove job", done, logs / "datatrove.log", limit)
    return json.loads(lines[-1].removeprefix("DATATROVE_RESULT ")), done


def subset(corpus: Path, paths: list[str], target: Path) -> Path:
    """The given files under ``target`` with the same relative paths (hard links where possible)."""
    for rel in paths:
        destination = target / rel
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(corpus / rel, destination)
        except OSError:
            shutil.copy2(corpus / rel, destination)
    return target


# -- printing --------------------------------------------------------------------------------


def mib(n: float) -> str:
    return f"{n / MIB:,.0f} MiB"


def step_line(steps: dict[str, float]) -> str:
    names = [s for s in STEPS if s in steps] + sorted(set(steps) - set(STEPS))
    parts = []
    for name in names:
        if name in SUB_STEPS:
            continue
        text = f"{name} {steps[name]:.1f}"
        if name == "deduplicate":
            subs = ", ".join(f"{s} {steps[s]:.1f}" for s in sorted(SUB_STEPS) if s in steps)
            text += f" ({subs})" if subs else ""
        parts.append(text)
    return ", ".join(parts)


def describe(run: NewsflowRun, files: int, size: int) -> str:
    m, r = run.measured, run.report
    kinds = ", ".join(f"{k} {v:,}" for k, v in sorted(r.get("duplicates_by_kind", {}).items())) or "none"
    return (
        f"newsflow {m.wall:.1f} s wall: {files / m.wall:,.0f} articles/s, {size / 1e6 / m.wall:.2f} MB/s; "
        f"peak RSS newsflow {mib(m.own_peak)}, tree {mib(m.tree_peak)} (at {m.peak_at:.0f} s), "
        f"wait4 {mib(m.maxrss)}\n"
        f"    curated {r['curated']:,}, duplicates {r['duplicates']:,} ({kinds}), "
        f"quarantined {r['quarantined_total']:,}, repeated paragraphs removed {r['repeated_paragraphs_removed']:,}, "
        f"stories {r['stories']:,}, validation {r['validation']}\n"
        f"    steps (runs table, s): {step_line(run.steps)}\n"
        f"{window_lines(r.get('windows', []))}"
        f"    rerun over the unchanged corpus: {run.rerun.wall:.1f} s wall (outcome {run.rerun_outcome})"
    )


def window_lines(windows: list[dict[str, float]]) -> str:
    """Per-window global-step seconds from the run report: the first, middle and last windows, and the last
    against the first (whether a window's cost grows with history)."""
    if not windows:
        return ""

    def seconds(window: dict[str, float]) -> float:
        return sum(window.get(step, 0.0) for step in ("deduplicate", "stage", "validate"))

    picks = sorted({0, len(windows) // 2, len(windows) - 1})
    shown = "; ".join(
        f"{i + 1}: {seconds(windows[i]):.1f} s (near {windows[i].get('near_duplicates', 0):.1f}, "
        f"stories {windows[i].get('stories', 0):.1f}, stage {windows[i].get('stage', 0):.1f}, "
        f"validate {windows[i].get('validate', 0):.1f})"
        for i in picks
    )
    # A fifth of the windows at each end, medians: the last window is often a short one.
    tail = max(1, len(windows) // 5)
    early = statistics.median(seconds(w) for w in windows[:tail])
    late = statistics.median(seconds(w) for w in windows[-tail:])
    growth = late / early if early else float("nan")
    every = ", ".join(f"{seconds(w):.1f}" for w in windows)
    return (
        f"    windows ({len(windows)}; global steps, s): {shown}; "
        f"median of the last {tail} / of the first {tail}: {late:.1f} / {early:.1f} s = {growth:.2f}x\n"
        f"    every window's global steps (s): {every}\n"
    )


def print_medians(runs: list[NewsflowRun], files: int, size: int) -> float:
    """Print the medians over the repeats; returns the median wall seconds."""
    wall = statistics.median(r.measured.wall for r in runs)
    floor = statistics.median(r.floor for r in runs)
    steps = {name: statistics.median(r.steps.get(name, 0.0) for r in runs) for name in runs[0].steps}
    own = statistics.median(r.measured.own_peak for r in runs)
    tree = statistics.median(r.measured.tree_peak for r in runs)
    rerun = statistics.median(r.rerun.wall for r in runs)
    flow = steps.get("run", 0.0) or wall
    print(
        f"median of {len(runs)}: newsflow {wall:.1f} s wall, {files / wall:,.0f} articles/s, "
        f"{size / 1e6 / wall:.2f} MB/s (the flow alone, runs table 'run': {flow:.1f} s, {files / flow:,.0f} "
        f"articles/s); peak RSS newsflow {mib(own)}, tree {mib(tree)}; rerun {rerun:.1f} s wall\n"
        f"  steps (s): {step_line(steps)}\n"
        f"  floor {floor:.2f} s ({files / floor:,.0f} files/s, {size / 1e6 / floor:,.0f} MB/s); "
        f"newsflow wall / floor = {wall / floor:.1f}x (medians; warm cache for both)",
        flush=True,
    )
    return wall


def print_datatrove(
    result: dict[str, Any],
    measured: Measured,
    *,
    k: int,
    files: int,
    same: tuple[float, float] | None,
    full_wall: float | None,
) -> None:
    """``same``: newsflow's (wall, flow) seconds on the same ``k`` files."""
    which = "the whole corpus" if k == files else f"the first {k:,} files"
    stages = ", ".join(f"{name} {s:.1f}" for name, s in result["stage_seconds"].items())
    rate = k / measured.wall  # whole command, as for newsflow
    print(
        f"datatrove on {which} (2 workers): {measured.wall:.1f} s wall ({result['seconds']:.1f} s in its pipeline), "
        f"{rate:,.1f} docs/s ({result['docs'] / result['seconds']:,.1f} in its pipeline); "
        f"kept {result['kept']:,} (Gopher repetition dropped {result['dropped_gopher']}, "
        f"MinHash dropped {result['dropped_minhash']}); peak RSS tree {mib(measured.tree_peak)}\n"
        f"  stages (s): {stages}"
    )
    if same is not None:
        same_wall, same_flow = same
        inner = result["docs"] / result["seconds"]
        print(
            f"  same {k:,} files: newsflow {k / same_wall:,.0f} articles/s = {k / same_wall / rate:.1f}x datatrove "
            f"(wall time of each whole command); without start-up (newsflow's flow, datatrove's pipeline): "
            f"{k / same_flow:,.0f} vs {inner:,.1f} docs/s = {k / same_flow / inner:.1f}x"
        )
    if k != files and full_wall is not None:
        print(
            f"  newsflow on all {files:,} files (median): {files / full_wall:,.0f} articles/s = "
            f"{files / full_wall / rate:.1f}x datatrove's per-article rate on the first {k:,} "
            f"(different corpus sizes: per-article rates compared)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, help="where outputs and logs go (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the outputs and logs")
    parser.add_argument("--datatrove", action="store_true", help="also run benchmarks/datatrove_job.py")
    parser.add_argument("--datatrove-articles", type=int, help="datatrove (and a newsflow run) on the first K files")
    parser.add_argument("--datatrove-python", type=Path, default=DATATROVE_PYTHON)
    parser.add_argument(
        "--max-rss-gib",
        type=float,
        default=round(0.6 * os.sysconf("SC_PHYS_PAGES") * _PAGE / 2**30, 1),
        help="kill a measured command whose processes' RSS passes this (default: 60%% of RAM)",
    )
    args = parser.parse_args()
    limit = int(args.max_rss_gib * 2**30)
    if not args.corpus.is_dir():
        raise SystemExit(f"corpus not found: {args.corpus}")
    if args.datatrove and not args.datatrove_python.exists():
        raise SystemExit(f"{args.datatrove_python} not found: run `bash benchmarks/datatrove_env.sh` first")
    corpus = args.corpus.resolve()
    if args.workdir is not None:
        Path(args.workdir).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="newsflow-throughput-", dir=args.workdir))
    logs = work / "logs"
    logs.mkdir()

    rel = list_articles(corpus)
    paths = [str(corpus / p) for p in rel]
    sizes = [Path(p).stat().st_size for p in paths]
    size = sum(sizes)
    files = len(paths)
    if not files:
        raise SystemExit(f"no .txt files under {corpus}")
    manifest_path = corpus / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else None
    prefect = os.environ.get("PREFECT_API_URL") or "newsflow's local server in PREFECT_HOME (started by the first run)"
    print(
        f"corpus {corpus}: {files:,} files, {size / 1e6:,.1f} MB ({size / files:,.0f} B/file); "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; Prefect: {prefect}"
    )
    if manifest and "expected" in manifest:
        print(f"  manifest: {manifest['kinds']} (expected duplicates {manifest['expected']['duplicates']:,})")
    elif manifest:
        print(f"  manifest: {manifest}")
    print(f"warm-up: every file read once in {warm_up(paths):.1f} s; all timings below are warm-cache", flush=True)

    runs: list[NewsflowRun] = []
    failures = 0
    try:
        for i in range(args.repeat):
            floor = floor_seconds(paths)
            print(f"repeat {i + 1}: floor {floor:.2f} s (read + SHA-256 of every file, 2 processes)", flush=True)
            try:
                run = run_newsflow(corpus, work / f"out-{i + 1}", logs, f"newsflow-{i + 1}", limit)
            except RunFailedError as exc:
                failures += 1
                print(f"  FAILED: {exc}\n  (no further repeats)", flush=True)
                break
            run.floor = floor
            runs.append(run)
            ratio = run.measured.wall / floor
            print(f"  {describe(run, files, size)}\n  newsflow wall / floor {ratio:.1f}x", flush=True)
            if not args.keep:
                shutil.rmtree(work / f"out-{i + 1}", ignore_errors=True)

        wall = print_medians(runs, files, size) if runs else None
        if args.datatrove:
            k = min(args.datatrove_articles or files, files)
            source = corpus
            same = (wall, statistics.median(r.steps.get("run", r.measured.wall) for r in runs)) if wall else None
            if k < files:
                source = subset(corpus, rel[:k], work / f"subset-{k}")
                try:
                    subset_run = run_newsflow(source, work / "out-subset", logs, "newsflow-subset", limit)
                    same = (subset_run.measured.wall, subset_run.steps.get("run", subset_run.measured.wall))
                    text = describe(subset_run, k, sum(sizes[:k]))
                    print(f"newsflow on the first {k:,} files:\n  {text}", flush=True)
                except RunFailedError as exc:
                    failures += 1
                    print(f"newsflow on the first {k:,} files FAILED: {exc}", flush=True)
            result, measured = run_datatrove(args.datatrove_python, source, work, logs, limit)
            print_datatrove(result, measured, k=k, files=files, same=same, full_wall=wall)
        kept = "kept" if args.keep or failures else "removed"
        print(f"load average at the end {os.getloadavg()[0]:.2f}; logs {logs} ({kept})")
    except RunFailedError as exc:
        failures += 1
        raise SystemExit(str(exc)) from None
    finally:
        if not args.keep:
            for entry in work.iterdir() if failures else [work]:
                if entry != logs:  # a failed run's logs stay, for the message's last lines
                    shutil.rmtree(entry, ignore_errors=True)
    if failures:
        raise SystemExit(f"{failures} newsflow run(s) failed")


if __name__ == "__main__":
    main()

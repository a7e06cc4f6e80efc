"""Crash harness: SIGKILL ``newsflow run`` and ``newsflow retract`` (a rebuild) at random moments and check
that nothing is lost or mixed.

    uv run python -m tests.faults.crash [--kills 24] [--rebuild-kills 8] [--files 3000] [--seed 7]

A source folder of a few thousand generated articles is ingested in two batches. The
reference is an uninterrupted run of each: the published tables after batch A are
the state *before*, after A + B the state *after*. Then, for every kill, the output is
reset to *before*, ``newsflow run`` is started on A + B in its own process group and
killed with SIGKILL (the whole group: a machine dying) at a random moment of a
chosen phase, picked round-robin so that kills spread over reading and decoding,
parsing, deduplication, staging, validation, publishing and reporting. After each kill:

- every published table is readable and its content equals *before* or *after*,
  never a mix (``publish.content_checksums``, run stamps left out);
- the next run completes, and its tables equal *after* exactly;
- no leftovers remain: staging folders, half-built snapshots, swap links, partial files.

Then the same for a rebuild: from *after*, ``newsflow retract`` of one article (which
rebuilds the current tables), killed in planning, a window's rebuild, its validation, its
staging or the final publish; the tables must equal *after* or *retracted* (the reference
retraction), and the same command run again must end at *retracted* (when the kill came
after the publish, it says the article is already retracted).

Phases are told from the log: Prefect logs "Finished in state" for each task, so
the phase after a task's line is running. Delays are drawn within the first half of
the phase's duration as measured on the reference run. A phase as short as reading
3,000 files varies from run to run by more than that, so a draw whose phase has ended
before the kill is not counted: the run is killed, the output reset, and the next draw
for that phase aims within half the missed delay.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from newsflow.load.storage import Layout
from tests.checksums import content_checksums

ROOT = Path(__file__).resolve().parents[2]
PHASES: tuple[tuple[str, str], ...] = (
    # (task whose "Finished" line starts the phase, the phase then running)
    ("plan-reads", "read+decode"),
    ("read-shard", "parse"),
    ("parse-shard", "deduplicate"),
    ("deduplicate", "stage"),
    ("stage", "validate"),
    ("validate", "publish"),
    ("publish", "report"),
)
REBUILD_PHASES: tuple[tuple[str, str], ...] = (
    ("open-quality-gate", "plan"),
    ("plan-rebuild", "rebuild"),
    ("rebuild-window", "validate"),
    ("validate", "stage"),
    ("finish-rebuild", "publish"),
)
_FINISHED = re.compile(r"(\d\d):(\d\d):(\d\d\.\d+) \| \w+ +\| Task run '([a-z-]+)-[0-9a-f]+' - Finished in state")
_WORDS = (  # noqa: SIM905 - a list literal of 67 words would bury the module
    "minister council budget report police court match club market shares energy health school rail "
    "water election vote union strike storm flood museum festival film album player coach league bank "
    "rates growth prices hospital doctors patients airport flights climate science study research city "
    "village farmers harvest river bridge road traffic company workers jobs plant factory tax reform "
    "government opposition leader party campaign debate plan proposal officials residents protest"
).split()


def build_corpus(source: Path, *, files: int, seed: int) -> list[Path]:
    """Write ``files`` articles (batch A: the first 60 %), with copies, near copies and bad files.

    Returns the files of batch B, which the caller moves aside until batch A is ingested.
    """
    rng = random.Random(seed)
    texts: list[bytes] = []
    for i in range(files):
        roll = rng.random()
        if texts and roll < 0.04:
            texts.append(rng.choice(texts))  # exact copy
        elif texts and roll < 0.08 and texts[-1].count(b"\n\n") > 2:
            texts.append(texts[-1].rsplit(b"\n\n", 1)[0] + b"\n")  # near copy: last paragraph cut
        elif roll < 0.09:
            texts.append(rng.choice([b"", b"  \n", b"\x00\x01binary", b"\x1f\x8b\x08gzip", b"Headline only\n"]))
        else:
            headline = " ".join(rng.choice(_WORDS) for _ in range(6)).capitalize() + f" {i}"
            paragraphs = [" ".join(rng.choice(_WORDS) for _ in range(rng.randint(20, 60))) + "." for _ in range(5)]
            texts.append((headline + "\n\n" + "\n\n".join(paragraphs) + "\n").encode())
    batch_b = []
    for i, text in enumerate(texts):
        path = source / f"desk{i % 7}" / f"{i:05d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text)
        if i >= files * 0.6:
            batch_b.append(path)
    return batch_b


@dataclass
class Watched:
    """A ``newsflow run`` process and the tasks it has finished so far, from its log."""

    process: subprocess.Popen[str]
    finished: list[tuple[str, float]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def follow(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)
            match = _FINISHED.search(line)
            if match:
                hours, minutes, seconds, task = match.groups()
                self.finished.append((task, int(hours) * 3600 + int(minutes) * 60 + float(seconds)))


def run_command(source: Path, output: Path) -> list[str]:
    # --verbose: the phases are told from Prefect's per-task lines, which a default run keeps off the terminal
    return ["run", "--verbose", "--source", str(source), "--output", str(output)]


def start_run(
    source: Path, output: Path, env: dict[str, str], *, cwd: Path = ROOT, command: list[str] | None = None
) -> Watched:
    """``newsflow run`` (or ``command``) in its own process group; ``cwd`` decides which configuration file
    applies."""
    process = subprocess.Popen(
        [sys.executable, "-m", "newsflow.cli", *(command or run_command(source, output))],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, so a kill takes its children too
    )
    watched = Watched(process)
    threading.Thread(target=watched.follow, daemon=True).start()
    return watched


def run_to_end(source: Path, output: Path, env: dict[str, str], *, command: list[str] | None = None) -> Watched:
    watched = start_run(source, output, env, command=command)
    code = watched.process.wait(timeout=600)
    time.sleep(0.1)  # let the reader thread drain the pipe
    if code == 2 and any("already retracted" in line for line in watched.lines):
        return watched  # a rebuild killed after its publish, run again: nothing left to do
    if code != 0:
        raise RuntimeError(f"newsflow run exited {code}:\n{''.join(watched.lines[-30:])}")
    return watched


def phase_durations(watched: Watched, phases: tuple[tuple[str, str], ...] = PHASES) -> dict[str, float]:
    """Seconds from each marker task's (last) "Finished" line to the next task's, on a complete run."""
    last: dict[str, int] = {}
    for index, (task, _) in enumerate(watched.finished):
        last[task] = index
    durations: dict[str, float] = {}
    for marker, _ in phases:
        index = last.get(marker)
        if index is not None and index + 1 < len(watched.finished):
            durations[marker] = max(watched.finished[index + 1][1] - watched.finished[index][1], 0.001)
    return durations


def _kinds(paths: list[str]) -> str:
    """'.staging/<run>/...' -> '.staging', '.snapshots/.building-<id>' -> '.snapshots/.building', ..."""
    kinds = {re.sub(r"[-/][0-9a-fT-]{8,}.*$", "", path) for path in paths}
    return ", ".join(sorted(kinds)) or "nothing"


def leftovers(output: Path) -> list[str]:
    layout = Layout(output)
    found = [*layout.staging_root.glob("*"), *layout.snapshots.glob(".building-*"), *output.glob(".curated-*")]
    found += [*layout.quarantine.glob("*/*.partial"), *layout.reports.glob("*.partial")]
    return [str(path.relative_to(output)) for path in found]


@dataclass
class Kill:
    target: str
    delay: float
    phase_seen: str
    left_by_kill: list[str]
    state: str
    resume_seconds: float
    converged: bool
    leftovers: list[str]

    @property
    def ok(self) -> bool:
        return self.state != "MIXED" and self.converged and not self.leftovers


def reset(pristine: Path, output: Path) -> None:
    shutil.rmtree(output, ignore_errors=True)
    shutil.copytree(pristine, output, symlinks=True)


def _phase(watched: Watched, phases: tuple[tuple[str, str], ...]) -> str:
    """The phase running, told from the last phase marker that has finished."""
    done = {task for task, _ in watched.finished}
    return next((phase for task, phase in reversed(phases) if task in done), "start")


def crash_once(
    source: Path,
    output: Path,
    env: dict[str, str],
    *,
    marker: str,
    delay: float,
    states: dict[str, dict[str, str]],
    command: list[str] | None = None,
    phases: tuple[tuple[str, str], ...] = PHASES,
) -> Kill | None:
    """Start a run, kill it ``delay`` s after ``marker`` finished, check, resume, check. None: it ended first.

    ``states``: the tables it may leave, by name; the last is what the resumed command must end at."""
    watched = start_run(source, output, env, command=command)
    deadline = time.monotonic() + 600
    while not any(task == marker for task, _ in watched.finished):
        if watched.process.poll() is not None or time.monotonic() > deadline:
            return None
        time.sleep(0.002)
    time.sleep(delay)
    aimed = dict(phases)[marker]
    if watched.process.poll() is not None or _phase(watched, phases) != aimed:
        # It ended, or the phase did, before the kill: this draw missed its phase; the caller draws again.
        os.killpg(watched.process.pid, signal.SIGKILL)
        watched.process.wait()
        return None
    os.killpg(watched.process.pid, signal.SIGKILL)
    watched.process.wait()
    phase_seen = _phase(watched, phases)
    left_by_kill = leftovers(output)  # evidence of what the kill interrupted
    found = content_checksums(Layout(output))  # readable, or this raises
    state = next((name for name, checksums in states.items() if checksums == found), "MIXED")
    clock = time.monotonic()
    run_to_end(source, output, env, command=command)
    resumed = time.monotonic() - clock
    return Kill(
        target=marker,
        delay=delay,
        phase_seen=phase_seen,
        left_by_kill=left_by_kill,
        state=state,
        resume_seconds=resumed,
        converged=content_checksums(Layout(output)) == list(states.values())[-1],
        leftovers=leftovers(output),
    )


def run_harness(
    work: Path, env: dict[str, str], *, kills: int, files: int, seed: int, rebuild_kills: int = 0
) -> list[Kill]:
    """The whole experiment under ``work``; returns one record per kill (see the module docstring)."""
    source, output, pristine, parked = work / "source", work / "out", work / "before", work / "parked"
    batch_b = build_corpus(source, files=files, seed=seed)
    for path in batch_b:  # batch B waits outside the source until A is ingested
        target = parked / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        path.replace(target)
    run_to_end(source, output, env)
    states = {"before": content_checksums(Layout(output))}
    shutil.copytree(output, pristine, symlinks=True)
    for path in batch_b:
        (parked / path.relative_to(source)).replace(path)
    reference = run_to_end(source, output, env)
    states["after"] = content_checksums(Layout(output))
    if states["after"] == states["before"]:
        raise RuntimeError("batch B changed nothing: the harness could not tell the states apart")
    rng = random.Random(seed)
    records = _kill_repeatedly(source, output, pristine, env, states, reference, rng, kills=kills)
    if not rebuild_kills:
        return records
    # A rebuild: from *after*, retract one article.
    after = work / "after"
    shutil.copytree(output, after, symlinks=True)
    first = pl.scan_parquet(Layout(output).table_glob("articles")).select(pl.col("source_path").min()).collect()
    retract = ["retract", first.item(), "--reason", "crash test", "--output", str(output)]
    reference = run_to_end(source, output, env, command=retract)
    rebuilt = {"after": states["after"], "retracted": content_checksums(Layout(output))}
    if rebuilt["retracted"] == rebuilt["after"]:
        raise RuntimeError("the retraction changed nothing: the harness could not tell the states apart")
    return records + _kill_repeatedly(
        source, output, after, env, rebuilt, reference, rng, kills=rebuild_kills, command=retract, phases=REBUILD_PHASES
    )


def _kill_repeatedly(
    source: Path,
    output: Path,
    pristine: Path,
    env: dict[str, str],
    states: dict[str, dict[str, str]],
    reference: Watched,
    rng: random.Random,
    *,
    kills: int,
    command: list[str] | None = None,
    phases: tuple[tuple[str, str], ...] = PHASES,
) -> list[Kill]:
    durations = phase_durations(reference, phases)
    records: list[Kill] = []
    attempt = 0
    ceilings = {marker: durations.get(marker, 0.05) / 2 for marker, _ in phases}
    while len(records) < kills and attempt < kills * 3:
        marker = phases[len(records) % len(phases)][0]
        attempt += 1
        reset(pristine, output)
        delay = rng.uniform(0, ceilings[marker])
        record = crash_once(
            source, output, env, marker=marker, delay=delay, states=states, command=command, phases=phases
        )
        if record is None:
            ceilings[marker] = delay / 2  # the phase was shorter than on the reference run: aim earlier
            continue
        records.append(record)
        print(
            f"kill {len(records):>2}: after {marker:<12} +{delay * 1000:6.0f} ms  in {record.phase_seen:<12} "
            f"tables={record.state:<6} resumed in {record.resume_seconds:5.1f} s  "
            f"converged={record.converged} leftovers={record.leftovers or 'none'}; "
            f"the kill left {_kinds(record.left_by_kill)}",
            flush=True,
        )
    return records


@contextmanager
def prefect_api() -> Iterator[dict[str, str]]:
    """An environment for the runs: one temporary Prefect server for the whole harness."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # no network here to send it to
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=24)
    parser.add_argument("--rebuild-kills", type=int, default=8)
    parser.add_argument("--files", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsflow-crash-") as work, prefect_api() as env:
        clock = time.monotonic()
        records = run_harness(
            Path(work), env, kills=args.kills, files=args.files, seed=args.seed, rebuild_kills=args.rebuild_kills
        )
        survived = sum(record.ok for record in records)
        phases = sorted({record.phase_seen for record in records})
        states = {name: sum(r.state == name for r in records) for name in ("before", "after", "retracted", "MIXED")}
        print(
            f"\n{survived}/{len(records)} kills survived; phases hit: {', '.join(phases)}; tables found {states}; "
            f"{time.monotonic() - clock:.0f} s"
        )
    return 0 if records and survived == len(records) == args.kills + args.rebuild_kills else 1


if __name__ == "__main__":
    sys.exit(main())

"""The step protocol: every pipeline step takes a record of frames and says what it kept and dropped.

Modelled on datatrove's pipeline steps and filters: a step works on a whole batch
(Polars frames, never one row at a time) and returns the batch that goes on, one
reason code per row it dropped, and any other counters. ``run_steps`` applies an
ordered list of steps and does the bookkeeping every step would otherwise repeat:
``total``, ``kept`` and ``dropped_<reason>`` per stage (a stage groups the steps
whose drops are counted together, such as exact and near duplicates under
``dedup``), and the wall-clock seconds of each step.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

import polars as pl

Counters = dict[str, int]
Batch = TypeVar("Batch")
Context = TypeVar("Context", contravariant=True)


def count_outcomes(total: int, dropped: pl.Series, *, reasons: Iterable[str] = ()) -> Counters:
    """``total``, ``kept`` and ``dropped_<reason>`` from a series of drop reasons; every one of ``reasons``
    is counted, zero included, so a stage's counters have the same keys in every run."""
    counters: Counters = {"total": total, "kept": total - dropped.len()}
    counts = dict.fromkeys(reasons, 0) | dict(dropped.value_counts().iter_rows())
    for reason, n in sorted(counts.items()):
        counters[f"dropped_{reason}"] = n
    return counters


def merge_counters(parts: Iterable[Mapping[str, Mapping[str, int]]]) -> dict[str, Counters]:
    """Counters of several batches (shards, windows) added up, stage by stage."""
    merged: dict[str, Counters] = {}
    for part in parts:
        for stage, counters in part.items():
            target = merged.setdefault(stage, {})
            for key, value in counters.items():
                target[key] = target.get(key, 0) + value
    return merged


def add_seconds(parts: Iterable[Mapping[str, float]]) -> dict[str, float]:
    total: dict[str, float] = {}
    for part in parts:
        for step, seconds in part.items():
            total[step] = total.get(step, 0.0) + seconds
    return total


_NO_DROPS = pl.Series("reason", [], dtype=pl.String)


@dataclass(frozen=True, slots=True)
class StepResult(Generic[Batch]):
    """What a step hands on (``batch``), why it dropped rows (``dropped``: one reason code per dropped row;
    where the dropped rows went, duplicates or quarantine, is part of ``batch``) and other counters, by stage
    (flags that drop nothing, such as boilerplate paragraphs)."""

    batch: Batch
    dropped: pl.Series = field(default_factory=lambda: _NO_DROPS)
    counters: Mapping[str, Counters] = field(default_factory=dict)


class Step(Protocol[Batch, Context]):
    """A pipeline step: ``name`` (its timing row), ``stage`` (whose counters it adds to; None for a step that
    drops nothing, such as one that only flags or labels rows), ``reasons`` (every code it may drop rows
    with), and ``run``."""

    @property
    def name(self) -> str: ...

    @property
    def stage(self) -> str | None: ...

    @property
    def reasons(self) -> Sequence[str]: ...

    def run(self, batch: Batch, context: Context, /) -> StepResult[Batch]: ...


@dataclass(frozen=True, slots=True)
class Report:
    """The counters of every stage and the seconds of every step of one ``run_steps``."""

    counters: dict[str, Counters]
    seconds: dict[str, float]


def run_steps(
    steps: Sequence[Step[Batch, Context]], batch: Batch, context: Context, *, size: Callable[[Batch], int]
) -> tuple[Batch, Report]:
    """Apply ``steps`` in order; ``size`` counts a batch's rows (a stage's ``total`` is the size before its
    first step, its ``kept`` the size after its last)."""
    counters: dict[str, Counters] = {}
    seconds: dict[str, float] = {}
    for step in steps:
        clock = time.perf_counter()
        before = size(batch)
        result = step.run(batch, context)
        seconds[step.name] = seconds.get(step.name, 0.0) + time.perf_counter() - clock
        batch = result.batch
        if step.stage is not None:
            own = count_outcomes(before, result.dropped, reasons=step.reasons)
            stage = counters.get(step.stage)
            if stage is None:
                counters[step.stage] = own
            else:  # a later step of the stage: the stage's total stands, its kept moves on
                stage.update({k: v + stage.get(k, 0) for k, v in own.items() if k.startswith("dropped_")})
                stage["kept"] = own["kept"]
        counters = merge_counters([counters, result.counters])
    return batch, Report(counters, seconds)

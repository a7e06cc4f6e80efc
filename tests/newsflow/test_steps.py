"""The step runner: counts per stage, seconds per step, drops never lost."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from newsflow.steps import StepResult, count_outcomes, merge_counters, run_steps


@dataclass(frozen=True)
class DropWhere:
    """Drops the values in ``values`` with reason ``reason``; the dropped rows go to the batch's sink."""

    name: str
    stage: str | None
    reason: str
    values: frozenset[int]

    @property
    def reasons(self) -> Sequence[str]:
        return (self.reason,)

    def run(
        self, batch: tuple[pl.DataFrame, pl.DataFrame], context: None
    ) -> StepResult[tuple[pl.DataFrame, pl.DataFrame]]:
        rows, sink = batch
        hit = pl.col("x").is_in(list(self.values))
        dropped = rows.filter(hit)
        return StepResult(
            (rows.filter(~hit), pl.concat([sink, dropped])),
            dropped=pl.Series([self.reason] * dropped.height, dtype=pl.String),
            counters={"seen": {self.name: rows.height}},
        )


def _run(
    steps: Sequence[DropWhere], values: list[int]
) -> tuple[tuple[pl.DataFrame, pl.DataFrame], dict[str, dict[str, int]], dict[str, float]]:
    rows = pl.DataFrame({"x": values}, schema={"x": pl.Int64})
    (kept, sink), report = run_steps(steps, (rows, rows.clear()), None, size=lambda b: b[0].height)
    return (kept, sink), report.counters, report.seconds


@given(st.lists(st.integers(0, 9), max_size=50))
def test_a_stage_counts_total_kept_and_each_drop_and_loses_nothing(values: list[int]) -> None:
    steps = [
        DropWhere("small", "filter", "small", frozenset({0, 1, 2})),
        DropWhere("odd", "filter", "odd", frozenset({3, 5, 7, 9})),
        DropWhere("eight", None, "eight", frozenset({8})),
    ]
    (kept, sink), counters, seconds = _run(steps, values)
    stage = counters["filter"]
    assert stage["total"] == len(values)
    assert stage["kept"] == len([v for v in values if v not in {0, 1, 2, 3, 5, 7, 9}])
    assert stage["dropped_small"] == len([v for v in values if v <= 2])
    assert stage["dropped_odd"] == len([v for v in values if v in {3, 5, 7, 9}])
    assert set(counters) == {"filter", "seen"}  # a step without a stage counts nothing of its own
    assert sorted(kept.get_column("x").to_list() + sink.get_column("x").to_list()) == sorted(values)
    assert set(seconds) == {"small", "odd", "eight"} and all(s >= 0 for s in seconds.values())


def test_declared_reasons_are_counted_at_zero() -> None:
    _, counters, _ = _run([DropWhere("near", "dedup", "near", frozenset({99}))], [1, 2])
    assert counters["dedup"] == {"total": 2, "kept": 2, "dropped_near": 0}


def test_counters_of_batches_add_up_by_stage() -> None:
    one = {"read": count_outcomes(3, pl.Series(["empty"]))}
    two = {"read": count_outcomes(2, pl.Series(["binary"])), "parse": {"total": 1}}
    assert merge_counters([one, two]) == {
        "read": {"total": 5, "kept": 3, "dropped_empty": 1, "dropped_binary": 1},
        "parse": {"total": 1},
    }

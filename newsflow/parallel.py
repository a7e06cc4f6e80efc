"""Where the window steps' independent pieces run: in the step's own process, or spread over a Dask cluster.

A step hands a pure function and its pieces (chunks of articles, ranges of rows, groups of
LSH bands) to ``Pool.map`` and gets the results back in the pieces' order. The pieces are
cut the same way whatever the pool, and each result depends on its piece alone, so a Dask
run and an in-process run build identical tables (``tests/flows/test_dask.py``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Pool(Protocol):
    """Runs ``function(piece, **shared)`` for every piece; results in the pieces' order, each yielded when the
    caller asks for it (in process a piece is computed then, so a caller that folds results one at a time holds
    one piece's result at a time)."""

    @property
    def workers(self) -> int:
        """How many pieces can run at once: steps cut work that is not already in pieces into this many."""
        ...

    def map(self, function: Callable[..., R], pieces: Sequence[T], /, **shared: Any) -> Iterator[R]: ...


class InProcess:
    """Every piece in turn, in this process (Polars and NumPy already use its cores)."""

    workers = 1

    def map(self, function: Callable[..., R], pieces: Sequence[T], /, **shared: Any) -> Iterator[R]:
        return (function(piece, **shared) for piece in pieces)


IN_PROCESS = InProcess()


@dataclass
class DaskPool:
    """The pieces as tasks of a ``distributed.Client``'s cluster: each piece is scattered to a worker, and
    ``shared`` values are sent to every worker once per call (``scatter(broadcast=True)``), not once per piece.
    ``tasks`` counts what was shipped."""

    client: Any
    tasks: int = field(default=0)

    @property
    def workers(self) -> int:
        threads: dict[str, int] = self.client.nthreads()
        return max(1, sum(threads.values()))

    def map(self, function: Callable[..., R], pieces: Sequence[T], /, **shared: Any) -> Iterator[R]:
        if not pieces:
            return iter(())
        sent = {name: self.client.scatter(value, broadcast=True) for name, value in shared.items()}
        # Scattered, each piece goes straight to one worker instead of travelling inside the task graph.
        futures = self.client.map(function, self.client.scatter(list(pieces)), pure=False, **sent)
        self.tasks += len(futures)
        return self._in_order(futures)

    @staticmethod
    def _in_order(futures: list[Any]) -> Iterator[R]:
        # Every piece is running already; each result leaves the cluster once it is taken.
        for future in futures:
            result: R = future.result()
            future.release()
            yield result


def split(count: int, parts: int) -> list[range]:
    """``range(count)`` cut into at most ``parts`` consecutive, non-empty ranges of nearly equal size."""
    parts = max(1, min(parts, count))
    edges = [count * i // parts for i in range(parts + 1)]
    return [range(start, stop) for start, stop in itertools.pairwise(edges) if stop > start]


@contextmanager
def dask_pool(address: str) -> Iterator[DaskPool]:
    """A ``DaskPool`` on the cluster whose scheduler is at ``address``, connected for the block's duration."""
    from distributed import Client

    with Client(address, set_as_default=False) as client:  # type: ignore[no-untyped-call]
        yield DaskPool(client)

"""Heavy imports, in one place, made only when used: a run with nothing new, the CLI's help or a test of
parsing never pays for them (figures in ``benchmarks/README.md``, "Measured design").

Great Expectations is imported by ``quality.gate.Gate``, in the gate's own process (``quality.process``;
GE itself imports ``quality.docs_views``); Dask by ``flows.runners`` when a run asks for it.
"""

from __future__ import annotations

import importlib
from types import ModuleType


def scipy_sparse() -> ModuleType:
    """``scipy.sparse``."""
    return importlib.import_module("scipy.sparse")


def scipy_csgraph() -> ModuleType:
    """``scipy.sparse.csgraph``."""
    return importlib.import_module("scipy.sparse.csgraph")

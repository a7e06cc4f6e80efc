"""The quality gate: the stored Great Expectations suites (``suites``), the views they check (``views``),
the gate itself (``gate``) and its report."""

"""Content checksums of published tables: how the crash and equivalence tests tell "the same rows"."""

from __future__ import annotations

import hashlib

from newsflow.load import publish
from newsflow.load.storage import Layout
from newsflow.tables.registry import PUBLISHED, RUN_STAMP_COLUMNS


def content_checksums(layout: Layout) -> dict[str, str]:
    """Per published table (state included), a checksum of its rows as a multiset, run stamps left out.

    Equal checksums mean the same rows whichever runs wrote them, in whatever parts
    and order: how the crash tests tell "as before the run" from "as after it". Row
    hashes are Polars', stable within one installed version, not across versions.
    """
    checksums: dict[str, str] = {}
    for table in PUBLISHED:
        frame = publish.scan(layout, table).collect()
        content = frame.drop([c for c in frame.columns if c in RUN_STAMP_COLUMNS])
        hashes = content.hash_rows(seed=0).sort().to_numpy().tobytes()
        checksums[table] = f"{frame.height}:{hashlib.sha256(hashes).hexdigest()[:16]}"
    return checksums

"""The real ``ingest`` flow over the hostile corpus: every file gets its expected outcome, nothing aborts a run."""

from __future__ import annotations

import faulthandler
import hashlib
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from types import TracebackType

import duckdb
import pytest

from flows.ingest import ingest
from newsflow.extract.paths import fs_path
from newsflow.load.storage import Layout
from newsflow.tables.registry import CURATED as TABLES
from tests.hostile.corpus import (
    CURATED,
    DUPLICATE,
    QUARANTINED,
    SETTINGS,
    TINY_FILES,
    UNSEEN,
    Corpus,
    article,
    build,
)

pytestmark = pytest.mark.usefixtures("prefect_server")

# Reasons given to files never read (or not read whole and stable): no hash, no bytes to keep.
NEVER_READ = {"outside_source", "not_a_file", "unreadable", "vanished", "changing"}


def rows(output: Path, table: str, query: str) -> list[tuple[object, ...]]:
    con = duckdb.connect()
    con.execute(
        f"create view t as select * from read_parquet('{Layout(output).table_glob(table)}', hive_partitioning = true)"
    )
    return con.execute(query).fetchall()


class Grower:
    """Appends to a file every few milliseconds from a background thread: a file still being written."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.appends = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.003):
            with self.path.open("ab") as handle:
                handle.write(b" more")  # grows the last paragraph: the file stays one valid article
            self.appends += 1

    def __enter__(self) -> Grower:
        self._thread.start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()


@contextmanager
def watchdog(seconds: int) -> Iterator[None]:
    """Kill the test process with a traceback if a run hangs (a FIFO opened for reading would block forever)."""
    faulthandler.dump_traceback_later(seconds, exit=True)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


def assert_relative(path: object) -> None:
    assert isinstance(path, str) and path
    assert not path.startswith("/") and ".." not in PurePosixPath(path).parts, path


def check_run(corpus: Corpus, output: Path, run_id: str, expected: dict[str, tuple[str, str | None]]) -> None:
    """The run's rows in ``files`` and ``quarantine`` are exactly ``expected`` (path -> (status, reason))."""
    ledger = rows(output, "files", f"select source_path, status from t where run_id = '{run_id}'")
    quarantine = rows(
        output, "quarantine", f"select source_path, reason, detail from t where run_id = '{run_id}' order by 1"
    )
    reasons = {str(path): str(reason) for path, reason, _ in quarantine}
    got = {str(path): (str(status), reasons.get(str(path))) for path, status in ledger}
    assert len(ledger) == len(got), "one ledger row per file"
    mismatched = {path: (want, got.get(path)) for path, want in expected.items() if got.get(path) != want}
    assert not mismatched
    assert set(got) == set(expected)
    assert all(detail for _, _, detail in quarantine)


def test_hostile_corpus(tmp_path: Path) -> None:
    corpus = build(tmp_path / "corpus")
    source, output = corpus.source, tmp_path / "out"
    expected = {path: (e.status, e.reason) for path, e in corpus.expected().items() if e.status != UNSEEN}
    try:
        with watchdog(300), Grower(source / "growing.txt") as grower:
            first = ingest(source=str(source), output=str(output), settings=SETTINGS)
        assert grower.appends > 10

        # Every file seen got exactly its expected outcome; the ledger reconciles exactly.
        assert first["validation"] == "passed"
        assert first["files_seen"] == len(expected)
        statuses = [status for status, _ in expected.values()]
        assert (first["curated"], first["duplicates"], first["quarantined_total"]) == (
            statuses.count(CURATED),
            statuses.count(DUPLICATE),
            statuses.count(QUARANTINED),
        )
        check_run(corpus, output, first["run_id"], expected)
        unseen = [path for path, e in corpus.expected().items() if e.status == UNSEEN]
        assert not rows(output, "files", f"select * from t where source_path in {tuple(unseen)}")
        tiny = rows(output, "articles", "select count(*) from t where source_path like 'tiny/%'")
        assert tiny == [(TINY_FILES,)]

        # Quarantined bytes: kept and matching their hash when read, absent when never read.
        kept = rows(output, "quarantine", "select source_path, reason, source_sha256, blob_path from t")
        for path, reason, sha, blob in kept:
            if reason in NEVER_READ:
                assert (sha, blob) == (None, None), path
                continue
            assert isinstance(blob, str) and isinstance(sha, str), path
            digest = hashlib.sha256((output / blob).read_bytes()).hexdigest()
            assert digest == sha, path
            real = source / os.fsdecode(fs_path(str(path)))
            assert hashlib.sha256(real.read_bytes()).hexdigest() == sha, path

        # Nothing outside the source was read; every stored path is relative.
        secret_headline = article(9_999).splitlines()[0]
        assert not rows(output, "articles", f"select * from t where headline = '{secret_headline}'")
        for table in TABLES:
            columns = {c for (c,) in rows(output, table, "select column_name from (describe t)")}
            for column in sorted({"source_path", "blob_path"} & columns):
                for (value,) in rows(output, table, f"select {column} from t where {column} is not null"):
                    assert_relative(value)

        # What the hostile kinds turned into.
        export = rows(output, "articles", "select headline, body, encoding from t where source_path = 'export.txt'")
        ((headline, body, encoding),) = export
        assert encoding == "utf-8+html" and "|" not in str(headline)
        assert not any(token in str(body) for token in ("<", "&amp;", "&mdash;", "advert", "Home", "color"))
        names = {
            str(p) for (p,) in rows(output, "articles", "select source_path from t where source_path like '%\\x%'")
        }
        assert "new\\x0aline.txt" in names
        (removed,) = rows(
            output,
            "articles",
            "select repeated_paragraphs_removed from t where source_path = 'identical-paragraphs.txt'",
        )
        assert removed == (49,)

        # A second run: changed and stable files are read again, all else is skipped.
        (source / "revised.txt").write_text(article(123_456))
        touched = source / "touched.txt"
        os.utime(touched, ns=(time.time_ns(), touched.stat().st_mtime_ns + 5_000_000_000))
        with watchdog(300):
            second = ingest(source=str(source), output=str(output), settings=SETTINGS)
        assert second["validation"] == "passed"
        assert second["files_seen"] == len(expected)
        check_run(corpus, output, second["run_id"], {"revised.txt": (CURATED, None), "growing.txt": (CURATED, None)})
        assert second["files_new"] == 2  # touched.txt was read, but its content is known: not a new version

        # A third run over unchanged input adds nothing.
        third = ingest(source=str(source), output=str(output), settings=SETTINGS)
        assert (third["files_new"], third["files_unchanged"]) == (0, len(expected))
    finally:
        for locked in (source / "locked.txt", source / "locked-folder"):
            locked.chmod(0o755)  # so tmp_path can be cleaned up

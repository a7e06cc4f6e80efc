"""The report server serves the report folders of registered outputs, and nothing else on disk."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsflow.server.files import register_output, report_url, reports_server


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    """A running report server (its base address), its registry, and a registered output folder."""
    output = tmp_path / "out put #1"
    (output / "validation" / "run-1").mkdir(parents=True)
    (output / "validation" / "run-1" / "index.html").write_text("<h1>docs</h1>")
    (output / "reports").mkdir()
    (output / "reports" / "index.html").write_text("<h1>report</h1>")
    (output / "curated").mkdir()
    (output / "curated" / "secret.parquet").write_text("not served")
    registry = tmp_path / "home" / "outputs.json"
    register_output(registry, output)
    server = reports_server("127.0.0.1", 0, registry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", registry, output
    finally:
        server.shutdown()
        server.server_close()


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, ""


def test_report_folders_of_a_registered_output_are_served(served: tuple[str, Path, Path]) -> None:
    base, _, output = served
    assert _get(report_url(base, output, Path("validation/run-1/index.html"))) == (200, "<h1>docs</h1>")
    assert _get(report_url(base, output, Path("reports/index.html"))) == (200, "<h1>report</h1>")


def test_nothing_else_is_served(served: tuple[str, Path, Path], tmp_path: Path) -> None:
    base, registry, output = served
    key = report_url(base, output, Path("x")).rsplit("/", 2)[-2]
    assert _get(f"{base}/{key}/curated/secret.parquet")[0] == 404  # tables are not reports
    assert _get(f"{base}/{key}/validation/../curated/secret.parquet")[0] == 404
    assert _get(f"{base}/{key}/validation/%2e%2e/curated/secret.parquet")[0] == 404
    assert _get(f"{base}/000000000000/reports/index.html")[0] == 404  # not a registered output
    assert _get(f"{base}/")[0] == 404
    other = tmp_path / "other"
    (other / "reports").mkdir(parents=True)
    (other / "reports" / "index.html").write_text("unregistered")
    assert _get(report_url(base, other, Path("reports/index.html")))[0] == 404
    register_output(registry, other)  # registering is what makes an output's reports reachable
    assert _get(report_url(base, other, Path("reports/index.html"))) == (200, "unregistered")

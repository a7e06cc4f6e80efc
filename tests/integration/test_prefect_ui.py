"""Prefect's UI, opened in a real headless Chromium, shows an ``ingest`` run and its summary artifact.

Uses the system Chromium (``/usr/bin/chromium``, Debian's ``chromium`` package), driven by
Playwright; Playwright's own browser download is never used. Screenshots of the pages
are saved under ``data/screenshots/`` for people to look at.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import ROOT, SEEDS
from tests.servers import PrefectServer, artifacts, flow_runs, require, run_newsflow

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # runs as root in CI
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "data" / "screenshots"
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def ingest_run(prefect_api: PrefectServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The flow run of ``newsflow run`` over a copy of ``seeds/``, as the API returns it."""
    tmp = tmp_path_factory.mktemp("ui-run")
    source, output = tmp / "in", tmp / "out"
    shutil.copytree(SEEDS, source)
    done = run_newsflow(
        ["run", "--source", str(source), "--output", str(output)],
        api_url=prefect_api.api_url,
        env={"PREFECT_HOME": str(prefect_api.home)},  # the run finds the server's report address there
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # the server is shared by the session: this run is the one that read this source folder
    [run] = [run for run in flow_runs(prefect_api.api_url, "ingest") if run["parameters"].get("source") == str(source)]
    assert run["state_type"] == "COMPLETED"
    return {**run, "output": output}


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Page]:
    """A page of a fresh headless Chromium (its own temporary profile)."""
    if not CHROMIUM.is_file():
        require(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tmp_path / "chromium-profile",
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1400, "height": 1100},
        )
        try:
            context.set_default_timeout(TIMEOUT_MS)
            expect.set_options(timeout=TIMEOUT_MS)  # the UI loads its data after the page: allow for a slow machine
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / name, full_page=True)


def test_ui_shows_the_run_and_its_summary_artifact(
    page: Page, prefect_api: PrefectServer, ingest_run: dict[str, Any]
) -> None:
    from playwright.sync_api import expect

    name, run_id = ingest_run["name"], ingest_run["id"]

    # the runs list: the run's row names the flow and shows its state
    page.goto(f"{prefect_api.ui_url}/runs")
    row = page.locator(".flow-run-list-item").filter(has=page.get_by_role("link", name=name, exact=True))
    expect(row.get_by_role("link", name="ingest", exact=True)).to_be_visible()  # the flow
    expect(row.locator(".state-badge")).to_have_text("Completed")
    screenshot(page, "prefect-ui-runs.png")

    # the flow run page
    row.get_by_role("link", name=name, exact=True).click()
    expect(page).to_have_url(f"{prefect_api.ui_url}/runs/flow-run/{run_id}")
    header = page.locator(".page-heading")
    expect(header).to_contain_text(name)
    expect(header.locator(".state-badge")).to_have_text("Completed")
    expect(header.get_by_role("link", name="ingest", exact=True)).to_be_visible()  # "Flow: ingest"

    # its Artifacts tab: the summary table, made by the report task
    page.get_by_role("tablist").get_by_text("Artifacts", exact=True).click()
    card = page.get_by_role("link").filter(has=page.locator(".artifact-card__title", has_text="ingest-summary"))
    expect(card.locator(".artifact-card__subheader")).to_have_text("table")  # shown upper-cased by CSS
    expect(page.get_by_role("link").filter(has_text="ingest-validation")).to_be_visible()
    page.wait_for_load_state("networkidle")
    screenshot(page, "prefect-ui-flow-run.png")

    # the artifact page: the summary's rows, as newsflow wrote them
    card.click()
    expect(page).to_have_url(re.compile(r"/artifacts/artifact/[0-9a-f-]{36}$"))
    table = page.get_by_role("table")
    for metric, value in [("files seen", "2"), ("curated", "2"), ("duplicates", "0"), ("validation", "passed")]:
        row = table.get_by_role("row").filter(has=page.get_by_text(metric, exact=True))
        expect(row.get_by_role("cell")).to_have_text([metric, value])
    expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()  # "Flow Run: <name>"
    page.wait_for_load_state("networkidle")
    screenshot(page, "prefect-ui-summary-artifact.png")


def offline(page: Page) -> list[str]:
    """Refuse every request that leaves this machine; returns the list of refused addresses."""
    refused: list[str] = []

    def route(request: Any) -> None:
        url = request.request.url
        if url.startswith(("http://127.0.0.1", "file://", "data:")):
            request.continue_()
        else:
            refused.append(url)
            request.abort()

    page.route("**/*", route)
    return refused


def test_data_docs_render_offline_from_the_validation_artifact(
    page: Page, prefect_api: PrefectServer, ingest_run: dict[str, Any]
) -> None:
    from playwright.sync_api import expect

    from newsflow.quality.docs_site import remote_assets

    site = next(Path(ingest_run["output"], "validation").glob("*-*-*-*-*"))
    pages = list(site.rglob("*.html"))
    assert len(pages) > 6 and not (site / "static").exists()
    assert {str(p): remote_assets(p) for p in pages if remote_assets(p)} == {}

    # the validation artifact links to the Data Docs over http, served beside the Prefect server
    [validation] = [a for a in artifacts(prefect_api.api_url, ingest_run["id"]) if a["key"] == "ingest-validation"]
    [url] = re.findall(r"\((http://127\.0\.0\.1:\d+/\w+/validation/[^)]+/index\.html)\)", validation["data"])
    refused = offline(page)
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    # styled and scripted by the vendored files: Bootstrap's navbar, jQuery, bootstrap-table's table
    assert page.evaluate("typeof window.jQuery") == "function"
    assert page.evaluate("typeof window.jQuery.fn.bootstrapTable") == "function"
    navbar = page.locator("nav.navbar").first
    expect(navbar).to_be_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('nav.navbar')).display") == "flex"
    expect(page.locator(".bootstrap-table").first).to_be_visible()
    # labelled: the results name their table and the run's window
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name="newsflow-articles", exact=True))
    expect(row.get_by_role("cell", name="articles", exact=True).first).to_be_visible()  # the data asset
    expect(row.get_by_role("cell", name=re.compile(r"^run [0-9a-f]{8} window 1$"))).to_be_visible()
    screenshot(page, "data-docs-offline.png")
    assert failed == [url for url in refused if url.startswith("https://greatexpectations.io")] == []


def test_newsflow_report_renders_runs_stories_and_quarantine_offline(
    page: Page, prefect_api: PrefectServer, ingest_run: dict[str, Any], tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    output = Path(ingest_run["output"])
    source = Path(ingest_run["parameters"]["source"])
    (source / "empty.txt").write_bytes(b"")
    (source / "binary.txt").write_bytes(b"\x00\x01\x02 not text")
    env = {"PREFECT_HOME": str(prefect_api.home)}
    again = run_newsflow(
        ["run", "--source", str(source), "--output", str(output)], api_url=prefect_api.api_url, env=env
    )
    assert again.returncode == 0, again.stderr
    written = run_newsflow(["report", "--output", str(output)], api_url=prefect_api.api_url, env=env)
    assert written.returncode == 0, written.stderr
    report = output / "reports" / "index.html"
    assert f"report: {report}" in written.stdout

    from newsflow.quality.docs_site import remote_assets

    assert remote_assets(report) == []
    refused = offline(page)
    page.goto(report.as_uri())
    expect(page.get_by_role("heading", name="newsflow report")).to_be_visible()
    for section in ("Runs over time", "Seconds per step", "Largest stories", "Quarantine", "Recent runs"):
        expect(page.get_by_role("heading", name=section, exact=True)).to_be_visible()
    assert page.locator("section svg").count() == 4  # outcomes, seconds, story spans, quarantine reasons
    stories = page.locator("section", has=page.get_by_role("heading", name="Largest stories")).get_by_role("row")
    expect(stories.filter(has_text="Mexico")).to_have_count(1)
    expect(stories.filter(has_text="Mexico").get_by_role("cell").nth(1)).to_have_text("2")
    quarantine = page.locator("section", has=page.get_by_role("heading", name="Quarantine")).get_by_role("row")
    for reason in ("binary", "empty"):
        expect(quarantine.filter(has_text=reason).get_by_role("cell").nth(1)).to_have_text("1")
    runs = page.locator("section", has=page.get_by_role("heading", name="Recent runs")).get_by_role("row")
    expect(runs).to_have_count(3)  # the header and the two runs
    screenshot(page, "newsflow-report.png")
    assert refused == []

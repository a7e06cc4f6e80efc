"""Data Docs that render offline, share one copy of their assets, and are pruned.

Great Expectations' pages load Bootstrap, jQuery, Font Awesome and Vega from CDNs and its
logo from S3, so with no network they render as unstyled text, and it copies ~4 MB of
static files into every run's site. After each build, every page of a run's site is
pointed at the files vendored in ``newsflow/quality/assets`` (see its README), copied once
to ``validation/_assets``, and the run's own copy of GE's static folder is removed.
"""

from __future__ import annotations

import re
import shutil
from functools import partial
from pathlib import Path

ASSETS = Path(__file__).with_name("assets")
SHARED = "_assets"
"""The folder under ``validation/`` holding the assets every run's pages use."""

CDN_FILES: dict[str, str] = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap/bootstrap.min.js",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper/popper.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": "bootstrap-table/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "bootstrap-table/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js": (
        "bootstrap-table/bootstrap-table-filter-control.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css": (
        "bootstrap-table/bootstrap-table-filter-control.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css": (
        "bootstrap-table/bootstrap-table-filter-control.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css": (
        "bootstrap-datepicker/bootstrap-datepicker.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js": (
        "bootstrap-datepicker/bootstrap-datepicker.min.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": "fontawesome/css/all.min.css",
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css": (
        "bootstrap-dark/bootstrap-prefers-dark.min.css"
    ),
    "https://cdn.jsdelivr.net/npm/vega@5": "vega/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega/vega-embed.min.js",
}
"""Every CDN file Great Expectations' page templates name, and its vendored copy."""

_CDN = re.compile("|".join(re.escape(url) for url in sorted(CDN_FILES, key=len, reverse=True)))
_S3_IMAGE = re.compile(
    r"https://great-expectations-web-assets\.s3\.[a-z0-9-]+\.amazonaws\.com/[\w.-]+\.png(\?[^\"')\s]*)?"
)
_GE_STATIC = re.compile(r"""(?<=["'(])(?:\./|(?:\.\./)+)?static/images/""")
GE_IMAGES = ("favicon.ico", "logo-long.png")
"""The only files of GE's static folder its pages use (its fonts, styles and animations are not linked)."""

REMOTE_ASSET = re.compile(
    r"""<script[^>]*\bsrc=["']https?:|<link[^>]*\bhref=["']https?:[^>]*stylesheet|<link[^>]*stylesheet[^>]*\bhref=["']https?:"""
    r"""|url\(\s*["']?https?:|<img[^>]*\bsrc=["']https?:""",
    re.IGNORECASE,
)
"""What a browser would fetch from the network: scripts, stylesheets, images (links to follow are fine)."""


def localize(site: Path) -> None:
    """Point every page of the Data Docs site ``site`` (``validation/<run_id>``) at the shared assets."""
    shared = site.parent / SHARED
    _install(shared, site / "static" / "images")
    for page in site.rglob("*.html"):
        depth = len(page.relative_to(site.parent).parts) - 1
        prefix = "../" * depth + SHARED + "/"
        text = page.read_text(encoding="utf-8")
        text = _CDN.sub(partial(_vendored, prefix), text)
        text = _S3_IMAGE.sub(prefix + "ge/logo-long.png", text)
        text = _GE_STATIC.sub(prefix + "ge/", text)
        page.write_text(text, encoding="utf-8")
    shutil.rmtree(site / "static", ignore_errors=True)


def _vendored(prefix: str, match: re.Match[str]) -> str:
    return prefix + CDN_FILES[match.group(0)]


def _install(shared: Path, ge_images: Path) -> None:
    """Copy the vendored assets (once) and GE's two images (when this build brought them) to ``shared``."""
    marker = shared / "vendor.done"
    files = sorted(p for p in ASSETS.rglob("*") if p.is_file())
    fingerprint = "\n".join(f"{p.relative_to(ASSETS)} {p.stat().st_size}" for p in files)
    if not marker.is_file() or marker.read_text(encoding="utf-8") != fingerprint:
        scratch = shared.with_name(f".{SHARED}.tmp")
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.copytree(ASSETS, scratch, ignore=shutil.ignore_patterns("README.md"))
        (scratch / "vendor.done").write_text(fingerprint, encoding="utf-8")
        shutil.rmtree(shared, ignore_errors=True)
        scratch.rename(shared)
    for name in GE_IMAGES:
        if (ge_images / name).is_file() and not (shared / "ge" / name).is_file():
            (shared / "ge").mkdir(exist_ok=True)
            shutil.copyfile(ge_images / name, shared / "ge" / name)


def remote_assets(page: Path) -> list[str]:
    """What ``page`` would fetch from the network (empty when it renders offline)."""
    return [match.group(0) for match in REMOTE_ASSET.finditer(page.read_text(encoding="utf-8"))]


def prune(validation: Path, *, keep: int) -> list[Path]:
    """Remove all but the ``keep`` most recent runs' Data Docs under ``validation``; returns what was removed.

    The shared assets and folders that are not a run's site (no ``index.html``) are never removed.
    """
    sites = [p for p in validation.iterdir() if p.is_dir() and p.name != SHARED and (p / "index.html").is_file()]
    sites.sort(key=lambda p: (p / "index.html").stat().st_mtime, reverse=True)
    for site in sites[keep:]:
        shutil.rmtree(site, ignore_errors=True)
    return sites[keep:]

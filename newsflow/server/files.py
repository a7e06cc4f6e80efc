"""The reports of every output folder a run has used, served over http beside the Prefect UI.

Browsers refuse ``file://`` links from an http page (the Prefect UI), so Data Docs and run
reports are served from ``http://HOST:PORT/<output key>/<path>``. Each run registers its output
folder under a short key (``register_output``); only the report folders of a registered output are
served, never its tables or anything else on disk.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

SERVED = ("validation", "reports")
"""Folders of an output that are served: Data Docs and run reports (``newsflow.load.storage.Layout``)."""


def output_key(output: Path) -> str:
    """A short, stable key for an output folder (its resolved path's digest)."""
    return hashlib.sha256(str(output.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:12]


def register_output(registry: Path, output: Path) -> str:
    """Record ``output`` under its key in ``registry`` (a JSON file); returns the key."""
    key = output_key(output)
    known = _read(registry)
    if known.get(key) != str(output.resolve()):
        known[key] = str(output.resolve())
        registry.parent.mkdir(parents=True, exist_ok=True)
        scratch = registry.with_suffix(".tmp")
        scratch.write_text(json.dumps(known, indent=1), encoding="utf-8")
        scratch.replace(registry)
    return key


def report_url(base_url: str, output: Path, relative: Path) -> str:
    """The http address of ``output / relative`` on the report server at ``base_url``."""
    return f"{base_url.rstrip('/')}/{output_key(output)}/{quote(relative.as_posix())}"


def _read(registry: Path) -> dict[str, str]:
    try:
        known = json.loads(registry.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in known.items()} if isinstance(known, dict) else {}


class ReportsHandler(SimpleHTTPRequestHandler):
    """Serves ``/<key>/<validation|reports>/...`` of registered outputs; everything else is 404."""

    def __init__(self, *args: Any, registry: Path, **kwargs: Any) -> None:
        self.registry = registry
        super().__init__(*args, directory="/nonexistent", **kwargs)

    def translate_path(self, path: str) -> str:
        parts = [p for p in posixpath.normpath(unquote(urlsplit(path).path)).split("/") if p not in ("", ".", "..")]
        root = _read(self.registry).get(parts[0]) if parts else None
        if root is None or len(parts) < 2 or parts[1] not in SERVED:
            return "/nonexistent/404"
        return str(Path(root, *parts[1:]))

    def log_message(self, format: str, *args: Any) -> None:
        pass  # a request log per page and asset would drown the server's own log


def reports_server(host: str, port: int, registry: Path) -> ThreadingHTTPServer:
    """An http server (not yet serving) for the reports of the outputs in ``registry``."""
    return ThreadingHTTPServer((host, port), partial(ReportsHandler, registry=registry))

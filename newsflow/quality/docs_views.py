"""Great Expectations' Data Docs views, with their compiled page templates kept between builds.

GE builds a new view, hence a new Jinja environment, for every page it renders, and
compiles each template again, most of a window's Data Docs time (benchmarks/README.md,
"Measured design"). Jinja's bytecode cache (keyed by template name and source checksum,
in the user's temporary folder) skips the compilation, in this run and the next ones.
Imported by GE from the site configuration (``newsflow.quality.Gate``), so the 7 s
import of GE stays lazy elsewhere.
"""

from __future__ import annotations

from typing import Any

from great_expectations.render.view.view import DefaultJinjaIndexPageView, DefaultJinjaPageView
from jinja2 import FileSystemBytecodeCache

_BYTECODE = FileSystemBytecodeCache()


class PageView(DefaultJinjaPageView):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.env.bytecode_cache = _BYTECODE


class IndexPageView(DefaultJinjaIndexPageView):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.env.bytecode_cache = _BYTECODE

"""Why an input file or article ended where it did: ``newsflow explain``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl

Scan = Callable[[str], pl.LazyFrame]
"""Reads a published table (or state table) by name."""


class NotFoundError(LookupError):
    """Neither a source path nor an article id in the published tables."""


class NoTablesError(NotFoundError):
    """The output folder holds no published tables."""


def _one(frame: pl.LazyFrame, **equal: object) -> dict[str, object] | None:
    rows = frame.filter(*(pl.col(k) == v for k, v in equal.items())).collect()
    return rows.sort("ingested_at", descending=True).row(0, named=True) if rows.height else None


def _article_line(article: dict[str, object]) -> str:
    return f"article {article['article_id']} {article['headline']!r} (from {article['source_path']})"


def _story(scan: Scan, article: dict[str, object]) -> list[str]:
    story_id = str(article["story_id"])
    members = scan("articles").filter(pl.col("story_id") == story_id).select("article_id", "headline").collect()
    lines = [f"  story {story_id}: {members.height} article(s)"]
    links = (
        scan("story_links")
        .filter((pl.col("article_id") == article["article_id"]) | (pl.col("other") == article["article_id"]))
        .collect()
    )
    headlines = dict(members.iter_rows())
    seen: set[object] = set()
    for link in links.iter_rows(named=True):
        other = link["other"] if link["article_id"] == article["article_id"] else link["article_id"]
        if other in seen:
            continue
        seen.add(other)
        lines.append(f"    linked to {other} {headlines.get(other, '')!r}: {link['rule']}")
    if members.height > 1 and links.height == 0:
        lines.append("    joined through other members of the story (see their links)")
    return lines


def _version_lines(scan: Scan, version: dict[str, object], number: int) -> list[str]:
    """What became of one version of a file (one row of the ``files`` ledger)."""
    path, sha = version["source_path"], version["source_sha256"]
    digest = f"sha256 {str(sha)[:16]}…" if sha else "not read"
    head = (
        f"  version {number}, ingested {version['ingested_at']:%Y-%m-%d %H:%M:%S} by run {version['run_id']} ({digest})"
    )
    same = {"source_path": str(path), "run_id": str(version["run_id"])}
    if version["status"] == "quarantined":
        rejected = _one(scan("quarantine"), **same)
        if rejected is None:
            return [f"{head}: quarantined"]
        kept = rejected["blob_path"] or "not kept (never read)"
        return [
            f"{head}: quarantined",
            f"    reason {rejected['reason']}: {rejected['detail']}",
            f"    raw bytes: {kept}",
        ]
    if version["status"] == "duplicate":
        copy = _one(scan("duplicates"), **same)
        if copy is None:
            return [f"{head}: duplicate"]
        kept_article = _one(scan("articles"), article_id=str(copy["duplicate_of"]))
        of = _article_line(kept_article) if kept_article else str(copy["duplicate_of"])
        return [
            f"{head}: {copy['kind']} duplicate of {of}",
            f"    similarity {copy['similarity']:.3f}; rule that fired: {copy['rule']}",
        ]
    if version["status"] == "superseded":
        earlier = _one(scan("article_versions"), source_path=str(path), valid_from=version["ingested_at"])
        if earlier is None:  # it was never the current article: a copy, or a version quarantined since
            return [f"{head}: superseded by a later version of the file"]
        return [
            f"{head}: superseded by a later version of the file",
            f"    its article {earlier['article_id']} ({earlier['change']} {earlier['valid_to']:%Y-%m-%d %H:%M:%S}) "
            "is kept in article_versions",
        ]
    if version["status"] == "retracted":
        held = _one(scan("held_articles"), **same)
        retraction = _one(scan("retractions"), article_id=str(held["article_id"])) if held else None
        if retraction is None:
            return [f"{head}: retracted"]
        return [
            f"{head}: retracted article {retraction['article_id']}",
            f"    {retraction['action']} {retraction['ingested_at']:%Y-%m-%d %H:%M:%S}: {retraction['reason']}",
        ]
    article = _one(scan("articles"), **same)
    return [f"{head}: curated as article {article['article_id'] if article else '?'}"]


def _source_path(scan: Scan, key: str) -> str | None:
    """The ledger's ``source_path`` (relative to the source folder) that ``key`` names: the same text, or a path
    given from elsewhere (``seeds/a.txt``, an absolute path) that ends with exactly one ledger path."""
    paths = scan("files").select(pl.col("source_path").unique()).collect()
    if key in set(paths.get_column("source_path").to_list()):
        return key
    given = Path(key)
    text = (given.resolve() if given.exists() else given).as_posix()
    ends = paths.filter(pl.lit(text).str.ends_with(pl.lit("/") + pl.col("source_path"))).get_column("source_path")
    if ends.len() > 1:
        raise NotFoundError(f"{key!r} could be any of {', '.join(sorted(ends.to_list()))}: give the one you mean")
    return str(ends[0]) if ends.len() else None


def explain(scan: Scan, key: str) -> str:
    """A readable account of what happened to ``key``: an article id, or a source path (relative to the
    source folder, or a path to the file from here), with every version of the file ingested."""
    if scan("files").head(1).collect().height == 0:
        raise NoTablesError("no published tables here: run `newsflow run` first, or give --output DIR")
    article = _one(scan("articles"), article_id=key)
    lines: list[str] = []
    if article is None:
        path = _source_path(scan, key)
        if path is None:
            raise NotFoundError(f"{key!r} is neither an ingested source path nor a curated article id")
        versions = scan("files").filter(pl.col("source_path") == path).sort("ingested_at").collect()
        lines.append(f"{path}: {versions.height} version(s) ingested")
        for number, version in enumerate(versions.iter_rows(named=True), start=1):
            lines += _version_lines(scan, version, number)
        article = _one(scan("articles"), source_path=path)
        if article is None:
            return "\n".join(lines)
    lines.append(f"curated: {_article_line(article)}")
    lines += _story(scan, article)
    copies = scan("duplicates").filter(pl.col("duplicate_of") == article["article_id"]).collect()
    for copy in copies.iter_rows(named=True):
        lines.append(
            f"  kept over {copy['source_path']} ({copy['kind']}, similarity {copy['similarity']:.3f}, {copy['rule']})"
        )
    return "\n".join(lines)

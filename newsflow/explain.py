"""Why an input file or article ended where it did: ``newsflow explain``."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

Scan = Callable[[str], pl.LazyFrame]
"""Reads a published table (or state table) by name."""


class NotFoundError(LookupError):
    """Neither a source path nor an article id in the published tables."""


def _one(frame: pl.LazyFrame, **equal: str) -> dict[str, object] | None:
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


def explain(scan: Scan, key: str) -> str:
    """A readable account of what happened to ``key`` (a source path or an article id)."""
    lines: list[str] = []
    article = _one(scan("articles"), article_id=key)
    if article is None:
        ledger = _one(scan("files"), source_path=key)
        if ledger is None:
            raise NotFoundError(f"{key!r} is neither an ingested source path nor a curated article id")
        lines.append(f"{key}: {ledger['status']} (run {ledger['run_id']}, sha256 {ledger['source_sha256']})")
        if ledger["status"] == "quarantined":
            rejected = _one(scan("quarantine"), source_path=key)
            assert rejected is not None
            lines.append(f"  reason: {rejected['reason']}: {rejected['detail']}")
            lines.append(f"  raw bytes: {rejected['blob_path'] or 'not kept (never read)'}")
            return "\n".join(lines)
        if ledger["status"] == "duplicate":
            copy = _one(scan("duplicates"), source_path=key)
            assert copy is not None
            kept = _one(scan("articles"), article_id=str(copy["duplicate_of"]))
            lines.append(f"  {copy['kind']} duplicate of {_article_line(kept) if kept else copy['duplicate_of']}")
            lines.append(f"  similarity {copy['similarity']:.3f}; rule: {copy['rule']}")
            return "\n".join(lines)
        article = _one(scan("articles"), source_path=key)
        assert article is not None
    lines.append(f"curated: {_article_line(article)}")
    lines += _story(scan, article)
    copies = scan("duplicates").filter(pl.col("duplicate_of") == article["article_id"]).collect()
    for copy in copies.iter_rows(named=True):
        lines.append(f"  kept over {copy['source_path']} ({copy['kind']}, similarity {copy['similarity']:.3f})")
    return "\n".join(lines)

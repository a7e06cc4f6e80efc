"""Greedy grouping in arrival order, shared by near duplicates and stories: each article either anchors a group
or joins the anchor before it that it is closest to.

Connected components would chain: A close to B and B close to C puts A with C, however
far apart they are. Here every member is close to its group's anchor, the group's
first article. Because each decision looks only at earlier articles, the outcome is the
same whether the articles arrive in one batch or many, as long as they arrive in the
same order.
"""

from __future__ import annotations

import polars as pl

from newsflow.frames import is_in


def anchor_in_arrival_order(nodes: pl.DataFrame, edges: pl.DataFrame, *, weight: str) -> pl.DataFrame:
    """``key``, ``anchor`` and the edge's other columns, for each node that joins an earlier anchor.

    ``nodes``: ``key``, ``order`` (arrival, unique), ``anchor`` (True: an anchor
    already, like a published article; False: may join one; every node with no earlier
    neighbour anchors). ``edges``: ``key``, ``other`` and ``weight`` (with any other
    columns), in both directions or only from the later end. A node joins its
    ``weight``-heaviest earlier anchor neighbour (ties: the earliest); the anchors are
    found in rounds, each of which decides the first undecided node at least.
    """
    earlier = (
        edges.join(nodes.select("key", "order"), on="key")
        .join(nodes.select(other="key", order_other="order"), on="other")
        .filter(pl.col("order_other") < pl.col("order"))
    )
    alone = pl.col("anchor") | ~is_in("key", earlier.get_column("key"))
    status = nodes.select("key", anchor=pl.when(alone).then(pl.lit(True)))
    while status.get_column("anchor").null_count():
        seen = earlier.join(status.rename({"key": "other"}), on="other")
        decided = seen.group_by("key").agg(
            joins=pl.col("anchor").fill_null(False).any(), open=pl.col("anchor").is_null().any()
        )
        now = pl.when(pl.col("joins")).then(pl.lit(False)).when(~pl.col("open")).then(pl.lit(True))
        status = status.join(decided.select("key", now=now), on="key", how="left").select(
            "key", anchor=pl.coalesce("anchor", "now")
        )
    return (
        earlier.join(status.filter(~pl.col("anchor")).select("key"), on="key")
        .join(status.filter("anchor").select(other="key"), on="other")
        .sort(["key", weight, "order_other"], descending=[False, True, False])
        .group_by("key", maintain_order=True)
        .first()
        .drop("order", "order_other")
        .rename({"other": "anchor"})
    )

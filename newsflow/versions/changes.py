"""What a rebuild changed: files that became or stopped being duplicates, stories split or merged."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import polars as pl


@dataclass(frozen=True, slots=True)
class Changes:
    """Counts of what changed between two versions of the current tables (``newsflow reprocess`` prints them)."""

    became_duplicates: int
    stopped_being_duplicates: int
    curated_before: int
    curated_after: int
    stories_before: int
    stories_after: int
    stories_split: int
    stories_merged: int
    retracted: int
    restored: int
    corrected: int

    @property
    def anything(self) -> bool:
        moved = (self.became_duplicates, self.stopped_being_duplicates, self.stories_split, self.stories_merged)
        return any(moved) or self.curated_before != self.curated_after or self.stories_before != self.stories_after

    def as_json(self) -> dict[str, int]:
        return asdict(self)


def _splits(before: pl.DataFrame, after: pl.DataFrame) -> int:
    """Stories of ``before`` (``article_id``, ``story_id``) whose articles still current are in more than one
    story of ``after``."""
    joined = before.join(after, on="article_id", suffix="_after")
    return (
        joined.group_by("story_id").agg(pl.col("story_id_after").n_unique()).filter(pl.col("story_id_after") > 1).height
    )


def changes(
    *,
    duplicates_before: pl.DataFrame,
    duplicates_after: pl.DataFrame,
    members_before: pl.DataFrame,
    members_after: pl.DataFrame,
    retracted: int = 0,
    restored: int = 0,
    corrected: int = 0,
) -> Changes:
    """``duplicates_*``: ``source_path`` of the files recorded as duplicates; ``members_*``: ``article_id``,
    ``story_id`` of the current articles, before and after."""
    was = set(duplicates_before.get_column("source_path").to_list())
    now = set(duplicates_after.get_column("source_path").to_list())
    return Changes(
        became_duplicates=len(now - was),
        stopped_being_duplicates=len(was - now),
        curated_before=members_before.height,
        curated_after=members_after.height,
        stories_before=members_before.get_column("story_id").n_unique(),
        stories_after=members_after.get_column("story_id").n_unique(),
        stories_split=_splits(members_before, members_after),
        stories_merged=_splits(members_after, members_before),
        retracted=retracted,
        restored=restored,
        corrected=corrected,
    )

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from newsflow.anchors import anchor_in_arrival_order


def nodes(keys: str, *, anchors: str = "") -> pl.DataFrame:
    return pl.DataFrame({"key": list(keys), "anchor": [k in anchors for k in keys]}).with_row_index("order")


def edges(*pairs: tuple[str, str, float]) -> pl.DataFrame:
    forward = pl.DataFrame(pairs, schema={"key": pl.String, "other": pl.String, "w": pl.Float64}, orient="row")
    return pl.concat([forward, forward.select(key="other", other="key", w="w")])


def joined(frame: pl.DataFrame) -> dict[str, str]:
    return dict(frame.select("key", "anchor").iter_rows())


def test_a_chain_is_not_one_group() -> None:
    # a-b and b-c are close, a-c are not: b joins a, and c, whose only earlier neighbour joined a, anchors.
    assert joined(anchor_in_arrival_order(nodes("abc"), edges(("a", "b", 0.9), ("b", "c", 0.9)), weight="w")) == {
        "b": "a"
    }


def test_a_node_joins_its_closest_earlier_anchor() -> None:
    out = anchor_in_arrival_order(nodes("abc"), edges(("a", "c", 0.5), ("b", "c", 0.8)), weight="w")
    assert joined(out) == {"c": "b"}
    assert out.get_column("w").to_list() == [0.8]


def test_given_anchors_never_join() -> None:
    out = anchor_in_arrival_order(nodes("ab", anchors="ab"), edges(("a", "b", 0.9)), weight="w")
    assert out.is_empty()


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7), st.floats(0.1, 1.0)), max_size=20), st.integers(1, 8))
def test_batches_in_arrival_order_give_the_same_groups(raw: list[tuple[int, int, float]], cut: int) -> None:
    """The first ``cut`` nodes decided alone and then fixed as they came out, the rest after them: the
    same anchors as all at once."""
    keys = "abcdefgh"
    pairs = [(keys[i], keys[j], w) for i, j, w in raw if i != j]
    both = edges(*pairs).unique(["key", "other"], keep="first", maintain_order=True) if pairs else edges()
    whole = joined(anchor_in_arrival_order(nodes(keys), both, weight="w"))
    first = joined(anchor_in_arrival_order(nodes(keys[:cut]), both, weight="w"))
    early_anchors = "".join(k for k in keys[:cut] if k not in first)
    rest = anchor_in_arrival_order(nodes(early_anchors + keys[cut:], anchors=early_anchors), both, weight="w")
    assert {**first, **joined(rest)} == whole

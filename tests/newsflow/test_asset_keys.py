"""Asset keys Prefect accepts, for any local path."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from prefect.types.names import validate_valid_asset_key

from newsflow.asset_keys import KEY_ESCAPE, asset_key
from newsflow.load.storage import Layout


def _decode(key: str) -> str:
    escaped = re.compile(f"(?:{KEY_ESCAPE}[0-9A-F]{{2}})+")
    path = key.removeprefix("file://")
    return escaped.sub(lambda m: bytes.fromhex(m.group(0).replace(KEY_ESCAPE, "")).decode("utf-8"), path)


names = st.text(st.characters(exclude_characters="/\0", exclude_categories=("Cs",)), min_size=1, max_size=12)


@given(st.lists(names, min_size=1, max_size=4))
def test_every_path_gives_a_key_prefect_accepts_and_that_names_it(parts: list[str]) -> None:
    parts = [p for p in parts if p not in (".", "..")] or ["x"]
    path = Path("/", *parts)
    key = asset_key(path, resolve=False)
    assert validate_valid_asset_key(key) == key
    assert _decode(key) == str(path)


def test_keys_of_odd_folders_are_readable(tmp_path: Path) -> None:
    odd = tmp_path / "a b%41#c:d ü~"
    odd.mkdir()
    assert asset_key(odd).endswith("/a~20b~2541~23c:d~20ü~7E")
    link = tmp_path / "link"
    link.symlink_to(odd)
    assert asset_key(link) == asset_key(odd)  # resolved
    assert asset_key(tmp_path / "x" / ".." / "a b%41#c:d ü~") == asset_key(odd)


def test_a_table_key_names_the_curated_link_not_the_snapshot(tmp_path: Path) -> None:
    layout = Layout(tmp_path / "out #1")
    (tmp_path / "out #1" / ".snapshots" / "s1" / "articles").mkdir(parents=True)
    layout.curated.symlink_to(Path(".snapshots") / "s1")
    assert layout.asset_key("articles").endswith("/out~20~231/curated/articles")

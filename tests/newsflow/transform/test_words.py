from __future__ import annotations

import polars as pl

from newsflow.transform.words import segmented


def test_chinese_and_japanese_are_cut_into_words_and_other_text_is_untouched() -> None:
    frame = pl.DataFrame(
        {
            "text": [
                "墨西哥总统辛鲍姆坚决拒绝美国军事干预的可能性",
                "メキシコの大統領は米国の軍事介入を拒否した",
                "the council voted  to close the bridge",
                None,
            ]
        }
    )
    out = segmented(frame, "text").get_column("text").to_list()
    assert out[0].split() == ["墨西哥", "总统", "辛鲍姆", "坚决", "拒绝", "美国", "军事", "干预", "的", "可能性"]
    assert "大統領" in out[1].split() and "米国" in out[1].split()
    assert out[2:] == ["the council voted  to close the bridge", None]

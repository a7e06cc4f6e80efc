from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import wordllama
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from newsflow.config import ConfigError, Settings
from newsflow.extract.source import read_memory
from newsflow.pipeline import assemble_run, process_shard
from newsflow.records import History
from newsflow.stories import semantic
from tests.conftest import SEEDS

QUAKE = (
    "Earthquake kills dozens in northern Japan",
    "A powerful earthquake struck northern Japan on Tuesday, killing at least 40 people and destroying hundreds "
    "of homes, officials said. Rescue teams are searching collapsed buildings in the coastal towns.",
)
QUAKE_REWRITTEN = (
    "Dozens dead after strong quake hits Japan's north",
    "At least 40 people died when a strong earthquake shook the north of Japan on Tuesday. Hundreds of houses "
    "were flattened and rescuers are digging through rubble in towns along the coast, the authorities said.",
)
RUGBY = (
    "Ireland name uncapped wing for Six Nations",
    "Ireland coach Eddie O'Sullivan has called up an uncapped wing to his squad for the Six Nations opener "
    "against Italy in Rome on Saturday.",
)
RUGBY_OTHER_MATCH = (
    "Wales beat Italy in Rome",
    "Wales scored four tries to beat Italy 38-8 in the Six Nations at the Stadio Flaminio, keeping their hopes "
    "of a Grand Slam alive.",
)


def articles(**texts: tuple[str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "article_id": list(texts),
            "headline": [headline for headline, _ in texts.values()],
            "body": [body for _, body in texts.values()],
            "language": ["en"] * len(texts),
        }
    )


def pairs(*linked: tuple[str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "article_id": [a for a, _ in linked],
            "other": [b for _, b in linked],
            "cosine": [0.3] * len(linked),
            "rule": ["tf-idf"] * len(linked),
        }
    )


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No network: any connection attempt fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    semantic.model.cache_clear()
    yield
    semantic.model.cache_clear()


def test_the_model_loads_from_its_wheel_without_the_network(offline: None) -> None:
    loaded = semantic.model()
    assert loaded.embeddings.shape == (loaded.tokenizer.get_vocab_size(), 256)


def test_embeddings_are_wordllamas_own_mean_of_token_embeddings() -> None:
    texts = ["\n".join(QUAKE), "\n".join(RUGBY), "one", "A much longer text, " * 50]
    reference = wordllama.WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    expected = reference.embed(texts, norm=True)
    np.testing.assert_allclose(semantic.embed(texts), expected, atol=1e-5)


# Spaces in runs, at either end and alone; the tokenizer's own word mark; newlines; scripts and bytes it has no
# token for (byte fallback).
_WORDS = st.sampled_from(
    [
        " ",
        "  ",
        "\u2581",
        "\u2581\u2581",
        "\n",
        "\t",
        "the",
        "The",
        "quake",
        "Zürich",
        "中国",
        "東京",
        "🙂",
        "\x00",
        "-",
        "'s",
        "1,234",
        "<S>",
        "s>",
    ]
)
_TEXTS = st.lists(st.lists(_WORDS, max_size=12).map("".join), max_size=6)


def whole(texts: list[str]) -> list[list[int]]:
    return [semantic.model().tokenizer.encode(text, add_special_tokens=False).ids for text in texts]


@settings(max_examples=300, deadline=None)
@given(texts=_TEXTS)
def test_texts_are_tokenized_word_by_word_as_the_tokenizer_does_them_whole(texts: list[str]) -> None:
    tokens, lengths = semantic._token_ids(semantic.model(), texts)
    assert lengths.tolist() == [len(ids) for ids in whole(texts)]
    assert tokens.tolist() == [token for ids in whole(texts) for token in ids]


def test_a_batch_holding_an_added_token_is_tokenized_whole() -> None:
    # The tokenizer cuts a text at an added token before it normalizes the rest.
    texts = ["a <s> b", "the  quake</s>", "plain"]
    tokens, lengths = semantic._token_ids(semantic.model(), texts)
    assert tokens.tolist() == [token for ids in whole(texts) for token in ids]
    assert lengths.tolist() == [len(ids) for ids in whole(texts)]


def test_the_shipped_tokenizer_is_tokenized_word_by_word() -> None:
    # Without it every text goes through the tokenizer whole: the same embeddings, more slowly.
    assert semantic.model().pieces is not None


def test_a_rewrite_of_an_event_agrees_and_another_report_of_its_beat_does_not() -> None:
    default = Settings().story_semantic_cosine
    frame = articles(quake=QUAKE, rewrite=QUAKE_REWRITTEN, rugby=RUGBY, other_match=RUGBY_OTHER_MATCH)
    cosines = semantic.cosines(pairs(("rewrite", "quake"), ("other_match", "rugby"), ("rugby", "quake")), frame)
    rewrite, same_beat, unrelated = cosines.to_list()
    assert rewrite >= default > same_beat > unrelated


def test_pairs_below_the_cosine_are_dropped_and_the_rest_say_their_cosine() -> None:
    frame = articles(quake=QUAKE, rewrite=QUAKE_REWRITTEN, rugby=RUGBY, other_match=RUGBY_OTHER_MATCH)
    found = pairs(("rewrite", "quake"), ("other_match", "rugby"))
    kept = semantic.agreeing(found, frame, min_cosine=0.6)
    assert kept.get_column("article_id").to_list() == ["rewrite"]
    assert kept.columns == found.columns
    assert kept.item(0, "rule").startswith("tf-idf; embedding cosine 0.")
    assert kept.item(0, "rule").endswith(">= 0.6")


def test_pairs_the_model_cannot_judge_are_kept_as_they_are() -> None:
    frame = articles(rugby=RUGBY, other_match=RUGBY_OTHER_MATCH, quake=QUAKE).with_columns(
        language=pl.Series(["en", "de", "en"])
    )
    # Not English, or not among the articles given: left to the other rules.
    found = pairs(("other_match", "rugby"), ("quake", "missing"))
    assert_frame_equal(semantic.agreeing(found, frame, min_cosine=0.6), found)
    assert semantic.cosines(found, frame.filter(pl.col("language") == "de")).null_count() == 2


def test_a_cosine_of_zero_checks_nothing() -> None:
    frame = articles(rugby=RUGBY, other_match=RUGBY_OTHER_MATCH)
    found = pairs(("other_match", "rugby"))
    assert_frame_equal(semantic.agreeing(found, frame, min_cosine=0.0), found)


@pytest.mark.parametrize(("min_cosine", "stories"), [(0.0, 1), (0.6, 1), (0.99, 2)])
def test_the_story_step_keeps_the_seeds_link_only_where_their_embeddings_agree_enough(
    min_cosine: float, stories: int
) -> None:
    # The two seeds tell one event in other words: an embedding cosine of about 0.93.
    config = Settings(story_semantic_cosine=min_cosine)
    shard = process_shard(read_memory({p.name: p.read_bytes() for p in sorted(SEEDS.glob("*.txt"))}), config)
    run = assemble_run([shard], History.empty(), run_id="r", ingested_at=datetime.now(UTC), settings=config)
    assert run.tables["articles"].height == 2
    assert run.tables["articles"].get_column("story_id").n_unique() == stories
    rules = run.state["story_links"].get_column("rule").to_list()
    assert len(rules) == 2 - stories
    assert all(("embedding cosine 0.9" in rule) == (min_cosine > 0) for rule in rules)


@pytest.mark.parametrize("value", [-0.1, 1.5])
def test_the_cosine_setting_is_checked(value: float) -> None:
    with pytest.raises(ConfigError, match="story_semantic_cosine"):
        Settings(story_semantic_cosine=value)

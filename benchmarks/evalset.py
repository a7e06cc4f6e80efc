"""A labelled evaluation set for duplicate detection and story clustering, derived from the BBC corpus.

    uv run python benchmarks/evalset.py OUT_DIR [--corpus ../shared/corpora/bbc] [--originals 400] [--seed 7]

Writes article files under OUT_DIR/articles/ and OUT_DIR/labels.csv with one row per
file: ``path``, ``case``, ``group`` (files that are the same article share a group),
``story`` (files that report the same event share a story). Cases:

* ``original``: a distinct BBC article (the unrelated ones share categories with the rest);
* ``exact_copy``: the same bytes under another name;
* ``typos``, ``footer``, ``last_paragraph_dropped``, ``sentence_removed``: near copies;
* ``seed_layout``: the article reformatted in the house layout (summary, bold headline, repeat, standfirst);
* ``crlf_bom``, ``latin1``: re-encoded copies;
* ``repeated_run``: a run of paragraphs printed twice;
* ``rewrite``: the same event in other words (a different outlet): the quotations verbatim, half of
  the other sentences with their words reordered, a new headline. A story member, not a duplicate;
* ``seed_story``: the two files of ``seeds/``: one event told by two outlets.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import random
import re
from collections.abc import Callable
from pathlib import Path

FOOTER = "This story was produced by the newsroom. Follow our live coverage for updates throughout the day."
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"])")


def _shingles(paragraphs: list[str]) -> set[str]:
    words = " ".join(paragraphs).lower().split()
    return {" ".join(words[i : i + 5]) for i in range(max(1, len(words) - 4))}


def load_originals(corpus: Path, count: int, rng: random.Random) -> list[tuple[str, str, list[str]]]:
    """``count`` distinct BBC articles as (category, headline, paragraphs).

    Byte copies and the corpus' own near copies (5-gram Jaccard >= 0.5 with an
    article already taken) are left out, so the labels are the only duplicates.
    """
    candidates = []
    for path in sorted(corpus.rglob("*.txt")):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        lines = [line.strip() for line in text.splitlines()]
        paragraphs = [line for line in lines[1:] if line]
        if len(paragraphs) >= 4:
            candidates.append((path.parent.name, lines[0], paragraphs))
    rng.shuffle(candidates)
    taken: list[tuple[str, str, list[str]]] = []
    taken_shingles: list[set[str]] = []
    for article in candidates:
        shingles = _shingles(article[2])
        if all(len(shingles & other) < 0.5 * len(shingles | other) for other in taken_shingles):
            taken.append(article)
            taken_shingles.append(shingles)
        if len(taken) == count:
            break
    return taken


def blank_line_layout(headline: str, paragraphs: list[str]) -> str:
    return "\n\n".join([headline, *paragraphs]) + "\n"


def _typos(rng: random.Random, headline: str, paragraphs: list[str]) -> str:
    out = list(paragraphs)
    for _ in range(2):
        i = rng.randrange(len(out))
        words = out[i].split()
        j = rng.randrange(len(words))
        if len(words[j]) > 3:
            k = rng.randrange(1, len(words[j]) - 1)
            words[j] = words[j][:k] + words[j][k + 1] + words[j][k] + words[j][k + 2 :]
        out[i] = " ".join(words)
    return blank_line_layout(headline, out)


def _sentence_removed(rng: random.Random, headline: str, paragraphs: list[str]) -> str:
    out = list(paragraphs)
    candidates = [i for i, p in enumerate(out) if len(_SENTENCE.split(p)) > 1]
    if candidates:
        i = rng.choice(candidates)
        sentences = _SENTENCE.split(out[i])
        del sentences[rng.randrange(len(sentences))]
        out[i] = " ".join(sentences)
    else:
        del out[rng.randrange(1, len(out))]
    return blank_line_layout(headline, out)


def _seed_layout(rng: random.Random, headline: str, paragraphs: list[str]) -> str:
    summary = f"In brief: {headline.lower()}, and what it means."
    standfirst = _SENTENCE.split(paragraphs[0])[0]
    return "\n".join([summary, f"**{headline}**", "", f"**{headline}**", standfirst, *paragraphs])


def _repeated_run(rng: random.Random, headline: str, paragraphs: list[str]) -> str:
    start = rng.randrange(len(paragraphs) - 1)
    run = paragraphs[start : start + 2]
    return blank_line_layout(headline, paragraphs + run)


def _in_other_words(sentence: str) -> str:
    """The same words in another order: a stand-in for paraphrase that keeps the vocabulary
    (what TF-IDF sees) and breaks the word sequences (what shingles see)."""
    words = sentence.split()
    for i in range(0, len(words) - 1, 2):
        words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


def _rewrite(rng: random.Random, headline: str, paragraphs: list[str]) -> str:
    sentences = [s for p in paragraphs for s in _SENTENCE.split(p)]
    quoted = [s for s in sentences if '"' in s]
    plain = [_in_other_words(s) for s in sentences if '"' not in s]
    kept = quoted + rng.sample(plain, k=max(1, len(plain) // 2))
    rng.shuffle(kept)
    chunks = [" ".join(kept[i : i + 2]) for i in range(0, len(kept), 2)]
    return blank_line_layout(f"Report: {headline} - what we know", chunks)


NEAR_COPIES: dict[str, Callable[[random.Random, str, list[str]], str]] = {
    "typos": _typos,
    "footer": lambda rng, h, ps: blank_line_layout(h, [*ps, FOOTER]),
    "last_paragraph_dropped": lambda rng, h, ps: blank_line_layout(h, ps[:-1]),
    "sentence_removed": _sentence_removed,
    "seed_layout": _seed_layout,
    "repeated_run": _repeated_run,
}


def generate(corpus: Path, out: Path, *, originals: int = 400, seed: int = 7) -> list[dict[str, str]]:
    rng = random.Random(seed)
    folder = out / "articles"
    folder.mkdir(parents=True, exist_ok=True)
    labels: list[dict[str, str]] = []

    def write(name: str, data: bytes, case: str, group: str, story: str) -> None:
        (folder / name).write_bytes(data)
        labels.append({"path": name, "case": case, "group": group, "story": story})

    for n, (category, headline, paragraphs) in enumerate(load_originals(corpus, originals, rng)):
        group = f"g{n:04d}"
        text = blank_line_layout(headline, paragraphs)
        write(f"{category}-{n:04d}-original.txt", text.encode(), "original", group, group)
        variant = n % 5  # every original gets some copies; the rest stay unrelated originals
        if variant == 0:
            write(f"{category}-{n:04d}-exact_copy.txt", text.encode(), "exact_copy", group, group)
            write(
                f"{category}-{n:04d}-crlf_bom.txt",
                b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode(),
                "crlf_bom",
                group,
                group,
            )
        elif variant in (1, 2):
            for case in rng.sample(sorted(NEAR_COPIES), variant):
                write(
                    f"{category}-{n:04d}-{case}.txt",
                    NEAR_COPIES[case](rng, headline, paragraphs).encode(),
                    case,
                    group,
                    group,
                )
        if variant == 2:
            with contextlib.suppress(UnicodeEncodeError):
                write(f"{category}-{n:04d}-latin1.txt", text.encode("latin-1"), "latin1", group, group)
        if variant == 3 and any('"' in p for p in paragraphs):
            write(
                f"{category}-{n:04d}-rewrite.txt",
                _rewrite(rng, headline, paragraphs).encode(),
                "rewrite",
                f"r{n:04d}",
                group,
            )
    for seed in sorted((Path(__file__).resolve().parents[1] / "seeds").glob("*.txt")):
        write(f"seed-{seed.name}", seed.read_bytes(), "seed_story", f"seed-{seed.name}", "seeds")
    with (out / "labels.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["path", "case", "group", "story"])
        writer.writeheader()
        writer.writerows(labels)
    return labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared/corpora/bbc")
    parser.add_argument("--originals", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    labels = generate(args.corpus, args.out, originals=args.originals, seed=args.seed)
    cases: dict[str, int] = {}
    for label in labels:
        cases[label["case"]] = cases.get(label["case"], 0) + 1
    print(f"{len(labels)} files in {args.out}: {cases}")


if __name__ == "__main__":
    main()

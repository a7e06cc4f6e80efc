"""A synthetic landing folder of raw article files for throughput benchmarks.

    uv run python benchmarks/corpus.py OUT_DIR [--articles 100000] [--seed 1] [--workers 2]
        [--exact-copies 0.03] [--near-copies 0.03] [--repeated-runs 0.10] [--blank-line 0.3]
        [--corpus ../shared/corpora/bbc]

Writes ``OUT_DIR/<folder>/<index>.txt`` (1,000 files per folder, e.g. ``0000/000123.txt``)
and ``OUT_DIR/manifest.json`` (the counts per kind; not ``*.txt``, so newsflow does not
ingest it). OUT_DIR must be empty or absent.

The text comes from a word-level Markov chain of order 2 trained on the BBC corpus
(headlines of at least four words from an order-1 chain over BBC headlines, never a BBC
headline verbatim: about 83,000 distinct in 100,000). Each original article takes the
shape of a random BBC article (its paragraph count and the word count of every
paragraph), so lengths follow the BBC distribution (≈ 2.3 KB in the blank-line layout,
≈ 2.5 KB in the house layout, which adds a summary line and a repeated headline).

Layouts newsflow reads:

* house layout (the default share): summary line, headline (``**bold**`` for half of
  them), blank line, the headline again, standfirst, then one paragraph per line;
* blank-line layout (``--blank-line`` share): headline, blank line, paragraphs separated
  by blank lines (like the BBC files).

Kinds of file:

* ``original``: a new article;
* ``repeated_run``: an original in which a run of 1-3 consecutive paragraphs is printed
  twice (right after itself, or at the end); its own share of all files;
* ``exact_copy``: the same bytes as an earlier original, under another name;
* ``near_copy``: an earlier original with one body paragraph cut, one sentence rewritten,
  or two or three typos (letters swapped); never in the first paragraph (the standfirst).

Copies pick their source uniformly among all earlier files (the source's source, for a
copy of a copy), so they are spread over the whole corpus. Every file is a function of
the seed and its index alone: the output is the same for any ``--workers``.

Limits: the vocabulary is the BBC's (~65,000 words) and nearly every word 5-gram and
quotation is a BBC one, so unrelated articles share terms, shingles and quoted 6-grams far
more than real news does, and more so the larger the corpus (in 20,000 articles, 62 % of
the 5-word shingles occur in another article; 20 % among the 2,225 BBC articles). Steps
that pair articles through shared terms or quotations meet their worst case here.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import random
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

FILES_PER_FOLDER = 1_000
BOS, EOS = 0, 1
_SENTENCE_END = (".", "?", "!", '."', '?"', '!"', ".'", "?'", "!'")
KINDS = ("original", "repeated_run", "exact_copy", "near_copy")
NEAR_VARIANTS = ("paragraph_cut", "sentence_rewritten", "typos")


@dataclass(frozen=True)
class Model:
    """Markov chains trained on the BBC corpus, and the shapes of its articles.

    The body chain walks over states (the last two words): ``nexts[s]`` lists the states
    that may follow ``s`` (with repetitions, so a uniform pick follows the corpus
    frequencies), ``text[s]`` is the state's last word and ``flag[s]`` says whether it
    ends a sentence (1) or the paragraph (2). State 0 starts a paragraph.
    """

    nexts: tuple[tuple[int, ...], ...]
    text: tuple[str, ...]
    flag: bytes
    words: tuple[str, ...]
    headline: dict[int, tuple[int, ...]]  # word id -> next word ids (EOS ends a headline)
    headline_lengths: tuple[int, ...]
    bbc_headlines: frozenset[str]
    shapes: tuple[tuple[int, ...], ...]  # words per paragraph of each BBC article


@dataclass(frozen=True)
class Options:
    seed: int
    exact: float
    near: float
    repeated: float
    blank_line: float
    name_width: int


def list_articles(root: Path) -> list[str]:
    """Sorted ``**/*.txt`` paths below ``root``, relative to it, as newsflow discovers them:
    names starting with ``.`` skipped, symlinked folders not entered. Shared by
    throughput.py and datatrove_job.py (stdlib only, so the datatrove venv can import it)."""
    found: list[str] = []

    def walk(folder: str, prefix: str) -> None:
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, f"{prefix}{entry.name}/")
                elif entry.name.endswith(".txt"):
                    found.append(prefix + entry.name)

    walk(str(root), "")
    return found


def train(corpus: Path) -> Model:
    vocab: dict[str, int] = {"<s>": BOS, "</s>": EOS}
    words: list[str] = ["<s>", "</s>"]

    def ids(tokens: list[str]) -> list[int]:
        out = []
        for token in tokens:
            index = vocab.get(token)
            if index is None:
                index = vocab[token] = len(words)
                words.append(token)
            out.append(index)
        return out

    body: dict[tuple[int, int], list[int]] = {}  # (a, b) -> the words that follow
    headline: dict[int, list[int]] = {}
    headline_lengths: list[int] = []
    bbc_headlines: list[str] = []
    shapes: list[tuple[int, ...]] = []
    paths = sorted(corpus.rglob("*.txt"))
    for path in paths:
        if path.name.upper() == "README.TXT":
            continue
        lines = [line.strip() for line in path.read_bytes().decode("utf-8", errors="replace").splitlines()]
        paragraphs = [line.split() for line in lines[1:] if line.strip()]
        title = lines[0].split() if lines else []
        if len(paragraphs) < 2 or not title:
            continue
        shapes.append(tuple(len(p) for p in paragraphs))
        headline_lengths.append(len(title))
        bbc_headlines.append(" ".join(title))
        chain = [BOS, *ids(title), EOS]
        for a, b in itertools.pairwise(chain):
            headline.setdefault(a, []).append(b)
        for paragraph in paragraphs:
            chain = [BOS, BOS, *ids(paragraph), EOS]
            for a, b, c in zip(chain, chain[1:], chain[2:], strict=False):
                body.setdefault((a, b), []).append(c)
    if not shapes:
        raise SystemExit(f"no BBC articles found under {corpus}")
    states: dict[tuple[int, int], int] = {(BOS, BOS): 0}
    for (_, b), nexts in body.items():
        for c in nexts:
            states.setdefault((b, c), len(states))
    transitions: list[tuple[int, ...]] = [()] * len(states)
    for (a, b), nexts in body.items():
        transitions[states[(a, b)]] = tuple(states[(b, c)] for c in nexts)
    flag = bytearray(len(states))
    text = [""] * len(states)
    for (_, b), state in states.items():
        text[state] = words[b]
        flag[state] = 2 if b == EOS else 1 if words[b].endswith(_SENTENCE_END) else 0
    return Model(
        nexts=tuple(transitions),
        text=tuple(text),
        flag=bytes(flag),
        words=tuple(words),
        headline={key: tuple(nexts) for key, nexts in headline.items()},
        headline_lengths=tuple(headline_lengths),
        bbc_headlines=frozenset(bbc_headlines),
        shapes=tuple(shapes),
    )


def _words(model: Model, rng: random.Random, target: int, *, sentence: bool = False) -> str:
    """About ``target`` words: walk the chain from a paragraph start, stop at the first
    sentence end once ``target`` is reached (a paragraph end before that starts another)."""
    nexts, flag, pick = model.nexts, model.flag, rng.random
    out: list[int] = []
    state, count, limit = 0, 0, 3 * target + 20
    while True:
        choices = nexts[state]
        state = choices[int(pick() * len(choices))]
        kind = flag[state]
        if kind == 2:
            if count >= target // 2 and not sentence:
                break
            state = 0
            continue
        out.append(state)
        count += 1
        if (kind == 1 and count >= target) or count >= limit:
            break
    return " ".join(map(model.text.__getitem__, out))


def _headline(model: Model, rng: random.Random) -> str:
    """A BBC-length headline from the headline chain, never shorter than four words (the
    chain's short walks repeat a few phrases too often) nor a BBC headline verbatim."""
    for _ in range(20):
        target = max(4, rng.choice(model.headline_lengths))
        out: list[int] = []
        a = BOS
        while len(out) < target:
            nexts = model.headline[a]
            w = nexts[int(rng.random() * len(nexts))]
            if w == EOS:
                if len(out) >= 4:
                    break
                a = BOS
                continue
            out.append(w)
            a = w
        text = " ".join(model.words[w] for w in out)
        if text not in model.bbc_headlines:
            break
    return text[:1].upper() + text[1:]


@dataclass
class Article:
    headline: str
    summary: str
    paragraphs: list[str]  # the first is the standfirst in the house layout
    house: bool
    bold: bool

    def render(self) -> str:
        if not self.house:
            return "\n\n".join([self.headline, *self.paragraphs]) + "\n"
        title = f"**{self.headline}**" if self.bold else self.headline
        return "\n".join([self.summary, title, "", title, *self.paragraphs]) + "\n"


def _rng(options: Options, index: int, stream: int) -> random.Random:
    return random.Random((options.seed << 40) | (index << 2) | stream)


def kind_of(options: Options, index: int) -> tuple[str, int]:
    """(kind, source index) of file ``index``; the source of a copy is always an original."""
    rng = _rng(options, index, 0)
    roll = rng.random()
    if index > 0 and roll < options.exact + options.near:
        source = rng.randrange(index)
        while (parent := kind_of(options, source))[0] in ("exact_copy", "near_copy"):
            source = parent[1]
        return ("exact_copy" if roll < options.exact else "near_copy"), source
    return ("repeated_run" if roll < options.exact + options.near + options.repeated else "original"), index


def original(model: Model, options: Options, index: int, repeated: bool) -> Article:
    rng = _rng(options, index, 1)
    shape = rng.choice(model.shapes)
    article = Article(
        headline=_headline(model, rng),
        summary=_words(model, rng, rng.randint(18, 35), sentence=True),
        paragraphs=[_words(model, rng, max(4, n)) for n in shape],
        house=rng.random() >= options.blank_line,
        bold=rng.random() < 0.5,
    )
    if repeated:
        paragraphs = article.paragraphs
        length = min(rng.randint(1, 3), len(paragraphs) - 1)
        start = rng.randrange(1, len(paragraphs) - length + 1)
        run = paragraphs[start : start + length]
        at = start + length if rng.random() < 0.5 else len(paragraphs)
        article.paragraphs = paragraphs[:at] + run + paragraphs[at:]
    return article


def _split_sentences(paragraph: str) -> list[str]:
    sentences, current = [], []
    for word in paragraph.split(" "):
        current.append(word)
        if word.endswith(_SENTENCE_END):
            sentences.append(" ".join(current))
            current = []
    if current:
        sentences.append(" ".join(current))
    return sentences


def near_copy(model: Model, article: Article, rng: random.Random) -> tuple[Article, str]:
    """A copy with one edit to the body that always changes it: a paragraph cut (never one
    printed twice, whose loss newsflow's paragraph cleanup would undo), one sentence
    rewritten, or two or three typos (two different adjacent letters swapped). The first
    paragraph, the standfirst in the house layout, is left alone: newsflow compares
    headline and body, so an edit there would make an exact copy."""
    paragraphs = list(article.paragraphs)
    variant = rng.choice(NEAR_VARIANTS)
    once = [i for i in range(1, len(paragraphs)) if paragraphs.count(paragraphs[i]) == 1]
    if variant == "paragraph_cut" and (len(paragraphs) < 4 or not once):
        variant = "sentence_rewritten"  # too short to lose a paragraph
    if variant == "paragraph_cut":
        del paragraphs[rng.choice(once)]
    elif variant == "sentence_rewritten":
        i = rng.randrange(1, len(paragraphs))
        sentences = _split_sentences(paragraphs[i])
        j = rng.randrange(len(sentences))
        old = sentences[j]
        for _ in range(20):
            sentences[j] = _words(model, rng, max(6, len(old.split())), sentence=True)
            if sentences[j] != old:
                break
        paragraphs[i] = " ".join(sentences)
    else:
        typos = rng.randint(2, 3)
        for _ in range(1000):
            if not typos:
                break
            i = rng.randrange(1, len(paragraphs))
            words = paragraphs[i].split(" ")
            k = rng.randrange(len(words))
            w = words[k]
            spots = [p for p in range(1, len(w) - 2) if w[p] != w[p + 1] and w[p : p + 2].isalpha()]
            if spots:
                p = rng.choice(spots)
                words[k] = w[:p] + w[p + 1] + w[p] + w[p + 2 :]
                paragraphs[i] = " ".join(words)
                typos -= 1
    copy = Article(article.headline, article.summary, paragraphs, article.house, article.bold)
    return copy, variant


def article_text(model: Model, options: Options, index: int) -> tuple[str, str, str]:
    """(text, kind, detail) of file ``index``."""
    kind, source = kind_of(options, index)
    if kind in ("original", "repeated_run"):
        article = original(model, options, index, repeated=kind == "repeated_run")
        return article.render(), kind, "house" if article.house else "blank_line"
    base = original(model, options, source, repeated=kind_of(options, source)[0] == "repeated_run")
    if kind == "exact_copy":
        return base.render(), kind, "house" if base.house else "blank_line"
    copy, variant = near_copy(model, base, _rng(options, index, 2))
    return copy.render(), kind, variant


_MODEL: Model | None = None


def _write_folder(job: tuple[Path, Options, int, int]) -> tuple[Counter[str], int]:
    out, options, start, stop = job
    assert _MODEL is not None
    folder = out / f"{start // FILES_PER_FOLDER:04d}"
    folder.mkdir(parents=True, exist_ok=True)
    counts: Counter[str] = Counter()
    size = 0
    for index in range(start, stop):
        text, kind, detail = article_text(_MODEL, options, index)
        data = text.encode("utf-8")
        (folder / f"{index:0{options.name_width}d}.txt").write_bytes(data)
        size += len(data)
        counts[kind] += 1
        counts[f"{kind}:{detail}"] += 1
    return counts, size


def generate(out: Path, articles: int, options: Options, corpus: Path, workers: int) -> tuple[Counter[str], int, float]:
    global _MODEL
    _MODEL = train(corpus)
    jobs = [
        (out, options, start, min(start + FILES_PER_FOLDER, articles)) for start in range(0, articles, FILES_PER_FOLDER)
    ]
    counts: Counter[str] = Counter()
    size = 0
    started = time.perf_counter()
    step = max(1, len(jobs) // 10)
    # fork: the workers share the trained model instead of training it again
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for done, (folder_counts, folder_bytes) in enumerate(pool.imap_unordered(_write_folder, jobs), 1):
            counts.update(folder_counts)
            size += folder_bytes
            if done % step == 0 and done < len(jobs):
                elapsed = time.perf_counter() - started
                print(f"  {sum(counts[k] for k in KINDS):,} files, {elapsed:.0f} s", flush=True)
    return counts, size, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--exact-copies", type=float, default=0.03, help="share of exact copies (default 0.03)")
    parser.add_argument("--near-copies", type=float, default=0.03, help="share of near copies (default 0.03)")
    parser.add_argument(
        "--repeated-runs", type=float, default=0.10, help="share with a repeated run of paragraphs (default 0.10)"
    )
    parser.add_argument("--blank-line", type=float, default=0.3, help="share in the blank-line layout (default 0.3)")
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared/corpora/bbc")
    args = parser.parse_args()
    if args.articles < 1 or args.workers < 1:
        raise SystemExit("--articles and --workers must be at least 1")
    rates = (args.exact_copies, args.near_copies, args.repeated_runs)
    if min(rates) < 0 or sum(rates) > 1 or not 0 <= args.blank_line <= 1:
        raise SystemExit("the rates must be shares between 0 and 1, the three kinds at most 1 together")
    if not args.corpus.is_dir():
        raise SystemExit(f"BBC corpus not found: {args.corpus}")
    if args.out.exists() and any(args.out.iterdir()):
        raise SystemExit(f"{args.out} is not empty")
    args.out.mkdir(parents=True, exist_ok=True)
    options = Options(
        seed=args.seed,
        exact=args.exact_copies,
        near=args.near_copies,
        repeated=args.repeated_runs,
        blank_line=args.blank_line,
        name_width=max(6, len(str(args.articles - 1))),
    )
    started = time.perf_counter()
    counts, size, writing = generate(args.out, args.articles, options, args.corpus, args.workers)
    seconds = time.perf_counter() - started
    manifest = {
        "articles": args.articles,
        "bytes": size,
        "seed": args.seed,
        "rates": {
            "exact_copies": args.exact_copies,
            "near_copies": args.near_copies,
            "repeated_runs": args.repeated_runs,
            "blank_line": args.blank_line,
        },
        "kinds": {kind: counts[kind] for kind in KINDS},
        "layouts": {
            layout: sum(counts[f"{kind}:{layout}"] for kind in ("original", "repeated_run", "exact_copy"))
            for layout in ("house", "blank_line")
        },
        "near_copy_variants": {variant: counts[f"near_copy:{variant}"] for variant in NEAR_VARIANTS},
        "expected": {
            "distinct_articles": counts["original"] + counts["repeated_run"],
            "duplicates": counts["exact_copy"] + counts["near_copy"],
        },
        "files_per_folder": FILES_PER_FOLDER,
        "generator": "benchmarks/corpus.py",
    }
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    kinds = ", ".join(f"{kind} {counts[kind]:,}" for kind in KINDS)
    print(
        f"{args.articles:,} files, {size / 1e6:,.1f} MB ({size / args.articles:,.0f} B/file) in {seconds:.1f} s "
        f"({writing:.1f} s writing with {args.workers} workers, {args.articles / writing:,.0f} files/s): {kinds}"
    )
    print(f"manifest: {args.out / 'manifest.json'}")


if __name__ == "__main__":
    main()

"""A corpus of hostile input files, each with the outcome newsflow must give it.

``build(root)`` writes the corpus under ``root/source`` (and a file outside it,
``root/outside``, that symlinks point to) and returns the manifest: every kind of
hostile input with the expected status (and quarantine reason) of each of its
files. Nothing here is committed as a binary; big files are written in a blink.

To look at the corpus: ``uv run python -m tests.hostile.corpus DIR``.
"""

from __future__ import annotations

import bz2
import codecs
import contextlib
import gzip
import io
import os
import random
import socket
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from newsflow.extract.paths import display_path

MAX_FILE_BYTES = 1 << 20
"""The size limit the hostile run uses (the default's memory and time are measured separately)."""
MAX_PARAGRAPHS = 300
SETTINGS = {"max_file_bytes": MAX_FILE_BYTES, "max_paragraphs": MAX_PARAGRAPHS, "shard_size": 2_000}
"""Settings for the flow run over the corpus."""
TINY_FILES = 10_000

CURATED, DUPLICATE, QUARANTINED = "curated", "duplicate", "quarantined"
UNSEEN = "unseen"
"""Not a file of the corpus as newsflow sees it (a folder, a hidden name): never in the ledger."""

_WORDS = (
    "council",
    "budget",
    "minister",
    "harbour",
    "storm",
    "vote",
    "rail",
    "strike",
    "school",
    "hospital",
    "court",
    "ruling",
    "market",
    "shares",
    "bank",
    "energy",
    "prices",
    "wind",
    "farm",
    "river",
    "flood",
    "police",
    "inquiry",
    "election",
    "mayor",
    "museum",
    "festival",
    "drought",
    "farmers",
    "grain",
    "export",
    "port",
    "union",
    "wages",
    "teachers",
    "nurses",
    "bridge",
    "tunnel",
    "airport",
    "runway",
    "climate",
    "target",
    "emissions",
    "coal",
    "mine",
    "village",
    "library",
    "fire",
    "crews",
    "rescue",
    "mountain",
    "border",
    "trade",
    "deal",
    "tariff",
    "steel",
    "factory",
    "jobs",
    "housing",
    "rent",
    "tenants",
    "landlord",
    "water",
    "supply",
    "reservoir",
    "pipeline",
    "gas",
    "field",
    "offshore",
    "fishing",
    "quota",
    "coast",
    "erosion",
    "beach",
    "tourism",
    "hotel",
    "visitors",
    "record",
    "summer",
    "winter",
    "frost",
    "harvest",
    "orchard",
    "apples",
    "wine",
    "vineyard",
    "cheese",
    "dairy",
    "herd",
    "vaccine",
    "clinic",
    "doctors",
    "patients",
    "waiting",
    "list",
    "ambulance",
    "response",
    "times",
    "budget",
    "deficit",
    "surplus",
    "tax",
    "reform",
    "pension",
    "savings",
    "inflation",
    "interest",
    "rates",
    "lending",
    "mortgage",
    "buyers",
    "prices",
    "index",
    "survey",
    "poll",
    "campaign",
    "candidate",
    "debate",
    "parliament",
    "senate",
    "committee",
    "report",
    "findings",
    "audit",
    "fraud",
    "charges",
    "trial",
    "jury",
    "verdict",
    "appeal",
    "sentence",
    "prison",
    "reform",
    "probation",
    "officers",
    "training",
    "academy",
    "graduates",
    "science",
    "laboratory",
    "study",
    "researchers",
    "telescope",
    "comet",
    "satellite",
    "launch",
    "rocket",
    "crew",
    "station",
    "orbit",
    "signal",
    "network",
    "outage",
    "repair",
)


@dataclass(frozen=True, slots=True)
class Expect:
    """The outcome one file must get: a status, and a reason code when quarantined."""

    status: str
    reason: str | None = None


@dataclass(slots=True)
class Kind:
    """One kind of hostile input and the expected outcome of each of its files (by stored ``source_path``)."""

    name: str
    about: str
    files: dict[str, Expect] = field(default_factory=dict)


@dataclass(slots=True)
class Corpus:
    source: Path
    kinds: list[Kind]

    def expected(self) -> dict[str, Expect]:
        """Every file's expected outcome, by stored ``source_path``."""
        return {path: expect for kind in self.kinds for path, expect in kind.files.items()}


def sentence(rng: random.Random, words: int | None = None) -> str:
    chosen = rng.choices(_WORDS, k=words or rng.randint(9, 16))
    return " ".join(chosen).capitalize() + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 4)))


def headline(rng: random.Random) -> str:
    return " ".join(word.capitalize() for word in rng.choices(_WORDS, k=rng.randint(5, 8)))


def article(seed: int, *, paragraphs: int = 5, separator: str = "\n\n") -> str:
    """A distinct, well-formed article in the blank-line layout (ends with a newline)."""
    rng = random.Random(seed)
    return separator.join([headline(rng), *(paragraph(rng) for _ in range(paragraphs))]) + "\n"


def _exactly(seed: int, size: int) -> bytes:
    """An ASCII article of exactly ``size`` bytes, with paragraphs of about 6,000 characters."""
    rng = random.Random(seed)
    parts = [headline(rng)]
    total = len(parts[0])
    while total < size - 2_000:
        para = " ".join(sentence(rng) for _ in range(64))
        parts.append(para)
        total += len(para) + 2
    text = "\n\n".join(parts) + "\n\n"
    filler = " ".join(sentence(rng) for _ in range(400))
    text += filler[: size - len(text) - 2].rstrip() + ".\n"
    return text.ljust(size - 1).encode() + b"\n" if len(text) < size else text.encode()[:size]


def q(reason: str) -> Expect:
    """Quarantined with ``reason``."""
    return Expect(QUARANTINED, reason)


class _Writer:
    def __init__(self, source: Path) -> None:
        self.source = source
        self.kinds: list[Kind] = []

    def kind(self, name: str, about: str) -> Kind:
        self.kinds.append(Kind(name, about))
        return self.kinds[-1]

    def file(self, kind: Kind, relative: str | bytes, data: bytes | str, expect: Expect) -> Path:
        name = relative if isinstance(relative, bytes) else os.fsencode(relative)
        path = self.source / os.fsdecode(name)  # bytes that are not UTF-8 survive as surrogate escapes
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        kind.files[display_path(name)] = expect
        return path

    def link(self, kind: Kind, relative: str, target: str | Path, expect: Expect) -> None:
        (self.source / relative).symlink_to(target)
        kind.files[relative] = expect


def _zip_bytes(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("article.txt", text)
    return buffer.getvalue()


def _socket_file(path: Path) -> bool:
    """A Unix socket file at ``path`` (bound in a short temp folder: socket paths are limited to ~100 bytes)."""
    with tempfile.TemporaryDirectory(dir="/tmp") as short:
        bound = Path(short) / "s"
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            server.bind(str(bound))
            bound.replace(path)
        except OSError:
            return False
        finally:
            server.close()
    return True


def permissions_enforced(folder: Path) -> bool:
    """Whether a file with mode 000 is unreadable here (not for root, nor with CAP_DAC_OVERRIDE)."""
    probe = folder / ".permission-probe"
    probe.write_bytes(b"x")
    probe.chmod(0)
    try:
        probe.read_bytes()
    except PermissionError:
        return True
    else:
        return False
    finally:
        probe.unlink()


def build(root: Path) -> Corpus:
    """Write the corpus under ``root/source`` (``root/outside`` holds what escaping symlinks point to)."""
    source, outside = root / "source", root / "outside"
    source.mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.txt").write_text(article(9_999))
    w = _Writer(source)
    ok, dup = Expect(CURATED), Expect(DUPLICATE)
    seed = iter(range(1, 1_000))

    # Empty and blank
    w.file(w.kind("empty", "zero bytes"), "empty.txt", b"", q("empty"))
    w.file(w.kind("whitespace_only", "spaces, tabs, CR and LF"), "blank.txt", " \t\n\r\n  \n", q("whitespace_only"))
    w.file(w.kind("bom_only", "a UTF-8 byte-order mark and nothing else"), "bom.txt", codecs.BOM_UTF8, q("empty"))
    w.file(
        w.kind("invisible_only", "zero-width spaces, NBSP and a BOM-like ZWNBSP: nothing visible"),
        "invisible.txt",
        "\u200b\u200c\u00a0\n\u2060\ufeff\n",
        q("whitespace_only"),
    )
    w.file(
        w.kind("markdown_only", "markdown decoration without words"),
        "markdown-only.txt",
        "# \n\n***\n\n---\n\n** **\n\n- \n\n___\n\n## \n",
        q("missing_headline"),
    )

    # Not text
    noise = random.Random(7).randbytes(4096)
    w.file(w.kind("binary_noise", "random bytes"), "noise.txt", noise, q("binary"))
    w.file(
        w.kind("gzip_named_txt", "a gzip archive named .txt"),
        "archive.txt",
        gzip.compress(article(1).encode()),
        q("binary"),
    )
    w.file(w.kind("zip_named_txt", "a zip archive named .txt"), "bundle.txt", _zip_bytes(article(2)), q("binary"))
    w.file(w.kind("bzip2_named_txt", "a bzip2 stream"), "stream.txt", bz2.compress(article(3).encode()), q("binary"))
    w.file(
        w.kind("utf32_no_bom", "UTF-32 without a byte-order mark: not guessed, its NUL bytes make it binary"),
        "utf32-no-bom.txt",
        article(4).encode("utf-32-le"),
        q("binary"),
    )
    w.file(
        w.kind("pdf_named_txt", "a PDF header"), "document.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", q("binary")
    )
    w.file(
        w.kind("nul_bytes", "an article with NUL bytes in the middle"),
        "nul.txt",
        article(next(seed)).replace("\n\n", "\n\x00\x00\n", 1),
        q("binary"),
    )
    w.file(
        w.kind("control_characters", "text riddled with escape and bell characters"),
        "controls.txt",
        "".join(ch + "\x1b\x07" for ch in article(next(seed))),
        q("binary"),
    )
    w.file(
        w.kind("utf16_truncated", "a UTF-16 byte-order mark and an odd number of bytes"),
        "utf16-truncated.txt",
        codecs.BOM_UTF16_LE + article(next(seed)).encode("utf-16-le") + b"\x41",
        q("binary"),
    )

    # Encodings: all decodable, all curated
    enc = w.kind("encodings", "UTF-8 with a stray byte, UTF-16 with and without BOM, UTF-32 with BOM, cp1252, mixed")
    bad_middle = article(next(seed)).encode()
    w.file(enc, "invalid-utf8-middle.txt", bad_middle[:200] + b"\xff\xfe" + bad_middle[200:], ok)
    w.file(enc, "utf16-bom.txt", codecs.BOM_UTF16_LE + article(next(seed)).encode("utf-16-le"), ok)
    w.file(enc, "utf16-be-bom.txt", codecs.BOM_UTF16_BE + article(next(seed)).encode("utf-16-be"), ok)
    w.file(enc, "utf16-no-bom.txt", article(next(seed)).encode("utf-16-le"), ok)
    w.file(enc, "utf32-bom.txt", codecs.BOM_UTF32_LE + article(next(seed)).encode("utf-32-le"), ok)
    quoted = article(next(seed)).replace("\n\n", "\n\n\u201cQuoted\u201d \u2014 caf\u00e9 \u00a3400. ", 2)
    w.file(enc, "cp1252.txt", quoted.encode("cp1252"), ok)
    mixed = article(next(seed)).split("\n\n")
    w.file(
        enc,
        "mixed-encodings.txt",
        "\n\n".join(mixed[:3]).encode()
        + " Caf\u00e9 \u2014 ".encode()
        + "\n\n".join(mixed[3:]).encode("cp1252")
        + " na\u00efve \u00a3400".encode("cp1252"),
        ok,
    )

    # Size limits
    big = w.kind("size_limits", "a 50 MB single line; one byte over the limit; exactly at the limit")
    with (source / "single-line-50mb.txt").open("wb") as handle:
        handle.write(b"word " * (10 * 1024 * 1024))
    big.files["single-line-50mb.txt"] = q("too_large")
    at_limit = _exactly(next(seed), MAX_FILE_BYTES)
    w.file(big, "at-limit.txt", at_limit, ok)
    w.file(big, "over-limit.txt", _exactly(next(seed), MAX_FILE_BYTES + 1), q("too_large"))

    # Structure
    rng = random.Random(next(seed))
    w.file(
        w.kind("headline_only", "a headline and nothing else"),
        "headline-only.txt",
        headline(rng) + "\n",
        q("empty_body"),
    )
    line = headline(rng)
    w.file(
        w.kind("headline_repeated_only", "the house layout's headline and its repeat, no body"),
        "headline-twice.txt",
        f"**{line}**\n\n{line}\n",
        q("empty_body"),
    )
    w.file(
        w.kind("no_headline", "every paragraph far longer than a headline"),
        "no-headline.txt",
        "\n\n".join(" ".join(sentence(rng) for _ in range(20)) for _ in range(4)) + "\n",
        q("missing_headline"),
    )
    w.file(
        w.kind("long_headline", "a 10,000-character first line, then long paragraphs"),
        "long-headline.txt",
        ("Headline " * 1_112)[:10_000]
        + "\n\n"
        + "\n\n".join(" ".join(sentence(rng) for _ in range(20)) for _ in range(3)),
        q("missing_headline"),
    )
    w.file(
        w.kind("too_many_paragraphs", f"{MAX_PARAGRAPHS + 1} distinct body paragraphs"),
        "too-many-paragraphs.txt",
        headline(rng) + "\n\n" + "\n\n".join(f"{sentence(rng)} {n}" for n in range(MAX_PARAGRAPHS + 1)) + "\n",
        q("too_many_paragraphs"),
    )
    w.file(
        w.kind("max_paragraphs", f"exactly {MAX_PARAGRAPHS} body paragraphs"),
        "max-paragraphs.txt",
        headline(rng) + "\n\n" + "\n\n".join(f"{sentence(rng)} {n}" for n in range(MAX_PARAGRAPHS)) + "\n",
        ok,
    )
    same = paragraph(rng)
    w.file(
        w.kind("identical_paragraphs", "every body paragraph the same"),
        "identical-paragraphs.txt",
        headline(rng) + "\n\n" + "\n\n".join([same] * 50) + "\n",
        ok,
    )
    w.file(
        w.kind("single_giant_word", "a 100,000-character word as the body"),
        "giant-word.txt",
        headline(rng) + "\n\n" + "x" * 100_000 + "\n",
        ok,
    )

    # Layout and characters
    chars = w.kind("characters", "line-ending and character oddities a newsroom export plausibly sends")
    w.file(chars, "cr-only.txt", article(next(seed)).replace("\n", "\r"), ok)
    mixed_endings = article(next(seed)).split("\n\n")
    w.file(
        chars,
        "mixed-endings.txt",
        mixed_endings[0] + "\r\n\r\n" + "\n\n".join(mixed_endings[1:3]) + "\r\r" + "\r\n\n".join(mixed_endings[3:]),
        ok,
    )
    w.file(
        chars,
        "separators.txt",
        article(next(seed))
        .replace("\n\n", "\n\x0c\n", 2)
        .replace("\n\n", "\u2028\u2028", 1)
        .replace("\n\n", "\n\x0b\n", 1),
        ok,
    )
    text = article(next(seed))
    w.file(chars, "zero-width-nbsp.txt", text.replace(" ", "\u00a0", 20).replace("e", "e\u200b", 30), ok)
    arabic = "الحكومة تعلن ميزانية جديدة"
    arabic_body = "\n\n".join(
        f"قال الوزير {n} إن الميزانية ستزيد الإنفاق على المدارس والمستشفيات في العام {2020 + n}." for n in range(4)
    )
    w.file(chars, "rtl-arabic.txt", f"\u200f{arabic}\n\n{arabic_body}\n", ok)
    emoji = article(next(seed)).replace("\n\n", " \U0001f4f0\U0001f1ec\U0001f1e7 cafe\u0301 \u1100\u1161 \n\n", 3)
    w.file(chars, "emoji-combining.txt", emoji, ok)

    # HTML exports
    rng = random.Random(next(seed))
    title = headline(rng)
    paras = "".join(f'<p class="body">{paragraph(rng)} &amp; more &mdash; &#8220;quoted&#8221;</p>\n' for _ in range(4))
    page = (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title} | The Daily</title>'
        "<style>p { color: red }</style><script>var ad = '<p>advert</p>';</script></head>\n"
        '<body><!-- export v2 --><nav><a href="/">Home</a></nav>'
        f"<article><h1>{title}</h1>\n{paras}</article></body></html>\n"
    )
    w.file(
        w.kind("html_document", "an HTML export: head, script, style, comment, entities, h1"), "export.txt", page, ok
    )
    fragment = f"<p><b>{headline(rng)}</b></p>\n" + "".join(f"<p>{paragraph(rng)}<br></p>\n" for _ in range(3))
    w.file(w.kind("html_fragment", "paragraphs as <p> elements, no document"), "fragment.txt", fragment, ok)

    # File names
    names = w.kind("file_names", "spaces, unicode, a newline, leading dashes, bytes that are not UTF-8, deep folders")
    w.file(names, "with spaces in the name.txt", article(next(seed)), ok)
    w.file(names, "\u65e5\u672c\u8a9e \u30cb\u30e5\u30fc\u30b9 caf\u00e9.txt", article(next(seed)), ok)
    w.file(names, "new\nline.txt", article(next(seed)), ok)
    w.file(names, "-rf --help.txt", article(next(seed)), ok)
    w.file(names, "back\\slash.txt", article(next(seed)), ok)
    with contextlib.suppress(OSError):  # a file system that insists on UTF-8 names (macOS) refuses it
        w.file(names, b"latin1-caf\xe9-\xff.txt", article(next(seed)), ok)
    w.file(names, "/".join(f"d{n}" for n in range(40)) + "/deep.txt", article(next(seed)), ok)

    # Links, folders and special files
    w.link(
        w.kind("symlink_outside", "a symlink to a file outside the source"),
        "escape.txt",
        outside / "secret.txt",
        q("outside_source"),
    )
    w.link(w.kind("symlink_absolute", "a symlink to /etc/passwd"), "passwd.txt", "/etc/passwd", q("outside_source"))
    w.link(
        w.kind("symlink_dotdot", "a relative symlink climbing out with .."),
        "dotdot.txt",
        "../outside/secret.txt",
        q("outside_source"),
    )
    inside = w.kind("symlink_inside", "a symlink to another file inside the source: read, a duplicate of it")
    w.file(inside, "link-target.txt", article(next(seed)), ok)
    w.link(inside, "link-to-target.txt", "link-target.txt", dup)
    loop = w.kind("symlink_loop", "two symlinks pointing at each other, and one at itself")
    w.link(loop, "loop-a.txt", "loop-b.txt", q("unreadable"))
    w.link(loop, "loop-b.txt", "loop-a.txt", q("unreadable"))
    w.link(loop, "loop-self.txt", "loop-self.txt", q("unreadable"))
    w.link(w.kind("symlink_broken", "a symlink to nothing"), "broken.txt", "missing-target.txt", q("unreadable"))
    folder = w.kind("folder_named_txt", "a folder named x.txt: not a file; its content is read")
    (source / "folder.txt").mkdir()
    folder.files["folder.txt"] = Expect(UNSEEN)
    w.file(folder, "folder.txt/inner.txt", article(next(seed)), ok)
    hidden = w.kind("symlinked_folder_and_hidden", "a symlinked folder (not entered) and a hidden partial upload")
    (source / "linked-folder").symlink_to(outside, target_is_directory=True)
    hidden.files["linked-folder/secret.txt"] = Expect(UNSEEN)
    w.file(hidden, ".partial-upload.txt", article(next(seed)), Expect(UNSEEN))
    fifo = w.kind("fifo_named_txt", "a FIFO named x.txt: never opened, or the run would hang")
    os.mkfifo(source / "pipe.txt")
    fifo.files["pipe.txt"] = q("not_a_file")
    if _socket_file(source / "socket.txt"):
        w.kind("socket_named_txt", "a Unix socket named x.txt").files["socket.txt"] = q("not_a_file")
    enforced = permissions_enforced(root)
    locked = w.kind("permissions", "a file and a folder nobody may read (root may: then they are read)")
    w.file(locked, "locked.txt", article(next(seed)), q("unreadable") if enforced else ok)
    (source / "locked.txt").chmod(0)
    w.file(locked, "locked-folder/inside.txt", article(next(seed)), Expect(UNSEEN) if enforced else ok)
    locked.files["locked-folder"] = q("unreadable") if enforced else Expect(UNSEEN)
    (source / "locked-folder").chmod(0)

    # Duplicates
    dups = w.kind("duplicate_content", "the same article under different names, re-encoded and re-spaced")
    text = article(next(seed))
    w.file(dups, "dup-a.txt", text, ok)
    w.file(dups, "dup-b.txt", text, dup)
    w.file(dups, "dup-c-cp1252-crlf.txt", codecs.BOM_UTF8 + text.replace("\n", "\r\n").encode(), dup)

    # For the second run
    w.file(w.kind("revised", "same name, new content in a later run"), "revised.txt", article(next(seed)), ok)
    w.file(w.kind("touched", "touched, not changed, before a later run"), "touched.txt", article(next(seed)), ok)
    w.file(w.kind("growing", "appended to while the run reads it"), "growing.txt", article(next(seed)), q("changing"))

    # Volume
    tiny = w.kind("tiny_files", f"{TINY_FILES:,} tiny articles")
    rng = random.Random(next(seed))
    for n in range(TINY_FILES):
        body = f"Brief {n}: {sentence(rng, 12)}"
        w.file(tiny, f"tiny/{n // 1000:02d}/{n:05d}.txt", f"{headline(rng)}\n\n{body}\n", ok)
    return Corpus(source, w.kinds)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tests.hostile.corpus DIR  (DIR must not exist)", file=sys.stderr)
        return 2
    corpus = build(Path(argv[0]))
    for kind in corpus.kinds:
        outcomes = sorted({f"{e.status}{'/' + e.reason if e.reason else ''}" for e in kind.files.values()})
        print(f"{kind.name:28} {len(kind.files):6} file(s)  {', '.join(outcomes):40} {kind.about}")
    print(f"{len(corpus.kinds)} kinds under {corpus.source}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

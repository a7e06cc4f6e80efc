"""Each article's language, detected offline: CLD2 (``pycld2``), whose model is compiled into its wheel.

Detection is per document, like decoding: one C call per article on the start of its
headline and body (the story text, without page furniture).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from newsflow.config import Settings
from newsflow.records import Shard
from newsflow.steps import StepResult

_SAMPLE_CHARS = 400
"""Characters of the headline and body read: enough for a confident verdict, and detection time grows with the
text (benchmarks/README.md, "Measured design")."""
_LEGACY = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv"}
"""CLD2 still names some languages by their withdrawn ISO 639-1 codes."""


def detect(texts: Sequence[str | None]) -> tuple[list[str | None], list[float | None]]:
    """(ISO 639-1 code, confidence) per text; (None, None) when CLD2 finds no language (figures, too little
    text). The confidence is the share of the text CLD2 gives that language, halved when it reports the
    guess as unreliable."""
    import pycld2

    codes: list[str | None] = []
    confidences: list[float | None] = []
    for text in texts:
        code: str | None = None
        confidence: float | None = None
        if text:
            try:
                reliable, _, details = pycld2.detect(text, bestEffort=True)
            except pycld2.error:  # bytes CLD2 will not take (control characters): no verdict
                details = ()
            if details:
                _, found, percent, _ = details[0]
                base = _LEGACY.get(found.split("-")[0], found.split("-")[0])
                if len(base) == 2 and base != "un":
                    code, confidence = base, round(percent / 100 * (1.0 if reliable else 0.5), 2)
        codes.append(code)
        confidences.append(confidence)
    return codes, confidences


class DetectLanguage:
    """Adds ``language`` and ``language_confidence`` to a shard's article candidates; drops nothing."""

    name = "language"
    stage = None
    reasons = ()

    def run(self, shard: Shard, settings: Settings) -> StepResult[Shard]:
        files = shard.files
        story = pl.concat_str("headline", "body", separator="\n\n", ignore_nulls=True)
        texts = files.select(story.str.slice(0, _SAMPLE_CHARS)).to_series()
        codes, confidences = detect(texts.to_list())
        return StepResult(
            shard.but(
                files=files.with_columns(
                    pl.Series("language", codes, dtype=pl.String),
                    pl.Series("language_confidence", confidences, dtype=pl.Float64),
                )
            )
        )

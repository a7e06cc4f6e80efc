#!/usr/bin/env bash
# Create benchmarks/.venv-datatrove: datatrove for the side-by-side benchmark, kept out of
# the project's environment and lockfile (it is never a newsflow dependency).
#
#     bash benchmarks/datatrove_env.sh
#
# Extras: [io] brings pyarrow for ParquetWriter, [processing] brings xxhash (MinHash's
# default hash) and the filters' helpers. spaCy is datatrove's English word tokenizer
# (spacy.blank("en"), no model download) used by GopherRepetitionFilter and MinHash;
# datatrove lists it only under the heavy [multilingual] extra, so it is named here.
# Bytecode is compiled at install, as newsflow's own environment is (pyproject's [tool.uv]),
# so neither side of the comparison compiles its imports at start-up.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv-datatrove"
version="${DATATROVE_VERSION:-0.10.1}"

if [[ ! -x "$venv/bin/python" ]]; then
    uv venv -q -p 3.11 "$venv"
fi
uv pip install -q --compile-bytecode --python "$venv/bin/python" "datatrove[io,processing]==$version" "spacy>=3.8,<4"
"$venv/bin/python" - <<'EOF'
import importlib.metadata as md

import spacy

spacy.blank("en")("tokenizer check")
print(f"datatrove {md.version('datatrove')}, spacy {md.version('spacy')}: ready")
EOF
echo "python: $venv/bin/python"

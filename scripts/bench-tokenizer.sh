#!/usr/bin/env bash
# Builds tokenizer_bench and compares rerankd's tokenizer with Hugging Face `tokenizers` on the
# 12,000 MS MARCO pairs, pair by pair, both pinned to one core.
# Usage: scripts/bench-tokenizer.sh [build dir, default build/release] [core, default 0]
#                                   [tokenizer.json, default bert-base-uncased's]
# PYTHON names the interpreter with `tokenizers` installed (default python3), e.g. for the XLM-R
# fixture tokenizer:
#   PYTHON=/tmp/xlmr-venv/bin/python scripts/bench-tokenizer.sh build/release 0 \
#       tests/fixtures/xlmr_tokenizer/tokenizer.json
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/release}"
core="${2:-0}"
tokenizer_args=()
[ -n "${3:-}" ] && tokenizer_args=(--tokenizer "$3")
[ -f "$build/CMakeCache.txt" ] || cmake --preset release -B "$build" >/dev/null
cmake --build "$build" --target tokenizer_bench -j2 >/dev/null

ours=$(taskset -c "$core" "$build/bench/tokenizer_bench" "${tokenizer_args[@]}")
theirs=$(RAYON_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false taskset -c "$core" "${PYTHON:-python3}" \
  tools/bench_hf_tokenizer.py "${tokenizer_args[@]}")
echo "$ours"
echo "$theirs"
ours_rate=$(sed -E 's/.*: ([0-9]+) pairs\/s.*/\1/' <<<"$ours")
theirs_rate=$(sed -E 's/.*: ([0-9]+) pairs\/s.*/\1/' <<<"$theirs")
awk -v a="$ours_rate" -v b="$theirs_rate" 'BEGIN { printf "ratio rerankd / hf: %.2fx\n", a / b }'

#!/usr/bin/env bash
# Builds tokenizer_bench and compares rerankd's tokenizer with Hugging Face `tokenizers` on the
# 12,000 MS MARCO pairs, pair by pair, both pinned to one core.
# Usage: scripts/bench-tokenizer.sh [build dir, default build/release] [core, default 0]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/release}"
core="${2:-0}"
[ -f "$build/CMakeCache.txt" ] || cmake --preset release -B "$build" >/dev/null
cmake --build "$build" --target tokenizer_bench -j2 >/dev/null

ours=$(taskset -c "$core" "$build/bench/tokenizer_bench")
theirs=$(RAYON_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false taskset -c "$core" python3 tools/bench_hf_tokenizer.py)
echo "$ours"
echo "$theirs"
ours_rate=$(sed -E 's/.*: ([0-9]+) pairs\/s.*/\1/' <<<"$ours")
theirs_rate=$(sed -E 's/.*: ([0-9]+) pairs\/s.*/\1/' <<<"$theirs")
awk -v a="$ours_rate" -v b="$theirs_rate" 'BEGIN { printf "ratio rerankd / hf: %.2fx\n", a / b }'

#!/usr/bin/env bash
# Per-kernel time of one batch-256 forward pass on the cuda backend under Nsight Compute (issue
# 20's profile): `rerankd score` on 512 MS MARCO pairs in batches of 256 under ncu, then
# tools/ncu_breakdown.py on the last forward (kernels in launch order, totals by kind).
# Usage: scripts/profile-cuda.sh MODEL_DIR [OUT_DIR]   (on the GPU machine; DTYPE=fp16|bf16,
#        RERANKD_BIN to use another binary, RERANKD_DATA_DIR for the MS MARCO sample)
set -euo pipefail
source "$(dirname "$0")/common.sh"
require_data_dir
model=${1:?usage: $0 MODEL_DIR [OUT_DIR]}
out=${2:-$repo_root/build/profile}
bin=${RERANKD_BIN:-$repo_root/build/release/bin/rerankd}
mkdir -p "$out"
# Query and passage of the sample's first 512 rows: the first 26 queries' BM25 candidates.
awk -F'\t' 'NR <= 512 {print $5 "\t" $6}' "$RERANKD_DATA_DIR/msmarco/dev_small_bm25top20_600q.tsv" \
  > "$out/pairs.tsv"
ncu --metrics gpu__time_duration.sum --csv "$bin" score -m "$model" --backend cuda \
  --dtype "${DTYPE:-fp16}" --batch-size 256 -i "$out/pairs.tsv" -o /dev/null > "$out/ncu.csv"
python3 "$repo_root/tools/ncu_breakdown.py" "$out/ncu.csv" --markdown | tee "$out/breakdown.md"

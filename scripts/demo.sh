#!/usr/bin/env bash
# Builds rerankd and ranks a demo query's passages. Uses cross-encoder/ms-marco-MiniLM-L-6-v2
# from the Hugging Face cache, downloading it from the Hub when it is not there (HF_ENDPOINT,
# HF_TOKEN and HF_HUB_OFFLINE apply); when neither works, a deterministic RANDOM-WEIGHT demo
# model that rerankd generates (its scores are noise, and rerankd says so loudly). Needs nothing
# beside the checkout: the demo model's tokenizer files are in examples/tokenizers/.
set -euo pipefail
source "$(dirname "$0")/common.sh"
"$repo_root/scripts/install-deps.sh"
cd "$repo_root"
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs" --target rerankd
rerankd="$repo_root/build/release/bin/rerankd"

model=cross-encoder/ms-marco-MiniLM-L-6-v2
if ! "$rerankd" download "$model" >/dev/null; then
  echo "demo: $model is neither in the Hugging Face cache nor downloadable here; using a generated random-weight model" >&2
  model="$repo_root/build/release/demo-model"
  [[ -f "$model/config.json" ]] ||
    "$rerankd" make-model --out "$model" \
      --tokenizer-dir "$repo_root/examples/tokenizers/bert-base-uncased"
fi

query="how do vaccines train the immune system"
echo "query: $query"
"$rerankd" rank --model "$model" --query "$query" \
  --documents "$repo_root/examples/vaccine_passages.txt" "$@"

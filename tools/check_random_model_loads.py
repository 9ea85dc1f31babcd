#!/usr/bin/env python3
"""Checks that a model directory written by rerankd's random-model generator is one Hugging Face
reads as its own: safetensors.safe_open parses every file, and transformers'
BertForSequenceClassification.from_pretrained loads it with no missing, unexpected or mismatched
keys. Optionally prints the logit spread over a few MS MARCO pairs, to see that the random
weights give pairs different scores.

Usage:
  python3 tools/check_random_model_loads.py MODEL_DIR [--pairs ../shared/data/msmarco/dev_small_bm25top20_600q.tsv]
Exit status 0 when every check passes.
"""

import argparse
import json
import pathlib
import sys

from safetensors import safe_open


def check_safetensors(model_dir: pathlib.Path) -> int:
    index = model_dir / "model.safetensors.index.json"
    files = ([model_dir / "model.safetensors"] if (model_dir / "model.safetensors").exists()
             else sorted({model_dir / f for f in json.loads(index.read_text())["weight_map"].values()}))
    count = 0
    for path in files:
        with safe_open(str(path), framework="pt") as f:
            assert f.metadata().get("format") == "pt", f"{path}: metadata {f.metadata()}"
            for name in f.keys():
                f.get_tensor(name)
                count += 1
    print(f"safetensors: {len(files)} file(s), {count} tensors read")
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_dir", type=pathlib.Path)
    parser.add_argument("--pairs", type=pathlib.Path, help="MS MARCO TSV (query, passage columns)")
    args = parser.parse_args()

    check_safetensors(args.model_dir)

    import torch
    from transformers import AutoTokenizer, BertForSequenceClassification

    model, info = BertForSequenceClassification.from_pretrained(
        args.model_dir, output_loading_info=True, dtype=torch.float32)
    problems = {k: v for k, v in info.items() if v}
    print(f"transformers loading info: {info}")
    if problems:
        print(f"FAIL: {problems}")
        return 1
    model.eval()

    if args.pairs:
        tokenizer = AutoTokenizer.from_pretrained(args.model_dir)
        rows = [line.rstrip("\n").split("\t") for line in args.pairs.open(encoding="utf-8")][:200:5]
        # msmarco/README.md: qid, pid, rank, label, query, passage.
        queries = [r[4] for r in rows]
        passages = [r[5] for r in rows]
        batch = tokenizer(queries, passages, padding=True, truncation=True, return_tensors="pt")
        with torch.no_grad():
            logits = model(**batch).logits[:, 0]
        print(f"logits over {len(rows)} pairs: min {logits.min():.3f} max {logits.max():.3f} "
              f"std {logits.std():.3f}")
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Expected fp32 logits of the trained stand-in cross-encoder on the held-out MS MARCO queries.

Writes tests/fixtures/logits/minilm_l6_msmarco_standin_heldout.jsonl for
tests/conformance/trained_model_accuracy_test.cc:

  line 1: a header object ("kind": "header") with the sha256 of the model's model.safetensors,
          the library versions, the query selection, and how far eager and SDPA attention were
          apart;
  then one object per pair, in the sample's order: qid, pid, label and logit.

The model is shared/data/minilm-l6-msmarco-standin (a BertForSequenceClassification with trained
weights stored as F16; transformers upcasts them to fp32). The pairs are the held-out queries of
the MS MARCO sample: its qids sorted as numbers, the last 120 (the stand-in was fine-tuned on the
first 480), with their BM25 top 20 each: 2,400 pairs. Everything runs in fp32 on the CPU, in eval
mode, tokenized as sentence-transformers' CrossEncoder does (pairs, longest_first at 512; no pair
of the sample is that long).

Usage:
  python3 tools/make_trained_model_fixture.py --data-dir ../shared/data
"""

import argparse
import json
import pathlib
import sys

import torch
import transformers
from transformers import AutoTokenizer, BertForSequenceClassification

from make_logit_fixtures import sha256_of  # tools/ is on the path when run as a script

REPO = pathlib.Path(__file__).resolve().parent.parent
OUTPUT = REPO / "tests" / "fixtures" / "logits" / "minilm_l6_msmarco_standin_heldout.jsonl"
HELD_OUT_QUERIES = 120
MAX_LENGTH = 512
BATCH_SIZE = 20


def held_out_rows(sample: pathlib.Path):
    """The sample's rows (qid, pid, label, query, passage) of its last HELD_OUT_QUERIES qids."""
    rows = []
    with open(sample, encoding="utf-8", newline="\n") as f:
        for line in f:
            qid, pid, _rank, label, query, passage = line.rstrip("\n").split("\t")
            rows.append((int(qid), int(pid), int(label), query, passage))
    qids = sorted({row[0] for row in rows})
    kept = set(qids[-HELD_OUT_QUERIES:])
    return [row for row in rows if row[0] in kept]


def logits_of(model, tokenizer, rows):
    out = []
    with torch.inference_mode():
        for start in range(0, len(rows), BATCH_SIZE):
            chunk = rows[start : start + BATCH_SIZE]
            encoded = tokenizer(
                [row[3] for row in chunk],
                [row[4] for row in chunk],
                padding=True,
                truncation="longest_first",
                max_length=MAX_LENGTH,
                return_tensors="pt",
            )
            out.extend(model(**encoded).logits[:, 0].tolist())
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=pathlib.Path, required=True, help="shared/data")
    parser.add_argument("--output", type=pathlib.Path, default=OUTPUT)
    args = parser.parse_args()
    model_dir = args.data_dir / "minilm-l6-msmarco-standin"
    rows = held_out_rows(args.data_dir / "msmarco" / "dev_small_bm25top20_600q.tsv")

    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    results = {}
    for attention in ("eager", "sdpa"):
        model = BertForSequenceClassification.from_pretrained(
            model_dir, dtype=torch.float32, attn_implementation=attention
        ).eval()
        results[attention] = logits_of(model, tokenizer, rows)
    eager, sdpa = results["eager"], results["sdpa"]
    eager_vs_sdpa = max(abs(a - b) for a, b in zip(eager, sdpa))

    header = {
        "kind": "header",
        "model": "minilm-l6-msmarco-standin",
        "model_sha256": sha256_of(model_dir / "model.safetensors"),
        "queries": "the last %d qids of msmarco/dev_small_bm25top20_600q.tsv in numeric order"
        % HELD_OUT_QUERIES,
        "pairs": len(rows),
        "max_length": MAX_LENGTH,
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "attention": "eager",
        "max_abs_eager_vs_sdpa": eager_vs_sdpa,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(json.dumps(header) + "\n")
        for row, logit in zip(rows, eager):
            record = {"qid": row[0], "pid": row[1], "label": row[2], "logit": round(logit, 7)}
            f.write(json.dumps(record) + "\n")
    print(
        f"{args.output}: {len(rows)} pairs of {len(rows) // 20} queries, logits in "
        f"[{min(eager):.4f}, {max(eager):.4f}], eager vs sdpa max {eager_vs_sdpa:.2e}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Hugging Face `tokenizers` throughput on the MS MARCO sample, measured like
bench/tokenizer_bench.cc: every pair encoded one at a time (Tokenizer.encode(query, passage)) on
one thread, truncation longest_first 512, best of N rounds after a warm-up round.

Usage: tools/bench_hf_tokenizer.py [--data ../shared/data] [--rounds 5] [--tokenizer FILE]
Run pinned to one core (scripts/bench-tokenizer.sh does `taskset -c 0`).
"""
import argparse
import os

# One thread: no Rayon pool (encode of a single pair does not parallelise anyway).
os.environ.setdefault("RAYON_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import time  # noqa: E402

from tokenizers import Tokenizer  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.path.join(HERE, "..", "..", "shared", "data"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--tokenizer", help="a tokenizer.json (default: bert-base-uncased's)")
    args = parser.parse_args()
    tok = Tokenizer.from_file(args.tokenizer or
                              os.path.join(args.data, "bert-base-uncased", "tokenizer.json"))
    tok.enable_truncation(512, strategy="longest_first")
    pairs = []
    with open(os.path.join(args.data, "msmarco", "dev_small_bm25top20_600q.tsv"), encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            pairs.append((fields[4], fields[5]))

    def run_round():
        tokens = 0
        for q, p in pairs:
            tokens += len(tok.encode(q, p).ids)
        return tokens

    run_round()
    best = float("inf")
    tokens = 0
    for _ in range(args.rounds):
        start = time.perf_counter()
        tokens = run_round()
        best = min(best, time.perf_counter() - start)
    print(f"hf tokenizers: {len(pairs)} pairs, {tokens} tokens, best of {args.rounds} rounds {best:.3f} s: "
          f"{len(pairs) / best:.0f} pairs/s, {tokens / best:.0f} tokens/s")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Makes the tokenizer conformance fixtures with Hugging Face `tokenizers`.

Two reference tokenizers, which must agree with each other:
  * Tokenizer.from_file(<data>/bert-base-uncased/tokenizer.json)
  * BertWordPieceTokenizer(<data>/bert-base-uncased/vocab.txt) with tokenizer_config.json's
    settings (do_lower_case true, strip_accents null, tokenize_chinese_chars true)
Both encode pairs as [CLS] query [SEP] document [SEP].

Writes (into tests/fixtures/tokenizer/):
  msmarco_pairs.tsv       one line per row of msmarco/dev_small_bm25top20_600q.tsv (12,000), in
                          order: "<token count>\t<hash as 16 lower-case hex digits>", encoded
                          with truncation longest_first, max_length 512.
                          hash = 64-bit FNV-1a (offset basis 0xcbf29ce484222325, prime
                          0x100000001b3) over, for each position i in order, the 4 little-endian
                          bytes of input_ids[i] then the 4 little-endian bytes of
                          token_type_ids[i]. tests/conformance/tokenizer_msmarco_test.cc computes
                          the same hash.
  hard_cases_expected.jsonl
                          one line per line of hard_cases.jsonl (hand-written inputs: name,
                          query, document, optional max_length (default 512), truncation
                          "longest_first" (default) | "only_second" | "none" and direction
                          "right" (default) | "left"), with the full
                          input_ids and token_type_ids, or "error": true when HF refuses
                          (only_second cannot fit) or, for "none", when the pair is longer than
                          max_length (rerankd reports OutOfRange instead of overflowing).

  offsets_expected.jsonl  for each hard case's query and document alone (a single sequence with
                          [CLS] and [SEP], as TEI's /tokenize encodes it): ids, the special
                          tokens mask, offsets in UTF-8 bytes (HF's Python API gives code points;
                          converted here), and decode() of the ids with and without
                          skip_special_tokens.

Usage: tools/make_tokenizer_fixtures.py [--data ../shared/data]
"""
import argparse
import json
import os
import struct

from tokenizers import Tokenizer
from tokenizers.implementations import BertWordPieceTokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "tests", "fixtures", "tokenizer")

FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3


def fnv1a(input_ids, type_ids):
    h = FNV_OFFSET
    for i, t in zip(input_ids, type_ids):
        for b in struct.pack("<ii", i, t):
            h = ((h ^ b) * FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
    return h


def load(data):
    base = os.path.join(data, "bert-base-uncased")
    from_json = Tokenizer.from_file(os.path.join(base, "tokenizer.json"))
    config = json.load(open(os.path.join(base, "tokenizer_config.json")))
    from_vocab = BertWordPieceTokenizer(
        os.path.join(base, "vocab.txt"),
        clean_text=True,
        handle_chinese_chars=config.get("tokenize_chinese_chars", True),
        strip_accents=config.get("strip_accents"),
        lowercase=config.get("do_lower_case", True),
    )
    return from_json, from_vocab


def encode(tok, query, document, max_length, strategy, direction="right"):
    """(ids, type_ids) or None when HF refuses."""
    if strategy == "none":
        tok.no_truncation()
    else:
        # BertWordPieceTokenizer's own enable_truncation has no direction; its Tokenizer does.
        getattr(tok, "_tokenizer", tok).enable_truncation(
            max_length, strategy=strategy, direction=direction)
    try:
        enc = tok.encode(query, document)
    except Exception:  # HF raises for an only_second cut it cannot make
        return None
    if strategy == "none" and len(enc.ids) > max_length:
        return None
    return list(enc.ids), list(enc.type_ids)


def write_offsets(tok, cases, path):
    """Each hard-case text under 1,000 characters alone, as /tokenize and /decode see it: ids,
    special tokens mask, offsets in UTF-8 bytes (HF's Python API gives code points), decode
    with and without special tokens. Returns how many texts were written."""
    tok.no_truncation()
    count = 0
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for case in cases:
            for text in (case["query"], case["document"]):
                if len(text) > 1000:  # the long truncation cases add size, not coverage
                    continue
                enc = tok.encode(text)
                byte_offsets = [[len(text[:a].encode("utf-8")), len(text[:b].encode("utf-8"))]
                                for a, b in enc.offsets]
                row = {"text": text, "ids": list(enc.ids),
                       "special": list(enc.special_tokens_mask), "offsets": byte_offsets,
                       "decoded": tok.decode(enc.ids, skip_special_tokens=True),
                       "decoded_with_special": tok.decode(enc.ids, skip_special_tokens=False)}
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
    return count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.path.join(HERE, "..", "..", "shared", "data"))
    args = parser.parse_args()
    toks = load(args.data)

    rows = []
    with open(os.path.join(args.data, "msmarco", "dev_small_bm25top20_600q.tsv"), encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            rows.append((fields[4], fields[5]))
    out = []
    for n, (q, p) in enumerate(rows, 1):
        results = [encode(t, q, p, 512, "longest_first") for t in toks]
        assert results[0] == results[1], f"msmarco line {n}: tokenizer.json and vocab.txt disagree"
        ids, types = results[0]
        out.append(f"{len(ids)}\t{fnv1a(ids, types):016x}\n")
    with open(os.path.join(FIXTURES, "msmarco_pairs.tsv"), "w") as f:
        f.writelines(out)
    print(f"msmarco_pairs.tsv: {len(out)} pairs")

    cases = [json.loads(l) for l in open(os.path.join(FIXTURES, "hard_cases.jsonl"), encoding="utf-8")]
    with open(os.path.join(FIXTURES, "hard_cases_expected.jsonl"), "w", encoding="utf-8") as f:
        for n, case in enumerate(cases, 1):
            ml = case.get("max_length", 512)
            strategy = case.get("truncation", "longest_first")
            direction = case.get("direction", "right")
            results = [encode(t, case["query"], case["document"], ml, strategy, direction) for t in toks]
            assert results[0] == results[1], f"hard case {n} ({case['name']}): loaders disagree"
            row = {"name": case["name"]}
            if results[0] is None:
                row["error"] = True
            else:
                row["input_ids"], row["token_type_ids"] = results[0]
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"hard_cases_expected.jsonl: {len(cases)} cases")

    count = write_offsets(toks[0], cases, os.path.join(FIXTURES, "offsets_expected.jsonl"))
    print(f"offsets_expected.jsonl: {count} texts")


if __name__ == "__main__":
    main()

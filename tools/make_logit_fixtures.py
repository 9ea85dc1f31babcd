#!/usr/bin/env python3
"""Expected logits of the conformance model, computed by Hugging Face transformers.

Writes tests/fixtures/logits/minilm_l6_random.jsonl for tests/conformance/reference_logits_test.cc:

  line 1: a header object ("kind": "header") with the sha256 of the model's model.safetensors,
          the library versions, and how well eager and SDPA attention agreed;
  then one object per pair: source ("msmarco", "hard_case" or "odd"), index (the line number
          in its source file, 0-based, or the position in the odd-pairs list), query, document,
          input_ids ([CLS] query [SEP] document [SEP], truncated longest-first to 512),
          first_segment_length (how many leading tokens have token type 0) and logit.

The model is the directory `rerankd make-model` writes (MiniLM-L6-H384 shape, real vocab,
seeded random weights). Everything runs in fp32 on the CPU, with dropout off (eval mode).

With --long (XLM-R only) the pairs are instead a few long ones, MS MARCO passages interleaved
with the tokenizer fixture's multilingual sentences until the pair reaches about 1,000, 4,000
and 8,000 tokens, and one of about 10,000 tokens that is truncated to 8,192
(tests/fixtures/logits/xlmr_long.jsonl, for a model with 8,194 positions).

Usage:
  build/release/bin/rerankd make-model --out /tmp/minilm-l6-random \\
      --tokenizer-dir ../shared/data/bert-base-uncased
  python3 tools/make_logit_fixtures.py --model-dir /tmp/minilm-l6-random
"""

import argparse
import hashlib
import json
import pathlib
import sys

import torch
import transformers
from transformers import (AutoTokenizer, BertForSequenceClassification,
                          XLMRobertaForSequenceClassification)

REPO = pathlib.Path(__file__).resolve().parent.parent
MAX_LENGTH = 512
LONG_MAX_LENGTH = 8192
# (name, tokens the untruncated pair reaches at least) for --long.
LONG_TARGETS = [("over_512", 1000), ("about_4k", 4000), ("about_8k", 8000),
                ("truncated_to_8192", 10000)]
BATCH_SIZE = 16
# MS MARCO sample lines taken: every 37th of the 12,000 (37 is prime to the 20 candidates per
# query, so the sample covers every BM25 rank, not just rank 1).
MSMARCO_STRIDE = 37
MSMARCO_COUNT = 300

# Odd pairs always included, whether or not the tokenizer's hard cases exist.
ODD_PAIRS = [
    ("", ""),
    ("", "a document with an empty query"),
    ("a query with an empty document", ""),
    ("東京の天気は？", "今日の東京は晴れ、最高気温は25度です。北京和上海也很热。"),
    ("emoji 🙂🚀", "👩‍👩‍👧‍👦 family 🇫🇷 flag and ❤️ heart"),
    ("Café CRÈME brûlée", "naïve façade — “smart quotes” and ﬁ ligature"),
    ("what is \u00a0non-breaking\u200bspace", "tabs\tand\nnewlines\r\nand  double  spaces"),
    ("pneumonoultramicroscopicsilicovolcanoconiosis", "x" * 150),
    ("mojibake â¦ Ã©", "the passage keeps â€™ and Ã© as MS MARCO does"),
    ("punctuation!!!???", "...,;:'\"()[]{}<>@#$%^&*-_=+|\\/~`"),
    ("long query " * 300, "short document"),
    ("short query", "a very long passage about many things " * 120),
    ("numbers 3.14159 and 1,000,000", "0x1F 1e-12 ½ ² ⅔ 𝟙𝟚𝟛"),
]


def sha256_of(path: pathlib.Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def msmarco_pairs(data_dir: pathlib.Path):
    path = data_dir / "msmarco" / "dev_small_bm25top20_600q.tsv"
    lines = path.read_text(encoding="utf-8").split("\n")
    for index in range(0, MSMARCO_STRIDE * MSMARCO_COUNT, MSMARCO_STRIDE):
        # qid, pid, bm25_rank, label, query, passage (msmarco/README.md)
        fields = lines[index].split("\t")
        yield {"source": "msmarco", "index": index, "query": fields[4], "document": fields[5]}


def hard_case_pairs(path: pathlib.Path):
    if not path.exists():
        print(f"note: {path} does not exist; only the built-in odd pairs are used", file=sys.stderr)
        return
    # split("\n"), not splitlines(): the cases contain U+0085 and U+2028, which splitlines()
    # also treats as line ends.
    for index, line in enumerate(path.read_text(encoding="utf-8").split("\n")):
        if not line.strip():
            continue
        case = json.loads(line)
        if "query" in case and "document" in case:
            yield {"source": "hard_case", "index": index, "query": case["query"],
                   "document": case["document"]}


def long_pairs(data_dir: pathlib.Path, tokenizer_dir: pathlib.Path):
    """Deterministic long pairs: query k of the MS MARCO sample, and a document that takes the
    sample's passages from row 1000 * k on, each followed by the next multilingual sentence,
    until `tokenizers` counts at least the target's tokens for the untruncated pair."""
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(str(tokenizer_dir / "tokenizer.json"))
    rows = [line.split("\t") for line in
            (data_dir / "msmarco" / "dev_small_bm25top20_600q.tsv").read_text(
                encoding="utf-8").split("\n") if line]
    sentences = [line for line in (REPO / "tests" / "fixtures" / "xlmr_tokenizer" /
                                   "multilingual_sentences.txt").read_text(
                                       encoding="utf-8").split("\n") if line]
    for k, (name, target) in enumerate(LONG_TARGETS):
        query = rows[1000 * k][4]
        parts = []
        row = 1000 * k
        while len(tok.encode(query, " ".join(parts)).ids) < target:
            parts.append(rows[row % len(rows)][5])
            parts.append(sentences[row % len(sentences)])
            row += 1
        yield {"source": "long", "index": k, "name": name, "query": query,
               "document": " ".join(parts)}


def first_segment_length(type_ids):
    """token_type_ids are always 0 for `[CLS] query [SEP]` and 1 for `document [SEP]`, so the
    fixture stores only how many 0s lead (a query may itself contain the text "[SEP]", so the
    split cannot be found from the ids)."""
    n = type_ids.count(0)
    assert type_ids == [0] * n + [1] * (len(type_ids) - n), type_ids
    return n


def logits_of(model, encodings, pad_id):
    """Runs the pairs padded into batches, so the attention mask path of HF is exercised."""
    out = []
    for start in range(0, len(encodings), BATCH_SIZE):
        chunk = encodings[start:start + BATCH_SIZE]
        width = max(len(e["input_ids"]) for e in chunk)
        ids = torch.full((len(chunk), width), pad_id, dtype=torch.long)
        types = torch.zeros((len(chunk), width), dtype=torch.long)
        mask = torch.zeros((len(chunk), width), dtype=torch.long)
        for row, e in enumerate(chunk):
            n = len(e["input_ids"])
            ids[row, :n] = torch.tensor(e["input_ids"])
            types[row, :n] = torch.tensor(e["token_type_ids"])
            mask[row, :n] = 1
        with torch.no_grad():
            logits = model(input_ids=ids, token_type_ids=types, attention_mask=mask).logits
        out.extend(logits[:, 0].tolist())
    return out


def all_pairs(data_dir, hard_cases):
    pairs = list(msmarco_pairs(data_dir))
    pairs += list(hard_case_pairs(hard_cases))
    pairs += [{"source": "odd", "index": i, "query": q, "document": d}
              for i, (q, d) in enumerate(ODD_PAIRS)]
    return pairs


def eager_logits(models, encodings, pad_id, pairs):
    """Eager attention's logits, after checking SDPA agrees with them."""
    eager = logits_of(models["eager"], encodings, pad_id)
    sdpa = logits_of(models["sdpa"], encodings, pad_id)
    eager_vs_sdpa = max(abs(a - b) for a, b in zip(eager, sdpa))
    print(f"{len(pairs)} pairs; eager vs sdpa max |diff| = {eager_vs_sdpa:.3g}", file=sys.stderr)
    if eager_vs_sdpa > 2e-5:
        sys.exit(f"eager and sdpa attention disagree by {eager_vs_sdpa}; not writing a fixture")
    return eager, eager_vs_sdpa


def write_fixture(out, header, pairs, encodings, logits, segment_length):
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        f.write(json.dumps(header) + "\n")
        for pair, enc, logit in zip(pairs, encodings, logits):
            row = dict(pair, input_ids=enc["input_ids"],
                       first_segment_length=segment_length(enc["token_type_ids"]), logit=logit)
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {out} ({out.stat().st_size} bytes)", file=sys.stderr)


def load_models(model_class, model_dir):
    models = {
        impl: model_class.from_pretrained(model_dir, attn_implementation=impl,
                                          dtype=torch.float32).eval()
        for impl in ("eager", "sdpa")
    }
    assert models["eager"].config.num_labels == 1, "the fixture format holds one logit per pair"
    return models


def bert_encodings(model_dir, pairs):
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    batch = tokenizer([p["query"] for p in pairs], [p["document"] for p in pairs],
                      truncation=True, max_length=MAX_LENGTH)
    encodings = []
    for ids, type_ids in zip(batch["input_ids"], batch["token_type_ids"]):
        first_segment_length(type_ids)
        encodings.append({"input_ids": ids, "token_type_ids": type_ids})
    return encodings, {}


def xlmr_encodings(model_dir, pairs, max_length=MAX_LENGTH):
    """Ids from `tokenizers` on the model's tokenizer.json: transformers 5 rebuilds XLM-R's
    pipeline (tests/fixtures/xlmr_tokenizer/README.md), and encode_batch keeps an empty second
    text as sentence-transformers' CrossEncoder does. Type ids are all 0."""
    import tokenizers
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tok.enable_truncation(max_length, strategy="longest_first")
    encodings = []
    for e in tok.encode_batch([(p["query"], p["document"]) for p in pairs]):
        assert not any(e.type_ids), "XLM-R token type ids are all 0"
        encodings.append({"input_ids": list(e.ids), "token_type_ids": list(e.type_ids)})
    return encodings, {"tokenizers": tokenizers.__version__}


FAMILIES = {
    # model class, encoder, default hard cases, default fixture, header's model line
    "bert": (BertForSequenceClassification, bert_encodings, "tokenizer", "minilm_l6_random.jsonl",
             "rerankd make-model (default seed and shape)"),
    "xlm-roberta": (XLMRobertaForSequenceClassification, xlmr_encodings, "xlmr_tokenizer",
                    "xlmr_random.jsonl",
                    "rerankd make-model --family xlm-roberta (tests/CMakeLists.txt make_xlmr_model)"),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model-dir", required=True, type=pathlib.Path,
                        help="directory written by `rerankd make-model`")
    parser.add_argument("--data-dir", type=pathlib.Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--family", choices=sorted(FAMILIES), default="bert",
                        help="xlm-roberta: a `make-model --family xlm-roberta` model")
    parser.add_argument("--hard-cases", type=pathlib.Path,
                        help="default: the family's tests/fixtures/<tokenizer>/hard_cases.jsonl")
    parser.add_argument("--long", action="store_true",
                        help="XLM-R: the long pairs (up to 8,192 tokens) instead, into "
                             "xlmr_long.jsonl; the model needs 8,194 positions")
    parser.add_argument("--out", type=pathlib.Path,
                        help="default: tests/fixtures/logits/<family's fixture>.jsonl")
    args = parser.parse_args()
    model_class, encode, tokenizer_fixtures, fixture_name, model_line = FAMILIES[args.family]
    hard_cases = args.hard_cases or REPO / "tests" / "fixtures" / tokenizer_fixtures / "hard_cases.jsonl"
    max_length = MAX_LENGTH
    if args.long:
        if args.family != "xlm-roberta":
            sys.exit("--long is for --family xlm-roberta")
        max_length = LONG_MAX_LENGTH
        fixture_name = "xlmr_long.jsonl"
        model_line = ("rerankd make-model --family xlm-roberta --max-positions 8194 "
                      "(tests/CMakeLists.txt make_xlmr_long_model)")
    out = args.out or REPO / "tests" / "fixtures" / "logits" / fixture_name

    torch.manual_seed(0)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    models = load_models(model_class, args.model_dir)
    if args.long:
        pairs = list(long_pairs(args.data_dir, args.model_dir))
        encodings, versions = xlmr_encodings(args.model_dir, pairs, max_length)
        for pair, enc in zip(pairs, encodings):
            print(f"{pair['name']}: {len(enc['input_ids'])} tokens", file=sys.stderr)
    else:
        pairs = all_pairs(args.data_dir, hard_cases)
        encodings, versions = encode(args.model_dir, pairs)
    logits, eager_vs_sdpa = eager_logits(models, encodings, models["eager"].config.pad_token_id,
                                         pairs)
    generator = "tools/make_logit_fixtures.py"
    if args.family != "bert":
        generator += " --family " + args.family
    if args.long:
        generator += " --long"
    header = {
        "kind": "header",
        "model": model_line,
        "model_sha256": sha256_of(args.model_dir / "model.safetensors"),
        "generator": generator,
        "transformers": transformers.__version__,
        **versions,
        "torch": torch.__version__,
        "max_length": max_length,
        "truncation": "longest_first",
        "attention": "eager (sdpa agreed)",
        "eager_vs_sdpa_max_abs_diff": eager_vs_sdpa,
        "num_pairs": len(pairs),
    }
    # BERT: how many leading type-0 tokens; XLM-R's are all 0, so the whole pair.
    segment_length = first_segment_length if args.family == "bert" else len
    write_fixture(out, header, pairs, encodings, logits, segment_length)


if __name__ == "__main__":
    main()

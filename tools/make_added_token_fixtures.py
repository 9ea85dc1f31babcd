#!/usr/bin/env python3
"""Makes tests/fixtures/tokenizer/added_token_ids.json (issue 19): the ids Hugging Face gives
added tokens whose written ids disagree with the vocabulary.

fuzz_tokenizer_json found a tokenizer.json whose added token "<s>" was written with id 90 over a
20-token vocabulary holding "<s>" at 0: rerankd emitted 90, past what its model check saw, where
Hugging Face emits 0. Both `tokenizers` (tokenizer.json "added_tokens", in list order) and
transformers (tokenizer_config.json "added_tokens_decoder", in the order of its id keys) give an
added token the vocabulary's id when its content is in the vocabulary, else the next id past
the vocabulary and the added tokens before it. Each case below is a small tokenizer whose
written ids disagree in one of those ways, the pairs encoded, and what the library produced:

    {"cases": [{"name", "loader": "tokenizer.json" | "vocab.txt", "files": {name: content},
                "pairs": [[query, document]], "expected_ids": [[id, ...]],
                "vocab_size": the library's count with added tokens,
                "added": {content: id}}], "versions": {...}}

Pinned: tokenizers==0.23.3 (transformers 5 for the vocab.txt cases; it refuses other tokenizers
versions unless --allow-other-versions).
    python3 -m venv /tmp/hf && /tmp/hf/bin/pip install tokenizers==0.23.3 'transformers>=5'
    /tmp/hf/bin/python tools/make_added_token_fixtures.py
"""
import argparse
import json
import os
import sys
import tempfile

PINNED = "0.23.3"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "tokenizer", "added_token_ids.json")

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "what", "is", "paris", "the", "capital"]
PAIRS = [["what <x> is the capital", "paris <y> [PAD] [MASK]"], ["<y><x>what", "is <z>"]]


def added(token_id, content):
    return {"id": token_id, "content": content, "single_word": False, "lstrip": False,
            "rstrip": False, "normalized": False, "special": True}


def tokenizer_json(added_tokens):
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added_tokens,
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100,
                  "vocab": {token: i for i, token in enumerate(VOCAB)}},
    }


def tokenizer_config(decoder_entries):
    return {"tokenizer_class": "BertTokenizer", "do_lower_case": True,
            "added_tokens_decoder": {str(i): {k: v for k, v in added(i, c).items() if k != "id"}
                                     for i, c in decoder_entries}}


# (name, added tokens as (written id, content)): each disagrees with the vocabulary its own way.
JSON_CASES = [
    ("a new token written past the next id", [(90, "<x>")]),
    ("a vocabulary token written with another id", [(50, "[PAD]"), (9, "[MASK]")]),
    ("new tokens written out of order", [(8, "<x>"), (7, "<y>"), (3, "<z>")]),
    ("the same content twice", [(10, "<x>"), (11, "<x>"), (12, "<y>")]),
    ("consistent ids, as a real file writes them", [(0, "[PAD]"), (10, "<x>"), (11, "<y>")]),
]
CONFIG_CASES = [
    ("decoder keys out of order", [(91, "<y>"), (90, "<x>"), (3, "[CLS]")]),
    ("a vocabulary token under another key", [(0, "[PAD]"), (7, "[MASK]"), (20, "<z>")]),
]


def json_case(name, entries):
    from tokenizers import Tokenizer

    spec = tokenizer_json([added(i, c) for i, c in entries])
    text = json.dumps(spec, ensure_ascii=False)
    tokenizer = Tokenizer.from_str(text)
    # encode_batch, as sentence-transformers' batched CrossEncoder calls it.
    encodings = tokenizer.encode_batch([tuple(pair) for pair in PAIRS])
    return {"name": name, "loader": "tokenizer.json", "files": {"tokenizer.json": text},
            "pairs": PAIRS, "expected_ids": [e.ids for e in encodings],
            "vocab_size": tokenizer.get_vocab_size(with_added_tokens=True),
            "added": {c: tokenizer.token_to_id(c) for _, c in entries}}


def config_case(name, entries):
    from transformers import AutoTokenizer

    files = {"vocab.txt": "".join(token + "\n" for token in VOCAB),
             "tokenizer_config.json": json.dumps(tokenizer_config(entries), ensure_ascii=False)}
    with tempfile.TemporaryDirectory() as tmp:
        for file, content in files.items():
            with open(os.path.join(tmp, file), "w", encoding="utf-8") as f:
                f.write(content)
        tokenizer = AutoTokenizer.from_pretrained(tmp)
        ids = [tokenizer(q, d)["input_ids"] for q, d in PAIRS]
        return {"name": name, "loader": "vocab.txt", "files": files, "pairs": PAIRS,
                "expected_ids": ids, "vocab_size": len(tokenizer),
                "added": {c: tokenizer.convert_tokens_to_ids(c) for _, c in entries}}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--allow-other-versions", action="store_true")
    args = parser.parse_args()
    import tokenizers
    import transformers

    if tokenizers.__version__ != PINNED and not args.allow_other_versions:
        sys.exit(f"tokenizers {tokenizers.__version__}, pinned {PINNED}")
    cases = [json_case(n, e) for n, e in JSON_CASES] + [config_case(n, e) for n, e in CONFIG_CASES]
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump({"cases": cases, "versions": {"tokenizers": tokenizers.__version__,
                                                "transformers": transformers.__version__}},
                  f, ensure_ascii=False, indent=1)
        f.write("\n")
    for case in cases:
        print(f"{case['name']}: added {case['added']}, vocab {case['vocab_size']}")


if __name__ == "__main__":
    main()

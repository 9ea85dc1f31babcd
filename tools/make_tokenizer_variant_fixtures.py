#!/usr/bin/env python3
"""Makes tests/fixtures/xlmr_tokenizer/variants.jsonl and unicode_forms.tsv (issue 16).

XLM-R's own pipeline (Precompiled, Strip, Replace; Metaspace; TemplateProcessing) is covered by
make_xlmr_tokenizer_fixtures.py. Other Unigram tokenizer.json files combine the remaining
components the loader accepts: NFC / NFD / NFKC / NFKD, Lowercase, Prepend, Strip on both sides,
literal Replace, a null pre-tokenizer, Metaspace with prepend_scheme first / never and split
off, WhitespaceSplit, Sequence, RobertaProcessing. Committing a tokenizer.json per combination
would copy the 574 KB vocabulary each time, so this tool stores only the components: the test
splices each variant's normalizer, pre_tokenizer and post_processor into the committed
tokenizer.json and compares ids with what Hugging Face `tokenizers` produced for the same
splice here.

    variants.jsonl     one line per variant: name, normalizer, pre_tokenizer, post_processor
                       (null keeps the base one; a pre_tokenizer is wrapped as {"value": ...}, so
                       that a null one can be written; a Precompiled step's charsmap is written
                       as "BASE", meaning the committed tokenizer.json's) and "expected": per short hard case of
                       hard_cases.jsonl (no max_length field, both texts under 600 characters),
                       in file order, [case name, token count, hash] (longest_first,
                       max_length 512, encode_batch, which keeps an empty second text). The hash
                       is msmarco_pairs.tsv's: 16 hex digits of the 64-bit FNV-1a over, per
                       position, the 4 little-endian bytes of the id then the 4 of the type id
                       (always 0). Ids in full would make the file 450 KB.
    unicode_forms.tsv  for NFC, NFD, NFKC, NFKD and Lowercase alone, per block of 4,096 code
                       points: "<form>\\t<first code point hex>\\t<16 hex digits>", the 64-bit
                       FNV-1a (basis 0xcbf29ce484222325, prime 0x100000001b3) over, for every
                       scalar value of the block in order (surrogates skipped), the UTF-8 of
                       normalize_str(chr(cp)) followed by one 0xFF byte (never in UTF-8).

Pinned: tokenizers==0.23.3 (refuses others unless --allow-other-versions).
    python3 -m venv /tmp/xlmr-venv && /tmp/xlmr-venv/bin/pip install tokenizers==0.23.3
    /tmp/xlmr-venv/bin/python tools/make_tokenizer_variant_fixtures.py      # ~30 s
"""
import argparse
import copy
import json
import os
import sys

import tokenizers
from tokenizers import Tokenizer, normalizers

PINNED = "0.23.3"
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "tests", "fixtures", "xlmr_tokenizer")
SHORT_TEXT = 600

METASPACE = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always",
             "split": True}
ROBERTA = {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0],
           "trim_offsets": True, "add_prefix_space": True}


def metaspace(**changes):
    step = dict(METASPACE)
    step.update(changes)
    return step


def replace_regex(pattern, content):
    return {"type": "Replace", "pattern": {"Regex": pattern}, "content": content}


def replace_string(pattern, content):
    return {"type": "Replace", "pattern": {"String": pattern}, "content": content}


def sequence(*steps):
    return {"type": "Sequence", "normalizers": list(steps)}


def pre_sequence(*steps):
    return {"type": "Sequence", "pretokenizers": list(steps)}


# name, normalizer, pre_tokenizer, post_processor ("base" keeps the committed one).
VARIANTS = [
    ("NFC", {"type": "NFC"}, "base", "base"),
    ("NFD", {"type": "NFD"}, "base", "base"),
    ("NFKC", {"type": "NFKC"}, "base", "base"),
    ("NFKD", {"type": "NFKD"}, "base", "base"),
    ("Lowercase", {"type": "Lowercase"}, "base", "base"),
    ("Sequence[NFKC, Lowercase]", sequence({"type": "NFKC"}, {"type": "Lowercase"}), "base",
     "base"),
    ("Sequence[NFD, Strip both, Lowercase, Replace regex]",
     sequence({"type": "NFD"}, {"type": "Strip", "strip_left": True, "strip_right": True},
              {"type": "Lowercase"}, replace_regex(" {2,}", "\u2581")), "base", "base"),
    ("Sequence[Precompiled, Lowercase]", "base+lowercase", "base", "base"),
    ("Sequence[Replace string, Replace string] (ss, tabs)",
     sequence(replace_string("\u00df", "ss"), replace_string("\t", " ")), "base", "base"),
    ("Prepend + Replace space, no pre-tokenizer",
     sequence({"type": "Prepend", "prepend": "\u2581"}, replace_string(" ", "\u2581")), None,
     "base"),
    ("Metaspace prepend_scheme first", "base", metaspace(prepend_scheme="first"), "base"),
    ("Metaspace prepend_scheme never", "base", metaspace(prepend_scheme="never"), "base"),
    ("Metaspace split false", "base", metaspace(split=False), "base"),
    ("Sequence[WhitespaceSplit, Metaspace]", "base",
     pre_sequence({"type": "WhitespaceSplit"}, metaspace()), "base"),
    ("RobertaProcessing", "base", "base", ROBERTA),
]


def build(base, normalizer, pre_tokenizer, post_processor):
    spec = copy.deepcopy(base)
    if normalizer == "base+lowercase":
        spec["normalizer"] = sequence(base["normalizer"]["normalizers"][0], {"type": "Lowercase"})
    elif normalizer != "base":
        spec["normalizer"] = normalizer
    if pre_tokenizer != "base":
        spec["pre_tokenizer"] = pre_tokenizer
    if post_processor != "base":
        spec["post_processor"] = post_processor
    return spec


def short_cases():
    cases = []
    with open(os.path.join(FIXTURES, "hard_cases.jsonl"), encoding="utf-8") as f:
        for line in f:
            case = json.loads(line)
            if "max_length" in case or "truncation" in case or "direction" in case:
                continue
            if len(case["query"]) > SHORT_TEXT or len(case["document"]) > SHORT_TEXT:
                continue
            cases.append(case)
    return cases


def fnv1a(data, h):
    for byte in data:
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def unicode_form_rows():
    forms = [("NFC", normalizers.NFC()), ("NFD", normalizers.NFD()), ("NFKC", normalizers.NFKC()),
             ("NFKD", normalizers.NFKD()), ("Lowercase", normalizers.Lowercase())]
    rows = []
    for name, norm in forms:
        for block in range(0, 0x110000, 4096):
            h = 0xCBF29CE484222325
            for cp in range(block, block + 4096):
                if 0xD800 <= cp <= 0xDFFF:
                    continue
                h = fnv1a(norm.normalize_str(chr(cp)).encode("utf-8") + b"\xff", h)
            rows.append(f"{name}\t{block:04X}\t{h:016x}\n")
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--allow-other-versions", action="store_true")
    args = parser.parse_args()
    if tokenizers.__version__ != PINNED:
        msg = f"tokenizers {tokenizers.__version__} is not the pinned {PINNED}"
        if not args.allow_other_versions:
            sys.exit(msg + " (pass --allow-other-versions to go on)")
        print("WARNING:", msg)

    with open(os.path.join(FIXTURES, "tokenizer.json"), encoding="utf-8") as f:
        base = json.load(f)
    cases = short_cases()
    lines = []
    for name, normalizer, pre_tokenizer, post_processor in VARIANTS:
        spec = build(base, normalizer, pre_tokenizer, post_processor)
        tok = Tokenizer.from_str(json.dumps(spec))
        tok.enable_truncation(512, strategy="longest_first")
        encodings = tok.encode_batch([(c["query"], c["document"]) for c in cases])
        expected = []
        for case, enc in zip(cases, encodings):
            assert all(t == 0 for t in enc.type_ids), (name, case["name"])
            h = 0xCBF29CE484222325
            for token in enc.ids:
                h = fnv1a(token.to_bytes(4, "little") + bytes(4), h)
            expected.append([case["name"], len(enc.ids), f"{h:016x}"])
        written = None if normalizer == "base" else copy.deepcopy(spec["normalizer"])
        for step in (written or {}).get("normalizers", []):
            if step["type"] == "Precompiled":
                step["precompiled_charsmap"] = "BASE"
        lines.append(json.dumps({
            "name": name,
            "normalizer": written,
            "pre_tokenizer": None if pre_tokenizer == "base" else {"value": spec["pre_tokenizer"]},
            "post_processor": None if post_processor == "base" else spec["post_processor"],
            "expected": expected}, ensure_ascii=False, separators=(",", ":")) + "\n")
    with open(os.path.join(FIXTURES, "variants.jsonl"), "w", encoding="utf-8") as f:
        f.writelines(lines)
    with open(os.path.join(FIXTURES, "unicode_forms.tsv"), "w", encoding="ascii") as f:
        f.writelines(unicode_form_rows())
    print(f"{len(VARIANTS)} variants x {len(cases)} cases; unicode_forms.tsv written")


if __name__ == "__main__":
    main()

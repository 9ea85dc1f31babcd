#!/usr/bin/env python3
"""Compares rerankd's BertNormalizer / BertPreTokenizer with Hugging Face `tokenizers` for every
Unicode scalar value.

Runs the C++ dump (build target `text_unicode_dump`, see tests/unit/text/unicode_dump.cc) and
computes the same four columns with `tokenizers`:
  normalize(chr(cp)) with the default BertNormalizer (clean, chinese, strip accents, lowercase),
  with strip_accents=False, with only strip_accents (no clean, no chinese, no lowercase), and
  BertPreTokenizer on "a" + chr(cp) + "b".
Prints every difference (grouped) and exits 1 if there is any.

Usage: tools/check_unicode_parity.py build/<dir>/tests/unit/text/text_unicode_dump
"""
import subprocess
import sys

from tokenizers import normalizers, pre_tokenizers

COLUMNS = ["normalize(default)", "normalize(no strip)", "normalize(strip only)", "pre_tokenize"]


def hf_row(cp, norms, pre):
    s = chr(cp)
    cols = [n.normalize_str(s).encode().hex() for n in norms]
    words = pre.pre_tokenize_str("a" + s + "b")
    cols.append(",".join(w.encode().hex() for w, _ in words))
    return cols


def main():
    dump = sys.argv[1]
    norms = [
        normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=True, lowercase=True),
        normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=False, lowercase=True),
        normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=False, strip_accents=True, lowercase=False),
    ]
    pre = pre_tokenizers.BertPreTokenizer()
    proc = subprocess.Popen([dump], stdout=subprocess.PIPE, text=True)
    diffs = {c: [] for c in COLUMNS}
    count = 0
    for line in proc.stdout:
        fields = line.rstrip("\n").split("\t")
        cp = int(fields[0], 16)
        ours = fields[1:]
        theirs = hf_row(cp, norms, pre)
        count += 1
        for name, a, b in zip(COLUMNS, ours, theirs):
            if a != b:
                diffs[name].append((cp, a, b))
    proc.wait()
    total = 0
    for name, rows in diffs.items():
        total += len(rows)
        print(f"{name}: {len(rows)} code points differ")
        for cp, a, b in rows[:4000]:
            dec = lambda h: ",".join(repr(bytes.fromhex(x).decode()) for x in h.split(",")) if h else "''"
            print(f"  U+{cp:04X} ours={dec(a)} hf={dec(b)}")
    print(f"checked {count} code points, {total} differences")
    return 1 if total or count != 0x110000 - 0x800 else 0


if __name__ == "__main__":
    sys.exit(main())

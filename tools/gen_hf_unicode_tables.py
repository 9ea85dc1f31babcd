#!/usr/bin/env python3
"""Writes src/text/hf_unicode_tables.inc: where Hugging Face `tokenizers` disagrees with
utf8proc's (newer) Unicode data.

HF's BertNormalizer / BertPreTokenizer take character classes from the `unicode_categories`
crate (old tables: no Mn/P*/Cf added in later Unicode versions), NFD from
`unicode-normalization-alignments` (an older table) and lowercase from Rust std (newer than our
utf8proc). We keep utf8proc as the data source and list HF's differences explicitly.

For every scalar value this compares utf8proc's answers (`text_unicode_dump --raw`) with what HF
does to the character:
  removed by clean_text      <- BertNormalizer(strip_accents=False).normalize_str(c) == ""
  punctuation (non-ASCII)    <- BertPreTokenizer splits "a" + c + "b" into three words
  nonspacing mark (Mn)       <- strip-only BertNormalizer removes c (c has no decomposition)
  NFD decomposes c           <- strip-only output equals utf8proc's decomposition minus marks
  NFKD changes c             <- normalizers.NFKD().normalize_str(c) != c (the NFC/NFD/NFKC/NFKD
                                steps of other tokenizer.json files use the same old table)
  lowercase                  <- BertNormalizer(strip_accents=False) output of a plain character

Usage: tools/gen_hf_unicode_tables.py build/<dir>/tests/unit/text/text_unicode_dump
Then rebuild and run tools/check_unicode_parity.py, which must report 0 differences.
"""
import subprocess
import sys

import tokenizers
from tokenizers import normalizers, pre_tokenizers

OUT = "src/text/hf_unicode_tables.inc"
WHITESPACE = {0x9, 0xA, 0xB, 0xC, 0xD, 0x20, 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000} | set(range(0x2000, 0x200B))
CHINESE = [(0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F), (0x2B740, 0x2B81F),
           (0x2B920, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F)]


def is_chinese(cp):
    return any(a <= cp <= b for a, b in CHINESE)


def ranges(cps):
    out = []
    for cp in sorted(cps):
        if out and out[-1][1] == cp - 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return out


def emit_ranges(f, name, why, cps):
    rs = ranges(cps)
    f.write(f"// {why}\ninline constexpr std::array<CodeRange, {len(rs)}> {name} = {{{{\n")
    for a, b in rs:
        f.write(f"    {{0x{a:X}, 0x{b:X}}},\n")
    f.write("}};\n\n")


def main():
    dump = sys.argv[1]
    no_strip = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=False, lowercase=True)
    strip_only = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=False, strip_accents=True, lowercase=False)
    pre = pre_tokenizers.BertPreTokenizer()
    nfkd = normalizers.NFKD()
    raw = {}
    for line in subprocess.run([dump, "--raw"], capture_output=True, text=True, check=True).stdout.splitlines():
        cp, flags, dec, low = line.split("\t")
        raw[int(cp, 16)] = (flags, bytes.fromhex(dec).decode(), bytes.fromhex(low).decode())
    hf_mn = {}
    sets = {k: set() for k in ["not_other", "extra_other", "not_punct", "extra_punct", "not_mn", "extra_mn", "no_nfd", "no_nfkd", "extra_nfkd"]}
    lower = {}
    for cp, (flags, dec, low) in raw.items():
        c = chr(cp)
        if dec == c:
            hf_mn[cp] = strip_only.normalize_str(c) == ""
            if hf_mn[cp] != (flags[2] == "1"):
                sets["not_mn" if flags[2] == "1" else "extra_mn"].add(cp)
        if cp in (0, 0xFFFD, 0x9, 0xA, 0xD):
            continue  # explicit rules in hf_unicode.cc
        removed = no_strip.normalize_str(c) == ""
        if removed != (flags[0] == "1"):
            sets["not_other" if flags[0] == "1" else "extra_other"].add(cp)
        if cp >= 0x80 and cp not in WHITESPACE:
            punct = len(pre.pre_tokenize_str("a" + c + "b")) == 3
            if punct != (flags[1] == "1"):
                sets["not_punct" if flags[1] == "1" else "extra_punct"].add(cp)
        if not removed and cp not in WHITESPACE and not is_chinese(cp) and cp != 0x130:
            hf_low = no_strip.normalize_str(c)
            if hf_low != low:
                assert len(hf_low) == 1, (hex(cp), hf_low)
                lower[cp] = ord(hf_low)
    for cp, (flags, dec, low) in raw.items():
        changed = nfkd.normalize_str(chr(cp)) != chr(cp)
        if changed != (flags[3] == "1"):
            sets["no_nfkd" if flags[3] == "1" else "extra_nfkd"].add(cp)
    unresolved = []
    for cp, (flags, dec, low) in raw.items():
        if dec == chr(cp):
            continue
        got = strip_only.normalize_str(chr(cp))
        expected = "".join(d for d in dec if not hf_mn.get(ord(d), False))
        if got == expected:
            continue
        if got == chr(cp) or (got == "" and hf_mn.get(cp, False)):
            sets["no_nfd"].add(cp)
        else:
            unresolved.append((cp, got, expected))
    for cp, got, expected in unresolved:
        print(f"unresolved NFD U+{cp:04X}: hf={got!r} expected={expected!r}", file=sys.stderr)
    with open(OUT, "w") as f:
        f.write(f"// Generated by tools/gen_hf_unicode_tables.py (tokenizers {tokenizers.__version__}); do not edit.\n")
        f.write("// Where Hugging Face `tokenizers` disagrees with utf8proc's Unicode data; see hf_unicode.cc.\n\n")
        emit_ranges(f, "kHfNotOther", "utf8proc Cc/Cf/Co/Cs that HF's is_other (unicode_categories) misses: clean_text keeps them.", sets["not_other"])
        emit_ranges(f, "kHfExtraOther", "Not Cc/Cf/Co/Cs in utf8proc, yet HF's clean_text removes them.", sets["extra_other"])
        emit_ranges(f, "kHfNotPunctuation", "utf8proc P* that HF's is_punctuation (unicode_categories) misses: not split off.", sets["not_punct"])
        emit_ranges(f, "kHfExtraPunctuation", "Not P* in utf8proc, yet HF's BertPreTokenizer splits them off.", sets["extra_punct"])
        emit_ranges(f, "kHfNotNonspacingMark", "utf8proc Mn that HF's is_mark_nonspacing (unicode_categories) misses: accents kept.", sets["not_mn"])
        emit_ranges(f, "kHfExtraNonspacingMark", "Not Mn in utf8proc, yet HF strips them as accents.", sets["extra_mn"])
        emit_ranges(f, "kHfNoDecomposition", "Canonical decompositions newer than HF's NFD table (unicode-normalization-alignments).", sets["no_nfd"])
        emit_ranges(f, "kHfNoCompatDecomposition", "Compatibility or canonical decompositions newer than HF's NFKD table: NFKC/NFKD keep them.", sets["no_nfkd"])
        f.write("// Rust char::to_lowercase (a newer Unicode than utf8proc's) where it differs from utf8proc.\n")
        f.write(f"inline constexpr std::array<LowercaseMapping, {len(lower)}> kHfLowercase = {{{{\n")
        for cp in sorted(lower):
            f.write(f"    {{0x{cp:X}, 0x{lower[cp]:X}}},\n")
        f.write("}};\n")
    for k, v in sets.items():
        print(f"{k}: {len(v)} code points, {len(ranges(v))} ranges")
    print(f"lowercase: {len(lower)} mappings; unresolved NFD: {len(unresolved)}")
    if sets["extra_nfkd"]:
        print(f"unresolved: HF's NFKD changes {len(sets['extra_nfkd'])} code points utf8proc keeps", file=sys.stderr)
    return 1 if unresolved or sets["extra_nfkd"] else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Makes the XLM-RoBERTa (SentencePiece Unigram) tokenizer fixtures of issue 16.

A small XLM-R-style tokenizer is trained here, because a real XLM-R tokenizer.json (17 MB, 250k
pieces) cannot be committed: SentencePiece Unigram, nmt_nfkc normalization, vocab 4000, no byte
fallback, converted with transformers' XLMRobertaConverter exactly as XLM-R's tokenizer.json was.
The C++ Unigram tokenizer is then tested against Hugging Face `tokenizers` on these files.

Pinned environment (the output is byte-identical only with these versions; the script refuses
other versions unless --allow-other-versions is given):
    python 3.11.7
    sentencepiece==0.2.3  transformers==5.24.0  tokenizers==0.23.3  protobuf==7.36.2
    (transformers' own dependencies as pip resolved them: huggingface_hub==2.4.0, numpy==2.4.6,
    safetensors==0.8.0, regex==2026.11.19, PyYAML==6.0.4, packaging==26.4; torch not installed)
  python3 -m venv /tmp/xlmr-venv
  /tmp/xlmr-venv/bin/pip install sentencepiece==0.2.3 transformers==5.24.0 \\
      tokenizers==0.23.3 protobuf==7.36.2
  /tmp/xlmr-venv/bin/python tools/make_xlmr_tokenizer_fixtures.py [--data ../shared/data]

What it does, deterministically (fixed input order, fixed seed, one thread):
 a. Corpus: every distinct MS MARCO passage of <data>/msmarco/dev_small_bm25top20_600q.tsv
    (field 5, in order of first appearance) followed by the hand-written lines of
    tests/fixtures/xlmr_tokenizer/multilingual_sentences.txt.
 b. SentencePiece Unigram: vocab_size 4000, nmt_nfkc, character_coverage 1.0, byte_fallback
    off, num_threads 1, unk_id 0, bos_id 1 (<s>), eos_id 2 (</s>), pad_id -1 (none). That is
    the layout of XLM-R's sentencepiece.bpe.model, which the converter relies on: it drops
    SentencePiece pieces 0..2 and puts fairseq's <s>=0 <pad>=1 </s>=2 <unk>=3 in front, so
    SentencePiece id i >= 3 becomes id i + 1 (fairseq_offset 1), and appends <mask> as the last
    id (4000 + 1 = 4001). 4002 ids in all.
 c. Conversion. transformers 5 ignores XLMRobertaTokenizer(vocab_file=...) (a 5-token
    vocabulary). What works is XLMRobertaTokenizer.from_pretrained(<folder holding
    sentencepiece.bpe.model>), which reads the .model and sets .vocab_file; that object is the
    converter's input: XLMRobertaConverter(it).converted(). The result is wrapped in an
    XLMRobertaTokenizer (tokenizer_object=..., model_max_length 512, <mask> with lstrip as
    XLM-R's own) and saved with save_pretrained; tokenizer.json and tokenizer_config.json are
    copied from that save. transformers 5 no longer writes special_tokens_map.json, so it is
    written here as transformers 4's XLMRobertaTokenizerFast.save_pretrained wrote it.
 d. Expected output of tokenizers.Tokenizer.from_file(tokenizer.json), pairs encoded
    <s> A </s></s> B </s> with encode_batch (which, like sentence-transformers' CrossEncoder,
    keeps an empty second text); all token type ids are 0 (asserted):
      msmarco_pairs.tsv      one line per MS MARCO row, "<token count>\\t<16 hex digits>",
                             truncation longest_first, max_length 512. The hash is the 64-bit
                             FNV-1a of tools/make_tokenizer_fixtures.py (offset basis
                             0xcbf29ce484222325, prime 0x100000001b3) over, per position, the 4
                             little-endian bytes of input_ids[i] then the 4 of token_type_ids[i]
                             (always 0 here).
      hard_cases.jsonl       the inputs, written from HARD_CASES below plus generated long ones:
                             name, query, document, optional max_length (default 512),
                             truncation ("longest_first" default | "only_second" | "none"),
                             direction ("right" default | "left").
      hard_cases_expected.jsonl
                             per case: name and input_ids, or "error": true when tokenizers
                             refuses or, for "none", the pair is longer than max_length.
      offsets_expected.jsonl per hard-case text under 1,000 characters, alone: ids, special
                             tokens mask, offsets in UTF-8 bytes, decode with and without
                             special tokens (the format of tests/fixtures/tokenizer's).
      normalizer_code_points.tsv
                             for every scalar value U+0000..U+10FFFF (no surrogates) whose
                             tok.normalizer.normalize_str(chr(cp)) differs from chr(cp):
                             "<hex code point>\\t<hex of the UTF-8 of the result>" (empty
                             second field when the result is empty). Gzipped (mtime 0) as
                             .tsv.gz only if it were over 3 MB.
 e. Prints a summary, including informational cross-checks against sentencepiece itself and
    against transformers 5's AutoTokenizer (which rebuilds its own pipeline).
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import shutil
import sys
import tempfile

os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import sentencepiece as spm  # noqa: E402
import tokenizers  # noqa: E402
import transformers  # noqa: E402
import google.protobuf  # noqa: E402
from tokenizers import AddedToken, Tokenizer  # noqa: E402
from transformers import AutoTokenizer, XLMRobertaTokenizer  # noqa: E402
from transformers.convert_slow_tokenizer import XLMRobertaConverter  # noqa: E402

# The BERT fixtures' pair hash, so both tokenizers' msmarco_pairs.tsv are read by one C++ check
# (tools/ is on the path when run as a script).
from make_tokenizer_fixtures import fnv1a, write_offsets  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "tests", "fixtures", "xlmr_tokenizer")

PINNED = {"sentencepiece": "0.2.3", "transformers": "5.24.0", "tokenizers": "0.23.3",
          "protobuf": "7.36.2"}
SPM_VOCAB = 4000
SEED = 16
GZIP_OVER = 3 * 1024 * 1024

# Scripts that are nowhere in the training corpus (checked): their characters must become <unk>.
UNSEEN_SCRIPTS = [(0x10A0, 0x10FF, "Georgian"), (0x0530, 0x058F, "Armenian"),
                  (0x1200, 0x137F, "Ethiopic"), (0x0B80, 0x0BFF, "Tamil"),
                  (0x1780, 0x17FF, "Khmer"), (0x16A0, 0x16FF, "Runic"),
                  (0x10330, 0x1034F, "Gothic"), (0x12000, 0x123FF, "Cuneiform")]


# ---------------------------------------------------------------------------------------------
# Hand-written hard cases. Invisible characters are written as escapes.
HARD_CASES = [
    # accents and combining marks
    {"name": "accents precomposed", "query": "Crème brûlée à São Paulo",
     "document": "Ça coûte très cher, señor; Zürich, Ångström, façade, naïve"},
    {"name": "vietnamese stacked accents", "query": "Tiếng Việt có dấu",
     "document": "Phở bò ở Hà Nội, Sài Gòn và Huế"},
    {"name": "combining marks decomposed (NFD input)", "query": "e\u0301cole cafe\u0301",
     "document": "Vie\u0323\u0302t Nam, man\u0303ana, A\u030angstro\u0308m"},
    {"name": "combining marks stacked", "query": "Z\u0351\u036b\u0343a\u0310l\u0352g\u0301o",
     "document": "t\u0300\u0315ext wi\u0334\u0335th m\u0336arks"},
    {"name": "combining mark alone and after space", "query": "\u0301",
     "document": "a \u0301 b \u20dd c\u0327"},
    {"name": "hangul precomposed", "query": "한국어 형태소", "document": "대한민국 서울특별시"},
    {"name": "hangul decomposed jamo", "query": "\u1112\u1161\u11ab\u1100\u116e\u11a8",
     "document": "\u1109\u1165\u110b\u116e\u11af"},
    # NFKC compatibility forms
    {"name": "full-width latin", "query": "ＦＵＬＬ　ｗｉｄｔｈ１２３",
     "document": "Ｈｅｌｌｏ，　Ｗｏｒｌｄ！　（ｔｅｓｔ）"},
    {"name": "half-width katakana", "query": "ｶﾀｶﾅ ﾃｽﾄ", "document": "ﾊﾟﾝ ｶﾞｷﾞ ｰ"},
    {"name": "ligatures", "query": "ﬁnd the ﬂow oﬀ", "document": "eﬃcient baﬄe ﬆop ĳs ǆ Œuvre æ"},
    {"name": "circled and enclosed", "query": "① ② ⑩ ⑳ ㉑ ㊿", "document": "Ⓐ ⓩ ⒜ ⑴ ⒈ 🄰 ㋀"},
    {"name": "superscripts and subscripts", "query": "m² m³ x⁴ y⁻¹ ⁽ⁿ⁾",
     "document": "H₂O CO₂ ₍₁₎ ª º"},
    {"name": "squared units and letterlike", "query": "20 ㎏ 30 ㎡ 5 ㎞ 7 ㎖",
     "document": "㍿ ㍻ ㏄ ℃ ℉ № ™ ℡ Å"},
    {"name": "roman numerals and fractions", "query": "Ⅻ ⅷ Ⅳ ⅿ", "document": "½ ⅓ ¾ ⅞ 1⁄4"},
    {"name": "math alphanumerics", "query": "𝐀𝐁𝐂 𝒳 𝔄 𝕏 𝟙𝟚", "document": "ℌ ℍ ℕ ℝ ℤ ϵ ϑ"},
    {"name": "compat char plus combining mark", "query": "ﬁ\u0301 Ａ\u0301 ①\u0301",
     "document": "ｶ\u3099 ｶﾞ ﬀ\u0308"},
    {"name": "cjk compatibility and kangxi", "query": "\uf900\uf901\ufa0e",
     "document": "\u2f00\u2f08 \u3280 \u32a4"},
    {"name": "arabic presentation forms", "query": "ﻻ ﷲ ﷺ", "document": "ﺍﻟﻌﺮﺑﻴﺔ ﻣﺮﺣﺒﺎ"},
    # scripts, no spaces where the script has none
    {"name": "chinese no spaces", "query": "请问去火车站怎么走",
     "document": "今天早上下了一场大雨，街道上到处都是积水。图书馆周一闭馆。"},
    {"name": "chinese traditional", "query": "這座橋的歷史", "document": "學生們在教室裡認真地準備考試。"},
    {"name": "japanese kana and kanji no spaces", "query": "郵便局はどこにありますか",
     "document": "東京から大阪まで新幹線でおよそ二時間半かかります。コンピューターの電源が切れた。"},
    {"name": "thai no spaces", "query": "รถไฟไปเชียงใหม่ออกกี่โมง",
     "document": "ห้องสมุดเปิดให้บริการทุกวันยกเว้นวันจันทร์และตลาดน้ำมีผลไม้สด"},
    {"name": "arabic with harakat", "query": "مَرْحَبًا بِكُمْ",
     "document": "ذهبنا إلى السوق في الصباح لشراء الخبز ١٢٣ ٤٥٦"},
    {"name": "hebrew with niqqud", "query": "שָׁלוֹם עֲלֵיכֶם", "document": "הספרייה פתוחה עד שמונה בערב"},
    {"name": "devanagari nukta and conjuncts", "query": "क़ ख़ ज़ फ़ \u0958",
     "document": "क्षत्रिय श्री द्वार हिन्दी भाषा।"},
    {"name": "bengali", "query": "বৃষ্টির পর মাঠ", "document": "আমাদের স্কুলের গ্রন্থাগারে নতুন বই ৷ ১২৩"},
    {"name": "greek and final sigma", "query": "ΟΔΟΣ οδός Ψάχνω",
     "document": "Άνοιξε το παράθυρο ΐ ΰ"},
    {"name": "cyrillic", "query": "Привет, мир! ЁЖИК", "document": "Москва — столица. Ёлка, ёж"},
    {"name": "mixed scripts in one word", "query": "abcабвαβγ", "document": "東京Tokyo서울Seoulกรุงเทพ"},
    # emoji
    {"name": "emoji zwj family", "query": "👩‍👩‍👧 family",
     "document": "👨‍👩‍👧‍👦 and 👩🏽‍💻 at work"},
    {"name": "emoji flags and keycaps", "query": "🇯🇵 🇫🇷 🏳️‍🌈", "document": "1️⃣ #️⃣ ❤️ ☺︎"},
    {"name": "emoji skin tones", "query": "👍🏽👍🏿", "document": "👋🏻 wave 🙏"},
    {"name": "emoji unseen in training", "query": "🦩🧊🪼", "document": "😀😁😂🤣"},
    # zero-width, format and control characters
    {"name": "zero width characters", "query": "a\u200bb\u200cc\u200dd\ufeffe\u2060f\u00adg",
     "document": "\ufeffstart and end\u200b"},
    {"name": "zero width alone", "query": "\u200d", "document": "\u200b"},
    {"name": "bom and word joiner alone", "query": "\ufeff", "document": "\u2060"},
    {"name": "c0 controls all", "query": "".join(chr(i) for i in range(32)) + "x",
     "document": "a\u0000b\u0001c\u001fd\u007fe"},
    {"name": "c0 controls between words", "query": "tab\there\nnew\rline\u000bvt\u000cff",
     "document": "nul\u0000nul bell\u0007 esc\u001b[0m"},
    {"name": "nul only", "query": "\u0000", "document": "\u0000\u0000"},
    {"name": "c1 controls and separators", "query": "a\u0085b\u0080c\u009fd",
     "document": "\u2028line\u2029para"},
    {"name": "bidi and format marks", "query": "\u200eLTR\u200f \u202aemb\u202c \u2066iso\u2069",
     "document": "\u061c\u180e\u034fx"},
    # whitespace
    {"name": "runs of spaces", "query": "a  b   c    d", "document": "x" + " " * 20 + "y"},
    {"name": "tabs and newlines", "query": "a\t\tb\n\nc\r\n",
     "document": "line one\nline two\n\n\tindented"},
    {"name": "mixed whitespace runs", "query": " \t \n a \t\n b \n\t ",
     "document": "\u00a0\u3000\u2003x\u2009\u202fy\u205f"},
    {"name": "leading and trailing spaces", "query": "   leading", "document": "trailing   "},
    {"name": "single leading and trailing space", "query": " a", "document": "b "},
    {"name": "leading tab and newline", "query": "\tq", "document": "\nd\n"},
    {"name": "only whitespace", "query": "   ", "document": "\t\n \u3000"},
    {"name": "ideographic spaces between cjk", "query": "東京\u3000大阪", "document": "한국\u3000\u3000어"},
    {"name": "metaspace character in text", "query": "▁", "document": "a▁b ▁▁c ▁word"},
    # empty texts (the empty second text is kept: <s> A </s></s> </s>)
    {"name": "empty both", "query": "", "document": ""},
    {"name": "empty query", "query": "", "document": "a short document"},
    {"name": "empty document", "query": "a short query", "document": ""},
    {"name": "empty after normalization", "query": "\u200b\ufeff", "document": "\u0001\u0002 "},
    # unknown characters (scripts absent from training)
    {"name": "unknown scripts", "query": "ქართული ენა",
     "document": "Հայերեն ሰላም தமிழ் ភាសាខ្មែរ"},
    {"name": "unknown inside a word", "query": "abcქdef", "document": "test𐌰𐌱𐌲test"},
    {"name": "unknown astral", "query": "𒀀𒀁 cuneiform", "document": "ᚠᚢᚦ runes"},
    {"name": "private use and unassigned", "query": "\ue000\uf8ff",
     "document": "\U000f0000 \U0010fffd \u0378"},
    {"name": "replacement char and mojibake", "query": "\ufffd bad byte",
     "document": "cafÃ© â€™ â€œquotedâ€\x9d â¦"},
    # special tokens written in the text
    {"name": "special tokens in text", "query": "<s> hello </s>",
     "document": "a <mask> b <pad> c <unk> d</s></s>"},
    {"name": "mask lstrip", "query": "word <mask>", "document": "word<mask>word   <mask> x"},
    {"name": "special-like text", "query": "<S> </ s> <mask", "document": "<<s>> <s><s>"},
    # misc
    {"name": "digits urls and punctuation", "query": "3.14159 1,000,000 2024-05-01",
     "document": "e-mail: someone@example.com, https://example.org/a?b=c&d=e#f (ok) [x] {y}"},
    {"name": "long word", "query": "x" * 100,
     "document": "Pneumonoultramicroscopicsilicovolcanoconiosis" * 3},
    {"name": "repeated character runs", "query": "!!!!!!!!!!????",
     "document": "a" * 40 + " " + "ー" * 10},
    {"name": "viterbi ties", "query": "only.... wait.... the garden.... 2",
     "document": "______________, -8888- ...... ----"},
    {"name": "msmarco style", "query": "what is the population of new york city",
     "document": "The population of New York City was estimated at 8,336,817 in 2019."},
]

# Truncation at the edges. XLM-R pairs carry 4 special tokens.
SHORT_A = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
SHORT_B = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi "
           "rho sigma")
TRUNCATION_CASES = [
    {"name": "lf 16 both long", "query": SHORT_A, "document": SHORT_B, "max_length": 16},
    {"name": "lf 17 both long", "query": SHORT_A, "document": SHORT_B, "max_length": 17},
    {"name": "lf 16 query longer", "query": SHORT_B, "document": "short doc", "max_length": 16},
    {"name": "lf 17 equal", "query": SHORT_A, "document": SHORT_A, "max_length": 17},
    {"name": "lf 16 short query", "query": "hi", "document": SHORT_B, "max_length": 16},
    {"name": "lf 5 budget one", "query": "abc def", "document": "ghi jkl", "max_length": 5},
    {"name": "lf 4 budget zero", "query": "abc def", "document": "ghi jkl", "max_length": 4},
    {"name": "lf 3 below specials", "query": "abc", "document": "def", "max_length": 3},
    {"name": "lf 16 multilingual", "query": "東京から大阪まで新幹線で",
     "document": "ห้องสมุดเปิดให้บริการทุกวัน", "max_length": 16},
    {"name": "only_second 16", "query": "short query", "document": SHORT_B, "max_length": 16,
     "truncation": "only_second"},
    {"name": "only_second query too long", "query": SHORT_A + " " + SHORT_B,
     "document": "doc", "max_length": 16, "truncation": "only_second"},
    {"name": "none fits", "query": "abc", "document": "def", "max_length": 16,
     "truncation": "none"},
    {"name": "none too long", "query": SHORT_A, "document": SHORT_B, "max_length": 16,
     "truncation": "none"},
    {"name": "left lf 16 both long", "query": SHORT_A, "document": SHORT_B, "max_length": 16,
     "direction": "left"},
    {"name": "left lf 17 query longer", "query": SHORT_B, "document": "short doc",
     "max_length": 17, "direction": "left"},
    {"name": "left only_second 12", "query": "short query", "document": SHORT_B,
     "max_length": 12, "truncation": "only_second", "direction": "left"},
    {"name": "left fits untouched", "query": "abc", "document": "def", "max_length": 64,
     "direction": "left"},
]


def long_cases(tok, sentences):
    """Pairs over 512 and over 8192 tokens, built deterministically from fixed text."""
    english = " ".join(s for s in sentences[:10])
    mixed = " ".join(sentences[10::7])  # a slice through all the languages
    long_q = mixed  # about 650 tokens
    long_d = " ".join([english, mixed])  # about 890 tokens
    cases = [
        {"name": "both over 512", "query": long_q, "document": long_d},
        {"name": "document over 512", "query": "where is the station", "document": long_d},
        {"name": "query over 512", "query": long_d, "document": "short document"},
        {"name": "query longer than document, both long", "query": long_d, "document": long_q},
        {"name": "only_second document over 512", "query": "where is the station",
         "document": long_d, "truncation": "only_second"},
        {"name": "only_second query over 512", "query": long_q, "document": long_d,
         "truncation": "only_second"},
        {"name": "left both over 512", "query": long_q, "document": long_d, "direction": "left"},
        {"name": "none over 512", "query": long_q, "document": long_d, "truncation": "none"},
    ]
    # A document that makes the pair exactly 512 tokens untruncated, and one token more.
    tok.no_truncation()
    words = long_d.split(" ")
    query = "how long is a long document"
    n = 1
    while len(tok.encode(query, " ".join(words[:n])).ids) < 512:
        n += 1
    doc512 = " ".join(words[:n])
    if len(tok.encode(query, doc512).ids) != 512:  # the last word added more than one token
        n -= 1
        doc512 = " ".join(words[:n])
        while len(tok.encode(query, doc512 + " " + "a").ids) <= 512:
            doc512 += " a"
    assert len(tok.encode(query, doc512).ids) == 512
    cases.append({"name": "pair of exactly 512 tokens", "query": query, "document": doc512,
                  "truncation": "none"})
    cases.append({"name": "pair just over 512", "query": query, "document": doc512 + " extra words"})
    # Over 8192 tokens: the window of an 8k-context XLM-R reranker (max_length 8194, as
    # XLM-R's 8194 position embeddings allow).
    huge_d = " ".join([english, mixed] * 9)  # about 7,970 tokens
    huge_q = mixed
    assert len(tok.encode(huge_q, huge_d).ids) > 8194
    cases.append({"name": "pair over 8192 tokens", "query": huge_q, "document": huge_d,
                  "max_length": 8194})
    cases.append({"name": "none over 8192 tokens", "query": huge_q, "document": huge_d,
                  "max_length": 8194, "truncation": "none"})
    return cases


def encode(tok, query, document, max_length, strategy, direction="right"):
    """(ids, type_ids) or None when tokenizers refuses. encode_batch keeps an empty second text."""
    if strategy == "none":
        tok.no_truncation()
    else:
        tok.enable_truncation(max_length, strategy=strategy, direction=direction)
    try:
        enc = tok.encode_batch([(query, document)])[0]
    except Exception:
        return None
    if strategy == "none" and len(enc.ids) > max_length:
        return None
    return list(enc.ids), list(enc.type_ids)


# ---------------------------------------------------------------------------------------------
def check_versions(allow):
    found = {"sentencepiece": spm.__version__, "transformers": transformers.__version__,
             "tokenizers": tokenizers.__version__, "protobuf": google.protobuf.__version__}
    bad = {k: v for k, v in found.items() if v != PINNED[k]}
    if bad:
        msg = f"package versions differ from the pinned ones {PINNED}: {bad}"
        if not allow:
            sys.exit(msg + " (pass --allow-other-versions to go on; the output may differ)")
        print("WARNING:", msg)
    return found


def read_corpus(data):
    rows, seen, passages = [], set(), []
    path = os.path.join(data, "msmarco", "dev_small_bm25top20_600q.tsv")
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            rows.append((fields[4], fields[5]))
            if fields[5] not in seen:
                seen.add(fields[5])
                passages.append(fields[5])
    with open(os.path.join(FIXTURES, "multilingual_sentences.txt"), encoding="utf-8") as f:
        sentences = [l.rstrip("\n") for l in f if l.strip()]
    return rows, passages, sentences


def train(corpus, workdir):
    spm.set_random_generator_seed(SEED)
    model = io.BytesIO()  # not model_prefix: the .model would record the temporary path
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(corpus), model_writer=model, model_type="unigram",
        vocab_size=SPM_VOCAB, normalization_rule_name="nmt_nfkc", character_coverage=1.0,
        byte_fallback=False, unk_id=0, bos_id=1, eos_id=2, pad_id=-1,
        unk_piece="<unk>", bos_piece="<s>", eos_piece="</s>",
        num_threads=1, input_sentence_size=0, shuffle_input_sentence=False,
        max_sentence_length=16384, minloglevel=2)
    path = os.path.join(workdir, "xlmr_unigram.model")
    with open(path, "wb") as f:
        f.write(model.getvalue())
    sp = spm.SentencePieceProcessor(model_file=path)
    assert sp.get_piece_size() == SPM_VOCAB
    assert [sp.id_to_piece(i) for i in range(3)] == ["<unk>", "<s>", "</s>"]
    assert sp.is_unknown(0) and sp.is_control(1) and sp.is_control(2)
    return path, sp


def convert(model_path, workdir):
    """The converter input that works in transformers 5, the conversion, and the saved files."""
    spm_dir = os.path.join(workdir, "spm")
    os.makedirs(spm_dir)
    shutil.copy(model_path, os.path.join(spm_dir, "sentencepiece.bpe.model"))

    trap = XLMRobertaTokenizer(vocab_file=os.path.join(spm_dir, "sentencepiece.bpe.model"))
    trap_size = len(trap)  # transformers 5: vocab_file is ignored, 5 tokens

    slow = XLMRobertaTokenizer.from_pretrained(spm_dir)
    assert slow.vocab_file and os.path.isfile(slow.vocab_file), "from_pretrained set no vocab_file"
    expected = SPM_VOCAB - 3 + 4 + 1  # pieces 0..2 dropped, 4 fairseq specials, <mask>
    assert len(slow) == expected, f"converter input has {len(slow)} tokens, not {expected}"

    converted = XLMRobertaConverter(slow).converted()
    assert converted.get_vocab_size(with_added_tokens=True) == expected, converted.get_vocab_size()
    vocab = converted.get_vocab(with_added_tokens=True)
    assert [vocab[t] for t in ("<s>", "<pad>", "</s>", "<unk>", "<mask>")] == [0, 1, 2, 3, expected - 1]

    fast = XLMRobertaTokenizer(
        tokenizer_object=converted, model_max_length=512,
        mask_token=AddedToken("<mask>", lstrip=True, rstrip=False, normalized=False, special=True))
    save_dir = os.path.join(workdir, "saved")
    fast.save_pretrained(save_dir)
    # The save must be the converter's pipeline (wrapping must not rebuild it).
    saved = json.load(open(os.path.join(save_dir, "tokenizer.json"), encoding="utf-8"))
    ref = json.loads(converted.to_str())
    for key in ("normalizer", "pre_tokenizer", "post_processor", "decoder"):
        assert saved[key] == ref[key], f"save_pretrained changed the {key}"
    assert saved["model"]["type"] == "Unigram" and saved["model"]["unk_id"] == 3
    assert [p for p, _ in saved["model"]["vocab"]] == [p for p, _ in ref["model"]["vocab"]]
    assert all(abs(a[1] - b[1]) < 1e-9 for a, b in zip(saved["model"]["vocab"], ref["model"]["vocab"]))
    return save_dir, trap_size, len(slow)


SPECIAL_TOKENS_MAP = {  # as transformers 4's XLMRobertaTokenizerFast.save_pretrained wrote it
    "bos_token": "<s>", "cls_token": "<s>", "eos_token": "</s>",
    "mask_token": {"content": "<mask>", "lstrip": True, "normalized": False, "rstrip": False,
                   "single_word": False},
    "pad_token": "<pad>", "sep_token": "</s>", "unk_token": "<unk>"}


def describe(tj):
    """Checks and a one-line description of the pipeline of tokenizer.json."""
    assert tj["model"]["type"] == "Unigram", tj["model"]["type"]
    assert tj["model"]["byte_fallback"] is False
    norm = tj["normalizer"]
    parts = norm["normalizers"] if norm["type"] == "Sequence" else [norm]
    assert any(p["type"] == "Precompiled" and p["precompiled_charsmap"] for p in parts)
    pre = tj["pre_tokenizer"]
    pres = pre["pretokenizers"] if pre["type"] == "Sequence" else [pre]
    assert any(p["type"] == "Metaspace" for p in pres)
    assert tj["post_processor"]["type"] in ("RobertaProcessing", "TemplateProcessing")
    return (f"model Unigram (unk_id {tj['model']['unk_id']}, {len(tj['model']['vocab'])} pieces); "
            f"normalizer {norm['type']}[{', '.join(p['type'] for p in parts)}]; "
            f"pre_tokenizer {pre['type']}; post_processor {tj['post_processor']['type']}; "
            f"decoder {tj['decoder']['type']}")


def write_normalizer_table(tok):
    norm = tok.normalizer
    buf = io.StringIO()
    count = 0
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        s = chr(cp)
        out = norm.normalize_str(s)
        if out != s:
            buf.write(f"{cp:04X}\t{out.encode('utf-8').hex()}\n")
            count += 1
    data = buf.getvalue().encode("ascii")
    plain = os.path.join(FIXTURES, "normalizer_code_points.tsv")
    packed = plain + ".gz"
    if len(data) > GZIP_OVER:
        print(f"normalizer_code_points.tsv would be {len(data)} bytes (> 3 MB): gzipping")
        with open(packed, "wb") as f:
            with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=9) as g:
                g.write(data)
        if os.path.exists(plain):
            os.remove(plain)
        return packed, count, len(data)
    with open(plain, "wb") as f:
        f.write(data)
    if os.path.exists(packed):
        os.remove(packed)
    return plain, count, len(data)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.path.join(HERE, "..", "..", "shared", "data"))
    parser.add_argument("--allow-other-versions", action="store_true")
    args = parser.parse_args()
    versions = check_versions(args.allow_other_versions)

    rows, passages, sentences = read_corpus(args.data)
    corpus = passages + sentences
    text = "".join(corpus)
    for lo, hi, script in UNSEEN_SCRIPTS:
        assert not any(lo <= ord(c) <= hi for c in text), f"{script} is in the training corpus"

    work = tempfile.mkdtemp(prefix="xlmr-fixtures-")
    try:
        model_path, sp = train(corpus, work)
        model_sha = hashlib.sha256(open(model_path, "rb").read()).hexdigest()
        save_dir, trap_size, slow_size = convert(model_path, work)
        with open(os.path.join(save_dir, "tokenizer.json"), "rb") as f:
            tokenizer_json = f.read()
        with open(os.path.join(save_dir, "tokenizer_config.json"), "rb") as f:
            tokenizer_config = f.read()
    finally:
        shutil.rmtree(work)
    with open(os.path.join(FIXTURES, "tokenizer.json"), "wb") as f:
        f.write(tokenizer_json)
    with open(os.path.join(FIXTURES, "tokenizer_config.json"), "wb") as f:
        f.write(tokenizer_config)
    with open(os.path.join(FIXTURES, "special_tokens_map.json"), "w", encoding="utf-8") as f:
        json.dump(SPECIAL_TOKENS_MAP, f, indent=2, sort_keys=True)
        f.write("\n")

    tj = json.loads(tokenizer_json)
    pipeline = describe(tj)
    tok = Tokenizer.from_file(os.path.join(FIXTURES, "tokenizer.json"))
    assert tok.get_vocab_size(with_added_tokens=True) == SPM_VOCAB + 2

    # d. MS MARCO pairs
    out = []
    for q, p in rows:
        ids, types = encode(tok, q, p, 512, "longest_first")
        assert not any(types), "XLM-R token type ids must all be 0"
        out.append(f"{len(ids)}\t{fnv1a(ids, types):016x}\n")
    with open(os.path.join(FIXTURES, "msmarco_pairs.tsv"), "w", encoding="ascii", newline="\n") as f:
        f.writelines(out)
    lengths = [int(l.split("\t")[0]) for l in out]

    # d. hard cases: inputs, then expected ids from the inputs as read back
    cases = HARD_CASES + TRUNCATION_CASES + long_cases(tok, sentences)
    names = [c["name"] for c in cases]
    assert len(set(names)) == len(names), "hard case names must be unique"
    with open(os.path.join(FIXTURES, "hard_cases.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        for c in cases:
            f.write(json.dumps(c, ensure_ascii=False) + "\n")
    with open(os.path.join(FIXTURES, "hard_cases.jsonl"), encoding="utf-8") as f:
        cases = [json.loads(l) for l in f]
    errors = 0
    expected_rows = []
    long_lengths = []
    with open(os.path.join(FIXTURES, "hard_cases_expected.jsonl"), "w", encoding="utf-8",
              newline="\n") as f:
        for c in cases:
            r = encode(tok, c["query"], c["document"], c.get("max_length", 512),
                       c.get("truncation", "longest_first"), c.get("direction", "right"))
            row = {"name": c["name"]}
            if r is None:
                row["error"] = True
                errors += 1
            else:
                assert not any(r[1])
                row["input_ids"] = r[0]
                if len(r[0]) >= 512:
                    long_lengths.append(f"{c['name']}: {len(r[0])}")
            expected_rows.append(row)
            f.write(json.dumps(row, ensure_ascii=False) + "\n")

    offsets_count = write_offsets(tok, cases, os.path.join(FIXTURES, "offsets_expected.jsonl"))

    # d. normalizer table
    table_path, table_count, table_bytes = write_normalizer_table(tok)

    # e. informational cross-checks (not fixtures)
    def spm_ids(t):  # SentencePiece ids shifted as the converter shifts them
        return [3 if i == 0 else i + 1 for i in sp.encode(t)]

    def hf_ids(t):
        return tok.encode(t, add_special_tokens=False).ids

    tok.no_truncation()
    ms_texts = sorted(set(q for q, _ in rows)) + passages
    spm_diff_ms = sum(spm_ids(t) != hf_ids(t) for t in ms_texts)
    spm_diff_cases = sorted({c["name"] for c in cases[:len(HARD_CASES)]
                             for t in (c["query"], c["document"]) if spm_ids(t) != hf_ids(t)})
    auto = AutoTokenizer.from_pretrained(FIXTURES)
    auto_json = json.loads(auto.backend_tokenizer.to_str())
    auto_diff_cases = []
    for c, row in zip(cases, expected_rows):
        if c.get("truncation", "longest_first") != "longest_first" or "error" in row:
            continue
        got = auto([c["query"]], [c["document"]], truncation="longest_first",
                   max_length=c.get("max_length", 512))["input_ids"][0]
        if c.get("direction", "right") == "right" and got != row["input_ids"]:
            auto_diff_cases.append(c["name"])
    auto_ms = auto([q for q, _ in rows], [p for _, p in rows], truncation="longest_first",
                   max_length=512)["input_ids"]
    auto_diff_ms = sum(f"{len(a)}\t{fnv1a(a, [0] * len(a)):016x}\n" != o for a, o in zip(auto_ms, out))
    empty_pair_single_call = auto("a", "")["input_ids"]

    # summary
    print("package versions:", versions)
    print(f"corpus: {len(passages)} distinct MS MARCO passages + {len(sentences)} sentences")
    print(f"sentencepiece model: {SPM_VOCAB} pieces, sha256 {model_sha}")
    print(f"transformers 5 trap: XLMRobertaTokenizer(vocab_file=...) has {trap_size} tokens; "
          f"from_pretrained(folder) has {slow_size}")
    print(f"tokenizer.json: vocab {tok.get_vocab_size(with_added_tokens=True)} "
          f"(sentencepiece {SPM_VOCAB} - 3 + <s> <pad> </s> <unk> + <mask>)")
    print("pipeline:", pipeline)
    print(f"msmarco_pairs.tsv: {len(out)} pairs, tokens min {min(lengths)} mean "
          f"{sum(lengths) / len(lengths):.1f} max {max(lengths)}, {sum(l == 512 for l in lengths)} at 512")
    print(f"hard cases: {len(cases)} ({len(HARD_CASES)} hand-written, {len(TRUNCATION_CASES)} "
          f"truncation, {len(cases) - len(HARD_CASES) - len(TRUNCATION_CASES)} long), {errors} errors "
          f"({', '.join(r['name'] for r in expected_rows if 'error' in r)})")
    print("  long results:", "; ".join(long_lengths))
    print(f"offsets_expected.jsonl: {offsets_count} texts")
    print(f"{os.path.basename(table_path)}: {table_count} code points change, {table_bytes} bytes"
          " uncompressed")
    print(f"cross-check sentencepiece (ids shifted): {spm_diff_ms} of {len(ms_texts)} MS MARCO texts "
          f"differ; hand-written cases that differ: {spm_diff_cases}")
    print(f"cross-check transformers AutoTokenizer (pre_tokenizer {auto_json['pre_tokenizer']['type']}, "
          f"normalizer {auto_json['normalizer']['type']}): {auto_diff_ms} MS MARCO pairs differ; "
          f"cases that differ: {auto_diff_cases}; auto('a', '') = {empty_pair_single_call} "
          "(the single-call API drops an empty second text, the batch API keeps it)")
    print("files:")
    for name in sorted(os.listdir(FIXTURES)):
        path = os.path.join(FIXTURES, name)
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        print(f"  {os.path.getsize(path):>9}  {digest}  {name}")


if __name__ == "__main__":
    main()

# tokenizer conformance tests (owned by the tokenizer work): every MS MARCO pair and every hand-
# written hard case, through both loading paths, against fixtures made by
# tools/make_tokenizer_fixtures.py with Hugging Face `tokenizers`.
rerankd_add_test(tokenizer_conformance_test
  SOURCES tokenizer_msmarco_test.cc tokenizer_hard_cases_test.cc tokenizer_offsets_test.cc
          xlmr_normalizer_test.cc tokenizer_variants_test.cc added_token_ids_test.cc
          tokenizer_loaders.cc
  LIBS rerankd_text simdjson::simdjson
  LABELS conformance)
